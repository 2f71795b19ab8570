import type { LoadedEnvironment } from '../config/load';
import { loadAllEnvironments } from '../config/load-all';
import { describeFsError, formatProblem, isFsError, NO_FIELD, UserInputError, type InputProblem } from '../config/errors';
import { relative } from 'node:path';

/** Writes each problem as one `error:` line on stderr. */
export function printProblems(problems: readonly InputProblem[]): void {
  for (const p of problems) process.stderr.write(`error: ${formatProblem(p)}\n`);
}

/**
 * Runs `fn`; bad input (a UserInputError) or a file-system failure (a folder that cannot be written,
 * a full disk) is printed one line per problem, with no stack trace, and the process exits 2.
 * Anything else is a bug and is rethrown with its stack.
 */
export function exitOnUserError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof UserInputError) {
      printProblems(e.problems);
      process.exit(2);
    }
    if (isFsError(e)) {
      const file = e.path ? relative(process.cwd(), e.path) || '.' : 'file system';
      printProblems([{ file, path: NO_FIELD, expected: `a path the command can ${e.syscall === 'open' || e.syscall === 'read' || e.syscall === 'scandir' ? 'read' : 'write'}`, found: describeFsError(e) }]);
      process.exit(2);
    }
    throw e;
  }
}

/** Every environment of the repository at `root`, or exit 2 with the problems. */
export function loadAllOrExit(root: string): LoadedEnvironment[] {
  return exitOnUserError(() => loadAllEnvironments(root));
}
