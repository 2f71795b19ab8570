/**
 * Argo CD's sync order for the objects of one Application: hooks by phase (PreSync, Sync,
 * PostSync), inside a phase by sync wave, then by kind (gitops-engine's kind order), then by name.
 * @see https://github.com/argoproj/gitops-engine/blob/master/pkg/sync/sync_tasks.go (kindOrder)
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
 */
import type { K8sObject } from '../shared/k8s-object';

export type SyncPhase = 'PreSync' | 'Sync' | 'PostSync';

/** gitops-engine's kind order: kinds not listed go after all listed ones. */
const KIND_ORDER = [
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
];

/** Argo CD hook phases of an object (`argocd.argoproj.io/hook`, else Helm's `helm.sh/hook` mapped as Argo CD maps it). */
export function phasesOf(o: K8sObject): SyncPhase[] {
  const argo = o.metadata.annotations?.['argocd.argoproj.io/hook'];
  if (argo !== undefined) {
    return argo
      .split(',')
      .map((p) => p.trim())
      .filter((p): p is SyncPhase => p === 'PreSync' || p === 'Sync' || p === 'PostSync');
  }
  const helm = o.metadata.annotations?.['helm.sh/hook'];
  if (helm !== undefined) {
    // Argo CD maps pre-install/pre-upgrade to PreSync and post-install/post-upgrade to PostSync.
    const phases = new Set<SyncPhase>();
    for (const h of helm.split(',').map((p) => p.trim())) {
      if (h === 'pre-install' || h === 'pre-upgrade') phases.add('PreSync');
      if (h === 'post-install' || h === 'post-upgrade') phases.add('PostSync');
    }
    return [...phases];
  }
  return ['Sync'];
}

/** A hook is an object with a hook annotation: Argo CD creates it in its phase and does not keep it as part of the app. */
export function isHook(o: K8sObject): boolean {
  return o.metadata.annotations?.['argocd.argoproj.io/hook'] !== undefined || o.metadata.annotations?.['helm.sh/hook'] !== undefined;
}

export function syncWave(o: K8sObject): number {
  const wave = o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? o.metadata.annotations?.['helm.sh/hook-weight'];
  const n = wave === undefined ? 0 : Number.parseInt(wave, 10);
  return Number.isFinite(n) ? n : 0;
}

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i === -1 ? KIND_ORDER.length : i;
}

/** One step of a sync: the objects of one phase and wave, in apply order. */
export interface SyncStep {
  readonly phase: SyncPhase;
  readonly wave: number;
  readonly objects: readonly K8sObject[];
}

const PHASES: readonly SyncPhase[] = ['PreSync', 'Sync', 'PostSync'];

/** The steps Argo CD runs for these objects, in order; Argo CD waits for every object of a step to be healthy before the next. */
export function syncSteps(objects: readonly K8sObject[]): SyncStep[] {
  const steps: SyncStep[] = [];
  for (const phase of PHASES) {
    const inPhase = objects.filter((o) => phasesOf(o).includes(phase));
    const waves = [...new Set(inPhase.map(syncWave))].sort((a, b) => a - b);
    for (const wave of waves) {
      const sorted = inPhase
        .filter((o) => syncWave(o) === wave)
        .sort((a, b) => kindRank(a.kind) - kindRank(b.kind) || a.kind.localeCompare(b.kind) || a.metadata.name.localeCompare(b.metadata.name));
      steps.push({ phase, wave, objects: sorted });
    }
  }
  return steps;
}
