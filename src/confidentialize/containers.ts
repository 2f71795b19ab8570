import { isObject, type JsonObject } from './json';

/** One container of a pod spec, with where it is. */
export interface ContainerRef {
  readonly container: JsonObject;
  /** `initContainers`, `containers` or `ephemeralContainers`. */
  readonly list: string;
  readonly index: number;
}

/** Containers that define the pod's VM size and run its app (ephemeral debug containers excluded). */
export const POD_CONTAINER_LISTS = ['initContainers', 'containers'] as const;

/** Every container list of a pod spec; ephemeral containers are what `kubectl debug` adds to a Pod. */
export const ALL_CONTAINER_LISTS = [...POD_CONTAINER_LISTS, 'ephemeralContainers'] as const;

export function containersOf(spec: JsonObject, lists: readonly string[] = ALL_CONTAINER_LISTS): ContainerRef[] {
  return lists.flatMap((list) => {
    const items = spec[list];
    return Array.isArray(items) ? items.flatMap((container, index) => (isObject(container) ? [{ container, list, index }] : [])) : [];
  });
}

/** `container web` (or its index when unnamed), for messages. */
export function containerName(ref: ContainerRef): string {
  return typeof ref.container.name === 'string' ? `container ${ref.container.name}` : `${ref.list}[${ref.index}]`;
}
