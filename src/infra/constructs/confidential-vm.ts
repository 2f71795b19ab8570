import { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { LinuxVirtualMachine } from '@cdktf/provider-azurerm/lib/linux-virtual-machine';
import { NetworkInterface } from '@cdktf/provider-azurerm/lib/network-interface';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import type { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import type { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';

export interface ConfidentialVmImage {
  readonly publisher: string;
  readonly offer: string;
  readonly sku: string;
  /** Pinned image version, or `latest` (refused by profile production). */
  readonly version: string;
}

export interface ConfidentialVmProps {
  readonly resourceGroup: ResourceGroup;
  /** VM name and host name, which is also the Kubernetes node name (`k8s-worker-1`). */
  readonly name: string;
  readonly subnet: Subnet;
  /** Static private IP inside `subnet`. */
  readonly privateIp: string;
  /** An Intel TDX confidential VM size (validated by the config rules). */
  readonly size: string;
  readonly image: ConfidentialVmImage;
  /**
   * `VMGuestStateOnly` encrypts the VM guest state; `DiskWithVMGuestState` also the OS disk
   * (confidential OS disk encryption).
   * @default VMGuestStateOnly (config)
   */
  readonly osDiskSecurityEncryptionType: 'VMGuestStateOnly' | 'DiskWithVMGuestState';
  readonly adminUsername: string;
  /** OpenSSH public key line, or a Terraform expression that reads one. */
  readonly sshPublicKey: string;
  /** The VM's own managed identity (one per VM). */
  readonly identity: UserAssignedIdentity;
  /** cloud-init user data (plain text; encoded here). Holds no secret. */
  readonly userData: string;
  /**
   * Attach a static Standard public IP (reachable only where the NSG admits it).
   * @default false
   */
  readonly publicIp?: boolean;
  /** Resources the VM must wait for, e.g. the identity's role assignments used at first boot. */
  readonly dependsOn?: ITerraformDependable[];
  readonly tags: Record<string, string>;
}

/** One Azure confidential VM (Intel TDX) with its NIC, optional public IP and identity. */
export class ConfidentialVm extends Construct {
  readonly vm: LinuxVirtualMachine;
  readonly nic: NetworkInterface;
  readonly publicIp?: PublicIp;

  constructor(scope: Construct, id: string, props: ConfidentialVmProps) {
    super(scope, id);
    const rg = props.resourceGroup;
    const base = props.name.replace(/-/g, '_');
    if (props.publicIp) {
      this.publicIp = new PublicIp(this, 'PublicIp', { name: `${props.name}-pip`, resourceGroupName: rg.name, location: rg.location, sku: 'Standard', allocationMethod: 'Static', tags: props.tags });
      this.publicIp.overrideLogicalId(`${base}_pip`);
    }
    this.nic = new NetworkInterface(this, 'Nic', {
      name: `${props.name}-nic`,
      resourceGroupName: rg.name,
      location: rg.location,
      ipConfiguration: [
        {
          name: 'primary',
          subnetId: props.subnet.id,
          // Static: the API endpoint and the KBS address are known when the config is rendered.
          privateIpAddressAllocation: 'Static',
          privateIpAddress: props.privateIp,
          ...(this.publicIp ? { publicIpAddressId: this.publicIp.id } : {}),
        },
      ],
      tags: props.tags,
    });
    this.nic.overrideLogicalId(`${base}_nic`);
    this.vm = new LinuxVirtualMachine(this, 'Vm', {
      name: props.name,
      computerName: props.name,
      resourceGroupName: rg.name,
      location: rg.location,
      size: props.size,
      networkInterfaceIds: [this.nic.id],
      adminUsername: props.adminUsername,
      adminSshKey: [{ username: props.adminUsername, publicKey: props.sshPublicKey }],
      disablePasswordAuthentication: true,
      sourceImageReference: { ...props.image },
      osDisk: {
        name: `${props.name}-osdisk`,
        caching: 'ReadWrite',
        storageAccountType: 'Premium_LRS',
        // This, with vTPM and Secure Boot, is what makes it a confidential VM in azurerm 4.x.
        securityEncryptionType: props.osDiskSecurityEncryptionType,
      },
      vtpmEnabled: true,
      secureBootEnabled: true,
      identity: { type: 'UserAssigned', identityIds: [props.identity.id] },
      // Encoded here, not with Terraform's base64encode(): Terraform would read "${" in the shell
      // scripts as interpolation. The VM gets exactly the bytes the tests validate.
      customData: Buffer.from(props.userData, 'utf8').toString('base64'),
      // Managed boot diagnostics: serial log for debugging; kubeadm output stays out of it.
      bootDiagnostics: {},
      ...(props.dependsOn ? { dependsOn: props.dependsOn } : {}),
      // Both force a new VM in azurerm. They only matter at first boot, so a version bump or a
      // newer image must not wipe a node (the control plane above all): existing nodes are
      // upgraded in place or replaced one at a time on purpose (docs/infrastructure.md, Upgrades).
      lifecycle: { ignoreChanges: ['custom_data', 'source_image_reference'] },
      tags: props.tags,
    });
    this.vm.overrideLogicalId(`${base}_vm`);
  }
}
