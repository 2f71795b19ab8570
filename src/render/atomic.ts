/**
 * Replaces output folders (and files) all at once: everything is first written to a staging folder
 * next to the targets (same file system, so rename is atomic), then each target is moved aside, the
 * new one renamed in, and the old one deleted. Targets are checked before anything moves, a failure
 * before the swap leaves them untouched, and a failure during the swap puts back what was moved
 * aside; both are reported as one-line user errors naming the path.
 */
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { describeFsError, isFsError, NO_FIELD, UserInputError } from '../config/errors';

/** Staging folders are `.render-<pid>-<random>` (git-ignored as `.render-*`). */
const STAGING_PREFIX = '.render-';
const STAGING_NAME = /^\.render-(\d+)-[A-Za-z0-9]{6}$/;

/**
 * A fresh staging folder inside `root`. Staging folders left by a render that was killed (its
 * process is gone) are removed first; those of a render still running are left alone.
 */
export function makeStaging(root: string): string {
  removeAbandonedStaging(root);
  try {
    return mkdtempSync(join(root, `${STAGING_PREFIX}${process.pid}-`));
  } catch (e) {
    if (!isFsError(e)) throw e;
    throw outputError(root, root, 'a folder where the render can create its staging folder (.render-*)', e);
  }
}

function removeAbandonedStaging(root: string): void {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return; // makeStaging reports the unusable root.
  }
  for (const name of names) {
    const pid = Number(STAGING_NAME.exec(name)?.[1]);
    if (pid && pid !== process.pid && !isRunning(pid)) rmSync(join(root, name), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface Swap {
  /** Folder or file with the new content (inside the staging folder). */
  readonly from: string;
  /** Folder or file it replaces. */
  readonly to: string;
  /** @default 'folder' */
  readonly kind?: 'folder' | 'file';
}

/** A swap done, with where the target it replaced now is (inside the staging folder). */
export interface Swapped {
  readonly swap: Swap;
  /** Absent when there was nothing to replace. */
  readonly aside?: string;
}

/**
 * Replaces every `to` with its `from`; `root` is where paths in messages are relative to. The
 * replaced targets stay in the staging folder (removeStaging deletes them) unless moved elsewhere.
 */
export function swapIn(swaps: readonly Swap[], root: string, staging: string): readonly Swapped[] {
  checkTargets(root, swaps);
  const asideRoot = join(staging, '.previous');
  const done: { swap: Swap; aside?: string; created?: string }[] = [];
  let current: Swap | undefined;
  try {
    swaps.forEach((swap, i) => {
      current = swap;
      let aside: string | undefined;
      if (lstatSync(swap.to, { throwIfNoEntry: false })) {
        aside = join(asideRoot, String(i));
        mkdirSync(dirname(aside), { recursive: true });
        renameSync(swap.to, aside);
      }
      const entry: { swap: Swap; aside?: string; created?: string } = { swap, aside };
      done.push(entry);
      entry.created = mkdirSync(dirname(swap.to), { recursive: true });
      renameSync(swap.from, swap.to);
    });
  } catch (e) {
    for (const { swap, aside, created } of done.reverse()) {
      if (lstatSync(swap.to, { throwIfNoEntry: false }) && !lstatSync(swap.from, { throwIfNoEntry: false })) renameSync(swap.to, swap.from);
      if (aside) renameSync(aside, swap.to);
      if (created) rmSync(created, { recursive: true, force: true });
    }
    if (isFsError(e) && current) throw outputError(root, current.to, `a ${current.kind ?? 'folder'} the render can replace`, e);
    throw e;
  }
  return done.map(({ swap, aside }) => ({ swap, aside }));
}

/**
 * Every target is a folder (or file) or absent, and every folder above it, up to `root`, is a
 * folder: a file named `dist` would otherwise be replaced silently, or fail halfway through the swap.
 */
export function checkTargets(root: string, swaps: readonly Swap[]): void {
  for (const swap of swaps) checkTarget(root, swap);
}

function checkTarget(root: string, swap: Swap): void {
  const kind = swap.kind ?? 'folder';
  const parts = relative(root, dirname(swap.to)).split(sep).filter((p) => p !== '');
  for (let i = 1; i <= parts.length; i++) {
    const dir = join(root, ...parts.slice(0, i));
    const stats = statSync(dir, { throwIfNoEntry: false });
    if (stats && !stats.isDirectory()) throw targetError(root, dir, 'a folder (or nothing) to render into', 'a file');
    if (!stats) break;
  }
  const stats = lstatSync(swap.to, { throwIfNoEntry: false });
  if (!stats) return;
  if (stats.isSymbolicLink()) throw targetError(root, swap.to, `a ${kind} (or nothing): the render replaces it by renaming, which would replace the link`, 'a symbolic link');
  const ok = kind === 'folder' ? stats.isDirectory() : stats.isFile();
  if (!ok) throw targetError(root, swap.to, `a ${kind} (or nothing) to render into`, stats.isDirectory() ? 'a folder' : 'a file');
}

function targetError(root: string, path: string, expected: string, found: string): UserInputError {
  return new UserInputError([{ file: relative(root, path) || '.', path: NO_FIELD, expected, found }]);
}

function outputError(root: string, path: string, expected: string, e: NodeJS.ErrnoException): UserInputError {
  return targetError(root, path, expected, describeFsError(e));
}

/**
 * Best effort, and never throws: it runs in `finally`, where a throw would hide the error being
 * reported. A folder it cannot remove is removed by the next render (its process is gone by then).
 */
export function removeStaging(staging: string): void {
  try {
    rmSync(staging, { recursive: true, force: true });
  } catch {
    // Left for removeAbandonedStaging.
  }
}
