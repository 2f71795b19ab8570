/**
 * Where the simulation finds the real Kubernetes binaries: the per-machine tools cache that
 * scripts/install-tools.sh builds from the Go module proxy
 * (`${COCO_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/coco-azure-gitops/tools}/<tool>-<version>/<tool>`).
 * A missing binary is an error naming the installer, never a skip.
 */
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export type SimulationBinary = 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kubectl' | 'kwok' | 'openssl';

/** The tools cache folder (same rule as scripts/install-tools.sh). */
export function toolsCache(env: NodeJS.ProcessEnv = process.env): string {
  if (env.COCO_TOOLS_CACHE) return env.COCO_TOOLS_CACHE;
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(base, 'coco-azure-gitops', 'tools');
}

/** Orders `v1.36.3` style versions numerically. */
function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.replace(/^v/, '').split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Absolute path of `name`: the newest `<name>-<version>/<name>` in the tools cache whose version
 * starts with `versionPrefix` (e.g. `v1.36`), else (openssl) the first one on PATH.
 */
export function binary(name: SimulationBinary, versionPrefix = ''): string {
  const cache = toolsCache();
  const prefix = `${name}-${versionPrefix}`;
  const candidates = existsSync(cache)
    ? readdirSync(cache)
        .filter((d) => d.startsWith(prefix) && /^v?[0-9]/.test(d.slice(name.length + 1)) && executable(join(cache, d, name)))
        .sort((a, b) => compareVersions(b.slice(name.length + 1), a.slice(name.length + 1)))
    : [];
  if (candidates.length > 0) return join(cache, candidates[0], name);
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir.startsWith('/') && executable(join(dir, name))) return join(dir, name);
  }
  throw new Error(`${name}${versionPrefix ? ` ${versionPrefix}` : ''} not found in ${cache}: run bash scripts/install-tools.sh`);
}
