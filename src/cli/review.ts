/**
 * `npm run review [-- <git-ref>]`: renders the working tree and the ref (default HEAD) side by side
 * in temporary folders and prints, per environment and component, objects added, removed and
 * changed with their changed fields, flagging security-relevant changes. Changes nothing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitOnUserError, loadEnvironments } from './load-or-exit';
import { UserInputError } from '../config/errors';
import { render } from '../render/render';
import { collectDocs } from '../review/collect';
import { diffDocs, formatChanges } from '../review/diff';

function git(root: string, args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Renders the repository as it is at `ref` in a git worktree (its own code and config). */
function renderAtRef(root: string, ref: string, dir: string): void {
  git(root, ['worktree', 'add', '--detach', '--quiet', dir, ref]);
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  for (const [cmd, args] of [
    [process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']],
    [process.execPath, ['build/src/cli/synth.js']],
  ] as const) {
    const r = spawnSync(cmd, [...args], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`rendering ${ref} failed (${args.join(' ')}):\n${r.stdout}${r.stderr}`);
  }
}

function main(): void {
  const root = process.cwd();
  const args = process.argv.slice(2);
  const ref = args[0] ?? 'HEAD';
  exitOnUserError(() => {
    if (args.length > 1 || ref.startsWith('-')) throw new UserInputError([{ file: 'command line', path: '', expected: 'at most one git ref (usage: npm run review -- [ref])', found: args.join(' ') }]);
    try {
      git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    } catch {
      throw new UserInputError([{ file: 'command line', path: '', expected: 'a git commit, branch or tag', found: JSON.stringify(ref) }]);
    }
  });
  const now = mkdtempSync(join(tmpdir(), 'coco-review-now-'));
  const then = join(mkdtempSync(join(tmpdir(), 'coco-review-ref-')), 'tree');
  try {
    const environments = exitOnUserError(() => loadEnvironments(root, []));
    render({ root: now, environments, all: true });
    renderAtRef(root, ref, then);
    process.stdout.write(formatChanges(diffDocs(collectDocs(then), collectDocs(now)), ref));
  } finally {
    rmSync(now, { recursive: true, force: true });
    spawnSync('git', ['worktree', 'remove', '--force', then], { cwd: root });
  }
}

main();
