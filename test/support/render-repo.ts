// Shared by the render tests: a rendered temp repo, snapshots of every output, the compiled CLIs.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { hashTree, makeTempRepo, runSynth, runSynthProcess, type CliResult } from './repo';
import { repoRoot } from './tools';
import { SHIPPED_ENVIRONMENTS } from './shipped';

export const ALL: readonly string[] = SHIPPED_ENVIRONMENTS;

/** What a render of the unchanged shipped configuration writes besides config/. */
const RENDER_OUTPUTS = ['dist', 'charts', 'cdktf.out'];

/**
 * The shipped configuration rendered once per test run (COCO_RENDER_CACHE, from globalSetup): the
 * first caller renders it for real into the cache, later ones copy it. Every render-test file
 * needs that "previous output", and a render costs about 0.8 s of CPU; a copy a few milliseconds.
 * Workers racing on an empty cache each render, and the first rename wins.
 */
function cachedShippedRender(): string | undefined {
  const cache = process.env.COCO_RENDER_CACHE;
  if (!cache || !existsSync(cache)) return undefined;
  const done = join(cache, 'shipped');
  if (!existsSync(done)) {
    const mine = join(cache, `rendering-${process.pid}`);
    cpSync(join(repoRoot(), 'config'), join(mine, 'config'), { recursive: true });
    // The real command, as its own process: what every copy then stands for.
    const r = runSynthProcess(mine);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    try {
      renameSync(mine, done);
    } catch {
      rmSync(mine, { recursive: true, force: true });
    }
  }
  return done;
}

/** A temp repo holding a render of the shipped configuration (the "previous output" the failure tests protect). */
export function renderedRepo(): string {
  const dir = makeTempRepo();
  const cached = cachedShippedRender();
  if (cached) {
    for (const out of RENDER_OUTPUTS) cpSync(join(cached, out), join(dir, out), { recursive: true, preserveTimestamps: true });
    return dir;
  }
  const r = runSynth(dir);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return dir;
}

/** A temp repo rendered by its own synth process, never a copy (for tests about rendering itself). */
export function freshlyRenderedRepo(): string {
  const dir = makeTempRepo();
  const r = runSynthProcess(dir);
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
