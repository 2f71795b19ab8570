import { Construct } from 'constructs';
import { KubeServiceAccount } from 'cdk8s-plus-30/lib/imports/k8s';

export interface KbsServiceAccountProps {
  readonly name: string;
  readonly namespace: string;
  /** Labels from standardLabels(). */
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * A ServiceAccount without a token: neither KBS nor its provisioning Job talks to the Kubernetes
 * API, so a mounted token would only be something to steal.
 */
export class KbsServiceAccount extends Construct {
  constructor(scope: Construct, id: string, props: KbsServiceAccountProps) {
    super(scope, id);
    new KubeServiceAccount(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
      automountServiceAccountToken: false,
    });
  }
}
