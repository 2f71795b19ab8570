import { Construct } from 'constructs';
import { KubeConfigMap } from 'cdk8s-plus-30/lib/imports/k8s';

export interface GuestComponentsConfigMapProps {
  /** ConfigMap name. */
  readonly name: string;
  readonly namespace: string;
  /** Labels from standardLabels(). */
  readonly labels: Readonly<Record<string, string>>;
  /** File name (ConfigMap key) to content; rendered in key order. */
  readonly files: Readonly<Record<string, string>>;
}

/**
 * Text files the installer pod mounts: the node files (AA/CDH configs, ocicrypt config,
 * containerd drop-in, systemd units) or the installer script. Reviewers see every byte that
 * lands on a node in the rendered YAML.
 */
export class GuestComponentsConfigMap extends Construct {
  constructor(scope: Construct, id: string, props: GuestComponentsConfigMapProps) {
    super(scope, id);
    new KubeConfigMap(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
      data: Object.fromEntries(Object.keys(props.files).sort().map((k) => [k, props.files[k]])),
    });
  }
}
