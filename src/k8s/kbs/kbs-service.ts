import { Construct } from 'constructs';
import { IntOrString, KubeService } from 'cdk8s-plus-30/lib/imports/k8s';

export interface KbsServiceProps {
  readonly name: string;
  readonly namespace: string;
  /** Labels from standardLabels(). */
  readonly labels: Readonly<Record<string, string>>;
  /** Labels of the KBS pods. */
  readonly selector: Readonly<Record<string, string>>;
  /** Fixed ClusterIP inside the service CIDR: node-level clients have no cluster DNS. */
  readonly clusterIP: string;
  readonly port: number;
  /** Port name, `https` or `http`: also the name of the container port it targets. */
  readonly portName: 'https' | 'http';
}

/** The KBS Service, at a fixed address for node-level clients and a DNS name for pods. */
export class KbsService extends Construct {
  constructor(scope: Construct, id: string, props: KbsServiceProps) {
    super(scope, id);
    new KubeService(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
      spec: {
        type: 'ClusterIP',
        clusterIp: props.clusterIP,
        selector: { ...props.selector },
        ports: [{ name: props.portName, port: props.port, targetPort: IntOrString.fromString(props.portName), protocol: 'TCP' }],
      },
    });
  }
}
