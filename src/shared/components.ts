/**
 * The components of a bundle: their folder under `dist/<env>/`, the config section that enables
 * them and their Argo CD sync wave (namespaces first inside each, then KBS, node setup, runtime, workloads).
 */
import type { ComponentName } from '../config/schema';

export interface ComponentInfo {
  /** Config section (`kbs`, `guestComponents`, ...). */
  readonly section: ComponentName;
  /** Folder under `dist/<env>/`, chart name under `charts/`, and Application suffix. */
  readonly folder: string;
  /** `argocd.argoproj.io/sync-wave` of the component's Application. */
  readonly wave: number;
  /** One line for Chart.yaml and reports. */
  readonly description: string;
  /** Pod Security Standard enforced on the component namespace. */
  readonly podSecurity: 'restricted' | 'baseline' | 'privileged';
}

export const COMPONENTS: readonly ComponentInfo[] = [
  { section: 'kbs', folder: 'kbs', wave: 10, podSecurity: 'restricted', description: 'Trustee Key Broker Service with its policies and resource provisioning' },
  // The node installer needs hostPID, hostPath and a privileged container.
  { section: 'guestComponents', folder: 'guest-components', wave: 20, podSecurity: 'privileged', description: 'Node installer for attestation-agent, confidential-data-hub and image decryption' },
  // kata-deploy (installed by the CoCo chart) runs privileged on every node.
  { section: 'runtime', folder: 'runtime', wave: 30, podSecurity: 'privileged', description: 'Kata/CoCo runtime classes and the Confidential Containers install' },
  { section: 'workloads', folder: 'workloads', wave: 40, podSecurity: 'restricted', description: 'Demo and application workloads' },
];

/**
 * Waves of the upstream chart Applications, between the runtime component (30: their namespaces
 * and the RuntimeClasses) and the workloads (40):
 * cert-manager, then the CoCo chart (kata-deploy), then peerpods (peer pods environments only).
 */
/** cert-manager: its CRDs and CA injector exist before the peerpods webhook's Issuer and Certificate. */
export const CERT_MANAGER_WAVE = 32;
/** Wave of the Application installing the CoCo Helm chart: after runtime (its namespace), before workloads. */
export const COCO_INSTALL_WAVE = 35;
/** peerpods (cloud-api-adaptor): after kata-deploy put the remote shim on the nodes, before kata-remote workloads. */
export const PEERPODS_WAVE = 37;

/** Folder of the Argo CD objects the root Application syncs. */
export const ARGOCD_FOLDER = 'argocd';
/** Folder of the objects an operator applies once by hand (root Application and its project). */
export const BOOTSTRAP_FOLDER = 'bootstrap';
