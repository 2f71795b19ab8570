/**
 * Entry of the worker thread that synthesizes the Terraform stacks (terraform-in-background.ts).
 * It always answers, on its port, and then raises the shared flag the main thread waits on: a
 * worker that died silently would leave the render waiting until its timeout.
 */
import { join } from 'node:path';
import { workerData, type MessagePort } from 'node:worker_threads';
import type { LoadedEnvironment } from '../config/load';
import { repoRoot } from '../shared/repo-files';

interface TerraformWork {
  readonly environments: readonly LoadedEnvironment[];
  readonly outdir: string;
  readonly done: Int32Array;
  readonly port: MessagePort;
}

interface CompileCache {
  enableCompileCache(dir: string): void;
  flushCompileCache(): void;
}

const work = workerData as TerraformWork;
try {
  // The code cache of scripts/run-built.js, for this thread's modules too (cdktf, the azurerm bindings).
  const cacheDir = process.env.COCO_COMPILE_CACHE_DIR;
  const cache = cacheDir ? (require(join(repoRoot(), 'scripts/compile-cache.js')) as CompileCache) : undefined;
  if (cache && cacheDir) cache.enableCompileCache(cacheDir);
  (require('./app') as typeof import('./app')).synthTerraform(work.environments, work.outdir);
  // Now, not at this thread's exit: the process may end first.
  cache?.flushCompileCache();
  work.port.postMessage({});
} catch (e) {
  work.port.postMessage({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
} finally {
  Atomics.store(work.done, 0, 1);
  Atomics.notify(work.done, 0);
}
