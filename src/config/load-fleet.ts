/**
 * Loads the optional `config/fleet.yaml` (schema: fleet-schema.ts) against the loaded environments.
 * Problems are one line each with file, line, JSON path, expected and found, like the environment
 * files; all of them are reported at once.
 */
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { FleetSchema, type FleetClusterConfig, type FleetConfig } from './fleet-schema';
import { describeValue, NO_FIELD, UserInputError, type InputProblem } from './errors';
import { readEnvironmentFile } from './environment-files';
import { locate, parseYaml, yamlData } from './yaml-source';
import { ajvProblem, dedupe, type LoadedEnvironment } from './load';
import { isTrackingBranch } from './rules/gitops';
import { configValidator } from './config-validator';

export const FLEET_FILE = 'config/fleet.yaml';

/** `dist/<FLEET_FOLDER>/` holds the fleet, so no environment may be called that. */
export const FLEET_FOLDER = 'fleet';

/** The in-cluster API server: where each cluster's own Argo CD deploys the children of its root. */
export const IN_CLUSTER = 'https://kubernetes.default.svc';

/** A cluster with its environment and the revision it syncs resolved. */
export interface ResolvedCluster extends FleetClusterConfig {
  readonly targetRevision: string;
  readonly env: LoadedEnvironment;
}

export interface LoadedFleet {
  /** Path relative to the repository root, as printed in messages and rendered headers. */
  readonly file: string;
  readonly argocdNamespace: string;
  /** In file order. */
  readonly clusters: readonly ResolvedCluster[];
}

function getValidator(): ValidateFunction {
  return configValidator('fleet-schema', FleetSchema);
}

/** The fleet of `root`, or undefined when there is no `config/fleet.yaml` (then nothing is rendered for it). */
export function loadFleet(root: string, environments: readonly LoadedEnvironment[]): LoadedFleet | undefined {
  const file = FLEET_FILE;
  // Only absence means "no fleet"; a folder or dangling link there is read, and refused, below.
  if (!lstatSync(join(root, file), { throwIfNoEntry: false })) return undefined;
  const source = parseYaml(file, readEnvironmentFile(root, file));
  const data: unknown = structuredClone(yamlData(source));
  if (data === null || data === undefined) {
    throw new UserInputError([{ file, path: '', expected: 'a mapping with "clusters"', found: 'an empty document', line: 1, column: 1 }]);
  }
  const validate = getValidator();
  if (!validate(data)) {
    throw new UserInputError(dedupe((validate.errors ?? []).map((e) => ajvProblem(e))).map((p) => ({ ...p, file, ...locate(source, p.path) })));
  }
  const config = data as FleetConfig;
  const problems: Omit<InputProblem, 'file'>[] = [];
  const report = (path: string, expected: string, found: string) => problems.push({ path, expected, found });
  if (environments.some((e) => e.name === FLEET_FOLDER)) {
    report(NO_FIELD, `no environment named ${JSON.stringify(FLEET_FOLDER)} (dist/${FLEET_FOLDER}/ is the fleet's folder; rename the environment)`, `config/environments/${FLEET_FOLDER}.yaml`);
  }
  const byName = new Map(environments.map((e) => [e.name, e]));
  const names = new Map<string, number>();
  const servers = new Map<string, number>();
  const clusters: ResolvedCluster[] = [];
  config.clusters.forEach((cluster, i) => {
    const at = `/clusters/${i}`;
    const first = names.get(cluster.name);
    if (first !== undefined) report(`${at}/name`, `a cluster name not already used by /clusters/${first}/name`, describeValue(cluster.name));
    else names.set(cluster.name, i);
    // Two roots on one API server would fight over the same Argo CD objects there.
    const sameServer = servers.get(cluster.server);
    if (sameServer !== undefined) report(`${at}/server`, `an API server not already used by /clusters/${sameServer}/server (one cluster per server)`, describeValue(cluster.server));
    else servers.set(cluster.server, i);
    const env = byName.get(cluster.environment);
    if (!env) {
      report(`${at}/environment`, `an environment of config/environments/ (${[...byName.keys()].join(', ')})`, describeValue(cluster.environment));
      return;
    }
    const { gitops } = env.config;
    if (gitops.destinationServer !== IN_CLUSTER) {
      // The root puts the environment's child Applications into the cluster's own Argo CD, which
      // must deploy them where it runs; another server would send every cluster's bundle there.
      report(`${at}/environment`, `an environment whose gitops.destinationServer is ${IN_CLUSTER} (each cluster's own Argo CD deploys its components in-cluster)`, `${env.name} with ${gitops.destinationServer}`);
    }
    const targetRevision = cluster.targetRevision ?? gitops.targetRevision;
    if (cluster.targetRevision !== undefined && env.config.profile === 'production' && !gitops.allowTrackingBranch && isTrackingBranch({ targetRevision, trackingBranches: gitops.trackingBranches })) {
      report(`${at}/targetRevision`, `a release tag such as v0.1.0 or a 40-hex commit SHA (environment ${env.name} is profile production, which refuses tracking branches; see docs/argocd.md)`, describeValue(targetRevision));
    }
    clusters.push({ ...cluster, targetRevision, env });
  });
  if (problems.length > 0) throw new UserInputError(problems.map((p) => ({ ...p, file, ...(p.path === NO_FIELD ? {} : locate(source, p.path)) })));
  return { file, argocdNamespace: config.argocdNamespace, clusters };
}
