/**
 * The picture in `POSTURE.md`: a Mermaid flowchart of where each rendered workload runs (node
 * pools from the infrastructure model, Kata guests inside them), the trust boundaries as
 * subgraphs (Azure control plane, host, TEE) and the key-release flow (attestation agent -> KBS
 * -> confidential-data-hub -> ctd-decoder or the guest). Placement is computed the way the
 * scheduler would (nodeSelector, required node affinity, taints), from the same node model the
 * Terraform and the simulation use, so the picture cannot claim a placement the cluster refuses.
 * The text is deterministic: ids are derived from names, order follows the model and the render.
 */
import type { LoadedEnvironment } from '../config/load';
import type { RenderedFolder } from '../k8s/bundle';
import type { K8sObject } from '../shared/k8s-object';
import { clusterNodes, nodeLabels, type ClusterNode, type NodeTaint } from '../shared/cluster-nodes';
import { KATA_RUNTIME_CLASSES, KATA_RUNTIME_NODE_LABEL, type KataRuntimeClass } from '../k8s/runtime/kata-runtime-classes';
import { podSpecOf } from './pod-spec';

interface Toleration {
  readonly key?: string;
  readonly operator?: string;
  readonly value?: string;
  readonly effect?: string;
}

interface MatchExpression {
  readonly key: string;
  readonly operator: string;
  readonly values?: readonly string[];
}

/** The scheduling fields of a pod spec this picture honours. */
interface Scheduling {
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly tolerations?: readonly Toleration[];
  readonly runtimeClassName?: string;
  readonly affinity?: { readonly nodeAffinity?: { readonly requiredDuringSchedulingIgnoredDuringExecution?: { readonly nodeSelectorTerms?: readonly { readonly matchExpressions?: readonly MatchExpression[] }[] } } };
}

/** Nodes that share a name stem (`k8s-worker-1`, `k8s-worker-2`) or an AKS agent pool. */
interface Pool {
  readonly name: string;
  readonly nodes: readonly ClusterNode[];
}

/** A Mermaid id from names: letters, digits and `_` only, never a keyword such as `end`. */
export function mermaidId(...parts: readonly string[]): string {
  return parts.map((p) => p.replace(/[^A-Za-z0-9]+/g, '_')).join('__');
}

/** A quoted Mermaid label; `"` cannot appear inside one, so it is written as an entity. */
function label(text: string): string {
  return `"${text.replace(/"/g, '#quot;')}"`;
}

function poolsOf(nodes: readonly ClusterNode[]): Pool[] {
  const pools = new Map<string, ClusterNode[]>();
  for (const node of nodes) {
    const name = node.platformLabels['kubernetes.azure.com/agentpool'] ?? node.name.replace(/-[0-9]+$/, '');
    pools.set(name, [...(pools.get(name) ?? []), node]);
  }
  return [...pools].map(([name, members]) => ({ name, nodes: members }));
}

function tolerates(tolerations: readonly Toleration[], taint: NodeTaint): boolean {
  return tolerations.some((t) => (t.key === undefined || t.key === taint.key) && (t.effect === undefined || t.effect === taint.effect) && (t.operator === 'Exists' || (t.value ?? '') === taint.value));
}

function matches(e: MatchExpression, labels: Readonly<Record<string, string>>): boolean {
  const value = labels[e.key];
  if (e.operator === 'In') return value !== undefined && (e.values ?? []).includes(value);
  if (e.operator === 'NotIn') return value === undefined || !(e.values ?? []).includes(value);
  if (e.operator === 'Exists') return value !== undefined;
  if (e.operator === 'DoesNotExist') return value === undefined;
  return false;
}

/** Whether the scheduler could place the pod on this node (the pool's nodes are alike). */
function schedulable(pod: Scheduling, node: ClusterNode): boolean {
  const labels = nodeLabels(node);
  if (Object.entries(pod.nodeSelector ?? {}).some(([k, v]) => labels[k] !== v)) return false;
  const terms = pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  if (terms.length > 0 && !terms.some((t) => (t.matchExpressions ?? []).every((e) => matches(e, labels)))) return false;
  return node.taints.filter((t) => t.effect !== 'PreferNoSchedule').every((t) => tolerates(pod.tolerations ?? [], t));
}

function kataClass(name: string | undefined): KataRuntimeClass | undefined {
  return name === undefined ? undefined : (KATA_RUNTIME_CLASSES as Readonly<Record<string, KataRuntimeClass>>)[name];
}

/** What a Kata guest of this class protects, in the words of the trust boundary. */
function guestBoundary(runtimeClass: string): string {
  const tee = kataClass(runtimeClass)?.tee;
  if (tee === 'tdx') return 'TEE: Kata guest in an Intel TDX trust domain';
  if (tee === 'snp') return 'TEE: Kata guest in an AMD SEV-SNP VM';
  if (tee === 'sample') return 'Kata guest, NO TEE (sample attester, dev only)';
  // cloud-api-adaptor starts the guest as its own Azure confidential VM; the node only proxies it.
  if (tee === 'peer-pods') return 'TEE: each pod in its own Azure confidential VM (peer pod, created by cloud-api-adaptor)';
  return 'Kata guest, no TEE';
}

interface Placed {
  readonly id: string;
  readonly folder: string;
  readonly object: K8sObject;
}

/** The Mermaid source (without the fence) of the environment's picture. */
export function postureDiagram(env: LoadedEnvironment, folders: readonly RenderedFolder[]): string {
  const { config } = env;
  const infra = config.infrastructure;
  const pools = poolsOf(clusterNodes(config));
  const confidentialPool = (pool: Pool): string | undefined => {
    if (infra.provider === 'azure-tdx') return 'Intel TDX confidential VMs';
    if (infra.provider === 'aks-cvm' && pool.nodes[0]?.role === 'worker') return 'AKS confidential VMs';
    if (infra.provider === 'aks-peer-pods' && pool.nodes[0]?.role === 'kbs') return 'KBS confidential VMs';
    return undefined;
  };
  // What a pool outside every TEE is, where the provider makes it worth saying: on aks-peer-pods
  // the nodes are regular VMs although the pods they start are confidential.
  const regularPool = (pool: Pool): string | undefined => (infra.provider === 'aks-peer-pods' && pool.nodes[0]?.role === 'worker' ? 'AKS nodes (regular VMs)' : undefined);
  const workloads = folders.flatMap((f) => f.objects.filter((o) => podSpecOf(o)).map((object) => ({ folder: f.folder, object, pod: podSpecOf(object) as Scheduling })));
  const runtimeClasses = folders.flatMap((f) => f.objects.filter((o) => o.kind === 'RuntimeClass'));

  // Placement per pool: outside any guest, or inside the Kata guest of a runtime class.
  const inPool = new Map<string, Placed[]>();
  const inGuest = new Map<string, Map<string, Placed[]>>();
  const nowhere: Placed[] = [];
  const place = (map: Map<string, Placed[]>, key: string, placed: Placed) => map.set(key, [...(map.get(key) ?? []), placed]);
  const guestsOf = (pool: Pool) => inGuest.get(pool.name) ?? inGuest.set(pool.name, new Map()).get(pool.name) ?? new Map<string, Placed[]>();
  // Every RuntimeClass gets its guest on the pools it schedules to, even before a pod uses it.
  // kata-deploy labels a node katacontainers.io/kata-runtime once it has installed there, so the
  // model's nodes do not carry it yet: the TEE labels decide where a guest can run.
  for (const object of runtimeClasses) {
    const nodeSelector = Object.fromEntries(Object.entries((object as { scheduling?: Scheduling }).scheduling?.nodeSelector ?? {}).filter(([key]) => key !== KATA_RUNTIME_NODE_LABEL.key));
    const scheduling: Scheduling = { ...(object as { scheduling?: Scheduling }).scheduling, nodeSelector };
    for (const pool of pools) if (pool.nodes[0] && schedulable(scheduling, pool.nodes[0]) && !guestsOf(pool).has(object.metadata.name)) guestsOf(pool).set(object.metadata.name, []);
  }
  for (const { folder, object, pod } of workloads) {
    const name = `${object.kind}-${object.metadata.namespace ?? ''}-${object.metadata.name}`;
    const eligible = pools.filter((p) => p.nodes[0] && schedulable(pod, p.nodes[0]));
    if (eligible.length === 0) nowhere.push({ id: mermaidId('unplaced', folder, name), folder, object });
    for (const pool of eligible) {
      const kata = pod.runtimeClassName !== undefined && kataClass(pod.runtimeClassName) !== undefined ? pod.runtimeClassName : undefined;
      if (kata) place(guestsOf(pool), kata, { id: mermaidId('w', pool.name, kata, folder, name), folder, object });
      else place(inPool, pool.name, { id: mermaidId('w', pool.name, folder, name), folder, object });
    }
  }

  const lines: string[] = ['flowchart TB'];
  const edges: string[] = [];
  const text = (p: Placed) => label(`${p.folder}: ${p.object.kind} ${p.object.metadata.namespace ? `${p.object.metadata.namespace}/` : ''}${p.object.metadata.name}`);
  const isKbs = (p: Placed) => p.folder === 'kbs' && p.object.kind === 'Deployment';
  const isInstaller = (p: Placed) => p.folder === 'guest-components' && p.object.kind === 'DaemonSet';
  const allPlaced = [...[...inPool.values()].flat(), ...[...inGuest.values()].flatMap((g) => [...g.values()].flat()), ...nowhere];
  // The one KBS every client talks to: its first placement in the model's order.
  const kbs = allPlaced.find(isKbs);

  // Azure control plane: it creates and can stop every VM, but cannot read a TEE's memory.
  if (infra.provider !== 'none') {
    lines.push(`  subgraph azure[${label('Azure control plane: outside every TEE, trusted for availability only')}]`);
    lines.push(`    arm[${label('Azure Resource Manager (npx cdktf deploy)')}]`);
    const vault = infra.tdx?.keyVaultName ?? infra.aks?.keyVaultName;
    if (vault) lines.push(`    ${mermaidId('kv', vault)}[${label(`Key Vault ${vault}`)}]`);
    if (infra.aks) lines.push(`    ${mermaidId('maa', infra.aks.attestationProviderName)}[${label(`Microsoft Azure Attestation ${infra.aks.attestationProviderName}`)}]`);
    lines.push('  end');
  }
  const hostLabel = infra.provider === 'none' ? 'Host: your machines, outside the TEE (node OS, kubelet, containerd)' : 'Host: the Azure hypervisor, outside every TEE';
  lines.push(`  subgraph host[${label(hostLabel)}]`);
  if (infra.provider !== 'none') edges.push(`  arm -.->|${label('creates and stops VMs')}| host`);

  const emitPool = (pool: Pool, indent: string) => {
    const poolId = mermaidId('pool', pool.name);
    const size = pool.nodes[0]?.vmSize;
    const caption = regularPool(pool);
    lines.push(`${indent}subgraph ${poolId}[${label(`pool ${pool.name}: ${pool.nodes.map((n) => n.name).join(', ')}${size ? ` (${size})` : ''}${caption ? `; ${caption}` : ''}`)}]`);
    const direct = inPool.get(pool.name) ?? [];
    for (const p of direct) lines.push(`${indent}  ${p.id}[${text(p)}]`);
    if (direct.length === 0 && guestsOf(pool).size === 0) lines.push(`${indent}  ${mermaidId('idle', pool.name)}[${label('no rendered workload runs here')}]`);
    // Node-level guest components: the installer puts them on the host of a confidential VM.
    if (direct.some(isInstaller)) {
      const aa = mermaidId('aa', pool.name);
      const cdh = mermaidId('cdh', pool.name);
      const ctd = mermaidId('ctd', pool.name);
      lines.push(`${indent}  ${aa}[${label('attestation-agent (node service)')}]`, `${indent}  ${cdh}[${label('confidential-data-hub (node service)')}]`, `${indent}  ${ctd}[${label('ctd-decoder (containerd stream processor)')}]`);
      const installer = direct.find(isInstaller);
      if (installer) edges.push(`  ${installer.id} -.->|installs| ${aa}`, `  ${installer.id} -.->|installs| ${cdh}`, `  ${installer.id} -.->|installs| ${ctd}`);
      if (kbs) edges.push(`  ${aa} -->|${label('1 evidence')}| ${kbs.id}`, `  ${kbs.id} -->|${label('2 keys after attestation')}| ${cdh}`);
      edges.push(`  ${cdh} -->|${label('3 image keys')}| ${ctd}`);
      for (const p of direct.filter((d) => d.folder.split('/')[0] === 'workloads')) edges.push(`  ${ctd} -->|${label('4 decrypted layers')}| ${p.id}`);
    }
    for (const [runtimeClass, placed] of guestsOf(pool)) {
      const guestId = mermaidId('guest', pool.name, runtimeClass);
      lines.push(`${indent}  subgraph ${guestId}[${label(`runtime: RuntimeClass ${runtimeClass}; ${guestBoundary(runtimeClass)}`)}]`);
      for (const p of placed) lines.push(`${indent}    ${p.id}[${text(p)}]`);
      if (placed.length > 0 && kbs) {
        const aa = mermaidId('aa', pool.name, runtimeClass);
        const cdh = mermaidId('cdh', pool.name, runtimeClass);
        lines.push(`${indent}    ${aa}[${label('attestation-agent (in the guest)')}]`, `${indent}    ${cdh}[${label('confidential-data-hub (in the guest)')}]`);
        edges.push(`  ${aa} -->|${label('1 evidence')}| ${kbs.id}`, `  ${kbs.id} -->|${label('2 keys and secrets after attestation')}| ${cdh}`);
        for (const p of placed) edges.push(`  ${cdh} -->|${label('3 secrets, decrypted image')}| ${p.id}`);
      }
      lines.push(`${indent}  end`);
    }
    lines.push(`${indent}end`);
  };
  const confidential = pools.filter((p) => confidentialPool(p));
  for (const pool of pools.filter((p) => !confidentialPool(p))) emitPool(pool, '    ');
  const boundaries = [...new Set(confidential.map((p) => confidentialPool(p) ?? ''))];
  for (const boundary of boundaries) {
    lines.push(`    subgraph ${mermaidId('tee', boundary)}[${label(`TEE: ${boundary} (the node is the trust boundary)`)}]`);
    for (const pool of confidential.filter((p) => confidentialPool(p) === boundary)) emitPool(pool, '      ');
    lines.push('    end');
  }
  lines.push('  end');
  if (nowhere.length > 0) {
    lines.push(`  subgraph unplaced[${label('no node of the model can run these')}]`);
    for (const p of nowhere) lines.push(`    ${p.id}[${text(p)}]`);
    lines.push('  end');
  }
  // Attestation through MAA (seed 004): the vTPM evidence of the confidential VM goes to Azure.
  // On AKS the key release is Azure's: MAA attests the confidential VM's vTPM evidence, and Key
  // Vault releases a key only against an MAA token (secure key release).
  if (infra.aks) {
    const maa = mermaidId('maa', infra.aks.attestationProviderName);
    const kv = mermaidId('kv', infra.aks.keyVaultName);
    for (const p of allPlaced.filter((q) => q.object.kind === 'Job' && q.folder.split('/')[0] === 'workloads')) {
      edges.push(`  ${p.id} -->|${label('1 vTPM evidence')}| ${maa}`, `  ${maa} -->|${label('2 attestation token')}| ${p.id}`, `  ${p.id} -->|${label('3 token, key release request')}| ${kv}`, `  ${kv} -->|${label('4 released key')}| ${p.id}`);
    }
  }
  return [...lines, ...edges].join('\n');
}
