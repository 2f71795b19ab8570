import { Construct } from 'constructs';
import { KubePod, type EnvVar } from 'cdk8s-plus-30/lib/imports/k8s';
import { restrictedContainer, restrictedPod, smallResources } from '../common/security-contexts';

export interface DemoPodContainer {
  readonly name: string;
  readonly image: string;
  readonly imagePullPolicy: 'IfNotPresent' | 'Always';
  readonly command?: readonly string[];
  readonly env?: readonly EnvVar[];
}

export interface DemoPodProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly runAsUser: number;
  readonly containers: readonly DemoPodContainer[];
  /** Containers see each other's processes (seed 000 section 9.5). @default false */
  readonly shareProcessNamespace?: boolean;
}

/**
 * A bare demo Pod like the seed's, under the restricted Pod Security profile: the section 9 demos
 * that need no host access show what is lost without Kata even for well-behaved pods.
 */
export class DemoPod extends Construct {
  constructor(scope: Construct, id: string, props: DemoPodProps) {
    super(scope, id);
    new KubePod(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      spec: {
        nodeSelector: { ...props.nodeSelector },
        automountServiceAccountToken: false,
        ...(props.shareProcessNamespace ? { shareProcessNamespace: true } : {}),
        securityContext: restrictedPod(props.runAsUser),
        containers: props.containers.map((c) => ({
          name: c.name,
          image: c.image,
          imagePullPolicy: c.imagePullPolicy,
          ...(c.command ? { command: [...c.command] } : {}),
          ...(c.env ? { env: [...c.env] } : {}),
          securityContext: restrictedContainer(),
          resources: smallResources(),
        })),
      },
    });
  }
}
