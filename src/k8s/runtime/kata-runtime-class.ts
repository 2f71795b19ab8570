import { Construct } from 'constructs';
import { KubeRuntimeClass, Quantity } from 'cdk8s-plus-30/lib/imports/k8s';
import type { RuntimeClassName } from '../../config/sections/runtime';
import { standardLabels } from '../../shared/labels';
import { KATA_RUNTIME_CLASSES, KATA_RUNTIME_NODE_LABEL, TEE_NODE_LABELS, type TeeKind } from './kata-runtime-classes';

export interface KataRuntimeClassProps {
  /** Upstream RuntimeClass name; also the containerd handler kata-deploy registers. */
  readonly name: RuntimeClassName;
  /** Environment name, for `app.kubernetes.io/instance`. */
  readonly environment: string;
}

/**
 * TEE classes schedule only onto hosts with that TEE: kata-deploy adds the same node-feature label
 * when it finds node-feature-discovery through Helm `lookup`, which renders nothing under Argo CD,
 * so the bundle sets it itself (the label comes from NFD or from the operator, docs/runtime.md).
 */
function teeSelector(tee: TeeKind): Record<string, string> {
  if (tee !== 'tdx' && tee !== 'snp') return {};
  const label = TEE_NODE_LABELS[tee];
  return { [label.key]: label.value };
}

/**
 * One Kata RuntimeClass exactly as kata-deploy would create it at the pinned Kata version
 * (name = handler, fixed pod overhead, scheduled onto nodes labelled by kata-deploy), but owned by
 * this bundle: the CoCo chart is told not to create RuntimeClasses. Cluster-scoped: no namespace.
 * @see https://kubernetes.io/docs/concepts/containers/runtime-class/
 */
export class KataRuntimeClass extends Construct {
  constructor(scope: Construct, id: string, props: KataRuntimeClassProps) {
    super(scope, id);
    const info = KATA_RUNTIME_CLASSES[props.name];
    new KubeRuntimeClass(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: standardLabels({ name: props.name, instance: props.environment, component: 'runtime' }),
        // Before the CoCo Application and before any workload that names it.
        annotations: { 'argocd.argoproj.io/sync-wave': '0' },
      },
      handler: props.name,
      overhead: { podFixed: { memory: Quantity.fromString(info.overhead.memory), cpu: Quantity.fromString(info.overhead.cpu) } },
      scheduling: { nodeSelector: { [KATA_RUNTIME_NODE_LABEL.key]: KATA_RUNTIME_NODE_LABEL.value, ...teeSelector(info.tee) } },
    });
  }
}
