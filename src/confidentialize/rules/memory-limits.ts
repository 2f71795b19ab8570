import { containerName, containersOf, POD_CONTAINER_LISTS } from '../containers';
import { isObject } from '../json';
import type { PodRule } from './context';

/**
 * Kata sizes a pod VM when it starts (the TEE runtime classes use static_sandbox_resource_mgmt):
 * the runtime's default_memory (2048 MiB in Kata's QEMU configurations) plus the containers'
 * memory limits. A container without a limit adds nothing, so the app shares the default memory
 * with the guest kernel and agent.
 */
export const memoryLimits: PodRule = {
  about: 'containers without a memory limit (warning, Kata only)',
  apply(ctx) {
    if (ctx.target.kind !== 'kata') return;
    const unlimited = containersOf(ctx.spec, POD_CONTAINER_LISTS).filter((ref) => {
      const resources = ref.container.resources;
      const limits = isObject(resources) ? resources.limits : undefined;
      return !(isObject(limits) && limits.memory !== undefined);
    });
    if (unlimited.length === 0) return;
    ctx.warn(
      `${ctx.base}/spec`,
      `no memory limit on ${unlimited.map(containerName).join(', ')}: Kata sizes the pod VM from the limits (on top of its default_memory, 2048 MiB in Kata's QEMU configurations); set resources.limits.memory`,
    );
  },
};
