import { Construct } from 'constructs';
import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import type { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import type { PeerPodsModel } from '../../shared/peer-pods';
import { TOKEN_EXCHANGE_AUDIENCE } from './aks-access';
import { CustomRole } from './custom-role';

/**
 * What cloud-api-adaptor v0.22.0 does in the resource group (src/cloud-providers/azure): create
 * each pod VM with its NIC defined inline in the VM request (NIC and OS disk delete with the VM),
 * read NICs for the pod VM's address, delete VMs, read disks. The NIC is created by the compute
 * provider on the caller's behalf, so the caller needs write and join on it.
 */
export const CAA_RESOURCE_GROUP_ACTIONS = [
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
] as const;

/** Putting a NIC into a bring-your-own subnet (pod VMs; AKS nodes and the KBS load balancer). */
export const SUBNET_JOIN_ACTIONS = ['Microsoft.Network/virtualNetworks/subnets/read', 'Microsoft.Network/virtualNetworks/subnets/join/action'] as const;

/**
 * cloud-api-adaptor lists the region's VM sizes at start-up and exits when it cannot; the API only
 * exists at subscription scope.
 */
export const CAA_SUBSCRIPTION_ACTIONS = ['Microsoft.Compute/locations/vmSizes/read'] as const;

/** Booting a VM from a private Azure Compute Gallery image version. */
export const GALLERY_IMAGE_ACTIONS = ['Microsoft.Compute/galleries/read', 'Microsoft.Compute/galleries/images/read', 'Microsoft.Compute/galleries/images/versions/read'] as const;

/** A private gallery image version ID, split into the parts a role scope needs. */
export interface GalleryImage {
  /** `/subscriptions/<id>/resourceGroups/<rg>`: the gallery's resource group. */
  readonly resourceGroupId: string;
  /** The gallery image (the version's parent), where the read role is assigned. */
  readonly imageId: string;
}

/**
 * The gallery image of a private gallery image version ID, or undefined for a community gallery
 * image (`/CommunityGalleries/...`), which every subscription may read without a role.
 */
export function privateGalleryImage(imageVersionId: string): GalleryImage | undefined {
  const m = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+)(\/providers\/Microsoft\.Compute\/galleries\/[^/]+\/images\/[^/]+)\/versions\/[^/]+$/i.exec(imageVersionId);
  return m ? { resourceGroupId: m[1], imageId: `${m[1]}${m[2]}` } : undefined;
}

export interface CaaIdentityProps {
  readonly resourceGroup: ResourceGroup;
  /** Environment name: prefix of the custom role names. */
  readonly environment: string;
  /** The peer-pods model (identity name, federated subjects, subscription, pod-VM image). */
  readonly model: PeerPodsModel;
  /** The pod-VM subnet. */
  readonly podVmSubnet: Subnet;
  /** Role that puts a NIC into a subnet (shared with the cluster identity's subnet grants). */
  readonly subnetJoinRole: CustomRole;
  /** OIDC issuer URL of the AKS cluster whose ServiceAccount tokens the identity trusts. */
  readonly oidcIssuerUrl: string;
  readonly tags: Record<string, string>;
}

/**
 * The managed identity of cloud-api-adaptor and peerpod-ctrl, by workload identity only (federated
 * with their ServiceAccounts: no client secret exists anywhere), with custom roles holding exactly
 * the actions cloud-api-adaptor performs, each assigned on the narrowest scope: the resource
 * group (pod VMs, their NICs and disks), the pod-VM subnet, the subscription (VM sizes), and the
 * pod-VM image when it is in a private gallery.
 */
export class CaaIdentity extends Construct {
  readonly identity: UserAssignedIdentity;

  constructor(scope: Construct, id: string, props: CaaIdentityProps) {
    super(scope, id);
    const { model, environment } = props;
    const rg = props.resourceGroup;
    this.identity = new UserAssignedIdentity(this, 'Identity', { name: model.names.identity, resourceGroupName: rg.name, location: rg.location, tags: props.tags });
    this.identity.overrideLogicalId('caa_identity');
    const principal = this.identity.principalId;
    // Role names are unique per tenant: environment and resource group make them unique per deployment.
    const roleName = (what: string) => `${environment} cloud-api-adaptor ${what} (${model.resourceGroup})`;

    const vms = new CustomRole(this, 'PodVmRole', {
      name: roleName('pod VMs'),
      logicalId: 'caa_pod_vm_role',
      description: 'cloud-api-adaptor: create, read and delete peer-pod VMs with their NICs and OS disks in this resource group.',
      assignableScope: rg.id,
      actions: CAA_RESOURCE_GROUP_ACTIONS,
    });
    vms.assign('caa_pod_vm_role_assignment', rg.id, principal);
    props.subnetJoinRole.assign('caa_pod_vm_subnet_join', props.podVmSubnet.id, principal);

    const subscriptionScope = `/subscriptions/${model.subscriptionId}`;
    const sizes = new CustomRole(this, 'VmSizesRole', {
      name: roleName('VM sizes'),
      logicalId: 'caa_vm_sizes_role',
      description: 'cloud-api-adaptor: list the VM sizes of the region at start-up (a subscription-scope API).',
      assignableScope: subscriptionScope,
      actions: CAA_SUBSCRIPTION_ACTIONS,
    });
    sizes.assign('caa_vm_sizes_role_assignment', subscriptionScope, principal);

    const gallery = privateGalleryImage(model.config.podVm.imageId);
    if (gallery) {
      const image = new CustomRole(this, 'GalleryImageRole', {
        name: roleName('pod-VM image'),
        logicalId: 'caa_gallery_image_role',
        description: 'cloud-api-adaptor: read the pod-VM image in its private Azure Compute Gallery to boot pod VMs from it.',
        assignableScope: gallery.resourceGroupId,
        actions: GALLERY_IMAGE_ACTIONS,
      });
      image.assign('caa_gallery_image_role_assignment', gallery.imageId, principal);
    }

    // Entra ID refuses concurrent writes of federated credentials on one identity: one after the other.
    let previous: FederatedIdentityCredential | undefined;
    for (const subject of model.federatedSubjects) {
      const serviceAccount = subject.split(':').pop() ?? subject;
      const credential = new FederatedIdentityCredential(this, `Federation-${serviceAccount}`, {
        name: serviceAccount,
        resourceGroupName: rg.name,
        parentId: this.identity.id,
        audience: [TOKEN_EXCHANGE_AUDIENCE],
        issuer: props.oidcIssuerUrl,
        subject,
        ...(previous ? { dependsOn: [previous] } : {}),
      });
      credential.overrideLogicalId(`caa_federation_${serviceAccount.replace(/-/g, '_')}`);
      previous = credential;
    }
  }
}
