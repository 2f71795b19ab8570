/**
 * Where the simulation finds the real binaries: the Go tools at the versions scripts/tool-versions.sh
 * pins, in the per-machine cache scripts/install-tools.sh builds them into
 * (`<tools cache>/<tool>-<version>/<tool>`, see src/shared/tool-pins.ts); openssl on PATH (Debian).
 * A missing binary is an error naming the installer, never a skip.
 */
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { pinnedVersion, TOOL_VERSIONS_FILE, toolsCache } from '../shared/tool-pins';

/** Each Go tool and the name of its pin. */
const PINS = {
  etcd: 'ETCD',
  'kube-apiserver': 'KUBERNETES',
  'kube-controller-manager': 'KUBERNETES',
  'kube-scheduler': 'KUBERNETES',
  kubectl: 'KUBERNETES',
  kwok: 'KWOK',
  /** Helm 4: renders the external charts the simulation can fetch (cert-manager). */
  helm: 'HELM',
} as const;

export type SimulationBinary = keyof typeof PINS | 'openssl';

const INSTALL = 'run bash scripts/install-tools.sh (npm test runs it)';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The pinned version of a Go tool, e.g. `v1.36.5` for kube-apiserver. */
export function binaryVersion(name: keyof typeof PINS): string {
  return pinnedVersion(PINS[name]);
}

/**
 * Absolute path of `name`; with `versionPrefix` (e.g. `v1.36`) a pinned version outside it is an
 * error rather than a silent other release.
 */
export function binary(name: SimulationBinary, versionPrefix?: string): string {
  if (name === 'openssl') {
    const found = (process.env.PATH ?? '').split(':').filter((d) => d.startsWith('/')).map((d) => join(d, name)).find(executable);
    if (found === undefined) throw new Error(`openssl not found on PATH: ${INSTALL}`);
    return found;
  }
  const version = binaryVersion(name);
  if (versionPrefix !== undefined && !version.startsWith(versionPrefix)) throw new Error(`${name}: ${versionPrefix} wanted, ${TOOL_VERSIONS_FILE} pins ${version}`);
  const dir = join(toolsCache(), `${name}-${version}`);
  const path = join(dir, name);
  if (!executable(path)) throw new Error(`${name} ${version} not found in ${dir}: ${INSTALL}`);
  return path;
}
