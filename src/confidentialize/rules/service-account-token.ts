import { isObject } from '../json';
import { serviceAccountKey } from '../service-accounts';
import type { PodRule } from './context';

const WHY = 'the kubelet on the host writes it, so the host holds this credential too';

/** A mounted service-account token is an API credential the host has too. */
export const serviceAccountToken: PodRule = {
  about: 'mounted service-account tokens (warning)',
  apply(ctx) {
    const namespace = isObject(ctx.object.metadata) ? ctx.object.metadata.namespace : undefined;
    const inherited = ctx.spec.automountServiceAccountToken === undefined && ctx.tokenlessServiceAccounts.has(serviceAccountKey(namespace, ctx.spec.serviceAccountName));
    if (ctx.spec.automountServiceAccountToken !== false && !inherited) {
      ctx.warn(`${ctx.base}/spec/automountServiceAccountToken`, `service-account token mounted (${WHY}); set automountServiceAccountToken: false unless the app calls the API server`);
    }
    const volumes = Array.isArray(ctx.spec.volumes) ? ctx.spec.volumes : [];
    volumes.forEach((volume, i) => {
      const sources = isObject(volume) && isObject(volume.projected) ? volume.projected.sources : undefined;
      if (!Array.isArray(sources)) return;
      sources.forEach((source, j) => {
        if (isObject(source) && source.serviceAccountToken !== undefined) {
          ctx.warn(`${ctx.base}/spec/volumes/${i}/projected/sources/${j}/serviceAccountToken`, `projected service-account token in volume ${String(volume.name)}: ${WHY}`);
        }
      });
    });
  },
};
