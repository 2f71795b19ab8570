/**
 * Every version an environment deploys, with its support status: the node software the
 * environment file sets (src/config/versions-in-use.ts) and the releases the code pins
 * (src/shared/versions.ts). POSTURE.md shows it to reviewers; `dist/<env>/versions.json` carries
 * the same list for `npm run review`, which compares it between two revisions and adds upgrade
 * notes. Argo CD never reads that file (no Application syncs `dist/<env>/` itself).
 */
import type { EnvironmentConfig } from '../config/schema';
import { pinnedVersionsInUse, versionsInUse } from '../config/versions-in-use';
import { supportEndText, supportProblem } from '../shared/support';
import { VERSIONS } from '../shared/versions';

export interface EnvironmentVersion {
  /** What runs at this version, e.g. `containerd (nodes)`. */
  readonly name: string;
  readonly version: string;
  /** Upstream support, e.g. `supported until 2028-04 (LTS)`. */
  readonly support: string;
  /** Set when the version is past support or below a CVE floor: the acceptance's reason, or the problem. */
  readonly warning?: string;
}

const NODE_NAMES = { kubernetes: 'Kubernetes (kubeadm nodes)', aks: 'Kubernetes (AKS)', containerd: 'containerd (nodes)', runc: 'runc (nodes)', cilium: 'Cilium' } as const;

/** Releases the code pins for every environment that renders the component using them. */
function pinnedReleases(env: EnvironmentConfig): EnvironmentVersion[] {
  const pinned: EnvironmentVersion[] = [];
  const matched = 'matched release set (Trustee, guest-components, Kata, CoCo chart): upgraded together';
  if (env.kbs.enabled) pinned.push({ name: 'Trustee KBS', version: VERSIONS.trustee, support: matched });
  if (env.guestComponents.enabled) {
    pinned.push({ name: 'guest-components (node installer)', version: VERSIONS.guestComponents, support: matched });
    pinned.push({ name: 'imgcrypt ctd-decoder', version: VERSIONS.imgcrypt, support: 'latest release' });
  }
  if (env.runtime.enabled) {
    pinned.push({ name: 'Kata Containers', version: VERSIONS.kata, support: matched });
    pinned.push({ name: 'Confidential Containers chart', version: VERSIONS.cocoChart, support: matched });
  }
  // Charts with a support table of their own (src/shared/support.ts PINNED_SUPPORT): peer pods.
  for (const v of pinnedVersionsInUse(env)) {
    const problem = supportProblem(v.component, v.version);
    pinned.push({ name: v.name, version: v.version, support: supportEndText(v.component, v.version), ...(problem ? { warning: `needs ${problem.expected}` } : {}) });
  }
  return pinned;
}

export function environmentVersions(env: EnvironmentConfig): EnvironmentVersion[] {
  const node = versionsInUse(env).map((v): EnvironmentVersion => {
    const problem = supportProblem(v.component, v.version);
    const accepted = env.acceptUnsupportedVersions.find((a) => a.component === v.component && a.version.replace(/^v/, '') === v.version.replace(/^v/, ''));
    const warning = problem && (accepted ? `accepted risk: ${accepted.reason}` : `needs ${problem.expected}`);
    return { name: NODE_NAMES[v.component], version: v.version, support: supportEndText(v.component, v.version), ...(warning ? { warning } : {}) };
  });
  return [{ name: 'Kubernetes API (manifests)', version: env.kubernetesVersion, support: supportEndText('kubernetes', env.kubernetesVersion) }, ...node, ...pinnedReleases(env)];
}

/** `dist/<env>/versions.json`: stable key order, one entry per line for readable diffs. */
export function versionsJson(env: EnvironmentConfig): string {
  const entries = environmentVersions(env).map((v) => `  ${JSON.stringify({ name: v.name, version: v.version, support: v.support, ...(v.warning ? { warning: v.warning } : {}) })}`);
  return `[\n${entries.join(',\n')}\n]\n`;
}
