// Production deploys a release: `gitops.targetRevision` must not be a tracking branch unless
// `gitops.allowTrackingBranch` accepts it with a reason, which POSTURE.md shows
// (src/config/rules/gitops.ts).
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { loadEnvironment } from '../src/config/load';
import { postureReport } from '../src/render/posture';
import { envProblems, makeTempRepo, readEnvFile, runSynth } from './support/repo';

const tdx = readEnvFile('azure-tdx');
const dev = readEnvFile('coco-dev');
const SHIPPED = '  targetRevision: v0.1.0\n';
const REFUSED = /^config\/environments\/broken\.yaml:\d+:\d+: \/gitops\/targetRevision: expected a release tag such as v0\.1\.0 or a 40-hex commit SHA \(profile production refuses tracking branches; tag a release as in docs\/argocd\.md, or accept the risk in gitops\.allowTrackingBranch\.reason\), found string "([^"]+)"$/;

/** The shipped production file with another `gitops` revision line (and optional extra gitops keys). */
function production(revision: string, extra = ''): string {
  expect(tdx).toContain(SHIPPED);
  return tdx.replace(SHIPPED, `  targetRevision: ${revision}\n${extra}`);
}

describe('gitops.targetRevision in production', () => {
  it('the shipped production environments pin a tag; the dev ones track main', () => {
    for (const name of ['azure-tdx', 'aks-cvm', 'bare-metal']) expect(loadEnvironment(join(__dirname, '..'), name).config.gitops.targetRevision).toBe('v0.1.0');
    for (const name of ['coco-dev', 'azure-tdx-lab']) expect(loadEnvironment(join(__dirname, '..'), name).config.gitops.targetRevision).toBe('main');
  });

  it('refuses main with one line naming the file, line, path and the fix', () => {
    const problems = envProblems(production('main'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(REFUSED);
    // Located at the key in the file, as every problem is.
    const line = production('main').split('\n').findIndex((l) => l === '  targetRevision: main') + 1;
    expect(problems[0]).toContain(`broken.yaml:${line}:3:`);
  });

  it('the CLI prints it as one error line and exits 2', () => {
    const dir = makeTempRepo();
    writeFileSync(join(dir, 'config/environments/azure-tdx.yaml'), production('main'));
    const r = runSynth(dir, ['--validate', 'azure-tdx']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: config\/environments\/azure-tdx\.yaml:\d+:3: \/gitops\/targetRevision: expected a release tag .*, found string "main"$/)]);
  });

  it.each(['HEAD', 'master', 'refs/heads/release-1'])('refuses %s', (revision) => {
    expect(envProblems(production(revision))).toEqual([expect.stringMatching(REFUSED)]);
  });

  it('refuses the default (main) when targetRevision is left out', () => {
    expect(envProblems(tdx.replace(SHIPPED, ''))).toEqual([expect.stringMatching(/\/gitops\/targetRevision: expected a release tag .*, found string "main"$/)]);
  });

  it('refuses the configured tracking branches, "*" matching any characters', () => {
    const extra = '  trackingBranches: [develop, "release/*"]\n';
    expect(envProblems(production('develop', extra))).toEqual([expect.stringMatching(REFUSED)]);
    expect(envProblems(production('release/2026-12', extra))).toEqual([expect.stringMatching(REFUSED)]);
    // "*" is the only wildcard: a dot is literal, and the pattern covers the whole revision.
    expect(envProblems(production('v0.1.0', '  trackingBranches: ["v0x1x0", "v0.1"]\n'))).toEqual([]);
  });

  it('accepts a tag and a 40-hex commit SHA', () => {
    expect(envProblems(production('v0.1.0'))).toEqual([]);
    expect(envProblems(production('v1.2.3-rc.1'))).toEqual([]);
    expect(envProblems(production('0123456789abcdef0123456789abcdef01234567'))).toEqual([]);
  });

  it('dev environments may track a branch', () => {
    expect(dev).toContain('  targetRevision: main\n');
    expect(envProblems(dev)).toEqual([]);
  });
});

describe('gitops.allowTrackingBranch', () => {
  const reason = 'staging cluster follows main until the first release is cut in January';
  const accepted = production('main', `  allowTrackingBranch:\n    reason: ${reason}\n`);

  it('accepts a tracking branch in production, and POSTURE.md shows the acceptance with its reason', () => {
    expect(envProblems(accepted)).toEqual([]);
    const dir = makeTempRepo({ 'config/environments/azure-tdx.yaml': accepted });
    const posture = postureReport(loadEnvironment(dir, 'azure-tdx'), []);
    expect(posture).toContain('Argo CD syncs revision `main` (a tracking branch: every push deploys).');
    expect(posture).toMatch(/## Accepted risks\n\n(- .*\n)*- \*\*gitops\.targetRevision `main`\*\* is a tracking branch: every push to it deploys, with no release tag chosen \(`gitops\.allowTrackingBranch`\): staging cluster follows main until the first release is cut in January\n/);
  });

  it('a production environment on a tag shows its revision and no acceptance', () => {
    const posture = postureReport(loadEnvironment(join(__dirname, '..'), 'azure-tdx'), []);
    expect(posture).toContain('Argo CD syncs revision `v0.1.0`.');
    expect(posture).not.toContain('allowTrackingBranch');
  });

  it('needs a reason', () => {
    expect(envProblems(production('main', '  allowTrackingBranch: {}\n'))).toEqual([expect.stringMatching(/\/gitops\/allowTrackingBranch\/reason: expected required key "reason", found nothing$/)]);
  });

  it('is refused as stale when the revision is not a tracking branch', () => {
    expect(envProblems(production('v0.1.0', `  allowTrackingBranch:\n    reason: ${reason}\n`))).toEqual([
      expect.stringMatching(/:\d+:3: \/gitops\/allowTrackingBranch: expected no acceptance while targetRevision is not a tracking branch \(remove the stale gitops\.allowTrackingBranch\), found string "targetRevision v0\.1\.0"$/),
    ]);
  });
});
