import { Construct } from 'constructs';
import { IntOrString, KubeService } from 'cdk8s-plus-30/lib/imports/k8s';

/** Annotations of the Azure cloud provider for an internal load balancer at a fixed address. */
export const AZURE_INTERNAL_LB_ANNOTATIONS = {
  internal: 'service.beta.kubernetes.io/azure-load-balancer-internal',
  subnet: 'service.beta.kubernetes.io/azure-load-balancer-internal-subnet',
  ipv4: 'service.beta.kubernetes.io/azure-load-balancer-ipv4',
} as const;

export interface KbsVnetServiceProps {
  /** @default kbs-vnet (KBS_VNET_SERVICE_NAME) */
  readonly name: string;
  readonly namespace: string;
  /** Labels from standardLabels(). */
  readonly labels: Readonly<Record<string, string>>;
  /** Labels of the KBS pods. */
  readonly selector: Readonly<Record<string, string>>;
  /** Subnet (by name, in the cluster's VNet) the load balancer's frontend IP is taken from. */
  readonly subnetName: string;
  /** Frontend IP inside that subnet: the address in every pod VM's initdata (and the KBS certificate's IP SAN). */
  readonly address: string;
  /** The only source ranges the load balancer admits (the pod-VM subnet). */
  readonly sourceRanges: readonly string[];
  readonly port: number;
  /** Port name, `https` or `http`: also the name of the container port it targets. */
  readonly portName: 'https' | 'http';
}

/**
 * The KBS as pod VMs reach it: pod VMs are Azure VMs in the VNet, outside the cluster network
 * (no cluster DNS, no ClusterIPs), so an Azure internal load balancer gives the KBS a fixed
 * private address in the KBS subnet. `externalTrafficPolicy: Local` keeps the client's source IP
 * (no SNAT to a node), so the KBS NetworkPolicy can admit exactly the pod-VM subnet, and
 * `loadBalancerSourceRanges` makes the cloud provider admit only that subnet at the load balancer
 * (NSG rules) as well.
 * @see https://learn.microsoft.com/azure/aks/internal-lb
 * @see https://cloud-provider-azure.sigs.k8s.io/topics/loadbalancer/#loadbalancer-annotations
 */
export class KbsVnetService extends Construct {
  constructor(scope: Construct, id: string, props: KbsVnetServiceProps) {
    super(scope, id);
    new KubeService(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: { ...props.labels },
        annotations: {
          [AZURE_INTERNAL_LB_ANNOTATIONS.internal]: 'true',
          [AZURE_INTERNAL_LB_ANNOTATIONS.subnet]: props.subnetName,
          [AZURE_INTERNAL_LB_ANNOTATIONS.ipv4]: props.address,
        },
      },
      spec: {
        type: 'LoadBalancer',
        externalTrafficPolicy: 'Local',
        loadBalancerSourceRanges: [...props.sourceRanges],
        selector: { ...props.selector },
        ports: [{ name: props.portName, port: props.port, targetPort: IntOrString.fromString(props.portName), protocol: 'TCP' }],
      },
    });
  }
}
