import { Construct } from 'constructs';
import { ApiObject } from 'cdk8s';

export interface KbsLocalVolumeProps {
  /** StorageClass the claim names (no provisioner: only this pre-made volume serves it). */
  readonly storageClassName: string;
  /** PersistentVolume name (cluster-scoped: prefixed with the environment). */
  readonly volumeName: string;
  /** Labels from standardLabels(). */
  readonly labels: Readonly<Record<string, string>>;
  /** Node holding the folder (`kubernetes.io/hostname`). */
  readonly nodeName: string;
  /** Folder on the node; it must exist before KBS starts (the node's cloud-init creates it). */
  readonly path: string;
  /** Size the claim requests, e.g. `1Gi`. */
  readonly size: string;
  /** The claim this volume is reserved for. */
  readonly claim: { readonly name: string; readonly namespace: string };
}

/**
 * KBS state on a local persistent volume of the dedicated KBS node: the kubeadm cluster has no
 * CSI driver, so no claim of a dynamic class (managed-csi-premium exists on AKS only) would ever
 * bind. A StorageClass without a provisioner (WaitForFirstConsumer: binding waits for the
 * scheduler, which then honours the volume's node affinity) and one volume reserved for the KBS
 * claim (claimRef), kept on deletion (Retain) and never pruned by Argo CD: the keys outlive pods,
 * restarts and reschedules, which all land on the same node.
 * @see https://kubernetes.io/docs/concepts/storage/volumes/#local
 */
export class KbsLocalVolume extends Construct {
  constructor(scope: Construct, id: string, props: KbsLocalVolumeProps) {
    super(scope, id);
    const keep = { 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' };
    new ApiObject(this, 'StorageClass', {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: props.storageClassName, labels: { ...props.labels }, annotations: keep },
      provisioner: 'kubernetes.io/no-provisioner',
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'WaitForFirstConsumer',
    });
    new ApiObject(this, 'Volume', {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: props.volumeName, labels: { ...props.labels }, annotations: keep },
      spec: {
        capacity: { storage: props.size },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: props.storageClassName,
        volumeMode: 'Filesystem',
        // Reserved: no other claim of the class can take the KBS keys' folder.
        claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: props.claim.namespace, name: props.claim.name },
        local: { path: props.path },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [props.nodeName] }] }] } },
      },
    });
  }
}
