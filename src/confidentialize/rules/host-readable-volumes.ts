import { isObject, type JsonObject } from '../json';
import { pointer } from '../paths';
import type { PodContext, PodRule } from './context';

/** Volume sources whose data the kubelet writes or attaches from outside the pod's TEE. */
const KUBELET_WRITTEN = new Set(['configMap', 'secret', 'downwardAPI', 'projected']);

/**
 * Where a volume's data is, seen from the pod, when the host can read it; undefined when it cannot.
 * Kata: everything but a memory-backed emptyDir comes from the host (the kubelet writes configMap,
 * secret, downwardAPI and projected files; emptyDir and persistent volumes are on host or network
 * storage). Confidential nodes: the node is the TEE, so only storage beyond it (persistent and
 * network volumes) is readable outside.
 */
function hostReadable(ctx: PodContext, volume: JsonObject): string | undefined {
  const source = Object.keys(volume).find((k) => k !== 'name');
  if (source === undefined || source === 'hostPath') return undefined; // hostPath: refused by host-path.ts
  if (source === 'emptyDir') {
    const memory = isObject(volume.emptyDir) && volume.emptyDir.medium === 'Memory';
    return ctx.target.kind === 'kata' && !memory ? 'an emptyDir on the host disk (medium: Memory keeps it in the TEE memory)' : undefined;
  }
  if (KUBELET_WRITTEN.has(source)) return ctx.target.kind === 'kata' ? `${source} files the kubelet writes on the host` : undefined;
  return `${source} storage attached from outside the ${ctx.target.kind === 'kata' ? 'pod VM' : 'confidential VM'}`;
}

const ADVICE = 'the host can read and change it (encrypt it in the app, fetch secrets through the Confidential Data Hub)';

export const hostReadableVolumes: PodRule = {
  about: 'volumes whose data the host can read (warning)',
  apply(ctx) {
    const volumes = Array.isArray(ctx.spec.volumes) ? ctx.spec.volumes : [];
    volumes.forEach((volume, i) => {
      if (!isObject(volume)) return;
      const where = hostReadable(ctx, volume);
      if (where) ctx.warn(`${ctx.base}/spec/volumes/${i}`, `volume ${String(volume.name)} is ${where}: ${ADVICE}`);
    });
    const spec = ctx.object.spec;
    const claims = isObject(spec) && Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : [];
    claims.forEach((claim, i) => {
      const name = isObject(claim) && isObject(claim.metadata) ? String(claim.metadata.name) : `#${i}`;
      ctx.warn(`${ctx.objectBase}${pointer('spec', 'volumeClaimTemplates', i)}`, `volume claim ${name} is persistent storage attached from outside the ${ctx.target.kind === 'kata' ? 'pod VM' : 'confidential VM'}: ${ADVICE}`);
    });
  },
};
