/** Rules for `workloads`: each demo's prerequisites, image inputs, namespaces, and production gates. */
import type { EnvironmentConfig } from '../schema';
import { KATA_RUNTIME_CLASSES } from '../../k8s/runtime/kata-runtime-classes';
import { demoNamespace, enabledDemos } from '../../k8s/workloads/demos';
import type { Report } from './report';

export function checkWorkloads(env: EnvironmentConfig, report: Report): void {
  const w = env.workloads;
  if (!w.enabled) {
    if (env.devSwitches.enableInsecurityDemos) report('/devSwitches/enableInsecurityDemos', 'false (the demos are workloads and workloads.enabled is false)', true);
    return;
  }
  const classes: readonly string[] = env.runtime.enabled ? env.runtime.runtimeClasses : [];
  const needsClass = (path: string, name: string, what: string) => {
    if (!classes.includes(name)) report(path, `a runtime class listed in runtime.runtimeClasses with runtime.enabled (${classes.join(', ') || 'none'}), for ${what}`, name);
  };
  if (w.cocoDemos.enabled) {
    const tee = KATA_RUNTIME_CLASSES[w.cocoDemos.runtimeClass].tee;
    if (tee === 'none') report('/workloads/cocoDemos/runtimeClass', 'a CoCo runtime class (kata-qemu-coco-dev, kata-qemu-tdx, kata-qemu-snp, kata-remote or a -runtime-rs variant)', w.cocoDemos.runtimeClass);
    needsClass('/workloads/cocoDemos/runtimeClass', w.cocoDemos.runtimeClass, 'the seed 001 demos');
    if (!env.kbs.enabled) report('/workloads/cocoDemos/enabled', 'false, or kbs.enabled: true (demos 03-05 attest to the KBS)', true);
  }
  if (w.nodeDecryption.enabled) {
    if (!env.guestComponents.enabled) report('/workloads/nodeDecryption/enabled', 'false, or guestComponents.enabled: true (the node decrypts the images)', true);
    if (w.nodeDecryption.encryptedNginxImage === undefined) report('/workloads/nodeDecryption/encryptedNginxImage', 'your encrypted nginx image, pinned (required with nodeDecryption.enabled)', undefined);
    if (w.nodeDecryption.secretAppImage === undefined) report('/workloads/nodeDecryption/secretAppImage', 'your encrypted secret-app image, pinned (required with nodeDecryption.enabled)', undefined);
  }
  if (env.devSwitches.enableInsecurityDemos && w.nodeDecryption.secretAppImage === undefined) {
    report('/workloads/nodeDecryption/secretAppImage', 'the secret-app image (the section 9 demos use it as victim and tenant A)', undefined);
  }
  const app = w.confidentialApp;
  if (app.enabled) {
    const tee = KATA_RUNTIME_CLASSES[app.runtimeClass].tee;
    if (tee !== 'tdx' && tee !== 'snp') report('/workloads/confidentialApp/runtimeClass', 'a TEE runtime class: kata-qemu-tdx, kata-qemu-snp or a -runtime-rs variant (seed 002 runs on TDX/SNP hosts)', app.runtimeClass);
    needsClass('/workloads/confidentialApp/runtimeClass', app.runtimeClass, 'the confidential app');
    if (app.replicas > 1 && app.storageAccessMode === 'ReadWriteOnce') {
      report('/workloads/confidentialApp/replicas', 'replicas 1, or storageAccessMode ReadWriteMany (all replicas share one claim, and a ReadWriteOnce volume attaches to one node)', app.replicas);
    }
    if (app.image === undefined) report('/workloads/confidentialApp/image', 'the application image, pinned (required with confidentialApp.enabled)', undefined);
    if (!env.kbs.enabled) report('/workloads/confidentialApp/enabled', 'false, or kbs.enabled: true (the app reads its secrets from the KBS through CDH)', true);
    if (app.serviceMonitor && app.metricsCaSecret === undefined && env.profile === 'production') {
      report('/workloads/confidentialApp/metricsCaSecret', 'a CA Secret reference (profile production refuses a metrics scrape that skips certificate verification)', undefined);
    }
  }
  if (w.attestationDemo.enabled && env.infrastructure.provider !== 'aks-cvm') {
    report('/workloads/attestationDemo/enabled', 'false, or infrastructure.provider aks-cvm (the demo uses the AKS confidential pool and the key-release identity)', true);
  }
  if (env.devSwitches.enableMaaAttestationDemo && !w.attestationDemo.enabled) {
    report('/devSwitches/enableMaaAttestationDemo', 'false, or workloads.attestationDemo.enabled: true', true);
  }
  checkDemoNamespaces(env, report);
  checkKbsResources(env, report);
}

/** KBS resources the enabled workloads fetch (CDH resource paths, kbs:/// URIs, image keys), with where they are named. */
export function kbsResourcesUsed(env: EnvironmentConfig): { jsonPath: string; resource: string }[] {
  const w = env.workloads;
  const used: { jsonPath: string; resource: string }[] = [];
  if (w.cocoDemos.enabled) {
    used.push({ jsonPath: '/workloads/cocoDemos/resourcePath', resource: w.cocoDemos.resourcePath });
    used.push({ jsonPath: '/workloads/cocoDemos/encryptedImageKey', resource: w.cocoDemos.encryptedImageKey });
  }
  if (w.nodeDecryption.enabled) w.nodeDecryption.imageKeys.forEach((k, i) => used.push({ jsonPath: `/workloads/nodeDecryption/imageKeys/${i}`, resource: k }));
  if (w.confidentialApp.enabled) {
    w.confidentialApp.resourcePaths.forEach((p, i) => used.push({ jsonPath: `/workloads/confidentialApp/resourcePaths/${i}`, resource: p }));
    if (w.confidentialApp.imageKey !== undefined) used.push({ jsonPath: '/workloads/confidentialApp/imageKey', resource: w.confidentialApp.imageKey });
  }
  return used;
}

/**
 * Every KBS resource a workload fetches must be in kbs.resources: the provisioning Job uploads it and
 * the resource policy releases it. Anything else is a pod that attests and then gets nothing.
 */
function checkKbsResources(env: EnvironmentConfig, report: Report): void {
  if (!env.kbs.enabled) return;
  const provisioned = new Set(env.kbs.resources.map((r) => r.path));
  for (const { jsonPath, resource } of kbsResourcesUsed(env)) {
    if (!provisioned.has(resource)) {
      report(jsonPath, `a KBS resource listed in kbs.resources (${[...provisioned].join(', ') || 'none'}), so the provisioning Job uploads it and the resource policy releases it`, resource);
    }
  }
}

/** Demo namespaces are `<workloads.namespace>-<id>`: they must be DNS labels and clash with no other namespace. */
function checkDemoNamespaces(env: EnvironmentConfig, report: Report): void {
  const taken = new Map<string, string>([[env.gitops.argocdNamespace, '/gitops/argocdNamespace']]);
  for (const component of ['kbs', 'guestComponents', 'runtime', 'workloads'] as const) {
    if (env[component].enabled) taken.set(env[component].namespace, `/${component}/namespace`);
  }
  for (const demo of enabledDemos(env)) {
    const namespace = demoNamespace(env, demo);
    if (namespace.length > 63) {
      report('/workloads/namespace', `a prefix of at most ${62 - demo.id.length} characters (demo namespace ${namespace} must be a DNS label of at most 63)`, env.workloads.namespace);
    }
    const owner = taken.get(namespace);
    if (owner) report('/workloads/namespace', `a prefix whose demo namespace ${namespace} is not already used by ${owner}`, env.workloads.namespace);
  }
}
