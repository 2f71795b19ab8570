/**
 * `cluster`: what a bring-your-own cluster (infrastructure.provider none) has before the bundle is
 * synced: its nodes, StorageClasses and CRDs. Azure providers derive all of this from
 * `infrastructure` (src/shared/cluster-nodes.ts); there this section must stay at its defaults.
 * `npm run simulate` builds the simulated cluster from it, and the config rules check the bundle's
 * needs (TEE node labels, StorageClasses, CRDs) against it.
 */
import { Type } from '@sinclair/typebox';
import { Count, EXPECTED_KEYWORD, K8sName, Obj, StringEnum } from '../schema-helpers';

const LABEL_KEY = '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$';
const LABEL_VALUE = '^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$';

const Labels = (description: string) =>
  Type.Record(Type.String({ pattern: LABEL_KEY, [EXPECTED_KEYWORD]: 'a Kubernetes label key such as intel.feature.node.kubernetes.io/tdx' }), Type.String({ pattern: LABEL_VALUE, [EXPECTED_KEYWORD]: 'a Kubernetes label value' }), {
    default: {},
    description,
  });

const Quantity = (description: string, def: string) =>
  Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?(m|Ki|Mi|Gi|Ti)?$', [EXPECTED_KEYWORD]: 'a Kubernetes quantity such as 4, 3500m or 16Gi', description, default: def });

const Taint = Obj(
  {
    key: Type.String({ pattern: LABEL_KEY, [EXPECTED_KEYWORD]: 'a taint key' }),
    value: Type.String({ pattern: LABEL_VALUE, default: '', [EXPECTED_KEYWORD]: 'a taint value' }),
    effect: StringEnum(['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const, { description: 'Taint effect.' }),
  },
  { description: 'A taint the nodes register with.' },
);

const NodeGroup = Obj(
  {
    name: K8sName('Node name prefix: nodes are <name>-1 .. <name>-<count>.'),
    count: Count('Nodes in this group.', 1, 100),
    role: StringEnum(['control-plane', 'worker'] as const, { default: 'worker', description: 'control-plane nodes carry the kubeadm control-plane label and NoSchedule taint.' }),
    allocatableCpu: Quantity('Allocatable CPU of each node (what the kubelet reports).', '4'),
    allocatableMemory: Quantity('Allocatable memory of each node.', '16Gi'),
    maxPods: Type.Integer({ minimum: 1, maximum: 1000, default: 110, description: 'Allocatable pods (kubelet maxPods).' }),
    labels: Labels('Labels the nodes carry besides the kubelet defaults (hostname, os, arch), e.g. the TEE labels node-feature-discovery or the operator sets.'),
    taints: Type.Array(Taint, { default: [], description: 'Taints the nodes register with.' }),
  },
  { description: 'A group of identical nodes.' },
);

const StorageClass = Obj(
  {
    name: K8sName('StorageClass name.'),
    provisioner: Type.String({ pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(/[a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$', [EXPECTED_KEYWORD]: 'a provisioner name such as rancher.io/local-path', description: 'Provisioner of the class.' }),
    default: Type.Boolean({ default: false, description: 'The cluster default class (claims without storageClassName get it). At most one.' }),
    volumeBindingMode: StringEnum(['Immediate', 'WaitForFirstConsumer'] as const, { default: 'WaitForFirstConsumer', description: 'When claims are bound.' }),
  },
  { description: 'A StorageClass the cluster has, with a provisioner that serves it.' },
);

export const Cluster = Obj(
  {
    nodes: Type.Array(NodeGroup, {
      default: [{ name: 'worker', count: 1, role: 'worker', allocatableCpu: '4', allocatableMemory: '16Gi', maxPods: 110, labels: {}, taints: [] }],
      minItems: 1,
      description: 'Nodes of a bring-your-own cluster (provider none). Default: one worker with 4 CPUs and 16Gi. Azure providers: derived from infrastructure; leave unset.',
    }),
    storageClasses: Type.Array(StorageClass, {
      default: [{ name: 'standard', provisioner: 'rancher.io/local-path', default: true, volumeBindingMode: 'WaitForFirstConsumer' }],
      description: 'StorageClasses a bring-your-own cluster has (provider none). Default: kind\'s "standard" (local-path, the default class). Azure providers: derived from infrastructure; leave unset.',
    }),
    crds: Type.Array(Type.String({ pattern: '^[a-z0-9]+\\.[a-z0-9.-]+$', [EXPECTED_KEYWORD]: 'a CRD name <plural>.<group> such as servicemonitors.monitoring.coreos.com' }), {
      default: [],
      uniqueItems: true,
      description: 'CRDs the cluster has besides Argo CD\'s, e.g. servicemonitors.monitoring.coreos.com (Prometheus Operator). The simulation installs only those it knows the source of.',
    }),
  },
  { default: {}, description: 'What a bring-your-own cluster (infrastructure.provider none) provides: nodes, StorageClasses, CRDs.' },
);
