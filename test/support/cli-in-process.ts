// A command's main() run inside the jest worker instead of a new Node process: the working
// directory, the arguments in process.argv, the environment and stdin as given, stdout and stderr
// captured, and process.exit turned into a return. A command spawned as its own process costs
// 0.15-0.9 s of CPU, most of it Node start-up and loading its modules again; in-process they are
// loaded once per test file. Each command keeps a few tests on the real process (the bin, pipes).
import { join } from 'node:path';
import { confidentializeMain } from '../../src/cli/confidentialize-command';
import { synthMain } from '../../src/cli/synth-command';
import type { CliResult } from './repo';
import { repoRoot } from './tools';

class Exit extends Error {
  constructor(readonly code: number) {
    super(`process.exit(${code})`);
  }
}

type Write = typeof process.stdout.write;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface InProcessRun {
  /** The command's main function; it reads process.argv, cwd and env like the real entry point. */
  readonly main: () => void;
  /** The built entry point, as process.argv[1] (what --help and errors may name). */
  readonly script: string;
  readonly cwd: string;
  readonly args: readonly string[];
  /** The whole process environment for the run. @default this process's */
  readonly env?: NodeJS.ProcessEnv;
}

/** Listeners a command adds to its own process (Ctrl-C handlers, stdout's EPIPE handler) are removed afterwards. */
function listenerSnapshot(): () => void {
  const signals = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const stdoutErrors = new Set(process.stdout.listeners('error'));
  return () => {
    for (const s of SIGNALS) for (const l of process.listeners(s)) if (!signals.get(s)?.has(l)) process.removeListener(s, l as () => void);
    for (const l of process.stdout.listeners('error')) if (!stdoutErrors.has(l)) process.stdout.removeListener('error', l as () => void);
  };
}

export function runCliInProcess(run: InProcessRun): CliResult {
  const saved = { cwd: process.cwd(), argv: process.argv, env: process.env, exit: process.exit, out: process.stdout.write, err: process.stderr.write };
  const restoreListeners = listenerSnapshot();
  let stdout = '';
  let stderr = '';
  const capture =
    (into: (text: string) => void): Write =>
    (chunk: string | Uint8Array, ...rest: unknown[]) => {
      into(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    };
  let code = 0;
  try {
    process.chdir(run.cwd);
    process.argv = [process.execPath, run.script, ...run.args];
    if (run.env) process.env = run.env;
    process.exit = ((c?: number) => {
      throw new Exit(c ?? 0);
    }) as typeof process.exit;
    process.stdout.write = capture((t) => (stdout += t));
    process.stderr.write = capture((t) => (stderr += t));
    run.main();
  } catch (e) {
    if (e instanceof Exit) code = e.code;
    else {
      // What Node prints for an uncaught exception, and its exit status.
      stderr += `${e instanceof Error ? e.stack : String(e)}\n`;
      code = 1;
    }
  } finally {
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
    process.exit = saved.exit;
    process.env = saved.env;
    process.argv = saved.argv;
    process.chdir(saved.cwd);
    restoreListeners();
  }
  return { code, stdout, stderr };
}

/** `npm run synth -- <args>` with `cwd` as the repository root. */
export function runSynthInProcess(cwd: string, args: readonly string[]): CliResult {
  return runCliInProcess({ main: synthMain, script: 'build/src/cli/synth.js', cwd, args });
}

/** `npx confidentialize <args>` in `cwd`, with `stdin` as its standard input and `env` as its environment. */
export function runConfidentializeInProcess(cwd: string, args: readonly string[], stdin: string, env?: NodeJS.ProcessEnv): CliResult {
  return runCliInProcess({ main: () => confidentializeMain(() => stdin), script: join(repoRoot(), 'build/src/cli/confidentialize.js'), cwd, args, ...(env ? { env } : {}) });
}
