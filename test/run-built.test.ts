import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../src/shared/repo-files';

let dir: string;
beforeEach(() => {
  // A miniature repository: the two scripts, the real node_modules, a src/ of its own.
  dir = mkdtempSync(join(tmpdir(), 'run-built-'));
  mkdirSync(join(dir, 'scripts'));
  for (const f of ['run-built.js', 'compile-cache.js']) cpSync(join(repoRoot(), 'scripts', f), join(dir, 'scripts', f));
  symlinkSync(join(repoRoot(), 'node_modules'), join(dir, 'node_modules'));
  mkdirSync(join(dir, 'src/lib'), { recursive: true });
  writeFileSync(join(dir, 'src/lib/greeting.ts'), "export const greeting: string = 'hello';\n");
  writeFileSync(join(dir, 'src/main.ts'), "import { greeting } from './lib/greeting';\nconsole.log(`${greeting} ${process.argv.slice(2).join(' ')}`);\n");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]): string {
  const r = spawnSync(process.execPath, [join(dir, 'scripts/run-built.js'), 'build/src/main.js', ...args], { cwd: dir, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

const built = (file: string): string => join(dir, 'build', file);
/** Times well before now: sources older than their build, so a rebuilt file shows by its modification time. */
const older = new Date(Date.now() - 7200_000);
const past = new Date(Date.now() - 3600_000);

describe('run-built', () => {
  it('transpiles missing files and runs the entry point with its own arguments', () => {
    expect(run('a', 'b')).toBe('hello a b\n');
    expect(readFileSync(built('src/lib/greeting.js'), 'utf8')).not.toContain(': string');
  });

  it('recompiles only what changed since it was built', () => {
    run();
    for (const f of ['src/main.ts', 'src/lib/greeting.ts']) utimesSync(join(dir, f), older, older);
    for (const f of ['src/main.js', 'src/lib/greeting.js']) utimesSync(built(f), past, past);
    // An unchanged tree is not transpiled again.
    run();
    expect(Math.round(statSync(built('src/main.js')).mtimeMs)).toBe(past.getTime());
    writeFileSync(join(dir, 'src/lib/greeting.ts'), "export const greeting: string = 'bye';\n");
    expect(run()).toBe('bye \n');
    expect(statSync(built('src/lib/greeting.js')).mtimeMs).toBeGreaterThan(past.getTime());
    expect(Math.round(statSync(built('src/main.js')).mtimeMs)).toBe(past.getTime());
  });
});
