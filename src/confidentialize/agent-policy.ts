/**
 * The Kata agent policy (Rego, `package agent_policy`) rendered from a typed table: one `default`
 * per AgentService request type, so no request is left to OPA's "undefined means deny" by accident.
 *
 * Based on upstream's allow-all-except-exec-process.rego, with the request types it misses added and
 * a few more host-only requests denied (those genpolicy also denies by default). The policy does not
 * inspect request contents: that needs a per-workload policy from genpolicy.
 * @see https://github.com/kata-containers/kata-containers/blob/4.0.0/docs/how-to/how-to-use-the-kata-agent-policy.md
 */
import { VERSIONS } from '../shared/versions';

/** Pod annotation of the legacy delivery: base64 Rego, sent by the shim with SetPolicyRequest. */
export const AGENT_POLICY_ANNOTATION = 'io.katacontainers.config.agent.policy';

/**
 * Every request type of `service AgentService` in src/libs/protocols/protos/agent.proto at Kata 4.0.0
 * (the names OPA is queried with), and whether it is allowed when the policy denies exec.
 */
export const AGENT_REQUESTS: Readonly<Record<string, { readonly allow: boolean; readonly why?: string }>> = {
  AddARPNeighborsRequest: { allow: true },
  AddSwapPathRequest: { allow: true },
  AddSwapRequest: { allow: true },
  CloseStdinRequest: { allow: true },
  CopyFileRequest: { allow: true },
  CreateContainerRequest: { allow: true },
  CreateSandboxRequest: { allow: true },
  DestroySandboxRequest: { allow: true },
  ExecProcessRequest: { allow: false, why: 'kubectl exec / the host may not run processes in the TEE (seed 001 coco-demo-02)' },
  GetDiagnosticDataRequest: { allow: false, why: 'diagnostic dumps would carry guest state to the host' },
  GetIPTablesRequest: { allow: false, why: 'host tooling only; not needed for the pod lifecycle' },
  GetMetricsRequest: { allow: true },
  GetOOMEventRequest: { allow: true },
  GuestDetailsRequest: { allow: true },
  ListInterfacesRequest: { allow: true },
  ListRoutesRequest: { allow: true },
  MemAgentCompactConfig: { allow: true },
  MemAgentMemcgConfig: { allow: true },
  MemHotplugByProbeRequest: { allow: true },
  OnlineCPUMemRequest: { allow: true },
  PauseContainerRequest: { allow: true },
  ReadStreamRequest: { allow: true, why: 'kubectl logs keeps working: never print secrets to stdout/stderr' },
  RemoveContainerRequest: { allow: true },
  RemoveStaleVirtiofsShareMountsRequest: { allow: true },
  ReseedRandomDevRequest: { allow: true },
  ResizeVolumeRequest: { allow: true },
  ResumeContainerRequest: { allow: true },
  SetGuestDateTimeRequest: { allow: true },
  SetIPTablesRequest: { allow: false, why: 'host tooling only; would let the host rewrite guest packet filtering' },
  SetPolicyRequest: { allow: false, why: 'the host may not replace this policy once it is in force' },
  SignalProcessRequest: { allow: true },
  StartContainerRequest: { allow: true },
  StatsContainerRequest: { allow: true },
  TtyWinResizeRequest: { allow: true },
  UpdateContainerRequest: { allow: true },
  UpdateEphemeralMountsRequest: { allow: true },
  UpdateInterfaceRequest: { allow: true },
  UpdateRoutesRequest: { allow: true },
  VolumeStatsRequest: { allow: true },
  WaitProcessRequest: { allow: true },
  WriteStreamRequest: { allow: true },
};

/** A container the generated policy lets the host create, read from the pod spec. */
export interface AllowedContainer {
  /** Container name (`io.kubernetes.cri.container-name`). */
  readonly name: string;
  /** Image as the pod spec names it (`io.kubernetes.cri.image-name`). */
  readonly image: string;
  /**
   * Process arguments: the pod spec's command followed by its args. Absent when the pod spec
   * names neither: the image's own entrypoint runs, which only the image digest pins.
   * @default the image's entrypoint
   */
  readonly args?: readonly string[];
  /** Mount destinations of the pod spec's volumeMounts (the runtime's own mounts are added). */
  readonly mounts: readonly string[];
  /**
   * Environment variables the pod spec sets to a literal value: the host may not change them.
   * Others (from the image, `valueFrom`, Kubernetes service links) pass, except the dynamic
   * loader's (LOADER_VARIABLES).
   * @default none
   */
  readonly env?: Readonly<Record<string, string>>;
}

/** What the generated policy knows about one pod. */
export interface PodPolicyInput {
  /**
   * Namespace of the pod (`io.kubernetes.cri.sandbox-namespace`). Absent (a manifest without one,
   * as `helm template` writes them): any namespace.
   * @default any namespace
   */
  readonly namespace?: string;
  /** Every init and app container of the pod spec. */
  readonly containers: readonly AllowedContainer[];
}

export interface AgentPolicyOptions {
  /**
   * Allow ExecProcessRequest (kubectl exec). Dev only: the production profile refuses it.
   * @default false
   */
  readonly allowExec?: boolean;
  /**
   * Generate the policy for this pod: CreateContainerRequest allows only its containers (and the
   * sandbox's pause container), CopyFileRequest only the runtime's shared-file folder, and
   * WriteStreamRequest (stdin) nothing. Absent: the uninspected allow-all-but-exec table above,
   * which the production profile refuses for rendered workloads.
   * @default none: requests are not inspected
   */
  readonly pod?: PodPolicyInput;
  /**
   * With `pod`: allow ReadStreamRequest, so `kubectl logs` shows the containers' output. Whatever
   * a container prints then leaves the TEE; never print secrets. Without `pod` logs always work.
   * @default false
   */
  readonly allowLogs?: boolean;
  /**
   * Without `pod`: still deny stdin (WriteStreamRequest) and let `allowLogs` decide about
   * ReadStreamRequest, for a policy that knows no containers but should not open the streams
   * either (the default initdata of peer-pod VMs).
   * @default false: without `pod` both streams are allowed
   */
  readonly closeStreams?: boolean;
}

/**
 * Mounts the container runtime adds to every container (containerd CRI and the Kata shim), as
 * genpolicy's default settings (genpolicy-settings.json at Kata 4.0.0) list them.
 */
export const RUNTIME_MOUNTS = [
  '/dev',
  '/dev/mqueue',
  '/dev/pts',
  '/dev/shm',
  '/dev/termination-log',
  '/etc/hostname',
  '/etc/hosts',
  '/etc/resolv.conf',
  '/proc',
  '/sys',
  '/sys/fs/cgroup',
] as const;

/**
 * Variables that make the dynamic loader run other code than the image's (glibc ld.so(8), musl):
 * with a host-writable volume mounted, one of them would run the host's library in the TEE.
 */
export const LOADER_VARIABLES = ['LD_AUDIT', 'LD_LIBRARY_PATH', 'LD_PRELOAD'] as const;

/** Where the Kata shim copies files for the guest (hostname, hosts, resolv.conf, ConfigMap and Secret volumes). */
export const SHARED_FILES_PREFIX = '/run/kata-containers/shared/containers/';

/** Code-unit order: locale-independent, so every machine renders the same bytes. */
const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

interface Rule {
  readonly name: string;
  readonly allow: boolean;
  readonly why?: string;
}

/** The request table for `options`: what a generated policy inspects is denied by default and allowed by rules below. */
function rules(options: AgentPolicyOptions): Rule[] {
  return Object.entries(AGENT_REQUESTS).map(([name, rule]) => {
    if (name === 'ExecProcessRequest') {
      const allow = options.allowExec === true;
      return { name, allow, why: allow ? 'ALLOWED: dev only, the host can read everything in the container' : rule.why };
    }
    if (options.pod === undefined && !(options.closeStreams === true && (name === 'ReadStreamRequest' || name === 'WriteStreamRequest'))) return { name, ...rule };
    switch (name) {
      case 'CreateContainerRequest':
        return { name, allow: false, why: 'only the containers of the pod spec, see the rules below' };
      case 'CopyFileRequest':
        return { name, allow: false, why: `only into ${SHARED_FILES_PREFIX}, see the rules below` };
      case 'WriteStreamRequest':
        return { name, allow: false, why: 'no stdin: the host may not feed input to the processes in the TEE' };
      case 'ReadStreamRequest':
        return options.allowLogs === true
          ? { name, allow: true, why: 'kubectl logs: the containers\' output leaves the TEE, never print secrets' }
          : { name, allow: false, why: 'no kubectl logs: container output stays in the TEE' };
      default:
        return { name, ...rule };
    }
  });
}

/** A Rego value in the layout `opa fmt` keeps. */
function rego(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(rego).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${rego(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The name containerd reports for an image reference: a reference without a registry is a Docker
 * Hub one (`busybox:1` is `docker.io/library/busybox:1`).
 */
export function normalizedImage(image: string): string {
  const first = image.split('/')[0];
  const hasRegistry = image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasRegistry) return image;
  return `docker.io/${image.includes('/') ? '' : 'library/'}${image}`;
}

/** The per-pod rules: data first, then CreateContainerRequest and CopyFileRequest. */
function podRules(pod: PodPolicyInput): string[] {
  const containers = [...pod.containers].sort(byName).map((c) => ({
    name: c.name,
    images: [...new Set([c.image, normalizedImage(c.image)])],
    args: c.args === undefined ? null : [...c.args],
    mounts: [...new Set([...c.mounts, ...RUNTIME_MOUNTS])].sort(),
    env: Object.fromEntries(Object.entries(c.env ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  }));
  // Without a namespace the rules below simply do not compare it.
  const namespace = pod.namespace === undefined ? [] : [`\tnamespace_allowed(input.OCI.Annotations)`];
  const data = `policy_data := {\n${pod.namespace === undefined ? '' : `\t"namespace": ${rego(pod.namespace)},\n`}\t"containers": [\n${containers.map((c) => `\t\t${rego(c)},`).join('\n')}\n\t],\n}`;
  return [
    '# The pod this policy was generated for (src/confidentialize/agent-policy.ts, from its pod spec).',
    data,
    '',
    '# The sandbox (pause) container, which Kata runs from the measured guest image.',
    'CreateContainerRequest if {',
    '\tinput.OCI.Annotations["io.kubernetes.cri.container-type"] == "sandbox"',
    ...namespace,
    '\tinput.OCI.Process.Args == ["/pause"]',
    '\tno_hooks(input.OCI)',
    '}',
    '',
    '# A container of the pod spec: its name, image, arguments and mounts, in the pod\'s namespace.',
    'CreateContainerRequest if {',
    '\toci := input.OCI',
    '\toci.Annotations["io.kubernetes.cri.container-type"] == "container"',
    ...namespace,
    '\tsome container in policy_data.containers',
    '\toci.Annotations["io.kubernetes.cri.container-name"] == container.name',
    '\timage_allowed(container.images, oci.Annotations["io.kubernetes.cri.image-name"])',
    '\targs_allowed(container.args, oci.Process.Args)',
    '\tevery variable in object.get(oci.Process, "Env", []) {',
    '\t\tenv_allowed(container.env, variable)',
    '\t}',
    '\tno_hooks(oci)',
    '\tevery mount in oci.Mounts {',
    '\t\tmount.destination in container.mounts',
    '\t}',
    '}',
    '',
    ...(pod.namespace === undefined ? [] : ['namespace_allowed(annotations) if annotations["io.kubernetes.cri.sandbox-namespace"] == policy_data.namespace', '']),
    '# Variables the pod spec sets keep their value; the dynamic loader\'s are never set.',
    'env_allowed(expected, variable) if {',
    '\tname := split(variable, "=")[0]',
    `\tnot name in ${rego([...LOADER_VARIABLES])}`,
    '\tnot expected[name]',
    '}',
    '',
    'env_allowed(expected, variable) if {',
    '\tname := split(variable, "=")[0]',
    '\tvariable == concat("=", [name, expected[name]])',
    '}',
    '',
    '# OCI hooks would run programs of the host\'s choosing inside the guest (genpolicy refuses them too).',
    'no_hooks(oci) if object.get(oci, "Hooks", null) == null',
    '',
    '# The image as rendered; a tag-only image also with the digest npm run pin-images appends.',
    'image_allowed(images, image) if image in images',
    '',
    'image_allowed(images, image) if {',
    '\tsome expected in images',
    '\tnot contains(expected, "@")',
    '\tparts := split(image, "@sha256:")',
    '\tcount(parts) == 2',
    '\tparts[0] == expected',
    '\tregex.match("^[0-9a-f]{64}$", parts[1])',
    '}',
    '',
    '# null: the pod spec sets no command, so the image\'s own entrypoint runs.',
    'args_allowed(null, _)',
    '',
    'args_allowed(expected, args) if {',
    '\texpected != null',
    '\targs == expected',
    '}',
    '',
    '# Files the shim copies for the containers (hostname, hosts, resolv.conf, volumes): that folder only.',
    'CopyFileRequest if {',
    `\tstartswith(input.path, ${JSON.stringify(SHARED_FILES_PREFIX)})`,
    '\tnot contains(input.path, "/../")',
    '\tnot endswith(input.path, "/..")',
    '}',
    '',
  ];
}

/** The policy text; deterministic (sorted), so its digest is stable across renders. */
export function renderAgentPolicy(options: AgentPolicyOptions = {}): string {
  const table = rules(options);
  const line = (r: Rule) => `default ${r.name} := ${r.allow}${r.why ? ` # ${r.why}` : ''}`;
  const allowed = table.filter((r) => r.allow).sort(byName);
  const denied = table.filter((r) => !r.allow).sort(byName);
  const generated = options.pod !== undefined;
  return [
    `# Kata agent policy rendered by coco-azure-gitops (src/confidentialize/agent-policy.ts) for Kata ${VERSIONS.kata}.`,
    generated
      ? '# One default per AgentService request type; container creation and file copies are inspected (after genpolicy).'
      : '# One default per AgentService request type; requests are not inspected (use genpolicy for that).',
    '',
    'package agent_policy',
    '',
    ...(generated ? ['import rego.v1', ''] : []),
    ...allowed.map(line),
    '',
    ...denied.map(line),
    '',
    ...(generated && options.pod ? podRules(options.pod) : []),
  ].join('\n');
}

/** Kubernetes pod spec fields the generator reads. */
interface PodSpecContainers {
  readonly containers?: readonly ContainerSpec[];
  readonly initContainers?: readonly ContainerSpec[];
}

interface ContainerSpec {
  readonly name: string;
  readonly image?: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly volumeMounts?: readonly { readonly mountPath: string }[];
  readonly env?: readonly { readonly name: string; readonly value?: string }[];
}

/**
 * The policy input of a pod spec, in the spirit of genpolicy: every container with its image,
 * its process arguments (command + args; with only args or neither, the image's entrypoint
 * decides, so they are not pinned) and its mounts.
 */
export function podPolicyInput(namespace: string | undefined, spec: PodSpecContainers): PodPolicyInput {
  const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])].map((c): AllowedContainer => {
    if (c.image === undefined) throw new Error(`agent policy: container ${c.name} has no image`);
    return {
      name: c.name,
      image: c.image,
      ...(c.command !== undefined ? { args: [...c.command, ...(c.args ?? [])] } : {}),
      mounts: (c.volumeMounts ?? []).map((m) => m.mountPath),
      ...(c.env?.some((e) => e.value !== undefined) ? { env: Object.fromEntries(c.env.flatMap((e) => (e.value !== undefined ? [[e.name, e.value]] : []))) } : {}),
    };
  });
  return { ...(namespace !== undefined ? { namespace } : {}), containers };
}

/** Requests the host could use to start or feed its own code in the TEE, or read from it. */
const HOST_CONTROL_REQUESTS = ['CopyFileRequest', 'CreateContainerRequest', 'ReadStreamRequest', 'WriteStreamRequest'] as const;

/**
 * What makes an agent policy unfit for production: one of the host-control requests allowed by
 * default (so it is not inspected), or CreateContainerRequest with no rule that inspects it.
 * ReadStreamRequest (kubectl logs) is accepted when `allowLogs` says it was chosen.
 */
export function agentPolicyProblems(rego: string, options: { readonly allowLogs?: boolean } = {}): string[] {
  const problems = HOST_CONTROL_REQUESTS.filter((name) => !(name === 'ReadStreamRequest' && options.allowLogs === true))
    .filter((name) => new RegExp(`^default ${name} := true\\b`, 'm').test(rego))
    .map((name) => `${name} is allowed without inspection`);
  if (!/^CreateContainerRequest if \{/m.test(rego) && !problems.some((p) => p.startsWith('CreateContainerRequest'))) problems.push('CreateContainerRequest has no rule for the pod\'s containers');
  if (/^default ExecProcessRequest := true\b/m.test(rego)) problems.push('ExecProcessRequest (kubectl exec) is allowed');
  return problems;
}

/** Value of the legacy annotation: the Rego, base64-encoded. */
export function agentPolicyAnnotationValue(rego: string): string {
  return Buffer.from(rego, 'utf8').toString('base64');
}
