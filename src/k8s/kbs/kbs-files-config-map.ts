import { Construct } from 'constructs';
import { KubeConfigMap } from 'cdk8s-plus-30/lib/imports/k8s';

export interface KbsFilesConfigMapProps {
  /** ConfigMap name. */
  readonly name: string;
  readonly namespace: string;
  /** Labels from standardLabels(). */
  readonly labels: Readonly<Record<string, string>>;
  /** File name (ConfigMap key) to file content; rendered in key order. */
  readonly files: Readonly<Record<string, string>>;
}

/** A ConfigMap of text files mounted by the KBS or its provisioning Job (config TOML, Rego, script). */
export class KbsFilesConfigMap extends Construct {
  constructor(scope: Construct, id: string, props: KbsFilesConfigMapProps) {
    super(scope, id);
    new KubeConfigMap(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
      data: Object.fromEntries(Object.keys(props.files).sort().map((k) => [k, props.files[k]])),
    });
  }
}
