import type { Chart } from 'cdk8s';
import type { ComponentBuilder } from '../component-builder';
import type { LoadedEnvironment } from '../../config/load';
import { kataPodSettings, targetFor, type KataTarget } from '../../confidentialize/target';
import { AKS_CONFIDENTIAL_NODE_LABEL, GUEST_COMPONENTS_NODE_LABEL } from '../../shared/node-roles';
import { KeyReleaseIdentity } from './key-release-identity';
import { MaaAttestationJob } from './maa-attestation-job';
import { standardLabels } from '../../shared/labels';
import { kubernetesMinor } from '../../shared/versions';
import { AttackerPod } from './attacker-pod';
import { CocoDemoPod } from './coco-demo-pod';
import { ConfidentialApp } from './confidential-app';
import { DemoDeployment } from './demo-deployment';
import { DemoNamespace } from './demo-namespace';
import { DemoPod } from './demo-pod';
import { DEMOS, demoNamespace, groupEnabled, type DemoInfo } from './demos';
import { INSECURITY_DEMO_LABELS } from './labels';
import { generateAgentPolicies } from './kata-agent-policies';
import { MemoryInspectorPod } from './memory-inspector-pod';
import { NOBODY } from '../common/security-contexts';

/** Where a demo's objects go: its own chart (sub-folder) and namespace. */
interface DemoScope {
  readonly chart: Chart;
  readonly namespace: string;
  readonly labels: (name: string) => Record<string, string>;
}

/**
 * Builds the workloads component: every enabled demo in its own sub-folder
 * (`dist/<env>/workloads/<id>/`) and namespace (`<workloads.namespace>-<id>`), see demos.ts.
 */
export const buildWorkloads: ComponentBuilder = ({ subfolder }, env) => {
  const { config } = env;
  const scopeOf = (demo: DemoInfo): DemoScope => {
    const chart = subfolder(demo.id);
    const namespace = demoNamespace(config, demo);
    const insecure = demo.group === 'insecurity' ? INSECURITY_DEMO_LABELS : {};
    new DemoNamespace(chart, 'Namespace', {
      name: namespace,
      environment: env.name,
      podSecurity: demo.podSecurity,
      kubernetesVersion: kubernetesMinor(config.kubernetesVersion),
      labels: insecure,
      description: `seed ${demo.seedStep}`,
    });
    return { chart, namespace, labels: (name) => ({ ...standardLabels({ name, instance: env.name, component: 'workloads' }), ...insecure }) };
  };
  const demos = (group: DemoInfo['group']) => DEMOS.filter((d) => d.group === group).map((d) => ({ demo: d, scope: scopeOf(d) }));

  if (groupEnabled(config, 'coco')) buildCocoDemos(env, demos('coco'));
  if (groupEnabled(config, 'node-decryption')) buildNodeDecryption(env, demos('node-decryption'));
  if (groupEnabled(config, 'insecurity')) buildInsecurityDemos(env, demos('insecurity'));
  if (groupEnabled(config, 'confidential-app')) buildConfidentialApp(env, demos('confidential-app'));
  if (config.workloads.attestationDemo.enabled) buildAttestationDemo(env, subfolder('key-release-identity'), groupEnabled(config, 'maa-attestation') ? demos('maa-attestation') : []);
};

const ON_CONFIDENTIAL_POOL = { [AKS_CONFIDENTIAL_NODE_LABEL.key]: AKS_CONFIDENTIAL_NODE_LABEL.value };

/**
 * Seed 004 on aks-cvm: the key-release identity in the workloads namespace itself (the federated
 * credential names <workloads.namespace>:<keyReleaseServiceAccount>), and, dev only, the MAA Job.
 */
function buildAttestationDemo(env: LoadedEnvironment, identityChart: Chart, maa: Demos): void {
  const { config } = env;
  const cfg = config.workloads.attestationDemo;
  const aks = config.infrastructure.aks;
  if (!aks) throw new Error('workloads.attestationDemo needs infrastructure.aks although the config rules require it');
  new KeyReleaseIdentity(identityChart, 'KeyReleaseIdentity', {
    namespace: config.workloads.namespace,
    serviceAccountName: aks.keyReleaseServiceAccount,
    ...(cfg.keyReleaseClientId !== undefined ? { clientId: cfg.keyReleaseClientId } : {}),
    labels: standardLabels({ name: 'key-release-identity', instance: env.name, component: 'workloads' }),
    image: cfg.identityImage,
    nodeSelector: ON_CONFIDENTIAL_POOL,
  });
  for (const { scope } of maa) new MaaAttestationJob(scope.chart, 'MaaAttestation', { namespace: scope.namespace, labels: scope.labels('maa-attestation'), image: cfg.attestationImage, nodeSelector: ON_CONFIDENTIAL_POOL });
}

type Demos = readonly { readonly demo: DemoInfo; readonly scope: DemoScope }[];

function kataTarget(env: LoadedEnvironment, runtimeClass: string): KataTarget {
  const target = targetFor(env, runtimeClass);
  // The config rules guarantee a CoCo class of this environment; anything else is a bug here.
  if (target.kind !== 'kata') throw new Error(`${env.name}: ${runtimeClass} did not resolve to a Kata target`);
  return target;
}

/** Seed 001: coco-demo-01..05, each adding one CoCo feature to the previous one. */
function buildCocoDemos(env: LoadedEnvironment, demos: Demos): void {
  const cfg = env.config.workloads.cocoDemos;
  const target = kataTarget(env, cfg.runtimeClass);
  const sleep = ['sleep', 'infinity'];
  for (const [i, { demo, scope }] of demos.entries()) {
    const name = `coco-demo-0${i + 1}`;
    const common = { name, namespace: scope.namespace, labels: scope.labels(name), image: cfg.image, command: sleep };
    switch (demo.id) {
      case '01-kata-pod':
        // Runtime class only: a Kata VM, no policy, so `kubectl exec` still works (the contrast to 02).
        new CocoDemoPod(scope.chart, name, { ...common, kata: { runtimeClassName: target.runtimeClass, annotations: {}, nodeSelector: target.nodeSelector } });
        break;
      case '02-exec-denied':
        // The seed's delivery: the policy as the legacy annotation, exec denied.
        new CocoDemoPod(scope.chart, name, { ...common, kata: kataPodSettings(target, { legacyPolicyAnnotation: true }) });
        break;
      case '03-kbs-initdata':
        // The seed passed the KBS in kernel_params; Kata 4 reads aa.toml/cdh.toml from initdata.
        new CocoDemoPod(scope.chart, name, { ...common, kata: kataPodSettings(target) });
        break;
      case '04-cdh-resource':
        new CocoDemoPod(scope.chart, name, {
          ...common,
          kata: kataPodSettings(target),
          command: ['sh', '-c', `wget -O- http://127.0.0.1:8006/cdh/resource/${cfg.resourcePath}; sleep infinity`],
        });
        break;
      case '05-encrypted-image':
        new CocoDemoPod(scope.chart, name, { ...common, kata: kataPodSettings(target), image: cfg.encryptedImage, imagePullPolicy: 'Always' });
        break;
      default:
        throw new Error(`no construct for demo ${demo.id}`);
    }
    generateAgentPolicies(scope.chart, target, { allowLogs: env.config.runtime.allowContainerLogs });
  }
}

const ON_DECRYPTING_NODES = { [GUEST_COMPONENTS_NODE_LABEL.key]: GUEST_COMPONENTS_NODE_LABEL.value };

/** Seed 000 section 8: encrypted images decrypted by containerd on the TDX node (no Kata). */
function buildNodeDecryption(env: LoadedEnvironment, demos: Demos): void {
  const cfg = env.config.workloads.nodeDecryption;
  for (const { demo, scope } of demos) {
    if (demo.id === 'encrypted-nginx') {
      new DemoDeployment(scope.chart, 'EncryptedNginx', {
        name: 'encrypted-nginx',
        namespace: scope.namespace,
        labels: scope.labels('encrypted-nginx'),
        image: required(cfg.encryptedNginxImage, 'nodeDecryption.encryptedNginxImage'),
        imagePullPolicy: 'Always',
        runAsUser: cfg.nginxUser,
        nodeSelector: ON_DECRYPTING_NODES,
        port: { name: 'http', containerPort: cfg.nginxPort, servicePort: 80 },
        tmpVolume: true,
      });
    } else if (demo.id === 'secret-app') {
      new DemoDeployment(scope.chart, 'SecretApp', {
        name: 'secret-app',
        namespace: scope.namespace,
        labels: scope.labels('secret-app'),
        image: required(cfg.secretAppImage, 'nodeDecryption.secretAppImage'),
        imagePullPolicy: 'Always',
        runAsUser: NOBODY,
        nodeSelector: ON_DECRYPTING_NODES,
      });
    } else {
      throw new Error(`no construct for demo ${demo.id}`);
    }
  }
}

/** Seed 000 section 9: what a confidential VM node does not protect without Kata. Dev profile only. */
function buildInsecurityDemos(env: LoadedEnvironment, demos: Demos): void {
  const cfg = env.config.workloads.insecurityDemos;
  const secretApp = required(env.config.workloads.nodeDecryption.secretAppImage, 'nodeDecryption.secretAppImage');
  const sleep = ['sleep', 'infinity'];
  for (const { demo, scope } of demos) {
    const base = { namespace: scope.namespace, nodeSelector: ON_DECRYPTING_NODES };
    switch (demo.id) {
      case 'insecure-attacker':
        new AttackerPod(scope.chart, 'Attacker', { ...base, name: 'attacker-pod', labels: scope.labels('attacker-pod'), image: cfg.attackerImage });
        break;
      case 'insecure-tenant-a':
        new DemoPod(scope.chart, 'TenantA', {
          ...base,
          name: 'tenant-a-app',
          labels: { ...scope.labels('tenant-a-app'), 'coco.azure/tenant': 'a' },
          runAsUser: NOBODY,
          containers: [{ name: 'app', image: secretApp, imagePullPolicy: 'Always' }],
        });
        break;
      case 'insecure-tenant-b':
        new DemoPod(scope.chart, 'TenantB', {
          ...base,
          name: 'tenant-b-app',
          labels: { ...scope.labels('tenant-b-app'), 'coco.azure/tenant': 'b' },
          runAsUser: NOBODY,
          containers: [{ name: 'app', image: cfg.shellImage, imagePullPolicy: 'IfNotPresent', command: sleep }],
        });
        break;
      case 'insecure-exec':
        new DemoPod(scope.chart, 'ExecTarget', {
          ...base,
          name: 'exec-target',
          labels: scope.labels('exec-target'),
          runAsUser: NOBODY,
          containers: [{ name: 'app', image: secretApp, imagePullPolicy: 'Always' }],
        });
        break;
      case 'insecure-shared-pid':
        new DemoPod(scope.chart, 'SharedPid', {
          ...base,
          name: 'shared-ns-demo',
          labels: scope.labels('shared-ns-demo'),
          runAsUser: NOBODY,
          shareProcessNamespace: true,
          containers: [
            // A stand-in value, not a secret: the demo shows the observer can read it.
            { name: 'secret-holder', image: cfg.shellImage, imagePullPolicy: 'IfNotPresent', command: sleep, env: [{ name: 'DEMO_TOKEN', value: 'visible-to-every-container-of-this-pod' }] },
            { name: 'observer', image: cfg.shellImage, imagePullPolicy: 'IfNotPresent', command: sleep },
          ],
        });
        break;
      case 'insecure-memory':
        new MemoryInspectorPod(scope.chart, 'MemoryInspector', { ...base, name: 'memory-inspector', labels: scope.labels('memory-inspector'), image: cfg.shellImage });
        break;
      default:
        throw new Error(`no construct for demo ${demo.id}`);
    }
  }
}

/** Seed 002: the production-shaped confidential app on a TDX/SNP Kata runtime class. */
function buildConfidentialApp(env: LoadedEnvironment, demos: Demos): void {
  const cfg = env.config.workloads.confidentialApp;
  const target = kataTarget(env, cfg.runtimeClass);
  for (const { scope } of demos) {
    new ConfidentialApp(scope.chart, 'ConfidentialApp', {
      name: 'confidential-app',
      namespace: scope.namespace,
      labels: scope.labels('confidential-app'),
      image: required(cfg.image, 'confidentialApp.image'),
      kata: kataPodSettings(target),
      replicas: cfg.replicas,
      port: cfg.port,
      livenessPath: cfg.livenessPath,
      readinessPath: cfg.readinessPath,
      runAsUser: cfg.runAsUser,
      ...(cfg.storageClassName !== undefined ? { storageClassName: cfg.storageClassName } : {}),
      storageSize: cfg.storageSize,
      storageAccessMode: cfg.storageAccessMode,
      resourcePaths: cfg.resourcePaths,
      serviceMonitor: cfg.serviceMonitor,
      ...(cfg.metricsCaSecret ? { metricsCaSecret: cfg.metricsCaSecret } : {}),
    });
    generateAgentPolicies(scope.chart, target, { allowLogs: env.config.runtime.allowContainerLogs });
  }
}

/** Config rules make these present when the demo is enabled; reaching the throw is a bug. */
function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`workloads.${what} missing although the config rules require it`);
  return value;
}
