// The synth command run inside the jest worker (cli-in-process.ts): the same synthMain() that
// src/cli/synth.ts calls. runSynthProcess (repo.ts) keeps a few tests on the real process.
import { synthMain } from '../../src/cli/synth-command';
import { runCliInProcess } from './cli-in-process';
import type { CliResult } from './repo';

export function runSynthInProcess(cwd: string, args: readonly string[]): CliResult {
  return runCliInProcess({ main: synthMain, script: 'build/src/cli/synth.js', cwd, args });
}
