/** Rules for `runtime`: runtime classes the environment's nodes can actually run, and production gates. */
import type { EnvironmentConfig } from '../schema';
import { isCocoClass, KATA_RUNTIME_CLASSES } from '../../k8s/runtime/kata-runtime-classes';
import type { Report } from './report';

export function checkRuntime(env: EnvironmentConfig, report: Report): void {
  const runtime = env.runtime;
  if (!runtime.enabled) return;
  const provider = env.infrastructure.provider;
  if (runtime.runtimeClasses.length === 0) {
    report('/runtime/runtimeClasses', 'at least one runtime class (or runtime.enabled: false)', runtime.runtimeClasses);
  }
  runtime.runtimeClasses.forEach((name, i) => {
    const path = `/runtime/runtimeClasses/${i}`;
    const info = KATA_RUNTIME_CLASSES[name];
    if (provider !== 'none' && info.nestedVirtualization) {
      report(path, `kata-remote (provider ${provider}: Azure confidential VMs offer no nested virtualization, so Kata can only run pods as peer-pod VMs)`, name);
    }
    if (env.profile === 'production' && info.tee === 'sample') {
      report(path, 'a TEE runtime class (profile production refuses kata-qemu-coco-dev*: no TEE, attestation by the sample attester)', name);
    }
  });
  checkKbsCertificate(env, report);
}

/**
 * Kata guests reach an HTTPS KBS at its ClusterIP, with a certificate from the operator's own CA
 * (docs/kbs.md): without that certificate in initdata the guest's attestation agent cannot verify
 * the KBS, and with nothing to verify against it must not be trusted. Production requires it
 * whenever CoCo pods attest to an HTTPS KBS; plain HTTP carries nothing to verify.
 */
function checkKbsCertificate(env: EnvironmentConfig, report: Report): void {
  if (!env.kbs.enabled || env.kbs.tlsSecretName === undefined || env.runtime.kbsCertificate !== undefined || env.profile !== 'production') return;
  const w = env.workloads;
  const attesting = w.enabled && ((w.cocoDemos.enabled && isCocoClass(w.cocoDemos.runtimeClass)) || (w.confidentialApp.enabled && isCocoClass(w.confidentialApp.runtimeClass)));
  if (attesting) {
    report('/runtime/kbsCertificate', 'the PEM certificate of the CA behind kbs.tlsSecretName (kbs-ca.crt of docs/kbs.md): Kata guests verify the HTTPS KBS with it, and profile production requires it', undefined);
  }
}
