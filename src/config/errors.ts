/** Errors about user input (environment files, command-line arguments, files on disk): printed, never thrown as stack traces. */

/** The `path` of a problem that is not about a field: the command line, a file on disk, YAML syntax. */
export const NO_FIELD = '-';

/** One problem in one input file, located by JSON path (and line/column when known). */
export interface InputProblem {
  readonly file: string;
  /** JSON pointer into the document, `''` for the whole document, {@link NO_FIELD} when no field is concerned. */
  readonly path: string;
  readonly expected: string;
  readonly found: string;
  readonly line?: number;
  readonly column?: number;
}

/** Thrown by the loader and the CLI for bad input; the CLI prints `problems` one per line and exits 2. */
export class UserInputError extends Error {
  constructor(readonly problems: readonly InputProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'UserInputError';
  }
}

/** `file:line:col: /json/path: expected X, found Y`, always on one line. */
export function formatProblem(p: InputProblem): string {
  const where = p.line !== undefined ? `${p.file}:${p.line}:${p.column ?? 1}` : p.file;
  return oneLine(`${where}: ${p.path === '' ? '/' : p.path}: expected ${p.expected}, found ${p.found}`);
}

/** Messages from libraries (YAML parser, file system) may span lines; a problem never does. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}

/** A short, single-line description of a found value for messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list (${value.length} item${value.length === 1 ? '' : 's'})`;
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value);
  return `${typeof value === 'string' ? 'string' : typeof value} ${text.length > 80 ? `${text.slice(0, 77)}...` : text}`;
}

/**
 * A failed file-system call: Node's errors carry `code` and `syscall`. Checked by shape, not with
 * `instanceof Error`, which is false for errors made in another realm (jest runs tests in one).
 */
export function isFsError(e: unknown): e is NodeJS.ErrnoException {
  if (typeof e !== 'object' || e === null) return false;
  const { code, syscall } = e as { code?: unknown; syscall?: unknown };
  return typeof code === 'string' && typeof syscall === 'string';
}

/** What the common error codes mean for the person who has to fix the file or folder. */
const FS_CODE_WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder',
  ELOOP: 'a loop of symbolic links',
  EISDIR: 'a folder',
  ENOTDIR: 'a path through something that is not a folder',
  EACCES: 'no permission',
  EPERM: 'an operation not permitted',
  EROFS: 'a read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'a full disk quota',
  EIO: 'an input/output error',
  EEXIST: 'something already there',
  ENOTEMPTY: 'a folder that is not empty',
  EBUSY: 'a busy file or folder',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'a name that is too long',
};

/** `no such file or folder (ENOENT)`: a failed file-system call in a few words and its code. */
export function describeFsError(e: NodeJS.ErrnoException): string {
  const code = e.code ?? 'error';
  return `${FS_CODE_WORDS[code] ?? e.message} (${code})`;
}
