/**
 * Every rule, in the order they run: first what is refused (or stripped under `--force`), so the
 * warnings that follow describe the pod as it comes out.
 */
import type { PodRule } from './context';
import { capabilities } from './capabilities';
import { gpu } from './gpu';
import { hostNamespaces } from './host-namespaces';
import { hostPath } from './host-path';
import { hostReadableVolumes } from './host-readable-volumes';
import { imagePins } from './image-pins';
import { memoryLimits } from './memory-limits';
import { privilegeEscalation } from './privilege-escalation';
import { privileged } from './privileged';
import { serviceAccountToken } from './service-account-token';

export type { PodContext, PodRule } from './context';

export const POD_RULES: readonly PodRule[] = [
  hostNamespaces,
  hostPath,
  privileged,
  capabilities,
  privilegeEscalation,
  imagePins,
  gpu,
  memoryLimits,
  serviceAccountToken,
  hostReadableVolumes,
];
