// `guestComponents` in environment files: defaults, and the rules that keep production honest.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatProblem, UserInputError } from '../src/config/errors';
import { loadEnvironment } from '../src/config/load';
import { resolveKbsUrl } from '../src/config/rules/guest-components';
import { makeTempRepo, readEnvFile } from './support/repo';
import { repoRoot } from './support/tools';
import { fixture } from './guest-components-support';

/** Problems of environment file `text`, formatted as the CLI prints them (without file:line). */
function problems(text: string): string[] {
  const dir = makeTempRepo();
  mkdirSync(join(dir, 'config/environments'), { recursive: true });
  writeFileSync(join(dir, 'config/environments/gc.yaml'), text);
  try {
    loadEnvironment(dir, 'gc');
  } catch (e) {
    if (e instanceof UserInputError) return e.problems.map((p) => formatProblem(p).replace(/^[^ ]+ /, ''));
    throw e;
  }
  return [];
}

const tdx = readEnvFile('azure-tdx');
const dev = fixture('dev-offline.yaml');
const gc = (extra: string) => tdx.replace('guestComponents:\n', `guestComponents:\n${extra}`);

describe('guestComponents config', () => {
  it('azure-tdx: defaults applied, KBS reached over https at the fixed ClusterIP', () => {
    const { config } = loadEnvironment(repoRoot(), 'azure-tdx');
    expect(config.guestComponents).toMatchObject({
      enabled: true,
      kbc: 'cc_kbc',
      keyProviderAddress: '127.0.0.1:50000',
      logLevel: 'info',
      tolerations: [],
      updateStrategy: 'RollingUpdate',
      action: 'install',
      kbsCaSecret: { name: 'kbs-ca', key: 'ca.crt' },
      resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
    });
    expect(resolveKbsUrl(config)).toBe(`https://${config.kbs.serviceClusterIP}:8080`);
  });

  it('the dev fixture with offline_fs_kbc loads', () => {
    expect(problems(dev)).toEqual([]);
  });

  it('offline_fs_kbc needs devSwitches.allowOfflineFsKbc, which production refuses', () => {
    expect(problems(dev.replace('  allowOfflineFsKbc: true\n', '  allowOfflineFsKbc: false\n'))).toEqual([
      '/guestComponents/kbc: expected cc_kbc (offline_fs_kbc keeps image keys in a plain node file: it needs devSwitches.allowOfflineFsKbc in a dev profile), found string "offline_fs_kbc"',
    ]);
    expect(problems(dev.replace('profile: dev', 'profile: production'))).toContain('/devSwitches/allowOfflineFsKbc: expected false (profile production refuses dev switches), found boolean true');
  });

  it('an image is required when enabled, pinned, never latest', () => {
    const noImage = tdx.replace(/  image:\n    repository: .*\n    tag: .*\n/, '');
    expect(problems(noImage)).toEqual([expect.stringMatching(/^\/guestComponents\/image: expected an image with repository and tag or digest .*found nothing$/)]);
    expect(problems(tdx.replace('    tag: v0.21.0-imgcrypt-v2.0.3\n', ''))).toEqual([expect.stringMatching(/^\/guestComponents\/image: expected a tag or a digest \(the image must be pinned\)/)]);
    expect(problems(tdx.replace('tag: v0.21.0-imgcrypt-v2.0.3', 'tag: latest'))).toEqual([expect.stringMatching(/^\/guestComponents\/image\/tag: expected a pinned tag \(not "latest"/)]);
    // Disabled: nothing of the section is required (other sections may then object to its absence).
    expect(problems(noImage.replace('guestComponents:\n', 'guestComponents:\n  enabled: false\n')).filter((p) => p.startsWith('/guestComponents'))).toEqual([]);
  });

  it('https needs the CA Secret; plain http needs a dev switch', () => {
    expect(problems(tdx.replace('  kbsCaSecret:\n    name: kbs-ca\n', ''))).toEqual([
      '/guestComponents/kbsCaSecret: expected a Secret reference with the CA certificate of the KBS at https://10.96.0.80:8080 (required for https), found nothing',
    ]);
    expect(problems(gc('  kbsUrl: http://10.0.3.4:8080\n'))).toEqual([
      '/guestComponents/kbsUrl: expected an https:// URL (plain HTTP needs devSwitches.allowInsecureHttpKbs in a dev profile), found string "http://10.0.3.4:8080"',
      '/guestComponents/kbsCaSecret: expected nothing (the KBS URL http://10.0.3.4:8080 is plain HTTP), found a mapping',
    ]);
  });

  it('cc_kbc without an in-cluster KBS needs a URL', () => {
    const noKbs = tdx.replace(/\nkbs:\n(  .*\n|\s*#.*\n|\n)*/, '\nkbs:\n  enabled: false\n');
    expect(problems(noKbs)).toEqual(['/guestComponents/kbsUrl: expected a KBS URL (required with cc_kbc when the in-cluster kbs component is disabled), found nothing']);
    expect(problems(noKbs.replace('guestComponents:\n', 'guestComponents:\n  kbsUrl: https://kbs.example.com:8080\n'))).toEqual([]);
  });

  it('the key provider stays on loopback', () => {
    expect(problems(gc('  keyProviderAddress: 0.0.0.0:50000\n'))).toEqual([
      expect.stringMatching(/^\/guestComponents\/keyProviderAddress: expected a loopback address and port such as 127.0.0.1:50000 .*found string "0.0.0.0:50000"$/),
    ]);
  });

  it('tolerations follow the API server rules', () => {
    expect(problems(gc('  tolerations:\n    - operator: Exists\n      value: x\n    - value: y\n'))).toEqual([
      '/guestComponents/tolerations/0/value: expected no value (operator Exists matches any value), found string "x"',
      '/guestComponents/tolerations/1/key: expected a taint key (operator Equal needs one; use operator Exists to tolerate every taint), found nothing',
    ]);
  });

  it('offline settings and KBS settings do not mix', () => {
    expect(problems(gc('  offlineResourcesSecret:\n    name: keys\n'))).toEqual(['/guestComponents/offlineResourcesSecret: expected nothing (only used with kbc offline_fs_kbc), found a mapping']);
    expect(problems(dev.replace('  kbc: offline_fs_kbc\n', '  kbc: offline_fs_kbc\n  kbsUrl: https://kbs.example.com\n'))).toEqual([
      '/guestComponents/kbsUrl: expected no KBS URL (offline_fs_kbc talks to no KBS), found string "https://kbs.example.com"',
    ]);
  });
});
