// Every shell script in the repository passes the real shellcheck.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, run } from './support/tools';

/** Tracked and new (not ignored) files that are shell scripts by name or shebang; deleted but uncommitted files are skipped. */
function shellScripts(): string[] {
  const root = repoRoot();
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
  const isShell = (f: string) => f.endsWith('.sh') || /^#!\/(usr\/)?bin\/(env )?(ba)?sh/.test(readFileSync(join(root, f), 'utf8').slice(0, 40));
  return [...new Set(files)].filter((f) => existsSync(join(root, f)) && isShell(f)).sort();
}

describe('shell scripts', () => {
  it('finds the scripts it checks', () => {
    expect(shellScripts()).toEqual(expect.arrayContaining(['.ci/run', 'scripts/check.sh', 'scripts/install-tools.sh', 'scripts/update-schemas.sh']));
  });

  it.each(shellScripts())('%s passes shellcheck', (file) => {
    const r = run('shellcheck', ['--severity=style', '--external-sources', file], { cwd: repoRoot() });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
