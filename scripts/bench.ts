/**
 * `npm run bench`: times the commands users type, each as a whole child process in a copy of the
 * working tree (so the repository's build/, dist/, charts/ and cdktf.out/ are never touched):
 *
 * - `npm run synth` after editing one source file (a comment line is appended before each run, so
 *   the build step recompiles it): the case a user meets while working; the goal applies to it;
 * - `npm run synth` with nothing changed since the last run;
 * - `npx cdktf synth` (Terraform only; its app in cdktf.json builds with tsc first).
 *
 * Each runs on the shipped environments and on 20 generated ones, in the steady state a user is in
 * (outputs, build/ and caches of the command's previous run present: each command has its own copy,
 * so one's build never invalidates the other's), interleaved so drift hits all alike; medians of
 * BENCH_RUNS (default 5) timed runs after one checked warm-up. Prints a table and the goals, and
 * exits 1 when a goal is missed or a command fails. A last measurement renders 5, 20 and 100
 * generated environments and checks that the cost per environment stays flat (near-linear).
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseDocument } from 'yaml';

const repo = resolve(__dirname, '..', '..'); // build/scripts -> repository root
const runs = Number(process.env.BENCH_RUNS ?? 5);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`BENCH_RUNS must be a positive integer; found ${JSON.stringify(process.env.BENCH_RUNS)}`);
const work = mkdtempSync(join(tmpdir(), 'coco-bench-'));
/** The source file edited before each timed edit-case run; rendering imports it. */
const EDITED_FILE = 'src/render/render.ts';
/** Upper bound of `npm run synth` time over `npx cdktf synth` time. */
const SYNTH_RATIO_GOAL = 0.3;

/** A command as the user types it. */
interface Command {
  readonly label: string;
  readonly argv: readonly string[];
}
const SYNTH: Command = { label: 'npm run synth', argv: ['npm', 'run', 'synth'] };
const CDKTF: Command = { label: 'npx cdktf synth', argv: ['npx', 'cdktf', 'synth'] };

// No telemetry, update or version checks (this machine has no network: a check would time out and
// slow one side), no plugin cache, an empty Terraform CLI config.
const emptyTfrc = join(work, 'terraformrc');
writeFileSync(emptyTfrc, '');
const env: NodeJS.ProcessEnv = {
  ...process.env,
  CHECKPOINT_DISABLE: '1',
  DISABLE_VERSION_CHECK: '1',
  CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1',
  CI: '1',
  CDKTF_HOME: join(work, 'cdktf-home'),
  TF_CLI_CONFIG_FILE: emptyTfrc,
  npm_config_update_notifier: 'false',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
};

/** One copy of the working tree with its own environment files. */
interface Workspace {
  readonly label: string;
  readonly dir: string;
  readonly envs: readonly string[];
  /** Environments with Azure infrastructure (one Terraform stack each). */
  readonly stacks: readonly string[];
}

/**
 * Copies the files git would see (tracked and untracked, not ignored) except the rendered output,
 * links node_modules, and lets `fill` write config/environments/.
 */
function makeWorkspace(label: string, fill: (envDir: string) => void, withFleet = false): Workspace {
  const dir = join(work, label);
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repo, encoding: 'utf8' });
  if (listed.status !== 0) fail(`git ls-files failed: ${listed.stderr}`);
  for (const file of listed.stdout.split('\0')) {
    // The fleet file names shipped environments: only the shipped set (what users render) keeps it.
    if (file === '' || /^(dist|charts|config\/environments)\//.test(file) || (file === 'config/fleet.yaml' && !withFleet) || !existsSync(join(repo, file))) continue;
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(repo, file), join(dir, file));
  }
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  const envDir = join(dir, 'config/environments');
  mkdirSync(envDir, { recursive: true });
  fill(envDir);
  const envs = readdirSync(envDir).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();
  const stacks = envs.filter((e) => !/^\s*provider:\s*none\b/m.test(readFileSync(join(envDir, `${e}.yaml`), 'utf8')));
  return { label, dir, envs, stacks };
}

/**
 * Names that must differ between environments (src/config/rules/global-names.ts), each with a
 * valid Azure name for generated environment `nn`; set where the template has the key.
 */
const UNIQUE_NAMES: readonly { readonly path: readonly string[]; readonly name: (nn: string) => string }[] = [
  { path: ['infrastructure', 'resourceGroup'], name: (nn) => `rg-coco-bench-${nn}` },
  { path: ['infrastructure', 'tdx', 'keyVaultName'], name: (nn) => `kv-coco-tdx-bench-${nn}` },
  { path: ['infrastructure', 'aks', 'keyVaultName'], name: (nn) => `kv-coco-bench-${nn}` },
  { path: ['infrastructure', 'aks', 'attestationProviderName'], name: (nn) => `cocobench${nn}maa` },
  { path: ['infrastructure', 'backend', 'key'], name: (nn) => `bench-${nn}.tfstate` },
];

/** bench-01..bench-<count>: round-robin copies of the shipped files with their own Azure names. */
function generate(envDir: string, count = 20): void {
  const templates = ['azure-tdx', 'aks-cvm', 'coco-dev'];
  for (let i = 1; i <= count; i++) {
    const nn = String(i).padStart(count > 99 ? 3 : 2, '0');
    const doc = parseDocument(readFileSync(join(repo, 'config/environments', `${templates[(i - 1) % templates.length]}.yaml`), 'utf8'));
    for (const { path, name } of UNIQUE_NAMES) if (doc.hasIn(path)) doc.setIn(path, name(nn));
    writeFileSync(join(envDir, `bench-${nn}.yaml`), doc.toString());
  }
}

/** Runs `command` in the workspace; returns its wall time in ms, or ends the bench when it fails. */
function timed(ws: Workspace, command: Command): number {
  const start = performance.now();
  const r = spawnSync(command.argv[0], command.argv.slice(1), { cwd: ws.dir, env, encoding: 'utf8' });
  const ms = performance.now() - start;
  if (r.status !== 0) fail(`${command.label} in ${ws.dir} exited ${r.status ?? r.signal ?? r.error?.message}\n${r.stdout}${r.stderr}`);
  return ms;
}

/** Changes the edited file as a user would, without changing what it does; returns the new line. */
function editSource(ws: Workspace, run: number): string {
  const line = `// bench edit ${run}`;
  appendFileSync(join(ws.dir, EDITED_FILE), `${line}\n`);
  return line;
}

/** The edit case is only honest if the build step really recompiled the edited file. */
function checkRecompiled(ws: Workspace, line: string): void {
  const built = join(ws.dir, 'build', EDITED_FILE.replace(/\.ts$/, '.js'));
  if (!readFileSync(built, 'utf8').includes(line)) fail(`${ws.label}: ${SYNTH.label} did not recompile ${EDITED_FILE}`);
}

function fail(message: string): never {
  process.stderr.write(`bench FAILED: ${message}\n(temp folder kept: ${work})\n`);
  process.exit(1);
}

/**
 * Every environment rendered, and exactly the expected stacks. Returns the Terraform JSON by stack,
 * with the workspace folder replaced so copies compare equal.
 */
function checkOutput(ws: Workspace, command: Command, withManifests: boolean): Map<string, string> {
  const missing = withManifests ? ws.envs.filter((e) => !existsSync(join(ws.dir, 'dist', e)) || readdirSync(join(ws.dir, 'dist', e)).length === 0) : [];
  const stackDir = join(ws.dir, 'cdktf.out/stacks');
  const found = existsSync(stackDir) ? readdirSync(stackDir).sort() : [];
  if (missing.length > 0 || found.join() !== ws.stacks.join()) {
    fail(`${ws.label}: ${command.label}: expected stacks ${ws.stacks.join()}${withManifests ? ` and manifests for ${ws.envs.join()}` : ''}; found stacks ${found.join()}${missing.length > 0 ? `, no manifests for ${missing.join()}` : ''}`);
  }
  return new Map(found.map((s) => [s, readFileSync(join(stackDir, s, 'cdk.tf.json'), 'utf8').replaceAll(ws.dir, '<workspace>')]));
}

interface Stats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

function stats(xs: readonly number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s[s.length - 1] };
}

/** One line of the timing table. */
interface Row {
  readonly scenario: string;
  readonly stats: Stats;
}

/** A number with the bound it must not exceed; any goal missed makes the bench exit 1. */
interface Goal {
  readonly name: string;
  readonly value: number;
  readonly limit: number;
  /** What the number is, e.g. `ratio` or `s`. */
  readonly unit: string;
}

/** What one measurement contributes to the report. */
interface Measured {
  readonly rows: readonly Row[];
  readonly goals: readonly Goal[];
  /** Facts printed below the goals, not judged. */
  readonly notes: readonly string[];
}

/** `npm run synth` (edited and unchanged) against `npx cdktf synth`, each in its own copy of a set. */
function measureSynth(label: string, fill: (envDir: string) => void, withFleet = false): Measured {
  const ws = makeWorkspace(`${label}-synth`, fill, withFleet);
  const tf = makeWorkspace(`${label}-cdktf`, fill, withFleet);
  // Warm-up: build/, the caches and the outputs exist afterwards, as after a user's first run;
  // both commands must render everything, and the same Terraform.
  timed(ws, SYNTH);
  const ours = checkOutput(ws, SYNTH, true);
  timed(tf, CDKTF);
  const theirs = checkOutput(tf, CDKTF, false);
  const differ = [...ours].filter(([s, json]) => theirs.get(s) !== json).map(([s]) => s);
  if (differ.length > 0) fail(`${label}: ${SYNTH.label} and ${CDKTF.label} wrote different Terraform for ${differ.join()}`);

  const edited: number[] = [];
  const unchanged: number[] = [];
  const cdktf: number[] = [];
  for (let i = 0; i < runs; i++) {
    const line = editSource(ws, i);
    edited.push(timed(ws, SYNTH));
    checkRecompiled(ws, line);
    unchanged.push(timed(ws, SYNTH));
    cdktf.push(timed(tf, CDKTF));
  }
  const name = `${label} (${ws.envs.length} envs, ${ws.stacks.length} stacks)`;
  const [e, u, c] = [stats(edited), stats(unchanged), stats(cdktf)];
  return {
    rows: [
      { scenario: `${name}: ${SYNTH.label}, one source file edited`, stats: e },
      { scenario: `${name}: ${SYNTH.label}, nothing changed`, stats: u },
      { scenario: `${name}: ${CDKTF.label} (Terraform only)`, stats: c },
    ],
    goals: [{ name: `${label}: ${SYNTH.label} (one file edited) / ${CDKTF.label}`, value: e.median / c.median, limit: SYNTH_RATIO_GOAL, unit: 'ratio' }],
    notes: [`${label}: ${SYNTH.label} (nothing changed) / ${CDKTF.label} = ${(u.median / c.median).toFixed(2)}`],
  };
}

/** Growth that still counts as linear: the cost per environment from 20 to 100 environments over that from 5 to 20. */
const SCALE_GOAL = 1.25;
const SCALE_SIZES = [5, 20, 100] as const;

/**
 * Rendering scales linearly (issue 16): `npm run synth` (nothing changed) on 5, 20 and 100
 * generated environments; the time each further environment adds between 20 and 100 may be at
 * most SCALE_GOAL times what it adds between 5 and 20 (start-up is paid once, so totals are not
 * compared).
 */
function measureScale(): Measured {
  const spaces = SCALE_SIZES.map((n) => makeWorkspace(`scale-${n}`, (d) => generate(d, n)));
  for (const ws of spaces) {
    timed(ws, SYNTH);
    checkOutput(ws, SYNTH, true);
  }
  const times = spaces.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) spaces.forEach((ws, k) => times[k].push(timed(ws, SYNTH)));
  const [t5, t20, t100] = times.map((t) => stats(t).median);
  const early = (t20 - t5) / (20 - 5);
  const late = (t100 - t20) / (100 - 20);
  return {
    rows: spaces.map((ws, k) => ({ scenario: `scale: ${SYNTH.label}, nothing changed, ${ws.envs.length} generated envs (${ws.stacks.length} stacks)`, stats: stats(times[k]) })),
    goals: [{ name: `scale: ms per environment from 20 to 100 / from 5 to 20 (${late.toFixed(1)} / ${early.toFixed(1)} ms)`, value: late / early, limit: SCALE_GOAL, unit: 'ratio' }],
    notes: [`scale: 100 environments render in ${(t100 / 1000).toFixed(2)} s`],
  };
}

function printTable(rows: readonly Row[]): void {
  const table = [['scenario', 'median ms', 'min', 'max'], ...rows.map((r) => [r.scenario, ...[r.stats.median, r.stats.min, r.stats.max].map((n) => n.toFixed(0))])];
  const widths = table[0].map((_, col) => Math.max(...table.map((r) => r[col].length)));
  for (const r of table) console.log(r.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join('  '));
}

function main(): void {
  const benchStart = performance.now();
  console.log(`node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), ${runs} timed runs after 1 checked warm-up, temp ${work}`);
  // Each measurement adds rows, goals and notes. Further measurements (a simulation run, `npm test`)
  // go into this list as functions of the same shape.
  const measurements: (() => Measured)[] = [
    () => measureSynth('shipped', (d) => cpSync(join(repo, 'config/environments'), d, { recursive: true }), true),
    () => measureSynth('generated', (d) => generate(d)),
    measureScale,
  ];
  const results = measurements.map((measure) => measure());

  printTable(results.flatMap((r) => r.rows));
  let missed = 0;
  for (const g of results.flatMap((r) => r.goals)) {
    const pass = g.value <= g.limit;
    if (!pass) missed++;
    console.log(`${pass ? 'PASS' : 'FAIL'}  ${g.name} = ${g.value.toFixed(2)} ${g.unit} (goal <= ${g.limit.toFixed(2)})`);
  }
  for (const n of results.flatMap((r) => r.notes)) console.log(`info  ${n}`);
  rmSync(work, { recursive: true, force: true });
  console.log(`bench took ${((performance.now() - benchStart) / 1000).toFixed(1)} s`);
  if (missed > 0) {
    console.log(`bench: ${missed} goal(s) missed`);
    process.exit(1);
  }
}

main();
