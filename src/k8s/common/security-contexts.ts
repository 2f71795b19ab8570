/**
 * Security contexts of our workloads (KBS, demos): the Pod Security "restricted" profile by default
 * (non-root, no privilege escalation, no capabilities, RuntimeDefault seccomp, read-only root).
 * Numeric user and group IDs on purpose: with Kata guest pull the image's /etc/passwd is not
 * visible to the kubelet, so named users cannot be resolved (Kata docs/Limitations.md).
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
import { Quantity, type PodSecurityContext, type ResourceRequirements, type SecurityContext } from 'cdk8s-plus-30/lib/imports/k8s';

/** nobody/nogroup: no image-specific user needed. */
export const NOBODY = 65534;

export function restrictedPod(uid: number = NOBODY): PodSecurityContext {
  return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: 'RuntimeDefault' } };
}

export function restrictedContainer(): SecurityContext {
  // runAsNonRoot here too, so a container stays safe when copied into a pod without the pod context.
  return { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } };
}

/** Small fixed requests and limits, so demos schedule predictably next to real workloads. */
export function smallResources(memory = '64Mi', cpu = '100m'): ResourceRequirements {
  return { requests: { memory: Quantity.fromString(memory), cpu: Quantity.fromString(cpu) }, limits: { memory: Quantity.fromString(memory) } };
}
