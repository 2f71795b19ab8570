/**
 * Rules for `kbs`: the Service address, storage versus replicas, and the production gates
 * (no sample TEE, no allow-all policy, no unendorsed attestation tokens, no plain HTTP without a
 * stated reason, no out-of-date TCB, no Internet-wide access).
 */
import type { EnvironmentConfig } from '../schema';
import { contains, INTERNET_SOURCES, parseCidr } from '../../shared/network';
import type { Report } from './report';
import { checkKbsAttestation } from './kbs-attestation';
import { checkKbsAdmin } from './kbs-admin';

const OUT_OF_DATE = ['OutOfDate', 'OutOfDateConfigurationNeeded'];

export function checkKbs(env: EnvironmentConfig, report: Report): void {
  const kbs = env.kbs;
  if (!kbs.enabled) return;
  const production = env.profile === 'production';
  const dev = env.devSwitches;

  const svc = parseCidr(env.infrastructure.network.serviceCidr);
  const ip = parseCidr(`${kbs.serviceClusterIP}/32`);
  if (svc && ip && !contains(svc, ip)) {
    report('/kbs/serviceClusterIP', `an address inside infrastructure.network.serviceCidr ${env.infrastructure.network.serviceCidr}`, kbs.serviceClusterIP);
  }

  if (kbs.replicas > 1 && kbs.storage.accessMode !== 'ReadWriteMany') {
    report('/kbs/replicas', `1 (storage.accessMode ${kbs.storage.accessMode} attaches the KBS state volume to one node; use ReadWriteMany for more replicas)`, kbs.replicas);
  }

  const local = kbs.storage.localPath;
  if (local !== undefined) {
    const tdx = env.infrastructure.provider === 'azure-tdx' ? env.infrastructure.tdx : undefined;
    if (!tdx?.kbsNode.enabled) report('/kbs/storage/localPath', 'nothing, unless infrastructure.provider is azure-tdx with infrastructure.tdx.kbsNode.enabled (the folder lives on the dedicated KBS node)', local);
    if (kbs.storage.storageClassName !== undefined) report('/kbs/storage/storageClassName', 'nothing when storage.localPath is set (the local volume has its own class)', kbs.storage.storageClassName);
    if (kbs.storage.accessMode !== 'ReadWriteOnce') report('/kbs/storage/accessMode', 'ReadWriteOnce with storage.localPath (a local folder is on one node)', kbs.storage.accessMode);
  }

  // Transport: HTTPS, or plain HTTP with a reason (production) or the dev switch.
  if (kbs.tlsSecretName !== undefined && kbs.insecureHttpReason !== undefined) {
    report('/kbs/insecureHttpReason', 'nothing when tlsSecretName is set (KBS serves HTTPS)', kbs.insecureHttpReason);
  }
  if (kbs.tlsSecretName === undefined && kbs.insecureHttpReason === undefined) {
    if (production) {
      report('/kbs/tlsSecretName', 'a kubernetes.io/tls Secret name (profile production serves KBS over HTTPS; plain HTTP needs kbs.insecureHttpReason)', undefined);
    } else if (!dev.allowInsecureHttpKbs) {
      report('/kbs/tlsSecretName', 'a kubernetes.io/tls Secret name (plain HTTP needs kbs.insecureHttpReason or devSwitches.allowInsecureHttpKbs)', undefined);
    }
  }

  // Attestation: at least one TEE; the sample TEE only in dev behind the switch.
  if (kbs.attestation.tees.length === 0) {
    report('/kbs/attestation/tees', `at least one TEE (${env.infrastructure.provider === 'azure-tdx' ? 'az-tdx-vtpm for Azure TDX confidential VMs' : 'e.g. az-tdx-vtpm, tdx or snp'})`, kbs.attestation.tees);
  }
  kbs.attestation.tees.forEach((tee, i) => {
    if (tee !== 'sample') return;
    if (production) report(`/kbs/attestation/tees/${i}`, 'a hardware TEE (profile production refuses the sample TEE, which any machine can impersonate)', tee);
    else if (!dev.allowSampleTeePolicy) report(`/kbs/attestation/tees/${i}`, 'a hardware TEE (the sample TEE needs devSwitches.allowSampleTeePolicy)', tee);
  });
  checkKbsAttestation(env, report);
  checkKbsAdmin(env, report);
  kbs.attestation.tcbStatuses.forEach((status, i) => {
    if (production && OUT_OF_DATE.includes(status)) {
      report(`/kbs/attestation/tcbStatuses/${i}`, 'a TCB status without known unpatched vulnerabilities (profile production refuses OutOfDate*)', status);
    }
  });

  // Tokens without a signer are checked only against the key in their own header: anyone can mint one.
  if (kbs.tokenSignerSecretName === undefined) {
    if (production) {
      report('/kbs/tokenSignerSecretName', 'a Secret with the attestation token signing key and certificates (profile production refuses insecure_header_jwk)', undefined);
    } else if (!dev.allowSampleTeePolicy) {
      report('/kbs/tokenSignerSecretName', 'a Secret with the attestation token signing key and certificates (insecure_header_jwk needs devSwitches.allowSampleTeePolicy)', undefined);
    }
  }

  if (kbs.resourcePolicy.allowAll) {
    if (production) report('/kbs/resourcePolicy/allowAll', 'false (profile production refuses the allow-all resource policy)', true);
    else if (!dev.allowSampleTeePolicy) report('/kbs/resourcePolicy/allowAll', 'false (the allow-all resource policy needs devSwitches.allowSampleTeePolicy)', true);
  }
  const paths = new Map<string, string>();
  kbs.resources.forEach((r, i) => {
    const first = paths.get(r.path);
    if (first) report(`/kbs/resources/${i}/path`, `a path not already uploaded by ${first}`, r.path);
    else paths.set(r.path, `/kbs/resources/${i}`);
  });
  kbs.resourcePolicy.extraPaths.forEach((p, i) => {
    if (paths.has(p)) report(`/kbs/resourcePolicy/extraPaths/${i}`, `a path not already listed in ${paths.get(p)}`, p);
  });
  for (const [name, secretName] of [
    ['admin/publicKeySecretName', kbs.admin.publicKeySecretName],
    ['admin/policyTokenSecretName', kbs.admin.policyTokenSecretName],
    ['admin/resourceTokenSecretName', kbs.admin.resourceTokenSecretName],
    ['tlsSecretName', kbs.tlsSecretName],
    ['tokenSignerSecretName', kbs.tokenSignerSecretName],
  ] as const) {
    // Resource Secrets are mounted into the provisioning Job only; KBS key material must not be.
    const clash = kbs.resources.findIndex((r) => r.secretName === secretName);
    if (secretName !== undefined && clash >= 0) report(`/kbs/resources/${clash}/secretName`, `a Secret other than kbs.${name.replace('/', '.')} (the provisioning Job mounts resource Secrets whole)`, secretName);
  }

  if (kbs.access.workerNodes && env.infrastructure.provider !== 'azure-tdx') {
    report('/kbs/access/workerNodes', `false (the worker subnet is known for provider azure-tdx only; list node ranges in kbs.access.cidrs for provider ${env.infrastructure.provider})`, true);
  }
  kbs.access.cidrs.forEach((cidr, i) => {
    const parsed = parseCidr(cidr);
    if (production && parsed && (INTERNET_SOURCES.includes(cidr) || parsed.prefix === 0)) {
      report(`/kbs/access/cidrs/${i}`, 'a specific source range (profile production refuses 0.0.0.0/0 to KBS)', cidr);
    }
  });
}
