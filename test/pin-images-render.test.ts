// Offline half of image pinning: references, the lock file, registry credentials, and how the
// renderer applies the lock to every image it renders (containers and upstream chart values),
// reports it in POSTURE.md and refuses unpinned images under requireDigests.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnvironment, type LoadedEnvironment } from '../src/config/load';
import { formatProblem, UserInputError } from '../src/config/errors';
import { buildManifests } from '../src/k8s/bundle';
import { chartImageOf, chartImageValue, hasDigest, parseImageRef, pinnedImage } from '../src/shared/image-ref';
import { VERSIONS } from '../src/shared/versions';
import { formatImageLock, IMAGE_LOCK_FILE, parseImageLock, readImageLock } from '../src/images/lock-file';
import { parseDockerConfig, registryOfAuthKey } from '../src/images/docker-config';
import { imageSlots } from '../src/images/image-slots';
import { chartImage, chartImageOfValue, type ChartImageShape } from '../src/images/chart-image-values';
import { imagesToPin, lockChanges, resolveImages } from '../src/images/pin-images';
import { RegistryError } from '../src/images/registry-client';
import { requireDigestsProblems } from '../src/images/require-digests';
import { postureReport } from '../src/render/posture';
import { validateSemantics } from '../src/render/semantic-rules';
import type { K8sObject } from '../src/shared/k8s-object';
import { makeTempRepo, readEnvFile } from './support/repo';
import { repoRoot } from './support/tools';

const SHIPPED = ['azure-tdx', 'aks-cvm', 'coco-dev', 'azure-tdx-lab', 'bare-metal'];
/** A digest per test image (never a real one: only the registry can say those). */
const fakeDigest = (seed: string) => `sha256:${Buffer.from(seed).toString('hex').padEnd(64, '0').slice(0, 64)}`;
const objectsOf = (env: LoadedEnvironment, lock?: ReadonlyMap<string, string>) => buildManifests(env, lock).flatMap((f) => f.objects);
const problemLines = (f: () => unknown): string[] => {
  try {
    f();
  } catch (e) {
    if (e instanceof UserInputError) return e.problems.map(formatProblem);
    throw e;
  }
  return [];
};

describe('image references', () => {
  it('parses registries, Docker Hub names, ports, tags and digests', () => {
    const digest = fakeDigest('x');
    expect(parseImageRef('busybox:1.37.0')).toEqual({ name: 'busybox', registry: 'docker.io', repository: 'library/busybox', tag: '1.37.0' });
    expect(parseImageRef('docker.io/library/busybox:1.37.0')).toMatchObject({ registry: 'docker.io', repository: 'library/busybox' });
    expect(parseImageRef('docker.io/curlimages/curl:8.11.1')).toMatchObject({ registry: 'docker.io', repository: 'curlimages/curl', tag: '8.11.1' });
    expect(parseImageRef('127.0.0.1:5000/test/app')).toEqual({ name: '127.0.0.1:5000/test/app', registry: '127.0.0.1:5000', repository: 'test/app' });
    expect(parseImageRef(`ghcr.io/a/b:v1@${digest}`)).toEqual({ name: 'ghcr.io/a/b', registry: 'ghcr.io', repository: 'a/b', tag: 'v1', digest });
    for (const bad of ['', 'UPPER/case:1', 'ghcr.io/a/b@sha256:short', 'a/b:bad tag', 'ghcr.io/']) expect(parseImageRef(bad)).toBeUndefined();
  });

  it('pins a tag the lock knows, leaves others and existing digests alone', () => {
    const lock = new Map([['docker.io/library/busybox:1.37.0', fakeDigest('busybox')]]);
    expect(pinnedImage('docker.io/library/busybox:1.37.0', lock)).toBe(`docker.io/library/busybox:1.37.0@${fakeDigest('busybox')}`);
    expect(pinnedImage('docker.io/library/busybox:1.36.0', lock)).toBe('docker.io/library/busybox:1.36.0');
    const given = `docker.io/library/busybox:1.37.0@${fakeDigest('mine')}`;
    expect(pinnedImage(given, lock)).toBe(given);
    expect([hasDigest(given), hasDigest('docker.io/library/busybox:1.37.0')]).toEqual([true, false]);
  });

  it("splits an image into kata-deploy's {reference, tag} values and back, by its helpers' rule", () => {
    expect(chartImageValue('quay.io/kata-containers/kubectl:v1.37.1')).toEqual({ reference: 'quay.io/kata-containers/kubectl', tag: 'v1.37.1' });
    const pinned = `quay.io/kata-containers/kubectl:v1.37.1@${fakeDigest('k')}`;
    // With a digest the helper renders `reference` alone, so the digest must be inside it.
    expect(chartImageValue(pinned)).toEqual({ reference: pinned, tag: 'v1.37.1' });
    expect(chartImageOf(chartImageValue(pinned))).toBe(pinned);
    expect(chartImageOf({ reference: 'quay.io/kata-containers/kata-deploy', tag: '4.0.0' })).toBe('quay.io/kata-containers/kata-deploy:4.0.0');
    expect(() => chartImageValue('quay.io/kata-containers/kubectl')).toThrow('needs a tag');
  });

  it.each<[ChartImageShape, unknown, unknown]>([
    ['reference-tag', { reference: 'quay.io/a/b', tag: '1' }, { reference: 'quay.io/a/b:1@D', tag: '1' }],
    // The peerpods chart renders name:tag (no digest field): the pin rides in the tag.
    ['name-tag', { name: 'quay.io/a/b', tag: '1' }, { name: 'quay.io/a/b', tag: '1@D' }],
    ['repository-tag', { repository: 'quay.io/a/b', tag: '1' }, { repository: 'quay.io/a/b', tag: '1@D' }],
    // cert-manager's helper renders repository:tag@digest from its own digest field.
    ['repository-tag-digest', { repository: 'quay.io/a/b', tag: '1' }, { repository: 'quay.io/a/b', tag: '1', digest: 'D' }],
    ['reference', 'quay.io/a/b:1', 'quay.io/a/b:1@D'],
  ])('%s chart values: written and read back by the chart template rule, with and without a digest', (shape, plain, pinnedValue) => {
    const digest = fakeDigest('x');
    const withDigest = (v: unknown): unknown => JSON.parse(JSON.stringify(v).replace(/D/g, digest));
    expect(chartImage(shape, 'quay.io/a/b:1')).toEqual(plain);
    expect(chartImage(shape, `quay.io/a/b:1@${digest}`)).toEqual(withDigest(pinnedValue));
    expect(chartImageOfValue(shape, plain)).toBe('quay.io/a/b:1');
    expect(chartImageOfValue(shape, withDigest(pinnedValue))).toBe(`quay.io/a/b:1@${digest}`);
    expect(chartImageOfValue(shape, shape === 'reference' ? { image: 'x' } : 'quay.io/a/b:1')).toBeUndefined();
    expect(() => chartImage(shape, 'quay.io/a/b')).toThrow('needs a tag');
  });
});

describe('config/images.lock.yaml', () => {
  it('is written sorted, one entry a line, after a header saying how to refresh it, and reads back the same', () => {
    const lock = new Map([['quay.io/b/c:2', fakeDigest('b')], ['docker.io/a/b:1', fakeDigest('a')]]);
    const text = formatImageLock(lock);
    expect(text.split('\n').filter((l) => !l.startsWith('#'))).toEqual([`"docker.io/a/b:1": "${fakeDigest('a')}"`, `"quay.io/b/c:2": "${fakeDigest('b')}"`, '']);
    expect(text).toContain('npm run pin-images');
    expect(parseImageLock(text)).toEqual(lock);
    expect(formatImageLock(new Map())).toMatch(/\n\{\}\n$/);
  });

  it('the shipped lock is valid, in the form pin-images writes, and holds only images some environment renders', () => {
    const text = readFileSync(join(repoRoot(), IMAGE_LOCK_FILE), 'utf8');
    const lock = parseImageLock(text);
    expect(formatImageLock(lock)).toBe(text);
    const rendered = new Set(imagesToPin(SHIPPED.map((n) => loadEnvironment(repoRoot(), n))).refs);
    expect([...lock.keys()].filter((ref) => !rendered.has(ref))).toEqual([]);
  });

  it('refuses malformed entries, one line each with its position', () => {
    const text = ['# header', `"docker.io/a/b:1": "sha256:nothex"`, `"docker.io/a/b": "${fakeDigest('x')}"`, `"docker.io/a/c:1@${fakeDigest('y')}": "${fakeDigest('y')}"`, ''].join('\n');
    expect(problemLines(() => parseImageLock(text))).toEqual([
      'config/images.lock.yaml:2:1: /docker.io~1a~1b:1: expected a digest sha256:<64 lowercase hex digits>, found string "sha256:nothex"',
      'config/images.lock.yaml:3:1: /docker.io~1a~1b: expected an image reference with a tag and no digest (repository:tag) as key, found string "docker.io/a/b"',
      expect.stringMatching(/^config\/images\.lock\.yaml:4:1: \/docker\.io~1a~1c:1@sha256:[0-9a-f]{64}: expected an image reference with a tag and no digest/),
    ]);
    expect(problemLines(() => parseImageLock('- a\n'))).toEqual(['config/images.lock.yaml:1:1: /: expected a mapping of image references (repository:tag) to sha256 digests, found a list (1 item)']);
  });

  it('a repository without the file has an empty lock', () => {
    expect(readImageLock(join(repoRoot(), 'test/fixtures')).size).toBe(0);
  });
});

describe('registry credentials from a Docker config.json', () => {
  it('reads auth and username/password entries; Docker Hub answers to all its names', () => {
    const lookup = parseDockerConfig(
      JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: Buffer.from('hub-user:hub:pass').toString('base64') }, 'ghcr.io': { username: 'gh', password: 'token' }, 'quay.io': {} } }),
      'config.json',
    );
    expect(lookup('docker.io')).toEqual({ username: 'hub-user', password: 'hub:pass' });
    expect(lookup('ghcr.io')).toEqual({ username: 'gh', password: 'token' });
    expect(lookup('quay.io')).toBeUndefined();
    expect(['registry-1.docker.io', 'https://ghcr.io/', 'http://127.0.0.1:5000/v2/'].map(registryOfAuthKey)).toEqual(['docker.io', 'ghcr.io', '127.0.0.1:5000']);
  });

  it('names the entry that is malformed, never its secret', () => {
    const lines = problemLines(() => parseDockerConfig(JSON.stringify({ auths: { 'ghcr.io': { auth: Buffer.from('no-colon-secret').toString('base64') }, 'quay.io': { user: 'x' } } }), 'my.json'));
    expect(lines).toEqual(['my.json: /auths/ghcr.io/auth: expected base64 of "user:password", found base64 without a colon after decoding', 'my.json: /auths/quay.io: expected an "auth" (base64 of user:password) or "username" and "password", found keys user']);
    expect(lines.join('\n')).not.toContain('no-colon-secret');
    expect(problemLines(() => parseDockerConfig('{', 'my.json'))[0]).toMatch(/^my\.json: \/: expected a Docker config\.json \(JSON\), found /);
  });
});

describe('rendered images', () => {
  const envs = Object.fromEntries(SHIPPED.map((n) => [n, loadEnvironment(repoRoot(), n)]));

  it('the CoCo chart values set both kata-deploy images, pinned to a version (kubectlImage defaults to latest upstream)', () => {
    for (const name of ['coco-dev', 'bare-metal']) {
      const chart = imageSlots(objectsOf(envs[name])).filter((s) => s.chartValue);
      expect(chart.map((s) => [s.path, s.image])).toEqual([
        ['/spec/source/helm/valuesObject/kata-as-coco-runtime/image', 'quay.io/kata-containers/kata-deploy:4.0.0'],
        ['/spec/source/helm/valuesObject/kata-as-coco-runtime/kubectlImage', 'quay.io/kata-containers/kubectl:v1.37.1'],
      ]);
    }
    expect(VERSIONS.kataDeployImage).toBe(`quay.io/kata-containers/kata-deploy:${VERSIONS.kata}`);
  });

  it('no shipped environment renders an image, container or chart value, at latest or without a tag', () => {
    for (const env of Object.values(envs)) {
      for (const slot of imageSlots(objectsOf(env))) expect({ env: env.name, image: slot.image, ok: /:(?!latest$)[\w][\w.-]*$/.test(slot.image) }).toEqual({ env: env.name, image: slot.image, ok: true });
    }
  });

  it('pin-images collects every tag once, platform images included, sorted', () => {
    const { refs, problems } = imagesToPin(Object.values(envs));
    expect(problems).toEqual([]);
    expect(refs).toEqual([...new Set(refs)].sort());
    expect(refs).toEqual(expect.arrayContaining([VERSIONS.kbsImage, VERSIONS.curlImage, VERSIONS.busyboxImage, VERSIONS.kataDeployImage, VERSIONS.kataKubectlImage]));
  });

  it('the lock pins every image the bundle renders, containers and chart values, and nothing else changes', () => {
    const env = envs['coco-dev'];
    const lock = new Map(imagesToPin([env]).refs.map((ref) => [ref, fakeDigest(ref)]));
    const plain = objectsOf(env);
    const pinned = objectsOf(env, lock);
    const slots = imageSlots(pinned);
    expect(slots.length).toBeGreaterThan(5);
    for (const slot of slots) expect(slot.image).toMatch(/:[\w.-]+@sha256:[0-9a-f]{64}$/);
    const app = pinned.find((o) => o.kind === 'Application' && o.metadata.name === 'coco-dev-coco-runtime') as K8sObject & { spec: { source: { helm: { valuesObject: Record<string, Record<string, unknown>> } } } };
    expect(app.spec.source.helm.valuesObject['kata-as-coco-runtime'].kubectlImage).toEqual({ reference: `${VERSIONS.kataKubectlImage}@${fakeDigest(VERSIONS.kataKubectlImage)}`, tag: 'v1.37.1' });
    // Only the image fields differ: without their digests, the objects are the unpinned ones.
    for (const slot of slots) slot.set(slot.image.replace(/@sha256:[0-9a-f]{64}$/, ''));
    expect(pinned).toEqual(plain);
  });

  it('the image-pinned rule covers upstream chart values', () => {
    const app = objectsOf(envs['coco-dev']).find((o) => o.kind === 'Application' && o.metadata.name === 'coco-dev-coco-runtime') as K8sObject & { spec: { source: { helm: { valuesObject: Record<string, Record<string, unknown>> } } } };
    const values = app.spec.source.helm.valuesObject['kata-as-coco-runtime'];
    values.kubectlImage = { reference: 'quay.io/kata-containers/kubectl', tag: 'latest' };
    const problems = validateSemantics([app], { externalNamespaces: ['argocd'] }).filter((p) => p.rule === 'image-pinned');
    expect(problems).toEqual([
      {
        object: 'Application/argocd/coco-dev-coco-runtime',
        rule: 'image-pinned',
        path: '/spec/source/helm/valuesObject/kata-as-coco-runtime/kubectlImage',
        message: 'expected a chart image value with a tag other than "latest" or an @sha256: digest; found "quay.io/kata-containers/kubectl:latest"',
      },
    ]);
  });
});

describe('POSTURE.md and requireDigests', () => {
  it('lists every image with its digest status and users', () => {
    const env = loadEnvironment(repoRoot(), 'coco-dev');
    const report = postureReport(env, buildManifests(env));
    const section = report.slice(report.indexOf('## Images'), report.indexOf('## Policies'));
    expect(section).toContain('| `quay.io/kata-containers/kubectl:v1.37.1` | **not pinned by digest** (run `npm run pin-images`) | Application/argocd/coco-dev-coco-runtime chart value kata-as-coco-runtime.kubectlImage |');
    expect(section).toContain(`| \`${VERSIONS.kbsImage}\` | **not pinned by digest** (run \`npm run pin-images\`) | Deployment/coco-tenant/kbs container kbs |`);
    expect(section).toMatch(/(\d+) of \1 not pinned by digest; `requireDigests` is off\./);
    const lock = new Map([[VERSIONS.kbsImage, fakeDigest('kbs')]]);
    const pinned = postureReport(env, buildManifests(env, lock));
    expect(pinned).toContain(`| \`${VERSIONS.kbsImage}@${fakeDigest('kbs')}\` | pinned by digest | Deployment/coco-tenant/kbs container kbs |`);
  });

  it('requireDigests points at the switch for each unpinned image, and is satisfied by a full lock', () => {
    const dir = makeTempRepo();
    writeFileSync(join(dir, 'config/environments/coco-dev.yaml'), `${readEnvFile('coco-dev')}requireDigests: true\n`);
    const env = loadEnvironment(dir, 'coco-dev');
    const line = readEnvFile('coco-dev').split('\n').length;
    const problems = requireDigestsProblems(dir, env, objectsOf(env)).map(formatProblem);
    expect(problems).toHaveLength(imagesToPin([env]).refs.length);
    expect(problems).toContain(
      `config/environments/coco-dev.yaml:${line}:1: /requireDigests: expected every rendered image pinned by digest (run npm run pin-images to record it in config/images.lock.yaml, or give the digest in this file), found ${VERSIONS.kataKubectlImage} without a digest, used by Application/argocd/coco-dev-coco-runtime chart value kata-as-coco-runtime.kubectlImage`,
    );
    const full = new Map(imagesToPin([env]).refs.map((ref) => [ref, fakeDigest(ref)]));
    expect(requireDigestsProblems(dir, env, objectsOf(env, full))).toEqual([]);
    const off = loadEnvironment(repoRoot(), 'coco-dev');
    expect(off.config.requireDigests).toBe(false);
    expect(requireDigestsProblems(repoRoot(), off, objectsOf(off))).toEqual([]);
  });
});

describe('resolving and comparing (with a stand-in registry)', () => {
  it('returns a lock only when every image resolved, and every failure in reference order', async () => {
    const ok = await resolveImages(['b:1', 'a:1'], {}, async (ref) => fakeDigest(ref));
    expect(ok).toEqual({ lock: new Map([['b:1', fakeDigest('b:1')], ['a:1', fakeDigest('a:1')]]), problems: [] });
    const failing = await resolveImages(['a:1', 'b:1', 'c:1'], {}, async (ref) => {
      if (ref !== 'b:1') throw new RegistryError(ref, 'an answer', 'connection refused');
      return fakeDigest(ref);
    });
    expect(failing.lock).toBeUndefined();
    expect(failing.problems.map(formatProblem)).toEqual([
      'config/images.lock.yaml: /a:1: expected an answer (to resolve a:1), found connection refused',
      'config/images.lock.yaml: /c:1: expected an answer (to resolve c:1), found connection refused',
    ]);
  });

  it('tells added, changed and removed entries apart', () => {
    const before = new Map([['a:1', fakeDigest('1')], ['b:1', fakeDigest('2')], ['c:1', fakeDigest('3')]]);
    const after = new Map([['a:1', fakeDigest('1')], ['b:1', fakeDigest('4')], ['d:1', fakeDigest('5')]]);
    expect(lockChanges(before, after).map((c) => [c.kind, c.ref])).toEqual([['changed', 'b:1'], ['removed', 'c:1'], ['added', 'd:1']]);
  });
});
