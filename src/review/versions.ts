/**
 * The "Versions" section of `npm run review`: what each environment deploys at which version in
 * the two renders (`dist/<env>/versions.json`), and for every change the upgrade notes an operator
 * needs, because a new version in Git is not yet a new version on the nodes.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EnvironmentVersion } from '../render/environment-versions';
import { compareVersions, releaseLine } from '../shared/support';
import { CERT_MANAGER_VERSION_NAME, PEERPODS_VERSION_NAME } from '../config/versions-in-use';

export interface VersionChange {
  readonly environment: string;
  readonly name: string;
  readonly from?: string;
  readonly to?: string;
  readonly notes: readonly string[];
}

/** `versions.json` of every environment below `<root>/dist`. */
export function collectVersions(root: string): Map<string, EnvironmentVersion[]> {
  const out = new Map<string, EnvironmentVersion[]>();
  const dist = join(root, 'dist');
  if (!existsSync(dist)) return out;
  for (const env of readdirSync(dist).sort()) {
    const file = join(dist, env, 'versions.json');
    if (existsSync(file)) out.set(env, JSON.parse(readFileSync(file, 'utf8')) as EnvironmentVersion[]);
  }
  return out;
}

const UPGRADES = 'docs/infrastructure.md#upgrades';

/** Upgrade notes for one change (from and to both set). */
export function upgradeNotes(name: string, from: string, to: string): string[] {
  const minorSteps = Math.abs(Number(releaseLine(to).split('.')[1]) - Number(releaseLine(from).split('.')[1]));
  const down = compareVersions(to, from) < 0;
  const notes: string[] = [];
  if (down) notes.push('a downgrade: not supported by kubeadm, AKS, containerd or Cilium upgrades; restore from backup instead');
  if (name.startsWith('Kubernetes (kubeadm')) {
    if (minorSteps > 1) notes.push(`kubeadm upgrades one minor at a time: ${minorSteps} upgrades, each to be rendered and applied in turn`);
    notes.push(`existing nodes keep their version (Terraform ignores custom_data): kubeadm upgrade apply on the control plane, then kubeadm upgrade node on each node, one at a time (${UPGRADES})`);
  } else if (name.startsWith('Kubernetes (AKS')) {
    if (minorSteps > 1) notes.push(`AKS upgrades one minor at a time: ${minorSteps} applies`);
    notes.push('terraform apply upgrades the AKS control plane, then the node pools surge node by node');
  } else if (name === 'Kubernetes API (manifests)') {
    notes.push('the manifests are validated against the new API: upgrade the cluster first, then sync');
  } else if (name.startsWith('containerd') || name.startsWith('runc')) {
    notes.push(`existing VMs keep their version (Terraform ignores custom_data): replace workers one at a time, upgrade the control plane in place (${UPGRADES})`);
  } else if (name === 'Cilium') {
    if (minorSteps > 1) notes.push(`Cilium upgrades one minor at a time: ${minorSteps} upgrades`);
    notes.push(`on the control plane: cilium upgrade --version ${to} --values /etc/coco/cilium-values.yaml (${UPGRADES})`);
  } else if (name === CERT_MANAGER_VERSION_NAME) {
    if (minorSteps > 1) notes.push(`cert-manager upgrades one minor at a time: ${minorSteps} syncs, reading each release's upgrade notes`);
    notes.push('Argo CD upgrades cert-manager and its CRDs (crds.enabled) on sync; read https://cert-manager.io/docs/releases/upgrading/ first');
  } else if (name === PEERPODS_VERSION_NAME) {
    notes.push('the peerpods chart, its images and the pod-VM image move together: set infrastructure.peerPods.podVm.imageId to the matching pod-VM image and re-read its reference values; running pod VMs keep their image until their pods are recreated');
  } else if (['Trustee KBS', 'guest-components (node installer)', 'Kata Containers', 'Confidential Containers chart'].includes(name)) {
    notes.push('Trustee, guest-components, Kata and the CoCo chart move in lockstep (one matched release set); the KBS config format changes between Trustee releases');
  }
  return notes;
}

/** Version changes between two renders, sorted by environment and name. */
export function diffVersions(before: Map<string, EnvironmentVersion[]>, after: Map<string, EnvironmentVersion[]>): VersionChange[] {
  const changes: VersionChange[] = [];
  for (const env of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const a = new Map((before.get(env) ?? []).map((v) => [v.name, v.version]));
    const b = new Map((after.get(env) ?? []).map((v) => [v.name, v.version]));
    for (const name of [...new Set([...a.keys(), ...b.keys()])].sort()) {
      const from = a.get(name);
      const to = b.get(name);
      if (from === to) continue;
      changes.push({ environment: env, name, ...(from ? { from } : {}), ...(to ? { to } : {}), notes: from && to ? upgradeNotes(name, from, to) : [] });
    }
  }
  return changes;
}

export function formatVersionChanges(changes: readonly VersionChange[]): string {
  if (changes.length === 0) return '';
  const lines = ['Versions:'];
  for (const c of changes) {
    lines.push(`  ${c.environment}: ${c.name} ${c.from ?? '(none)'} -> ${c.to ?? '(removed)'}`);
    for (const n of c.notes) lines.push(`      note: ${n}`);
  }
  return `${lines.join('\n')}\n\n`;
}
