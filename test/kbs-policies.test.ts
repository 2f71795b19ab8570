// The Rego policies of the KBS, with the real opa: the static files with their *_test.rego cases,
// every rendered copy (decoded from the ConfigMap) with the same cases, and decisions of the
// rendered policies of each shipped environment on realistic attestation tokens.
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, repoRoot } from './support/tools';
import { configMapData, kbsObjects, loadEnv } from './kbs-support';
import { resourceBindings } from '../src/k8s/kbs/resource-binding';

const POLICIES = join(repoRoot(), 'policies/kbs');
const SETS = ['resource', 'attestation'] as const;

function opa(args: string[]): { code: number; out: string } {
  const r = run('opa', args);
  return { code: r.code, out: `${r.stdout}${r.stderr}` };
}

/**
 * opa's own capabilities plus `query_reference_value`, the extension Trustee v0.21's EAR broker
 * registers for attestation policies (attestation-service/src/ear_token/broker.rs): opa compiles
 * the policy with it, and the tests replace it with `with` by what the RVPS would hold.
 */
const CAPABILITIES = (() => {
  const caps = JSON.parse(opa(['capabilities', '--current']).out) as { builtins: unknown[] };
  caps.builtins.push({ name: 'query_reference_value', decl: { type: 'function', args: [{ type: 'string' }], result: { type: 'any' } } });
  const file = join(mkdtempSync(join(tmpdir(), 'opa-caps-')), 'capabilities.json');
  writeFileSync(file, JSON.stringify(caps));
  return file;
})();

/** `opa test|check` with the capabilities the policies are written for. */
function opaWithCaps(command: 'test' | 'check', args: string[]): { code: number; out: string } {
  return opa([command, '--capabilities', CAPABILITIES, ...args]);
}

/** A folder with one rendered policy and the static test cases of its set. */
function renderedSet(set: (typeof SETS)[number], rego: string): string {
  const dir = mkdtempSync(join(tmpdir(), `kbs-${set}-`));
  writeFileSync(join(dir, `${set}-policy.rego`), rego);
  cpSync(join(POLICIES, set, `${set}-policy_test.rego`), join(dir, `${set}-policy_test.rego`));
  return dir;
}

function policiesOf(name: string): Record<(typeof SETS)[number], string> {
  const data = configMapData(kbsObjects(loadEnv(name)), 'kbs-policies');
  return { resource: data['resource-policy.rego'], attestation: data['attestation-policy.rego'] };
}

/**
 * Evaluates `query` against one policy file with `input` and extra base documents in `data`;
 * `query_reference_value` answers from `rvps` (id -> accepted values), as the RVPS would after
 * the provisioning Job registered them.
 */
function evaluate(rego: string, query: string, input: unknown, data: Record<string, unknown> = {}, rvps: Record<string, string[]> = {}): unknown {
  const dir = mkdtempSync(join(tmpdir(), 'kbs-eval-'));
  writeFileSync(join(dir, 'policy.rego'), rego);
  writeFileSync(join(dir, 'rvps.rego'), 'package rvps_mock\n\nlookup(id) := data.rvps_values[id]\n');
  writeFileSync(join(dir, 'input.json'), JSON.stringify(input));
  writeFileSync(join(dir, 'data.json'), JSON.stringify({ ...data, rvps_values: rvps }));
  const args = ['--data', join(dir, 'policy.rego'), '--data', join(dir, 'rvps.rego'), '--data', join(dir, 'data.json'), '--input', join(dir, 'input.json')];
  const r = opa(['eval', '--format', 'json', '--capabilities', CAPABILITIES, ...args, `${query} with query_reference_value as data.rvps_mock.lookup`]);
  expect(r.code).toBe(0);
  const result = JSON.parse(r.out) as { result?: { expressions: { value: unknown }[] }[] };
  return result.result?.[0]?.expressions[0]?.value;
}

/** Claims of the az-tdx-vtpm verifier (deps/verifier/src/az_tdx_vtpm, v0.21.0). */
const AZ_TDX_CLAIMS = {
  quote: { header: { tee_type: '81000000', vendor_id: '939a7233f79c4ca9940a0db3957f0607' }, body: { mr_td: 'aa', xfam: 'e718060000000000' } },
  td_attributes: { debug: false },
  tpm: { pcr11: 'bb' },
  tcb_status: 'UpToDate',
};

/**
 * Claims of the az-snp-vtpm verifier (deps/verifier/src/az_snp_vtpm, v0.21.0): the SNP report
 * fields as strings (parse_tee_evidence_az), the launch measurement in base64, the vTPM PCRs in hex
 * (extend_claim; init_data and report_data move beside the TEE's claims in the token).
 */
const AZ_SNP_CLAIMS = {
  measurement: 'ZWU1NQ==',
  policy_debug_allowed: 'false',
  policy_migrate_ma: 'false',
  reported_tcb_snp: '24',
  tpm: { pcr04: 'aa', pcr11: 'bb' },
};

/** The EAR token the built-in attestation service issues for `tee` with `vector`. */
function token(tee: string, vector: Record<string, number>): unknown {
  return { submods: { cpu0: { 'ear.status': 'warning', 'ear.trustworthiness-vector': vector, 'ear.veraison.annotated-evidence': { [tee]: {} } } } };
}

/** KBS's policy data for GET /kbs/v0/resource/<path> (kbs/src/api_server.rs). */
function request(path: string): Record<string, unknown> {
  return { plugin: 'resource', 'resource-path': path.split('/'), query: {} };
}

describe('static policies (policies/kbs)', () => {
  it.each(SETS)('%s: opa test passes, with allow and deny cases', (set) => {
    const r = opaWithCaps('test', ['--verbose', join(POLICIES, set)]);
    expect(r.out).toMatch(/PASS: \d+\/\d+/);
    expect(r.code).toBe(0);
    // Both kinds of cases exist: decisions that allow and that deny.
    const tests = readFileSync(join(POLICIES, set, `${set}-policy_test.rego`), 'utf8');
    const [allowCase, denyCase] = set === 'resource' ? [/\n\tallowed\(/, /\n\tnot allowed\(/] : [/\.hardware == 2\n/, /\.hardware == 97\n/];
    expect(tests).toMatch(allowCase);
    expect(tests).toMatch(denyCase);
    expect((tests.match(/^test_/gm) ?? []).length).toBeGreaterThanOrEqual(8);
  });

  it.each(SETS)('%s: opa check --strict and opa fmt are clean', (set) => {
    expect(opaWithCaps('check', ['--strict', join(POLICIES, set)])).toEqual({ code: 0, out: '' });
    expect(opa(['fmt', '--list', join(POLICIES, set)])).toEqual({ code: 0, out: '' });
  });

  it('the policy folders hold exactly one policy and its tests each', () => {
    for (const set of SETS) expect(readdirSync(join(POLICIES, set)).sort()).toEqual([`${set}-policy.rego`, `${set}-policy_test.rego`]);
  });
});

/** The EAR token for `tee` with `vector` and the verifier's init_data claim (broker.rs transform_claims). */
function guestToken(tee: string, vector: Record<string, number>, initData: string): unknown {
  return { submods: { cpu0: { 'ear.status': 'affirming', 'ear.trustworthiness-vector': vector, 'ear.veraison.annotated-evidence': { [tee]: {}, init_data: initData } } } };
}

const MEASURED = { hardware: 2, configuration: 2, executables: 3 };
const UNMEASURED = { hardware: 2, configuration: 2, executables: 33 };

describe.each(['azure-peer-pods', 'azure-tdx', 'bare-metal', 'coco-dev'])('%s: rendered policies', (name) => {
  const policies = policiesOf(name);

  it.each(SETS)('%s: the static test cases pass on the rendered copy; check and fmt clean', (set) => {
    const dir = renderedSet(set, policies[set]);
    const r = opaWithCaps('test', [dir]);
    expect(r.out).toMatch(/PASS: \d+\/\d+/);
    expect(r.code).toBe(0);
    expect(opaWithCaps('check', ['--strict', dir])).toEqual({ code: 0, out: '' });
    expect(opa(['fmt', '--list', dir])).toEqual({ code: 0, out: '' });
  });

  it('production never renders the sample TEE or allow-all', () => {
    const settings = evaluate(policies.resource, 'data.policy.settings', {}) as { allow_all: boolean; tees: string[] };
    if (loadEnv(name).config.profile === 'production') {
      expect(settings.allow_all).toBe(false);
      expect(settings.tees).not.toContain('sample');
    } else {
      expect(settings.tees).toEqual(['sample']);
    }
  });
});

describe('resource policy decisions on the shipped environments', () => {
  it('bare-metal: the confidential app guest gets its resources; another initdata, TEE or no claim gets nothing', () => {
    const env = loadEnv('bare-metal');
    const { resource } = policiesOf('bare-metal');
    const bindings = resourceBindings(env);
    const app = bindings.flatMap((b) => b.clients).find((c) => c.workload === 'Deployment/coco-demo-confidential-app/confidential-app');
    if (!app?.initData) throw new Error('the confidential app is not bound');
    // The digest the rendered Deployment really carries, in MRCONFIGID form (48 bytes, zero-padded).
    expect(app.initData).toBe(`${app.initdataDigest?.slice('sha256:'.length)}${'0'.repeat(32)}`);
    const allow = (tok: unknown, path: string) => evaluate(resource, 'data.policy.allow', tok, request(path));
    const paths = ['default/app/db-password', 'default/app/api-credentials', 'default/image_key/sensitive-app'];
    expect(bindings.map((b) => b.path).sort()).toEqual([...paths].sort());
    for (const path of paths) {
      expect(allow(guestToken('tdx', MEASURED, app.initData), path)).toBe(true);
      // Acknowledged unmeasured (kbs.attestation.acceptUnmeasured): still bound to the initdata.
      expect(allow(guestToken('tdx', UNMEASURED, app.initData), path)).toBe(true);
      expect(allow(guestToken('tdx', MEASURED, `${'ab'.repeat(32)}${'0'.repeat(32)}`), path)).toBe(false);
      expect(allow(guestToken('snp', MEASURED, app.initData), path)).toBe(false);
      expect(allow(token('tdx', MEASURED), path)).toBe(false);
      expect(allow({}, path)).toBe(false);
    }
    expect(allow(guestToken('tdx', MEASURED, app.initData), 'default/app/not-listed')).toBe(false);
  });

  it('bare-metal with reference values: unrecognised executables get nothing', () => {
    const env = loadEnv('bare-metal', (c) => {
      c.kbs.attestation.acceptUnmeasured = undefined;
      c.kbs.attestation.measurements = [
        { tee: 'tdx', claim: 'quote.body.mr_td', values: ['aa'] },
        { tee: 'snp', claim: 'measurement', values: ['bb'] },
      ];
    });
    const data = configMapData(kbsObjects(env), 'kbs-policies');
    const app = resourceBindings(env).flatMap((b) => b.clients).find((c) => c.tee === 'tdx');
    if (!app?.initData) throw new Error('the confidential app is not bound');
    const allow = (vector: Record<string, number>) => evaluate(data['resource-policy.rego'], 'data.policy.allow', guestToken('tdx', vector, app.initData as string), request('default/app/db-password'));
    expect(allow(MEASURED)).toBe(true);
    expect(allow(UNMEASURED)).toBe(false);
  });

  it('azure-tdx: the nginx image key goes to measured Azure TDX nodes only', () => {
    const env = loadEnv('azure-tdx', (c) => {
      c.kbs.attestation.acceptUnmeasured = undefined;
      c.kbs.attestation.measurements = [{ tee: 'az-tdx-vtpm', claim: 'tpm.pcr11', values: ['bb'] }];
    });
    const data = configMapData(kbsObjects(env), 'kbs-policies');
    expect(resourceBindings(env)).toEqual([{ path: 'default/image_key/nginx', clients: [{ tee: 'az-tdx-vtpm', initData: null, workload: 'nodes' }] }]);
    const allow = (tok: unknown, path = 'default/image_key/nginx') => evaluate(data['resource-policy.rego'], 'data.policy.allow', tok, request(path));
    expect(allow(token('az-tdx-vtpm', MEASURED))).toBe(true);
    expect(allow(token('az-tdx-vtpm', UNMEASURED))).toBe(false);
    expect(allow(token('tdx', MEASURED))).toBe(false);
    expect(allow(token('sample', MEASURED))).toBe(false);
    expect(allow(token('az-tdx-vtpm', MEASURED), 'default/image_key/not-listed')).toBe(false);
  });

  it('coco-dev: the demos that reference a resource get it (sample TEE, dev: no initdata to compare), others nothing', () => {
    const env = loadEnv('coco-dev');
    expect(resourceBindings(env).map((b) => [b.path, b.clients.map((c) => `${c.workload} ${c.tee}`)])).toEqual([
      ['default/key/ssh-demo', ['Pod/coco-demo-05-encrypted-image/coco-demo-05 sample']],
      ['default/secret/1', ['Pod/coco-demo-04-cdh-resource/coco-demo-04 sample']],
    ]);
    const { resource } = policiesOf('coco-dev');
    expect(evaluate(resource, 'data.policy.allow', token('sample', UNMEASURED), request('default/secret/1'))).toBe(true);
    expect(evaluate(resource, 'data.policy.allow', token('tdx', MEASURED), request('default/secret/1'))).toBe(false);
  });

  it('azure-peer-pods: a pod VM gets what its pod references, by the initdata in vTPM PCR8; other initdata, TEE or trust nothing', () => {
    const env = loadEnv('azure-peer-pods');
    const { resource } = policiesOf('azure-peer-pods');
    const bindings = resourceBindings(env);
    const demo = bindings.find((b) => b.path === 'default/secret/1')?.clients[0];
    if (!demo?.initData) throw new Error('coco-demo-04 is not bound');
    expect(demo).toMatchObject({ tee: 'az-snp-vtpm', workload: 'Pod/coco-demo-04-cdh-resource/coco-demo-04' });
    const allow = (tok: unknown, path = 'default/secret/1') => evaluate(resource, 'data.policy.allow', tok, request(path));
    // Acknowledged unmeasured (the pod-VM image's reference values come later): bound by initdata only.
    expect(allow(guestToken('az-snp-vtpm', UNMEASURED, demo.initData))).toBe(true);
    expect(allow(guestToken('az-snp-vtpm', MEASURED, demo.initData))).toBe(true);
    // The bare digest is not what PCR8 holds; another pod's initdata gets nothing either.
    expect(allow(guestToken('az-snp-vtpm', MEASURED, (demo.initdataDigest as string).slice('sha256:'.length)))).toBe(false);
    expect(allow(guestToken('az-snp-vtpm', MEASURED, 'ab'.repeat(32)))).toBe(false);
    expect(allow(guestToken('az-tdx-vtpm', MEASURED, demo.initData))).toBe(false);
    expect(allow(guestToken('snp', MEASURED, demo.initData))).toBe(false);
    expect(allow(guestToken('az-snp-vtpm', { ...MEASURED, configuration: 36 }, demo.initData))).toBe(false);
    expect(allow(guestToken('az-snp-vtpm', { ...MEASURED, hardware: 97 }, demo.initData))).toBe(false);
    expect(allow(token('az-snp-vtpm', MEASURED))).toBe(false);
    // The image key of demo 05 is not demo 04's.
    expect(allow(guestToken('az-snp-vtpm', MEASURED, demo.initData), 'default/key/ssh-demo')).toBe(false);
  });

  it('an external workload (kbs.resourcePolicy.externalWorkloads) is bound by its configured digest', () => {
    const digest = `sha256:${'c'.repeat(64)}`;
    const env = loadEnv('bare-metal', (c) => {
      c.kbs.resourcePolicy.externalWorkloads = [{ name: 'Deployment/shop/checkout', tee: 'snp', initdataDigest: digest, resources: ['default/app/db-password'] }];
    });
    const { clients } = resourceBindings(env).find((b) => b.path === 'default/app/db-password') ?? { clients: [] };
    expect(clients.map((c) => [c.workload, c.tee, c.initData])).toContainEqual(['Deployment/shop/checkout', 'snp', 'c'.repeat(64)]);
    const data = configMapData(kbsObjects(env), 'kbs-policies');
    expect(evaluate(data['resource-policy.rego'], 'data.policy.allow', guestToken('snp', MEASURED, 'c'.repeat(64)), request('default/app/db-password'))).toBe(true);
    expect(evaluate(data['resource-policy.rego'], 'data.policy.allow', guestToken('snp', MEASURED, 'c'.repeat(64)), request('default/app/api-credentials'))).toBe(false);
  });
});

describe('attestation policy decisions', () => {
  it('azure-tdx: an up-to-date, non-debug Azure TDX CVM is trusted hardware and configuration', () => {
    const { attestation } = policiesOf('azure-tdx');
    expect(evaluate(attestation, 'data.policy.trust_claims', { 'az-tdx-vtpm': AZ_TDX_CLAIMS })).toEqual({
      configuration: 2,
      executables: 33,
      'file-system': 0,
      hardware: 2,
      'instance-identity': 0,
      'runtime-opaque': 0,
      'sourced-data': 0,
      'storage-opaque': 0,
    });
    const debug = { ...AZ_TDX_CLAIMS, td_attributes: { debug: true } };
    expect(evaluate(attestation, 'data.policy.trust_claims.configuration', { 'az-tdx-vtpm': debug })).toBe(36);
    expect(evaluate(attestation, 'data.policy.trust_claims.hardware', { sample: { debug: false } })).toBe(97);
    expect(evaluate(attestation, 'data.policy.extensions', {})).toEqual([]);
  });

  it('reference values from the environment file, registered in the RVPS, pin executables', () => {
    const env = loadEnv('azure-tdx', (c) => {
      c.kbs.attestation.acceptUnmeasured = undefined;
      c.kbs.attestation.measurements = [{ tee: 'az-tdx-vtpm', claim: 'tpm.pcr11', values: ['bb'] }];
    });
    const data = configMapData(kbsObjects(env), 'kbs-policies');
    const rvps = { 'az-tdx-vtpm.tpm.pcr11': ['bb'] };
    const executables = (claims: unknown, values: Record<string, string[]> = rvps) => evaluate(data['attestation-policy.rego'], 'data.policy.trust_claims.executables', { 'az-tdx-vtpm': claims }, {}, values);
    expect(executables(AZ_TDX_CLAIMS)).toBe(3);
    expect(executables({ ...AZ_TDX_CLAIMS, tpm: { pcr11: 'cc' } })).toBe(33);
    // Nothing registered under the id (the Job has not run): not trusted.
    expect(executables(AZ_TDX_CLAIMS, {})).toBe(33);
    expect(opa(['fmt', '--list', renderedSet('attestation', data['attestation-policy.rego'])])).toEqual({ code: 0, out: '' });
  });

  it('azure-peer-pods: a non-debug Azure SEV-SNP CVM is trusted hardware and configuration; debug or unlisted TEEs are not', () => {
    const { attestation } = policiesOf('azure-peer-pods');
    const vector = (claims: Record<string, unknown>) => evaluate(attestation, 'data.policy.trust_claims', claims) as Record<string, number>;
    expect(vector({ 'az-snp-vtpm': AZ_SNP_CLAIMS })).toMatchObject({ hardware: 2, configuration: 2, executables: 33 });
    expect(vector({ 'az-snp-vtpm': { ...AZ_SNP_CLAIMS, policy_debug_allowed: 'true' } }).configuration).toBe(36);
    // Only az-snp-vtpm is listed for this environment (pod VMs of DCasv5 sizes).
    expect(vector({ 'az-tdx-vtpm': AZ_TDX_CLAIMS })).toMatchObject({ hardware: 97, configuration: 36 });
    expect(vector({ snp: { measurement: 'ee55', policy_debug_allowed: false } })).toMatchObject({ hardware: 97, configuration: 36 });
  });

  it('az-snp-vtpm reference values (vTPM PCRs) pin executables', () => {
    const env = loadEnv('azure-peer-pods', (c) => {
      c.kbs.attestation.acceptUnmeasured = undefined;
      c.kbs.attestation.measurements = [{ tee: 'az-snp-vtpm', claim: 'tpm.pcr11', values: ['bb'] }];
    });
    const data = configMapData(kbsObjects(env), 'kbs-policies');
    const executables = (claims: unknown, values: Record<string, string[]> = { 'az-snp-vtpm.tpm.pcr11': ['bb'] }) =>
      evaluate(data['attestation-policy.rego'], 'data.policy.trust_claims.executables', { 'az-snp-vtpm': claims }, {}, values);
    expect(executables(AZ_SNP_CLAIMS)).toBe(3);
    expect(executables({ ...AZ_SNP_CLAIMS, tpm: { pcr11: 'cc' } })).toBe(33);
    expect(executables(AZ_SNP_CLAIMS, {})).toBe(33);
    // Measured now: the resource policy also wants executables 3.
    const demo = resourceBindings(env).find((b) => b.path === 'default/secret/1')?.clients[0];
    const allow = (vector: Record<string, number>) => evaluate(data['resource-policy.rego'], 'data.policy.allow', guestToken('az-snp-vtpm', vector, demo?.initData as string), request('default/secret/1'));
    expect(allow(MEASURED)).toBe(true);
    expect(allow(UNMEASURED)).toBe(false);
  });

  it('coco-dev: the sample TEE is trusted only because the dev config lists it', () => {
    const { attestation } = policiesOf('coco-dev');
    const vector = evaluate(attestation, 'data.policy.trust_claims', { sample: { svn: '1', debug: false, launch_digest: 'abcde' } }) as Record<string, number>;
    expect([vector.hardware, vector.configuration]).toEqual([2, 2]);
  });
});
