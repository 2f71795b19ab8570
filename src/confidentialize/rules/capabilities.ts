import { containerName, containersOf } from '../containers';
import { isObject } from '../json';
import type { PodRule } from './context';
import { dropEmptySecurityContext } from './security-context';

/**
 * Capabilities a container may add: the Pod Security Standards "baseline" list
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/, "Capabilities"), which is
 * containerd's default set without NET_RAW. Adding one of these grants nothing a container does
 * not already have; anything else (SYS_ADMIN, SYS_PTRACE, NET_ADMIN, NET_RAW, BPF, ALL, ...) reaches
 * into the kernel, other processes or the network beyond the pod.
 */
export const SAFE_CAPABILITIES: ReadonlySet<string> = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

/** `cap_sys_admin` and `SYS_ADMIN` are the same capability. */
function normalise(capability: string): string {
  return capability.toUpperCase().replace(/^CAP_/, '');
}

export const capabilities: PodRule = {
  about: `added capabilities beyond ${[...SAFE_CAPABILITIES].join(', ')}`,
  apply(ctx) {
    for (const ref of containersOf(ctx.spec)) {
      const sc = ref.container.securityContext;
      const caps = isObject(sc) ? sc.capabilities : undefined;
      if (!isObject(sc) || !isObject(caps) || !Array.isArray(caps.add)) continue;
      const unsafe = caps.add.filter((c) => typeof c !== 'string' || !SAFE_CAPABILITIES.has(normalise(c)));
      if (unsafe.length === 0) continue;
      const path = `${ctx.base}/spec/${ref.list}/${ref.index}/securityContext/capabilities/add`;
      const found = `capabilities ${unsafe.map(String).join(', ')} (${containerName(ref)})`;
      if (!ctx.strip(path, found, `outside the safe set (${[...SAFE_CAPABILITIES].join(', ')}) they reach the kernel, other processes or the network beyond the pod`)) continue;
      const kept = caps.add.filter((c) => !unsafe.includes(c));
      if (kept.length > 0) caps.add = kept;
      else delete caps.add;
      if (Object.keys(caps).length === 0) delete sc.capabilities;
      dropEmptySecurityContext(ref.container);
    }
  },
};
