/** Errors about user input (environment files, command-line arguments): printed, never thrown as stack traces. */

/** One problem in one input file, located by JSON path (and line/column when known). */
export interface InputProblem {
  readonly file: string;
  /** JSON pointer into the document, `''` for the whole document. */
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

/** `file:line:col: /json/path: expected X, found Y` */
export function formatProblem(p: InputProblem): string {
  const where = p.line !== undefined ? `${p.file}:${p.line}:${p.column ?? 1}` : p.file;
  return `${where}: ${p.path === '' ? '/' : p.path}: expected ${p.expected}, found ${p.found}`;
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
