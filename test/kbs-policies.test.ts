// The Rego policies of the KBS, with the real opa: the static files with their *_test.rego cases,
// every rendered copy (decoded from the ConfigMap) with the same cases, and decisions of the
// rendered policies of each shipped environment on realistic attestation tokens.
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, repoRoot } from './support/tools';
import { configMapData, kbsObjects, loadEnv } from './kbs-support';

const POLICIES = join(repoRoot(), 'policies/kbs');
const SETS = ['resource', 'attestation'] as const;

function opa(args: string[]): { code: number; out: string } {
  const r = run('opa', args);
  return { code: r.code, out: `${r.stdout}${r.stderr}` };
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

/** Evaluates `query` against one policy file with `input` and extra base documents in `data`. */
function evaluate(rego: string, query: string, input: unknown, data: Record<string, unknown> = {}): unknown {
  const dir = mkdtempSync(join(tmpdir(), 'kbs-eval-'));
  writeFileSync(join(dir, 'policy.rego'), rego);
  writeFileSync(join(dir, 'input.json'), JSON.stringify(input));
  writeFileSync(join(dir, 'data.json'), JSON.stringify(data));
  const r = opa(['eval', '--format', 'json', '--data', join(dir, 'policy.rego'), '--data', join(dir, 'data.json'), '--input', join(dir, 'input.json'), query]);
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
    const r = opa(['test', '--verbose', join(POLICIES, set)]);
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
    expect(opa(['check', '--strict', join(POLICIES, set)])).toEqual({ code: 0, out: '' });
    expect(opa(['fmt', '--list', join(POLICIES, set)])).toEqual({ code: 0, out: '' });
  });

  it('the policy folders hold exactly one policy and its tests each', () => {
    for (const set of SETS) expect(readdirSync(join(POLICIES, set)).sort()).toEqual([`${set}-policy.rego`, `${set}-policy_test.rego`]);
  });
});

describe.each(['azure-tdx', 'coco-dev'])('%s: rendered policies', (name) => {
  const policies = policiesOf(name);

  it.each(SETS)('%s: the static test cases pass on the rendered copy; check and fmt clean', (set) => {
    const dir = renderedSet(set, policies[set]);
    const r = opa(['test', dir]);
    expect(r.out).toMatch(/PASS: \d+\/\d+/);
    expect(r.code).toBe(0);
    expect(opa(['check', '--strict', dir])).toEqual({ code: 0, out: '' });
    expect(opa(['fmt', '--list', dir])).toEqual({ code: 0, out: '' });
  });

  it('resource policy: releases only the configured paths, only to the configured TEE', () => {
    const env = loadEnv(name);
    const tee = env.config.kbs.attestation.tees[0];
    const trusted = { hardware: 2, configuration: 2, executables: 33 };
    const allow = (tok: unknown, path: string) => evaluate(policies.resource, 'data.policy.allow', tok, request(path));
    for (const r of env.config.kbs.resources) expect(allow(token(tee, trusted), r.path)).toBe(true);
    expect(allow(token(tee, trusted), 'default/image_key/not-listed')).toBe(false);
    expect(allow(token(tee, { ...trusted, hardware: 97 }), env.config.kbs.resources[0].path)).toBe(false);
    expect(allow({}, env.config.kbs.resources[0].path)).toBe(false);
    const other = name === 'azure-tdx' ? 'sample' : 'az-tdx-vtpm';
    expect(allow(token(other, trusted), env.config.kbs.resources[0].path)).toBe(false);
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

  it('measurements from the environment file pin executables', () => {
    const env = loadEnv('azure-tdx', (c) => (c.kbs.attestation.measurements = [{ claim: 'tpm.pcr11', values: ['bb'] }]));
    const data = configMapData(kbsObjects(env), 'kbs-policies');
    expect(evaluate(data['attestation-policy.rego'], 'data.policy.trust_claims.executables', { 'az-tdx-vtpm': AZ_TDX_CLAIMS })).toBe(3);
    expect(opa(['fmt', '--list', renderedSet('attestation', data['attestation-policy.rego'])])).toEqual({ code: 0, out: '' });
    expect(evaluate(data['attestation-policy.rego'], 'data.policy.trust_claims.executables', { 'az-tdx-vtpm': { ...AZ_TDX_CLAIMS, tpm: { pcr11: 'cc' } } })).toBe(33);
    // and the resource policy then requires them.
    const tok = (executables: number) => token('az-tdx-vtpm', { hardware: 2, configuration: 2, executables });
    expect(evaluate(data['resource-policy.rego'], 'data.policy.allow', tok(3), request('default/image_key/nginx'))).toBe(true);
    expect(evaluate(data['resource-policy.rego'], 'data.policy.allow', tok(33), request('default/image_key/nginx'))).toBe(false);
  });

  it('coco-dev: the sample TEE is trusted only because the dev config lists it', () => {
    const { attestation } = policiesOf('coco-dev');
    const vector = evaluate(attestation, 'data.policy.trust_claims', { sample: { svn: '1', debug: false, launch_digest: 'abcde' } }) as Record<string, number>;
    expect([vector.hardware, vector.configuration]).toEqual([2, 2]);
  });
});
