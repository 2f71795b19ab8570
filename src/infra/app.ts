import { App } from 'cdktf';
import type { LoadedEnvironment } from '../config/load';
import { EnvironmentStack } from './stacks/environment-stack';
import { hasInfrastructure } from './has-infrastructure';
import { skipTokenStackTraces } from './token-stack-traces';

/** Synthesizes one stack per environment with Azure infrastructure into `outdir`. */
export function synthTerraform(envs: readonly LoadedEnvironment[], outdir?: string): void {
  if (outdir !== undefined) skipTokenStackTraces();
  // Without outdir, cdktf reads CDKTF_OUTDIR (set by `cdktf synth/deploy`).
  const app = new App({ ...(outdir ? { outdir } : {}), skipValidation: false });
  for (const env of envs.filter(hasInfrastructure)) new EnvironmentStack(app, env);
  app.synth();
}
