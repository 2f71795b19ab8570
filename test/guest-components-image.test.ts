// images/guest-components: the installer script with shellcheck. The image itself is built
// outside this repository (docs/guest-components.md, "Image contract").
import { INSTALLER_SCRIPT_PATH } from '../src/k8s/guest-components/installer-script';
import { repoRoot, run } from './support/tools';

describe('installer script', () => {
  it('passes shellcheck', () => {
    const r = run('shellcheck', ['--severity=style', INSTALLER_SCRIPT_PATH], { cwd: repoRoot() });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
