import type { LoadedEnvironment } from '../config/load';

/** True when the environment creates Azure resources (and so has a Terraform stack). */
export function hasInfrastructure(env: LoadedEnvironment): boolean {
  return env.config.infrastructure.provider !== 'none';
}
