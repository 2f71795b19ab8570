import { Construct } from 'constructs';
import { KubeNamespace } from 'cdk8s-plus-30/lib/imports/k8s';
import { standardLabels } from '../../shared/labels';

export interface ComponentNamespaceProps {
  /** Namespace name (a DNS-1123 label, validated by the config schema). */
  readonly name: string;
  /** Environment name, for `app.kubernetes.io/instance`. */
  readonly environment: string;
  /** Bundle component that owns the namespace. */
  readonly component: string;
  /**
   * Pod Security Standard enforced (and warned/audited) by the API server.
   * @see https://kubernetes.io/docs/concepts/security/pod-security-admission/
   */
  readonly podSecurity: 'restricted' | 'baseline' | 'privileged';
  /** Kubernetes minor version the Pod Security level is pinned to, e.g. `1.31`. */
  readonly kubernetesVersion: string;
}

/**
 * The namespace of one component. Each component renders (and so its Argo CD Application
 * owns) its namespace, which is why Applications use `CreateNamespace=false`.
 */
export class ComponentNamespace extends Construct {
  constructor(scope: Construct, id: string, props: ComponentNamespaceProps) {
    super(scope, id);
    const version = `v${props.kubernetesVersion}`;
    new KubeNamespace(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: {
          ...standardLabels({ name: props.name, instance: props.environment, component: props.component }),
          'pod-security.kubernetes.io/enforce': props.podSecurity,
          'pod-security.kubernetes.io/enforce-version': version,
          'pod-security.kubernetes.io/warn': props.podSecurity,
          'pod-security.kubernetes.io/warn-version': version,
          'pod-security.kubernetes.io/audit': props.podSecurity,
          'pod-security.kubernetes.io/audit-version': version,
        },
        // Created before everything else the component's Application syncs.
        annotations: { 'argocd.argoproj.io/sync-wave': '-1' },
      },
    });
  }
}
