// policies/agent-generated/: a reviewed example of the agent policy generated from a pod spec, with
// opa test cases beside it. The file must be exactly what the generator renders for EXAMPLE_POD, so
// reading it (and its tests) is reading the generator's output.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { podPolicyInput, renderAgentPolicy } from '../src/confidentialize/agent-policy';
import { repoRoot, run } from './support/tools';

const FOLDER = join(repoRoot(), 'policies/agent-generated');

/** The pod spec the example was generated from: one container with a command, a mount and an env value, one with none. */
const EXAMPLE_POD = podPolicyInput('coco-demo-app', {
  containers: [
    { name: 'app', image: 'quay.io/example/app:v1', command: ['/app', '--listen', ':8443'], volumeMounts: [{ mountPath: '/data' }], env: [{ name: 'MODE', value: 'production' }] },
    { name: 'sidecar', image: 'busybox:1.36' },
  ],
});

describe('policies/agent-generated', () => {
  it('holds exactly what the generator renders for the example pod', () => {
    expect(readFileSync(join(FOLDER, 'agent-policy-example.rego'), 'utf8')).toBe(renderAgentPolicy({ pod: EXAMPLE_POD }));
  });

  it('passes opa check --strict and its opa tests (allow and deny cases)', () => {
    expect(run('opa', ['check', '--strict', FOLDER])).toMatchObject({ code: 0, stdout: '' });
    const r = run('opa', ['test', '--verbose', FOLDER]);
    expect(r.stdout).toMatch(/PASS: \d+\/\d+/);
    expect(r.code).toBe(0);
    const tests = readFileSync(join(FOLDER, 'agent-policy-example_test.rego'), 'utf8');
    expect(tests).toMatch(/\n\tagent_policy\.CreateContainerRequest with input as/);
    expect(tests).toMatch(/\n\tnot agent_policy\.CreateContainerRequest with input as/);
  });
});
