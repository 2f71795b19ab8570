// `npx confidentialize` output accepted by a real kube-apiserver (the simulation's control plane,
// src/simulate/control-plane.ts, binaries from the tools cache): a multi-kind `helm template`
// bundle, a StatefulSet with volumeClaimTemplates and a `kubectl get -o yaml` List, transformed for
// every shipped environment, then `kubectl create --dry-run=server`. kubectl reads the YAML with
// go-yaml (YAML 1.1), so the values the server returns show that no string changed type.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listEnvironments } from '../src/config/load';
import { binary } from '../src/simulate/binaries';
import { ControlPlane } from '../src/simulate/control-plane';
import { runConfidentializeInProcess } from './support/cli-in-process';
import { repoRoot } from './support/tools';

const FIXTURES = ['helm-template-web.yaml', 'postgresql-statefulset.yaml', 'kubectl-get-list.yaml'];

interface Item {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: unknown;
}

let cp: ControlPlane;

function kubectl(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(binary('kubectl', 'v1.36'), ['--kubeconfig', cp.kubeconfig, ...args], { input, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The confidential bundle for `environment`: the command's main() on stdin, in this process (the bin itself is tested in confidentialize-cli.test.ts). */
function confidentialized(environment: string): string {
  const input = FIXTURES.map((f) => readFileSync(join(repoRoot(), 'test/fixtures/confidentialize', f), 'utf8')).join('---\n');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_')));
  const r = runConfidentializeInProcess(repoRoot(), ['-e', environment], input, env);
  if (r.code !== 0) throw new Error(`confidentialize -e ${environment}: ${r.stderr}`);
  return r.stdout;
}

/** Every env value of every container of a pod-carrying object's JSON. */
function envValues(json: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === 'object' && node !== null) {
      const o = node as Record<string, unknown>;
      if (Array.isArray(o.env)) for (const e of o.env as { name: string; value?: unknown }[]) if (e.value !== undefined) out[e.name] = e.value as string;
      Object.values(o).forEach(walk);
    }
  };
  walk(json);
  return out;
}

beforeAll(async () => {
  cp = await ControlPlane.start({ serviceCidr: '10.96.0.0/12', podCidr: '10.244.0.0/16' });
  // What the bundles refer to and admission checks: the target namespace of the List, the runtime classes.
  const setup = ['apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}', ...['kata-qemu-coco-dev', 'kata-qemu-tdx', 'kata-remote'].map((c) => `apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: ${c}}\nhandler: ${c}`)].join('\n---\n');
  const r = kubectl(['create', '-f', '-'], setup);
  if (r.code !== 0) throw new Error(r.stderr);
}, 180_000);

afterAll(async () => {
  await cp?.stop();
});

describe.each(listEnvironments(repoRoot()))('environment %s', (environment) => {
  it('the API server accepts every object, with the intended string values', () => {
    const yaml = confidentialized(environment);
    const r = kubectl(['create', '--dry-run=server', '-o', 'json', '-f', '-'], yaml);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // kubectl prints one JSON object per created object, one after the other.
    const items = JSON.parse(`[${r.stdout.trim().replace(/\n}\n{/g, '\n},\n{')}]`) as Item[];
    expect(items.map((i) => `${i.kind}/${i.metadata.name}`)).toEqual([
      'ServiceAccount/web',
      'Secret/web',
      'ConfigMap/web',
      'Service/web',
      'PodDisruptionBudget/web',
      'NetworkPolicy/web',
      'Deployment/web',
      'CronJob/web-cleanup',
      'Pod/web-test-connection',
      'Job/web-migrate',
      'StatefulSet/db-postgresql',
      'Service/api',
      'Deployment/api',
    ]);
    const configMap = items.find((i) => i.kind === 'ConfigMap');
    expect(configMap?.data).toEqual({ FEATURE_X: 'yes', FILE_MODE: '0644', RATIO: '1e3', COUNTRY: 'NO', WINDOW: '1:30', SINCE: '2024-01-01' });
    const env = envValues(items);
    expect(env).toMatchObject({ DEBUG: 'off', WORKERS: '0755', DRY_RUN: 'n', POSTGRESQL_ENABLE_LDAP: 'no', POSTGRESQL_PGAUDIT_LOG_CATALOG: 'off', BITNAMI_DEBUG: 'false' });
    const podSpecs = JSON.stringify(items.filter((i) => ['Deployment', 'CronJob', 'Pod', 'Job', 'StatefulSet'].includes(i.kind)));
    if (/coco-dev|bare-metal/.test(environment)) expect(podSpecs).toContain('"runtimeClassName":"kata-qemu-');
    else if (environment === 'azure-peer-pods') expect(podSpecs).toContain('"runtimeClassName":"kata-remote"');
    else expect(podSpecs).not.toContain('runtimeClassName');
  });
});
