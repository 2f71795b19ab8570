/**
 * Rules an environment file must satisfy beyond its JSON Schema: network layout, VM families,
 * one owner per namespace, and the production profile gates.
 */
import type { EnvironmentConfig } from './schema';
import { describeValue } from './errors';
import type { Report, RuleProblem } from './rules/report';
import { checkRuntime } from './rules/runtime';
import { checkWorkloads } from './rules/workloads';
import { checkInfrastructure } from './rules/infrastructure';
import { checkKbs } from './rules/kbs';
import { checkCluster } from './rules/cluster';
import { checkGuestComponents } from './rules/guest-components';
import { checkVersions } from './rules/versions';
import { checkGitOps } from './rules/gitops';

/** Section rules, each in `rules/<section>.ts`, run in this order. */
const SECTION_RULES: readonly ((env: EnvironmentConfig, report: Report) => void)[] = [checkInfrastructure, checkCluster, checkVersions, checkKbs, checkGuestComponents, checkRuntime, checkWorkloads, checkGitOps];

export function checkSemantics(env: EnvironmentConfig): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const report: Report = (path, expected, found) => problems.push({ path, expected, found: describeValue(found) });
  for (const rule of SECTION_RULES) rule(env, report);
  checkNamespaces(env, report);
  checkProfile(env, report);
  return problems;
}

function checkNamespaces(env: EnvironmentConfig, report: Report): void {
  const owners = new Map<string, string>([[env.gitops.argocdNamespace, '/gitops/argocdNamespace']]);
  for (const component of ['kbs', 'guestComponents', 'runtime', 'workloads'] as const) {
    const section = env[component];
    if (!section.enabled) continue;
    const path = `/${component}/namespace`;
    const owner = owners.get(section.namespace);
    if (owner) report(path, `a namespace not already used by ${owner} (each namespace has one owner)`, section.namespace);
    else owners.set(section.namespace, path);
  }
}

function checkProfile(env: EnvironmentConfig, report: Report): void {
  if (env.profile !== 'production') return;
  for (const [name, on] of Object.entries(env.devSwitches)) {
    if (on) report(`/devSwitches/${name}`, 'false (profile production refuses dev switches)', on);
  }
  const image = env.infrastructure.tdx?.image;
  if (image && image.version === 'latest') report('/infrastructure/tdx/image/version', 'a pinned image version (profile production refuses "latest")', image.version);
}
