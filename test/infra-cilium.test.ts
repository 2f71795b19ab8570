// The Cilium values the control plane installs (cloud-init /etc/coco/cilium-values.yaml), checked
// against the real Cilium chart of the pinned version (from the Go module proxy) with Helm 4:
// every key we set exists in the chart, its values.schema.json accepts them, and the rendered
// agent configuration is what we asked for.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { VERSIONS } from '../src/shared/versions';
import { run, tool, toolVersion } from './support/tools';
import { synthStack, tdxData, userData } from './infra-support';

const chart = tool('cilium-chart');
const cloudConfig = parse(userData(synthStack(tdxData())).k8s_control_1_vm.replace(/^#cloud-config\n/, '')) as { write_files: { path: string; content: string }[] };
const valuesText = cloudConfig.write_files.find((f) => f.path === '/etc/coco/cilium-values.yaml')?.content ?? '';
const values = parse(valuesText) as Record<string, unknown>;

/** Leaf paths of a values tree (`ipam.operator.clusterPoolIPv4PodCIDRList`). */
function leaves(v: unknown, prefix = ''): string[] {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return [prefix];
  return Object.entries(v).flatMap(([k, c]) => leaves(c, prefix ? `${prefix}.${k}` : k));
}

function has(tree: unknown, path: string): boolean {
  let node = tree;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null || !(key in node)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return true;
}

function template(text: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'cilium-values-')), 'values.yaml');
  writeFileSync(file, text);
  return run('helm', ['template', 'cilium', chart, '--namespace', 'kube-system', '--kube-version', VERSIONS.kubernetes, '--values', file]);
}

it('is the chart of the pinned Cilium release', () => {
  expect(toolVersion('cilium-chart')).toBe(`v${VERSIONS.cilium}`);
  expect(readFileSync(join(chart, 'Chart.yaml'), 'utf8')).toMatch(new RegExp(`^version: ${VERSIONS.cilium.replace(/\./g, '\\.')}$`, 'm'));
});

it('sets only keys the chart has', () => {
  const defaults = parse(readFileSync(join(chart, 'values.yaml'), 'utf8')) as unknown;
  expect(leaves(values).filter((p) => !has(defaults, p))).toEqual([]);
  // The check can fail: a misspelled key is not in the chart.
  expect(has(defaults, 'kubeProxyReplacment')).toBe(false);
});

it('renders with Helm 4 against the chart schema: kube-proxy replacement, our API server and pod CIDR, node CIDR matching', () => {
  const r = template(valuesText);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const docs = r.stdout.split(/^---$/m).map((d) => parse(d) as { kind?: string; metadata?: { name?: string }; data?: Record<string, string> } | null);
  const config = docs.find((d) => d?.kind === 'ConfigMap' && d.metadata?.name === 'cilium-config')?.data ?? {};
  expect(config['kube-proxy-replacement']).toBe('true');
  expect(config['cluster-pool-ipv4-cidr']).toBe('10.244.0.0/16');
  expect(config['policy-cidr-match-mode']).toBe('nodes');
  expect(r.stdout).toContain('value: "10.0.1.4"');
});

it('the chart schema refuses a value of the wrong type (the check is real)', () => {
  const r = template(valuesText.replace('kubeProxyReplacement: true', 'kubeProxyReplacement: 17'));
  expect(r.code).not.toBe(0);
  expect(r.stderr).toContain('kubeProxyReplacement');
});
