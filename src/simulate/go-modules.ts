/**
 * Files read from Go modules in the local module cache, downloaded through the Go module proxy
 * when missing (`go mod download`, which checks them against the checksum database): kwok's
 * default stages, Argo CD's and the Prometheus Operator's CRDs, and the Helm charts of modules
 * that carry theirs (cert-manager, at the version its Application names). Read at run time, never
 * copied into the repository.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinnedVersion } from '../shared/tool-pins';

/** Module versions the simulation reads files from. */
export const SIMULATION_MODULES = {
  /** kwok whose default stages (kustomize/stage/...) drive node heartbeats and pod lifecycle: the kwok binary's own release. */
  kwok: { path: 'sigs.k8s.io/kwok', version: pinnedVersion('KWOK') },
  /** Argo CD whose CRDs the platform installs (the same release the schemas come from). */
  argoCd: { path: 'github.com/argoproj/argo-cd/v3', version: 'v3.6.1' },
  /** Prometheus Operator CRDs, for clusters that declare them (cluster.crds). */
  prometheusOperator: { path: 'github.com/prometheus-operator/prometheus-operator', version: 'v0.94.1' },
} as const;

export type SimulationModule = keyof typeof SIMULATION_MODULES;

const zips = new Map<string, string>();

/**
 * Path of the verified module zip. `go mod download` exits non-zero when the module's go.mod asks
 * for a newer Go than the local one, after it has downloaded and verified the zip: the zip is all
 * we read, so its presence decides (the same as scripts/update-schemas.sh).
 */
function moduleZip(module: SimulationModule): string {
  const { path, version } = SIMULATION_MODULES[module];
  return moduleZipAt(path, version);
}

function moduleZipAt(path: string, version: string): string {
  const key = `${path}@${version}`;
  const known = zips.get(key);
  if (known) return known;
  let out = '';
  try {
    out = execFileSync('go', ['mod', 'download', '-json', key], { encoding: 'utf8', env: { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' }, cwd: '/' });
  } catch (e) {
    out = String((e as { stdout?: string }).stdout ?? '');
  }
  let zip = '';
  try {
    zip = (JSON.parse(out) as { Zip?: string }).Zip ?? '';
  } catch {
    // fall through to the error below
  }
  if (!zip || !existsSync(zip)) throw new Error(`go mod download ${key} failed: ${out.trim() || 'no output'}`);
  zips.set(key, zip);
  return zip;
}

let gomodcache: string | undefined;

/** The module cache's folder of an extracted module (`!`-escaped upper case, as the go command names it). */
function extractedDir(path: string, version: string): string {
  gomodcache ??= execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  return join(gomodcache, `${path.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`)}@${version}`);
}

/**
 * A copy of folder `folder` of module `path` at `version` in a new temporary folder (writable, for
 * the caller to change and remove); returns the copy's path.
 */
export function moduleFolderCopy(path: string, version: string, folder: string): string {
  const out = mkdtempSync(join(tmpdir(), 'coco-module-'));
  const extracted = join(extractedDir(path, version), folder);
  // `go mod download` extracts the module too; when it did not (a zip copied into the cache), unzip.
  const zip = existsSync(extracted) ? undefined : moduleZipAt(path, version);
  if (zip === undefined || existsSync(extracted)) {
    cpSync(extracted, join(out, 'folder'), { recursive: true });
  } else {
    execFileSync('unzip', ['-q', zip, `${path}@${version}/${folder}/*`, '-d', out]);
    cpSync(join(out, `${path}@${version}`, folder), join(out, 'folder'), { recursive: true });
  }
  // Module cache files are read-only.
  execFileSync('chmod', ['-R', 'u+w', out]);
  return join(out, 'folder');
}

/** One file of a module (entries of a module zip are prefixed with `<module>@<version>/`). */
export function moduleFile(module: SimulationModule, file: string): string {
  const { path, version } = SIMULATION_MODULES[module];
  // An extracted module folder (present when the module was built) saves the unzip.
  const extracted = join(extractedDir(path, version), file);
  if (existsSync(extracted)) return readFileSync(extracted, 'utf8');
  return execFileSync('unzip', ['-p', moduleZip(module), `${path}@${version}/${file}`], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}
