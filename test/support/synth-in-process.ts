// The synth command run inside the jest worker instead of a new Node process: the same
// synthMain() that src/cli/synth.ts calls, with the repository as working directory, the arguments
// in process.argv, stdout and stderr captured and process.exit turned into a return. A render
// spawned as its own process costs ~0.9 s of CPU, most of it Node start-up and loading cdktf, the
// azurerm bindings and cdk8s-plus again; in-process they are loaded once per test file.
// runSynthProcess (repo.ts) keeps a few tests on the real process.
import { synthMain } from '../../src/cli/synth-command';
import type { CliResult } from './repo';

class Exit extends Error {
  constructor(readonly code: number) {
    super(`process.exit(${code})`);
  }
}

type Write = typeof process.stdout.write;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export function runSynthInProcess(cwd: string, args: readonly string[]): CliResult {
  const saved = { cwd: process.cwd(), argv: process.argv, exit: process.exit, out: process.stdout.write, err: process.stderr.write };
  const listeners = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
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
    process.chdir(cwd);
    process.argv = [process.execPath, 'build/src/cli/synth.js', ...args];
    process.exit = ((c?: number) => {
      throw new Exit(c ?? 0);
    }) as typeof process.exit;
    process.stdout.write = capture((t) => (stdout += t));
    process.stderr.write = capture((t) => (stderr += t));
    synthMain();
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
    process.argv = saved.argv;
    process.chdir(saved.cwd);
    // The command's Ctrl-C handlers belong to its process, not to the jest worker.
    for (const s of SIGNALS) for (const l of process.listeners(s)) if (!listeners.get(s)?.has(l)) process.removeListener(s, l as () => void);
  }
  return { code, stdout, stderr };
}
