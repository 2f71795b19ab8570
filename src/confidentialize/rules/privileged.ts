import { containerName, containersOf } from '../containers';
import { isObject } from '../json';
import type { PodRule } from './context';
import { dropEmptySecurityContext } from './security-context';

/** Privileged containers (ephemeral ones too) reach host devices and leave the pod's isolation. */
export const privileged: PodRule = {
  about: 'privileged containers, ephemeral containers included',
  apply(ctx) {
    for (const ref of containersOf(ctx.spec)) {
      const sc = ref.container.securityContext;
      if (!isObject(sc) || sc.privileged !== true) continue;
      const path = `${ctx.base}/spec/${ref.list}/${ref.index}/securityContext/privileged`;
      if (ctx.strip(path, `privileged: true (${containerName(ref)})`, 'a privileged container reaches host devices and breaks out of the pod isolation')) {
        delete sc.privileged;
        dropEmptySecurityContext(ref.container);
      }
    }
  },
};
