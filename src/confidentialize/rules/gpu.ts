import { containerName, containersOf } from '../containers';
import { isObject } from '../json';
import type { PodRule } from './context';

/** Extended resources of GPU device plugins: nvidia.com/gpu, nvidia.com/mig-1g.5gb, amd.com/gpu, gpu.intel.com/i915, ... */
const GPU_RESOURCE = /gpu|^nvidia\.com\//i;

export const gpu: PodRule = {
  about: 'GPU requests (warning)',
  apply(ctx) {
    for (const ref of containersOf(ctx.spec)) {
      const resources = ref.container.resources;
      if (!isObject(resources)) continue;
      const names = [...new Set(['limits', 'requests'].flatMap((k) => (isObject(resources[k]) ? Object.keys(resources[k]) : [])).filter((n) => GPU_RESOURCE.test(n)))];
      if (names.length === 0) continue;
      const why =
        ctx.target.kind === 'kata'
          ? `runtime class ${ctx.target.runtimeClass} attaches no GPU to the pod VM: the pod gets no device (a confidential GPU needs a GPU-enabled CoCo runtime class and a GPU in confidential-computing mode)`
          : 'a GPU of the node is outside the confidential VM trust boundary unless it runs in confidential-computing mode';
      ctx.warn(`${ctx.base}/spec/${ref.list}/${ref.index}/resources`, `${containerName(ref)} requests ${names.join(', ')}: ${why}`);
    }
  },
};
