/**
 * Writes one file into the staging folder, reusing the file it will replace when the bytes are the
 * same. Most renders change few files, and creating a file is the dearest step of a render on the
 * reference machine (~0.6 ms per new inode against ~0.02 ms for a hard link: ~0.1 s for ~200
 * files). A hard link is safe here because nothing writes to a file once it is staged: the swap
 * renames folders, and the folder moved aside is deleted, which only drops the old name.
 */
import { linkSync, lstatSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Writes `text` to `target` (a path inside the staging folder), or links `current` (the file at the
 * same place in the output being replaced) there when it is a regular file holding exactly `text`.
 */
export function writeStagedFile(target: string, current: string, text: string): void {
  if (lstatSync(current, { throwIfNoEntry: false })?.isFile() && readFileSync(current).equals(Buffer.from(text))) {
    linkSync(current, target);
  } else {
    writeFileSync(target, text);
  }
}
