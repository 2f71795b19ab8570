// The provisioning Job's script, as rendered, run the way the Job runs it: busybox sh and its
// applets (the shell of the curl image) plus real curl, against a fake KBS admin API that decodes
// requests the way Trustee v0.21.0 does (kbs/src/api_server.rs) and authorizes them with the
// rendered ACL. Checks: uploads, idempotence, clear failures before any upload, HTTPS with the CA.
import { execFile } from 'node:child_process';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { run, tool } from './support/tools';
import { at, configMapData, find, kbsObjects, kbsToml, loadEnv, podSpec, type Json } from './kbs-support';

const env = loadEnv('coco-dev');
const objects = kbsObjects(env);
const script = configMapData(objects, 'kbs-provision')['provision.sh'];
const resourceList = configMapData(objects, 'kbs-provision')['resources.txt'];
const referenceValues = configMapData(objects, 'kbs-provision')['reference-values.txt'];
const policies = configMapData(objects, 'kbs-policies');
const jobEnv = Object.fromEntries((podSpec(find(objects, 'Job', 'kbs-provision')).containers[0].env as Json[]).map((e) => [e.name as string, e.value as string]));
/** The rendered ACL: role -> endpoints it may call (kbs/src/admin/authorization/regex_acl.rs). */
const ACLS = (at(kbsToml(objects), 'admin', 'authorization', 'regex_acl', 'acls') as { role: string; allowed_endpoints: string }[]).map((a) => ({ role: a.role, regex: new RegExp(a.allowed_endpoints) }));

/** An admin JWT of `role` issued now, living `seconds` (the fake KBS does not check signatures). */
function jwt(role: string, seconds = 3600, issuedAgo = 0): string {
  const now = Math.floor(Date.now() / 1000) - issuedAgo;
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'EdDSA', typ: 'JWT' })}.${part({ iss: 'coco-azure-gitops', aud: 'kbs', role, iat: now, exp: now + seconds })}.c2ln`;
}
const POLICY_TOKEN = jwt(env.config.kbs.admin.policyRole);
const RESOURCE_TOKEN = jwt(env.config.kbs.admin.resourceRole);
/** Tokens the fake KBS accepts, with their role. */
const ISSUED = new Map([
  [POLICY_TOKEN, env.config.kbs.admin.policyRole],
  [RESOURCE_TOKEN, env.config.kbs.admin.resourceRole],
]);

interface Request {
  readonly method: string;
  readonly url: string;
  readonly status: number;
}

/** What the fake KBS stored, and every request it answered. */
interface KbsState {
  referenceValues: Record<string, string[]>;
  resourcePolicy?: string;
  attestationPolicies: Record<string, string>;
  resources: Record<string, Buffer>;
  requests: Request[];
}

function decodeB64Url(text: string): string {
  return Buffer.from(text, 'base64url').toString('utf8');
}

function fakeKbs(state: KbsState) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = req.url ?? '';
      const answer = (status: number, text = '') => {
        state.requests.push({ method: req.method ?? '', url, status });
        res.writeHead(status, { 'content-type': 'application/json' }).end(text);
      };
      // /healthz answers without authentication (kbs/src/api_server.rs); not an admin request.
      if (req.method === 'GET' && url === '/healthz') return void res.writeHead(200).end();
      const role = ISSUED.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      if (role === undefined) return answer(401, '{"type":"AdminAccessDenied","detail":"token verification failed"}');
      if (req.method !== 'POST' || !ACLS.some((a) => a.role === role && a.regex.test(url))) return answer(401, '{"type":"AdminAccessDenied","detail":"role not allowed for path"}');
      if (url === '/kbs/v0/reference-value') {
        // rvps/src/lib.rs: version 0.1.0; the sample extractor's provenance is base64 JSON {id: [values]}.
        const message = JSON.parse(body.toString()) as { version: string; type: string; payload: string };
        if (message.version !== '0.1.0' || message.type !== 'sample') return answer(400);
        Object.assign(state.referenceValues, JSON.parse(Buffer.from(message.payload, 'base64').toString('utf8')) as Record<string, string[]>);
      } else if (url === '/kbs/v0/resource-policy') {
        state.resourcePolicy = decodeB64Url((JSON.parse(body.toString()) as { policy: string }).policy);
      } else if (url === '/kbs/v0/attestation-policy') {
        const input = JSON.parse(body.toString()) as { policy_id: string; policy: string; type: string };
        if (input.type !== 'rego') return answer(400);
        state.attestationPolicies[input.policy_id] = decodeB64Url(input.policy);
      } else {
        if (req.headers['content-type'] !== 'application/octet-stream') return answer(400);
        state.resources[url.slice('/kbs/v0/resource/'.length)] = body;
      }
      return answer(200);
    });
  };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

interface Setup {
  readonly dir: string;
  readonly vars: Record<string, string>;
  readonly resources: Record<string, Buffer>;
}

/** The Job's mounts as folders: policies, list, token, resource Secrets; PATH with busybox applets and curl only. */
function setup(kbsUrl: string): Setup {
  const dir = mkdtempSync(join(tmpdir(), 'kbs-provision-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const applet of ['sh', 'base64', 'tr', 'cat', 'cut', 'date', 'sed', 'sleep']) symlinkSync(tool('busybox'), join(bin, applet));
  symlinkSync(tool('curl'), join(bin, 'curl'));
  for (const sub of ['script', 'policies', 'admin-policies', 'admin-resources', 'resources', 'work']) mkdirSync(join(dir, sub));
  writeFileSync(join(dir, 'script', 'provision.sh'), script);
  writeFileSync(join(dir, 'script', 'resources.txt'), resourceList);
  writeFileSync(join(dir, 'script', 'reference-values.txt'), referenceValues);
  for (const [key, text] of Object.entries(policies)) writeFileSync(join(dir, 'policies', key), text);
  writeFileSync(join(dir, 'admin-policies', 'token'), `${POLICY_TOKEN}\n`);
  writeFileSync(join(dir, 'admin-resources', 'token'), `${RESOURCE_TOKEN}\n`);
  const resources: Record<string, Buffer> = {};
  for (const r of env.config.kbs.resources) {
    mkdirSync(join(dir, 'resources', r.secretName), { recursive: true });
    // 32 random bytes, as an image key: binary, not text.
    resources[r.path] = randomBytes(32);
    writeFileSync(join(dir, 'resources', r.secretName, r.secretKey), resources[r.path]);
  }
  const vars = {
    ...jobEnv,
    KBS_URL: kbsUrl,
    POLICY_TOKEN_FILE: join(dir, 'admin-policies', 'token'),
    RESOURCE_TOKEN_FILE: join(dir, 'admin-resources', 'token'),
    REFERENCE_VALUES_FILE: join(dir, 'script', 'reference-values.txt'),
    POLICY_DIR: join(dir, 'policies'),
    RESOURCES_FILE: join(dir, 'script', 'resources.txt'),
    RESOURCE_DIR: join(dir, 'resources'),
    WORK_DIR: join(dir, 'work'),
    PATH: bin,
  };
  return { dir, vars, resources };
}

function runScript(s: Setup, extra: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(tool('busybox'), ['sh', join(s.dir, 'script', 'provision.sh')], { env: { ...s.vars, ...extra }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

function newState(): KbsState {
  return { referenceValues: {}, attestationPolicies: {}, resources: {}, requests: [] };
}

describe('provision.sh (rendered, coco-dev)', () => {
  let server: Server;
  let state: KbsState;
  let url: string;

  beforeAll(async () => {
    server = createHttpServer((req, res) => fakeKbs(state)(req, res));
    url = `http://127.0.0.1:${await listen(server)}`;
  });
  afterAll(() => server.close());
  beforeEach(() => {
    state = newState();
  });

  it('is clean for shellcheck as POSIX sh', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kbs-sc-'));
    writeFileSync(join(dir, 'provision.sh'), script);
    const r = run('shellcheck', ['--shell=sh', '--severity=style', join(dir, 'provision.sh')]);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
    rmSync(dir, { recursive: true });
  });

  it('uploads both policies, then every resource, byte for byte', async () => {
    const s = setup(url);
    const r = await runScript(s);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`kbs-provision: stored 0 reference values, 2 policies and ${env.config.kbs.resources.length} resources`);
    expect(state.resourcePolicy).toBe(policies['resource-policy.rego']);
    expect(state.attestationPolicies).toEqual({ default_cpu: policies['attestation-policy.rego'] });
    expect(state.resources).toEqual(s.resources);
    expect(state.requests.map((q) => `${q.url} ${q.status}`)).toEqual([
      '/kbs/v0/attestation-policy 200',
      '/kbs/v0/resource-policy 200',
      ...env.config.kbs.resources.map((res) => `/kbs/v0/resource/${res.path} 200`),
    ]);
  });

  it('is idempotent: a second run stores the same state', async () => {
    const s = setup(url);
    expect((await runScript(s)).code).toBe(0);
    const first = structuredClone({ ...state, requests: [] });
    expect((await runScript(s)).code).toBe(0);
    expect({ ...state, requests: [] }).toEqual(first);
    expect(state.requests).toHaveLength(2 * (2 + env.config.kbs.resources.length));
  });

  it('registers the reference values in the RVPS before the policies that appraise against them', async () => {
    const measured = loadEnv('bare-metal', (c) => {
      c.kbs.attestation.acceptUnmeasured = undefined;
      c.kbs.attestation.measurements = [
        { tee: 'tdx', claim: 'quote.body.mr_td', values: ['aa', 'bb'] },
        { tee: 'snp', claim: 'measurement', values: ['cc'] },
      ];
    });
    const s = setup(url);
    writeFileSync(join(s.dir, 'script', 'reference-values.txt'), configMapData(kbsObjects(measured), 'kbs-provision')['reference-values.txt']);
    const r = await runScript(s);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('kbs-provision: stored 2 reference values, 2 policies');
    expect(state.referenceValues).toEqual({ 'tdx.quote.body.mr_td': ['aa', 'bb'], 'snp.measurement': ['cc'] });
    expect(state.requests.slice(0, 3).map((q) => `${q.url} ${q.status}`)).toEqual(['/kbs/v0/reference-value 200', '/kbs/v0/reference-value 200', '/kbs/v0/attestation-policy 200']);
  });

  it('names a missing resource Secret and uploads nothing', async () => {
    const s = setup(url);
    const missing = env.config.kbs.resources[1];
    rmSync(join(s.dir, 'resources', missing.secretName), { recursive: true });
    const r = await runScript(s);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`kbs-provision: missing resource ${missing.path}: Secret ${env.config.kbs.namespace}/${missing.secretName}, key ${missing.secretKey}`);
    expect(r.stderr).toContain('nothing uploaded: create the missing Secrets (docs/kbs.md), then sync again');
    expect(state.requests).toEqual([]);
  });

  it('names a missing admin token Secret and uploads nothing', async () => {
    const s = setup(url);
    rmSync(join(s.dir, 'admin-resources', 'token'));
    const r = await runScript(s);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`kbs-provision: missing resource admin token: Secret ${env.config.kbs.namespace}/${env.config.kbs.admin.resourceTokenSecretName}, key token`);
    expect(state.requests).toEqual([]);
  });

  it.each([
    ['lives longer than kbs.admin.maxTokenHours', jwt('policy-admin', 25 * 3600), /lives 90000s, longer than kbs.admin.maxTokenHours \(86400s\)/],
    ['has expired', jwt('policy-admin', 3600, 7200), /has expired: mint a new one/],
    ['has no iat and exp', 'eyJhbGciOiJFZERTQSJ9.eyJyb2xlIjoicG9saWN5LWFkbWluIn0.c2ln', /has no iat and exp/],
  ])('refuses a token that %s and uploads nothing', async (_, token, message) => {
    const s = setup(url);
    writeFileSync(join(s.dir, 'admin-policies', 'token'), `${token}\n`);
    const r = await runScript(s);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain(`Secret ${env.config.kbs.namespace}/${env.config.kbs.admin.policyTokenSecretName}`);
    expect(state.requests).toEqual([]);
  });

  it('each role can do only its job: the resource token cannot set policies, the policy token cannot upload resources', async () => {
    const s = setup(url);
    writeFileSync(join(s.dir, 'admin-policies', 'token'), `${RESOURCE_TOKEN}\n`);
    const r = await runScript(s);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('kbs-provision: POST /kbs/v0/attestation-policy failed');
    expect(r.stderr).toContain('role not allowed for path');
    const swapped = setup(url);
    writeFileSync(join(swapped.dir, 'admin-resources', 'token'), `${POLICY_TOKEN}\n`);
    state = newState();
    const q = await runScript(swapped);
    expect(q.code).toBe(1);
    expect(q.stderr).toContain(`kbs-provision: POST /kbs/v0/resource/${env.config.kbs.resources[0].path} failed`);
    expect(state.resources).toEqual({});
  });

  it('fails with the KBS answer when the token is refused', async () => {
    const s = setup(url);
    writeFileSync(join(s.dir, 'admin-policies', 'token'), `${jwt('not-issued-by-the-operator')}\n`);
    const r = await runScript(s);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('kbs-provision: POST /kbs/v0/attestation-policy failed');
    expect(r.stderr).toContain('AdminAccessDenied');
    expect(state.resources).toEqual({});
  });

  it('fails when KBS is unreachable, after waiting for it', async () => {
    const s = setup('http://127.0.0.1:9');
    const started = Date.now();
    const r = await runScript(s, { KBS_WAIT_SECONDS: '3' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('kbs-provision: KBS at http://127.0.0.1:9 did not answer /healthz within 3s');
    // The script's deadline is on date +%s, a whole-second clock: it waits more than 2 s and gives up after 3.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
  }, 90_000);

  it('waits for a KBS that is still starting (plain helm install), then provisions', async () => {
    state = newState();
    const late = createHttpServer((req, res) => fakeKbs(state)(req, res));
    const port = await listen(late);
    late.close();
    // Nothing listens for the first 3 seconds; then KBS comes up on the same port.
    const s = setup(`http://127.0.0.1:${port}`);
    const run = runScript(s, { KBS_WAIT_SECONDS: '60' });
    await new Promise((r) => setTimeout(r, 3000));
    const server2 = createHttpServer((req, res) => fakeKbs(state)(req, res));
    await new Promise<void>((resolve) => server2.listen(port, '127.0.0.1', resolve));
    try {
      const r = await run;
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(state.resources).toEqual(s.resources);
    } finally {
      server2.close();
    }
  }, 90_000);
});

describe('provision.sh over HTTPS, trusting ca.crt of the KBS certificate Secret', () => {
  it('uploads through TLS and refuses a KBS whose certificate is not from that CA', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kbs-tls-'));
    const ssl = (args: string[]) => expect(run('openssl', args, { cwd: dir }).code).toBe(0);
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    ssl(['req', '-x509', ...ec, '-days', '1', '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=test CA']);
    ssl(['req', ...ec, '-keyout', 'tls.key', '-out', 'tls.csr', '-subj', '/CN=localhost']);
    writeFileSync(join(dir, 'ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\n');
    ssl(['x509', '-req', '-in', 'tls.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'ext', '-out', 'tls.crt']);
    ssl(['req', '-x509', ...ec, '-days', '1', '-keyout', 'other.key', '-out', 'other.crt', '-subj', '/CN=other CA']);

    const state = newState();
    const server = createHttpsServer({ key: readFileSync(join(dir, 'tls.key')), cert: readFileSync(join(dir, 'tls.crt')) }, (req, res) => fakeKbs(state)(req, res));
    try {
      const port = await listen(server);
      const s = setup(`https://127.0.0.1:${port}`);
      const tls = join(s.dir, 'tls');
      mkdirSync(tls);
      writeFileSync(join(tls, 'tls.crt'), readFileSync(join(dir, 'tls.crt')));
      writeFileSync(join(tls, 'ca.crt'), readFileSync(join(dir, 'ca.crt')));
      const ok = await runScript(s, { TLS_DIR: tls, TLS_SECRET: 'kbs-tls' });
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      expect(state.resources).toEqual(s.resources);

      writeFileSync(join(tls, 'ca.crt'), readFileSync(join(dir, 'other.crt')));
      const before = state.requests.length;
      const bad = await runScript(s, { TLS_DIR: tls, TLS_SECRET: 'kbs-tls' });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/certificate/i);
      expect(state.requests.length).toBe(before);
    } finally {
      server.close();
    }
  }, 90_000);
});
