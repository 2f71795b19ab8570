/**
 * ServiceAccounts of the bundle that mount no token (`automountServiceAccountToken: false`): a pod
 * that leaves the field unset inherits that, so it is not warned about.
 */
import { isObject } from './json';

/** `namespace/name` (namespace '' when the object names none). */
export function serviceAccountKey(namespace: unknown, name: unknown): string {
  return `${typeof namespace === 'string' ? namespace : ''}/${typeof name === 'string' ? name : 'default'}`;
}

export function tokenlessServiceAccounts(documents: readonly unknown[]): ReadonlySet<string> {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (!isObject(value)) return;
    if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) value.items.forEach(visit);
    if (value.apiVersion === 'v1' && value.kind === 'ServiceAccount' && value.automountServiceAccountToken === false && isObject(value.metadata)) {
      found.add(serviceAccountKey(value.metadata.namespace, value.metadata.name));
    }
  };
  documents.forEach(visit);
  return found;
}
