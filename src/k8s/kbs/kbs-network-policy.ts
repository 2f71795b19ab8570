import { Construct } from 'constructs';
import { IntOrString, KubeNetworkPolicy, type NetworkPolicyPeer } from 'cdk8s-plus-30/lib/imports/k8s';

export interface KbsNetworkPolicyProps {
  readonly name: string;
  readonly namespace: string;
  /** Labels from standardLabels(). */
  readonly labels: Readonly<Record<string, string>>;
  /** Labels of the KBS pods. */
  readonly selector: Readonly<Record<string, string>>;
  readonly port: number;
  /** Labels of the provisioning Job's pods (same namespace), which call the admin API. */
  readonly provisioner: Readonly<Record<string, string>>;
  /** Namespaces whose pods (e.g. Kata guests) may call KBS. @default none */
  readonly namespaces?: readonly string[];
  /**
   * Source ranges that may call KBS: node-level clients come from their node's address. With
   * Cilium, ipBlock matches nodes only with `policy-cidr-match-mode: nodes` (docs/kbs.md).
   * @default none
   */
  readonly cidrs?: readonly string[];
}

/**
 * Ingress to KBS only on its port and only from the provisioning Job, the listed namespaces and
 * the listed ranges. Egress stays open: the attestation service fetches Intel/AMD collateral.
 */
export class KbsNetworkPolicy extends Construct {
  constructor(scope: Construct, id: string, props: KbsNetworkPolicyProps) {
    super(scope, id);
    const namespaces = props.namespaces ?? [];
    const from: NetworkPolicyPeer[] = [
      { podSelector: { matchLabels: { ...props.provisioner } } },
      ...(namespaces.length > 0 ? [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...namespaces] }] } }] : []),
      ...(props.cidrs ?? []).map((cidr) => ({ ipBlock: { cidr } })),
    ];
    new KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
      spec: {
        podSelector: { matchLabels: { ...props.selector } },
        policyTypes: ['Ingress'],
        ingress: [{ from, ports: [{ port: IntOrString.fromNumber(props.port), protocol: 'TCP' }] }],
      },
    });
  }
}
