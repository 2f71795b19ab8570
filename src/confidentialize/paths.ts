/**
 * Field paths. Problems carry JSON pointers (`/spec/template/spec/hostPID`), the form every error
 * line of the project uses and the one the YAML locator walks; the report shows the same path the
 * way kubectl's JSONPath and `kubectl explain` spell it (`spec.template.spec.hostPID`,
 * `metadata.annotations["io.katacontainers.config.hypervisor.cc_init_data"]`), without `~1` escapes.
 */

/** A JSON pointer from path segments. */
export function pointer(...segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** The segments of a JSON pointer ('' is the whole document). */
export function parsePointer(path: string): string[] {
  return path === '' ? [] : path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `/spec/template/spec/containers/0/image` → `spec.template.spec.containers[0].image`. */
export function readablePath(path: string): string {
  let out = '';
  for (const segment of parsePointer(path)) {
    if (/^(0|[1-9][0-9]*)$/.test(segment)) out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === '' ? '(the object)' : out;
}
