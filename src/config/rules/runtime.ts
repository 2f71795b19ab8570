/** Rules for `runtime`: runtime classes the environment's nodes can actually run, and production gates. */
import type { EnvironmentConfig } from '../schema';
import { KATA_RUNTIME_CLASSES } from '../../k8s/runtime/kata-runtime-classes';
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
}
