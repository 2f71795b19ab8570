/**
 * `dist/<env>/POSTURE.md`: what a reviewer needs to judge an environment's security at a glance,
 * derived from the rendered objects and the config (never hand-written, deterministic).
 */
import type { LoadedEnvironment } from '../config/load';
import type { RenderedFolder } from '../k8s/bundle';
import type { K8sObject } from '../shared/k8s-object';
import { PRIVILEGED_REASON_ANNOTATION } from './semantic-rules';
import { environmentVersions } from './environment-versions';
import { imageSlots } from '../images/image-slots';
import { IMAGE_LOCK_FILE } from '../images/lock-file';
import { hasDigest } from '../shared/image-ref';
import { resourceBindings } from '../k8s/kbs/resource-binding';
import { isTrackingBranch } from '../config/rules/gitops';
import { postureDiagram } from './posture-diagram';
import { podSpecOf, type PodSpec } from './pod-spec';
import { peerPodsPosture } from './posture-peer-pods';

function row(cells: readonly string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}

/**
 * Every image the environment runs (containers and the upstream chart values the bundle sets),
 * whether a digest pins it, and what uses it.
 */
function imagesSection(env: LoadedEnvironment, folders: readonly RenderedFolder[]): string[] {
  const users = new Map<string, string[]>();
  for (const slot of imageSlots(folders.flatMap((f) => f.objects))) users.set(slot.image, [...(users.get(slot.image) ?? []), slot.usedBy]);
  const images = [...users.keys()].sort();
  const unpinned = images.filter((i) => !hasDigest(i)).length;
  return [
    '## Images',
    '',
    `Digests come from \`${IMAGE_LOCK_FILE}\` (written by \`npm run pin-images\`; see docs/images.md) or the environment file; a tag alone can be moved to other bytes. ` +
      `${unpinned} of ${images.length} not pinned by digest; \`requireDigests\` is ${env.config.requireDigests ? '**on** (rendering refuses an image without a digest)' : 'off'}.`,
    '',
    row(['image', 'digest', 'used by']),
    row(['---', '---', '---']),
    ...images.map((i) => row([`\`${i}\``, hasDigest(i) ? 'pinned by digest' : '**not pinned by digest** (run `npm run pin-images`)', (users.get(i) ?? []).join('<br>')])),
    ...(images.length === 0 ? [row(['none', '', ''])] : []),
    '',
  ];
}

/**
 * Every resource the KBS holds and who can obtain it: which workloads (Kata guests by initdata
 * digest, or measured nodes) on which TEE, and whether what the TEE runs is appraised.
 */
function kbsResourcesSection(env: LoadedEnvironment): string[] {
  const kbs = env.config.kbs;
  if (!kbs.enabled) return [];
  const attestation = kbs.attestation;
  const measuredTees: readonly string[] = [...new Set(attestation.measurements.map((m) => m.tee))];
  const nodes = (tee: string): string => {
    if (tee === 'sample') return '**any machine** (sample TEE, dev only)';
    if (measuredTees.includes(tee)) return `${tee} whose ${attestation.measurements.filter((m) => m.tee === tee).map((m) => `\`${m.claim}\``).join(', ')} match the reference values`;
    return `**any genuine, non-debug ${tee}** (executables not appraised)`;
  };
  const unmeasured = attestation.acceptUnmeasured;
  const lines = [
    '## KBS resources',
    '',
    kbs.resourcePolicy.allowAll
      ? '**allowAll is on: every resource goes to every client holding a valid token (dev only).**'
      : 'Who can obtain each resource the KBS holds (`kbs.resources`, `kbs.resourcePolicy.extraPaths`): the resource policy releases it only to these clients (docs/kbs.md, workload binding).',
    ...(unmeasured ? ['', `**Unmeasured TEEs accepted** (\`kbs.attestation.acceptUnmeasured\`): ${unmeasured.reason}`] : []),
    '',
    row(['resource', 'workload', 'initdata digest', 'measured nodes or guests']),
    row(['---', '---', '---', '---']),
  ];
  for (const binding of resourceBindings(env)) {
    if (binding.clients.length === 0) lines.push(row([`\`${binding.path}\``, 'nobody (no workload references it)', '', '']));
    for (const c of binding.clients) {
      lines.push(row([`\`${binding.path}\``, c.workload === 'nodes' ? 'node-level clients (host confidential-data-hub)' : `\`${c.workload}\``, c.initdataDigest ? `\`${c.initdataDigest}\`` : c.tee === 'sample' ? 'not checked (sample TEE)' : 'none (node)', nodes(c.tee)]));
    }
  }
  lines.push('');
  return lines;
}

export function postureReport(env: LoadedEnvironment, folders: readonly RenderedFolder[]): string {
  const { config } = env;
  const lines: string[] = [
    `# Security posture: ${env.name}`,
    '',
    `Generated from \`${env.file}\` by \`npm run synth\`; do not edit. Profile: **${config.profile}**. Argo CD syncs revision \`${config.gitops.targetRevision}\`${isTrackingBranch(config.gitops) ? ' (a tracking branch: every push deploys)' : ''}.`,
    ...(config.description ? ['', config.description] : []),
    '',
  ];

  lines.push(
    '## Picture',
    '',
    'Where each rendered workload runs on the node pools of the infrastructure model, the trust boundaries, and the numbered key-release flow (src/render/posture-diagram.ts).',
    '',
    '```mermaid',
    postureDiagram(env, folders),
    '```',
    '',
  );

  const switches = Object.entries(config.devSwitches).filter(([, on]) => on).map(([name]) => name);
  lines.push('## Dev switches', '', switches.length ? switches.map((s) => `- **ON: ${s}** (insecure; refused by the production profile)`).join('\n') : '- none (all insecure conveniences off)', '');

  const workloads = folders.flatMap((f) => f.objects.map((o) => ({ folder: f.folder, o, pod: podSpecOf(o) }))).filter((w) => w.pod);
  lines.push('## Workloads and privileges', '', row(['folder', 'workload', 'runtime class', 'host access', 'privileged containers', 'reason']), row(['---', '---', '---', '---', '---', '---']));
  for (const { folder, o, pod } of workloads) {
    const p = pod as PodSpec;
    const host = [p.hostPID && 'hostPID', p.hostNetwork && 'hostNetwork', p.hostIPC && 'hostIPC', ...(p.volumes ?? []).filter((v) => v.hostPath).map((v) => `hostPath ${v.hostPath?.path}`)].filter(Boolean).join(', ');
    const privileged = [...(p.initContainers ?? []), ...(p.containers ?? [])].filter((c) => c.securityContext?.privileged).map((c) => c.name).join(', ');
    lines.push(row([folder, `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`, p.runtimeClassName ?? 'default (runc)', host || 'none', privileged || 'none', o.metadata.annotations?.[PRIVILEGED_REASON_ANNOTATION] ?? '']));
  }
  if (workloads.length === 0) lines.push(row(['', 'no workloads rendered', '', '', '', '']));
  lines.push('');

  lines.push(...imagesSection(env, folders));
  lines.push(...kbsResourcesSection(env));

  const all = folders.flatMap((f) => f.objects);
  const at = (o: K8sObject) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);
  const namespaces = all.filter((o) => o.kind === 'Namespace').map((o) => `- Namespace \`${o.metadata.name}\`: Pod Security \`${o.metadata.labels?.['pod-security.kubernetes.io/enforce'] ?? 'not enforced'}\``);
  const netpols = all.filter((o) => o.kind === 'NetworkPolicy').map((o) => `- NetworkPolicy \`${at(o)}\``);
  const rego = all.flatMap((o) => (o.kind === 'ConfigMap' ? Object.keys((o.data ?? {}) as object).filter((k) => k.endsWith('.rego')).map((k) => `- Rego policy \`${k}\` in ConfigMap \`${at(o)}\``) : []));
  const agent = workloads.flatMap(({ o, pod }) => {
    const annotations = { ...o.metadata.annotations, ...((o.spec as { template?: { metadata?: { annotations?: Record<string, string> } } })?.template?.metadata?.annotations ?? {}) };
    const kinds = ['io.katacontainers.config.agent.policy', 'io.katacontainers.config.hypervisor.cc_init_data'].filter((a) => a in annotations);
    return kinds.length && pod ? [`- ${o.kind} \`${at(o)}\`: ${kinds.map((k) => `\`${k}\``).join(', ')}`] : [];
  });
  const rbac = all.filter((o) => ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].includes(o.kind)).map((o) => `- ${o.kind} \`${at(o)}\``);
  lines.push('## Policies in force', '', ...namespaces, ...netpols, ...rego, ...agent, '');
  lines.push('## RBAC', '', ...(rbac.length ? rbac : ['- none rendered']), '');

  // Support is judged on the review date of src/shared/support.ts, never the clock (same input, same bytes).
  const versions = environmentVersions(config);
  lines.push('## Versions', '', row(['component', 'version', 'upstream support']), row(['---', '---', '---']));
  for (const v of versions) lines.push(row([v.name, `\`${v.version}\``, v.warning ? `**${v.warning}**; ${v.support}` : v.support]));
  const tdx = config.infrastructure.tdx;
  if (tdx) lines.push(row(['VM image', `\`${tdx.image.publisher}:${tdx.image.offer}:${tdx.image.sku}:${tdx.image.version}\``, 'Canonical confidential VM image']));
  lines.push('', 'Upstream support as checked on the review date of `src/shared/support.ts`.', '');
  const trackingBranch = config.gitops.allowTrackingBranch;
  if (config.acceptUnsupportedVersions.length > 0 || trackingBranch) {
    lines.push(
      '## Accepted risks',
      '',
      ...config.acceptUnsupportedVersions.map((a) => `- **${a.component} ${a.version}** runs past upstream support or below a CVE floor: ${a.reason}`),
      ...(trackingBranch ? [`- **gitops.targetRevision \`${config.gitops.targetRevision}\`** is a tracking branch: every push to it deploys, with no release tag chosen (\`gitops.allowTrackingBranch\`): ${trackingBranch.reason}`] : []),
      '',
    );
  }

  const infra = config.infrastructure;
  if (infra.provider === 'azure-tdx') {
    const admin = infra.network.adminSourceCidrs;
    lines.push('## Network exposure (Azure NSG)', '', `- SSH 22, API server 6443, NodePorts 30000-32767 from: ${admin.length ? admin.map((c) => `\`${c}\``).join(', ') : 'nowhere outside the VNet'}`, '');
  }
  lines.push(...peerPodsPosture(config, env.name));
  return `${lines.join('\n')}\n`;
}
