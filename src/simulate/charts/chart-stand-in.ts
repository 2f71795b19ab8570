/**
 * What every external chart's simulation gives the simulated Argo CD (src/simulate/argo-apply.ts):
 * the objects to sync, a check on the cluster as the sync wave finds it, and the chart's effects
 * once its workloads are healthy. Helpers to read the Application's Helm source.
 */
import type { AdmissionServer } from '../admission-server';
import type { KubeClient, KubeObject } from '../kube-client';

export type Json = Record<string, unknown>;

/** Stand-in image of every stand-in workload: never pulled (kwok runs no container); pinned so nothing looks unpinned. */
export const STAND_IN_IMAGE = 'registry.k8s.io/pause:3.10';

/** Label on every stand-in workload, so a reader of the cluster sees which objects are not the chart's. */
export const STAND_IN_LABEL = { 'coco.azure/simulated-stand-in': 'true' } as const;

/** A finding on an object the chart makes (`Kind namespace/name`), in the words of the component that decides it. */
export interface ChartFailure {
  readonly object: string;
  readonly reasons: readonly string[];
}

export interface ChartContext {
  /** Every Application of the environment's bundle: what else it installs (two owners of one thing). */
  readonly applications: readonly KubeObject[];
  /** Kubernetes version of the cluster (`helm template --kube-version`, as Argo CD passes it). */
  readonly kubeVersion: string;
  /** Where a stand-in's admission webhook is answered; without it a stand-in installs no webhook. @default none */
  readonly admission?: AdmissionServer;
}

export interface ChartStandIn {
  /** Objects to sync for the chart (the rendered chart, or stand-ins for its workloads). */
  readonly objects: readonly KubeObject[];
  /**
   * Runs on the cluster as the sync wave finds it, before any Application of the wave syncs (what
   * the chart's dry run would refuse, e.g. kinds whose CRDs are missing). @default none
   */
  readonly preflight?: (client: KubeClient) => Promise<ChartFailure[]>;
  /** Runs after the objects are healthy: the chart's effects on the nodes; returns what went wrong. @default none */
  readonly afterHealthy?: (client: KubeClient) => Promise<ChartFailure[]>;
}

export const sourceOf = (app: KubeObject): Json => (app.spec?.source ?? {}) as Json;
export const helmOf = (app: KubeObject): Json => (sourceOf(app).helm ?? {}) as Json;
export const destinationNamespace = (app: KubeObject): string => String((app.spec?.destination as Json | undefined)?.namespace ?? 'default');
/** Helm release name Argo CD uses: `helm.releaseName`, else the Application's name. */
export const releaseName = (app: KubeObject): string => String(helmOf(app).releaseName ?? app.metadata.name);
export const valuesObject = (app: KubeObject): Json => (helmOf(app).valuesObject ?? {}) as Json;

/** The value at `path` (keys) of `values`, or undefined. */
export function valueAt(values: unknown, path: readonly string[]): unknown {
  let v: unknown = values;
  for (const key of path) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    v = (v as Json)[key];
  }
  return v;
}

/** A string-to-string map at `path` (pod labels, annotations), or empty. */
export function stringMapAt(values: unknown, path: readonly string[]): Record<string, string> {
  const v = valueAt(values, path);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
  return Object.fromEntries(Object.entries(v as Json).map(([k, x]) => [k, String(x)]));
}

/** Helm's value merge: `over` wins, maps merge key by key (`null` deletes a key, as in Helm). */
export function mergeValues(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    if (v === null) delete out[k];
    else if (typeof v === 'object' && !Array.isArray(v) && typeof b === 'object' && b !== null && !Array.isArray(b)) out[k] = mergeValues(b as Json, v as Json);
    else out[k] = v;
  }
  return out;
}

/** Nodes on which pods matching `labelSelector` in `namespace` run. */
export async function nodesRunning(client: KubeClient, namespace: string, labelSelector: string): Promise<string[]> {
  const pods = await client.list('v1', 'Pod', namespace, `labelSelector=${encodeURIComponent(labelSelector)}`);
  return [...new Set(pods.map((p) => p.spec?.nodeName).filter((n): n is string => typeof n === 'string' && n !== ''))].sort();
}
