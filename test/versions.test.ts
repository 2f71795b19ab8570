// Support windows and CVE floors of the node software (src/shared/support.ts,
// src/config/rules/versions.ts): production refuses what is past support unless the environment
// accepts that exact version by name; dev only reports it.
import { compareVersions, PINNED_SUPPORT, SUPPORT, SUPPORT_REVIEWED_ON, staleReviewWarning, supportEndText, supportProblem, releaseLine } from '../src/shared/support';
import { pinnedVersionsInUse, versionsInUse } from '../src/config/versions-in-use';
import { upgradeNotes } from '../src/review/versions';
import { loadEnvironment } from '../src/config/load';
import { repoRoot } from './support/tools';
import { NODE_ARTIFACT_SHA256, VERSIONS } from '../src/shared/versions';
import { aksData, problems, set, tdxData } from './infra-support';
import { toolVersion } from './support/tools';

describe('support table', () => {
  it('every default version is inside upstream support on the review date and has a pinned checksum', () => {
    for (const [component, version] of [['kubernetes', VERSIONS.kubernetes], ['containerd', VERSIONS.containerd], ['runc', VERSIONS.runc], ['cilium', VERSIONS.cilium], ['aks', '1.36']] as const) {
      expect({ component, problem: supportProblem(component, version) }).toEqual({ component, problem: undefined });
    }
    expect(Object.keys(NODE_ARTIFACT_SHA256.containerd)).toContain(VERSIONS.containerd);
    expect(Object.keys(NODE_ARTIFACT_SHA256.runc)).toContain(VERSIONS.runc);
  });

  it('judges on the review date, not the clock (same input, same output)', () => {
    expect(SUPPORT_REVIEWED_ON).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(supportProblem('kubernetes', '1.36.5', '2027-06-28')).toBeUndefined();
    expect(supportProblem('kubernetes', '1.36.5', '2027-06-29')?.expected).toContain('1.36 ended 2027-06-28');
  });

  it('knows the lines it judges, newest first', () => {
    for (const { lines } of Object.values(SUPPORT)) {
      const order = lines.map((l) => l.line);
      expect(order).toEqual([...order].sort((a, b) => compareVersions(b, a)));
    }
    expect(releaseLine('v1.36.5')).toBe('1.36');
    expect(supportProblem('kubernetes', '1.29.0')?.expected).toContain('known to src/shared/support.ts');
  });
});

describe('releases the code pins (peer pods: the peerpods chart and cert-manager)', () => {
  it('are inside support on the review date; cert-manager keeps the two newest minors', () => {
    expect(supportProblem('certManager', VERSIONS.certManagerChart)).toBeUndefined();
    expect(supportProblem('peerpods', VERSIONS.peerpodsChart)).toBeUndefined();
    expect(releaseLine(VERSIONS.certManagerChart)).toBe('1.21');
    expect(supportProblem('certManager', 'v1.20.3')).toBeUndefined();
    expect(supportProblem('certManager', 'v1.19.4')?.expected).toContain('1.19 ended 2026-07-08');
    expect(supportEndText('certManager', VERSIONS.certManagerChart)).toContain('two newest minor releases');
    for (const { lines } of Object.values(PINNED_SUPPORT)) {
      const order = lines.map((l) => l.line);
      expect(order).toEqual([...order].sort((a, b) => compareVersions(b, a)));
    }
  });

  it('are listed for aks-peer-pods only, with its AKS version judged like aks-cvm\'s', () => {
    const peerPods = loadEnvironment(repoRoot(), 'azure-peer-pods').config;
    expect(pinnedVersionsInUse(peerPods).map((v) => [v.component, v.version])).toEqual([
      ['peerpods', '0.4.0'],
      ['certManager', 'v1.21.2'],
    ]);
    expect(versionsInUse(peerPods)).toEqual([{ component: 'aks', version: '1.36', path: '/infrastructure/peerPods/kubernetesVersion' }]);
    for (const name of ['aks-cvm', 'azure-tdx', 'coco-dev']) expect(pinnedVersionsInUse(loadEnvironment(repoRoot(), name).config)).toEqual([]);
  });

  it('a bump gets upgrade notes in npm run review', () => {
    const [peerpods, certManager] = pinnedVersionsInUse(loadEnvironment(repoRoot(), 'azure-peer-pods').config);
    expect(upgradeNotes(peerpods.name, '0.3.1', '0.4.0').join(' ')).toContain('pod-VM image');
    expect(upgradeNotes(certManager.name, 'v1.19.4', 'v1.21.2')[0]).toContain('one minor at a time: 2 syncs');
  });
});

describe('production refuses unsupported or vulnerable versions', () => {
  const old = (data = tdxData()) => set(set(set(data, 'kubernetesVersion', '1.36'), 'infrastructure/tdx/versions/runc', '1.3.6'), 'infrastructure/tdx/versions/cilium', '1.16.5');

  it('names the field, the supported lines and the way out', () => {
    expect(problems(old())).toEqual([
      '/infrastructure/tdx/versions/cilium: expected a cilium release inside upstream support on 2026-12-01 (1.20, 1.19, 1.18); 1.16 ended 2026-01 (or accept the risk by name in acceptUnsupportedVersions), found string "1.16.5"',
    ]);
  });

  it('refuses a release below its known-CVE floor', () => {
    // 1.3.6 is above the 1.3.3 floor; the floor check needs a patch version below it.
    expect(supportProblem('runc', '1.3.2')?.expected).toBe('runc 1.3.3 or later in the 1.3 line (fixes CVE-2025-31133, CVE-2025-52565, CVE-2025-52881)');
    expect(supportProblem('runc', '1.2.4')?.expected).toContain('1.2 ended 2026-04');
  });

  it('accepts a risk only for the exact component and version named, and shows nothing stale', () => {
    const accepted = set(old(), 'acceptUnsupportedVersions', [{ component: 'cilium', version: '1.16.5', reason: 'upgrade scheduled for the January window' }]);
    expect(problems(accepted)).toEqual([]);
    const otherVersion = set(old(), 'acceptUnsupportedVersions', [{ component: 'cilium', version: '1.16.4', reason: 'upgrade scheduled for the January window' }]);
    expect(problems(otherVersion)).toEqual([
      expect.stringContaining('/infrastructure/tdx/versions/cilium: expected a cilium release inside upstream support'),
      '/acceptUnsupportedVersions/0: expected an entry naming a component and exact version this environment runs past support or below a CVE floor (remove stale acceptances), found string "cilium 1.16.4"',
    ]);
    const stale = set(tdxData(), 'acceptUnsupportedVersions', [{ component: 'runc', version: VERSIONS.runc, reason: 'nothing to accept here at all' }]);
    expect(problems(stale)).toEqual([expect.stringContaining('/acceptUnsupportedVersions/0: expected an entry naming')]);
  });

  it('dev environments may run them (POSTURE.md says so)', () => {
    expect(problems(set(set(old(), 'profile', 'dev'), 'infrastructure/tdx/image/version', 'latest'))).toEqual([]);
  });

  it('checks the AKS version too', () => {
    expect(problems(set(set(aksData(), 'infrastructure/aks/kubernetesVersion', '1.36'), 'kubernetesVersion', '1.36'))).toEqual([]);
  });
});

describe('a stale support table', () => {
  it('is warned about after 90 days, never before', () => {
    expect(staleReviewWarning(SUPPORT_REVIEWED_ON)).toBeUndefined();
    expect(staleReviewWarning('2027-03-01')).toBeUndefined();
    expect(staleReviewWarning('2027-03-02')).toBe(
      'warning: src/shared/support.ts was reviewed on 2026-12-01, 91 days ago: check the support windows and CVE floors against upstream (support is judged on that date, not today)',
    );
  });
});

describe('the tools the tests build are the versions the product deploys', () => {
  it('kube binaries, containerd and the Cilium chart follow src/shared/versions.ts', () => {
    expect(toolVersion('kube-apiserver')).toBe(`v${VERSIONS.kubernetes}`);
    expect(toolVersion('kubeadm')).toBe(`v${VERSIONS.kubernetes}`);
    expect(toolVersion('containerd')).toBe(`v${VERSIONS.containerd}`);
    expect(toolVersion('cilium-chart')).toBe(`v${VERSIONS.cilium}`);
  });
});
