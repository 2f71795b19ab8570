// Shared by the simulation tests: environments (optionally changed), simulations started at load
// time and awaited by their tests, two at a time per test file (jest runs the files in parallel).
import { loadEnvironment, type LoadedEnvironment } from '../../src/config/load';
import type { EnvironmentConfig } from '../../src/config/schema';
import { ControlPlanePool } from '../../src/simulate/control-plane-pool';
import { simulateEnvironment, type SimulateOptions, type SimulationResult } from '../../src/simulate/simulate';
import { formatResult } from '../../src/simulate/report';
import { repoRoot } from './tools';

const CONCURRENCY = 2;
let running = 0;
const waiting: (() => void)[] = [];
async function limited<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= CONCURRENCY) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

export function env(name: string, change?: (c: EnvironmentConfig) => void): LoadedEnvironment {
  const loaded = loadEnvironment(repoRoot(), name);
  if (!change) return loaded;
  const config = structuredClone(loaded.config);
  change(config);
  return { ...loaded, config };
}

/** The test file's control planes: each reset and reused for its next simulation, as `npm run simulate` does; why one was not reused is in controlPlaneLog. */
export const controlPlaneLog: string[] = [];
export const controlPlanes = new ControlPlanePool((line) => controlPlaneLog.push(line));
afterAll(() => controlPlanes.close());

const runs = new Map<string, Promise<SimulationResult>>();
export function simulate(key: string, make: () => LoadedEnvironment, opts: SimulateOptions = {}): void {
  const p = limited(() => simulateEnvironment(make(), { controlPlanes, ...opts }));
  // Awaited by its test; a rejection must not surface as unhandled before that.
  p.catch(() => undefined);
  runs.set(key, p);
}
export const result = (key: string) => runs.get(key) as Promise<SimulationResult>;

/** The failure for `object`, with every reason line joined (what a reader of the report sees). */
export async function failureOf(key: string, object: string): Promise<string> {
  const r = await result(key);
  const f = r.failures.find((x) => x.object === object);
  if (!f) throw new Error(`no failure for ${object}:\n${formatResult(r)}`);
  return f.reasons.join('\n');
}

