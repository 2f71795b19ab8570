import { Construct } from 'constructs';
import { ApiObject } from 'cdk8s';
import { ComponentNamespace } from '../common/component-namespace';

export interface DemoNamespaceProps {
  readonly name: string;
  readonly environment: string;
  /** Pod Security Standard: restricted unless the demonstration needs host access. */
  readonly podSecurity: 'restricted' | 'privileged';
  /** Kubernetes minor version the Pod Security level is pinned to. */
  readonly kubernetesVersion: string;
  /** Extra labels (e.g. the insecurity-demo marker), added to the standard ones. */
  readonly labels?: Record<string, string>;
  /** What the namespace demonstrates, for `kubectl describe namespace`. */
  readonly description: string;
}

/** The namespace of one demo: the component namespace construct plus the demo's own labels. */
export class DemoNamespace extends Construct {
  constructor(scope: Construct, id: string, props: DemoNamespaceProps) {
    super(scope, id);
    const ns = new ComponentNamespace(this, 'Namespace', {
      name: props.name,
      environment: props.environment,
      component: 'workloads',
      podSecurity: props.podSecurity,
      kubernetesVersion: props.kubernetesVersion,
    });
    const object = ApiObject.of(ns.node.findChild('Resource'));
    for (const [key, value] of Object.entries(props.labels ?? {})) object.metadata.addLabel(key, value);
    object.metadata.addAnnotation('coco.azure/demo', props.description);
  }
}
