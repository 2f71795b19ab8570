// The `kbs` config section: defaults of the shipped environments, and every rule of
// src/config/rules/kbs.ts, production gates first, each failing with path, expected and found.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { loadEnvironment } from '../src/config/load';
import { formatProblem, UserInputError } from '../src/config/errors';
import { makeTempRepo, readEnvFile } from './support/repo';
import { repoRoot } from './support/tools';

/** Problems about `/kbs` (or other `only` prefixes) when `text` is loaded as an environment file. */
function kbsProblems(text: string, only = ['/kbs']): string[] {
  const dir = makeTempRepo();
  writeFileSync(join(dir, 'config/environments/broken.yaml'), text);
  try {
    loadEnvironment(dir, 'broken');
  } catch (e) {
    if (!(e instanceof UserInputError)) throw e;
    return e.problems.filter((p) => only.some((prefix) => p.path.startsWith(prefix))).map((p) => formatProblem({ ...p, line: undefined }));
  }
  return [];
}

/** Replaces `from` (which must occur exactly once) by `to`. */
function edit(text: string, from: string, to: string): string {
  expect(text.split(from)).toHaveLength(2);
  return text.replace(from, to);
}

const tdx = readEnvFile('azure-tdx');
const dev = readEnvFile('coco-dev');
const F = 'config/environments/broken.yaml';

describe('shipped environments', () => {
  it('azure-tdx and coco-dev have no kbs problems; aks-cvm disables KBS', () => {
    expect(kbsProblems(tdx)).toEqual([]);
    expect(kbsProblems(dev)).toEqual([]);
    expect(loadEnvironment(repoRoot(), 'aks-cvm').config.kbs.enabled).toBe(false);
  });

  it('applies the documented defaults in the loader', () => {
    const { kbs } = loadEnvironment(repoRoot(), 'coco-dev').config;
    expect(kbs.replicas).toBe(1);
    expect(kbs.serviceClusterIP).toBe('10.96.0.80');
    expect(kbs.storage).toEqual({ size: '1Gi', accessMode: 'ReadWriteOnce' });
    expect(kbs.admin).toEqual({
      publicKeySecretName: 'kbs-admin-public-key',
      policyTokenSecretName: 'kbs-admin-token-policies',
      resourceTokenSecretName: 'kbs-admin-token-resources',
      issuer: 'coco-azure-gitops',
      audience: 'kbs',
      policyRole: 'policy-admin',
      resourceRole: 'resource-uploader',
      maxTokenHours: 24,
    });
    expect(kbs.attestation.tcbStatuses).toEqual(['UpToDate']);
    expect(kbs.resourcePolicy).toEqual({ allowAll: false, extraPaths: [], externalWorkloads: [] });
    expect(kbs.attestation.acceptUnmeasured).toBeUndefined();
    expect(kbs.tlsSecretName).toBeUndefined();
  });
});

describe('production gates (azure-tdx, profile production)', () => {
  it('refuses the sample TEE', () => {
    expect(kbsProblems(edit(tdx, 'tees: [az-tdx-vtpm]', 'tees: [az-tdx-vtpm, sample]'))).toEqual([
      `${F}: /kbs/attestation/tees/1: expected a hardware TEE (profile production refuses the sample TEE, which any machine can impersonate), found string "sample"`,
    ]);
  });

  it('refuses the allow-all resource policy', () => {
    expect(kbsProblems(edit(tdx, '  resources:\n', '  resourcePolicy:\n    allowAll: true\n  resources:\n'))).toEqual([
      `${F}: /kbs/resourcePolicy/allowAll: expected false (profile production refuses the allow-all resource policy), found boolean true`,
    ]);
  });

  it('refuses plain HTTP without a stated reason, accepts it with one', () => {
    const http = edit(tdx, '  tlsSecretName: kbs-tls\n', '');
    expect(kbsProblems(http)).toEqual([
      `${F}: /kbs/tlsSecretName: expected a kubernetes.io/tls Secret name (profile production serves KBS over HTTPS; plain HTTP needs kbs.insecureHttpReason), found nothing`,
    ]);
    expect(kbsProblems(edit(http, '  tokenSignerSecretName:', '  insecureHttpReason: TLS is terminated by the mesh sidecar\n  tokenSignerSecretName:'))).toEqual([]);
    expect(kbsProblems(edit(tdx, '  tokenSignerSecretName:', '  insecureHttpReason: TLS is terminated by the mesh sidecar\n  tokenSignerSecretName:'))).toEqual([
      `${F}: /kbs/insecureHttpReason: expected nothing when tlsSecretName is set (KBS serves HTTPS), found string "TLS is terminated by the mesh sidecar"`,
    ]);
  });

  it('refuses the dev switch for plain HTTP (every dev switch is refused)', () => {
    const text = `${edit(tdx, '  tlsSecretName: kbs-tls\n', '')}devSwitches:\n  allowInsecureHttpKbs: true\n`;
    expect(kbsProblems(text, ['/kbs', '/devSwitches'])).toEqual([
      `${F}: /kbs/tlsSecretName: expected a kubernetes.io/tls Secret name (profile production serves KBS over HTTPS; plain HTTP needs kbs.insecureHttpReason), found nothing`,
      `${F}: /devSwitches/allowInsecureHttpKbs: expected false (profile production refuses dev switches), found boolean true`,
    ]);
  });

  it('refuses unendorsed attestation tokens (no token signer)', () => {
    expect(kbsProblems(edit(tdx, '  tokenSignerSecretName: kbs-token-signer\n', ''))).toEqual([
      `${F}: /kbs/tokenSignerSecretName: expected a Secret with the attestation token signing key and certificates (profile production refuses insecure_header_jwk), found nothing`,
    ]);
  });

  it('refuses out-of-date TCB statuses', () => {
    expect(kbsProblems(edit(tdx, '    tees: [az-tdx-vtpm]\n', '    tees: [az-tdx-vtpm]\n    tcbStatuses: [UpToDate, SWHardeningNeeded, OutOfDate]\n'))).toEqual([
      `${F}: /kbs/attestation/tcbStatuses/2: expected a TCB status without known unpatched vulnerabilities (profile production refuses OutOfDate*), found string "OutOfDate"`,
    ]);
  });

  it('refuses a TEE running unrecognised software unless acceptUnmeasured names a reason', () => {
    const unacknowledged = tdx.replace(/ {4}acceptUnmeasured:\n {6}reason: .*\n/, '');
    expect(unacknowledged).not.toMatch(/^ {4}acceptUnmeasured:/m);
    expect(kbsProblems(unacknowledged)).toEqual([
      `${F}: /kbs/attestation/measurements: expected reference values for az-tdx-vtpm (profile production refuses a TEE running unrecognised software; docs/kbs.md says how to read them from a trusted node) or kbs.attestation.acceptUnmeasured with a reason, found a list (0 items)`,
    ]);
    const measured = edit(unacknowledged, '    tees: [az-tdx-vtpm]\n', `    tees: [az-tdx-vtpm]\n    measurements:\n      - tee: az-tdx-vtpm\n        claim: tpm.pcr11\n        values: ["${'a'.repeat(64)}"]\n`);
    expect(kbsProblems(measured)).toEqual([]);
    // Both at once contradict each other; a reference value of a TEE that is not listed is refused.
    expect(kbsProblems(edit(tdx, '    tees: [az-tdx-vtpm]\n', `    tees: [az-tdx-vtpm]\n    measurements:\n      - tee: tdx\n        claim: quote.body.mr_td\n        values: [aa]\n`))).toEqual([
      `${F}: /kbs/attestation/measurements/0/tee: expected one of kbs.attestation.tees (az-tdx-vtpm), found string "tdx"`,
      `${F}: /kbs/attestation/acceptUnmeasured: expected nothing when kbs.attestation.measurements are configured (give reference values for every TEE instead), found a mapping`,
    ]);
  });

  it('keeps the two admin roles apart', () => {
    const same = edit(tdx, '  tlsSecretName: kbs-tls\n', '  tlsSecretName: kbs-tls\n  admin:\n    policyRole: uploader\n    resourceRole: uploader\n    policyTokenSecretName: kbs-admin-token\n    resourceTokenSecretName: kbs-admin-token\n');
    expect(kbsProblems(same)).toEqual([
      `${F}: /kbs/admin/policyRole: expected a role other than kbs.admin.resourceRole (least privilege: policies and resources are separate roles), found string "uploader"`,
      `${F}: /kbs/admin/policyTokenSecretName: expected a Secret other than kbs.admin.resourceTokenSecretName (each role has its own token), found string "kbs-admin-token"`,
    ]);
  });

  it('external workloads name a listed TEE and held resources', () => {
    const text = edit(tdx, '  resources:\n', `  resourcePolicy:\n    externalWorkloads:\n      - name: Deployment/shop/checkout\n        tee: snp\n        initdataDigest: sha256:${'b'.repeat(64)}\n        resources: [default/app/other]\n  resources:\n`);
    expect(kbsProblems(text)).toEqual([
      `${F}: /kbs/resourcePolicy/externalWorkloads/0/tee: expected one of kbs.attestation.tees (az-tdx-vtpm), found string "snp"`,
      `${F}: /kbs/resourcePolicy/externalWorkloads/0/resources/0: expected a path of kbs.resources or kbs.resourcePolicy.extraPaths, found string "default/app/other"`,
    ]);
  });

  it('refuses KBS access from the whole Internet', () => {
    expect(kbsProblems(edit(tdx, '    workerNodes: true', '    workerNodes: true\n    cidrs: [0.0.0.0/0]'))).toEqual([
      `${F}: /kbs/access/cidrs/0: expected a specific source range (profile production refuses 0.0.0.0/0 to KBS), found string "0.0.0.0/0"`,
    ]);
  });
});

describe('dev gates (coco-dev)', () => {
  it('the sample TEE and unendorsed tokens need devSwitches.allowSampleTeePolicy', () => {
    expect(kbsProblems(edit(dev, '  allowSampleTeePolicy: true', '  allowSampleTeePolicy: false'))).toEqual([
      `${F}: /kbs/tokenSignerSecretName: expected a Secret with the attestation token signing key and certificates (insecure_header_jwk needs devSwitches.allowSampleTeePolicy), found nothing`,
      `${F}: /kbs/attestation/tees/0: expected a hardware TEE (the sample TEE needs devSwitches.allowSampleTeePolicy), found string "sample"`,
    ].sort());
  });

  it('plain HTTP needs the dev switch or a reason', () => {
    const off = edit(dev, '  allowInsecureHttpKbs: true', '  allowInsecureHttpKbs: false');
    expect(kbsProblems(off)).toEqual([
      `${F}: /kbs/tlsSecretName: expected a kubernetes.io/tls Secret name (plain HTTP needs kbs.insecureHttpReason or devSwitches.allowInsecureHttpKbs), found nothing`,
    ]);
    expect(kbsProblems(edit(off, '  namespace: coco-tenant\n', '  namespace: coco-tenant\n  insecureHttpReason: kind cluster on a laptop\n'))).toEqual([]);
  });

  it('allow-all is accepted in dev behind the switch', () => {
    expect(kbsProblems(edit(dev, '  resources:\n', '  resourcePolicy:\n    allowAll: true\n  resources:\n'))).toEqual([]);
  });
});

describe('rules for every profile', () => {
  it('the Service address must lie in the service CIDR', () => {
    expect(kbsProblems(edit(tdx, '  namespace: coco-tenant\n', '  namespace: coco-tenant\n  serviceClusterIP: 10.0.3.80\n'))).toEqual([
      `${F}: /kbs/serviceClusterIP: expected an address inside infrastructure.network.serviceCidr 10.96.0.0/12, found string "10.0.3.80"`,
    ]);
  });

  it('more than one replica needs ReadWriteMany storage', () => {
    const two = edit(dev, '  namespace: coco-tenant\n', '  namespace: coco-tenant\n  replicas: 2\n');
    expect(kbsProblems(two)).toEqual([
      `${F}: /kbs/replicas: expected 1 (storage.accessMode ReadWriteOnce attaches the KBS state volume to one node; use ReadWriteMany for more replicas), found number 2`,
    ]);
    expect(kbsProblems(edit(two, '  replicas: 2\n', '  replicas: 2\n  storage:\n    accessMode: ReadWriteMany\n'))).toEqual([]);
  });

  it('at least one TEE', () => {
    expect(kbsProblems(edit(tdx, '    tees: [az-tdx-vtpm]\n', '    tees: []\n'))).toEqual([
      `${F}: /kbs/attestation/tees: expected at least one TEE (az-tdx-vtpm for Azure TDX confidential VMs), found a list (0 items)`,
    ]);
  });

  it('resource paths are unique and never come from KBS key Secrets', () => {
    const dup = edit(dev, '    - path: default/secret/1\n      secretName: kbs-resource-secret-1', '    - path: default/key/ssh-demo\n      secretName: kbs-admin-token-resources');
    expect(kbsProblems(dup)).toEqual([
      `${F}: /kbs/resources/1/path: expected a path not already uploaded by /kbs/resources/0, found string "default/key/ssh-demo"`,
      `${F}: /kbs/resources/1/secretName: expected a Secret other than kbs.admin.resourceTokenSecretName (the provisioning Job mounts resource Secrets whole), found string "kbs-admin-token-resources"`,
    ]);
  });

  it('worker-node access needs the azure-tdx worker subnet', () => {
    expect(kbsProblems(edit(dev, '  access:\n', '  access:\n    workerNodes: true\n'))).toEqual([
      `${F}: /kbs/access/workerNodes: expected false (the worker subnet is known for provider azure-tdx only; list node ranges in kbs.access.cidrs for provider none), found boolean true`,
    ]);
  });

  it('schema: resource paths, measurements and quantities are checked with readable messages', () => {
    const text = edit(dev, '    - path: default/secret/1', '    - path: default/secret');
    expect(kbsProblems(text)).toEqual([
      `${F}: /kbs/resources/1/path: expected a KBS resource path <repository>/<type>/<tag> such as default/image_key/nginx, found string "default/secret"`,
    ]);
    const m = edit(dev, '    tees: [sample]', '    tees: [sample]\n    measurements:\n      - tee: tdx\n        claim: quote.body.mr_td.x.y\n        values: [ABCD]');
    expect(kbsProblems(m)).toEqual([
      `${F}: /kbs/attestation/measurements/0/claim: expected a claim path of 1 to 3 dot-separated names such as quote.body.mr_td or tpm.pcr11, found string "quote.body.mr_td.x.y"`,
      `${F}: /kbs/attestation/measurements/0/values/0: expected lowercase hex, as the verifier reports it, found string "ABCD"`,
    ]);
  });

  it('a disabled KBS is not checked', () => {
    const off = edit(dev, '  namespace: coco-tenant\n', '  enabled: false\n  namespace: coco-tenant\n  serviceClusterIP: 192.168.0.1\n');
    expect(kbsProblems(edit(off, '    tees: [sample]', '    tees: []'))).toEqual([]);
  });
});
