import { Construct } from 'constructs';
import { KubeConfigMap } from 'cdk8s-plus-30/lib/imports/k8s';

export interface FilesConfigMapProps {
  /** ConfigMap name. */
  readonly name: string;
  readonly namespace: string;
  /** Labels from standardLabels(). */
  readonly labels: Readonly<Record<string, string>>;
  /** File name (ConfigMap key) to file content; rendered in key order. */
  readonly files: Readonly<Record<string, string>>;
}

/**
 * A ConfigMap of text files a pod mounts (KBS config and Rego, the provisioning script, the node
 * installer's configs and script), keys sorted: reviewers see every byte in the rendered YAML.
 */
export class FilesConfigMap extends Construct {
  constructor(scope: Construct, id: string, props: FilesConfigMapProps) {
    super(scope, id);
    new KubeConfigMap(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
      data: Object.fromEntries(Object.keys(props.files).sort().map((k) => [k, props.files[k]])),
    });
  }
}
