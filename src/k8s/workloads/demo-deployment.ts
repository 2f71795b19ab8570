import { Construct } from 'constructs';
import { IntOrString, KubeDeployment, KubeService, type EnvVar } from 'cdk8s-plus-30/lib/imports/k8s';
import { restrictedContainer, restrictedPod, smallResources } from '../common/security-contexts';

export interface DemoDeploymentProps {
  readonly name: string;
  readonly namespace: string;
  /** Labels of the Deployment and its pods; `app.kubernetes.io/name` doubles as the selector. */
  readonly labels: Record<string, string>;
  readonly image: string;
  /**
   * Always for encrypted images decrypted on the node: every pod start then goes through the node's
   * key provider (attestation to the KBS) instead of reusing a decrypted copy from the image store.
   */
  readonly imagePullPolicy: 'IfNotPresent' | 'Always';
  /** UID/GID the container runs as (non-root). */
  readonly runAsUser: number;
  /** Where the pod may run: the confidential worker nodes. */
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly command?: readonly string[];
  readonly env?: readonly EnvVar[];
  /** Container port, also exposed by a ClusterIP Service of the same name when set. */
  readonly port?: { readonly name: string; readonly containerPort: number; readonly servicePort: number };
  /** A writable emptyDir at /tmp for programs that need scratch space under a read-only root. @default false */
  readonly tmpVolume?: boolean;
}

/**
 * A single-replica demo Deployment (self-healing, unlike the seed's bare Pods) with a restricted
 * security context, and optionally its ClusterIP Service.
 */
export class DemoDeployment extends Construct {
  constructor(scope: Construct, id: string, props: DemoDeploymentProps) {
    super(scope, id);
    const selector = { 'app.kubernetes.io/name': props.labels['app.kubernetes.io/name'] ?? props.name };
    new KubeDeployment(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: { ...props.labels, ...selector } },
          spec: {
            nodeSelector: { ...props.nodeSelector },
            automountServiceAccountToken: false,
            securityContext: restrictedPod(props.runAsUser),
            containers: [
              {
                name: props.name,
                image: props.image,
                imagePullPolicy: props.imagePullPolicy,
                ...(props.command ? { command: [...props.command] } : {}),
                ...(props.env ? { env: [...props.env] } : {}),
                ...(props.port ? { ports: [{ name: props.port.name, containerPort: props.port.containerPort, protocol: 'TCP' }] } : {}),
                securityContext: restrictedContainer(),
                resources: smallResources('128Mi'),
                ...(props.tmpVolume ? { volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }] } : {}),
              },
            ],
            ...(props.tmpVolume ? { volumes: [{ name: 'tmp', emptyDir: {} }] } : {}),
          },
        },
      },
    });
    if (props.port) {
      new KubeService(this, 'Service', {
        metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
        spec: {
          type: 'ClusterIP',
          selector,
          ports: [{ name: props.port.name, port: props.port.servicePort, targetPort: IntOrString.fromString(props.port.name), protocol: 'TCP' }],
        },
      });
    }
  }
}
