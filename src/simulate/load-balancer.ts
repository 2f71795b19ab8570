/**
 * Services of type LoadBalancer, as the environment's cloud provider serves them. On AKS
 * (aks-cvm, aks-peer-pods) the Azure cloud provider (cloud-provider-azure's service controller in
 * AKS's managed control plane) gives each one an address: the IP of its
 * `service.beta.kubernetes.io/azure-load-balancer-ipv4` annotation, which for an internal load
 * balancer (`azure-load-balancer-internal: "true"`) must lie in its subnet
 * (`azure-load-balancer-internal-subnet`, default the node subnet), else Azure refuses it and the
 * controller reports SyncLoadBalancerFailed. Without the annotation it takes a free address (a
 * stand-in one here). A kubeadm cluster (azure-tdx) and a bring-your-own cluster run no such
 * controller: the Service stays `<pending>`, Argo CD keeps it Progressing, and the simulation
 * says why in an event on the Service.
 * @see https://cloud-provider-azure.sigs.k8s.io/topics/loadbalancer/#loadbalancer-annotations
 */
import type { EnvironmentConfig } from '../config/schema';
import { AZURE_INTERNAL_LB_ANNOTATIONS } from '../k8s/kbs/kbs-vnet-service';
import { addressAt, isAzureUsableAddress, mustParseCidr } from '../shared/network';
import { peerPodsModel } from '../shared/peer-pods';
import type { KubeClient, KubeObject } from './kube-client';
import { PollingController } from './polling-controller';

const { ipv4: LB_IPV4_ANNOTATION, internal: LB_INTERNAL_ANNOTATION, subnet: LB_INTERNAL_SUBNET_ANNOTATION } = AZURE_INTERNAL_LB_ANNOTATIONS;

/** What serves LoadBalancer Services in an environment's cluster. */
export interface LoadBalancerProvider {
  /** Undefined: nothing assigns addresses; the string says why (for the event). */
  readonly azure?: {
    /** Subnets of the cluster's VNet an internal load balancer may use, by Azure name. */
    readonly subnets: Readonly<Record<string, string>>;
    /** Subnet of internal load balancers without the subnet annotation (AKS: the node subnet). */
    readonly defaultSubnet: string;
  };
  readonly none?: string;
}

export function loadBalancerProvider(config: EnvironmentConfig, environment: string): LoadBalancerProvider {
  const infra = config.infrastructure;
  if (infra.provider === 'aks-peer-pods') {
    const model = peerPodsModel(config, environment);
    if (model) {
      const { names } = model;
      return { azure: { subnets: { [names.nodeSubnet]: model.nodeSubnetCidr, [names.kbsSubnet]: model.kbsSubnetCidr, [names.podVmSubnet]: model.podVmSubnetCidr }, defaultSubnet: names.nodeSubnet } };
    }
  }
  if (infra.provider === 'aks-cvm' || infra.provider === 'aks-peer-pods') return { azure: { subnets: { 'aks-nodes': infra.network.subnets.worker }, defaultSubnet: 'aks-nodes' } };
  if (infra.provider === 'azure-tdx') return { none: 'the kubeadm cluster (azure-tdx) runs no cloud controller manager' };
  return { none: `a bring-your-own cluster (provider ${infra.provider}) declares no load-balancer controller` };
}

/** The address AKS would give `svc`, or the reason it would refuse to. */
export function assignAddress(svc: KubeObject, azure: NonNullable<LoadBalancerProvider['azure']>, index: number): { ip: string } | { error: string } {
  const annotations = svc.metadata.annotations ?? {};
  const internal = annotations[LB_INTERNAL_ANNOTATION] === 'true';
  const wanted = annotations[LB_IPV4_ANNOTATION] ?? (typeof svc.spec?.loadBalancerIP === 'string' && svc.spec.loadBalancerIP !== '' ? svc.spec.loadBalancerIP : undefined);
  if (!internal) return { ip: wanted ?? `198.51.100.${10 + index}` }; // public: a documentation address stands in for the public IP Azure allocates
  const subnetName = annotations[LB_INTERNAL_SUBNET_ANNOTATION] ?? azure.defaultSubnet;
  const cidr = azure.subnets[subnetName];
  if (cidr === undefined) return { error: `subnet ${subnetName} (${LB_INTERNAL_SUBNET_ANNOTATION}) is not a subnet of the cluster's VNet (${Object.keys(azure.subnets).join(', ')})` };
  // Azure's first free address stands in for the one it would allocate.
  if (wanted === undefined) return { ip: addressAt(mustParseCidr(cidr), 4 + index) };
  if (!isAzureUsableAddress(wanted, mustParseCidr(cidr))) return { error: `PrivateIPAddressNotInSubnet: private static IP address ${wanted} (${LB_IPV4_ANNOTATION}) does not belong to the usable range of subnet ${subnetName} (${cidr})` };
  return { ip: wanted };
}

/** Plays AKS's service controller (or says that nothing does) for every Service of type LoadBalancer. */
export class SimulatedLoadBalancers extends PollingController {
  private readonly handled = new Set<string>();
  private events = 0;

  constructor(
    private readonly client: KubeClient,
    private readonly provider: LoadBalancerProvider,
  ) {
    super();
  }

  protected async pass(): Promise<void> {
    const services = (await this.client.list('v1', 'Service')).filter((s) => s.spec?.type === 'LoadBalancer');
    for (const svc of services) await this.serve(svc, services.indexOf(svc));
  }

  private async serve(svc: KubeObject, index: number): Promise<void> {
    const key = `${svc.metadata.uid ?? ''}/${svc.metadata.resourceVersion as string}`;
    const ingress = (svc.status?.loadBalancer as { ingress?: unknown[] } | undefined)?.ingress ?? [];
    if (this.handled.has(key) || ingress.length > 0) return;
    this.handled.add(key);
    const azure = this.provider.azure;
    if (!azure) {
      await this.event(svc, 'Warning', 'LoadBalancerPending', `nothing in this cluster assigns load-balancer addresses: ${this.provider.none ?? 'no cloud provider'}; the Service stays <pending> and Argo CD reports it Progressing`);
      return;
    }
    const result = assignAddress(svc, azure, index);
    if ('error' in result) {
      await this.event(svc, 'Warning', 'SyncLoadBalancerFailed', `Error syncing load balancer: failed to ensure load balancer: ${result.error}`);
      return;
    }
    await this.event(svc, 'Normal', 'EnsuringLoadBalancer', 'Ensuring load balancer');
    await this.client.patchStatus(svc, { loadBalancer: { ingress: [{ ip: result.ip, ipMode: 'VIP' }] } });
    await this.event(svc, 'Normal', 'EnsuredLoadBalancer', 'Ensured load balancer');
  }

  private async event(svc: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const now = new Date().toISOString();
    await this.client.create({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${svc.metadata.name}.lb${++this.events}`, namespace: svc.metadata.namespace },
      involvedObject: { apiVersion: 'v1', kind: 'Service', name: svc.metadata.name, namespace: svc.metadata.namespace, uid: svc.metadata.uid },
      reason,
      message,
      type,
      source: { component: 'service-controller' },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    });
  }
}
