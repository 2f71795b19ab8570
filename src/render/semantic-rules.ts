/**
 * Cross-field rules the OpenAPI schema cannot express: what the kube-apiserver
 * (and Argo CD, which applies the bundle) would reject or silently mis-wire,
 * plus product rules. Shape/type checks are the JSON-schema validator's job, so
 * every accessor here tolerates missing or mistyped fields and simply skips them.
 */
import { type K8sObject, type Problem, objectId } from '../shared/k8s-object';
import { imageSlots } from '../images/image-slots';

export interface SemanticOptions {
  /** Namespaces that exist outside the bundle (e.g. argocd, kube-system). Namespaced objects must live in a rendered Namespace or one of these. */
  readonly externalNamespaces?: readonly string[];
}

/** Every rule id `validateSemantics` can report, in the order rules run. */
export const SEMANTIC_RULES = [
  'privileged-escalation',
  'selector-labels',
  'scope',
  'namespace-exists',
  'port-name',
  'name',
  'reference',
  'service-selector',
  'duplicate',
  'secret-data',
  'image-pinned',
  'pod-security',
] as const;

export type SemanticRule = (typeof SEMANTIC_RULES)[number];

/** Workload annotation that justifies privileged pod features (product rule). */
export const PRIVILEGED_REASON_ANNOTATION = 'coco.azure/privileged-reason';

export function validateSemantics(objects: readonly K8sObject[], options: SemanticOptions = {}): Problem[] {
  const ctx = buildContext(objects, options);
  const problems: Problem[] = [];
  for (const rule of SEMANTIC_RULES) {
    // The rule id is bound here so a check cannot report under the wrong id.
    CHECKS[rule](ctx, (o, path, message) => problems.push({ object: objectId(o), rule, path, message }));
  }
  return problems;
}

// ---------------------------------------------------------------------------
// Tolerant JSON access

type Json = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function record(value: unknown): Json {
  return isRecord(value) ? value : {};
}

function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Object elements of an array, paired with their original index so paths stay exact. */
function entries(value: unknown): Array<readonly [Json, number]> {
  const out: Array<readonly [Json, number]> = [];
  list(value).forEach((item, index) => {
    if (isRecord(item)) out.push([item, index]);
  });
  return out;
}

/** String-valued entries only (labels, selectors); non-strings are a schema problem. */
function stringMap(value: unknown): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(record(value))) {
    if (typeof v === 'string') out[key] = v;
  }
  return out;
}

/** RFC 6901 escaping, needed because label/annotation keys contain '/'. */
function pointerSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function quote(value: string): string {
  return JSON.stringify(value);
}

// ---------------------------------------------------------------------------
// Object identity and scope

/** `group/Kind`, with `core` for the legacy group (no real API group is called that: they all contain a dot). */
function typeKey(o: K8sObject): string {
  const slash = o.apiVersion.indexOf('/');
  return `${slash < 0 ? 'core' : o.apiVersion.slice(0, slash)}/${o.kind}`;
}

/** Kinds the API server stores without a namespace. Kinds not listed (including unknown CRDs) are treated as namespaced, unless a rendered CRD says otherwise. */
const CLUSTER_SCOPED: ReadonlySet<string> = new Set([
  'core/Namespace',
  'core/Node',
  'core/PersistentVolume',
  'core/ComponentStatus',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/CSIDriver',
  'storage.k8s.io/CSINode',
  'storage.k8s.io/VolumeAttachment',
  'storage.k8s.io/VolumeAttributesClass',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'apiregistration.k8s.io/APIService',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'admissionregistration.k8s.io/MutatingAdmissionPolicy',
  'admissionregistration.k8s.io/MutatingAdmissionPolicyBinding',
  'node.k8s.io/RuntimeClass',
  'scheduling.k8s.io/PriorityClass',
  'networking.k8s.io/IngressClass',
  'networking.k8s.io/IPAddress',
  'networking.k8s.io/ServiceCIDR',
  'certificates.k8s.io/CertificateSigningRequest',
  'certificates.k8s.io/ClusterTrustBundle',
  'flowcontrol.apiserver.k8s.io/FlowSchema',
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'resource.k8s.io/DeviceClass',
  'snapshot.storage.k8s.io/VolumeSnapshotClass',
  'snapshot.storage.k8s.io/VolumeSnapshotContent',
  'gateway.networking.k8s.io/GatewayClass',
  'confidentialcontainers.org/CcRuntime',
  'cert-manager.io/ClusterIssuer',
]);

/** The static list plus cluster-scoped kinds defined by CRDs in the bundle, since the CRD is what the API server consults. */
function clusterScopedKinds(objects: readonly K8sObject[]): ReadonlySet<string> {
  const kinds = new Set(CLUSTER_SCOPED);
  for (const o of objects) {
    if (typeKey(o) !== 'apiextensions.k8s.io/CustomResourceDefinition') continue;
    const spec = record(o.spec);
    const group = text(spec.group);
    const kind = text(record(spec.names).kind);
    if (spec.scope === 'Cluster' && group && kind) kinds.add(`${group}/${kind}`);
  }
  return kinds;
}

// ---------------------------------------------------------------------------
// Pod templates

interface PodTemplate {
  readonly owner: K8sObject;
  readonly namespace: string;
  /** JSON path of the template inside its owner ('' for a Pod, which is its own template). */
  readonly path: string;
  readonly metadata: Json;
  readonly spec: Json;
}

/** Where each workload keeps the pod template that becomes real pods. */
const TEMPLATE_PATHS: ReadonlyMap<string, readonly string[]> = new Map([
  ['core/Pod', []],
  ['apps/Deployment', ['spec', 'template']],
  ['apps/StatefulSet', ['spec', 'template']],
  ['apps/DaemonSet', ['spec', 'template']],
  ['apps/ReplicaSet', ['spec', 'template']],
  ['batch/Job', ['spec', 'template']],
  ['batch/CronJob', ['spec', 'jobTemplate', 'spec', 'template']],
]);

function podTemplateOf(o: K8sObject): PodTemplate | undefined {
  const segments = TEMPLATE_PATHS.get(typeKey(o));
  if (!segments) return undefined;
  let node: Json = o;
  for (const segment of segments) node = record(node[segment]);
  return {
    owner: o,
    namespace: o.metadata.namespace ?? '',
    path: segments.map((s) => `/${s}`).join(''),
    metadata: record(node.metadata),
    spec: record(node.spec),
  };
}

interface Container {
  readonly value: Json;
  readonly path: string;
}

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

function containersOf(t: PodTemplate): Container[] {
  return CONTAINER_LISTS.flatMap((list) =>
    entries(t.spec[list]).map(([value, i]) => ({ value, path: `${t.path}/spec/${list}/${i}` })),
  );
}

function templateLabels(t: PodTemplate): Readonly<Record<string, string>> {
  return stringMap(t.metadata.labels);
}

// ---------------------------------------------------------------------------
// Context shared by all checks

interface Context {
  readonly objects: readonly K8sObject[];
  readonly clusterScoped: ReadonlySet<string>;
  /** Rendered Namespace names plus the external ones. */
  readonly namespaces: ReadonlySet<string>;
  /** First object per identity (see `identity`). */
  readonly byIdentity: ReadonlyMap<string, K8sObject>;
  readonly templates: readonly PodTemplate[];
}

type Report = (o: K8sObject, path: string, message: string) => void;
type Check = (ctx: Context, report: Report) => void;

function buildContext(objects: readonly K8sObject[], options: SemanticOptions): Context {
  const clusterScoped = clusterScopedKinds(objects);
  const namespaces = new Set(options.externalNamespaces ?? []);
  const byIdentity = new Map<string, K8sObject>();
  for (const o of objects) {
    if (typeKey(o) === 'core/Namespace') namespaces.add(o.metadata.name);
    const id = identity(typeKey(o), effectiveNamespace(clusterScoped, o), o.metadata.name);
    if (!byIdentity.has(id)) byIdentity.set(id, o);
  }
  const templates = objects.flatMap((o) => podTemplateOf(o) ?? []);
  return { objects, clusterScoped, namespaces, byIdentity, templates };
}

function identity(type: string, namespace: string, name: string): string {
  return `${type}|${namespace}|${name}`;
}

/** Cluster-scoped objects live in no namespace even if one was (wrongly) written. */
function effectiveNamespace(clusterScoped: ReadonlySet<string>, o: K8sObject): string {
  return clusterScoped.has(typeKey(o)) ? '' : (o.metadata.namespace ?? '');
}

function lookup(ctx: Context, type: string, namespace: string, name: string): K8sObject | undefined {
  return ctx.byIdentity.get(identity(type, namespace, name));
}

function labelsMatch(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

function services(ctx: Context): K8sObject[] {
  return ctx.objects.filter((o) => typeKey(o) === 'core/Service');
}

/** The non-empty selector a Service routes by, or undefined when it routes to no pods (no selector, ExternalName). */
function serviceSelector(service: K8sObject): Readonly<Record<string, string>> | undefined {
  const spec = record(service.spec);
  const selector = stringMap(spec.selector);
  if (spec.type === 'ExternalName' || Object.keys(selector).length === 0) return undefined;
  return selector;
}

function selectedTemplates(ctx: Context, service: K8sObject, selector: Readonly<Record<string, string>>): PodTemplate[] {
  const namespace = service.metadata.namespace ?? '';
  return ctx.templates.filter((t) => t.namespace === namespace && labelsMatch(selector, templateLabels(t)));
}

// ---------------------------------------------------------------------------
// Name formats (k8s.io/apimachinery/pkg/util/validation)

interface Format {
  readonly describe: string;
  readonly test: (value: string) => boolean;
}

const LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_RE = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_PART_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

const DNS1123_LABEL: Format = {
  describe: 'a DNS-1123 label (at most 63 lowercase alphanumerics or "-", starting and ending alphanumeric)',
  test: (v) => v.length <= 63 && LABEL_RE.test(v),
};
const DNS1123_SUBDOMAIN: Format = {
  describe: 'a DNS-1123 subdomain (at most 253 lowercase alphanumerics, "-" or ".", each part starting and ending alphanumeric)',
  test: (v) => v.length <= 253 && SUBDOMAIN_RE.test(v),
};
const DNS1035_LABEL: Format = {
  describe: 'a DNS-1035 label (at most 63 lowercase alphanumerics or "-", starting with a letter and ending alphanumeric)',
  test: (v) => v.length <= 63 && DNS1035_RE.test(v),
};
/** RBAC names only have to be usable as a URL path segment, which is why `system:*` names are legal. */
const PATH_SEGMENT: Format = {
  describe: 'a path segment name (non-empty, not "." or "..", no "/" or "%")',
  test: (v) => v !== '' && v !== '.' && v !== '..' && !/[/%]/.test(v),
};
/** The CronJob controller appends an 11-character suffix to make Job names, so the API server caps CronJob names at 52. */
const CRONJOB_NAME: Format = {
  describe: 'a DNS-1123 subdomain of at most 52 characters',
  test: (v) => v.length <= 52 && SUBDOMAIN_RE.test(v),
};
const QUALIFIED_NAME: Format = {
  describe:
    'a qualified name ([prefix/]name; name at most 63 alphanumerics, "-", "_" or ".", starting and ending alphanumeric; prefix a DNS-1123 subdomain)',
  test: isQualifiedName,
};
const LABEL_VALUE: Format = {
  describe: 'a label value (empty, or at most 63 alphanumerics, "-", "_" or ".", starting and ending alphanumeric)',
  test: (v) => v === '' || (v.length <= 63 && QUALIFIED_PART_RE.test(v)),
};
const IANA_SVC_NAME: Format = {
  describe: 'an IANA_SVC_NAME (1-15 lowercase alphanumerics or "-", at least one letter, no leading, trailing or double "-")',
  test: (v) => v.length <= 15 && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(v) && /[a-z]/.test(v),
};

function isQualifiedName(value: string): boolean {
  const parts = value.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  const prefix = parts.length === 2 ? parts[0] : undefined;
  if (prefix !== undefined && !DNS1123_SUBDOMAIN.test(prefix)) return false;
  return name.length <= 63 && QUALIFIED_PART_RE.test(name);
}

/** Reports `value` at `path` unless it satisfies `format`; returns whether it did. */
function checkFormat(report: Report, o: K8sObject, path: string, what: string, format: Format, value: string): boolean {
  const valid = format.test(value);
  if (!valid) report(o, path, `expected ${what} to be ${format.describe}; found ${quote(value)}`);
  return valid;
}

// ---------------------------------------------------------------------------
// 1. privileged-escalation

/** The API server rejects both combinations: privileged/CAP_SYS_ADMIN imply escalation. It only spells the capability CAP_SYS_ADMIN; SYS_ADMIN is the same capability to the runtime, so it is rejected too. */
function checkPrivilegeEscalation(ctx: Context, report: Report): void {
  for (const t of ctx.templates) {
    for (const c of containersOf(t)) {
      const sc = record(c.value.securityContext);
      if (sc.allowPrivilegeEscalation !== false) continue;
      if (sc.privileged === true) {
        report(
          t.owner,
          `${c.path}/securityContext`,
          'expected allowPrivilegeEscalation unset or true on a privileged container; found privileged: true with allowPrivilegeEscalation: false',
        );
      }
      const added = list(record(sc.capabilities).add);
      const index = added.findIndex((cap) => cap === 'CAP_SYS_ADMIN' || cap === 'SYS_ADMIN');
      if (index >= 0) {
        report(
          t.owner,
          `${c.path}/securityContext/capabilities/add/${index}`,
          `expected allowPrivilegeEscalation unset or true when adding ${String(added[index])}; found allowPrivilegeEscalation: false`,
        );
      }
    }
  }
}

// ---------------------------------------------------------------------------
// 2. selector-labels

const SELECTOR_KINDS: ReadonlySet<string> = new Set(['apps/Deployment', 'apps/StatefulSet', 'apps/DaemonSet', 'apps/ReplicaSet']);

/** A controller whose selector does not match its own template is rejected (it would never own the pods it creates). */
function checkSelectorLabels(ctx: Context, report: Report): void {
  for (const t of ctx.templates) {
    if (!SELECTOR_KINDS.has(typeKey(t.owner))) continue;
    const selector = record(record(t.owner.spec).selector);
    const matchLabels = stringMap(selector.matchLabels);
    const expressions = entries(selector.matchExpressions);
    if (Object.keys(matchLabels).length === 0 && expressions.length === 0) {
      report(t.owner, '/spec/selector', 'expected a non-empty selector (matchLabels or matchExpressions); found none');
      continue;
    }
    const labels = templateLabels(t);
    for (const [key, value] of Object.entries(matchLabels)) {
      if (labels[key] !== value) {
        report(
          t.owner,
          `/spec/selector/matchLabels/${pointerSegment(key)}`,
          `expected template label ${key}=${value} (required by the selector); found ${describeLabel(labels, key)}`,
        );
      }
    }
    for (const [expression, i] of expressions) {
      const problem = expressionProblem(expression, labels);
      if (problem) report(t.owner, `/spec/selector/matchExpressions/${i}`, problem);
    }
  }
}

function describeLabel(labels: Readonly<Record<string, string>>, key: string): string {
  return Object.hasOwn(labels, key) ? `${key}=${labels[key]}` : `no label ${key}`;
}

/** Why a matchExpression is invalid or does not match the template labels, if it does not. */
function expressionProblem(expression: Json, labels: Readonly<Record<string, string>>): string | undefined {
  const key = text(expression.key) ?? '';
  const operator = text(expression.operator) ?? '';
  const values = list(expression.values).filter((v) => typeof v === 'string');
  const found = describeLabel(labels, key);
  const has = Object.hasOwn(labels, key);
  switch (operator) {
    case 'In':
    case 'NotIn': {
      if (values.length === 0) return `expected values for operator ${operator} on ${key}; found none`;
      const inValues = has && values.includes(labels[key]);
      if (operator === 'In' && !inValues) return `expected template label ${key} in [${values.join(', ')}]; found ${found}`;
      if (operator === 'NotIn' && inValues) return `expected template label ${key} not in [${values.join(', ')}]; found ${found}`;
      return undefined;
    }
    case 'Exists':
    case 'DoesNotExist': {
      if (values.length > 0) return `expected no values for operator ${operator} on ${key}; found [${values.join(', ')}]`;
      if (operator === 'Exists' && !has) return `expected template label ${key} to exist; found ${found}`;
      if (operator === 'DoesNotExist' && has) return `expected no template label ${key}; found ${found}`;
      return undefined;
    }
    default:
      return `expected operator In, NotIn, Exists or DoesNotExist; found ${quote(operator)}`;
  }
}

// ---------------------------------------------------------------------------
// 3. scope

/** Namespaced objects need an explicit namespace: otherwise where they land depends on the Argo CD Application's destination, not on the bundle. */
function checkScope(ctx: Context, report: Report): void {
  for (const o of ctx.objects) {
    const namespace = o.metadata.namespace;
    if (ctx.clusterScoped.has(typeKey(o))) {
      if (namespace) report(o, '/metadata/namespace', `expected no namespace on cluster-scoped ${o.kind}; found ${quote(namespace)}`);
    } else if (!namespace) {
      report(o, '/metadata/namespace', `expected an explicit namespace on namespaced ${o.kind}; found none`);
    }
  }
}

// ---------------------------------------------------------------------------
// 4. namespace-exists

function checkNamespaceExists(ctx: Context, report: Report): void {
  for (const o of ctx.objects) {
    const namespace = o.metadata.namespace;
    // A missing namespace is already a `scope` problem; a cluster-scoped one is ignored by the API server.
    if (!namespace || ctx.clusterScoped.has(typeKey(o))) continue;
    if (!ctx.namespaces.has(namespace)) {
      report(
        o,
        '/metadata/namespace',
        `expected namespace ${quote(namespace)} to be rendered as a Namespace or listed in externalNamespaces; found neither`,
      );
    }
  }
}

// ---------------------------------------------------------------------------
// 5. port-name

function checkPortNames(ctx: Context, report: Report): void {
  for (const t of ctx.templates) checkContainerPortNames(t, report);
  for (const service of services(ctx)) {
    checkServicePortNames(service, report);
    checkTargetPortNames(ctx, service, report);
  }
}

/** Names are checked pod-wide: a Service targetPort name resolves to whichever container lists it first, so duplicates across containers are ambiguous. */
function checkContainerPortNames(t: PodTemplate, report: Report): void {
  const firstPath = new Map<string, string>();
  for (const c of containersOf(t)) {
    for (const [port, i] of entries(c.value.ports)) {
      const name = text(port.name);
      if (name === undefined) continue;
      const path = `${c.path}/ports/${i}/name`;
      checkFormat(report, t.owner, path, 'container port name', IANA_SVC_NAME, name);
      const first = firstPath.get(name);
      if (first) report(t.owner, path, `expected container port names unique within the pod; found ${quote(name)} again (first at ${first})`);
      else firstPath.set(name, path);
    }
  }
}

/** Service port names become SRV records and EndpointSlice port names, which are IANA_SVC_NAMEs; with several ports they tell them apart. */
function checkServicePortNames(service: K8sObject, report: Report): void {
  const ports = entries(record(service.spec).ports);
  const seen = new Set<string>();
  for (const [port, i] of ports) {
    const name = text(port.name);
    const path = `/spec/ports/${i}/name`;
    if (!name) {
      if (ports.length > 1) report(service, path, `expected a port name because the Service has ${ports.length} ports; found none`);
      continue;
    }
    checkFormat(report, service, path, 'Service port name', IANA_SVC_NAME, name);
    if (seen.has(name)) report(service, path, `expected Service port names to be unique; found ${quote(name)} again`);
    seen.add(name);
  }
}

/** A named targetPort that no selected pod declares leaves those pods out of the endpoints, silently. */
function checkTargetPortNames(ctx: Context, service: K8sObject, report: Report): void {
  const selector = serviceSelector(service);
  if (!selector) return;
  // Selecting nothing is a `service-selector` problem; no template to check names against.
  const targets = selectedTemplates(ctx, service, selector);
  for (const [port, i] of entries(record(service.spec).ports)) {
    const target = text(port.targetPort);
    if (target === undefined) continue;
    const path = `/spec/ports/${i}/targetPort`;
    if (!checkFormat(report, service, path, 'targetPort name', IANA_SVC_NAME, target)) continue;
    for (const t of targets) {
      const names = containerPortNames(t);
      if (!names.includes(target)) {
        report(
          service,
          path,
          `expected targetPort ${quote(target)} to name a container port of selected ${objectId(t.owner)}; found ports [${names.join(', ')}]`,
        );
      }
    }
  }
}

function containerPortNames(t: PodTemplate): string[] {
  return containersOf(t).flatMap((c) => entries(c.value.ports).flatMap(([port]) => text(port.name) ?? []));
}

// ---------------------------------------------------------------------------
// 6. name

function checkNames(ctx: Context, report: Report): void {
  for (const o of ctx.objects) {
    checkFormat(report, o, '/metadata/name', `${o.kind} name`, nameFormat(o), o.metadata.name ?? '');
    checkMetadataKeys(report, o, record(o.metadata), '/metadata');
  }
  for (const t of ctx.templates) {
    // A Pod's own metadata was checked above.
    if (t.path !== '') checkMetadataKeys(report, t.owner, t.metadata, `${t.path}/metadata`);
    checkContainerNames(t, report);
  }
}

function nameFormat(o: K8sObject): Format {
  switch (typeKey(o)) {
    case 'core/Namespace':
      return DNS1123_LABEL;
    case 'core/Service':
      return DNS1035_LABEL;
    case 'batch/CronJob':
      return CRONJOB_NAME;
    case 'rbac.authorization.k8s.io/Role':
    case 'rbac.authorization.k8s.io/ClusterRole':
    case 'rbac.authorization.k8s.io/RoleBinding':
    case 'rbac.authorization.k8s.io/ClusterRoleBinding':
      return PATH_SEGMENT;
    default:
      return DNS1123_SUBDOMAIN;
  }
}

function checkMetadataKeys(report: Report, o: K8sObject, metadata: Json, path: string): void {
  for (const [key, value] of Object.entries(stringMap(metadata.labels))) {
    const labelPath = `${path}/labels/${pointerSegment(key)}`;
    checkFormat(report, o, labelPath, 'label key', QUALIFIED_NAME, key);
    checkFormat(report, o, labelPath, `value of label ${key}`, LABEL_VALUE, value);
  }
  for (const key of Object.keys(record(metadata.annotations))) {
    checkFormat(report, o, `${path}/annotations/${pointerSegment(key)}`, 'annotation key', QUALIFIED_NAME, key);
  }
}

/** Container names are DNS-1123 labels and unique across init, regular and ephemeral containers. */
function checkContainerNames(t: PodTemplate, report: Report): void {
  const seen = new Set<string>();
  for (const c of containersOf(t)) {
    const name = text(c.value.name);
    if (name === undefined) continue;
    checkFormat(report, t.owner, `${c.path}/name`, 'container name', DNS1123_LABEL, name);
    if (seen.has(name)) report(t.owner, `${c.path}/name`, `expected container names unique within the pod; found ${quote(name)} again`);
    seen.add(name);
  }
}

// ---------------------------------------------------------------------------
// 7. reference

/** Pods stay in ContainerCreating (and bindings grant nothing) when a referenced object is missing, so catch it before Argo CD syncs. */
function checkReferences(ctx: Context, report: Report): void {
  for (const t of ctx.templates) {
    for (const ref of configMapRefs(t)) checkConfigMapRef(ctx, t, ref, report);
    checkClaimRefs(ctx, t, report);
    checkServiceAccountRef(ctx, t, report);
  }
  for (const o of ctx.objects) checkRoleRef(ctx, o, report);
}

interface ConfigMapRef {
  /** Path of the reference object (the one holding `name`). */
  readonly path: string;
  readonly source: Json;
  readonly keys: ReadonlyArray<{ readonly key: string; readonly path: string }>;
}

/** Every place a pod names a ConfigMap: volumes, projected volumes, envFrom and env keyRefs. */
function configMapRefs(t: PodTemplate): ConfigMapRef[] {
  const refs: ConfigMapRef[] = [];
  for (const [volume, i] of entries(t.spec.volumes)) {
    const volumePath = `${t.path}/spec/volumes/${i}`;
    if (isRecord(volume.configMap)) refs.push(itemsRef(volume.configMap, `${volumePath}/configMap`));
    for (const [source, j] of entries(record(volume.projected).sources)) {
      if (isRecord(source.configMap)) refs.push(itemsRef(source.configMap, `${volumePath}/projected/sources/${j}/configMap`));
    }
  }
  for (const c of containersOf(t)) {
    for (const [envFrom, k] of entries(c.value.envFrom)) {
      if (isRecord(envFrom.configMapRef)) refs.push({ path: `${c.path}/envFrom/${k}/configMapRef`, source: envFrom.configMapRef, keys: [] });
    }
    for (const [env, k] of entries(c.value.env)) {
      const keyRef = record(env.valueFrom).configMapKeyRef;
      if (!isRecord(keyRef)) continue;
      const path = `${c.path}/env/${k}/valueFrom/configMapKeyRef`;
      const key = text(keyRef.key);
      refs.push({ path, source: keyRef, keys: key === undefined ? [] : [{ key, path: `${path}/key` }] });
    }
  }
  return refs;
}

/** A configMap volume source, whose `items` pick keys. */
function itemsRef(source: Json, path: string): ConfigMapRef {
  const keys = entries(source.items).flatMap(([item, j]) => {
    const key = text(item.key);
    return key === undefined ? [] : [{ key, path: `${path}/items/${j}/key` }];
  });
  return { path, source, keys };
}

function checkConfigMapRef(ctx: Context, t: PodTemplate, ref: ConfigMapRef, report: Report): void {
  const name = text(ref.source.name);
  // optional: true covers both a missing ConfigMap and missing keys (kubelet skips them).
  if (name === undefined || ref.source.optional === true) return;
  const configMap = lookup(ctx, 'core/ConfigMap', t.namespace, name);
  if (!configMap) {
    report(t.owner, `${ref.path}/name`, `expected ConfigMap ${quote(name)} in namespace ${quote(t.namespace)}; found none in the bundle`);
    return;
  }
  const present = [...Object.keys(record(configMap.data)), ...Object.keys(record(configMap.binaryData))];
  for (const { key, path } of ref.keys) {
    if (!present.includes(key)) {
      report(t.owner, path, `expected key ${quote(key)} in ConfigMap ${t.namespace}/${name}; found keys [${present.join(', ')}]`);
    }
  }
}

/** PVCs must be rendered, except StatefulSet claims which the controller creates from volumeClaimTemplates. */
function checkClaimRefs(ctx: Context, t: PodTemplate, report: Report): void {
  const templated =
    typeKey(t.owner) === 'apps/StatefulSet'
      ? entries(record(t.owner.spec).volumeClaimTemplates).flatMap(([claim]) => text(record(claim.metadata).name) ?? [])
      : [];
  for (const [volume, i] of entries(t.spec.volumes)) {
    const claimName = text(record(volume.persistentVolumeClaim).claimName);
    if (claimName === undefined || templated.includes(claimName)) continue;
    if (!lookup(ctx, 'core/PersistentVolumeClaim', t.namespace, claimName)) {
      report(
        t.owner,
        `${t.path}/spec/volumes/${i}/persistentVolumeClaim/claimName`,
        `expected PersistentVolumeClaim ${quote(claimName)} in namespace ${quote(t.namespace)}; found none in the bundle`,
      );
    }
  }
}

/** Every namespace has `default`; any other ServiceAccount must be rendered or the pod is rejected at admission. */
function checkServiceAccountRef(ctx: Context, t: PodTemplate, report: Report): void {
  // `serviceAccount` is the deprecated alias the API server still honours.
  const field = t.spec.serviceAccountName !== undefined ? 'serviceAccountName' : 'serviceAccount';
  const name = text(t.spec[field]);
  if (name === undefined || name === 'default') return;
  if (!lookup(ctx, 'core/ServiceAccount', t.namespace, name)) {
    report(t.owner, `${t.path}/spec/${field}`, `expected ServiceAccount ${quote(name)} in namespace ${quote(t.namespace)}; found none in the bundle`);
  }
}

/** ClusterRoles every cluster ships with (the user-facing ones and the `system:` ones); they need not be rendered. */
function isBuiltInClusterRole(name: string): boolean {
  return ['view', 'edit', 'admin', 'cluster-admin'].includes(name) || name.startsWith('system:');
}

function checkRoleRef(ctx: Context, o: K8sObject, report: Report): void {
  const type = typeKey(o);
  if (type !== 'rbac.authorization.k8s.io/RoleBinding' && type !== 'rbac.authorization.k8s.io/ClusterRoleBinding') return;
  const roleRef = record(o.roleRef);
  const kind = text(roleRef.kind);
  const name = text(roleRef.name);
  if (kind === undefined || name === undefined) return;
  if (type === 'rbac.authorization.k8s.io/ClusterRoleBinding' && kind !== 'ClusterRole') {
    report(o, '/roleRef/kind', `expected roleRef kind ClusterRole on a ClusterRoleBinding; found ${quote(kind)}`);
    return;
  }
  if (kind === 'ClusterRole' && isBuiltInClusterRole(name)) return;
  // A Role is only visible to bindings in its own namespace.
  const namespace = kind === 'Role' ? (o.metadata.namespace ?? '') : '';
  if (!lookup(ctx, `rbac.authorization.k8s.io/${kind}`, namespace, name)) {
    const where = kind === 'Role' ? ` in namespace ${quote(namespace)}` : '';
    report(o, '/roleRef/name', `expected ${kind} ${quote(name)}${where}; found none in the bundle`);
  }
}

// ---------------------------------------------------------------------------
// 8. service-selector

/** A Service that selects no pod template has no endpoints: it renders and syncs fine but never routes. */
function checkServiceSelectors(ctx: Context, report: Report): void {
  for (const service of services(ctx)) {
    const selector = serviceSelector(service);
    if (!selector || selectedTemplates(ctx, service, selector).length > 0) continue;
    const wanted = Object.entries(selector)
      .map(([key, value]) => `${key}=${value}`)
      .join(',');
    report(
      service,
      '/spec/selector',
      `expected a pod template in namespace ${quote(service.metadata.namespace ?? '')} with labels ${wanted}; found none`,
    );
  }
}

// ---------------------------------------------------------------------------
// 9. duplicate

/** The API version is not part of identity: apps/v1 and apps/v1beta2 Deployments are the same stored object. */
function checkDuplicates(ctx: Context, report: Report): void {
  const seen = new Map<string, number>();
  ctx.objects.forEach((o, index) => {
    const id = identity(typeKey(o), effectiveNamespace(ctx.clusterScoped, o), o.metadata.name);
    const first = seen.get(id);
    if (first === undefined) {
      seen.set(id, index);
      return;
    }
    report(o, '/metadata/name', `expected one ${typeKey(o)} named ${quote(o.metadata.name)} per namespace; found it at index ${first} and ${index}`);
  });
}

// ---------------------------------------------------------------------------
// 10. secret-data

/** Product rule: Secret values never go into Git; operators create Secrets and the bundle only references them. */
function checkSecretData(ctx: Context, report: Report): void {
  for (const o of ctx.objects) {
    if (typeKey(o) !== 'core/Secret') continue;
    for (const field of ['data', 'stringData']) {
      const keys = Object.keys(record(o[field]));
      // Key names only: the values are exactly what must not be echoed.
      if (keys.length > 0) report(o, `/${field}`, `expected no ${field} in a rendered Secret; found keys [${keys.join(', ')}]`);
    }
  }
}

// ---------------------------------------------------------------------------
// 11. image-pinned

const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

/** Pinned = a sha256 digest, or a tag other than `latest`. The tag is looked for after the last '/', so `host:5000/img` is a registry port, not a tag. */
function isPinnedImage(image: string): boolean {
  const at = image.indexOf('@');
  if (at >= 0) return DIGEST_RE.test(image.slice(at + 1));
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.indexOf(':');
  if (colon < 0) return false;
  const tag = lastSegment.slice(colon + 1);
  return TAG_RE.test(tag) && tag !== 'latest';
}

/** Product rule: GitOps needs reproducible renders; a moving tag changes what runs without a commit. */
function checkImagesPinned(ctx: Context, report: Report): void {
  for (const t of ctx.templates) {
    for (const c of containersOf(t)) {
      const image = text(c.value.image) ?? '';
      if (!isPinnedImage(image)) {
        report(t.owner, `${c.path}/image`, `expected an image with a tag other than "latest" or an @sha256: digest; found ${quote(image)}`);
      }
    }
  }
  // Upstream chart values: the chart's own default may be `latest` (kata-deploy's kubectlImage is).
  for (const o of ctx.objects) {
    for (const slot of imageSlots([o])) {
      if (slot.chartValue && !isPinnedImage(slot.image)) report(o, slot.path, `expected a chart image value with a tag other than "latest" or an @sha256: digest; found ${quote(slot.image)}`);
    }
  }
}

// ---------------------------------------------------------------------------
// 12. pod-security

/** Paths of the features that break pod isolation: privileged containers, host namespaces, hostPath volumes. */
function privilegedFeatures(t: PodTemplate): string[] {
  const paths: string[] = [];
  for (const c of containersOf(t)) {
    if (record(c.value.securityContext).privileged === true) paths.push(`${c.path}/securityContext/privileged`);
  }
  for (const field of ['hostPID', 'hostNetwork', 'hostIPC']) {
    if (t.spec[field] === true) paths.push(`${t.path}/spec/${field}`);
  }
  for (const [volume, i] of entries(t.spec.volumes)) {
    if (volume.hostPath !== undefined) paths.push(`${t.path}/spec/volumes/${i}/hostPath`);
  }
  return paths;
}

/** Product rule: privilege is allowed but never silent; the owner must say why on the workload itself. */
function checkPodSecurity(ctx: Context, report: Report): void {
  for (const t of ctx.templates) {
    const features = privilegedFeatures(t);
    if (features.length === 0) continue;
    const reason = t.owner.metadata.annotations?.[PRIVILEGED_REASON_ANNOTATION];
    if (typeof reason === 'string' && reason.trim() !== '') continue;
    report(
      t.owner,
      `/metadata/annotations/${pointerSegment(PRIVILEGED_REASON_ANNOTATION)}`,
      `expected annotation ${PRIVILEGED_REASON_ANNOTATION} with a non-empty explanation for privileged features [${features.join(', ')}]; found ${reason === undefined ? 'none' : quote(String(reason))}`,
    );
  }
}

const CHECKS: { readonly [R in SemanticRule]: Check } = {
  'privileged-escalation': checkPrivilegeEscalation,
  'selector-labels': checkSelectorLabels,
  scope: checkScope,
  'namespace-exists': checkNamespaceExists,
  'port-name': checkPortNames,
  name: checkNames,
  reference: checkReferences,
  'service-selector': checkServiceSelectors,
  duplicate: checkDuplicates,
  'secret-data': checkSecretData,
  'image-pinned': checkImagesPinned,
  'pod-security': checkPodSecurity,
};
