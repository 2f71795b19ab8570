// Temporary repositories for tests that render: a copy of config/ in a temp dir, run with the
// compiled CLI (npm test builds first), and helpers to compare output trees byte for byte.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { listFiles } from '../../src/render/files';
import { repoRoot } from './tools';
import { loadEnvironment } from '../../src/config/load';
import { formatProblem, UserInputError } from '../../src/config/errors';
import { runSynthInProcess } from './cli-in-process';

/** Temp repos of the test file that imports this module, removed after its last test. */
const created: string[] = [];
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temp dir holding a copy of the repo's `config/`, optionally with files replaced. */
export function makeTempRepo(overrides: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'coco-repo-'));
  created.push(dir);
  cpSync(join(repoRoot(), 'config'), join(dir, 'config'), { recursive: true });
  for (const [file, text] of Object.entries(overrides)) writeFileSync(join(dir, file), text);
  return dir;
}

export function readEnvFile(name: string): string {
  return readFileSync(join(repoRoot(), 'config/environments', `${name}.yaml`), 'utf8');
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the synth command with `cwd` as the repository root, in this process (cli-in-process.ts). */
export function runSynth(cwd: string, args: string[] = []): CliResult {
  return runSynthInProcess(cwd, args);
}

/** Runs the compiled synth CLI as its own process, as `npm run synth` does, with `cwd` as the repository root. */
export function runSynthProcess(cwd: string, args: string[] = []): CliResult {
  const cli = join(repoRoot(), 'build/src/cli/synth.js');
  if (!existsSync(cli)) throw new Error(`${cli} missing: run npm run build (npm test does)`);
  // Through scripts/run-built.js, as `npm run synth` does: V8's code cache saves ~0.1 s of CPU per run.
  const r = spawnSync(process.execPath, [join(repoRoot(), 'scripts/run-built.js'), 'build/src/cli/synth.js', ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** sha256 of every file below `dir` keyed by relative path ({} when dir is missing). */
export function hashTree(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  return Object.fromEntries(listFiles(dir).map((f) => [f, createHash('sha256').update(readFileSync(join(dir, f))).digest('hex')]));
}

/** Problems (formatted one per line) from loading `text` as environment `name` in a temp repo; [] when valid. */
export function envProblems(text: string, name = 'broken'): string[] {
  const dir = makeTempRepo();
  writeFileSync(join(dir, 'config/environments', `${name}.yaml`), text);
  try {
    loadEnvironment(dir, name);
  } catch (e) {
    if (e instanceof UserInputError) return e.problems.map(formatProblem);
    throw e;
  }
  return [];
}
