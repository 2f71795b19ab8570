// The confidentialize library: initdata and agent policy encodings (decoded like Kata decodes them,
// and checked with the real gzip and opa), target resolution per environment, and the transform
// on every supported kind, on things a TEE cannot honour, and on bad input.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'smol-toml';
import { gzipStored } from '../src/confidentialize/gzip';
import { AGENT_POLICY_ANNOTATION, AGENT_REQUESTS, podPolicyInput, renderAgentPolicy } from '../src/confidentialize/agent-policy';
import { encodeInitdata, INITDATA_ANNOTATION, renderInitdata } from '../src/confidentialize/initdata';
import { guestKbsUrl, kataPodSettings, targetFor, type ConfidentialTarget, type KataTarget, type NodeTarget } from '../src/confidentialize/target';
import { confidentializeObjects, type JsonObject } from '../src/confidentialize/transform';
import { loadEnvironment } from '../src/config/load';
import { UserInputError } from '../src/config/errors';
import { VERSIONS } from '../src/shared/versions';
import { decodeInitdata, decodePolicyAnnotation } from './confidentialize-support';
import { repoRoot, run } from './support/tools';

const KBS = 'http://10.96.0.80:8080';
const kata: KataTarget = { kind: 'kata', environment: 'dev', runtimeClass: 'kata-qemu-coco-dev', tee: 'sample', nodeSelector: {}, kbsUrl: KBS, production: false };
const tdx: KataTarget = { ...kata, environment: 'metal', runtimeClass: 'kata-qemu-tdx', tee: 'tdx', nodeSelector: { 'intel.feature.node.kubernetes.io/tdx': 'true' }, production: true };
const nodes: NodeTarget = { kind: 'confidential-nodes', environment: 'azure', nodeSelector: { 'coco.azure/guest-components': 'enabled' }, boundary: 'TDX CVM nodes', production: true };

// A pod that needs no warning of its own: pinned image, memory limit, no service-account token.
const IMAGE = `registry.example/app:1.2.3@sha256:${'a'.repeat(64)}`;
const LIMITS = { limits: { memory: '256Mi' } };
const container = (extra: JsonObject = {}): JsonObject => ({ name: 'app', image: IMAGE, resources: LIMITS, ...extra });
const podSpec = (extra: JsonObject = {}): JsonObject => ({ automountServiceAccountToken: false, containers: [container()], ...extra });
const template = (spec: JsonObject = podSpec()): JsonObject => ({ metadata: { labels: { app: 'x' } }, spec });
const workload = (kind: string, apiVersion = 'apps/v1', spec: JsonObject = podSpec()): JsonObject =>
  kind === 'Pod' ? { apiVersion: 'v1', kind, metadata: { name: 'p' }, spec } : { apiVersion, kind, metadata: { name: kind.toLowerCase() }, spec: { template: template(spec) } };

function podTemplateOf(o: JsonObject): JsonObject {
  return o.kind === 'Pod' ? o : ((o.spec as JsonObject).template as JsonObject);
}
function annotationsOf(o: JsonObject): Record<string, string> {
  return ((podTemplateOf(o).metadata as JsonObject | undefined)?.annotations ?? {}) as Record<string, string>;
}
function specOf(o: JsonObject): JsonObject {
  return podTemplateOf(o).spec as JsonObject;
}

describe('gzip with stored blocks', () => {
  it.each([0, 1, 3000, 65535, 65536, 200_000])('round-trips %i bytes through zlib and the real gzip, byte-identically each time', (size) => {
    const data = Buffer.alloc(size, 0);
    for (let i = 0; i < size; i++) data[i] = (i * 7919) % 251;
    const gz = gzipStored(data);
    expect(gzipStored(data).equals(gz)).toBe(true);
    expect(gunzipSync(gz).equals(data)).toBe(true);
    const real = spawnSync('gzip', ['-dc'], { input: gz });
    expect(real.status).toBe(0);
    expect(Buffer.from(real.stdout).equals(data)).toBe(true);
    // No timestamp, OS "unknown": nothing machine-specific in the header.
    expect([...gz.subarray(4, 10)]).toEqual([0, 0, 0, 0, 0, 0xff]);
  });
});

describe('agent policy', () => {
  it('the committed policies/agent/agent-policy.rego is exactly what pods get', () => {
    expect(readFileSync(join(repoRoot(), 'policies/agent/agent-policy.rego'), 'utf8')).toBe(renderAgentPolicy());
  });

  it('passes opa check --strict and its opa tests', () => {
    const check = run('opa', ['check', '--strict', join(repoRoot(), 'policies/agent')]);
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
    const test = run('opa', ['test', join(repoRoot(), 'policies/agent')]);
    expect(test.stdout).toMatch(/PASS: \d+\/\d+/);
    expect(test.code).toBe(0);
  });

  it('gives every AgentService request a boolean, per opa eval; exec and SetPolicy denied unless exec is allowed', () => {
    for (const [allowExec, execExpected] of [
      [false, false],
      [true, true],
    ] as const) {
      const dir = mkdtempSync(join(tmpdir(), 'policy-'));
      writeFileSync(join(dir, 'p.rego'), renderAgentPolicy({ allowExec }));
      const r = run('opa', ['eval', '--format', 'json', '--data', join(dir, 'p.rego'), 'data.agent_policy']);
      expect(r.code).toBe(0);
      const values = (JSON.parse(r.stdout) as { result: { expressions: { value: Record<string, boolean> }[] }[] }).result[0].expressions[0].value;
      expect(Object.keys(values).sort()).toEqual(Object.keys(AGENT_REQUESTS).sort());
      expect(Object.values(values).every((v) => typeof v === 'boolean')).toBe(true);
      expect(values.ExecProcessRequest).toBe(execExpected);
      expect(values.SetPolicyRequest).toBe(false);
      expect(values.CreateContainerRequest).toBe(true);
    }
  });

  it('covers the 41 request types of agent.proto at Kata 4.0.0', () => {
    expect(Object.keys(AGENT_REQUESTS)).toHaveLength(41);
    expect(VERSIONS.kata).toBe('4.0.0');
  });
});

describe('initdata', () => {
  it('decodes (base64, gunzip, TOML) to version 0.1.0 with aa.toml, cdh.toml and policy.rego', () => {
    const policy = renderAgentPolicy();
    const decoded = decodeInitdata(encodeInitdata(renderInitdata({ kbsUrl: KBS, policy })));
    expect(decoded.version).toBe('0.1.0');
    expect(decoded.algorithm).toBe('sha256');
    expect(Object.keys(decoded.data).sort()).toEqual(['aa.toml', 'cdh.toml', 'policy.rego']);
    expect(decoded.aa).toEqual({ token_configs: { kbs: { url: KBS } } });
    expect(decoded.cdh).toEqual({ kbc: { name: 'cc_kbc', url: KBS } });
    expect(decoded.policy).toBe(policy);
  });

  it('without a KBS carries the policy only', () => {
    const decoded = decodeInitdata(encodeInitdata(renderInitdata({ policy: 'package agent_policy\n' })));
    expect(Object.keys(decoded.data)).toEqual(['policy.rego']);
  });

  it('refuses content a TOML literal string cannot hold, and control characters in URLs', () => {
    expect(() => renderInitdata({ policy: "x = '''" })).toThrow(/cannot be a TOML literal string/);
    expect(() => renderInitdata({ kbsUrl: 'http://a\nb', policy: 'p' })).toThrow(/control character/);
  });

  it('is stable: the same inputs give the same annotation', () => {
    const a = encodeInitdata(renderInitdata({ kbsUrl: KBS, policy: renderAgentPolicy() }));
    expect(encodeInitdata(renderInitdata({ kbsUrl: KBS, policy: renderAgentPolicy() }))).toBe(a);
    expect(parse(renderInitdata({ kbsUrl: KBS, policy: 'p', algorithm: 'sha384' })).algorithm).toBe('sha384');
  });

  it('legacy delivery puts the same policy into the agent policy annotation only', () => {
    const settings = kataPodSettings(kata, { legacyPolicyAnnotation: true });
    expect(Object.keys(settings.annotations)).toEqual([AGENT_POLICY_ANNOTATION]);
    expect(decodePolicyAnnotation(settings.annotations[AGENT_POLICY_ANNOTATION])).toBe(renderAgentPolicy());
  });
});

describe('targets of the shipped environments', () => {
  it('coco-dev: Kata on kata-qemu-coco-dev, KBS by fixed ClusterIP over HTTP (dev switch)', () => {
    const env = loadEnvironment(repoRoot(), 'coco-dev');
    const target = targetFor(env);
    expect(target).toMatchObject({ kind: 'kata', runtimeClass: 'kata-qemu-coco-dev', tee: 'sample', nodeSelector: {} });
    expect(guestKbsUrl(env)).toBe(`http://${env.config.kbs.serviceClusterIP}:8080`);
    expect(() => targetFor(env, 'kata-qemu-tdx')).toThrow(UserInputError);
  });

  it('azure-tdx: no Kata, pinned to the decrypting TDX workers', () => {
    expect(targetFor(loadEnvironment(repoRoot(), 'azure-tdx'))).toMatchObject({ kind: 'confidential-nodes', nodeSelector: { 'coco.azure/guest-components': 'enabled' }, production: true });
  });

  it('bare-metal: kata-qemu-tdx by default, kata-qemu-snp on request, each with its TEE host label; KBS over HTTPS', () => {
    const env = loadEnvironment(repoRoot(), 'bare-metal');
    expect(targetFor(env)).toMatchObject({ kind: 'kata', runtimeClass: 'kata-qemu-tdx', nodeSelector: { 'intel.feature.node.kubernetes.io/tdx': 'true' }, production: true });
    expect(targetFor(env, 'kata-qemu-snp')).toMatchObject({ runtimeClass: 'kata-qemu-snp', nodeSelector: { 'amd.feature.node.kubernetes.io/snp': 'true' } });
    expect(guestKbsUrl(env)).toMatch(/^https:\/\//);
  });

  it('a KBS certificate goes into aa.toml cert and cdh.toml kbs_cert', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ29jb0F6dXJlR2l0T3BzVGVzdDAKBggqhkjOPQQDAjAP\n-----END CERTIFICATE-----\n';
    const decoded = decodeInitdata(kataPodSettings({ ...tdx, kbsCertificate: pem }).annotations[INITDATA_ANNOTATION]);
    expect(decoded.aa).toEqual({ token_configs: { kbs: { url: KBS, cert: pem } } });
    expect(decoded.cdh).toEqual({ kbc: { name: 'cc_kbc', url: KBS, kbs_cert: pem } });
  });

  it('aks-cvm: no Kata, pinned to AKS confidential VM nodes', () => {
    expect(targetFor(loadEnvironment(repoRoot(), 'aks-cvm'))).toMatchObject({ kind: 'confidential-nodes', nodeSelector: { 'coco.azure/confidential-vm': 'true' } });
  });
});

describe('transform', () => {
  it.each([
    ['Deployment', 'apps/v1'],
    ['StatefulSet', 'apps/v1'],
    ['DaemonSet', 'apps/v1'],
    ['Job', 'batch/v1'],
    ['Pod', 'v1'],
  ])('%s: runtime class, initdata, images untouched', (kind, apiVersion) => {
    const input = workload(kind, apiVersion);
    const out = confidentializeObjects([input], kata);
    expect(out.problems).toEqual([]);
    const [o] = out.objects;
    expect(specOf(o).runtimeClassName).toBe('kata-qemu-coco-dev');
    const initdata = decodeInitdata(annotationsOf(o)[INITDATA_ANNOTATION]);
    expect(initdata.aa).toEqual({ token_configs: { kbs: { url: KBS } } });
    // Generated from the pod spec: only this pod's container may be created.
    expect(initdata.policy).toBe(renderAgentPolicy({ pod: podPolicyInput((input.metadata as { namespace?: string }).namespace, (kind === 'Pod' ? input.spec : ((input.spec as JsonObject).template as JsonObject).spec) as Parameters<typeof podPolicyInput>[1]) }));
    expect(initdata.policy).not.toMatch(/^default CreateContainerRequest := true/m);
    expect(initdata.policy).toMatch(/^CreateContainerRequest if \{/m);
    expect((specOf(o).containers as JsonObject[])[0].image).toBe(IMAGE);
    expect(out.changes.map((c) => c.message)).toContain(`images left unchanged: ${IMAGE}`);
    expect(out.warnings).toEqual([]);
    // The input object is not mutated.
    expect(JSON.stringify(input)).not.toContain(INITDATA_ANNOTATION);
  });

  it('TEE runtime classes also select the TEE hosts', () => {
    const [o] = confidentializeObjects([workload('Deployment')], tdx).objects;
    expect(specOf(o).nodeSelector).toEqual({ 'intel.feature.node.kubernetes.io/tdx': 'true' });
  });

  it('several documents: each one transformed', () => {
    const out = confidentializeObjects([workload('Deployment'), workload('Job', 'batch/v1')], kata);
    expect(out.objects.map((o) => o.kind)).toEqual(['Deployment', 'Job']);
  });

  it('refuses host namespaces, hostPath and privileged containers, each with its path', () => {
    const spec = podSpec({
      hostNetwork: true,
      hostPID: true,
      hostIPC: true,
      containers: [container({ securityContext: { privileged: true }, volumeMounts: [{ name: 'root', mountPath: '/host' }] })],
      volumes: [{ name: 'root', hostPath: { path: '/' } }],
    });
    const out = confidentializeObjects([workload('Deployment', 'apps/v1', spec)], kata);
    expect(out.objects).toEqual([]);
    expect(out.problems.map((p) => p.path).sort()).toEqual(
      [
        '/spec/template/spec/containers/0/securityContext/privileged',
        '/spec/template/spec/hostIPC',
        '/spec/template/spec/hostNetwork',
        '/spec/template/spec/hostPID',
        '/spec/template/spec/volumes/0/hostPath',
      ].sort(),
    );
    expect(out.problems.every((p) => p.expected.includes('--force'))).toBe(true);
  });

  it('--force strips them, with their mounts, and warns', () => {
    const spec = podSpec({
      hostNetwork: true,
      containers: [container({ securityContext: { privileged: true }, volumeMounts: [{ name: 'root', mountPath: '/host' }, { name: 'data', mountPath: '/data' }] })],
      volumes: [{ name: 'root', hostPath: { path: '/' } }, { name: 'data', emptyDir: {} }],
    });
    const out = confidentializeObjects([workload('Deployment', 'apps/v1', spec)], kata, { force: true });
    expect(out.problems).toEqual([]);
    const s = specOf(out.objects[0]);
    expect(s.hostNetwork).toBeUndefined();
    expect(s.volumes).toEqual([{ name: 'data', emptyDir: {} }]);
    expect((s.containers as JsonObject[])[0]).toEqual({ name: 'app', image: IMAGE, resources: LIMITS, volumeMounts: [{ name: 'data', mountPath: '/data' }] });
    expect(out.warnings.map((w) => w.path)).toEqual([
      '/spec/template/spec/hostNetwork',
      '/spec/template/spec/volumes/0/hostPath',
      '/spec/template/spec/containers/0/volumeMounts',
      '/spec/template/spec/containers/0/securityContext/privileged',
      // The emptyDir that stays is on the host's disk.
      '/spec/template/spec/volumes/0',
    ]);
  });

  it('a different runtime class, node selector or a legacy policy annotation conflicts unless forced', () => {
    const input = workload('Deployment', 'apps/v1', podSpec({ runtimeClassName: 'kata-qemu', nodeSelector: { 'intel.feature.node.kubernetes.io/tdx': 'false' } }));
    (podTemplateOf(input).metadata as JsonObject).annotations = { [AGENT_POLICY_ANNOTATION]: 'cGFja2FnZSB4' };
    const refused = confidentializeObjects([input], tdx);
    expect(refused.problems.map((p) => p.path).sort()).toEqual(
      [
        '/spec/template/metadata/annotations/io.katacontainers.config.agent.policy',
        '/spec/template/spec/runtimeClassName',
        '/spec/template/spec/nodeSelector/intel.feature.node.kubernetes.io~1tdx',
      ].sort(),
    );
    const forced = confidentializeObjects([input], tdx, { force: true });
    expect(forced.problems).toEqual([]);
    expect(specOf(forced.objects[0]).runtimeClassName).toBe('kata-qemu-tdx');
    expect(annotationsOf(forced.objects[0])[AGENT_POLICY_ANNOTATION]).toBeUndefined();
    expect(forced.warnings.map((w) => w.message).join('\n')).toMatch(/replaced runtimeClassName \(tdx TEE\) "kata-qemu" with "kata-qemu-tdx"/);
  });

  it('an input that is already confidential is left as it is', () => {
    const once = confidentializeObjects([workload('Deployment')], kata).objects;
    const twice = confidentializeObjects(once, kata);
    expect(twice.problems).toEqual([]);
    expect(twice.objects).toEqual(once);
    expect(twice.changes.some((c) => c.message.startsWith('runtimeClassName (sample TEE) already'))).toBe(true);
  });

  it('confidential nodes (no Kata): node selection only, caveat in the warnings', () => {
    const out = confidentializeObjects([workload('Deployment')], nodes);
    const s = specOf(out.objects[0]);
    expect(s.nodeSelector).toEqual({ 'coco.azure/guest-components': 'enabled' });
    expect(s.runtimeClassName).toBeUndefined();
    expect(annotationsOf(out.objects[0])).toEqual({});
    expect(out.warnings.map((w) => w.message).join('\n')).toMatch(/trust boundary is the node/);
    const kataInput = confidentializeObjects([workload('Deployment', 'apps/v1', podSpec({ runtimeClassName: 'kata-qemu-tdx' }))], nodes);
    expect(kataInput.problems[0]).toMatchObject({ path: '/spec/template/spec/runtimeClassName', found: 'kata-qemu-tdx' });
  });

  it('production refuses --allow-exec; dev renders an exec-allowing policy', () => {
    expect(confidentializeObjects([workload('Pod')], tdx, { allowExec: true }).problems).toEqual([
      expect.objectContaining({ document: -1, found: '--allow-exec', expected: expect.stringMatching(/profile production refuses/) }),
    ]);
    const out = confidentializeObjects([workload('Pod')], kata, { allowExec: true });
    expect(decodeInitdata(annotationsOf(out.objects[0])[INITDATA_ANNOTATION]).policy).toMatch(/^default ExecProcessRequest := true/m);
  });

  it('production gets the generated policy: only the pod\'s own containers can be created, no host file copies', () => {
    const out = confidentializeObjects([workload('Pod')], tdx);
    expect(out.problems).toEqual([]);
    const policy = decodeInitdata(annotationsOf(out.objects[0])[INITDATA_ANNOTATION]).policy as string;
    expect(policy).toMatch(/^default CreateContainerRequest := false/m);
    expect(policy).toMatch(/^default CopyFileRequest := false/m);
    expect(policy).toContain(JSON.stringify(IMAGE));
  });

  it.each<[string, unknown, string, string]>([
    ['a scalar', 'hello', '', 'string "hello"'],
    ['a list', [1], '', 'a list (1 item)'],
    ['no kind', { apiVersion: 'v1' }, '', 'a mapping without apiVersion/kind'],
    ['a CronJob without a job template', { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { schedule: '@daily' } }, '/spec/jobTemplate', 'nothing'],
    ['no template', { apiVersion: 'apps/v1', kind: 'Deployment', spec: {} }, '/spec/template', 'nothing'],
    ['a List item that is not an object', { apiVersion: 'v1', kind: 'List', items: ['x'] }, '/items/0', 'string "x"'],
    ['no pod spec', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }, '/spec', 'nothing'],
  ])('bad input: %s', (_, input, path, found) => {
    const target: ConfidentialTarget = kata;
    const out = confidentializeObjects([input], target);
    expect(out.objects).toEqual([]);
    expect(out.problems).toEqual([expect.objectContaining({ document: 0, path, found })]);
  });
});
