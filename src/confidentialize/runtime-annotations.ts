/**
 * Pod annotations that belong to one container runtime. They go with the runtime class: where
 * `confidentialize` removes a Kata runtime class (an environment without Kata), it removes these too,
 * so no runtime handler or Kata setting is left behind for a runtime that is not there.
 */
import { isObject, type JsonObject } from './json';

/** Annotation keys by prefix: Kata's own (initdata, agent policy, hypervisor settings) and CRI-O's. */
const PREFIXES = ['io.katacontainers.', 'io.kubernetes.cri-o.'];

/** Single keys: containerd's runtime handler, and the old untrusted-workload switch of cri-containerd. */
const KEYS = new Set(['io.containerd.cri.runtime-handler', 'io.kubernetes.cri.untrusted-workload']);

export const RUNTIME_HANDLER_ANNOTATION = 'io.containerd.cri.runtime-handler';

export function isRuntimeAnnotation(key: string): boolean {
  return KEYS.has(key) || PREFIXES.some((p) => key.startsWith(p));
}

/** The runtime-specific annotation keys of a pod template. */
export function runtimeAnnotations(template: JsonObject): string[] {
  const annotations = isObject(template.metadata) ? template.metadata.annotations : undefined;
  return isObject(annotations) ? Object.keys(annotations).filter(isRuntimeAnnotation) : [];
}
