/**
 * The pod spec inside a workload object (Pod, Deployment, DaemonSet, StatefulSet, Job, CronJob),
 * with the fields POSTURE.md and its picture read. Its own module because both need it.
 */
import type { K8sObject } from '../shared/k8s-object';

export interface Container {
  readonly name: string;
  readonly image?: string;
  readonly securityContext?: { privileged?: boolean; allowPrivilegeEscalation?: boolean; runAsNonRoot?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { add?: string[] } };
}

export interface PodSpec {
  readonly hostPID?: boolean;
  readonly hostNetwork?: boolean;
  readonly hostIPC?: boolean;
  readonly runtimeClassName?: string;
  readonly volumes?: readonly { name: string; hostPath?: { path: string } }[];
  readonly containers?: readonly Container[];
  readonly initContainers?: readonly Container[];
}

/** The pod spec of a workload object; undefined for objects that run no pods. */
export function podSpecOf(o: K8sObject): PodSpec | undefined {
  const spec = o.spec as Record<string, unknown> | undefined;
  if (!spec) return undefined;
  if (o.kind === 'Pod') return spec as PodSpec;
  if (o.kind === 'CronJob') return ((spec.jobTemplate as { spec?: { template?: { spec?: PodSpec } } })?.spec?.template?.spec) ?? undefined;
  return (spec.template as { spec?: PodSpec } | undefined)?.spec;
}
