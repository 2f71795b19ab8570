/**
 * Health of a live object as Argo CD judges it (gitops-engine pkg/health: Deployment, StatefulSet,
 * DaemonSet, ReplicaSet, Job, Pod, PersistentVolumeClaim, Service; Argo CD's built-in Lua check for
 * Applications; everything else is Healthy once it exists).
 * @see https://github.com/argoproj/gitops-engine/tree/master/pkg/health
 */
import type { KubeObject } from './kube-client';

export type HealthStatus = 'Healthy' | 'Progressing' | 'Degraded' | 'Missing';

export interface Health {
  readonly status: HealthStatus;
  readonly message: string;
}

type Json = Record<string, unknown>;
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const conditions = (o: KubeObject): Json[] => (Array.isArray(o.status?.conditions) ? (o.status?.conditions as Json[]) : []);
const condition = (o: KubeObject, type: string): Json | undefined => conditions(o).find((c) => c.type === type);

function observed(o: KubeObject): boolean {
  return num(o.status?.observedGeneration) >= num(o.metadata.generation);
}

function deployment(o: KubeObject): Health {
  const spec = o.spec ?? {};
  const s = o.status ?? {};
  if (spec.paused === true) return { status: 'Progressing', message: 'Deployment is paused' };
  const progressing = condition(o, 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') return { status: 'Degraded', message: `Deployment "${o.metadata.name}" exceeded its progress deadline` };
  if (!observed(o)) return { status: 'Progressing', message: 'Waiting for rollout to finish: observed deployment generation less than desired generation' };
  const replicas = spec.replicas === undefined ? 1 : num(spec.replicas);
  if (num(s.updatedReplicas) < replicas) return { status: 'Progressing', message: `Waiting for rollout to finish: ${num(s.updatedReplicas)} out of ${replicas} new replicas have been updated...` };
  if (num(s.replicas) > num(s.updatedReplicas)) return { status: 'Progressing', message: `Waiting for rollout to finish: ${num(s.replicas) - num(s.updatedReplicas)} old replicas are pending termination...` };
  if (num(s.availableReplicas) < num(s.updatedReplicas)) return { status: 'Progressing', message: `Waiting for rollout to finish: ${num(s.availableReplicas)} of ${num(s.updatedReplicas)} updated replicas are available...` };
  return { status: 'Healthy', message: '' };
}

function statefulSet(o: KubeObject): Health {
  const spec = o.spec ?? {};
  const s = o.status ?? {};
  if (!observed(o)) return { status: 'Progressing', message: 'Waiting for statefulset spec update to be observed...' };
  const replicas = spec.replicas === undefined ? 1 : num(spec.replicas);
  if (num(s.readyReplicas) < replicas) return { status: 'Progressing', message: `Waiting for ${replicas - num(s.readyReplicas)} pods to be ready...` };
  if (num(s.updatedReplicas) < replicas) return { status: 'Progressing', message: `Waiting for partitioned roll out to finish: ${num(s.updatedReplicas)} out of ${replicas} new pods have been updated...` };
  return { status: 'Healthy', message: '' };
}

function daemonSet(o: KubeObject): Health {
  const s = o.status ?? {};
  if (!observed(o)) return { status: 'Progressing', message: 'Waiting for rollout to finish: observed daemon set generation less than desired generation' };
  const desired = num(s.desiredNumberScheduled);
  if (num(s.updatedNumberScheduled) < desired) return { status: 'Progressing', message: `Waiting for daemon set "${o.metadata.name}" rollout to finish: ${num(s.updatedNumberScheduled)} out of ${desired} new pods have been updated...` };
  if (num(s.numberAvailable) < desired) return { status: 'Progressing', message: `Waiting for daemon set "${o.metadata.name}" rollout to finish: ${num(s.numberAvailable)} of ${desired} updated pods are available...` };
  return { status: 'Healthy', message: '' };
}

function job(o: KubeObject): Health {
  const failed = condition(o, 'Failed');
  if (failed?.status === 'True') return { status: 'Degraded', message: String(failed.message ?? failed.reason ?? 'Job failed') };
  const complete = condition(o, 'Complete');
  if (complete?.status === 'True') return { status: 'Healthy', message: String(complete.message ?? 'Job completed') };
  return { status: 'Progressing', message: 'Job is running' };
}

function pod(o: KubeObject): Health {
  const phase = String(o.status?.phase ?? 'Pending');
  if (phase === 'Succeeded') return { status: 'Healthy', message: 'Pod completed' };
  if (phase === 'Failed') return { status: 'Degraded', message: String(o.status?.message ?? 'Pod failed') };
  if (phase === 'Running' && condition(o, 'Ready')?.status === 'True') return { status: 'Healthy', message: '' };
  return { status: 'Progressing', message: `Pod is ${phase}` };
}

function claim(o: KubeObject): Health {
  const phase = String(o.status?.phase ?? 'Pending');
  if (phase === 'Bound') return { status: 'Healthy', message: '' };
  if (phase === 'Lost') return { status: 'Degraded', message: 'PersistentVolumeClaim is Lost' };
  return { status: 'Progressing', message: `PersistentVolumeClaim is ${phase}` };
}

/** gitops-engine's Service check: a LoadBalancer is Healthy once it has an ingress address; other types always. */
function service(o: KubeObject): Health {
  if (o.spec?.type !== 'LoadBalancer') return { status: 'Healthy', message: '' };
  const ingress = ((o.status?.loadBalancer as Json | undefined)?.ingress ?? []) as unknown[];
  // gitops-engine gives no message; this one says what is awaited.
  return ingress.length > 0 ? { status: 'Healthy', message: '' } : { status: 'Progressing', message: 'Waiting for the load balancer to get an address' };
}

/** Argo CD's built-in Lua check for argoproj.io/Application (the one docs/argocd.md adds to argocd-cm). */
function application(o: KubeObject): Health {
  const health = (o.status?.health ?? {}) as Json;
  const status = health.status;
  if (status === 'Healthy' || status === 'Degraded' || status === 'Progressing') return { status, message: String(health.message ?? '') };
  return { status: 'Progressing', message: 'Waiting for the Application to report health' };
}

export function healthOf(o: KubeObject | undefined): Health {
  if (!o) return { status: 'Missing', message: 'not found in the cluster' };
  switch (o.kind) {
    case 'Deployment':
      return deployment(o);
    case 'StatefulSet':
      return statefulSet(o);
    case 'DaemonSet':
      return daemonSet(o);
    case 'Job':
      return job(o);
    case 'Pod':
      return pod(o);
    case 'PersistentVolumeClaim':
      return claim(o);
    case 'Service':
      return service(o);
    case 'Application':
      return application(o);
    default:
      return { status: 'Healthy', message: '' };
  }
}
