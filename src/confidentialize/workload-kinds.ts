/**
 * Which objects carry pods, and where their pod template is. The built-in controllers are known
 * by kind (in their API groups, any version, so a `kubectl get -o yaml` of an old cluster works
 * too); any other object with a pod template at `spec.template` (Argo Rollouts, other controllers
 * copying the Deployment shape) is recognised by that template. Everything else is not a workload
 * and passes through unchanged.
 */
import { isObject, type JsonObject } from './json';

interface BuiltinKind {
  /** API groups the kind is served from ('' is the core group, apiVersion `v1`). */
  readonly groups: readonly string[];
  /** Where the pod template is: [] for a Pod itself. */
  readonly template: readonly string[];
}

const SPEC_TEMPLATE = ['spec', 'template'] as const;

export const BUILTIN_WORKLOADS: ReadonlyMap<string, BuiltinKind> = new Map([
  ['Pod', { groups: [''], template: [] }],
  ['ReplicationController', { groups: [''], template: SPEC_TEMPLATE }],
  ['Deployment', { groups: ['apps', 'extensions'], template: SPEC_TEMPLATE }],
  ['ReplicaSet', { groups: ['apps', 'extensions'], template: SPEC_TEMPLATE }],
  ['StatefulSet', { groups: ['apps'], template: SPEC_TEMPLATE }],
  ['DaemonSet', { groups: ['apps', 'extensions'], template: SPEC_TEMPLATE }],
  ['Job', { groups: ['batch'], template: SPEC_TEMPLATE }],
  ['CronJob', { groups: ['batch'], template: ['spec', 'jobTemplate', 'spec', 'template'] }],
]);

function group(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

/** The path of the pod template of `object`, or undefined when it is not a workload. */
export function podTemplatePath(object: JsonObject & { apiVersion: string; kind: string }): readonly string[] | undefined {
  const builtin = BUILTIN_WORKLOADS.get(object.kind);
  if (builtin?.groups.includes(group(object.apiVersion))) return builtin.template;
  const spec = object.spec;
  const template = isObject(spec) ? spec.template : undefined;
  const podSpec = isObject(template) ? template.spec : undefined;
  return isObject(podSpec) && Array.isArray(podSpec.containers) ? SPEC_TEMPLATE : undefined;
}

/** `kind: List` (what `kubectl get -o yaml` prints) and typed lists (`DeploymentList`) with `items`. */
export function isList(object: JsonObject & { kind: string }): boolean {
  return object.kind.endsWith('List') && Array.isArray(object.items);
}
