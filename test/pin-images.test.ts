// `npm run pin-images` against registries on loopback only: a real one (Debian's docker-registry,
// images pushed with skopeo) for digests and the command end to end, and a small fake one for the
// token and Basic authentication flows. Every server is started here and stopped after the tests.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { RegistryError, resolveDigest, registryEndpoint } from '../src/images/registry-client';
import { parseDockerConfig } from '../src/images/docker-config';
import { parseImageLock } from '../src/images/lock-file';
import { freePort, pushImage, startRegistry, type LocalRegistry } from './support/local-registry';
import { runSynth } from './support/repo';
import { repoRoot } from './support/tools';

jest.setTimeout(60_000);

let registry: LocalRegistry;
beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(async () => {
  await registry?.stop();
});

/** The RegistryError a promise rejects with (fails the test when it resolves). */
async function failure(p: Promise<unknown>): Promise<RegistryError> {
  const e = await p.then(
    (v) => new Error(`resolved to ${String(v)}`),
    (e: unknown) => e,
  );
  if (!(e instanceof RegistryError)) throw e;
  return e;
}

describe('resolveDigest against a registry on loopback', () => {
  it('resolves a tag to the digest skopeo reports, and follows the tag when it moves', async () => {
    const ref = `${registry.host}/test/resolve:1.0`;
    const first = pushImage(ref, 'first build');
    expect(first).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(await resolveDigest(ref)).toBe(first);
    const second = pushImage(ref, 'second build');
    expect(second).not.toBe(first);
    expect(await resolveDigest(ref)).toBe(second);
  });

  it('reports an unknown tag with the HTTP status and the registry error code', async () => {
    pushImage(`${registry.host}/test/unknown:1.0`, 'x');
    const e = await failure(resolveDigest(`${registry.host}/test/unknown:9.9`));
    expect(e.expected).toBe(`a manifest for the tag at http://${registry.host}`);
    expect(e.found).toBe('HTTP 404 Not Found (MANIFEST_UNKNOWN: manifest unknown)');
  });

  it('reports a registry nobody answers for', async () => {
    const port = await freePort();
    const e = await failure(resolveDigest(`127.0.0.1:${port}/test/app:1.0`));
    expect([e.expected, e.found]).toEqual([`an answer from http://127.0.0.1:${port}`, 'connection refused']);
  });

  it('speaks HTTPS to every registry but loopback, and Docker Hub through registry-1.docker.io', () => {
    expect(registryEndpoint('docker.io')).toBe('https://registry-1.docker.io');
    expect(registryEndpoint('ghcr.io')).toBe('https://ghcr.io');
    expect(registryEndpoint('registry.example.com:5000')).toBe('https://registry.example.com:5000');
    expect(registryEndpoint('127.0.0.1:5000')).toBe('http://127.0.0.1:5000');
    expect(registryEndpoint('localhost:5000')).toBe('http://localhost:5000');
  });
});

describe('authentication (a fake registry on loopback)', () => {
  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', layers: [] });
  const manifestDigest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const tokenRequests: { query: URLSearchParams; authorization?: string }[] = [];
  let server: Server;
  let host: string;

  beforeAll(async () => {
    const port = await freePort();
    host = `127.0.0.1:${port}`;
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', `http://${host}`);
      if (url.pathname === '/token') {
        tokenRequests.push({ query: url.searchParams, authorization: req.headers.authorization });
        // Private repositories need the user's credentials; public ones take anonymous tokens.
        const allowed = url.searchParams.get('scope')?.includes('private/') ? req.headers.authorization === basic('alice', 's3cret') : true;
        res.writeHead(allowed ? 200 : 401, { 'Content-Type': 'application/json' }).end(allowed ? JSON.stringify({ token: 'pull-token' }) : '{}');
        return;
      }
      const m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
      const repo = m?.[1] ?? '';
      if (repo.startsWith('basic/')) {
        if (req.headers.authorization !== basic('alice', 's3cret')) return void res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fake"' }).end();
      } else if (req.headers.authorization !== 'Bearer pull-token') {
        return void res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://${host}/token",service="fake-registry",scope="repository:${repo}:pull"` }).end();
      }
      // No Docker-Content-Digest header: the client must hash the manifest it GETs.
      res.writeHead(200, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json', 'Content-Length': Buffer.byteLength(manifest) });
      res.end(req.method === 'HEAD' ? undefined : manifest);
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });
  beforeEach(() => tokenRequests.splice(0));

  const config = (auths: Record<string, unknown>) => parseDockerConfig(JSON.stringify({ auths }), 'config.json');

  it('takes an anonymous token for the scope the challenge names, and hashes the manifest when no digest header comes', async () => {
    expect(await resolveDigest(`${host}/public/app:1.0`)).toBe(manifestDigest);
    expect(tokenRequests.map((r) => [r.query.get('service'), r.query.get('scope'), r.authorization])).toEqual([['fake-registry', 'repository:public/app:pull', undefined]]);
  });

  it('sends the credentials of the Docker config to the token realm', async () => {
    const credentials = config({ [`http://${host}`]: { auth: Buffer.from('alice:s3cret').toString('base64') } });
    expect(await resolveDigest(`${host}/private/app:1.0`, { credentials })).toBe(manifestDigest);
    expect(tokenRequests.map((r) => r.authorization)).toEqual([basic('alice', 's3cret')]);
  });

  it('refuses wrong or missing credentials with one clear line', async () => {
    const wrong = config({ [host]: { username: 'alice', password: 'guess' } });
    const e = await failure(resolveDigest(`${host}/private/app:1.0`, { credentials: wrong }));
    expect([e.expected, e.found]).toEqual([`a pull token from http://${host} for the credentials given`, 'HTTP 401 Unauthorized']);
    const anonymous = await failure(resolveDigest(`${host}/basic/app:1.0`));
    expect(anonymous.expected).toBe(`credentials for ${host} (--registry-config <docker config.json>)`);
  });

  it('answers a Basic challenge with the credentials', async () => {
    const credentials = config({ [host]: { username: 'alice', password: 's3cret' } });
    expect(await resolveDigest(`${host}/basic/app:1.0`, { credentials })).toBe(manifestDigest);
    expect(tokenRequests).toEqual([]);
  });
});

describe('npm run pin-images', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  /** A repository whose one environment renders only `images` (insecurity demos, no other component). */
  function repoWith(images: { secretApp: string; shell: string }, extra = ''): string {
    const dir = mkdtempSync(join(tmpdir(), 'coco-pin-'));
    roots.push(dir);
    mkdirSync(join(dir, 'config/environments'), { recursive: true });
    const env = [
      'profile: dev',
      'infrastructure:',
      '  provider: none',
      'kbs:',
      '  enabled: false',
      'guestComponents:',
      '  enabled: false',
      'runtime:',
      '  enabled: false',
      'workloads:',
      '  namespace: pin-demo',
      '  nodeDecryption:',
      `    secretAppImage: ${images.secretApp}`,
      '  insecurityDemos:',
      `    attackerImage: ${images.secretApp}`,
      `    shellImage: ${images.shell}`,
      'gitops:',
      '  repoURL: https://github.com/example-org/coco-azure-gitops.git',
      '  targetRevision: main',
      'devSwitches:',
      '  enableInsecurityDemos: true',
      extra,
    ].join('\n');
    writeFileSync(join(dir, 'config/environments/local.yaml'), env);
    return dir;
  }

  /** pin-images as its own process, as `npm run pin-images` runs it (synth runs in this process: support/repo.ts). */
  function cli(cwd: string, entry: 'pin-images', args: string[] = []) {
    const r = spawnSync(process.execPath, [join(repoRoot(), 'scripts/run-built.js'), `build/src/cli/${entry}.js`, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  const lockOf = (dir: string) => readFileSync(join(dir, 'config/images.lock.yaml'), 'utf8');

  it('writes the digest of every rendered image, checks it, reports a moved tag, and synth renders repo:tag@digest', () => {
    const app = `${registry.host}/demo/app:1.0`;
    const shell = `${registry.host}/demo/shell:3.22`;
    const appDigest = pushImage(app, 'app');
    const shellDigest = pushImage(shell, 'shell');
    const dir = repoWith({ secretApp: app, shell });

    const pinned = cli(dir, 'pin-images');
    expect(pinned.stderr).toBe('');
    expect(pinned.code).toBe(0);
    expect(pinned.stdout.split('\n').slice(0, 2)).toEqual([`added: ${app} (registry: ${appDigest})`, `added: ${shell} (registry: ${shellDigest})`]);
    expect(parseImageLock(lockOf(dir))).toEqual(new Map([[app, appDigest], [shell, shellDigest]]));
    expect(lockOf(dir)).toContain(`\n"${app}": "${appDigest}"\n"${shell}": "${shellDigest}"\n`);

    const upToDate = cli(dir, 'pin-images', ['--check']);
    expect([upToDate.code, upToDate.stdout]).toEqual([0, expect.stringMatching(/^config\/images\.lock\.yaml is up to date: 2 images/)]);

    const rendered = runSynth(dir);
    expect(rendered.stderr).toBe('');
    expect(rendered.code).toBe(0);
    const pod = readFileSync(join(dir, 'dist/local/workloads/insecure-tenant-b/pod-tenant-b-app.yaml'), 'utf8');
    expect(pod).toContain(`image: ${shell}@${shellDigest}\n`);
    const posture = readFileSync(join(dir, 'dist/local/POSTURE.md'), 'utf8');
    expect(posture).toContain(`| \`${app}@${appDigest}\` | pinned by digest |`);
    expect(posture).toContain('0 of 2 not pinned by digest');

    const before = lockOf(dir);
    const moved = pushImage(app, 'app, rebuilt');
    const stale = cli(dir, 'pin-images', ['--check']);
    expect(stale.code).toBe(1);
    expect(stale.stdout.split('\n')[0]).toBe(`stale: ${app} (lock: ${appDigest}, registry: ${moved})`);
    expect(lockOf(dir)).toBe(before);
  });

  it('changes nothing when a registry fails, with one line per image and exit 2', async () => {
    const port = await freePort();
    const app = `127.0.0.1:${port}/demo/app:1.0`;
    const dir = repoWith({ secretApp: app, shell: `${registry.host}/demo/absent:1.0` });
    const r = cli(dir, 'pin-images');
    expect(r.code).toBe(2);
    // One line per image, sorted by reference (here the order of two random ports), then the verdict.
    const lines = r.stderr.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines).toContain(`error: config/images.lock.yaml: /127.0.0.1:${port}~1demo~1app:1.0: expected an answer from http://127.0.0.1:${port} (to resolve ${app}), found connection refused`);
    expect(lines).toContain(`error: config/images.lock.yaml: /${registry.host}~1demo~1absent:1.0: expected a manifest for the tag at http://${registry.host} (to resolve ${registry.host}/demo/absent:1.0), found HTTP 404 Not Found (MANIFEST_UNKNOWN: manifest unknown)`);
    expect(lines.slice(2)).toEqual(['error: config/images.lock.yaml left unchanged', '']);
    expect(existsSync(join(dir, 'config/images.lock.yaml'))).toBe(false);
  });

  it('requireDigests: synth refuses every image without a digest, naming the switch, until the lock has them', () => {
    const app = `${registry.host}/demo/strict:1.0`;
    const digest = pushImage(app, 'strict');
    const dir = repoWith({ secretApp: app, shell: app }, 'requireDigests: true\n');
    const refused = runSynth(dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `error: config/environments/local.yaml:22:1: /requireDigests: expected every rendered image pinned by digest (run npm run pin-images to record it in config/images.lock.yaml, or give the digest in this file), found ${app} without a digest, used by Pod/pin-demo-insecure-attacker/attacker-pod container attacker and 6 more\n`,
    );
    expect(existsSync(join(dir, 'dist'))).toBe(false);
    expect(cli(dir, 'pin-images').code).toBe(0);
    const rendered = runSynth(dir);
    expect([rendered.code, rendered.stderr]).toEqual([0, '']);
    expect(readFileSync(join(dir, 'dist/local/POSTURE.md'), 'utf8')).toContain(`| \`${app}@${digest}\` | pinned by digest |`);
  });
});
