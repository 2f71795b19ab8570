/**
 * Files the code ships with (schemas, Rego policies, the node installer script): source, not input,
 * so reading them is as deterministic as importing a module. Found from both `src/` (jest) and
 * `build/src/` (after tsc) by walking up to the folder with package.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let root: string | undefined;

/** The repository root (the nearest folder above this module with a package.json). */
export function repoRoot(): string {
  if (root) return root;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return (root = dir);
    if (dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
}

const texts = new Map<string, string>();

/** A repository file's text (path relative to the root), read once per process. */
export function repoFile(path: string): string {
  let text = texts.get(path);
  if (text === undefined) {
    text = readFileSync(join(repoRoot(), path), 'utf8');
    texts.set(path, text);
  }
  return text;
}
