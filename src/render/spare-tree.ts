/**
 * The output trees (dist/, charts/) a render replaced, kept in `build/render-spare/` for the next
 * render to stage into instead of an empty folder. A full render creates and later deletes ~50
 * folders per environment; renaming a spare tree in and out costs two renames (staged-file.ts says
 * why that matters here). Its files are hard links shared with the live output, or old versions the
 * next render replaces. Everything here is best effort: without a spare, a render only takes longer.
 */
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Below the repository root; `build/` is git-ignored and on the same file system as the output. */
const SPARE_DIR = join('build', 'render-spare');

/** Moves the spare tree `name` (e.g. `dist`) to `target`, which must not exist; false when there is none. */
export function takeSpare(root: string, name: string, target: string): boolean {
  try {
    renameSync(join(root, SPARE_DIR, name), target);
    return true;
  } catch {
    return false;
  }
}

/** Keeps `tree` (a replaced output tree, inside the staging folder) as the spare `name`. */
export function keepSpare(root: string, name: string, tree: string): void {
  const spare = join(root, SPARE_DIR, name);
  try {
    mkdirSync(join(root, SPARE_DIR), { recursive: true });
    // Normally absent (the render took it); left over only if that render failed to take it.
    rmSync(spare, { recursive: true, force: true });
    renameSync(tree, spare);
  } catch {
    // The tree stays in the staging folder and is deleted with it.
  }
}
