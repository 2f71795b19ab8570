/**
 * `npm run bench` (second part): the warm simulation of every shipped environment, as
 * `npm run simulate` runs it (two at a time): tools and Go modules already cached, one untimed
 * warm-up pass, then SIMULATE_BENCH_RUNS (default 1) timed passes. Prints each environment's time
 * and the pass's wall time against the goal (at most 3 minutes on 2 cores); exits 1 when the goal
 * is missed or an environment fails.
 */
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { loadAllEnvironments } from '../src/config/load-all';
import type { LoadedEnvironment } from '../src/config/load';
import { simulateEnvironment, type SimulationResult } from '../src/simulate/simulate';

const GOAL_SECONDS = 180;
const JOBS = 2;
const runs = Number(process.env.SIMULATE_BENCH_RUNS ?? 1);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`SIMULATE_BENCH_RUNS must be a positive integer; found ${JSON.stringify(process.env.SIMULATE_BENCH_RUNS)}`);

/** One pass over all environments, JOBS at a time, like the CLI. */
async function pass(environments: readonly LoadedEnvironment[]): Promise<{ seconds: number; results: SimulationResult[] }> {
  const started = performance.now();
  const queue = [...environments];
  const results: SimulationResult[] = [];
  const worker = async () => {
    for (let env = queue.shift(); env !== undefined; env = queue.shift()) results.push(await simulateEnvironment(env));
  };
  await Promise.all(Array.from({ length: JOBS }, worker));
  return { seconds: (performance.now() - started) / 1000, results };
}

async function main(): Promise<void> {
  const environments = loadAllEnvironments(process.cwd());
  process.stdout.write(`simulate bench: ${environments.length} environments, ${JOBS} at a time, ${cpus().length} cores; warm-up pass...\n`);
  await pass(environments);
  const timed: number[] = [];
  let failed = false;
  for (let i = 0; i < runs; i++) {
    const { seconds, results } = await pass(environments);
    timed.push(seconds);
    for (const r of results.sort((a, b) => a.environment.localeCompare(b.environment))) {
      process.stdout.write(`  ${r.ok ? 'PASS' : 'FAIL'} ${r.environment.padEnd(16)} ${r.seconds.total.toFixed(1).padStart(6)} s (control plane ${r.seconds.controlPlane.toFixed(1)} s)\n`);
      failed ||= !r.ok;
    }
  }
  const median = [...timed].sort((a, b) => a - b)[Math.floor(timed.length / 2)];
  const met = median <= GOAL_SECONDS;
  process.stdout.write(`simulate, all shipped environments (warm): ${median.toFixed(1)} s wall (median of ${runs}); goal <= ${GOAL_SECONDS} s: ${met ? 'met' : 'MISSED'}\n`);
  process.exitCode = met && !failed ? 0 : 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`bench-simulate: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
