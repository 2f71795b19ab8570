/**
 * Loads every environment of the repository, collecting the problems of all files before failing
 * (one run shows everything to fix), then checks what must differ between environments.
 */
import { describeValue, UserInputError, type InputProblem } from './errors';
import { listEnvironments } from './environment-files';
import { loadEnvironment, readEnvironmentSource, type LoadedEnvironment } from './load';
import { locate } from './yaml-source';
import { checkGlobalNames } from './rules/global-names';

export function loadAllEnvironments(root: string): LoadedEnvironment[] {
  const problems: InputProblem[] = [];
  const loaded: LoadedEnvironment[] = [];
  for (const name of listEnvironments(root)) {
    try {
      loaded.push(loadEnvironment(root, name));
    } catch (e) {
      if (!(e instanceof UserInputError)) throw e;
      problems.push(...e.problems);
    }
  }
  if (problems.length > 0) throw new UserInputError(problems);
  const clashes = checkGlobalNames(loaded.map((e) => e.config));
  if (clashes.length > 0) {
    // Files are parsed again only here, to point at both places in the message.
    const where = (file: string, path: string) => locate(readEnvironmentSource(root, file), path);
    throw new UserInputError(
      clashes.map((c) => {
        const first = loaded[c.first.index];
        const second = loaded[c.second.index];
        const at = where(first.file, c.first.path);
        const firstPlace = at.line !== undefined ? `${first.file}:${at.line}:${at.column ?? 1}` : first.file;
        return { file: second.file, path: c.second.path, expected: `${c.what} not already used by ${firstPlace} ${c.first.path} (${c.why})`, found: describeValue(c.value), ...where(second.file, c.second.path) };
      }),
    );
  }
  return loaded;
}
