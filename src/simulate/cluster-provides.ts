/**
 * What the environment's cluster has before the bundle is synced, and nothing more:
 * - aks-cvm, aks-peer-pods: AKS's built-in StorageClasses (Azure Disk and Azure Files CSI drivers
 *   are AKS add-ons enabled by default);
 * - azure-tdx: no StorageClass at all (kubeadm installs none; the cloud-init installs no CSI driver);
 * - provider none: what `cluster.storageClasses` and `cluster.crds` declare;
 * - every environment: Argo CD (its namespace and CRDs), the platform that delivers the bundle.
 * Provisioners serve the classes provided here and none else.
 */
import { parseAllDocuments } from 'yaml';
import type { EnvironmentConfig } from '../config/schema';
import type { KubeObject } from './kube-client';
import { moduleFile, type SimulationModule } from './go-modules';

export interface ClusterProvides {
  readonly namespaces: readonly string[];
  readonly storageClasses: readonly KubeObject[];
  /** Argo CD's CRDs: every environment's cluster has them (a pooled control plane's baseline holds them). */
  readonly platformCrds: readonly KubeObject[];
  /** The CRDs `cluster.crds` declares besides. */
  readonly declaredCrds: readonly KubeObject[];
}

/** CRDs whose source the simulation knows: the module and file they are read from. */
const KNOWN_CRDS: Readonly<Record<string, { module: SimulationModule; file: string }>> = {
  'applications.argoproj.io': { module: 'argoCd', file: 'manifests/crds/application-crd.yaml' },
  'appprojects.argoproj.io': { module: 'argoCd', file: 'manifests/crds/appproject-crd.yaml' },
  'servicemonitors.monitoring.coreos.com': { module: 'prometheusOperator', file: 'example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml' },
};

const ARGO_CD_CRDS = ['applications.argoproj.io', 'appprojects.argoproj.io'];

function storageClass(name: string, provisioner: string, isDefault: boolean, binding: 'Immediate' | 'WaitForFirstConsumer', parameters: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name, ...(isDefault ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}) },
    provisioner,
    parameters,
    reclaimPolicy: 'Delete',
    volumeBindingMode: binding,
    allowVolumeExpansion: true,
  };
}

/**
 * AKS's built-in classes (AKS "Storage classes"; `default` and `managed-csi` are the same StandardSSD
 * disk class, `default` marked default).
 * @see https://learn.microsoft.com/azure/aks/concepts-storage#storage-classes
 */
const AKS_STORAGE_CLASSES: readonly KubeObject[] = [
  storageClass('default', 'disk.csi.azure.com', true, 'WaitForFirstConsumer', { skuname: 'StandardSSD_LRS' }),
  storageClass('managed-csi', 'disk.csi.azure.com', false, 'WaitForFirstConsumer', { skuname: 'StandardSSD_LRS' }),
  storageClass('managed-csi-premium', 'disk.csi.azure.com', false, 'WaitForFirstConsumer', { skuname: 'Premium_LRS' }),
  storageClass('azurefile-csi', 'file.csi.azure.com', false, 'Immediate', { skuName: 'Standard_LRS' }),
  storageClass('azurefile-csi-premium', 'file.csi.azure.com', false, 'Immediate', { skuName: 'Premium_LRS' }),
];

/** The CRDs of one source file, parsed once per process (the Argo CD Application CRD alone is 0.4 MB of YAML, and every simulation installs it). */
const crdFiles = new Map<string, readonly KubeObject[]>();
function crdsOf(source: { module: SimulationModule; file: string }): readonly KubeObject[] {
  const key = `${source.module}/${source.file}`;
  let docs = crdFiles.get(key);
  if (!docs) {
    docs = parseAllDocuments(moduleFile(source.module, source.file)).map((d) => d.toJSON() as KubeObject).filter((d) => d?.kind === 'CustomResourceDefinition');
    crdFiles.set(key, docs);
  }
  return docs;
}

export function clusterProvides(config: EnvironmentConfig): ClusterProvides {
  const provider = config.infrastructure.provider;
  const classes =
    provider === 'aks-cvm' || provider === 'aks-peer-pods'
      ? AKS_STORAGE_CLASSES
      : provider === 'none'
        ? config.cluster.storageClasses.map((c) => storageClass(c.name, c.provisioner, c.default, c.volumeBindingMode))
        : [];
  const crds = (names: readonly string[]) =>
    names.map((name) => {
      const source = KNOWN_CRDS[name];
      if (!source) throw new Error(`cluster.crds: the simulation has no source for CRD ${name} (known: ${Object.keys(KNOWN_CRDS).join(', ')})`);
      const crd = crdsOf(source).find((d) => d.metadata.name === name);
      if (!crd) throw new Error(`${source.file} has no CRD ${name}`);
      // A copy: callers may change what they apply.
      return structuredClone(crd);
    });
  return { namespaces: [config.gitops.argocdNamespace], storageClasses: classes, platformCrds: crds(ARGO_CD_CRDS), declaredCrds: crds(provider === 'none' ? config.cluster.crds : []) };
}
