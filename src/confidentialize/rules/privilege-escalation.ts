import { containerName, containersOf } from '../containers';
import { isObject } from '../json';
import type { PodRule } from './context';

/**
 * `allowPrivilegeEscalation: true` lets setuid binaries and file capabilities gain privileges the
 * container was not given. Under `--force` it becomes `false`, not absent: absent means true
 * (no_new_privs is only set when the field is false).
 */
export const privilegeEscalation: PodRule = {
  about: 'allowPrivilegeEscalation: true',
  apply(ctx) {
    for (const ref of containersOf(ctx.spec)) {
      const sc = ref.container.securityContext;
      if (!isObject(sc) || sc.allowPrivilegeEscalation !== true) continue;
      const path = `${ctx.base}/spec/${ref.list}/${ref.index}/securityContext/allowPrivilegeEscalation`;
      if (ctx.strip(path, `allowPrivilegeEscalation: true (${containerName(ref)})`, 'processes could gain privileges the container was not given; --force sets it to false')) sc.allowPrivilegeEscalation = false;
    }
  },
};
