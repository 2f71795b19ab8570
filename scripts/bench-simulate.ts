/**
 * `npm run bench` (second part): the warm simulation of every shipped environment, timed as the
 * command users run, `npm run simulate` (two at a time, control planes reset and reused between
 * environments): tools and Go modules already cached, one untimed warm-up run, then
 * SIMULATE_BENCH_RUNS (default 1) timed runs. Prints each environment's line and the run's wall time
 * against the goal (at most 3 minutes on 2 cores); exits 1 when the goal is missed or an
 * environment fails.
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';

const GOAL_SECONDS = 180;
const runs = Number(process.env.SIMULATE_BENCH_RUNS ?? 1);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`SIMULATE_BENCH_RUNS must be a positive integer; found ${JSON.stringify(process.env.SIMULATE_BENCH_RUNS)}`);

/** One `npm run simulate`: its wall time, its per-environment lines and whether every environment passed. */
function simulate(): { seconds: number; lines: string[]; ok: boolean } {
  const started = performance.now();
  const r = spawnSync('npm', ['run', '--silent', 'simulate'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0 && r.status !== 1) {
    process.stderr.write(`${r.stdout.slice(-4000)}${r.stderr.slice(-4000)}\nbench-simulate: npm run simulate failed (exit ${r.status})\n`);
    process.exit(1);
  }
  return { seconds, lines: r.stdout.split('\n').filter((l) => /^(PASS|FAIL) /.test(l)), ok: r.status === 0 };
}

process.stdout.write(`simulate bench: npm run simulate, ${cpus().length} cores; warm-up run...\n`);
simulate();
const timed: number[] = [];
let failed = false;
for (let i = 0; i < runs; i++) {
  const { seconds, lines, ok } = simulate();
  timed.push(seconds);
  for (const line of lines) process.stdout.write(`  ${line}\n`);
  failed ||= !ok;
}
const median = [...timed].sort((a, b) => a - b)[Math.floor(timed.length / 2)];
const met = median <= GOAL_SECONDS;
process.stdout.write(`npm run simulate, all shipped environments (warm): ${median.toFixed(1)} s wall (median of ${runs}); goal <= ${GOAL_SECONDS} s: ${met ? 'met' : 'MISSED'}\n`);
process.exitCode = met && !failed ? 0 : 1;
