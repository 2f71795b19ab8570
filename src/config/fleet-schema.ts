/**
 * `config/fleet.yaml`: the clusters that run an environment. One environment file says what a
 * cluster of that kind is; the fleet file only says where the clusters are and which revision each
 * one syncs, so ten clusters are ten short list items, not ten copied environment files.
 */
import { Type, type Static } from '@sinclair/typebox';
import { EXPECTED_KEYWORD, K8sName, Obj } from './schema-helpers';

/** `<name>-root` names the cluster's root Application: 58 + 5 stays a DNS label. */
const CLUSTER_NAME = '^[a-z0-9]([-a-z0-9]{0,56}[a-z0-9])?$';

export const FleetCluster = Obj(
  {
    name: Type.String({ pattern: CLUSTER_NAME, [EXPECTED_KEYWORD]: 'a DNS label of at most 58 characters (it names the root Application <name>-root)', description: 'Cluster name, unique in the fleet.' }),
    environment: Type.String({ minLength: 1, description: 'Environment file (config/environments/<environment>.yaml) the cluster runs.' }),
    server: Type.String({ pattern: '^https://\\S+$', [EXPECTED_KEYWORD]: 'an https:// API server URL', description: 'API server of the cluster as registered in the Argo CD that applies the fleet (a cluster Secret); unique in the fleet.' }),
    targetRevision: Type.Optional(
      Type.String({ minLength: 1, description: "Git revision the cluster's root syncs. @default the environment's gitops.targetRevision; production environments refuse tracking branches here too." }),
    ),
    wave: Type.Integer({ minimum: 0, maximum: 99, default: 0, description: 'Rollout wave: RollingSync syncs wave 0 (canaries) first and each later wave only when the earlier ones are Healthy.' }),
  },
  { description: 'One cluster of the fleet.' },
);

export const FleetSchema = Obj(
  {
    argocdNamespace: K8sName('Namespace of the Argo CD that applies the fleet (its ApplicationSets and the root Applications live there).', 'argocd'),
    clusters: Type.Array(FleetCluster, { minItems: 1, description: 'Every cluster the fleet bootstraps.' }),
  },
  { $id: 'https://coco-azure-gitops.local/fleet.schema.json', description: 'Clusters bootstrapped by one kubectl apply -f dist/fleet/.' },
);

export type FleetClusterConfig = Static<typeof FleetCluster>;
export type FleetConfig = Static<typeof FleetSchema>;
