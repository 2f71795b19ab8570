/**
 * Terraform synthesis on a worker thread while the main thread renders the Kubernetes side: the
 * stacks need nothing the manifests produce, and cdktf with the azurerm bindings is ~70 ms to load
 * and ~9 ms per stack to synthesize, time the second core otherwise idles through. render() stays
 * synchronous: wait() blocks on a shared flag the worker raises when it is done.
 *
 * Under jest the sources are TypeScript and there is no built worker: wait() synthesizes in this
 * thread then (the tests' real-process renders run the worker).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { LoadedEnvironment } from '../config/load';

export interface PendingTerraform {
  /** Blocks until the stacks are written; throws what the synthesis threw. */
  wait(): void;
  /** Blocks until the worker stopped writing, ignoring its outcome (before the staging folder is removed). */
  settle(): void;
}

/** Longest wait for the worker: synthesizing 100 stacks takes under a second. */
const TIMEOUT_MS = 120_000;

export function synthTerraformInBackground(environments: readonly LoadedEnvironment[], outdir: string): PendingTerraform {
  const script = join(__dirname, 'terraform-worker.js');
  if (!__filename.endsWith('.js') || !existsSync(script)) {
    let ran = false;
    const run = () => {
      if (ran) return;
      ran = true;
      (require('./app') as typeof import('./app')).synthTerraform(environments, outdir);
    };
    return { wait: run, settle: () => undefined };
  }
  const done = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(script, { workerData: { environments, outdir, done, port: port2 }, transferList: [port2] });
  // The process may end once the answer is in; the worker has nothing left to do then.
  worker.unref();
  let outcome: { error?: string } | undefined;
  const settle = () => {
    if (outcome) return;
    if (Atomics.wait(done, 0, 0, TIMEOUT_MS) === 'timed-out') outcome = { error: `no answer from the Terraform worker within ${TIMEOUT_MS / 1000} s` };
    else outcome = (receiveMessageOnPort(port1)?.message as { error?: string } | undefined) ?? { error: 'the Terraform worker ended without an answer' };
    port1.close();
  };
  return {
    settle,
    wait() {
      settle();
      if (outcome?.error !== undefined) throw new Error(`Terraform synthesis failed: ${outcome.error}`);
    },
  };
}
