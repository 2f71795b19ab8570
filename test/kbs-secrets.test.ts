// The Secret recipes of docs/kbs.md, run with the real openssl: the admin key and token must be
// what the rendered [admin] section accepts, the TLS certificate must name the addresses clients
// use, the token signer must be the P-256 key with a chain KBS v0.21 requires; and the documented
// kubectl commands must create the Secret names and keys the manifests mount.
import { spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { run, repoRoot, tool } from './support/tools';
import { SECRET_KEYS } from '../src/k8s/kbs/layout';
import { kbsClusterUrl, kbsEndpoint } from '../src/shared/kbs-endpoint';
import { at, kbsObjects, kbsToml, loadEnv, type Json } from './kbs-support';

const docs = readFileSync(join(repoRoot(), 'docs/kbs.md'), 'utf8');
const blocks = [...docs.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);

/** The fenced block whose first line is `# docs-test: <name>`. */
function recipe(name: string): string {
  const found = blocks.filter((b) => b.startsWith(`# docs-test: ${name}\n`));
  expect(found).toHaveLength(1);
  return found[0];
}

const dir = mkdtempSync(join(tmpdir(), 'kbs-secrets-'));

/** Runs recipes in order in one folder with bash, openssl from the tool harness first on PATH. */
function runRecipes(...names: string[]): void {
  const r = spawnSync('bash', ['-euo', 'pipefail', '-c', names.map(recipe).join('\n')], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: `${dirname(tool('openssl'))}:/usr/bin:/bin` },
  });
  expect(r.stderr.split('\n').filter((l) => /error|unable/i.test(l))).toEqual([]);
  expect(r.status).toBe(0);
}

const file = (name: string) => readFileSync(join(dir, name));
const b64url = (text: string) => Buffer.from(text, 'base64url');

beforeAll(() => runRecipes('admin-key', 'admin-token', 'tls', 'token-signer'));

describe.each(['azure-tdx', 'coco-dev'])('%s', (name) => {
  const env = loadEnv(name);
  const toml = kbsToml(kbsObjects(env));

  it.each([
    ['policies', 1],
    ['resources', 0],
  ] as const)('the %s admin token is a short-lived EdDSA JWT of its own role, which the rendered [admin] section accepts', (job, acl) => {
    const [h, p, s] = file(`kbs-admin-${job}.token`).toString().trim().split('.');
    expect(JSON.parse(b64url(h).toString())).toEqual({ alg: 'EdDSA', typ: 'JWT' });
    const claims = JSON.parse(b64url(p).toString()) as Json;
    const idp = at(toml, 'admin', 'authentication', 'bearer_jwt', 'identity_providers', 0) as Json;
    expect(claims.iss).toBe(idp.issuer);
    expect(claims.aud).toBe(idp.audience);
    expect(claims.role).toBe(at(toml, 'admin', 'authorization', 'regex_acl', 'acls', acl, 'role'));
    const now = Date.now() / 1000;
    expect(claims.exp as number).toBeGreaterThan(now);
    // Within kbs.admin.maxTokenHours, or the provisioning Job refuses it.
    expect((claims.exp as number) - (claims.iat as number)).toBeLessThanOrEqual(env.config.kbs.admin.maxTokenHours * 3600);
    const publicKey = createPublicKey(file('kbs-admin.pub'));
    expect(publicKey.asymmetricKeyType).toBe('ed25519');
    expect(verify(null, Buffer.from(`${h}.${p}`), publicKey, b64url(s))).toBe(true);
    // A tampered token does not verify.
    expect(verify(null, Buffer.from(`${h}.${p}x`), publicKey, b64url(s))).toBe(false);
  });
});

describe('azure-tdx HTTPS certificate', () => {
  const env = loadEnv('azure-tdx');
  // Read in the tests: describe bodies run before beforeAll has created the files.
  const cert = () => new X509Certificate(file('kbs-tls.crt'));

  it('names the Service DNS name the Job uses and the ClusterIP the node CDH uses', () => {
    const host = new URL(kbsClusterUrl(kbsEndpoint(env.config))).hostname;
    expect(cert().subjectAltName?.split(', ')).toEqual(expect.arrayContaining([`DNS:${host}`, `IP Address:${env.config.kbs.serviceClusterIP}`]));
  });

  it('is a server certificate signed by the CA that goes into ca.crt, for the key that goes into tls.key', () => {
    expect(cert().ca).toBe(false);
    expect(cert().checkPrivateKey(createPrivateKey(file('kbs-tls.key')))).toBe(true);
    expect(run('openssl', ['verify', '-CAfile', join(dir, 'kbs-ca.crt'), join(dir, 'kbs-tls.crt')]).stdout).toContain(': OK');
  });
});

describe('attestation token signer', () => {
  it('is an EC P-256 key (KBS v0.21 refuses others) with a chain up to the CA', () => {
    const key = createPrivateKey(file('kbs-token.key'));
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const chain = file('kbs-token-cert-chain.pem').toString().match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    expect(chain).toHaveLength(2);
    const [leafPem = '', caPem = ''] = chain;
    const leaf = new X509Certificate(leafPem);
    expect(leaf.checkPrivateKey(key)).toBe(true);
    expect(leaf.checkIssued(new X509Certificate(caPem))).toBe(true);
    expect(new X509Certificate(caPem).fingerprint256).toBe(new X509Certificate(file('kbs-token-ca.crt')).fingerprint256);
    expect(run('openssl', ['verify', '-CAfile', join(dir, 'kbs-token-ca.crt'), join(dir, 'kbs-token.crt')]).stdout).toContain(': OK');
  });
});

describe('documented kubectl commands', () => {
  it('create every Secret azure-tdx references, with the keys the manifests mount', () => {
    const { kbs } = loadEnv('azure-tdx').config;
    const kubectl = blocks.join('\n').replace(/\\\n\s*/g, ' ');
    const expected: [string, string[]][] = [
      [kbs.admin.publicKeySecretName, [SECRET_KEYS.adminPublicKey]],
      [kbs.admin.policyTokenSecretName, [SECRET_KEYS.adminToken]],
      [kbs.admin.resourceTokenSecretName, [SECRET_KEYS.adminToken]],
      [kbs.tlsSecretName ?? '', [SECRET_KEYS.tlsCert, SECRET_KEYS.tlsKey, SECRET_KEYS.tlsCa]],
      [kbs.tokenSignerSecretName ?? '', [SECRET_KEYS.signerKey, SECRET_KEYS.signerChain, SECRET_KEYS.signerCa]],
      ...kbs.resources.map((r): [string, string[]] => [r.secretName, [r.secretKey]]),
    ];
    for (const [secret, keys] of expected) {
      const line = kubectl.split('\n').find((l) => l.includes(`-n ${kbs.namespace} create secret generic ${secret} `));
      expect({ secret, line: line !== undefined }).toEqual({ secret, line: true });
      for (const key of keys) expect(line).toContain(`--from-file=${key}=`);
    }
  });
});
