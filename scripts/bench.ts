/**
 * `npm run bench`: times `node build/src/cli/synth.js` (Terraform + manifests + charts + validation) against
 * `cdktf synth` (Terraform only) on the shipped environments and on 20 generated ones. Each set
 * runs in a temporary folder holding a copy of config/, so the repository's dist/ and cdktf.out/
 * are never touched. Prints medians and the goal; exits non-zero only when a command fails.
 * BENCH_RUNS (default 5) sets the timed repetitions per scenario, after one checked warm-up run.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseDocument } from 'yaml';

const repo = resolve(__dirname, '..', '..'); // build/scripts -> repository root
const synthJs = join(repo, 'build/src/cli/synth.js');
const cdktfBin = join(repo, 'node_modules/.bin/cdktf');
const runs = Number(process.env.BENCH_RUNS ?? 5);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`BENCH_RUNS must be a positive integer; found ${JSON.stringify(process.env.BENCH_RUNS)}`);
const work = mkdtempSync(join(tmpdir(), 'coco-bench-'));

interface EnvSet {
  readonly label: string;
  readonly dir: string;
  /** Environment names, and those with Azure infrastructure (one Terraform stack each). */
  readonly envs: string[];
  readonly stacks: string[];
}

/** A temp folder with config/ (environments filled by `fill`) and a cdktf.json running the built app. */
function makeSet(label: string, fill: (envDir: string) => void): EnvSet {
  const dir = join(work, label);
  const envDir = join(dir, 'config/environments');
  mkdirSync(envDir, { recursive: true });
  cpSync(join(repo, 'config/schema.json'), join(dir, 'config/schema.json'));
  fill(envDir);
  const app = `${JSON.stringify(process.execPath)} ${JSON.stringify(join(repo, 'build/src/infra/main.js'))}`;
  writeFileSync(join(dir, 'cdktf.json'), JSON.stringify({ language: 'typescript', app, sendCrashReports: 'false', terraformProviders: [], terraformModules: [], context: {} }));
  const envs = readdirSync(envDir).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();
  const stacks = envs.filter((e) => !/^\s*provider:\s*none\b/m.test(readFileSync(join(envDir, `${e}.yaml`), 'utf8')));
  return { label, dir, envs, stacks };
}

/** bench-01..bench-20: round-robin copies of the shipped files with their own Azure names. */
function generate(envDir: string): void {
  const templates = ['azure-tdx', 'aks-cvm', 'coco-dev'];
  for (let i = 1; i <= 20; i++) {
    const nn = String(i).padStart(2, '0');
    const doc = parseDocument(readFileSync(join(repo, 'config/environments', `${templates[(i - 1) % templates.length]}.yaml`), 'utf8'));
    if (doc.hasIn(['infrastructure', 'resourceGroup'])) doc.setIn(['infrastructure', 'resourceGroup'], `rg-coco-bench-${nn}`);
    if (doc.hasIn(['infrastructure', 'aks'])) {
      doc.setIn(['infrastructure', 'aks', 'attestationProviderName'], `cocobench${nn}maa`);
      doc.setIn(['infrastructure', 'aks', 'keyVaultName'], `kv-coco-bench-${nn}`);
    }
    writeFileSync(join(envDir, `bench-${nn}.yaml`), doc.toString());
  }
}

// cdktf without telemetry, version checks, plugin cache or prompts; an empty Terraform CLI config.
const emptyTfrc = join(work, 'terraformrc');
writeFileSync(emptyTfrc, '');
const cdktfEnv = { ...process.env, CHECKPOINT_DISABLE: '1', DISABLE_VERSION_CHECK: '1', CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1', CI: '1', CDKTF_HOME: join(work, 'cdktf-home'), TF_CLI_CONFIG_FILE: emptyTfrc };

/** Runs one command from a clean output state in `set.dir`; returns wall time in ms or exits 1. */
function timed(set: EnvSet, cmd: string, args: string[], env: NodeJS.ProcessEnv): number {
  for (const out of ['dist', 'cdktf.out']) rmSync(join(set.dir, out), { recursive: true, force: true });
  const start = performance.now();
  const r = spawnSync(cmd, args, { cwd: set.dir, env, encoding: 'utf8' });
  const ms = performance.now() - start;
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} in ${set.dir} exited ${r.status ?? r.signal ?? r.error?.message}\n${r.stdout}${r.stderr}`);
  return ms;
}

function fail(message: string): never {
  process.stderr.write(`bench FAILED: ${message}\n(temp folder kept: ${work})\n`);
  process.exit(1);
}

/** Every expected output is there, and nothing else in cdktf.out/stacks. Returns the Terraform JSON by stack. */
function checkOutput(set: EnvSet, withManifests: boolean): Map<string, string> {
  const missing = withManifests ? set.envs.filter((e) => !existsSync(join(set.dir, 'dist', e)) || readdirSync(join(set.dir, 'dist', e)).length === 0) : [];
  const stackDir = join(set.dir, 'cdktf.out/stacks');
  const found = existsSync(stackDir) ? readdirSync(stackDir).sort() : [];
  if (missing.length > 0 || found.join() !== set.stacks.join()) fail(`${set.label}: expected manifests for ${set.envs.join()} and stacks ${set.stacks.join()}; found stacks ${found.join()}, empty dist for ${missing.join()}`);
  return new Map(found.map((s) => [s, readFileSync(join(stackDir, s, 'cdk.tf.json'), 'utf8')]));
}

const stats = (xs: number[]): { median: number; min: number; max: number } => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s[s.length - 1] };
};

function main(): void {
  const benchStart = performance.now();
  const sets = [makeSet('shipped', (d) => cpSync(join(repo, 'config/environments'), d, { recursive: true })), makeSet('generated', generate)];
  console.log(`node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), ${runs} timed runs after 1 checked warm-up, temp ${work}`);
  const rows: string[][] = [];
  const verdicts: string[] = [];
  for (const set of sets) {
    const ours = (): number => timed(set, process.execPath, [synthJs], process.env);
    const cdktf = (): number => timed(set, cdktfBin, ['synth'], cdktfEnv);
    // Warm-up: both must render everything, and the same Terraform.
    ours();
    const ourTf = checkOutput(set, true);
    cdktf();
    const theirTf = checkOutput(set, false);
    const differ = [...ourTf].filter(([s, json]) => theirTf.get(s) !== json).map(([s]) => s);
    if (differ.length > 0) fail(`${set.label}: synth.js and cdktf synth wrote different Terraform for ${differ.join()}`);
    const times = { ours: [] as number[], cdktf: [] as number[] };
    for (let i = 0; i < runs; i++) {
      times.ours.push(ours()); // interleaved so drift hits both alike
      times.cdktf.push(cdktf());
    }
    const o = stats(times.ours);
    const c = stats(times.cdktf);
    const name = `${set.label} (${set.envs.length} envs, ${set.stacks.length} stacks)`;
    rows.push([`${name}: synth.js, all outputs`, ...[o.median, o.min, o.max].map((n) => n.toFixed(0))]);
    rows.push([`${name}: cdktf synth, Terraform only`, ...[c.median, c.min, c.max].map((n) => n.toFixed(0))]);
    const ratio = o.median / c.median;
    verdicts.push(`${set.label}: ours/cdktf = ${ratio.toFixed(2)} -> ${ratio <= 0.5 ? 'PASS' : 'FAIL'} (goal <= 0.50)`);
  }
  const table = [['scenario', 'median ms', 'min', 'max'], ...rows];
  const widths = table[0].map((_, col) => Math.max(...table.map((r) => r[col].length)));
  for (const r of table) console.log(r.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join('  '));
  console.log(verdicts.join('\n'));
  console.log('goal: all environments rendered (Terraform + manifests + charts + validation) in at most half the time cdktf synth takes for Terraform alone');
  rmSync(work, { recursive: true, force: true });
  console.log(`bench took ${((performance.now() - benchStart) / 1000).toFixed(1)} s`);
}

main();
