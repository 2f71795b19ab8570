/**
 * `npm run review [-- <git-ref>]`: renders the working tree and the ref (default HEAD) side by side
 * in temporary folders and prints, per environment and component, objects added, removed and
 * changed with their changed fields, flagging security-relevant changes. Changes nothing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { commandLineError, parseArgs, type CommandSpec } from './args';
import { exitOnUserError } from './load-or-exit';
import { loadAllEnvironments } from '../config/load-all';
import { loadFleet } from '../config/load-fleet';
import type * as Render from '../render/render';
import { readImageLock } from '../images/lock-file';
import { collectDocs } from '../review/collect';
import { diffDocs, formatChanges } from '../review/diff';
import { collectVersions, diffVersions, formatVersionChanges } from '../review/versions';

const SPEC: CommandSpec = {
  usage: 'npm run review --',
  summary: [
    'Renders the working tree and a git ref side by side in temporary folders and prints, per',
    'environment and component, objects added, removed and changed with their changed fields,',
    'marking security-relevant changes [SECURITY: ...]. Changes nothing in the repository.',
  ].join('\n'),
  positionals: { usage: '[ref]', help: 'git commit, branch or tag to compare with (default: HEAD)', max: 1 },
  options: [],
  exitCodes: ['0  compared', '2  bad input: the command line, an environment file, or a file or folder on disk', '1  the ref failed to render, or an internal error'],
};

function git(root: string, args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Renders the repository as it is at `ref` in a git worktree (its own code and config). */
function renderAtRef(root: string, ref: string, dir: string): void {
  git(root, ['worktree', 'add', '--detach', '--quiet', dir, ref]);
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  // The ref's own transpile-only runner when it has one (type checks are the tests' job, and a
  // full tsc of the old tree cost ~1.3 s); older trees are built with tsc.
  const steps: readonly (readonly [string, readonly string[]])[] = existsSync(join(dir, 'scripts/run-built.js'))
    ? [[process.execPath, ['scripts/run-built.js', 'build/src/cli/synth.js']]]
    : [
        [process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']],
        [process.execPath, ['build/src/cli/synth.js']],
      ];
  for (const [cmd, args] of steps) {
    const r = spawnSync(cmd, [...args], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`rendering ${ref} failed (${args.join(' ')}):\n${r.stdout}${r.stderr}`);
  }
}

function main(): void {
  const root = process.cwd();
  const ref = exitOnUserError(() => {
    const ref = parseArgs(SPEC, process.argv.slice(2)).positionals[0] ?? 'HEAD';
    try {
      git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    } catch {
      throw commandLineError(SPEC, JSON.stringify(ref), 'a git commit, branch or tag');
    }
    return ref;
  });
  // Before the temporary folders: exiting on bad input skips `finally`.
  const environments = exitOnUserError(() => loadAllEnvironments(root));
  // The working tree's lock: rendered in a temporary folder, `render` would otherwise find none there.
  const imageLock = exitOnUserError(() => readImageLock(root));
  // The same for config/fleet.yaml: without it the fleet would show as removed.
  const fleet = exitOnUserError(() => loadFleet(root, environments));
  const now = mkdtempSync(join(tmpdir(), 'coco-review-now-'));
  const then = join(mkdtempSync(join(tmpdir(), 'coco-review-ref-')), 'tree');
  try {
    // Loaded only now: --help, a bad ref or a bad environment file need none of cdktf, the azurerm
    // bindings or cdk8s-plus (0.3 s of CPU instead of 0.15 s).
    const { render } = require('../render/render') as typeof Render;
    render({ root: now, environments, imageLock, fleet });
    renderAtRef(root, ref, then);
    process.stdout.write(formatVersionChanges(diffVersions(collectVersions(then), collectVersions(now))) + formatChanges(diffDocs(collectDocs(then), collectDocs(now)), ref));
  } finally {
    rmSync(now, { recursive: true, force: true });
    spawnSync('git', ['worktree', 'remove', '--force', then], { cwd: root });
    rmSync(dirname(then), { recursive: true, force: true });
  }
}

main();
