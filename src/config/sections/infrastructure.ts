/** `infrastructure`: Azure resources rendered with CDK for Terraform (seed 000 and 004 topologies). */
import { Type } from '@sinclair/typebox';
import { VERSIONS } from '../../shared/versions';
import { Cidr, Count, EXPECTED_KEYWORD, K8sName, Obj, Section, Semver, StringEnum, VmSize } from '../schema-helpers';

/** Key Vault names: 3-24 characters, letters, digits and single hyphens (Azure's rule). */
const KeyVaultName = (description: string) =>
  Type.String({ pattern: '^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$', [EXPECTED_KEYWORD]: '3-24 letters, digits and single "-", starting with a letter and not ending with "-"', description });

/** Where the operator's SSH public key comes from (public keys are not secrets, but files stay out of git). */
const SshPublicKey = Obj(
  {
    path: Type.Optional(Type.String({ minLength: 1, description: 'Path on the operator machine to an OpenSSH public key file; Terraform reads it at plan time (file(pathexpand(...))), so synth stays offline and deterministic.' })),
    value: Type.Optional(
      Type.String({ pattern: '^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+( .*)?$', [EXPECTED_KEYWORD]: 'an OpenSSH public key line ("ssh-ed25519 AAAA... comment")', description: 'OpenSSH public key line.' }),
    ),
  },
  { description: 'SSH public key for the VM admin user: exactly one of `path` or `value`. Password authentication is always disabled.' },
);

const Network = Section(
  {
    vnetCidr: Cidr('Address space of the virtual network.', '10.0.0.0/16'),
    subnets: Section(
      {
        controlPlane: Cidr('Subnet of the control-plane VMs.', '10.0.1.0/24'),
        worker: Cidr('Subnet of the worker VMs.', '10.0.2.0/24'),
        kbs: Cidr('Subnet of the KBS confidential VM (azure-tdx), or of the KBS node pool and its internal load balancer (aks-peer-pods).', '10.0.3.0/24'),
        podVms: Cidr('Subnet of the peer-pod VMs cloud-api-adaptor creates (aks-peer-pods only); its NSG admits the node subnet on the agent and tunnel ports only.', '10.0.4.0/24'),
      },
      'Subnets inside `vnetCidr`; they must not overlap.',
    ),
    adminSourceCidrs: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      uniqueItems: true,
      description:
        'Sources allowed to reach SSH (22), the API server (6443) and NodePorts (30000-32767) (azure-tdx), or the AKS API server (aks-cvm: authorized IP ranges, required in production). CIDRs; "*", "Internet" or 0.0.0.0/0 only with devSwitches.allowAdminIngressFromInternet in a dev profile. Empty: no admin ingress from outside the VNet.',
    }),
    podCidr: Cidr('Pod network (kubeadm podSubnet and Cilium cluster-pool); must lie outside the VNet.', '10.244.0.0/16'),
    serviceCidr: Cidr('Service network (kubeadm serviceSubnet); must lie outside the VNet and the pod network.', '10.96.0.0/12'),
  },
  'Virtual network layout (seed 000 defaults).',
);

const TdxCluster = Obj(
  {
    adminUsername: Type.String({ pattern: '^[a-z_][a-z0-9_-]{0,31}$', [EXPECTED_KEYWORD]: 'a Linux user name', default: 'azureuser', description: 'Admin user on every VM.' }),
    sshPublicKey: Type.Optional(SshPublicKey),
    controlPlane: Section(
      {
        count: Count('Control-plane VMs. Only 1 is supported: an HA control plane needs an internal load balancer in front of the API servers (see docs/infrastructure.md).', 1, 5),
        vmSize: VmSize('Intel TDX confidential VM size.', 'Standard_DC2eds_v5'),
        publicIp: Type.Boolean({ default: true, description: 'Give the control plane a static public IP, reachable on 22 and 6443 only from network.adminSourceCidrs (kubectl and kubeconfig retrieval).' }),
      },
      'Control-plane VMs (k8s-control-N).',
    ),
    workers: Section(
      {
        count: Count('Worker VMs.', 1, 50),
        vmSize: VmSize('Intel TDX confidential VM size.', 'Standard_DC2eds_v5'),
        publicIp: Type.Boolean({ default: false, description: 'Give each worker a static public IP, so NodePorts are reachable from network.adminSourceCidrs.' }),
      },
      'Worker VMs (k8s-worker-N).',
    ),
    kbsNode: Section(
      { enabled: Type.Boolean({ default: true, description: 'Create the dedicated KBS confidential VM (kbs-server), joined as a tainted node.' }), vmSize: VmSize('Intel TDX confidential VM size.', 'Standard_DC2eds_v5') },
      'The dedicated KBS confidential VM of seed 000.',
    ),
    image: Section(
      {
        publisher: Type.String({ default: 'Canonical', minLength: 1 }),
        offer: Type.String({ default: '0001-com-ubuntu-confidential-vm-jammy', minLength: 1 }),
        sku: Type.String({ default: '22_04-lts-cvm', minLength: 1 }),
        version: Type.String({ default: 'latest', minLength: 1, description: 'Image version; production requires a pinned version (not "latest").' }),
      },
      'Confidential Ubuntu image.',
    ),
    osDiskSecurityEncryptionType: StringEnum(['VMGuestStateOnly', 'DiskWithVMGuestState'] as const, { default: 'VMGuestStateOnly', description: 'os_disk.security_encryption_type of every CVM.' }),
    keyVaultName: KeyVaultName('Key Vault (RBAC, reachable only from the cluster subnets) through which the control plane hands the short-lived kubeadm join token to the other nodes; globally unique.'),
    joinTokenTtl: Type.String({
      pattern: '^([1-9][0-9]?m|[1-9]h|1[0-9]h|2[0-4]h)$',
      [EXPECTED_KEYWORD]: 'a duration between 1m and 24h such as 30m or 2h',
      default: '1h',
      description: 'Lifetime of the kubeadm bootstrap token the control plane publishes; it is revoked earlier, as soon as every node has joined.',
    }),
    versions: Section(
      {
        kubernetes: Semver('kubeadm/kubelet/kubectl version (pkgs.k8s.io); its minor must equal kubernetesVersion.', VERSIONS.kubernetes),
        containerd: Semver('containerd version: 2.1.7+, 2.2.2+ or 2.3.x (node-level decryption through use_local_image_pull), with a checksum in src/shared/versions.ts.', VERSIONS.containerd),
        runc: Semver('runc version, with a checksum in src/shared/versions.ts.', VERSIONS.runc),
        cilium: Semver('Cilium version (kube-proxy replacement), installed with the cilium CLI.', VERSIONS.cilium),
      },
      'Node software versions. Production refuses versions past upstream support or below a known-CVE floor (src/shared/support.ts) unless acceptUnsupportedVersions names them. Changing one never replaces a VM: see docs/infrastructure.md, "Upgrades".',
    ),
  },
  { description: 'kubeadm cluster on Intel TDX confidential VMs; required when infrastructure.provider is azure-tdx.' },
);

/** An AKS cluster version (both AKS providers). */
const AksKubernetesVersion = Type.String({
  pattern: '^[0-9]+\\.[0-9]+(\\.[0-9]+)?$',
  default: '1.36',
  [EXPECTED_KEYWORD]: 'a Kubernetes version such as 1.36',
  description: 'AKS Kubernetes version (minor, or minor.patch); its minor must equal kubernetesVersion. 1.36 is GA and LTS on AKS.',
});

const Aks = Obj(
  {
    kubernetesVersion: AksKubernetesVersion,
    systemPool: Section({ count: Count('System pool nodes.', 1, 10), vmSize: VmSize('Regular VM size for system pods.', 'Standard_D2s_v5') }, 'System node pool.'),
    confidentialPool: Section(
      {
        count: Count('Confidential nodes.', 1, 50),
        vmSize: VmSize('Confidential VM size (AMD SEV-SNP DCasv5/ECasv5 or Intel TDX).', 'Standard_DC2as_v5'),
        osSku: StringEnum(['Ubuntu', 'Ubuntu2404', 'AzureLinux'] as const, {
          default: 'Ubuntu',
          description: 'Node OS. AKS has no CVM image for Ubuntu2204. "Ubuntu" gives the Ubuntu 20.04 CVM image up to Kubernetes 1.33 and Ubuntu 24.04 from 1.34 (the AKS default); "Ubuntu2404" names 24.04 explicitly but needs azurerm 4.67+, newer than the pinned provider (docs/infrastructure.md, cdktf); AzureLinux CVM pools are GA since 2026-06.',
        }),
      },
      'Confidential VM node pool.',
    ),
    networkPlugin: StringEnum(['azure', 'kubenet', 'none'] as const, { default: 'azure', description: 'AKS network plugin: azure is Azure CNI Overlay with the Cilium data plane (enforces NetworkPolicies); none brings your own CNI.' }),
    attestationProviderName: Type.String({ pattern: '^[a-z0-9]{3,24}$', [EXPECTED_KEYWORD]: '3-24 lowercase letters and digits', description: 'Microsoft Azure Attestation provider name (globally unique).' }),
    keyVaultName: KeyVaultName('Key Vault name (globally unique).'),
    keyReleaseServiceAccount: K8sName('ServiceAccount (in the workloads namespace) federated with the key-release managed identity through workload identity.', 'key-release'),
  },
  { description: 'AKS with a confidential VM node pool; required when infrastructure.provider is aks-cvm.' },
);

const Uuid = (expected: string, description: string) =>
  Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', [EXPECTED_KEYWORD]: expected, description });

const PeerPods = Obj(
  {
    subscriptionId: Uuid(
      'an Azure subscription ID (lowercase UUID)',
      'Subscription the stack deploys into (azurerm provider subscription_id) and cloud-api-adaptor creates pod VMs in (AZURE_SUBSCRIPTION_ID, AZURE_SUBNET_ID): one value, so Terraform and the GitOps values cannot disagree. Not a secret.',
    ),
    kubernetesVersion: AksKubernetesVersion,
    nodePool: Section(
      {
        count: Count('Nodes (regular VMs: pod VMs need no nested virtualization on the node).', 2, 20),
        vmSize: VmSize('Regular VM size. The nodes run cloud-api-adaptor, kata-deploy, Argo CD and the Kubernetes side of each peer pod, not the pods themselves.', 'Standard_D4s_v5'),
      },
      'The AKS system pool, labelled node.kubernetes.io/worker for cloud-api-adaptor, in network.subnets.worker.',
    ),
    kbsPool: Section(
      {
        count: Count('Confidential nodes for the KBS.', 1, 3),
        vmSize: VmSize('Confidential VM size (AMD SEV-SNP DCasv5 or Intel TDX DCesv5/v6).', 'Standard_DC2as_v5'),
      },
      'A confidential VM pool, tainted for the Trustee KBS only, in network.subnets.kbs.',
    ),
    kbsAddress: Type.String({
      pattern: '^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$',
      default: '10.0.3.250',
      [EXPECTED_KEYWORD]: 'an IPv4 address inside network.subnets.kbs',
      description:
        'Private IP of the KBS internal load balancer in network.subnets.kbs. Pod VMs cannot resolve cluster DNS or reach ClusterIPs, so their attestation agent and confidential-data-hub use https://<kbsAddress>:8080 (in initdata); the KBS TLS certificate must name this IP.',
    }),
    podVm: Section(
      {
        imageId: Type.String({
          pattern: '^/(CommunityGalleries/[^/]+/Images/[^/]+/Versions/[^/]+|subscriptions/[0-9a-f-]{36}/resourceGroups/[^/]+/providers/Microsoft\\.Compute/galleries/[^/]+/images/[^/]+/versions/[^/]+)$',
          [EXPECTED_KEYWORD]: 'a pod-VM image version ID: /CommunityGalleries/<gallery>/Images/<image>/Versions/<version> or /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Compute/galleries/<gallery>/images/<image>/versions/<version>',
          description:
            'The pod-VM image (AZURE_IMAGE_ID): an exact image version, never "latest". A private gallery image gets a read-only role for cloud-api-adaptor; a community gallery image needs none. docs/peer-pods.md says which upstream image matches the chart.',
        }),
        instanceSize: VmSize('Default confidential VM size of a pod VM (AZURE_INSTANCE_SIZE): DCasv5/ECasv5 (SEV-SNP, attester az-snp-vtpm) or DCesv6 (TDX, az-tdx-vtpm).', 'Standard_DC2as_v5'),
        instanceSizes: Type.Array(VmSize('A confidential VM size.', 'Standard_DC2as_v5'), {
          default: [],
          uniqueItems: true,
          description: 'Further sizes a pod may ask for with the io.katacontainers.config.hypervisor.machine_type annotation (AZURE_INSTANCE_SIZES); instanceSize is always allowed.',
        }),
        limitPerNode: Count('Pod VMs one node may run at once (PEERPODS_LIMIT_PER_NODE: the kata.peerpods.io/vm extended resource cloud-api-adaptor advertises).', 10, 100),
      },
      'The confidential VM each kata-remote pod runs in (one VM per pod, billed as such).',
    ),
    identityClientId: Type.Optional(
      Uuid(
        'a client ID (lowercase UUID) from terraform output caa_identity_client_id',
        'Client ID of the cloud-api-adaptor managed identity (workload identity: no client secret anywhere). Known only after terraform apply: set it, synth and commit (docs/peer-pods.md). Omitted: cloud-api-adaptor and peerpod-ctrl stay without Azure credentials and refuse to start; POSTURE.md says so.',
      ),
    ),
  },
  { description: 'AKS with peer pods (cloud-api-adaptor: one confidential VM per kata-remote pod); required when infrastructure.provider is aks-peer-pods.' },
);

const Backend = Obj(
  {
    type: StringEnum(['local', 'azurerm'] as const, { default: 'local', description: 'Terraform state backend.' }),
    resourceGroupName: Type.Optional(Type.String({ minLength: 1 })),
    storageAccountName: Type.Optional(Type.String({ pattern: '^[a-z0-9]{3,24}$', [EXPECTED_KEYWORD]: '3-24 lowercase letters and digits' })),
    containerName: Type.Optional(Type.String({ minLength: 1 })),
    key: Type.Optional(Type.String({ minLength: 1 })),
  },
  { default: { type: 'local' }, description: 'Terraform state backend: local (default) or azurerm (all four azurerm fields required).' },
);

export const Infrastructure = Obj(
  {
    provider: StringEnum(['azure-tdx', 'aks-cvm', 'aks-peer-pods', 'none'] as const, {
      description: 'azure-tdx: kubeadm on TDX CVMs; aks-cvm: AKS with confidential nodes; aks-peer-pods: AKS whose kata-remote pods each run in their own confidential VM (cloud-api-adaptor); none: bring your own cluster.',
    }),
    location: Type.Optional(Type.String({ pattern: '^[a-z0-9]+$', [EXPECTED_KEYWORD]: 'an Azure region name such as westeurope', description: 'Azure region (required for Azure providers).' })),
    resourceGroup: Type.Optional(Type.String({ pattern: '^[-\\w._()]{1,89}[-\\w_()]$', [EXPECTED_KEYWORD]: 'an Azure resource group name', description: 'Resource group to create (required for Azure providers).' })),
    // Tag names are checked in rules/azure-tags.ts: a key pattern here would only become patternProperties, which lets other keys through unchecked.
    tags: Type.Record(Type.String(), Type.String({ maxLength: 256 }), { default: {}, description: 'Tags on every Azure resource: names of at most 512 characters without < > % & \\ ? /, values of at most 256 characters.' }),
    backend: Backend,
    network: Network,
    tdx: Type.Optional(TdxCluster),
    aks: Type.Optional(Aks),
    peerPods: Type.Optional(PeerPods),
  },
  { description: 'Azure infrastructure rendered with CDK for Terraform.' },
);

