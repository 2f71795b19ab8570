import { Construct } from 'constructs';
import { KubePersistentVolumeClaim, Quantity } from 'cdk8s-plus-30/lib/imports/k8s';

export interface KbsStateClaimProps {
  readonly name: string;
  readonly namespace: string;
  /** Labels from standardLabels(). */
  readonly labels: Readonly<Record<string, string>>;
  /** StorageClass; undefined: the cluster's default class. */
  readonly storageClassName?: string;
  /** Requested size, e.g. `1Gi`. */
  readonly size: string;
  readonly accessMode: 'ReadWriteOnce' | 'ReadWriteMany';
}

/**
 * The volume holding all KBS state (LocalFs storage): resources, policies, reference values,
 * sessions. It outlives pods, so a restart loses nothing; Argo CD never prunes or deletes it, so
 * removing KBS from git does not destroy the keys either.
 */
export class KbsStateClaim extends Construct {
  constructor(scope: Construct, id: string, props: KbsStateClaimProps) {
    super(scope, id);
    new KubePersistentVolumeClaim(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: { ...props.labels },
        annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' },
      },
      spec: {
        accessModes: [props.accessMode],
        ...(props.storageClassName !== undefined ? { storageClassName: props.storageClassName } : {}),
        resources: { requests: { storage: Quantity.fromString(props.size) } },
      },
    });
  }
}
