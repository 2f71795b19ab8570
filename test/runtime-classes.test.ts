// Runtime component: RuntimeClasses from the kata-deploy table at the pinned Kata version, the CoCo
// Helm chart Application (chart's own RuntimeClasses off), and the config rules around them.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { loadEnvironment } from '../src/config/load';
import { RUNTIME_CLASS_NAMES } from '../src/config/sections/runtime';
import { buildManifests } from '../src/k8s/bundle';
import { KATA_RUNTIME_CLASSES, KATA_TABLE_VERSION } from '../src/k8s/runtime/kata-runtime-classes';
import { COCO_CHART_PROJECT_NEEDS, COCO_CHART_REPO } from '../src/k8s/runtime/coco-chart-application';
import { validateSchemas } from '../src/render/schema-validator';
import { validateSemantics } from '../src/render/semantic-rules';
import type { K8sObject } from '../src/shared/k8s-object';
import { VERSIONS } from '../src/shared/versions';
import { decodeInitdata } from '../src/confidentialize/initdata';
import { envProblems, makeTempRepo, readEnvFile } from './support/repo';
import { repoRoot } from './support/tools';

function runtimeObjects(name: string): readonly K8sObject[] {
  return buildManifests(loadEnvironment(repoRoot(), name)).find((f) => f.folder === 'runtime')?.objects ?? [];
}

const problemsOf = (name: string, text: string): string[] => envProblems(text, name);

describe('the kata-deploy table', () => {
  it('was read at the pinned Kata version (bump both together)', () => {
    expect(KATA_TABLE_VERSION).toBe(VERSIONS.kata);
  });

  it('has one entry per accepted name; shim = name without kata-; overheads as kata-deploy 4.0.0 renders them', () => {
    expect(Object.keys(KATA_RUNTIME_CLASSES).sort()).toEqual([...RUNTIME_CLASS_NAMES].sort());
    for (const [name, info] of Object.entries(KATA_RUNTIME_CLASSES)) expect(`kata-${info.shim}`).toBe(name);
    const overhead = (n: keyof typeof KATA_RUNTIME_CLASSES) => KATA_RUNTIME_CLASSES[n].overhead;
    expect(overhead('kata-qemu-coco-dev')).toEqual({ memory: '160Mi', cpu: '250m' });
    expect(overhead('kata-qemu-tdx')).toEqual({ memory: '2048Mi', cpu: '1.0' });
    expect(overhead('kata-qemu-snp')).toEqual({ memory: '2048Mi', cpu: '1.0' });
    expect(overhead('kata-qemu')).toEqual({ memory: '320Mi', cpu: '250m' });
    expect(overhead('kata-clh')).toEqual({ memory: '130Mi', cpu: '250m' });
    expect(overhead('kata-remote')).toEqual({ memory: '120Mi', cpu: '250m' });
    expect(overhead('kata-qemu-coco-dev-runtime-rs')).toEqual({ memory: '320Mi', cpu: '250m' });
  });
});

describe('rendered runtime component', () => {
  it('coco-dev: kata-qemu-coco-dev, cluster-scoped, handler = name, overhead and kata-runtime node selector', () => {
    const [rc] = runtimeObjects('coco-dev').filter((o) => o.kind === 'RuntimeClass');
    expect(rc).toMatchObject({
      apiVersion: 'node.k8s.io/v1',
      metadata: { name: 'kata-qemu-coco-dev' },
      handler: 'kata-qemu-coco-dev',
      overhead: { podFixed: { memory: '160Mi', cpu: '250m' } },
      scheduling: { nodeSelector: { 'katacontainers.io/kata-runtime': 'true' } },
    });
    expect(rc.metadata.namespace).toBeUndefined();
  });

  it('azure-peer-pods: kata-remote is the one RuntimeClass, owned here (not by kata-deploy or the peerpods chart)', () => {
    const objects = runtimeObjects('azure-peer-pods');
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['Namespace/cert-manager', 'Namespace/confidential-containers-system', 'RuntimeClass/kata-remote']);
    expect(objects.find((o) => o.kind === 'RuntimeClass')).toMatchObject({
      metadata: { name: 'kata-remote' },
      handler: 'kata-remote',
      overhead: { podFixed: { memory: '120Mi', cpu: '250m' } },
      scheduling: { nodeSelector: { 'katacontainers.io/kata-runtime': 'true' } },
    });
    const argo = buildManifests(loadEnvironment(repoRoot(), 'azure-peer-pods')).find((f) => f.folder === 'argocd')?.objects ?? [];
    const valuesOf = (name: string) => ((argo.find((o) => o.metadata.name === name)?.spec as { source: { helm: { valuesObject: Record<string, Record<string, unknown>> } } }).source.helm.valuesObject);
    expect(valuesOf('azure-peer-pods-coco-runtime')['kata-as-coco-runtime'].runtimeClasses).toEqual({ enabled: false });
    expect(valuesOf('azure-peer-pods-peerpods')['kata-deploy']).toEqual({ enabled: false });
    expect(validateSchemas(objects)).toEqual([]);
  });

  it('bare-metal: kata-qemu-tdx and kata-qemu-snp, each scheduled onto hosts with its TEE only', () => {
    const classes = runtimeObjects('bare-metal').filter((o) => o.kind === 'RuntimeClass');
    expect(classes.map((o) => [o.metadata.name, (o as { scheduling?: unknown }).scheduling])).toEqual([
      ['kata-qemu-tdx', { nodeSelector: { 'katacontainers.io/kata-runtime': 'true', 'intel.feature.node.kubernetes.io/tdx': 'true' } }],
      ['kata-qemu-snp', { nodeSelector: { 'katacontainers.io/kata-runtime': 'true', 'amd.feature.node.kubernetes.io/snp': 'true' } }],
    ]);
  });

  it('azure-tdx, azure-tdx-lab and aks-cvm render no runtime component (no Kata inside Azure CVMs)', () => {
    for (const env of ['azure-tdx', 'azure-tdx-lab', 'aks-cvm']) expect(runtimeObjects(env)).toEqual([]);
  });

  it('the CoCo chart Application: pinned OCI chart, only the configured shims, chart RuntimeClasses off, before workloads', () => {
    // The Application sits with the other Applications (synced by the root), not in the runtime folder.
    expect(runtimeObjects('bare-metal').filter((o) => o.kind === 'Application')).toEqual([]);
    const argo = buildManifests(loadEnvironment(repoRoot(), 'bare-metal')).find((f) => f.folder === 'argocd')?.objects ?? [];
    const app = argo.find((o) => o.metadata.name === 'bare-metal-coco-runtime') as K8sObject & { spec: Record<string, unknown> };
    const runtimeApp = argo.find((o) => o.metadata.name === 'bare-metal-runtime') as K8sObject;
    const workloadsApp = argo.find((o) => o.metadata.name === 'bare-metal-workloads') as K8sObject;
    const wave = (o: K8sObject) => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave']);
    expect(app.metadata).toMatchObject({ name: 'bare-metal-coco-runtime', namespace: 'argocd' });
    // After the runtime component (its namespace and RuntimeClasses), before the workloads.
    expect(wave(runtimeApp)).toBeLessThan(wave(app));
    expect(wave(app)).toBeLessThan(wave(workloadsApp));
    // The environment's project allows the chart registry and what kata-deploy creates cluster-wide.
    const project = argo.find((o) => o.kind === 'AppProject') as K8sObject & { spec: { sourceRepos: string[]; clusterResourceWhitelist: { group: string; kind: string }[] } };
    expect(project.spec.sourceRepos).toContain(COCO_CHART_REPO);
    expect(project.spec.clusterResourceWhitelist).toEqual(expect.arrayContaining([...COCO_CHART_PROJECT_NEEDS.clusterResourceWhitelist]));
    expect(app.spec).toMatchObject({
      project: 'bare-metal',
      destination: { namespace: 'confidential-containers-system' },
      source: {
        repoURL: COCO_CHART_REPO,
        targetRevision: VERSIONS.cocoChart,
        path: '.',
        helm: {
          releaseName: 'coco',
          valuesObject: {
            'kata-as-coco-runtime': {
              runtimeClasses: { enabled: false },
              shims: { disableAll: true, 'qemu-tdx': { enabled: true }, 'qemu-snp': { enabled: true } },
              defaultShim: { amd64: 'qemu-tdx' },
            },
          },
        },
      },
    });
    expect(COCO_CHART_PROJECT_NEEDS.sourceRepos).toContain((app.spec.source as { repoURL: string }).repoURL);
    const rcWaves = runtimeObjects('bare-metal').filter((o) => o.kind === 'RuntimeClass').map((o) => o.metadata.annotations?.['argocd.argoproj.io/sync-wave']);
    expect(rcWaves).toEqual(['0', '0']);
  });

  it('cocoChart.install: false renders only the RuntimeClasses', () => {
    const dir = makeTempRepo();
    writeFileSync(join(dir, 'config/environments/coco-dev.yaml'), readEnvFile('coco-dev').replace('    install: true', '    install: false'));
    const objects = buildManifests(loadEnvironment(dir, 'coco-dev')).find((f) => f.folder === 'runtime')?.objects ?? [];
    expect(objects.map((o) => o.kind).sort()).toEqual(['Namespace', 'RuntimeClass']);
  });

  it.each(['coco-dev', 'bare-metal'])('%s: every runtime object passes the schema and semantic validators', (env) => {
    const objects = buildManifests(loadEnvironment(repoRoot(), env)).flatMap((f) => f.objects);
    const mine = runtimeObjects(env);
    expect(mine.length).toBeGreaterThanOrEqual(2);
    const problems = [...validateSchemas(mine), ...validateSemantics(objects, { externalNamespaces: ['argocd'] })];
    expect(problems.filter((p) => mine.some((o) => p.object.endsWith(`/${o.metadata.name}`)))).toEqual([]);
  });
});

describe('runtime config rules', () => {
  const azure = readEnvFile('azure-tdx');
  const dev = readEnvFile('coco-dev');

  it('Azure providers accept only kata-remote (no nested virtualization in CVMs)', () => {
    const text = azure.replace('runtime:\n  # No Kata inside Azure CVMs (no nested virtualization); runtime classes come with peer pods only.\n  enabled: false', 'runtime:\n  runtimeClasses: [kata-qemu-tdx, kata-remote]');
    expect(text).not.toBe(azure);
    expect(problemsOf('broken', text)).toEqual([
      expect.stringMatching(/^config\/environments\/broken\.yaml:\d+:\d+: \/runtime\/runtimeClasses\/0: expected kata-remote \(provider azure-tdx: Azure confidential VMs offer no nested virtualization.*\), found string "kata-qemu-tdx"$/),
    ]);
  });

  it('production refuses kata-qemu-coco-dev; enabled runtime needs a class; names are checked by the schema', () => {
    const metal = readEnvFile('bare-metal');
    expect(problemsOf('broken', metal.replace('    - kata-qemu-snp\n', '    - kata-qemu-snp\n    - kata-qemu-coco-dev\n'))).toEqual([
      expect.stringMatching(/\/runtime\/runtimeClasses\/2: expected a TEE runtime class \(profile production refuses kata-qemu-coco-dev\*.*\), found string "kata-qemu-coco-dev"$/),
    ]);
    expect(problemsOf('broken', dev.replace('  runtimeClasses:\n    - kata-qemu-coco-dev\n', '  runtimeClasses: []\n'))).toEqual(
      expect.arrayContaining([expect.stringMatching(/\/runtime\/runtimeClasses: expected at least one runtime class \(or runtime.enabled: false\), found a list \(0 items\)$/)]),
    );
    expect(problemsOf('broken', dev.replace('    - kata-qemu-coco-dev\n  cocoChart', '    - kata-qemu-sev\n  cocoChart'))).toEqual([
      expect.stringMatching(/\/runtime\/runtimeClasses\/0: expected one of "kata-qemu-coco-dev", .*"kata-remote", found string "kata-qemu-sev"$/),
    ]);
  });

  it('production: CoCo pods attesting to an HTTPS KBS need its CA certificate in initdata', () => {
    const metal = readEnvFile('bare-metal');
    const withoutCert = metal.replace(/  kbsCertificate: \|\n(    .*\n)+/, '');
    expect(withoutCert).not.toBe(metal);
    expect(problemsOf('broken', withoutCert)).toEqual([
      expect.stringMatching(/^config\/environments\/broken\.yaml:\d+:\d+: \/runtime\/kbsCertificate: expected the PEM certificate of the CA behind kbs.tlsSecretName .*profile production requires it, found nothing$/),
    ]);
    // The shipped file has it, and the confidential app's initdata carries it to the guest.
    const env = loadEnvironment(repoRoot(), 'bare-metal');
    const app = buildManifests(env).flatMap((f) => f.objects).find((o) => o.kind === 'Deployment' && o.metadata.name === 'confidential-app') as K8sObject & { spec: { template: { metadata: { annotations: Record<string, string> } } } };
    const initdata = decodeInitdata(app.spec.template.metadata.annotations['io.katacontainers.config.hypervisor.cc_init_data']) ?? '';
    const pem = (env.config.runtime.kbsCertificate ?? 'missing').trim();
    expect(initdata).toContain(pem.split('\n')[1]);
    expect(initdata).toMatch(/kbs_cert/);
  });
});
