/**
 * The environment file schema: the single source of truth for what an environment file may
 * contain, its defaults (applied by ajv while validating) and the TypeScript types (derived with
 * TypeBox's `Static`). `config/schema.json` is generated from it for editors. Each section lives
 * in `sections/<name>.ts`.
 */
import { Type, type Static } from '@sinclair/typebox';
import { EXPECTED_KEYWORD, Obj, StringEnum } from './schema-helpers';
import { Infrastructure } from './sections/infrastructure';
import { Cluster } from './sections/cluster';
import { Kbs } from './sections/kbs';
import { GuestComponents } from './sections/guest-components';
import { Runtime } from './sections/runtime';
import { Workloads } from './sections/workloads';
import { GitOps } from './sections/gitops';
import { DevSwitches } from './sections/dev-switches';
import { AcceptUnsupportedVersions } from './sections/accept-unsupported-versions';
import { RequireDigests } from './sections/require-digests';

export { EXPECTED_KEYWORD } from './schema-helpers';

export const EnvironmentSchema = Obj(
  {
    profile: StringEnum(['dev', 'production'] as const, { description: 'production refuses every dev switch and insecure default.' }),
    description: Type.Optional(Type.String({ maxLength: 500, description: 'Free text shown in the posture report.' })),
    kubernetesVersion: Type.String({ pattern: '^1\\.36$', default: '1.36', [EXPECTED_KEYWORD]: '1.36 (the Kubernetes API version the manifests are validated against)', description: 'Kubernetes API version of the target cluster (minor), the one the manifests are validated against.' }),
    infrastructure: Infrastructure,
    cluster: Cluster,
    kbs: Kbs,
    guestComponents: GuestComponents,
    runtime: Runtime,
    workloads: Workloads,
    gitops: GitOps,
    devSwitches: DevSwitches,
    acceptUnsupportedVersions: AcceptUnsupportedVersions,
    requireDigests: RequireDigests,
  },
  { $id: 'https://coco-azure-gitops.local/environment.schema.json', title: 'Confidential Containers on Azure: environment file', description: 'One environment (config/environments/<name>.yaml). The file name is the environment name.' },
);

/** A validated environment with all defaults applied. */
export type EnvironmentConfig = Static<typeof EnvironmentSchema>;
export type Profile = EnvironmentConfig['profile'];
export type InfrastructureConfig = EnvironmentConfig['infrastructure'];
export type ClusterConfig = EnvironmentConfig['cluster'];
export type ComponentName = 'kbs' | 'guestComponents' | 'runtime' | 'workloads';
export type GitOpsConfig = EnvironmentConfig['gitops'];
