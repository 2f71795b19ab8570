/**
 * `npm run simulate [-- <env> ...] [--keep] [--jobs N]`: brings each environment (all by default) up
 * on a real control plane with simulated nodes (src/simulate, docs/simulation.md) and reports what
 * did not come up, in the scheduler's and controllers' words. Exit 0: every environment passed;
 * 1: one failed; 2: bad input.
 */
import { exitOnUserError, loadAllOrExit } from './load-or-exit';
import { loadEnvironment } from '../config/load';
import { NO_FIELD, UserInputError } from '../config/errors';
import { ControlPlanePool } from '../simulate/control-plane-pool';
import { simulateEnvironment, type SimulationResult } from '../simulate/simulate';
import { formatResult, formatResults } from '../simulate/report';

const USAGE = `usage: npm run simulate -- [<env> ...] [--keep] [--jobs N] [--verbose]

Brings each environment (default: all) up on a real kube-apiserver, kube-controller-manager,
kube-scheduler and etcd on 127.0.0.1, with kwok playing the kubelet of nodes shaped like the
environment's infrastructure, and syncs the bundle in Argo CD's order. Needs the binaries of
scripts/install-tools.sh. See docs/simulation.md.

  --keep      keep each control plane's folder (component logs) and print its path
  --jobs N    environments simulated at once (default 2)
  --verbose   print sync progress
`;

interface Args {
  readonly names: string[];
  readonly keep: boolean;
  readonly jobs: number;
  readonly verbose: boolean;
}

function parseArgs(argv: readonly string[]): Args | 'help' {
  const names: string[] = [];
  let keep = false;
  let verbose = false;
  let jobs = 2;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') return 'help';
    else if (a === '--keep') keep = true;
    else if (a === '--verbose') verbose = true;
    else if (a === '--jobs') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1 || n > 8) throw new UserInputError([{ file: 'command line', path: NO_FIELD, expected: '--jobs N with N an integer from 1 to 8', found: JSON.stringify(argv[i] ?? '') }]);
      jobs = n;
    } else if (a.startsWith('-')) throw new UserInputError([{ file: 'command line', path: NO_FIELD, expected: 'environment names, --keep, --jobs N or --verbose (see --help)', found: `option ${a}` }]);
    else names.push(a);
  }
  return { names, keep, jobs, verbose };
}

async function main(): Promise<void> {
  const args = exitOnUserError(() => parseArgs(process.argv.slice(2)));
  if (args === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const root = process.cwd();
  // Named environments load alone: a broken file elsewhere does not stop their simulation.
  const environments = args.names.length === 0 ? loadAllOrExit(root) : exitOnUserError(() => args.names.map((n) => loadEnvironment(root, n)));
  const results: SimulationResult[] = [];
  const queue = [...environments];
  const log = args.verbose ? (l: string) => process.stderr.write(`${l}\n`) : undefined;
  // Each job's control plane is reset and reused for its next environment (control-plane-pool.ts).
  const controlPlanes = new ControlPlanePool(log);
  const worker = async () => {
    for (let env = queue.shift(); env !== undefined; env = queue.shift()) {
      const result = await simulateEnvironment(env, { keep: args.keep, log, controlPlanes });
      process.stdout.write(`${formatResult(result)}\n`);
      results.push(result);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(args.jobs, environments.length) }, worker));
  } finally {
    await controlPlanes.close();
  }
  const order = environments.map((e) => e.name);
  const summary = formatResults(results.sort((a, b) => order.indexOf(a.environment) - order.indexOf(b.environment)));
  process.stdout.write(`${summary.split('\n').pop() ?? ''}\n`);
  process.exitCode = results.every((r) => r.ok) ? 0 : 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`simulate: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
