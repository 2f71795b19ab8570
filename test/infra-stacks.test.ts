// The synthesized Terraform of both stacks: targeted assertions on what matters, plus "no
// secret anywhere" over the whole JSON.
// The adapter declares the cdktf matchers on jest's Matchers type and registers them.
import { setupJest } from 'cdktf/lib/testing/adapters/jest';
import { LinuxVirtualMachine } from '@cdktf/provider-azurerm/lib/linux-virtual-machine';
import { NetworkSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-rule';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { KubernetesCluster } from '@cdktf/provider-azurerm/lib/kubernetes-cluster';
import { KubernetesClusterNodePool } from '@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool';
import { AttestationProvider } from '@cdktf/provider-azurerm/lib/attestation-provider';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { NetworkInterface } from '@cdktf/provider-azurerm/lib/network-interface';
import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { scanForSecrets } from '../src/render/secret-scan';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aksData, set, synthStack, tdxData, userData, type SynthesizedStack } from './infra-support';

setupJest();

/** The whole stack text must not carry key material or passwords. */
function expectNoSecrets(stack: SynthesizedStack): void {
  const dir = mkdtempSync(join(tmpdir(), 'infra-secrets-'));
  writeFileSync(join(dir, 'cdk.tf.json'), stack.text);
  for (const [id, text] of Object.entries(userData(stack))) writeFileSync(join(dir, `${id}.user-data`), text);
  expect(scanForSecrets(dir)).toEqual([]);
  const everything = stack.text + Object.values(userData(stack)).join('\n');
  expect(everything).not.toMatch(/PRIVATE KEY|admin_password|"password"|client_secret/i);
  // Bootstrap tokens look like [a-z0-9]{6}.[a-z0-9]{16}: none may be rendered.
  expect(everything).not.toMatch(/\b[a-z0-9]{6}\.[a-z0-9]{16}\b/);
}

describe('azure-tdx stack', () => {
  const stack = synthStack(tdxData());
  const resources = stack.json.resource;

  it('pins the provider and keeps state local by default', () => {
    expect(stack.json.terraform).toEqual({ backend: { local: { path: '../../../terraform.azure-tdx.tfstate' } }, required_providers: { azurerm: { source: 'hashicorp/azurerm', version: '4.55.0' } } });
  });

  it('uses the azurerm backend from the environment file', () => {
    const remote = synthStack(set(tdxData(), 'infrastructure/backend', { type: 'azurerm', resourceGroupName: 'rg-state', storageAccountName: 'cocostate', containerName: 'tfstate', key: 'tdx.tfstate' }));
    expect(remote.json.terraform.backend).toEqual({ azurerm: { resource_group_name: 'rg-state', storage_account_name: 'cocostate', container_name: 'tfstate', key: 'tdx.tfstate', use_azuread_auth: true } });
  });

  it('has the seed-000 network with human logical IDs', () => {
    // Testing.synth sorts keys.
    expect(Object.keys(resources.azurerm_subnet)).toEqual(['control_plane_subnet', 'kbs_subnet', 'worker_subnet']);
    expect(stack.text).toHaveResourceWithProperties(Subnet, { name: 'kbs-subnet', address_prefixes: ['10.0.3.0/24'], default_outbound_access_enabled: false, service_endpoints: ['Microsoft.KeyVault'] });
    expect(Object.keys(resources.azurerm_subnet_network_security_group_association)).toEqual(['control_plane_subnet_nsg', 'kbs_subnet_nsg', 'worker_subnet_nsg']);
    expect(Object.keys(resources.azurerm_subnet_nat_gateway_association)).toHaveLength(3);
    expect(JSON.stringify(resources)).not.toMatch(/_[0-9A-F]{8}"/);
  });

  it('opens admin ports to the configured CIDRs only, cluster ports to the VNet', () => {
    const rules = resources.azurerm_network_security_rule;
    const summary = Object.values(rules)
      .sort((a, b) => Number(a.priority) - Number(b.priority))
      .map((r) => [r.name, r.destination_port_range, r.source_address_prefix ?? r.source_address_prefixes]);
    expect(summary).toEqual([
      ['allow-ssh', '22', ['203.0.113.0/24']],
      ['allow-k8s-api', '6443', ['203.0.113.0/24']],
      ['allow-kubelet', '10250', 'VirtualNetwork'],
      ['allow-etcd', '2379-2380', 'VirtualNetwork'],
      ['allow-kbs', '8080', 'VirtualNetwork'],
      ['allow-nodeports', '30000-32767', ['203.0.113.0/24']],
      ['allow-vnet-internal', '*', 'VirtualNetwork'],
    ]);
    expect(stack.text).not.toMatch(/"source_address_prefix": "(\*|Internet)"/);
  });

  it('has no admin rules without admin sources, and "Internet" only behind the dev switch', () => {
    const closed = synthStack(set(tdxData(), 'infrastructure/network/adminSourceCidrs', []));
    expect(Object.values(closed.json.resource.azurerm_network_security_rule).map((r) => r.name).sort()).toEqual(['allow-etcd', 'allow-kbs', 'allow-kubelet', 'allow-vnet-internal']);
    const open = synthStack(set(set(set(set(tdxData(), 'profile', 'dev'), 'infrastructure/network/adminSourceCidrs', ['*']), 'devSwitches/allowAdminIngressFromInternet', true), 'infrastructure/tdx/image/version', 'latest'));
    expect(open.text).toHaveResourceWithProperties(NetworkSecurityRule, { name: 'allow-ssh', source_address_prefix: 'Internet' });
  });

  it('creates Intel TDX confidential VMs with SSH keys only and one identity each', () => {
    expect(Object.keys(resources.azurerm_linux_virtual_machine)).toEqual(['k8s_control_1_vm', 'k8s_worker_1_vm', 'kbs_server_vm']);
    for (const vm of Object.values(resources.azurerm_linux_virtual_machine)) {
      expect(vm).toMatchObject({
        size: 'Standard_DC2eds_v5',
        vtpm_enabled: true,
        secure_boot_enabled: true,
        disable_password_authentication: true,
        os_disk: { security_encryption_type: 'VMGuestStateOnly', storage_account_type: 'Premium_LRS' },
        source_image_reference: { publisher: 'Canonical', offer: '0001-com-ubuntu-confidential-vm-jammy', sku: '22_04-lts-cvm', version: '22.04.202510150' },
        admin_ssh_key: [{ username: 'azureuser', public_key: '${file(pathexpand("~/.ssh/id_ed25519.pub"))}' }],
        identity: { type: 'UserAssigned' },
      });
      expect(vm).not.toHaveProperty('admin_password');
    }
    expect(resources.azurerm_linux_virtual_machine.kbs_server_vm.identity).toEqual({ type: 'UserAssigned', identity_ids: ['${azurerm_user_assigned_identity.kbs_server_identity.id}'] });
  });

  it('inlines an SSH public key given as a value, and honours DiskWithVMGuestState', () => {
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleOnlyExampleOnlyExampleOnly00 ops@example';
    const other = synthStack(set(set(tdxData(), 'infrastructure/tdx/sshPublicKey', { value: key }), 'infrastructure/tdx/osDiskSecurityEncryptionType', 'DiskWithVMGuestState'));
    expect(other.json.resource.azurerm_linux_virtual_machine.k8s_worker_1_vm).toMatchObject({ admin_ssh_key: [{ username: 'azureuser', public_key: key }], os_disk: { security_encryption_type: 'DiskWithVMGuestState' } });
    expect(other.text).toHaveResourceWithProperties(LinuxVirtualMachine, { name: 'kbs-server', secure_boot_enabled: true, vtpm_enabled: true });
  });

  it('gives nodes static private IPs and only the control plane a public IP', () => {
    const nics = resources.azurerm_network_interface;
    expect(nics.k8s_control_1_nic.ip_configuration).toEqual([{ name: 'primary', subnet_id: '${azurerm_subnet.control_plane_subnet.id}', private_ip_address: '10.0.1.4', private_ip_address_allocation: 'Static', public_ip_address_id: '${azurerm_public_ip.k8s_control_1_pip.id}' }]);
    expect(nics.kbs_server_nic.ip_configuration).toEqual([{ name: 'primary', subnet_id: '${azurerm_subnet.kbs_subnet.id}', private_ip_address: '10.0.3.4', private_ip_address_allocation: 'Static' }]);
    expect(stack.text).toHaveResourceWithProperties(NetworkInterface, { name: 'k8s-worker-1-nic' });
    expect(Object.keys(resources.azurerm_public_ip)).toEqual(['k8s_control_1_pip', 'nat_gateway_pip']);
    const workers = synthStack(set(set(tdxData(), 'infrastructure/tdx/workers/count', 3), 'infrastructure/tdx/workers/publicIp', true));
    expect(Object.keys(workers.json.resource.azurerm_public_ip)).toEqual(['k8s_control_1_pip', 'k8s_worker_1_pip', 'k8s_worker_2_pip', 'k8s_worker_3_pip', 'nat_gateway_pip']);
    expect(workers.json.resource.azurerm_network_interface.k8s_worker_3_nic.ip_configuration).toEqual([expect.objectContaining({ private_ip_address: '10.0.2.6' })]);
  });

  it('leaves out the KBS VM when disabled', () => {
    const noKbs = synthStack(set(tdxData(), 'infrastructure/tdx/kbsNode/enabled', false));
    expect(Object.keys(noKbs.json.resource.azurerm_linux_virtual_machine)).toEqual(['k8s_control_1_vm', 'k8s_worker_1_vm']);
    expect(noKbs.json.output).not.toHaveProperty('kbs_private_ip');
  });

  it('hands the join token over through an RBAC Key Vault reachable from the subnets only', () => {
    expect(stack.text).toHaveResourceWithProperties(KeyVault, {
      name: 'kv-coco-azure-tdx',
      rbac_authorization_enabled: true,
      purge_protection_enabled: true,
      network_acls: { default_action: 'Deny', bypass: 'None', virtual_network_subnet_ids: ['${azurerm_subnet.control_plane_subnet.id}', '${azurerm_subnet.worker_subnet.id}', '${azurerm_subnet.kbs_subnet.id}'] },
    });
    const grants = Object.entries(resources.azurerm_role_assignment).map(([id, r]) => [id, r.role_definition_name, r.scope]);
    expect(grants).toEqual([
      ['k8s_control_1_join_vault_access', 'Key Vault Secrets Officer', '${azurerm_key_vault.join_key_vault.id}'],
      ['k8s_worker_1_join_vault_access', 'Key Vault Secrets User', '${azurerm_key_vault.join_key_vault.id}'],
      ['kbs_server_join_vault_access', 'Key Vault Secrets User', '${azurerm_key_vault.join_key_vault.id}'],
    ]);
    // A node boots only after its grant exists.
    expect(resources.azurerm_linux_virtual_machine.k8s_worker_1_vm.depends_on).toContain('azurerm_role_assignment.k8s_worker_1_join_vault_access');
    const dev = synthStack(set(set(tdxData(), 'profile', 'dev'), 'infrastructure/tdx/image/version', 'latest'));
    expect(dev.text).toHaveResourceWithProperties(KeyVault, { purge_protection_enabled: false, soft_delete_retention_days: 7 });
  });

  it('outputs addresses, names and kubeconfig instructions', () => {
    const out = stack.json.output;
    expect(out.control_plane_private_ip.value).toBe('10.0.1.4');
    expect(out.kbs_private_ip.value).toBe('10.0.3.4');
    expect(out.api_server_endpoint.value).toBe('https://10.0.1.4:6443');
    expect(out.vm_names.value).toEqual(['k8s-control-1', 'k8s-worker-1', 'kbs-server'].map((n) => `\${azurerm_linux_virtual_machine.${n.replace(/-/g, '_')}_vm.name}`));
    expect(out.control_plane_public_ip.value).toBe('${azurerm_public_ip.k8s_control_1_pip.ip_address}');
    expect(String(out.kubeconfig_instructions.value)).toContain('config set-cluster azure-tdx --server=https://${azurerm_public_ip.k8s_control_1_pip.ip_address}:6443 --tls-server-name=kubernetes');
    expect(Object.keys(out).sort()).toEqual(['api_server_endpoint', 'control_plane_private_ip', 'control_plane_public_ip', 'kbs_private_ip', 'key_vault_name', 'kubeconfig_instructions', 'nat_gateway_public_ip', 'nsg_name', 'resource_group_name', 'vm_names', 'vnet_name']);
  });

  it('renders no secret', () => {
    expectNoSecrets(stack);
  });
});

describe('aks-cvm stack', () => {
  const stack = synthStack(aksData(), 'aks-cvm');

  it('has AKS with Entra ID RBAC, workload identity and authorized IP ranges', () => {
    expect(stack.text).toHaveResourceWithProperties(KubernetesCluster, { name: 'aks-cvm-aks', sku_tier: 'Standard', local_account_disabled: true });
    expect(stack.json.resource.azurerm_kubernetes_cluster.aks).toMatchObject({
      kubernetes_version: '1.36',
      sku_tier: 'Standard',
      role_based_access_control_enabled: true,
      local_account_disabled: true,
      oidc_issuer_enabled: true,
      workload_identity_enabled: true,
      azure_active_directory_role_based_access_control: { azure_rbac_enabled: true, tenant_id: '${data.azurerm_client_config.current.tenant_id}' },
      api_server_access_profile: { authorized_ip_ranges: ['203.0.113.0/24'] },
      default_node_pool: { name: 'system', vm_size: 'Standard_D2s_v5', only_critical_addons_enabled: true },
      network_profile: { network_plugin: 'azure', network_plugin_mode: 'overlay', network_data_plane: 'cilium', network_policy: 'cilium', pod_cidr: '10.244.0.0/16', service_cidr: '10.96.0.0/12', dns_service_ip: '10.96.0.10' },
    });
  });

  it('follows the configured network plugin', () => {
    const kubenet = synthStack(set(aksData(), 'infrastructure/aks/networkPlugin', 'kubenet'), 'aks-cvm');
    expect(kubenet.json.resource.azurerm_kubernetes_cluster.aks.network_profile).toEqual({ network_plugin: 'kubenet', network_policy: 'calico', pod_cidr: '10.244.0.0/16', service_cidr: '10.96.0.0/12', dns_service_ip: '10.96.0.10', load_balancer_sku: 'standard' });
  });

  it('adds a confidential VM pool on a CVM-capable OS SKU', () => {
    expect(stack.text).toHaveResourceWithProperties(KubernetesClusterNodePool, { name: 'cvm', vm_size: 'Standard_DC2as_v5', os_sku: 'Ubuntu', mode: 'User', kubernetes_cluster_id: '${azurerm_kubernetes_cluster.aks.id}', node_labels: { 'coco.azure/confidential-vm': 'true' } });
  });

  it('has the attestation provider, an RBAC Key Vault and least-privilege role assignments', () => {
    expect(stack.text).toHaveResourceWithProperties(AttestationProvider, { name: 'cocoakscvmmaa' });
    expect(stack.text).toHaveResourceWithProperties(KeyVault, { name: 'kv-coco-aks-cvm', sku_name: 'premium', rbac_authorization_enabled: true, purge_protection_enabled: true });
    const grants = Object.values(stack.json.resource.azurerm_role_assignment).map((r) => [r.role_definition_name, r.principal_id, r.scope]);
    expect(grants).toEqual([
      ['Azure Kubernetes Service RBAC Cluster Admin', '${data.azurerm_client_config.current.object_id}', '${azurerm_kubernetes_cluster.aks.id}'],
      ['Key Vault Crypto Officer', '${data.azurerm_client_config.current.object_id}', '${azurerm_key_vault.key_vault.id}'],
      ['Key Vault Crypto Service Release User', '${azurerm_user_assigned_identity.key_release_identity.principal_id}', '${azurerm_key_vault.key_vault.id}'],
    ]);
    // Neither the cluster nor the kubelet identity gets anything.
    expect(stack.text).not.toMatch(/kubelet_identity|identity\[0\]\.principal_id/);
    expect(stack.text).toHaveResourceWithProperties(FederatedIdentityCredential, { subject: 'system:serviceaccount:coco-demo:key-release', issuer: '${azurerm_kubernetes_cluster.aks.oidc_issuer_url}', audience: ['api://AzureADTokenExchange'] });
    expect(stack.text).toHaveResourceWithProperties(RoleAssignment, { principal_type: 'ServicePrincipal', role_definition_name: 'Key Vault Crypto Service Release User' });
  });

  it('outputs the attestation endpoint for the demo workload', () => {
    expect(stack.json.output.attestation_endpoint.value).toBe('${azurerm_attestation_provider.attestation_provider.attestation_uri}');
    expect(Object.keys(stack.json.output).sort()).toEqual(['aks_cluster_name', 'attestation_endpoint', 'key_release_identity_client_id', 'key_vault_uri', 'kubeconfig_instructions', 'oidc_issuer_url', 'resource_group_name']);
  });

  it('renders no secret', () => {
    expectNoSecrets(stack);
  });
});
