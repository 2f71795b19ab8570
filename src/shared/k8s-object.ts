/** A rendered Kubernetes object as plain JSON (what cdk8s `toJson()` returns). */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

/** One validation finding: which object broke which rule, and how. */
export interface Problem {
  /** `kind/namespace/name` or `kind/name` for cluster-scoped objects. */
  readonly object: string;
  /** Short stable rule id, e.g. `schema`, `privileged-escalation`. */
  readonly rule: string;
  /** JSON path inside the object, e.g. `/spec/template/spec/containers/0`. */
  readonly path: string;
  readonly message: string;
}

/** `Kind/namespace/name` (or `Kind/name`) used in messages. */
export function objectId(o: K8sObject): string {
  const ns = o.metadata?.namespace;
  return ns ? `${o.kind}/${ns}/${o.metadata?.name}` : `${o.kind}/${o.metadata?.name}`;
}
