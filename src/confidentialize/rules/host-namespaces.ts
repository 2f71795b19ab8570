import type { PodRule } from './context';

/** A confidential pod shares no host namespace: the host is what it must be protected from. */
export const hostNamespaces: PodRule = {
  about: 'hostNetwork, hostPID, hostIPC',
  apply(ctx) {
    for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
      if (ctx.spec[field] === true && ctx.strip(`${ctx.base}/spec/${field}`, `${field}: true`, 'a confidential pod cannot share the host namespaces it must be protected from')) delete ctx.spec[field];
    }
  },
};
