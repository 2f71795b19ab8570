// Workloads component: every demo of every shipped environment, in its own folder and namespace,
// validated like `npm run synth` does; every Kata annotation decoded; security contexts restricted
// wherever the demonstration allows; the config rules that gate demos.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listEnvironments, loadEnvironment, type LoadedEnvironment } from '../src/config/load';
import { formatProblem, UserInputError } from '../src/config/errors';
import { AGENT_POLICY_ANNOTATION, podPolicyInput, renderAgentPolicy } from '../src/confidentialize/agent-policy';
import { INITDATA_ANNOTATION } from '../src/confidentialize/initdata';
import { buildManifests } from '../src/k8s/bundle';
import { DEMOS, demoNamespace, enabledDemos } from '../src/k8s/workloads/demos';
import { validateSchemas } from '../src/render/schema-validator';
import { PRIVILEGED_REASON_ANNOTATION, validateSemantics } from '../src/render/semantic-rules';
import type { K8sObject } from '../src/shared/k8s-object';
import { decodeInitdata, decodePolicyAnnotation } from './confidentialize-support';
import { makeTempRepo, readEnvFile } from './support/repo';
import { repoRoot } from './support/tools';
import { SHIPPED_ENVIRONMENTS } from './support/shipped';

type Json = Record<string, unknown>;

const SHIPPED = [...SHIPPED_ENVIRONMENTS];
/** The agent policy generated from the pod's own rendered spec: only its containers can be created. */
function generatedPolicy(p: PodView): string {
  return renderAgentPolicy({ pod: podPolicyInput(String(p.owner.metadata.namespace), p.spec as Parameters<typeof podPolicyInput>[1]) });
}

function env(name: string): LoadedEnvironment {
  return loadEnvironment(repoRoot(), name);
}

/** Objects of the workloads component (all sub-folders), keyed by folder. */
function workloads(name: string): Map<string, K8sObject[]> {
  return new Map(buildManifests(env(name)).filter((f) => f.folder === 'workloads' || f.folder.startsWith('workloads/')).map((f) => [f.folder, [...f.objects]]));
}

interface PodView {
  readonly owner: K8sObject;
  readonly metadata: Json;
  readonly spec: Json;
}

function pods(objects: readonly K8sObject[]): PodView[] {
  return objects.flatMap((o) => {
    if (o.kind === 'Pod') return [{ owner: o, metadata: o.metadata as Json, spec: o.spec as Json }];
    if (o.kind === 'Deployment') {
      const t = (o.spec as Json).template as Json;
      return [{ owner: o, metadata: t.metadata as Json, spec: t.spec as Json }];
    }
    return [];
  });
}

function annotations(p: PodView): Record<string, string> {
  return (p.metadata.annotations ?? {}) as Record<string, string>;
}

function containers(p: PodView): Json[] {
  return [...((p.spec.initContainers ?? []) as Json[]), ...(p.spec.containers as Json[])];
}

/** Pod Security Standard "restricted" (v1.31), the fields our demos set. */
function restrictedViolations(p: PodView): string[] {
  const v: string[] = [];
  const podSc = (p.spec.securityContext ?? {}) as Json;
  for (const f of ['hostNetwork', 'hostPID', 'hostIPC']) if (p.spec[f] === true) v.push(f);
  if (((p.spec.volumes ?? []) as Json[]).some((vol) => vol.hostPath !== undefined)) v.push('hostPath');
  for (const c of containers(p)) {
    const sc = (c.securityContext ?? {}) as Json;
    if (sc.privileged === true) v.push(`${c.name}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) v.push(`${c.name}: allowPrivilegeEscalation`);
    if (JSON.stringify((sc.capabilities as Json | undefined)?.drop) !== '["ALL"]') v.push(`${c.name}: drop ALL`);
    if ((sc.capabilities as Json | undefined)?.add !== undefined) v.push(`${c.name}: capabilities.add`);
    if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) v.push(`${c.name}: runAsNonRoot`);
    if (((sc.runAsUser ?? podSc.runAsUser) as number | undefined) === 0) v.push(`${c.name}: runAsUser 0`);
    const seccomp = ((sc.seccompProfile ?? podSc.seccompProfile) as Json | undefined)?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') v.push(`${c.name}: seccomp`);
  }
  return v;
}

function problemsOf(text: string): string[] {
  const dir = makeTempRepo();
  writeFileSync(join(dir, 'config/environments/broken.yaml'), text);
  try {
    loadEnvironment(dir, 'broken');
  } catch (e) {
    if (e instanceof UserInputError) return e.problems.map(formatProblem);
    throw e;
  }
  return [];
}

describe('shipped environments', () => {
  it('are the three primary ones plus the azure-tdx-lab and bare-metal examples', () => {
    expect(listEnvironments(repoRoot())).toEqual(SHIPPED);
  });

  it.each(SHIPPED)('%s: the whole bundle passes schema + semantic validation, and each demo sits in its own folder and namespace', (name) => {
    const folders = buildManifests(env(name));
    const all = folders.flatMap((f) => f.objects);
    expect([...validateSchemas(all), ...validateSemantics(all, { externalNamespaces: [env(name).config.gitops.argocdNamespace] })]).toEqual([]);
    const demos = enabledDemos(env(name).config);
    // Seed 004's key-release identity sits in the workloads namespace itself: the federated credential names it.
    const identity = workloads(name).get('workloads/key-release-identity') ?? [];
    expect(identity.every((o) => o.metadata.namespace === env(name).config.workloads.namespace)).toBe(true);
    expect(identity.length > 0).toBe(env(name).config.workloads.attestationDemo.enabled);
    const rendered = [...workloads(name).keys()].filter((f) => f !== 'workloads' && f !== 'workloads/key-release-identity').sort();
    expect(rendered).toEqual(demos.map((d) => `workloads/${d.id}`).sort());
    for (const demo of demos) {
      const objects = workloads(name).get(`workloads/${demo.id}`) ?? [];
      const ns = demoNamespace(env(name).config, demo);
      expect(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name)).toEqual([ns]);
      expect(objects.filter((o) => o.kind !== 'Namespace').every((o) => o.metadata.namespace === ns)).toBe(true);
      const level = objects.find((o) => o.kind === 'Namespace')?.metadata.labels?.['pod-security.kubernetes.io/enforce'];
      expect(level).toBe(demo.podSecurity);
    }
  });

  it.each(SHIPPED)('%s: every Kata annotation decodes (base64, gunzip, TOML) to the policy generated from its pod spec and the KBS by ClusterIP (peer pods: by its internal load balancer)', (name) => {
    const e = env(name);
    for (const p of pods([...workloads(name).values()].flat())) {
      const a = annotations(p);
      if (a[INITDATA_ANNOTATION] !== undefined) {
        const init = decodeInitdata(a[INITDATA_ANNOTATION]);
        expect(init.version).toBe('0.1.0');
        expect(init.policy).toBe(generatedPolicy(p));
        expect(init.policy).toMatch(/^default CreateContainerRequest := false/m);
        const scheme = e.config.kbs.tlsSecretName ? 'https' : 'http';
        // A pod VM sits outside the cluster network: it reaches the KBS's internal load balancer.
        const kbsAddress = e.config.infrastructure.peerPods?.kbsAddress ?? e.config.kbs.serviceClusterIP;
        const url = `${scheme}://${kbsAddress}:8080`;
        // An HTTPS KBS from a private CA: the guest gets the CA certificate too (runtime.kbsCertificate).
        const cert = e.config.runtime.kbsCertificate;
        expect(init.aa).toEqual({ token_configs: { kbs: { url, ...(cert !== undefined ? { cert } : {}) } } });
        expect(init.cdh).toEqual({ kbc: { name: 'cc_kbc', url, ...(cert !== undefined ? { kbs_cert: cert } : {}) } });
        expect(a[AGENT_POLICY_ANNOTATION]).toBeUndefined();
      }
      if (a[AGENT_POLICY_ANNOTATION] !== undefined) expect(decodePolicyAnnotation(a[AGENT_POLICY_ANNOTATION])).toBe(generatedPolicy(p));
    }
  });

  it.each(SHIPPED)('%s: pods in restricted namespaces meet the restricted profile; images pinned; no service account token', (name) => {
    for (const [folder, objects] of workloads(name)) {
      const level = objects.find((o) => o.kind === 'Namespace')?.metadata.labels?.['pod-security.kubernetes.io/enforce'];
      for (const p of pods(objects)) {
        if (level === 'restricted') expect({ folder, violations: restrictedViolations(p) }).toEqual({ folder, violations: [] });
        expect(p.spec.automountServiceAccountToken).toBe(false);
        for (const c of containers(p)) expect(String(c.image)).toMatch(/^[^\s]+(:(?!latest$)[\w][\w.-]*|@sha256:[a-f0-9]{64})$/);
      }
    }
  });

  it.each(SHIPPED)('%s: demos whose guests call the KBS are let through the KBS NetworkPolicy (kbs.access.namespaces)', (name) => {
    const e = env(name);
    const allowed: readonly string[] = (e.config.kbs as { access?: { namespaces?: readonly string[] } }).access?.namespaces ?? [];
    if (!e.config.kbs.enabled || allowed.length === 0) return;
    const missing = enabledDemos(e.config).filter((d) => d.usesKbs).map((d) => demoNamespace(e.config, d)).filter((ns) => !allowed.includes(ns));
    expect({ env: name, missing }).toEqual({ env: name, missing: [] });
  });
});

describe('coco-dev: seed 001 coco-demo-01..05', () => {
  const objects = () => [...workloads('coco-dev').values()].flat();

  it('five pods on kata-qemu-coco-dev, each adding one feature', () => {
    const byName = new Map(pods(objects()).map((p) => [p.owner.metadata.name, p]));
    expect([...byName.keys()]).toEqual(['coco-demo-01', 'coco-demo-02', 'coco-demo-03', 'coco-demo-04', 'coco-demo-05']);
    for (const p of byName.values()) expect(p.spec.runtimeClassName).toBe('kata-qemu-coco-dev');
    const get = (n: string) => byName.get(n) as PodView;
    expect(annotations(get('coco-demo-01'))).toEqual({});
    expect(Object.keys(annotations(get('coco-demo-02')))).toEqual([AGENT_POLICY_ANNOTATION]);
    expect(decodePolicyAnnotation(annotations(get('coco-demo-02'))[AGENT_POLICY_ANNOTATION])).toMatch(/^default ExecProcessRequest := false/m);
    for (const n of ['coco-demo-03', 'coco-demo-04', 'coco-demo-05']) expect(Object.keys(annotations(get(n)))).toEqual([INITDATA_ANNOTATION]);
    expect(containers(get('coco-demo-04'))[0].command).toEqual(['sh', '-c', 'wget -O- http://127.0.0.1:8006/cdh/resource/default/secret/1; sleep infinity']);
    expect(containers(get('coco-demo-05'))[0]).toMatchObject({ image: 'ghcr.io/confidential-containers/test-container:multi-arch-encrypted', imagePullPolicy: 'Always' });
    expect(containers(get('coco-demo-01'))[0].image).toBe('docker.io/library/busybox:1.37.0');
  });
});

describe('azure-tdx and azure-tdx-lab: seed 000 sections 8 and 9', () => {
  it('azure-tdx: encrypted nginx and secret app from config, on decrypting workers, pulled every start, no runtime class', () => {
    const ps = pods([...workloads('azure-tdx').values()].flat());
    expect(ps.map((p) => p.owner.metadata.name)).toEqual(['encrypted-nginx', 'secret-app']);
    const cfg = env('azure-tdx').config.workloads.nodeDecryption;
    expect(containers(ps[0])[0]).toMatchObject({ image: cfg.encryptedNginxImage, imagePullPolicy: 'Always', ports: [{ containerPort: 8080 }] });
    expect(containers(ps[1])[0]).toMatchObject({ image: cfg.secretAppImage, imagePullPolicy: 'Always' });
    for (const p of ps) {
      expect(p.spec.nodeSelector).toEqual({ 'coco.azure/guest-components': 'enabled' });
      expect(p.spec.runtimeClassName).toBeUndefined();
    }
    expect([...workloads('azure-tdx').keys()].some((f) => f.includes('insecure'))).toBe(false);
  });

  it('azure-tdx-lab: the section 9 demos, loudly labelled; only attacker and memory inspector are privileged, with a reason', () => {
    const folders = workloads('azure-tdx-lab');
    const insecure = DEMOS.filter((d) => d.group === 'insecurity');
    for (const demo of insecure) {
      const objects = folders.get(`workloads/${demo.id}`) ?? [];
      expect(objects.length).toBeGreaterThan(1);
      for (const o of objects) expect(o.metadata.labels?.['coco.azure/insecurity-demo']).toBe('true');
      for (const p of pods(objects)) {
        const violations = restrictedViolations(p);
        if (demo.podSecurity === 'privileged') {
          expect(violations.length).toBeGreaterThan(0);
          expect(p.owner.metadata.annotations?.[PRIVILEGED_REASON_ANNOTATION]).toMatch(/^INSECURITY DEMO \(dev profile only\)/);
        } else {
          expect(violations).toEqual([]);
        }
      }
    }
    const attacker = pods(folders.get('workloads/insecure-attacker') ?? [])[0];
    expect(attacker.spec).toMatchObject({ hostPID: true, hostNetwork: true, volumes: [{ hostPath: { path: '/' } }] });
    expect(pods(folders.get('workloads/insecure-shared-pid') ?? [])[0].spec.shareProcessNamespace).toBe(true);
    const tenants = ['a', 'b'].map((t) => pods(folders.get(`workloads/insecure-tenant-${t}`) ?? [])[0].owner.metadata.labels?.['coco.azure/tenant']);
    expect(tenants).toEqual(['a', 'b']);
  });

  it('azure-tdx-lab has the infrastructure shape of azure-tdx (own resource group, Key Vault and tag only), profile dev', () => {
    const shape = (name: string) => {
      const { resourceGroup, tags, tdx, ...rest } = env(name).config.infrastructure;
      return { ...rest, tdx: { ...tdx, keyVaultName: undefined } };
    };
    expect(shape('azure-tdx-lab')).toEqual(shape('azure-tdx'));
    expect(env('azure-tdx-lab').config.infrastructure.resourceGroup).not.toBe(env('azure-tdx').config.infrastructure.resourceGroup);
    expect(env('azure-tdx-lab').config.profile).toBe('dev');
    expect(env('azure-tdx-lab').config.devSwitches).toMatchObject({ allowOfflineFsKbc: true, enableInsecurityDemos: true });
  });

  it('production refuses the insecurity demos; they need the secret-app image', () => {
    const lab = readEnvFile('azure-tdx-lab');
    expect(problemsOf(lab.replace('profile: dev', 'profile: production'))).toEqual(
      expect.arrayContaining([expect.stringMatching(/\/devSwitches\/enableInsecurityDemos: expected false \(profile production refuses dev switches\), found boolean true$/)]),
    );
    expect(problemsOf(lab.replace(/    secretAppImage: .*\n/, ''))).toEqual(
      expect.arrayContaining([expect.stringMatching(/\/workloads\/nodeDecryption\/secretAppImage: expected the secret-app image \(the section 9 demos use it as victim and tenant A\), found nothing$/)]),
    );
  });
});

describe('bare-metal: seed 002 confidential-app', () => {
  it('Deployment on kata-qemu-tdx with initdata, TDX node affinity, anti-affinity, probes, PVC and Service', () => {
    const objects = workloads('bare-metal').get('workloads/confidential-app') ?? [];
    // The ServiceMonitor: test/workloads-servicemonitor.test.ts.
    expect(objects.map((o) => o.kind).sort()).toEqual(['Deployment', 'Namespace', 'PersistentVolumeClaim', 'Service', 'ServiceMonitor']);
    const [app] = pods(objects);
    expect(app.spec.runtimeClassName).toBe('kata-qemu-tdx');
    expect(Object.keys(annotations(app))).toEqual([INITDATA_ANNOTATION]);
    expect(app.spec.affinity).toMatchObject({
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'intel.feature.node.kubernetes.io/tdx', operator: 'In', values: ['true'] }] }] } },
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname' } }] },
    });
    const [c] = containers(app);
    expect(c).toMatchObject({
      image: 'quay.io/example/sensitive-app:v1.0-encrypted',
      livenessProbe: { httpGet: { path: '/health', port: 'https', scheme: 'HTTPS' } },
      readinessProbe: { httpGet: { path: '/ready', port: 'https', scheme: 'HTTPS' } },
    });
    expect(c.env).toEqual([
      { name: 'CDH_RESOURCE_URL', value: 'http://127.0.0.1:8006/cdh/resource' },
      { name: 'KBS_RESOURCE_DB_PASSWORD', value: 'kbs:///default/app/db-password' },
      { name: 'KBS_RESOURCE_API_CREDENTIALS', value: 'kbs:///default/app/api-credentials' },
    ]);
  });
});

describe('workloads config rules', () => {
  const tdx = readEnvFile('azure-tdx');
  const dev = readEnvFile('coco-dev');
  const metal = readEnvFile('bare-metal');

  it.each<[string, string, RegExp]>([
    ['an unpinned image', tdx.replace(/encryptedNginxImage: .*\n/, 'encryptedNginxImage: docker.io/example-org/nginx-encrypted:latest\n'), /\/workloads\/nodeDecryption\/encryptedNginxImage: expected an image reference with a tag other than "latest" or an @sha256: digest.*, found string "docker.io\/example-org\/nginx-encrypted:latest"$/],
    ['an image without tag', tdx.replace(/secretAppImage: .*\n/, 'secretAppImage: docker.io/example-org/secret-app\n'), /\/workloads\/nodeDecryption\/secretAppImage: expected an image reference/],
    ['node decryption without images', tdx.replace(/    encryptedNginxImage: .*\n/, ''), /\/workloads\/nodeDecryption\/encryptedNginxImage: expected your encrypted nginx image, pinned \(required with nodeDecryption.enabled\), found nothing$/],
    ['coco demos on a class the runtime does not render', dev.replace('    runtimeClass: kata-qemu-coco-dev', '    runtimeClass: kata-qemu-tdx'), /\/workloads\/cocoDemos\/runtimeClass: expected a runtime class listed in runtime.runtimeClasses with runtime.enabled \(kata-qemu-coco-dev\), for the seed 001 demos, found string "kata-qemu-tdx"$/],
    ['coco demos on plain Kata', dev.replace('    runtimeClass: kata-qemu-coco-dev', '    runtimeClass: kata-qemu'), /\/workloads\/cocoDemos\/runtimeClass: expected a CoCo runtime class/],
    ['three replicas on one ReadWriteOnce claim', metal.replace('    replicas: 1 ', '    replicas: 3 '), /\/workloads\/confidentialApp\/replicas: expected replicas 1, or storageAccessMode ReadWriteMany .*, found number 3$/],
    ['the app on a non-TEE class', metal.replace('    runtimeClass: kata-qemu-tdx ', '    runtimeClass: kata-qemu-coco-dev '), /\/workloads\/confidentialApp\/runtimeClass: expected a TEE runtime class/],
    ['a namespace prefix too long for the demo names', dev.replace('  namespace: coco-demo            # prefix', `  namespace: ${'x'.repeat(50)}            # prefix`), /\/workloads\/namespace: expected a prefix of at most \d+ characters \(demo namespace x+-05-encrypted-image must be a DNS label of at most 63\)/],
  ])('%s', (_, text, message) => {
    // The edit applied (a replace that matched nothing would test the shipped file instead).
    expect([tdx, dev, metal]).not.toContain(text);
    const problems = problemsOf(text);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });
});
