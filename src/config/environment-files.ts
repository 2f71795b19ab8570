/**
 * The environment files on disk: which ones there are and their text. Everything a file system can
 * do wrong (missing folder, folder or FIFO where a file should be, symlink loops, dangling links,
 * read errors, huge or non-UTF-8 files) becomes one {@link UserInputError} line per file.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { describeFsError, isFsError, NO_FIELD, UserInputError, type InputProblem } from './errors';

export const ENVIRONMENTS_DIR = 'config/environments';

/** The one spelling of an environment file's extension. */
export const ENVIRONMENT_EXTENSION = '.yaml';

/** Environment files are a few kilobytes; anything this big is a mistake, not an environment. */
export const MAX_ENVIRONMENT_FILE_BYTES = 1024 * 1024;

/** A wrong extension for an environment file: refused by name so that it is never silently ignored. */
const OTHER_YAML_EXTENSION = /\.ya?ml$/i;

/**
 * Environment names, sorted, from the `.yaml` files in `config/environments/`. Refuses a missing
 * folder and a folder without environments (rendering nothing would replace `dist/` with nothing),
 * and `.yml`/`.YAML` files: there is one spelling, and a file that is not loaded must not look as if
 * it were.
 */
export function listEnvironments(root: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(join(root, ENVIRONMENTS_DIR));
  } catch (e) {
    if (!isFsError(e)) throw e;
    throw problem(ENVIRONMENTS_DIR, 'a folder of environment files (run the command from the repository root)', describeFsError(e));
  }
  const misnamed = entries.filter((f) => OTHER_YAML_EXTENSION.test(f) && !f.endsWith(ENVIRONMENT_EXTENSION)).sort();
  if (misnamed.length > 0) {
    throw new UserInputError(
      misnamed.map((f) => ({
        file: `${ENVIRONMENTS_DIR}/${f}`,
        path: NO_FIELD,
        expected: `an environment file named <name>${ENVIRONMENT_EXTENSION} (rename it to ${f.replace(OTHER_YAML_EXTENSION, ENVIRONMENT_EXTENSION)})`,
        found: `the extension ${JSON.stringify(/\.[^.]+$/.exec(f)?.[0])}`,
      })),
    );
  }
  const names = entries.filter((f) => f.endsWith(ENVIRONMENT_EXTENSION)).map((f) => f.slice(0, -ENVIRONMENT_EXTENSION.length)).sort();
  if (names.length === 0) throw problem(ENVIRONMENTS_DIR, `at least one environment file (<name>${ENVIRONMENT_EXTENSION})`, 'none');
  return names;
}

/** Path of environment `name`'s file, relative to the repository root, as printed in messages. */
export function environmentFile(name: string): string {
  return `${ENVIRONMENTS_DIR}/${name}${ENVIRONMENT_EXTENSION}`;
}

/**
 * The UTF-8 text of `file` (relative to `root`). Opens without blocking (a FIFO would otherwise
 * wait forever for a writer) and checks the opened file itself, so what is checked is what is read.
 */
export function readEnvironmentFile(root: string, file: string): string {
  const path = join(root, file);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    if (!isFsError(e)) throw e;
    throw problem(file, 'a readable environment file', describeOpenError(path, e));
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw problem(file, 'a regular file', kindOf(stats));
    return decodeUtf8(file, readAtMost(fd, MAX_ENVIRONMENT_FILE_BYTES, file));
  } catch (e) {
    if (!isFsError(e)) throw e;
    throw problem(file, 'a readable environment file', describeFsError(e));
  } finally {
    closeSync(fd);
  }
}

/** Reads to the end, refusing more than `limit` bytes (the size in stat is 0 for some files). */
function readAtMost(fd: number, limit: number, file: string): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.alloc(64 * 1024);
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) return Buffer.concat(chunks, total);
    total += n;
    if (total > limit) throw problem(file, `an environment file of at most ${limit / 1024 / 1024} MiB`, 'a larger file');
    chunks.push(chunk.subarray(0, n));
  }
}

function decodeUtf8(file: string, bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw problem(file, 'UTF-8 text', 'bytes that are not UTF-8');
  }
}

/** A dangling link fails with ENOENT like a missing file; say which it is. */
function describeOpenError(path: string, e: NodeJS.ErrnoException): string {
  if (e.code === 'ENOENT') {
    try {
      if (lstatSync(path).isSymbolicLink()) return `a symbolic link to ${JSON.stringify(readlinkSync(path))}, which does not exist (ENOENT)`;
    } catch {
      // Gone between the two calls: the plain description below is right.
    }
  }
  return describeFsError(e);
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'something that is not a regular file';
}

function problem(file: string, expected: string, found: string): UserInputError {
  const p: InputProblem = { file, path: NO_FIELD, expected, found };
  return new UserInputError([p]);
}
