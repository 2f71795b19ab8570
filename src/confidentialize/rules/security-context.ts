import { isObject, type JsonObject } from '../json';

/** Removes `securityContext` from a container when stripping left it empty. */
export function dropEmptySecurityContext(container: JsonObject): void {
  if (isObject(container.securityContext) && Object.keys(container.securityContext).length === 0) delete container.securityContext;
}
