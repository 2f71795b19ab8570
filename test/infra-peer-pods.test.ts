// The Terraform of provider aks-peer-pods: network and pod-VM NSG, AKS with its two pools from the
// shared node model, cloud-api-adaptor's identity with least-privilege custom roles and workload
// identity, and the IDs the GitOps half renders (AZURE_SUBNET_ID) naming these very resources.
import { setupJest } from 'cdktf/lib/testing/adapters/jest';
import { Testing, TerraformStack } from 'cdktf';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { NatGateway } from '@cdktf/provider-azurerm/lib/nat-gateway';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironment } from '../src/config/load';
import { EnvironmentStack } from '../src/infra/stacks/environment-stack';
import { CustomRole } from '../src/infra/constructs/custom-role';
import { AksCluster, aksTaint } from '../src/infra/constructs/aks-cluster';
import { ClusterNetwork } from '../src/infra/constructs/cluster-network';
import { privateGalleryImage } from '../src/infra/constructs/caa-identity';
import { aksPools, clusterNodes } from '../src/shared/cluster-nodes';
import { KBS_NODE_LABEL, KBS_NODE_TAINT } from '../src/shared/node-roles';
import { CAA_NODE_LABEL, peerPodsModel } from '../src/shared/peer-pods';
import { scanForSecrets } from '../src/render/secret-scan';
import { environment, set, synthStack, type Data, type SynthesizedStack } from './infra-support';
import { makeTempRepo, readEnvFile } from './support/repo';

setupJest();

const NAME = 'azure-peer-pods';
const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555';
const GALLERY_RG = '/subscriptions/66666666-7777-8888-9999-000000000000/resourceGroups/rg-images';
const GALLERY_IMAGE = `${GALLERY_RG}/providers/Microsoft.Compute/galleries/cocopodvm/images/podvm`;
const COMMUNITY_IMAGE = '/CommunityGalleries/cocopodvm-d0e4f35f-5530-4b9c-8596-112487cdea85/Images/podvm_image0/Versions/0.22.0';

/** A production aks-peer-pods environment, built here so other sections' work cannot break it. */
function peerPodsData(): Data {
  return {
    profile: 'production',
    infrastructure: {
      provider: 'aks-peer-pods',
      location: 'westeurope',
      resourceGroup: 'rg-coco-peer-pods',
      tags: { project: 'confidential-containers' },
      network: { adminSourceCidrs: ['203.0.113.0/24'] },
      peerPods: { subscriptionId: SUBSCRIPTION, podVm: { imageId: `${GALLERY_IMAGE}/versions/0.22.0` } },
    },
    kbs: { tlsSecretName: 'kbs-tls', tokenSignerSecretName: 'kbs-token-signer', attestation: { tees: ['az-snp-vtpm'], acceptUnmeasured: { reason: 'reference values are read from a booted pod VM first' } } },
    guestComponents: { enabled: false },
    runtime: { runtimeClasses: ['kata-remote'] },
    workloads: { namespace: 'coco-demo' },
    gitops: { repoURL: 'https://github.com/example-org/coco-azure-gitops.git', targetRevision: 'v0.1.0' },
  };
}

type Resource = Record<string, unknown>;

/** The resources of one type, by logical ID, without cdktf's metadata. */
function resourcesOf(stack: SynthesizedStack, type: string): Record<string, Resource> {
  return Object.fromEntries(
    Object.entries(stack.json.resource[type] ?? {}).map(([id, body]) => {
      const { ['//']: _meta, ...rest } = body;
      return [id, rest];
    }),
  );
}

/** A `${type.id.attr}` reference resolved to the literal attribute of that resource (or the string itself). */
function resolve(stack: SynthesizedStack, value: unknown): unknown {
  const m = /^\$\{([a-z_]+)\.([a-z0-9_]+)\.([a-z_]+)\}$/.exec(String(value));
  return m ? stack.json.resource[m[1]]?.[m[2]]?.[m[3]] : value;
}

function roleActions(stack: SynthesizedStack): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(resourcesOf(stack, 'azurerm_role_definition')).map(([id, r]) => {
      const [permissions] = r.permissions as { actions: string[]; not_actions: string[]; data_actions: string[] }[];
      expect(r.permissions).toHaveLength(1);
      expect(permissions.not_actions).toEqual([]);
      expect(permissions.data_actions).toEqual([]);
      return [id, permissions.actions];
    }),
  );
}

describe('aks-peer-pods stack', () => {
  const env = environment(peerPodsData(), NAME);
  const stack = synthStack(peerPodsData(), NAME);
  const model = peerPodsModel(env.config, NAME);
  if (!model) throw new Error('no peer-pods model');

  it('deploys into the subscription the environment file names', () => {
    expect(stack.json.terraform).toMatchObject({ required_providers: { azurerm: { source: 'hashicorp/azurerm', version: '4.55.0' } } });
    expect((stack.json as unknown as { provider: { azurerm: Resource[] } }).provider.azurerm).toEqual([{ features: [{}], subscription_id: SUBSCRIPTION }]);
    expect(model.subscriptionId).toBe(SUBSCRIPTION);
  });

  it('creates exactly the resources of the design', () => {
    const inventory = Object.fromEntries(Object.entries(stack.json.resource).map(([type, byId]) => [type, Object.keys(byId).sort()]));
    expect(inventory).toEqual({
      azurerm_resource_group: ['resource_group'],
      azurerm_virtual_network: ['vnet'],
      azurerm_subnet: ['aks_nodes_subnet', 'kbs_subnet', 'pod_vms_subnet'],
      azurerm_network_security_group: ['pod_vms_nsg'],
      azurerm_network_security_rule: [
        'pod_vms_nsg_allow_agent_from_nodes',
        'pod_vms_nsg_allow_https_internet',
        'pod_vms_nsg_allow_kbs',
        'pod_vms_nsg_allow_vxlan_from_nodes',
        'pod_vms_nsg_allow_vxlan_to_nodes',
        'pod_vms_nsg_deny_internet_outbound',
        'pod_vms_nsg_deny_vnet_inbound',
        'pod_vms_nsg_deny_vnet_outbound',
      ],
      azurerm_subnet_network_security_group_association: ['pod_vms_subnet_nsg'],
      azurerm_nat_gateway: ['nat_gateway'],
      azurerm_public_ip: ['nat_gateway_pip'],
      azurerm_nat_gateway_public_ip_association: ['nat_gateway_pip_association'],
      azurerm_subnet_nat_gateway_association: ['pod_vms_subnet_nat'],
      azurerm_kubernetes_cluster: ['aks'],
      azurerm_kubernetes_cluster_node_pool: ['aks_confidential_pool'],
      azurerm_user_assigned_identity: ['caa_identity'],
      azurerm_federated_identity_credential: ['caa_federation_cloud_api_adaptor', 'caa_federation_peerpodctrl_controller_manager'],
      azurerm_role_definition: ['caa_gallery_image_role', 'caa_pod_vm_role', 'caa_vm_sizes_role', 'subnet_join_role'],
      azurerm_role_assignment: [
        'aks_kbs_subnet_join',
        'aks_system_subnet_join',
        'caa_gallery_image_role_assignment',
        'caa_pod_vm_role_assignment',
        'caa_pod_vm_subnet_join',
        'caa_vm_sizes_role_assignment',
        'deployer_aks_cluster_admin',
      ],
    });
  });

  it('has the VNet and the three subnets, none with default outbound access', () => {
    expect(stack.text).toHaveResourceWithProperties(VirtualNetwork, { name: 'azure-peer-pods-vnet', address_space: ['10.0.0.0/16'] });
    const subnets = resourcesOf(stack, 'azurerm_subnet');
    expect(stack.text).toHaveResourceWithProperties(Subnet, { name: 'pod-vms', address_prefixes: ['10.0.4.0/24'] });
    expect(Object.fromEntries(Object.entries(subnets).map(([id, s]) => [id, [s.name, s.address_prefixes, s.virtual_network_name, s.default_outbound_access_enabled]]))).toEqual({
      aks_nodes_subnet: ['aks-nodes', ['10.0.2.0/24'], '${azurerm_virtual_network.vnet.name}', false],
      kbs_subnet: ['kbs', ['10.0.3.0/24'], '${azurerm_virtual_network.vnet.name}', false],
      pod_vms_subnet: ['pod-vms', ['10.0.4.0/24'], '${azurerm_virtual_network.vnet.name}', false],
    });
  });

  it('names the pod-VM subnet exactly as the GitOps values do (AZURE_SUBNET_ID)', () => {
    const subnet = resourcesOf(stack, 'azurerm_subnet').pod_vms_subnet;
    const provider = (stack.json as unknown as { provider: { azurerm: { subscription_id: string }[] } }).provider.azurerm[0];
    const id = [
      `/subscriptions/${provider.subscription_id}`,
      `resourceGroups/${String(resolve(stack, subnet.resource_group_name))}`,
      'providers/Microsoft.Network',
      `virtualNetworks/${String(resolve(stack, subnet.virtual_network_name))}`,
      `subnets/${String(subnet.name)}`,
    ].join('/');
    expect(id).toBe(model.podVmSubnetId);
    expect(id).toBe('/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-coco-peer-pods/providers/Microsoft.Network/virtualNetworks/azure-peer-pods-vnet/subnets/pod-vms');
    expect(stack.json.output.pod_vm_subnet_id.value).toBe('${azurerm_subnet.pod_vms_subnet.id}');
  });

  it('lets only the agent and tunnel in from the nodes, and only the KBS, the tunnel and HTTPS out (Azure\'s default Internet allow overridden)', () => {
    const rules = Object.values(resourcesOf(stack, 'azurerm_network_security_rule'))
      .sort((a, b) => String(a.direction).localeCompare(String(b.direction)) || Number(a.priority) - Number(b.priority))
      .map((r) => [r.direction, r.priority, r.access, r.protocol, r.destination_port_range, r.source_address_prefix, r.destination_address_prefix]);
    expect(rules).toEqual([
      ['Inbound', 100, 'Allow', 'Tcp', '15150', '10.0.2.0/24', '10.0.4.0/24'],
      ['Inbound', 110, 'Allow', 'Udp', '4789', '10.0.2.0/24', '10.0.4.0/24'],
      ['Inbound', 4000, 'Deny', '*', '*', 'VirtualNetwork', '*'],
      ['Outbound', 100, 'Allow', 'Tcp', '8080', '10.0.4.0/24', '10.0.3.250/32'],
      ['Outbound', 110, 'Allow', 'Udp', '4789', '10.0.4.0/24', '10.0.2.0/24'],
      ['Outbound', 120, 'Allow', 'Tcp', '443', '10.0.4.0/24', 'Internet'],
      ['Outbound', 4000, 'Deny', '*', '*', '*', 'VirtualNetwork'],
      ['Outbound', 4010, 'Deny', '*', '*', '*', 'Internet'],
    ]);
    expect(resourcesOf(stack, 'azurerm_subnet_network_security_group_association').pod_vms_subnet_nsg).toEqual({
      subnet_id: '${azurerm_subnet.pod_vms_subnet.id}',
      network_security_group_id: '${azurerm_network_security_group.pod_vms_nsg.id}',
    });
    expect(resourcesOf(stack, 'azurerm_network_security_group').pod_vms_nsg.name).toBe(model.names.podVmNsg);
  });

  it('gives the pod VMs outbound Internet through a NAT gateway', () => {
    expect(stack.text).toHaveResourceWithProperties(NatGateway, { name: 'azure-peer-pods-nat', sku_name: 'Standard' });
    expect(resourcesOf(stack, 'azurerm_subnet_nat_gateway_association').pod_vms_subnet_nat).toEqual({ subnet_id: '${azurerm_subnet.pod_vms_subnet.id}', nat_gateway_id: '${azurerm_nat_gateway.nat_gateway.id}' });
  });

  it('has AKS with overlay + Cilium, Entra ID RBAC, workload identity and authorized IP ranges', () => {
    const aks = resourcesOf(stack, 'azurerm_kubernetes_cluster').aks;
    expect(aks).toMatchObject({
      name: 'azure-peer-pods-aks',
      kubernetes_version: '1.36',
      sku_tier: 'Standard',
      local_account_disabled: true,
      oidc_issuer_enabled: true,
      workload_identity_enabled: true,
      identity: { type: 'SystemAssigned' },
      azure_active_directory_role_based_access_control: { azure_rbac_enabled: true },
      api_server_access_profile: { authorized_ip_ranges: ['203.0.113.0/24'] },
      network_profile: { network_plugin: 'azure', network_plugin_mode: 'overlay', network_data_plane: 'cilium', network_policy: 'cilium', pod_cidr: '10.244.0.0/16' },
      default_node_pool: { name: 'system', vm_size: 'Standard_D4s_v5', node_count: 2, only_critical_addons_enabled: false, vnet_subnet_id: '${azurerm_subnet.aks_nodes_subnet.id}' },
    });
    const pool = resourcesOf(stack, 'azurerm_kubernetes_cluster_node_pool').aks_confidential_pool;
    expect(pool).toMatchObject({ name: 'kbs', mode: 'User', vm_size: 'Standard_DC2as_v5', node_count: 1, vnet_subnet_id: '${azurerm_subnet.kbs_subnet.id}', depends_on: ['azurerm_role_assignment.aks_kbs_subnet_join'] });
  });

  it('labels and taints the pools exactly as the shared node model says', () => {
    const nodes = clusterNodes(env.config);
    const pools = aksPools(env.config.infrastructure);
    expect(pools.map((p) => [p.name, p.mode, p.role, p.count])).toEqual([
      ['system', 'system', 'worker', 2],
      ['kbs', 'user', 'kbs', 1],
    ]);
    const ofPool = (name: string) => nodes.filter((n) => n.platformLabels['kubernetes.azure.com/agentpool'] === name);
    expect(ofPool('system').map((n) => n.name)).toEqual(['aks-system-00000000-vmss000000', 'aks-system-00000000-vmss000001']);
    expect(ofPool('kbs')).toHaveLength(1);
    const system = ofPool('system')[0];
    const kbs = ofPool('kbs')[0];
    expect(system.registrationLabels).toEqual({ [CAA_NODE_LABEL.key]: CAA_NODE_LABEL.value });
    expect(system.taints).toEqual([]);
    expect(system.platformLabels['kubernetes.azure.com/mode']).toBe('system');
    expect(kbs.registrationLabels).toEqual({ [KBS_NODE_LABEL.key]: KBS_NODE_LABEL.value });
    expect(kbs.taints).toEqual([KBS_NODE_TAINT]);

    const defaultPool = resourcesOf(stack, 'azurerm_kubernetes_cluster').aks.default_node_pool as Resource;
    expect(defaultPool.node_labels).toEqual(system.registrationLabels);
    expect(defaultPool.node_labels).toEqual({ 'node.kubernetes.io/worker': '' });
    // No taint on the default pool: only_critical_addons_enabled is its only taint switch.
    expect(defaultPool.only_critical_addons_enabled).toBe(system.taints.length > 0);
    const kbsPool = resourcesOf(stack, 'azurerm_kubernetes_cluster_node_pool').aks_confidential_pool;
    expect(kbsPool.node_labels).toEqual(kbs.registrationLabels);
    expect(kbsPool.node_taints).toEqual(kbs.taints.map(aksTaint));
    expect(kbsPool.node_taints).toEqual(['coco.azure/dedicated=kbs:NoSchedule']);
  });

  it('grants the cluster identity subnet read and join on the node and KBS subnets only', () => {
    const roles = roleActions(stack);
    expect(roles.subnet_join_role).toEqual(['Microsoft.Network/virtualNetworks/subnets/read', 'Microsoft.Network/virtualNetworks/subnets/join/action']);
    const assignments = resourcesOf(stack, 'azurerm_role_assignment');
    const cluster = '${azurerm_kubernetes_cluster.aks.identity[0].principal_id}';
    expect(assignments.aks_system_subnet_join).toEqual({ scope: '${azurerm_subnet.aks_nodes_subnet.id}', role_definition_id: '${azurerm_role_definition.subnet_join_role.role_definition_resource_id}', principal_id: cluster, principal_type: 'ServicePrincipal' });
    expect(assignments.aks_kbs_subnet_join).toEqual({ scope: '${azurerm_subnet.kbs_subnet.id}', role_definition_id: '${azurerm_role_definition.subnet_join_role.role_definition_resource_id}', principal_id: cluster, principal_type: 'ServicePrincipal' });
    expect(Object.values(assignments).filter((a) => a.principal_id === cluster)).toHaveLength(2);
  });

  it('gives cloud-api-adaptor custom roles with exactly the actions it performs, no wildcard', () => {
    const roles = roleActions(stack);
    expect(roles).toEqual({
      caa_pod_vm_role: [
        'Microsoft.Compute/virtualMachines/read',
        'Microsoft.Compute/virtualMachines/write',
        'Microsoft.Compute/virtualMachines/delete',
        'Microsoft.Compute/disks/read',
        'Microsoft.Compute/disks/write',
        'Microsoft.Compute/disks/delete',
        'Microsoft.Network/networkInterfaces/read',
        'Microsoft.Network/networkInterfaces/write',
        'Microsoft.Network/networkInterfaces/delete',
        'Microsoft.Network/networkInterfaces/join/action',
      ],
      caa_vm_sizes_role: ['Microsoft.Compute/locations/vmSizes/read'],
      caa_gallery_image_role: ['Microsoft.Compute/galleries/read', 'Microsoft.Compute/galleries/images/read', 'Microsoft.Compute/galleries/images/versions/read'],
      subnet_join_role: ['Microsoft.Network/virtualNetworks/subnets/read', 'Microsoft.Network/virtualNetworks/subnets/join/action'],
    });
    expect(Object.values(roles).flat().filter((a) => a.includes('*'))).toEqual([]);
    const definitions = resourcesOf(stack, 'azurerm_role_definition');
    // Each definition is assignable exactly where it is assigned (or its parent resource group).
    expect(Object.fromEntries(Object.entries(definitions).map(([id, d]) => [id, [d.scope, d.assignable_scopes]]))).toEqual({
      caa_pod_vm_role: ['${azurerm_resource_group.resource_group.id}', ['${azurerm_resource_group.resource_group.id}']],
      caa_vm_sizes_role: [`/subscriptions/${SUBSCRIPTION}`, [`/subscriptions/${SUBSCRIPTION}`]],
      caa_gallery_image_role: [GALLERY_RG, [GALLERY_RG]],
      subnet_join_role: ['${azurerm_resource_group.resource_group.id}', ['${azurerm_resource_group.resource_group.id}']],
    });
    // Role names are unique per tenant: environment and resource group in each.
    for (const d of Object.values(definitions)) expect(d.name).toMatch(/^azure-peer-pods .*\(rg-coco-peer-pods\)$/);
  });

  it('assigns each cloud-api-adaptor role on its narrowest scope', () => {
    const caa = '${azurerm_user_assigned_identity.caa_identity.principal_id}';
    const assignments = resourcesOf(stack, 'azurerm_role_assignment');
    const ofCaa = Object.fromEntries(Object.entries(assignments).filter(([, a]) => a.principal_id === caa).map(([id, a]) => [id, [a.scope, a.role_definition_id, a.principal_type]]));
    expect(ofCaa).toEqual({
      caa_pod_vm_role_assignment: ['${azurerm_resource_group.resource_group.id}', '${azurerm_role_definition.caa_pod_vm_role.role_definition_resource_id}', 'ServicePrincipal'],
      caa_pod_vm_subnet_join: ['${azurerm_subnet.pod_vms_subnet.id}', '${azurerm_role_definition.subnet_join_role.role_definition_resource_id}', 'ServicePrincipal'],
      caa_vm_sizes_role_assignment: [`/subscriptions/${SUBSCRIPTION}`, '${azurerm_role_definition.caa_vm_sizes_role.role_definition_resource_id}', 'ServicePrincipal'],
      caa_gallery_image_role_assignment: [GALLERY_IMAGE, '${azurerm_role_definition.caa_gallery_image_role.role_definition_resource_id}', 'ServicePrincipal'],
    });
    // No built-in role for cloud-api-adaptor (Contributor and friends grant far more).
    expect(Object.values(assignments).filter((a) => a.role_definition_name !== undefined).map((a) => a.role_definition_name)).toEqual(['Azure Kubernetes Service RBAC Cluster Admin']);
    expect(assignments.deployer_aks_cluster_admin).toEqual({ scope: '${azurerm_kubernetes_cluster.aks.id}', role_definition_name: 'Azure Kubernetes Service RBAC Cluster Admin', principal_id: '${data.azurerm_client_config.current.object_id}' });
  });

  it('federates the identity with both ServiceAccounts, one credential after the other', () => {
    expect(stack.text).toHaveResourceWithProperties(UserAssignedIdentity, { name: 'azure-peer-pods-cloud-api-adaptor' });
    const credentials = resourcesOf(stack, 'azurerm_federated_identity_credential');
    expect(Object.values(credentials).map((c) => c.subject)).toEqual(model.federatedSubjects);
    expect(model.federatedSubjects).toEqual(['system:serviceaccount:confidential-containers-system:cloud-api-adaptor', 'system:serviceaccount:confidential-containers-system:peerpodctrl-controller-manager']);
    for (const c of Object.values(credentials)) {
      expect(c).toMatchObject({ parent_id: '${azurerm_user_assigned_identity.caa_identity.id}', issuer: '${azurerm_kubernetes_cluster.aks.oidc_issuer_url}', audience: ['api://AzureADTokenExchange'] });
    }
    expect(credentials.caa_federation_peerpodctrl_controller_manager.depends_on).toEqual(['azurerm_federated_identity_credential.caa_federation_cloud_api_adaptor']);
  });

  it('outputs what the operator needs next', () => {
    expect(Object.keys(stack.json.output).sort()).toEqual(['aks_cluster_name', 'caa_identity_client_id', 'kbs_address', 'kubeconfig_instructions', 'oidc_issuer_url', 'pod_vm_subnet_id', 'resource_group_name']);
    expect(stack.json.output.caa_identity_client_id.value).toBe('${azurerm_user_assigned_identity.caa_identity.client_id}');
    expect(stack.json.output.caa_identity_client_id.description).toContain('infrastructure.peerPods.identityClientId');
    expect(stack.json.output.caa_identity_client_id.description).toContain('npm run synth');
    expect(stack.json.output.kbs_address.value).toBe('10.0.3.250');
    expect(stack.json.output.kubeconfig_instructions.value).toBe(
      'az aks get-credentials --resource-group ${azurerm_resource_group.resource_group.name} --name ${azurerm_kubernetes_cluster.aks.name}\nkubelogin convert-kubeconfig -l azurecli\nkubectl get nodes',
    );
  });

  it('renders no secret: workload identity only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infra-peer-pods-'));
    writeFileSync(join(dir, 'cdk.tf.json'), stack.text);
    expect(scanForSecrets(dir)).toEqual([]);
    expect(stack.text).not.toMatch(/client_secret|password|PRIVATE KEY|azurerm_application_password|service_principal/i);
  });

  it('opens the API server to the Internet only behind the dev switch', () => {
    const open = synthStack(set(set(set(peerPodsData(), 'profile', 'dev'), 'infrastructure/network/adminSourceCidrs', ['*']), 'devSwitches/allowAdminIngressFromInternet', true), NAME);
    expect(resourcesOf(open, 'azurerm_kubernetes_cluster').aks.api_server_access_profile).toBeUndefined();
  });
});

describe('the pod-VM image role', () => {
  it('splits a private gallery image version ID, and finds nothing to grant for a community image', () => {
    expect(privateGalleryImage(`${GALLERY_IMAGE}/versions/0.22.0`)).toEqual({ resourceGroupId: GALLERY_RG, imageId: GALLERY_IMAGE });
    expect(privateGalleryImage(COMMUNITY_IMAGE)).toBeUndefined();
  });

  /** The shipped environment file, with its pod-VM image replaced, synthesized from a temp repo. */
  function shippedWithImage(imageId: string | undefined): SynthesizedStack {
    const text = readEnvFile(NAME);
    const shipped = /^( +imageId: )(\S+)$/m.exec(text);
    if (!shipped) throw new Error(`${NAME}.yaml has no podVm imageId line`);
    const dir = makeTempRepo(imageId === undefined ? {} : { [`config/environments/${NAME}.yaml`]: text.replace(shipped[0], `${shipped[1]}${imageId}`) });
    const stack = new EnvironmentStack(Testing.app(), loadEnvironment(dir, NAME));
    const synthesized = Testing.synth(stack);
    return { text: synthesized, json: JSON.parse(synthesized) as SynthesizedStack['json'] };
  }

  it('exists for the shipped private gallery image, on that image only', () => {
    const stack = shippedWithImage(undefined);
    const shippedImage = /^ +imageId: (\S+)$/m.exec(readEnvFile(NAME))?.[1] ?? '';
    const gallery = privateGalleryImage(shippedImage);
    expect(gallery).toBeDefined();
    expect(resourcesOf(stack, 'azurerm_role_assignment').caa_gallery_image_role_assignment.scope).toBe(gallery?.imageId);
    expect(resourcesOf(stack, 'azurerm_role_definition').caa_gallery_image_role.assignable_scopes).toEqual([gallery?.resourceGroupId]);
  });

  it('is absent for a community gallery image', () => {
    const stack = shippedWithImage(COMMUNITY_IMAGE);
    expect(Object.keys(stack.json.resource.azurerm_role_definition).sort()).toEqual(['caa_pod_vm_role', 'caa_vm_sizes_role', 'subnet_join_role']);
    expect(Object.keys(stack.json.resource.azurerm_role_assignment)).not.toContain('caa_gallery_image_role_assignment');
    expect(stack.text).not.toMatch(/galleries/);
  });
});

describe('the shared constructs refuse what Azure would', () => {
  it('a custom role with a wildcard action', () => {
    const stack = new TerraformStack(Testing.app(), 'roles');
    expect(() => new CustomRole(stack, 'Bad', { name: 'bad', logicalId: 'bad', description: 'bad', assignableScope: '/subscriptions/x', actions: ['Microsoft.Compute/*'] })).toThrow(/without wildcards/);
  });

  it('a system pool tainted other than CriticalAddonsOnly (azurerm 4.x has no node_taints there), and subnets without a join role', () => {
    const stack = new TerraformStack(Testing.app(), 'aks');
    const resourceGroup = new ResourceGroup(stack, 'Rg', { name: 'rg', location: 'westeurope' });
    const [system, kbs] = aksPools(environment(peerPodsData(), NAME).config.infrastructure);
    if (!system || !kbs) throw new Error('no pools');
    const base = { resourceGroup, environment: 'x', kubernetesVersion: '1.36', tenantId: 't', networkPlugin: 'azure', podCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/12', authorizedIpRanges: [], production: false, tags: {} } as const;
    expect(() => new AksCluster(stack, 'Tainted', { ...base, systemPool: { ...system, taints: [KBS_NODE_TAINT] }, confidentialPool: kbs })).toThrow(
      'AksCluster Tainted: system pool system can only be tainted CriticalAddonsOnly=true:NoSchedule (only_critical_addons_enabled), got coco.azure/dedicated=kbs:NoSchedule',
    );
    const vnet = new ClusterNetwork(stack, 'Net', { resourceGroup, environment: 'x', vnetCidr: '10.0.0.0/16', subnets: { nodes: { name: 'nodes', cidr: '10.0.2.0/24' } }, tags: {} });
    expect(() => new AksCluster(stack, 'Byo', { ...base, systemPool: system, systemSubnet: vnet.subnets.nodes, confidentialPool: kbs })).toThrow(/expected a subnetJoinRole/);
  });
});
