/**
 * The catalogue of demo workloads: which ones an environment renders, their folder
 * (`dist/<env>/workloads/<id>/`), namespace (`<workloads.namespace>-<id>`), Pod Security level and
 * the seed step each one reproduces. The config rules use it too (namespace clashes, name length).
 */
import type { EnvironmentConfig } from '../../config/schema';

export type DemoGroup = 'coco' | 'node-decryption' | 'insecurity' | 'confidential-app' | 'maa-attestation';

export interface DemoInfo {
  /** Folder under `dist/<env>/workloads/` and namespace suffix; a DNS label. */
  readonly id: string;
  readonly group: DemoGroup;
  /** Seed document and step it reproduces (docs/workloads.md lists them). */
  readonly seedStep: string;
  /** Pod Security Standard of its namespace: privileged only where the demonstration needs it. */
  readonly podSecurity: 'restricted' | 'privileged';
  /** Its pods fetch from the KBS (so kbs.access must let its namespace in). */
  readonly usesKbs: boolean;
}

export const DEMOS: readonly DemoInfo[] = [
  { id: '01-kata-pod', group: 'coco', seedStep: '001 "Creating your first confidential pod" (coco-demo-01)', podSecurity: 'restricted', usesKbs: false },
  { id: '02-exec-denied', group: 'coco', seedStep: '001 "Adding Kata Containers agent policies" (coco-demo-02)', podSecurity: 'restricted', usesKbs: false },
  { id: '03-kbs-initdata', group: 'coco', seedStep: '001 "Preparing an KBS" (coco-demo-03)', podSecurity: 'restricted', usesKbs: true },
  { id: '04-cdh-resource', group: 'coco', seedStep: '001 "Getting resources from the Confidential Data Hub" (coco-demo-04)', podSecurity: 'restricted', usesKbs: true },
  { id: '05-encrypted-image', group: 'coco', seedStep: '001 "Using encrypted container images" (coco-demo-05)', podSecurity: 'restricted', usesKbs: true },
  { id: 'encrypted-nginx', group: 'node-decryption', seedStep: '000 section 8.1-8.2 (deploy the encrypted workload, verify decryption)', podSecurity: 'restricted', usesKbs: false },
  { id: 'secret-app', group: 'node-decryption', seedStep: '000 section 8.3 (deploy the secret application)', podSecurity: 'restricted', usesKbs: false },
  { id: 'insecure-attacker', group: 'insecurity', seedStep: '000 section 9.1 (container escape) and 9.2 (shared vTPM identity)', podSecurity: 'privileged', usesKbs: false },
  { id: 'insecure-tenant-a', group: 'insecurity', seedStep: '000 section 9.3 (no per-pod key policies: tenant A)', podSecurity: 'restricted', usesKbs: false },
  { id: 'insecure-tenant-b', group: 'insecurity', seedStep: '000 section 9.3 (no per-pod key policies: tenant B)', podSecurity: 'restricted', usesKbs: false },
  { id: 'insecure-exec', group: 'insecurity', seedStep: '000 section 9.4 (kubectl exec unrestricted)', podSecurity: 'restricted', usesKbs: false },
  { id: 'insecure-shared-pid', group: 'insecurity', seedStep: '000 section 9.5 (shared process namespace)', podSecurity: 'restricted', usesKbs: false },
  { id: 'insecure-memory', group: 'insecurity', seedStep: '000 section 9.6 (memory access across containers)', podSecurity: 'privileged', usesKbs: false },
  { id: 'maa-attestation', group: 'maa-attestation', seedStep: '004 task 5 (deploy and verify the attestation pod)', podSecurity: 'privileged', usesKbs: false },
  { id: 'confidential-app', group: 'confidential-app', seedStep: '002 step 4 (confidential-app Deployment, Service, PVC)', podSecurity: 'restricted', usesKbs: true },
];

/** Whether `env` renders the demos of `group`. */
export function groupEnabled(config: EnvironmentConfig, group: DemoGroup): boolean {
  const w = config.workloads;
  if (!w.enabled) return false;
  switch (group) {
    case 'coco':
      return w.cocoDemos.enabled;
    case 'node-decryption':
      return w.nodeDecryption.enabled;
    case 'insecurity':
      return config.devSwitches.enableInsecurityDemos;
    case 'confidential-app':
      return w.confidentialApp.enabled;
    case 'maa-attestation':
      return w.attestationDemo.enabled && config.devSwitches.enableMaaAttestationDemo;
  }
}

/** The demos `env` renders, in catalogue order. */
export function enabledDemos(config: EnvironmentConfig): DemoInfo[] {
  return DEMOS.filter((d) => groupEnabled(config, d.group));
}

/** Namespace of a demo: the workloads namespace as prefix, so one setting moves them all. */
export function demoNamespace(config: EnvironmentConfig, demo: DemoInfo): string {
  return `${config.workloads.namespace}-${demo.id}`;
}
