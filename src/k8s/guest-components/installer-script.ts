/**
 * The installer script, images/guest-components/installer.sh: one file that shellcheck and the
 * tests run, the image carries, and the installer ConfigMap renders (that copy is what the
 * DaemonSet runs, so what executes on the nodes is reviewed in Git). It is source code shipped
 * with this repository, not input: reading it is as deterministic as importing a module.
 */
import { repoFile } from '../../shared/repo-files';

/** Path of the script inside the repository. */
export const INSTALLER_SCRIPT_PATH = 'images/guest-components/installer.sh';

/** The script text, byte for byte. */
export function installerScript(): string {
  return repoFile(INSTALLER_SCRIPT_PATH);
}
