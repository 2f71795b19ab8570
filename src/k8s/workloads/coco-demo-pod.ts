import { Construct } from 'constructs';
import { KubePod } from 'cdk8s-plus-30/lib/imports/k8s';
import type { KataPodSettings } from '../../confidentialize/target';
import { restrictedContainer, restrictedPod, smallResources } from '../common/security-contexts';

export interface CocoDemoPodProps {
  /** Pod name (the seed's coco-demo-0N). */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Runtime class, annotations (initdata or legacy policy) and node selection from the confidentialize library. */
  readonly kata: KataPodSettings;
  readonly image: string;
  readonly command: readonly string[];
  /**
   * Pull policy. Encrypted images use Always, as in the seed: with guest pull the image is fetched
   * and decrypted inside the TEE for every pod anyway. @default IfNotPresent
   */
  readonly imagePullPolicy?: 'IfNotPresent' | 'Always';
}

/**
 * One seed 001 demo pod on a Kata CoCo runtime class: a bare Pod with `restartPolicy: Never` like the
 * seed, but with a restricted security context, a pinned image and no service account token (the
 * demo never talks to the API server, and a token is host-provided data inside the TEE).
 */
export class CocoDemoPod extends Construct {
  constructor(scope: Construct, id: string, props: CocoDemoPodProps) {
    super(scope, id);
    new KubePod(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: props.labels,
        ...(Object.keys(props.kata.annotations).length > 0 ? { annotations: { ...props.kata.annotations } } : {}),
      },
      spec: {
        runtimeClassName: props.kata.runtimeClassName,
        ...(Object.keys(props.kata.nodeSelector).length > 0 ? { nodeSelector: { ...props.kata.nodeSelector } } : {}),
        automountServiceAccountToken: false,
        restartPolicy: 'Never',
        securityContext: restrictedPod(),
        containers: [
          {
            name: 'demo',
            image: props.image,
            imagePullPolicy: props.imagePullPolicy ?? 'IfNotPresent',
            command: [...props.command],
            securityContext: restrictedContainer(),
            resources: smallResources(),
          },
        ],
      },
    });
  }
}
