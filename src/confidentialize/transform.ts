/**
 * The `confidentialize` transform (seed 003's operator idea as a pure function): given ordinary
 * workload objects, return confidential ones plus a report of every change.
 *
 * - Kata environments: `runtimeClassName`, the initdata annotation (agent policy + KBS URL), TEE node selection.
 * - Environments without Kata (azure-tdx, aks-cvm): node selection onto the confidential VM nodes.
 * - What a TEE cannot honour (host namespaces, hostPath, privileged containers) is refused, or
 *   stripped with a warning under `force`: on Kata such a pod would not be confidential (or not
 *   start), and on confidential nodes it could read every other pod of the node.
 * - Images are never changed: encrypting or re-pinning them is the owner's decision.
 */
import { AGENT_POLICY_ANNOTATION } from './agent-policy';
import { INITDATA_ANNOTATION } from './initdata';
import { kataPodSettings, type ConfidentialTarget } from './target';

/** Workload kinds the transform understands, by `apiVersion/kind`, with where their pod template lives. */
export const SUPPORTED_KINDS: ReadonlyMap<string, readonly string[]> = new Map([
  ['v1/Pod', []],
  ['apps/v1/Deployment', ['spec', 'template']],
  ['apps/v1/StatefulSet', ['spec', 'template']],
  ['apps/v1/DaemonSet', ['spec', 'template']],
  ['batch/v1/Job', ['spec', 'template']],
]);

/** Containerd annotation some manifests (seed 001) set by hand; the RuntimeClass already selects the handler. */
const RUNTIME_HANDLER_ANNOTATION = 'io.containerd.cri.runtime-handler';

export type JsonObject = { [key: string]: unknown };

export interface TransformOptions {
  /** Strip what a TEE cannot honour and replace conflicting settings instead of refusing. @default false */
  readonly force?: boolean;
  /** Agent policy allows kubectl exec (dev only; refused for production environments). @default false */
  readonly allowExec?: boolean;
}

/** One change made to one object. */
export interface Change {
  /** `Kind/name` of the object (document order index when unnamed). */
  readonly object: string;
  /** JSON pointer inside the object. */
  readonly path: string;
  readonly message: string;
}

/** A reason the input cannot be made confidential as asked. */
export interface TransformProblem {
  /** Index of the YAML document (0-based). */
  readonly document: number;
  /** JSON pointer inside the document. */
  readonly path: string;
  readonly expected: string;
  readonly found: string;
}

export interface TransformResult {
  readonly objects: readonly JsonObject[];
  readonly changes: readonly Change[];
  /** Changes that weaken or drop what the input asked for (made under `force`), and caveats. */
  readonly warnings: readonly Change[];
  readonly problems: readonly TransformProblem[];
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pointer(...segments: (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** The child mapping at `key`, created when absent. */
function child(parent: JsonObject, key: string): JsonObject {
  const existing = parent[key];
  if (isObject(existing)) return existing;
  const created: JsonObject = {};
  parent[key] = created;
  return created;
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObject(value)) for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

export function confidentializeObjects(documents: readonly unknown[], target: ConfidentialTarget, options: TransformOptions = {}): TransformResult {
  const objects: JsonObject[] = [];
  const changes: Change[] = [];
  const warnings: Change[] = [];
  const problems: TransformProblem[] = [];
  documents.forEach((input, document) => {
    const problem = (path: string, expected: string, found: string) => problems.push({ document, path, expected, found });
    if (!isObject(input) || typeof input.apiVersion !== 'string' || typeof input.kind !== 'string') {
      problem('', 'a Kubernetes object (a mapping with apiVersion and kind)', isObject(input) ? 'a mapping without apiVersion/kind' : describe(input));
      return;
    }
    const segments = SUPPORTED_KINDS.get(`${input.apiVersion}/${input.kind}`);
    if (!segments) {
      const kinds = [...SUPPORTED_KINDS.keys()].map((k) => k.split('/').pop()).join(', ');
      problem('/kind', `a workload kind this transform supports (${kinds}; apiVersions v1, apps/v1, batch/v1)`, `${input.apiVersion} ${input.kind}`);
      return;
    }
    const object = structuredClone(input);
    const name = isObject(object.metadata) && typeof object.metadata.name === 'string' ? object.metadata.name : `#${document}`;
    const id = `${object.kind as string}/${name}`;
    let template: JsonObject = object;
    for (const segment of segments) {
      const next = template[segment];
      if (!isObject(next)) {
        problem(pointer(...segments.slice(0, segments.indexOf(segment) + 1)), 'a pod template', describe(next));
        return;
      }
      template = next;
    }
    const base = pointer(...segments);
    const spec = template.spec;
    if (!isObject(spec)) {
      problem(`${base}/spec`, 'a pod spec', describe(spec));
      return;
    }
    const ctx: Ctx = { id, base, document, force: options.force === true, changes, warnings, problem };
    stripHostFeatures(ctx, spec);
    if (target.kind === 'kata') applyKata(ctx, template, spec, target, options);
    else applyNodes(ctx, template, spec, target);
    const images = containersOf(spec).map((c) => c.container.image).filter((i): i is string => typeof i === 'string');
    if (images.length > 0) changes.push({ object: id, path: `${base}/spec`, message: `images left unchanged: ${[...new Set(images)].join(', ')}` });
    objects.push(object);
  });
  if (options.allowExec && target.production) {
    problems.push({ document: -1, path: '', expected: `no --allow-exec for environment ${target.environment} (profile production refuses exec-allowing agent policies)`, found: '--allow-exec' });
  }
  return { objects: problems.length > 0 ? [] : objects, changes, warnings, problems };
}

interface Ctx {
  readonly id: string;
  /** Pointer of the pod template in the object ('' for a Pod). */
  readonly base: string;
  readonly document: number;
  readonly force: boolean;
  readonly changes: Change[];
  readonly warnings: Change[];
  readonly problem: (path: string, expected: string, found: string) => void;
}

interface ContainerRef {
  readonly container: JsonObject;
  readonly list: string;
  readonly index: number;
}

function containersOf(spec: JsonObject): ContainerRef[] {
  return ['initContainers', 'containers'].flatMap((list) => {
    const items = spec[list];
    return Array.isArray(items) ? items.flatMap((container, index) => (isObject(container) ? [{ container, list, index }] : [])) : [];
  });
}

/** Refuses (or, forced, removes) host namespaces, hostPath volumes and privileged containers. */
function stripHostFeatures(ctx: Ctx, spec: JsonObject): void {
  const refuse = (path: string, found: string, why: string): boolean => {
    if (!ctx.force) {
      ctx.problem(path, `no ${found.split(':')[0]} (${why}; --force strips it)`, found);
      return false;
    }
    ctx.warnings.push({ object: ctx.id, path, message: `removed ${found}: ${why}` });
    return true;
  };
  const hostWhy = 'a confidential pod cannot share the host namespaces it must be protected from';
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (spec[field] === true && refuse(`${ctx.base}/spec/${field}`, `${field}: true`, hostWhy)) delete spec[field];
  }
  const volumes = Array.isArray(spec.volumes) ? spec.volumes : [];
  const hostPathVolumes = new Set<string>();
  volumes.forEach((volume, i) => {
    if (isObject(volume) && volume.hostPath !== undefined && typeof volume.name === 'string') {
      if (refuse(`${ctx.base}/spec/volumes/${i}/hostPath`, `hostPath volume ${volume.name}`, 'host files are outside the TEE and readable by the host')) hostPathVolumes.add(volume.name);
    }
  });
  if (hostPathVolumes.size > 0) {
    spec.volumes = volumes.filter((v) => !(isObject(v) && typeof v.name === 'string' && hostPathVolumes.has(v.name)));
    if ((spec.volumes as unknown[]).length === 0) delete spec.volumes;
    for (const { container, list, index } of containersOf(spec)) {
      for (const field of ['volumeMounts', 'volumeDevices']) {
        const mounts = container[field];
        if (!Array.isArray(mounts)) continue;
        const kept = mounts.filter((m) => !(isObject(m) && typeof m.name === 'string' && hostPathVolumes.has(m.name)));
        if (kept.length === mounts.length) continue;
        ctx.warnings.push({ object: ctx.id, path: `${ctx.base}/spec/${list}/${index}/${field}`, message: `removed ${mounts.length - kept.length} mount(s) of removed hostPath volume(s)` });
        if (kept.length > 0) container[field] = kept;
        else delete container[field];
      }
    }
  }
  for (const { container, list, index } of containersOf(spec)) {
    const sc = container.securityContext;
    if (isObject(sc) && sc.privileged === true) {
      const path = `${ctx.base}/spec/${list}/${index}/securityContext/privileged`;
      if (refuse(path, `privileged: true (container ${String(container.name)})`, 'a privileged container reaches host devices and breaks out of the pod isolation')) {
        delete sc.privileged;
        if (Object.keys(sc).length === 0) delete container.securityContext;
      }
    }
  }
}

/** Sets or replaces one key of a string map, refusing conflicts unless forced. */
function mergeKey(ctx: Ctx, map: JsonObject, mapPath: string, key: string, value: string, what: string): void {
  const path = `${mapPath}${pointer(key)}`;
  const existing = map[key];
  if (existing === value) {
    ctx.changes.push({ object: ctx.id, path, message: `${what} already ${JSON.stringify(value)}` });
    return;
  }
  if (existing !== undefined) {
    if (!ctx.force) {
      ctx.problem(path, `${JSON.stringify(value)} or nothing (--force replaces it)`, JSON.stringify(existing));
      return;
    }
    ctx.warnings.push({ object: ctx.id, path, message: `replaced ${what} ${JSON.stringify(existing)} with ${JSON.stringify(value)}` });
  } else {
    ctx.changes.push({ object: ctx.id, path, message: `set ${what}` });
  }
  map[key] = value;
}

function applyKata(ctx: Ctx, template: JsonObject, spec: JsonObject, target: Extract<ConfidentialTarget, { kind: 'kata' }>, options: TransformOptions): void {
  const settings = kataPodSettings(target, { allowExec: options.allowExec });
  mergeKey(ctx, spec, `${ctx.base}/spec`, 'runtimeClassName', settings.runtimeClassName, `runtimeClassName (${target.tee} TEE)`);
  const metadata = child(template, 'metadata');
  const annotations = child(metadata, 'annotations');
  const annotationsPath = `${ctx.base}/metadata/annotations`;
  // A second policy source would make the shim send SetPolicyRequest, which the initdata policy denies.
  if (annotations[AGENT_POLICY_ANNOTATION] !== undefined) {
    const path = `${annotationsPath}${pointer(AGENT_POLICY_ANNOTATION)}`;
    if (!ctx.force) ctx.problem(path, `no ${AGENT_POLICY_ANNOTATION} (the policy goes into initdata; --force removes it)`, 'an agent policy annotation');
    else {
      delete annotations[AGENT_POLICY_ANNOTATION];
      ctx.warnings.push({ object: ctx.id, path, message: 'removed the legacy agent policy annotation: the initdata policy replaces it' });
    }
  }
  for (const [key, value] of Object.entries(settings.annotations)) {
    mergeKey(ctx, annotations, annotationsPath, key, value, key === INITDATA_ANNOTATION ? `initdata (policy.rego${target.kbsUrl ? `, aa.toml and cdh.toml with KBS ${target.kbsUrl}` : ', no KBS in this environment'})` : key);
  }
  if (annotations[RUNTIME_HANDLER_ANNOTATION] !== undefined) {
    mergeKey(ctx, annotations, annotationsPath, RUNTIME_HANDLER_ANNOTATION, settings.runtimeClassName, 'runtime handler annotation');
  }
  if (Object.keys(settings.nodeSelector).length > 0) {
    const selector = child(spec, 'nodeSelector');
    for (const [key, value] of Object.entries(settings.nodeSelector)) mergeKey(ctx, selector, `${ctx.base}/spec/nodeSelector`, key, value, `node selector (${target.tee} hosts)`);
  }
  if (!options.allowExec) ctx.changes.push({ object: ctx.id, path: annotationsPath, message: 'agent policy denies exec (ExecProcessRequest) and policy replacement (SetPolicyRequest)' });
}

function applyNodes(ctx: Ctx, template: JsonObject, spec: JsonObject, target: Extract<ConfidentialTarget, { kind: 'confidential-nodes' }>): void {
  if (typeof spec.runtimeClassName === 'string' && spec.runtimeClassName.startsWith('kata')) {
    const path = `${ctx.base}/spec/runtimeClassName`;
    if (!ctx.force) ctx.problem(path, `no Kata runtime class (environment ${target.environment} has no Kata runtime; --force removes it)`, spec.runtimeClassName);
    else {
      ctx.warnings.push({ object: ctx.id, path, message: `removed runtimeClassName ${spec.runtimeClassName}: no Kata in ${target.environment}` });
      delete spec.runtimeClassName;
    }
  }
  const selector = child(spec, 'nodeSelector');
  for (const [key, value] of Object.entries(target.nodeSelector)) mergeKey(ctx, selector, `${ctx.base}/spec/nodeSelector`, key, value, 'node selector (confidential nodes)');
  const annotations = stringMap(isObject(template.metadata) ? template.metadata.annotations : undefined);
  for (const key of [INITDATA_ANNOTATION, AGENT_POLICY_ANNOTATION]) {
    if (annotations[key] !== undefined) ctx.warnings.push({ object: ctx.id, path: `${ctx.base}/metadata/annotations${pointer(key)}`, message: `${key} has no effect without Kata` });
  }
  ctx.warnings.push({ object: ctx.id, path: `${ctx.base}/spec`, message: `trust boundary is the node (${target.boundary}): exec is not restricted and privileged pods on the same node can read this pod` });
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}
