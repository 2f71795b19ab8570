/**
 * Replaces output folders all at once: everything is first written to a staging folder next to
 * the targets (same file system, so rename is atomic), then each target is moved aside, the new
 * folder renamed in, and the old one deleted. A failure before the swap leaves targets untouched;
 * a failure during the swap puts back what was moved aside.
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A fresh staging folder inside `root` (git-ignored as `.render-*`). */
export function makeStaging(root: string): string {
  return mkdtempSync(join(root, '.render-'));
}

export interface Swap {
  /** Folder with the new content (inside the staging folder). */
  readonly from: string;
  /** Folder it replaces. */
  readonly to: string;
}

export function swapIn(swaps: readonly Swap[], staging: string): void {
  const asideRoot = join(staging, '.previous');
  const done: { swap: Swap; aside?: string }[] = [];
  try {
    swaps.forEach((swap, i) => {
      let aside: string | undefined;
      if (existsSync(swap.to)) {
        aside = join(asideRoot, String(i));
        mkdirSync(dirname(aside), { recursive: true });
        renameSync(swap.to, aside);
      }
      done.push({ swap, aside });
      mkdirSync(dirname(swap.to), { recursive: true });
      renameSync(swap.from, swap.to);
    });
  } catch (e) {
    for (const { swap, aside } of done.reverse()) {
      if (existsSync(swap.to) && !existsSync(swap.from)) renameSync(swap.to, swap.from);
      if (aside) renameSync(aside, swap.to);
    }
    throw e;
  }
}

export function removeStaging(staging: string): void {
  rmSync(staging, { recursive: true, force: true });
}
