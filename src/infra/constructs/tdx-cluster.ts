import { Construct } from 'constructs';
import { Fn, TerraformOutput } from 'cdktf';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import type { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import type { InfrastructureConfig } from '../../config/schema';
import { azureHostAddress } from '../../shared/network';
import { tdxClusterNodes } from '../../shared/cluster-nodes';
import { API_SERVER_PORT, type NodeRegistration } from '../cloud-init/kubeadm-config';
import { nodeCloudConfig, renderCloudConfig, type NodeRole } from '../cloud-init/node-cloud-config';
import { ConfidentialVm } from './confidential-vm';
import { RbacKeyVault } from './key-vault';
import { SubnetNatGateway } from './nat-gateway';
import { ClusterNetwork } from './cluster-network';
import { TdxNsg } from './tdx-nsg';

type TdxConfig = NonNullable<InfrastructureConfig['tdx']>;

export interface TdxClusterProps {
  readonly resourceGroup: ResourceGroup;
  /** Environment name: resource name prefix and kubeadm cluster name. */
  readonly environment: string;
  readonly network: InfrastructureConfig['network'];
  readonly tdx: TdxConfig;
  /** Entra ID tenant of the subscription, for the join-token Key Vault. */
  readonly tenantId: string;
  /** Profile production: purge protection on the vault. */
  readonly production: boolean;
  readonly tags: Record<string, string>;
  /** Folder of the KBS local PersistentVolume on kbs-server, created at boot. @default none */
  readonly kbsLocalPath?: string;
}

interface NodeSpec {
  readonly name: string;
  readonly role: NodeRole;
  readonly subnet: Subnet;
  readonly privateIp: string;
  readonly size: string;
  readonly publicIp: boolean;
  readonly registration: NodeRegistration;
}

/**
 * The admin SSH public key: inline, or read by Terraform from the operator's machine at plan time
 * (synth stays offline and deterministic; the key file never enters the repository).
 */
function publicKeyExpression(key: TdxConfig['sshPublicKey']): string {
  if (key?.value !== undefined) return key.value;
  // The config rules demand exactly one of path and value.
  if (key?.path === undefined) throw new Error('tdx.sshPublicKey has neither path nor value');
  return Fn.file(Fn.pathexpand(key.path));
}

/**
 * The seed-000 cluster on Intel TDX confidential VMs: network, NSG, NAT gateway, the join-token
 * Key Vault, and the kubeadm nodes (control plane, workers, and `kbs-server`, a tainted node
 * dedicated to KBS), each bootstrapped by cloud-init with its own managed identity.
 */
export class TdxCluster extends Construct {
  readonly nodes: readonly ConfidentialVm[];

  constructor(scope: Construct, id: string, props: TdxClusterProps) {
    super(scope, id);
    const { environment, network, tdx, tags } = props;
    const rg = props.resourceGroup;
    // The join-token Key Vault admits these subnets only, through the service endpoint.
    const subnet = (name: string, cidr: string) => ({ name: `${name}-subnet`, cidr, serviceEndpoints: ['Microsoft.KeyVault'] });
    const net = new ClusterNetwork(this, 'Network', {
      resourceGroup: rg,
      environment,
      vnetCidr: network.vnetCidr,
      subnets: { 'control-plane': subnet('control-plane', network.subnets.controlPlane), worker: subnet('worker', network.subnets.worker), kbs: subnet('kbs', network.subnets.kbs) },
      tags,
    });
    const subnets = { control_plane: net.subnets['control-plane'], worker: net.subnets.worker, kbs: net.subnets.kbs };
    const nsg = new TdxNsg(this, 'Nsg', { resourceGroup: rg, environment, subnets, adminSourceCidrs: network.adminSourceCidrs, tags });
    const nat = new SubnetNatGateway(this, 'Nat', { resourceGroup: rg, environment, subnets, tags });
    const vault = new RbacKeyVault(this, 'JoinVault', {
      resourceGroup: rg,
      name: tdx.keyVaultName,
      logicalId: 'join_key_vault',
      tenantId: props.tenantId,
      purgeProtection: props.production,
      allowedSubnetIds: Object.values(subnets).map((s) => s.id),
      tags,
    });

    const apiServerAddress = azureHostAddress(network.subnets.controlPlane, 0);
    // Names, roles, sizes, labels and taints come from the shared node model, which the simulation
    // builds its nodes from too; here each VM gets its subnet, static address and public IP.
    const placement: Record<NodeRole, { subnet: Subnet; cidr: string; publicIp: boolean }> = {
      'control-plane': { subnet: subnets.control_plane, cidr: network.subnets.controlPlane, publicIp: tdx.controlPlane.publicIp },
      worker: { subnet: subnets.worker, cidr: network.subnets.worker, publicIp: tdx.workers.publicIp },
      kbs: { subnet: subnets.kbs, cidr: network.subnets.kbs, publicIp: false },
    };
    const perRole = new Map<NodeRole, number>();
    const specs: NodeSpec[] = tdxClusterNodes(tdx).map((node) => {
      const role = node.role;
      // tdxClusterNodes makes kubeadm roles only; an AKS system node here is a bug.
      if (role === 'system' || node.vmSize === undefined) throw new Error(`${node.name}: not a kubeadm VM`);
      const index = perRole.get(role) ?? 0;
      perRole.set(role, index + 1);
      const at = placement[role];
      return {
        name: node.name,
        role,
        subnet: at.subnet,
        privateIp: azureHostAddress(at.cidr, index),
        size: node.vmSize,
        publicIp: at.publicIp,
        registration: { labels: node.registrationLabels, taints: node.registrationTaints },
      };
    });
    const sshPublicKey = publicKeyExpression(tdx.sshPublicKey);
    this.nodes = specs.map((spec) => {
      const base = spec.name.replace(/-/g, '_');
      const identity = new UserAssignedIdentity(this, `${spec.name}-identity`, { name: `${spec.name}-identity`, resourceGroupName: rg.name, location: rg.location, tags });
      identity.overrideLogicalId(`${base}_identity`);
      // The control plane writes the join token; every other node only reads it.
      const access = vault.grant(`${base}_join_vault_access`, identity.principalId, spec.role === 'control-plane' ? 'Key Vault Secrets Officer' : 'Key Vault Secrets User', 'ServicePrincipal');
      const userData = renderCloudConfig(
        nodeCloudConfig({
          role: spec.role,
          clusterName: environment,
          versions: tdx.versions,
          apiServerAddress,
          podCidr: network.podCidr,
          serviceCidr: network.serviceCidr,
          keyVaultName: tdx.keyVaultName,
          joinTokenTtl: tdx.joinTokenTtl,
          expectedNodes: specs.length,
          registration: spec.registration,
          localVolumeDirs: spec.role === 'kbs' && props.kbsLocalPath !== undefined ? [props.kbsLocalPath] : [],
        }),
      );
      return new ConfidentialVm(this, spec.name, {
        resourceGroup: rg,
        name: spec.name,
        subnet: spec.subnet,
        privateIp: spec.privateIp,
        size: spec.size,
        image: tdx.image,
        osDiskSecurityEncryptionType: tdx.osDiskSecurityEncryptionType,
        adminUsername: tdx.adminUsername,
        sshPublicKey,
        identity,
        userData,
        publicIp: spec.publicIp,
        // The nodes read (or write) Key Vault on first boot: let the grant exist before they start.
        dependsOn: [access, ...nat.associations],
        tags,
      });
    });

    const controlPlane = this.nodes[0];
    const output = (name: string, value: string | string[], description: string) => new TerraformOutput(this, name, { value, description }).overrideLogicalId(name);
    output('vnet_name', net.vnet.name, 'Virtual network of the cluster.');
    output('control_plane_private_ip', apiServerAddress, 'Private IP of k8s-control-1 (the kubeadm control-plane endpoint).');
    output('api_server_endpoint', `https://${apiServerAddress}:${API_SERVER_PORT}`, 'API server URL inside the VNet.');
    if (tdx.kbsNode.enabled) output('kbs_private_ip', azureHostAddress(network.subnets.kbs, 0), 'Private IP of the KBS confidential VM (kbs-server).');
    output('vm_names', this.nodes.map((n) => n.vm.name), 'Cluster VMs (also the Kubernetes node names).');
    output('nsg_name', nsg.nsg.name, 'Network security group of every subnet.');
    output('key_vault_name', vault.vault.name, 'Key Vault that carries the short-lived kubeadm join token.');
    output('nat_gateway_public_ip', nat.publicIp.ipAddress, 'Egress IP of every node.');
    const host = controlPlane?.publicIp ? controlPlane.publicIp.ipAddress : apiServerAddress;
    if (controlPlane?.publicIp) output('control_plane_public_ip', controlPlane.publicIp.ipAddress, 'Public IP of k8s-control-1 (SSH and API server, from network.adminSourceCidrs only).');
    const file = `kubeconfig-${environment}`;
    output(
      'kubeconfig_instructions',
      [
        `ssh ${tdx.adminUsername}@${host} sudo cat /etc/kubernetes/admin.conf > ${file}`,
        `kubectl --kubeconfig ${file} config set-cluster ${environment} --server=https://${host}:${API_SERVER_PORT} --tls-server-name=kubernetes`,
        `KUBECONFIG=${file} kubectl get nodes`,
      ].join('\n'),
      'Copy the admin kubeconfig from the control plane (needs your IP in network.adminSourceCidrs, or a machine in the VNet when the control plane has no public IP). Bootstrap takes about 10 minutes after apply: sudo cloud-init status --wait on the VM.',
    );
  }
}
