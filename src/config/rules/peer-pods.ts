/**
 * Rules for `infrastructure.peerPods` (provider aks-peer-pods): what has to hold for a kata-remote
 * pod to get its own confidential VM and attest to the KBS from it.
 */
import type { EnvironmentConfig } from '../schema';
import { contains, isAzureUsableAddress, mustParseCidr, parseCidr } from '../../shared/network';
import { isConfidentialSize, isIntelTdxSize } from '../../shared/vm-sizes';
import type { KbsTee } from '../sections/kbs';
import type { Report } from './report';

const CONFIDENTIAL_SIZE = 'a confidential VM size (AMD SEV-SNP DCasv5/ECasv5 or Intel TDX DCesv6, e.g. Standard_DC2as_v5)';

/** The attester a pod VM of this size runs (the upstream pod-VM image is built for az-cvm-vtpm: both). */
export function podVmTee(size: string): KbsTee {
  return isIntelTdxSize(size) ? 'az-tdx-vtpm' : 'az-snp-vtpm';
}

export function checkPeerPods(env: EnvironmentConfig, report: Report): void {
  const pp = env.infrastructure.peerPods;
  if (!pp) return;
  const base = '/infrastructure/peerPods';
  if (!`${pp.kubernetesVersion}.`.startsWith(`${env.kubernetesVersion}.`)) {
    report(`${base}/kubernetesVersion`, `a ${env.kubernetesVersion} version (kubernetesVersion is ${env.kubernetesVersion}: the manifests are validated against it)`, pp.kubernetesVersion);
  }
  if (!isConfidentialSize(pp.kbsPool.vmSize)) report(`${base}/kbsPool/vmSize`, CONFIDENTIAL_SIZE, pp.kbsPool.vmSize);
  if (isConfidentialSize(pp.nodePool.vmSize)) {
    // Nothing on the nodes needs a TEE; a CVM node would only cost more (and DCasv5 has no nested virtualization either).
    report(`${base}/nodePool/vmSize`, 'a regular VM size such as Standard_D4s_v5 (pods run in their own confidential VMs, not on the node)', pp.nodePool.vmSize);
  }
  const sizes = [['instanceSize', pp.podVm.instanceSize] as const, ...pp.podVm.instanceSizes.map((s, i) => [`instanceSizes/${i}`, s] as const)];
  for (const [path, size] of sizes) {
    if (!isConfidentialSize(size)) report(`${base}/podVm/${path}`, CONFIDENTIAL_SIZE, size);
    else if (env.kbs.enabled && !(env.kbs.attestation.tees as readonly string[]).includes(podVmTee(size))) {
      report('/kbs/attestation/tees', `a list with ${podVmTee(size)} (pod VMs of size ${size} attest with it)`, env.kbs.attestation.tees);
    }
  }
  if (/\/Versions?\/latest$/i.test(pp.podVm.imageId)) report(`${base}/podVm/imageId`, 'an exact image version (a pod VM must boot the image its measurements were taken from)', pp.podVm.imageId);

  const kbsSubnet = parseCidr(env.infrastructure.network.subnets.kbs);
  const address = mustParseCidr(`${pp.kbsAddress}/32`);
  if (kbsSubnet && !contains(kbsSubnet, address)) {
    report(`${base}/kbsAddress`, `an address inside network.subnets.kbs ${kbsSubnet.text}`, pp.kbsAddress);
  } else if (kbsSubnet && !isAzureUsableAddress(pp.kbsAddress, kbsSubnet)) {
    report(`${base}/kbsAddress`, `an address Azure does not reserve (not the first four or the last of ${kbsSubnet.text})`, pp.kbsAddress);
  }

  // The environment is only peer pods: kata-remote is the one runtime that runs on these nodes.
  const classes = env.runtime.runtimeClasses;
  if (!env.runtime.enabled || classes.length !== 1 || classes[0] !== 'kata-remote') {
    report('/runtime/runtimeClasses', 'exactly [kata-remote] with runtime.enabled (provider aks-peer-pods runs every confidential pod as a peer-pod VM)', env.runtime.enabled ? classes : 'runtime.enabled: false');
  }
  if (!env.kbs.enabled) report('/kbs/enabled', 'true (pod VMs attest to the in-cluster KBS for their keys and secrets)', false);
  if (env.guestComponents.enabled) report('/guestComponents/enabled', 'false (AKS nodes are not reconfigured; pod VMs bring their own guest components)', true);
}
