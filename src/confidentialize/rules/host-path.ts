import { containersOf } from '../containers';
import { isObject } from '../json';
import type { PodRule } from './context';

/** hostPath volumes are host files: outside the TEE, readable and writable by the host. */
export const hostPath: PodRule = {
  about: 'hostPath volumes (with their mounts)',
  apply(ctx) {
    const volumes = Array.isArray(ctx.spec.volumes) ? ctx.spec.volumes : [];
    const removed = new Set<string>();
    volumes.forEach((volume, i) => {
      if (isObject(volume) && volume.hostPath !== undefined && typeof volume.name === 'string') {
        if (ctx.strip(`${ctx.base}/spec/volumes/${i}/hostPath`, `hostPath volume ${volume.name}`, 'host files are outside the TEE and readable by the host')) removed.add(volume.name);
      }
    });
    if (removed.size === 0) return;
    const kept = volumes.filter((v) => !(isObject(v) && typeof v.name === 'string' && removed.has(v.name)));
    if (kept.length > 0) ctx.spec.volumes = kept;
    else delete ctx.spec.volumes;
    for (const { container, list, index } of containersOf(ctx.spec)) {
      for (const field of ['volumeMounts', 'volumeDevices']) {
        const mounts = container[field];
        if (!Array.isArray(mounts)) continue;
        const still = mounts.filter((m) => !(isObject(m) && typeof m.name === 'string' && removed.has(m.name)));
        if (still.length === mounts.length) continue;
        ctx.warn(`${ctx.base}/spec/${list}/${index}/${field}`, `removed ${mounts.length - still.length} mount(s) of removed hostPath volume(s)`);
        if (still.length > 0) container[field] = still;
        else delete container[field];
      }
    }
  },
};
