// The Terraform stacks synthesized on a worker thread (src/infra/terraform-in-background.ts), as
// `npm run synth` does from build/: the same bytes as in this thread, and the worker's failure
// surfaces as the render's. Under jest the TypeScript module synthesizes in-thread, so the built
// one (npm test builds first) is what starts the worker here.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironment, type LoadedEnvironment } from '../src/config/load';
import { synthTerraform } from '../src/infra/app';
import type * as Background from '../src/infra/terraform-in-background';
import { hashTree } from './support/repo';
import { repoRoot } from './support/tools';
import { SHIPPED_STACKS } from './support/shipped';

const built = require(join(repoRoot(), 'build/src/infra/terraform-in-background.js')) as typeof Background;
const out = () => mkdtempSync(join(tmpdir(), 'coco-tf-'));

it('the worker writes exactly the stacks this thread writes', () => {
  const envs = SHIPPED_STACKS.map((n) => loadEnvironment(repoRoot(), n));
  const here = out();
  synthTerraform(envs, here);
  const there = out();
  const pending = built.synthTerraformInBackground(envs, there);
  pending.wait();
  const files = hashTree(here);
  expect(Object.keys(files)).toEqual(expect.arrayContaining(SHIPPED_STACKS.map((n) => `stacks/${n}/cdk.tf.json`)));
  expect(hashTree(there)).toEqual(files);
});

it('a failure in the worker is thrown by wait(), and settle() only waits', () => {
  const broken = { name: 'broken', file: 'config/environments/broken.yaml', config: { infrastructure: { provider: 'azure-tdx' } } } as unknown as LoadedEnvironment;
  const pending = built.synthTerraformInBackground([broken], out());
  pending.settle();
  expect(() => pending.wait()).toThrow(/^Terraform synthesis failed: Error: environment broken has no Azure infrastructure\n\s+at new EnvironmentStack/);
});
