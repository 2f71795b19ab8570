/**
 * Which repository's environments `confidentialize` uses, wherever it is started: `--repo` when
 * given; else the nearest folder with `config/environments/` from the caller's directory upwards
 * (a fork, or any folder inside it); else the repository the command is installed in. When none
 * has environments, the error lists every place it looked.
 */
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ENVIRONMENTS_DIR } from '../config/load';
import { NO_FIELD, UserInputError } from '../config/errors';

function isFolder(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
}

export interface RepositoryLookup {
  /** Directory the user ran the command in: relative paths start there. */
  readonly callerDir: string;
  /** `--repo` as given. @default none */
  readonly explicit?: string;
  /** Root of the repository the command's own files are in. */
  readonly installedRoot: string;
}

export function findRepository(lookup: RepositoryLookup): string {
  if (lookup.explicit !== undefined) {
    const root = resolve(lookup.callerDir, lookup.explicit);
    if (isFolder(join(root, ENVIRONMENTS_DIR))) return root;
    throw new UserInputError([{ file: 'command line', path: NO_FIELD, expected: `--repo <dir> naming a repository with ${ENVIRONMENTS_DIR}/`, found: `no folder ${join(root, ENVIRONMENTS_DIR)}` }]);
  }
  const looked: string[] = [];
  for (let dir = resolve(lookup.callerDir); ; dir = dirname(dir)) {
    looked.push(join(dir, ENVIRONMENTS_DIR));
    if (isFolder(join(dir, ENVIRONMENTS_DIR))) return dir;
    if (dirname(dir) === dir) break;
  }
  const own = join(lookup.installedRoot, ENVIRONMENTS_DIR);
  if (isFolder(own)) return lookup.installedRoot;
  looked.push(own);
  throw new UserInputError([
    { file: 'command line', path: NO_FIELD, expected: `a folder of environment files ${ENVIRONMENTS_DIR}/ (point at its repository with --repo <dir>)`, found: `none in ${[...new Set(looked)].join(', ')}` },
  ]);
}
