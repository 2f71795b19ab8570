/**
 * The installer script, images/guest-components/installer.sh: one file that shellcheck and the
 * tests run, the image carries, and the installer ConfigMap renders (that copy is what the
 * DaemonSet runs, so what executes on the nodes is reviewed in Git). It is source code shipped
 * with this repository, not input: reading it is as deterministic as importing a module.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Path of the script inside the repository. */
export const INSTALLER_SCRIPT_PATH = 'images/guest-components/installer.sh';

/** The repository root: the nearest folder above this module with a package.json (works from src/ and build/src/). */
function repositoryRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}: cannot find ${INSTALLER_SCRIPT_PATH}`);
    dir = parent;
  }
  return dir;
}

let cached: string | undefined;

/** The script text, byte for byte. */
export function installerScript(): string {
  cached ??= readFileSync(join(repositoryRoot(), INSTALLER_SCRIPT_PATH), 'utf8');
  return cached;
}
