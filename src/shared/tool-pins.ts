/**
 * The tools the product runs besides Node (the tests' real tools, `npm run simulate`'s control
 * plane): their pinned versions in scripts/tool-versions.sh and the per-machine cache that
 * scripts/install-tools.sh builds them into. One reading of both for the tests and the CLIs.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './repo-files';

/** The pin file, relative to the repository root. */
export const TOOL_VERSIONS_FILE = 'scripts/tool-versions.sh';

const PIN_LINE = /^([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)_VERSION='(v\d+\.\d+\.\d+)'$/;

/**
 * The pins of `text` (the contents of `file`): name (without `_VERSION`) to version. Only
 * comments, blank lines and `NAME_VERSION='vX.Y.Z'` lines are allowed, so that what the
 * installer's bash sees and what this reads cannot differ.
 */
export function parseToolVersions(text: string, file: string): ReadonlyMap<string, string> {
  const pins = new Map<string, string>();
  text.split('\n').forEach((line, i) => {
    if (line === '' || line.startsWith('#')) return;
    const m = PIN_LINE.exec(line);
    if (m === null) throw new Error(`${file}:${i + 1}:1: expected a comment or NAME_VERSION='vX.Y.Z', found ${JSON.stringify(line)}`);
    if (pins.has(m[1])) throw new Error(`${file}:${i + 1}:1: expected one pin per name, found ${m[1]}_VERSION again`);
    pins.set(m[1], m[2]);
  });
  return pins;
}

let pinned: ReadonlyMap<string, string> | undefined;

/** The version pinned as `<pin>_VERSION`, e.g. `pinnedVersion('KUBERNETES')` is `v1.36.5`. */
export function pinnedVersion(pin: string): string {
  pinned ??= parseToolVersions(readFileSync(join(repoRoot(), TOOL_VERSIONS_FILE), 'utf8'), TOOL_VERSIONS_FILE);
  const version = pinned.get(pin);
  if (version === undefined) throw new Error(`${TOOL_VERSIONS_FILE}: no ${pin}_VERSION`);
  return version;
}

/** The per-machine tools cache, by the rule of scripts/install-tools.sh (empty variables count as unset, as in bash's `:-`). */
export function toolsCache(env: NodeJS.ProcessEnv = process.env): string {
  if (env.COCO_TOOLS_CACHE) return env.COCO_TOOLS_CACHE;
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'coco-azure-gitops', 'tools');
}
