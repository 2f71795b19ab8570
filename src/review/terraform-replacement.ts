/**
 * Which Terraform resources a change would replace (destroy and re-create) rather than update in
 * place: the arguments azurerm marks "Changing this forces a new resource to be created", for the
 * resource types the stacks render, minus what the resource's `lifecycle.ignore_changes` lists.
 *
 * A model, not `terraform plan`: planning needs the azurerm provider binary and Azure credentials,
 * neither of which this machine has. The lists come from the azurerm 4.x provider documentation
 * (registry.terraform.io/providers/hashicorp/azurerm, resource pages); an argument missing here
 * makes the review under-report, so a type we render but do not list is reported as unknown.
 */

/** Arguments that force a new resource for every azurerm resource type. */
const EVERY_TYPE = ['name', 'location', 'resource_group_name'];

/** Per rendered type, further arguments (top-level names; a nested change counts for its block). */
const FORCE_NEW: Readonly<Record<string, readonly string[]>> = {
  azurerm_linux_virtual_machine: [
    'admin_username',
    'admin_ssh_key',
    'computer_name',
    'custom_data',
    'disable_password_authentication',
    'os_disk',
    'source_image_reference',
    'secure_boot_enabled',
    'vtpm_enabled',
    'zone',
  ],
  azurerm_network_interface: [],
  azurerm_public_ip: ['sku', 'allocation_method', 'zones'],
  azurerm_virtual_network: [],
  azurerm_subnet: ['virtual_network_name'],
  azurerm_network_security_group: [],
  azurerm_network_security_rule: ['network_security_group_name'],
  azurerm_subnet_network_security_group_association: ['subnet_id', 'network_security_group_id'],
  azurerm_subnet_nat_gateway_association: ['subnet_id', 'nat_gateway_id'],
  azurerm_nat_gateway: ['zones'],
  azurerm_nat_gateway_public_ip_association: ['nat_gateway_id', 'public_ip_address_id'],
  azurerm_resource_group: [],
  azurerm_user_assigned_identity: [],
  azurerm_role_assignment: ['scope', 'role_definition_name', 'role_definition_id', 'principal_id', 'principal_type'],
  // A custom role is replaced when its scope or GUID changes; actions and assignable scopes update in place.
  azurerm_role_definition: ['scope', 'role_definition_id'],
  azurerm_key_vault: ['tenant_id'],
  azurerm_attestation_provider: ['policy_signing_certificate_data'],
  azurerm_kubernetes_cluster: ['dns_prefix', 'network_profile', 'private_cluster_enabled'],
  azurerm_kubernetes_cluster_node_pool: ['kubernetes_cluster_id', 'os_type', 'zones', 'vnet_subnet_id'],
  azurerm_federated_identity_credential: ['parent_id', 'issuer', 'subject', 'audience'],
};

/** A Terraform resource body as cdktf writes it (snake_case arguments). */
export type TerraformResource = Readonly<Record<string, unknown>>;

/** Top-level argument of a changed path (`os_disk.name` -> `os_disk`, `admin_ssh_key[0].public_key` -> `admin_ssh_key`). */
function argumentOf(path: string): string {
  return path.split(/[.[]/)[0];
}

/**
 * The arguments among `changedPaths` whose change replaces the resource (its new body `after`
 * carries the lifecycle), or `['(type not modelled)']` for a type this table does not know.
 * Empty: updated in place.
 */
export function replacementCauses(type: string, after: TerraformResource, changedPaths: readonly string[]): string[] {
  const forced = FORCE_NEW[type];
  if (forced === undefined) return ['(type not modelled)'];
  const lifecycle = after.lifecycle as { ignore_changes?: readonly string[] } | undefined;
  const ignored = new Set(lifecycle?.ignore_changes ?? []);
  const causes = new Set<string>();
  for (const path of changedPaths) {
    const arg = argumentOf(path);
    if ((EVERY_TYPE.includes(arg) || forced.includes(arg)) && !ignored.has(arg)) causes.add(arg);
  }
  return [...causes].sort();
}
