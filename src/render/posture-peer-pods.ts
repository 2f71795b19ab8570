/**
 * The peer-pods section of POSTURE.md (provider aks-peer-pods): what each kata-remote pod costs and
 * runs in, how cloud-api-adaptor authenticates, and what the pod VMs may reach. Everything comes
 * from the shared model (src/shared/peer-pods.ts) the Terraform and the chart values use.
 */
import type { EnvironmentConfig } from '../config/schema';
import { podVmTee } from '../config/rules/peer-pods';
import { peerPodsModel, POD_VM_AGENT_PORT, POD_VM_VXLAN_PORT } from '../shared/peer-pods';

export function peerPodsPosture(config: EnvironmentConfig, environment: string): string[] {
  const model = peerPodsModel(config, environment);
  if (!model) return [];
  const pp = model.config;
  const sizes = model.instanceSizes.map((s) => `\`${s}\` (${podVmTee(s)})`).join(', ');
  const identity =
    pp.identityClientId !== undefined
      ? `workload identity, client ID \`${pp.identityClientId}\`, federated with ${model.federatedSubjects.map((s) => `\`${s}\``).join(' and ')}; no client secret`
      : '**not set yet: cloud-api-adaptor and peerpod-ctrl have no Azure credentials and do not start** until `infrastructure.peerPods.identityClientId` holds `terraform output -raw caa_identity_client_id` (docs/peer-pods.md, step 6)';
  return [
    '## Peer pods',
    '',
    `- **One confidential VM per kata-remote pod**, billed as such: ${sizes}; the first is the default, the others by the \`io.katacontainers.config.hypervisor.machine_type\` annotation.`,
    `- At most ${pp.podVm.limitPerNode} pod VMs per node, ${pp.podVm.limitPerNode * pp.nodePool.count} in the cluster (${pp.nodePool.count} nodes).`,
    `- Pod-VM image: \`${pp.podVm.imageId}\`.`,
    `- cloud-api-adaptor's Azure identity: ${identity}.`,
    `- Pod VMs reach the KBS at \`${model.kbsUrl}\` (internal load balancer in subnet \`${model.names.kbsSubnet}\`, admitting \`${model.podVmSubnetCidr}\` only).`,
    `- Pod-VM NSG: in TCP ${POD_VM_AGENT_PORT} and UDP ${POD_VM_VXLAN_PORT} from the nodes (\`${model.nodeSubnetCidr}\`); out only to the KBS, the nodes (UDP ${POD_VM_VXLAN_PORT}) and TCP 443 on the Internet.`,
    '',
  ];
}
