// Shared by the render tests: a rendered temp repo, snapshots of every output, the compiled CLIs.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashTree, makeTempRepo, runSynth, type CliResult } from './repo';
import { repoRoot } from './tools';
import { SHIPPED_ENVIRONMENTS } from './shipped';

export const ALL: readonly string[] = SHIPPED_ENVIRONMENTS;

/** A temp repo that has been rendered once (the "previous output" the failure tests protect). */
export function renderedRepo(): string {
  const dir = makeTempRepo();
  const r = runSynth(dir);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return dir;
}

/** Every output the render writes, by path: folders file by file, a file (even where a folder belongs) as itself. */
export function snapshot(dir: string): Record<string, Record<string, string> | string | null> {
  const out: Record<string, Record<string, string> | string | null> = {};
  for (const path of ['dist', 'charts', 'cdktf.out', 'config/schema.json']) {
    const full = join(dir, path);
    const stats = lstatSync(full, { throwIfNoEntry: false });
    out[path] = !stats ? null : stats.isDirectory() ? hashTree(full) : createHash('sha256').update(readFileSync(full)).digest('hex');
  }
  return out;
}

export const stagingFolders = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('.render-'));

/** Runs a compiled CLI (`synth`, `review`, `confidentialize`) with `cwd` as the repository root. */
export function runCli(cwd: string, cli: string, args: string[]): CliResult {
  const r = spawnSync(process.execPath, [join(repoRoot(), 'build/src/cli', `${cli}.js`), ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** One user error: `error: <file>[:line:col]: <json path or ->: expected X, found Y`. */
export const ONE_LINE = /^error: [^:]+(:\d+:\d+)?: (\/\S*|-): expected .+, found .+$/;
