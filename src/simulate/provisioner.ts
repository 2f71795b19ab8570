/**
 * A simulated external provisioner for the StorageClasses the cluster provides: it does what
 * external-provisioner does for a CSI driver, without a disk. The PV controller in
 * kube-controller-manager marks a claim with `volume.kubernetes.io/storage-provisioner`; for a
 * provisioner served here this creates a PersistentVolume pre-bound to the claim (after the
 * scheduler picked a node, for WaitForFirstConsumer classes), and the PV controller binds them.
 * Claims of any other class stay Pending, as they would on the real cluster.
 */
import { KubeError, type KubeClient, type KubeObject } from './kube-client';
import { PollingController } from './polling-controller';

const PROVISIONER_ANNOTATION = 'volume.kubernetes.io/storage-provisioner';
const SELECTED_NODE_ANNOTATION = 'volume.kubernetes.io/selected-node';

type Json = Record<string, unknown>;

export class SimulatedProvisioner extends PollingController {
  private readonly done = new Set<string>();

  constructor(
    private readonly client: KubeClient,
    /** Provisioner names served (those of the provided StorageClasses). */
    private readonly provisioners: ReadonlySet<string>,
  ) {
    super();
  }

  /** One pass over all claims. */
  protected async pass(): Promise<void> {
    const claims = await this.client.list('v1', 'PersistentVolumeClaim');
    for (const claim of claims) await this.provision(claim);
  }

  private async provision(claim: KubeObject): Promise<void> {
    const uid = claim.metadata.uid ?? '';
    if (this.done.has(uid) || claim.status?.phase === 'Bound') return;
    const provisioner = claim.metadata.annotations?.[PROVISIONER_ANNOTATION];
    if (!provisioner || !this.provisioners.has(provisioner)) return;
    const className = String(claim.spec?.storageClassName ?? '');
    const sc = await this.client.get('storage.k8s.io/v1', 'StorageClass', className);
    if (!sc) return;
    const selectedNode = claim.metadata.annotations?.[SELECTED_NODE_ANNOTATION];
    if (sc.volumeBindingMode === 'WaitForFirstConsumer' && !selectedNode) return;
    const spec = claim.spec as Json;
    const request = ((spec.resources as Json | undefined)?.requests as Json | undefined)?.storage ?? '1Gi';
    const pv: KubeObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `pvc-${uid}`, annotations: { 'pv.kubernetes.io/provisioned-by': provisioner } },
      spec: {
        capacity: { storage: request },
        accessModes: spec.accessModes,
        persistentVolumeReclaimPolicy: String(sc.reclaimPolicy ?? 'Delete'),
        storageClassName: className,
        volumeMode: spec.volumeMode ?? 'Filesystem',
        claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name, uid },
        // No disk behind it: a path no pod's data ever reaches (kwok runs no container).
        hostPath: { path: `/var/lib/simulated-volumes/${uid}`, type: 'DirectoryOrCreate' },
        // A zonal disk is reachable from the node it was made for (and its zone): pin it there.
        ...(selectedNode
          ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [selectedNode] }] }] } } }
          : {}),
      },
    };
    try {
      await this.client.create(pv);
    } catch (e) {
      // Made on an earlier pass whose answer was lost: nothing more to do.
      if (!(e instanceof KubeError && e.code === 409)) throw e;
    }
    this.done.add(uid);
  }
}
