import { loadEnvironment, resolveEnvironmentNames, type LoadedEnvironment } from '../config/load';
import { formatProblem, UserInputError, type InputProblem } from '../config/errors';

/**
 * Loads the named environments (all when none are named), collecting the problems of every file
 * before failing, so one run shows everything to fix.
 */
export function loadEnvironments(root: string, requested: readonly string[]): LoadedEnvironment[] {
  const names = resolveEnvironmentNames(root, requested);
  const problems: InputProblem[] = [];
  const loaded: LoadedEnvironment[] = [];
  for (const name of names) {
    try {
      loaded.push(loadEnvironment(root, name));
    } catch (e) {
      if (!(e instanceof UserInputError)) throw e;
      problems.push(...e.problems);
    }
  }
  if (problems.length > 0) throw new UserInputError(problems);
  return loaded;
}

/** Prints user errors one per line (no stack trace) and exits 2; rethrows anything else. */
export function exitOnUserError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof UserInputError) {
      for (const p of e.problems) process.stderr.write(`error: ${formatProblem(p)}\n`);
      process.exit(2);
    }
    throw e;
  }
}

export function loadAllOrExit(root: string): LoadedEnvironment[] {
  return exitOnUserError(() => loadEnvironments(root, []));
}
