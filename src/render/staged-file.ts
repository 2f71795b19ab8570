/**
 * The files of one render's staging folder. Two things make the staging cheap on this machine's
 * file system, where creating an inode or a folder costs ~0.6 ms idle and several on a busy disk,
 * against ~0.02 ms for a hard link or a rename:
 *
 * - a file whose bytes are those of the file it will replace is that file, hard-linked: safe because
 *   nothing writes to a file once it is staged (the swap renames folders, and deleting the folder
 *   moved aside only drops the old name);
 * - the staging may start from the output tree an earlier render replaced (spare-tree.ts), so the
 *   folders exist already; whatever of it this render did not write is pruned before validation, and
 *   the result is the same tree a render into an empty folder makes.
 */
import { linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class StagedFiles {
  private readonly files = new Set<string>();
  private readonly folders = new Set<string>();

  /** Creates `dir` (and its parents) unless it exists; a folder made this way is kept by prune. */
  ensureDir(dir: string): void {
    if (this.folders.has(dir)) return;
    // A spare tree from another layout may hold a file where this render wants a folder.
    if (lstatSync(dir, { throwIfNoEntry: false })?.isDirectory() === false) unlinkSync(dir);
    mkdirSync(dir, { recursive: true });
    this.folders.add(dir);
  }

  /**
   * Puts `text` at `target` (inside the staging folder): a hard link to `current` (the file at the
   * same place in the output being replaced) when that is a regular file with exactly these bytes,
   * else a new file. What was at `target` before (from a spare tree) is replaced.
   */
  write(target: string, current: string, text: string): void {
    this.files.add(target);
    const existing = lstatSync(target, { throwIfNoEntry: false });
    const reuse = lstatSync(current, { throwIfNoEntry: false });
    if (reuse?.isFile() && readFileSync(current).equals(Buffer.from(text))) {
      if (existing?.ino === reuse.ino && existing.dev === reuse.dev) return;
      if (existing) rmSync(target, { recursive: true });
      linkSync(current, target);
    } else {
      if (existing) rmSync(target, { recursive: true });
      writeFileSync(target, text);
    }
  }

  /** Removes below `dir` every file not written and every folder neither made nor holding one. */
  prune(dir: string): void {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (!entry.isDirectory()) {
        if (!this.files.has(path)) unlinkSync(path);
        continue;
      }
      this.prune(path);
      if (!this.folders.has(path) && readdirSync(path).length === 0) rmdirSync(path);
    }
  }
}
