/**
 * Rules for the node software versions: what node-level decryption needs, a pinned checksum for
 * every binary cloud-init downloads, and, in production, upstream support and known-CVE floors
 * (src/shared/support.ts) unless the environment accepts the risk by name.
 */
import type { EnvironmentConfig } from '../schema';
import { NODE_ARTIFACT_SHA256 } from '../../shared/versions';
import { compareVersions, releaseLine, supportProblem } from '../../shared/support';
import { versionsInUse } from '../versions-in-use';
import type { Report } from './report';

/**
 * First patch of each containerd 2.x line whose CRI client pull path runs the decryption stream
 * processors again (containerd PR #12705); 2.0 has none, 2.4+ keeps it.
 */
const DECRYPTING_CONTAINERD: Readonly<Record<string, string>> = { '2.1': '2.1.7', '2.2': '2.2.2', '2.3': '2.3.0' };

export function checkVersions(env: EnvironmentConfig, report: Report): void {
  // One problem per field: a version that cannot work is not judged on its support window too.
  const reported = new Set<string>();
  checkNodeBinaries(env, (path, expected, found) => {
    reported.add(path);
    report(path, expected, found);
  });
  checkSupport(env, report, reported);
}

function checkNodeBinaries(env: EnvironmentConfig, report: Report): void {
  const tdx = env.infrastructure.tdx;
  if (!tdx) return;
  const containerd = tdx.versions.containerd.replace(/^v/, '');
  const line = releaseLine(containerd);
  const first = DECRYPTING_CONTAINERD[line];
  const decrypts = first !== undefined ? compareVersions(containerd, first) >= 0 : compareVersions(line, '2.4') >= 0;
  if (!decrypts) {
    report('/infrastructure/tdx/versions/containerd', 'containerd 2.1.7+, 2.2.2+ or 2.3.x (the node config is containerd 2.x config version 3 with use_local_image_pull; 1.x and 2.0 cannot decrypt images on the node through it)', tdx.versions.containerd);
    return;
  }
  // The kubelet of 1.36 drops support for older containerd releases (DESIGN.md §4.1).
  if (compareVersions(releaseLine(tdx.versions.kubernetes), '1.36') >= 0 && compareVersions(line, '2.2') < 0) {
    report('/infrastructure/tdx/versions/containerd', `containerd 2.2 or later (Kubernetes ${releaseLine(tdx.versions.kubernetes)} needs it)`, tdx.versions.containerd);
    return;
  }
  for (const tool of ['containerd', 'runc'] as const) {
    const pinned: Record<string, string> = NODE_ARTIFACT_SHA256[tool];
    if (pinned[tdx.versions[tool].replace(/^v/, '')] === undefined) {
      report(`/infrastructure/tdx/versions/${tool}`, `a ${tool} version with a pinned sha256 in src/shared/versions.ts (${Object.keys(pinned).join(', ')})`, tdx.versions[tool]);
    }
  }
}

function checkSupport(env: EnvironmentConfig, report: Report, reported: ReadonlySet<string>): void {
  const accepted = env.acceptUnsupportedVersions;
  const used = new Set<number>();
  for (const v of versionsInUse(env)) {
    const problem = supportProblem(v.component, v.version);
    const index = accepted.findIndex((a) => a.component === v.component && a.version.replace(/^v/, '') === v.version.replace(/^v/, ''));
    if (problem === undefined || reported.has(v.path)) continue;
    if (index >= 0) {
      used.add(index);
      continue;
    }
    if (env.profile === 'production') {
      report(v.path, `${problem.expected} (or accept the risk by name in acceptUnsupportedVersions)`, v.version);
    }
  }
  accepted.forEach((a, i) => {
    if (!used.has(i)) report(`/acceptUnsupportedVersions/${i}`, 'an entry naming a component and exact version this environment runs past support or below a CVE floor (remove stale acceptances)', `${a.component} ${a.version}`);
  });
}
