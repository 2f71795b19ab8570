/** `kbs`: Trustee Key Broker Service (rendered by src/k8s/kbs, rules in rules/kbs.ts). */
import { Type } from '@sinclair/typebox';
import { Cidr, Component, Count, EXPECTED_KEYWORD, K8sName, Obj, Section, StringEnum } from '../schema-helpers';

/** One segment of a KBS resource path, as kbs/src/plugins/implementations/resource/backend.rs (v0.21.0) accepts it. */
const SEGMENT = '[A-Za-z0-9_-][A-Za-z0-9_.-]*';
const RESOURCE_PATH = `^${SEGMENT}/${SEGMENT}/${SEGMENT}$`;

const ResourcePath = (description: string) =>
  Type.String({ pattern: RESOURCE_PATH, [EXPECTED_KEYWORD]: 'a KBS resource path <repository>/<type>/<tag> such as default/image_key/nginx', description });

/** TEE names as the attestation service reports them (keys of `ear.veraison.annotated-evidence`). */
export const KBS_TEES = ['az-tdx-vtpm', 'az-snp-vtpm', 'tdx', 'snp', 'sample'] as const;
export type KbsTee = (typeof KBS_TEES)[number];

/** Intel DCAP quote verification results (deps/verifier/src/intel_dcap/claims.rs, v0.21.0). */
export const TCB_STATUSES = [
  'UpToDate',
  'SWHardeningNeeded',
  'ConfigurationNeeded',
  'ConfigurationAndSWHardeningNeeded',
  'TDRelaunchAdvised',
  'TDRelaunchAdvisedConfigurationNeeded',
  'OutOfDate',
  'OutOfDateConfigurationNeeded',
] as const;

const Quantity = (description: string, def: string) =>
  Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?(m|Ki|Mi|Gi|Ti)?$', [EXPECTED_KEYWORD]: 'a Kubernetes quantity such as 250m, 256Mi or 1Gi', description, default: def });

const SecretKey = Type.String({
  pattern: '^[-._a-zA-Z0-9]+$',
  maxLength: 253,
  [EXPECTED_KEYWORD]: 'a Secret data key (letters, digits, "-", "_" and ".")',
  description: 'Key inside the Secret whose bytes are the resource.',
});

const Resource = Obj(
  {
    path: ResourcePath('KBS resource path clients request (kbs:///<path>), e.g. default/image_key/nginx for an image decryption key.'),
    secretName: K8sName('Secret in the KBS namespace that holds the resource bytes; created by the operator, never rendered.'),
    secretKey: SecretKey,
  },
  { description: 'A resource the provisioning Job uploads through the admin API. Its path is also what the resource policy releases.' },
);

/** TEEs with hardware evidence (reference values and workload bindings never name the sample TEE). */
const HARDWARE_TEES = ['az-tdx-vtpm', 'az-snp-vtpm', 'tdx', 'snp'] as const;

const Measurement = Obj(
  {
    tee: StringEnum(HARDWARE_TEES, { description: 'TEE whose evidence carries the claim (one of kbs.attestation.tees).' }),
    claim: Type.String({
      pattern: '^[a-z0-9_]+(\\.[a-z0-9_]+){0,2}$',
      [EXPECTED_KEYWORD]: 'a claim path of 1 to 3 dot-separated names such as quote.body.mr_td or tpm.pcr11',
      description:
        'Claim of the TEE evidence, relative to the TEE, as the Trustee v0.21 verifiers name them (az-tdx-vtpm: tpm.pcr00 ... tpm.pcr23, quote.body.mr_td; az-snp-vtpm: tpm.pcr00 ... tpm.pcr23 (its verifier reports the SNP measurement in base64, which these hex values cannot name); tdx: quote.body.mr_td, quote.body.rtmr_0 ... rtmr_3; snp: measurement). docs/kbs.md says how to read them from a trusted node.',
    }),
    values: Type.Array(Type.String({ pattern: '^[0-9a-f]+$', [EXPECTED_KEYWORD]: 'lowercase hex, as the verifier reports it' }), {
      minItems: 1,
      uniqueItems: true,
      description: 'Accepted values of the claim (several during an image bump: the old and the new image).',
    }),
  },
  {
    description:
      'A reference value: the provisioning Job registers the values in the attestation service\'s reference value store (RVPS) under the id <tee>.<claim>; the attestation policy marks executables trusted (3) only when every reference value of the attested TEE matches.',
  },
);

const AcceptUnmeasured = Obj(
  {
    reason: Type.String({ minLength: 20, maxLength: 400, description: 'Why this environment releases resources without appraising what the TEE runs; shown in POSTURE.md.' }),
  },
  {
    description:
      'Acknowledge that kbs.attestation.measurements is empty: any genuine, non-debug TEE of the listed types passes (on az-tdx-vtpm any up-to-date Azure TDX CVM, in any subscription; Kata guests are still bound to their initdata). The production profile refuses empty measurements without it.',
  },
);

const ExternalWorkload = Obj(
  {
    name: Type.String({ minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9][-A-Za-z0-9./]*$', [EXPECTED_KEYWORD]: 'a workload name such as Deployment/shop/checkout', description: 'Who this is, for POSTURE.md and the rendered policy.' }),
    tee: StringEnum(['tdx', 'snp'] as const, { description: 'TEE of the workload\'s Kata runtime class.' }),
    initdataDigest: Type.String({
      pattern: '^sha256:[0-9a-f]{64}$',
      [EXPECTED_KEYWORD]: 'sha256:<64 hex digits>, as npx confidentialize reports it',
      description: 'Digest of the initdata the workload boots with (the confidentialize report prints it).',
    }),
    resources: Type.Array(ResourcePath('A resource the workload fetches.'), { minItems: 1, uniqueItems: true, description: 'Resources released to this workload.' }),
  },
  { description: 'A Kata workload this bundle does not render (e.g. made confidential by npx confidentialize) that KBS releases resources to.' },
);

export const Kbs = Component('Trustee Key Broker Service.', 'coco-tenant', {
  serviceClusterIP: Type.String({
    pattern: '^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$',
    default: '10.96.0.80',
    [EXPECTED_KEYWORD]: 'an IPv4 address inside the service CIDR',
    description: 'Fixed ClusterIP of the KBS Service, so node-level clients (no cluster DNS) reach it by address. Must lie inside infrastructure.network.serviceCidr.',
  }),
  replicas: Count('KBS replicas. More than 1 needs storage.accessMode ReadWriteMany (a ReadWriteOnce disk attaches to one node) and adds a PodDisruptionBudget.', 1, 5),
  storage: Section(
    {
      storageClassName: Type.Optional(K8sName('StorageClass of the KBS state volume (on AKS: managed-csi-premium). Omitted: the cluster default class, or the local volume of localPath.')),
      localPath: Type.Optional(
        Type.String({
          pattern: '^(/[A-Za-z0-9._-]+)+$',
          [EXPECTED_KEYWORD]: 'an absolute path such as /var/lib/coco-kbs',
          description:
            'azure-tdx with the dedicated KBS node only: keep the state in this folder of kbs-server, as a local PersistentVolume (the kubeadm cluster has no CSI driver, so no dynamic class binds there). The node creates the folder at boot. Excludes storageClassName and ReadWriteMany.',
        }),
      ),
      size: Quantity('Size of the KBS state volume.', '1Gi'),
      accessMode: StringEnum(['ReadWriteOnce', 'ReadWriteMany'] as const, { default: 'ReadWriteOnce', description: 'Access mode of the state volume.' }),
    },
    'Persistent volume holding all KBS state (resources, policies, reference values, attestation sessions, DCAP collateral cache). Never emptyDir.',
  ),
  compute: Section(
    {
      cpuRequest: Quantity('CPU request of the KBS container.', '100m'),
      memoryRequest: Quantity('Memory request of the KBS container.', '128Mi'),
      memoryLimit: Quantity('Memory limit of the KBS container.', '512Mi'),
    },
    'Container resources of the KBS.',
  ),
  tlsSecretName: Type.Optional(
    K8sName(
      'kubernetes.io/tls Secret (tls.crt, tls.key, optional ca.crt) in the KBS namespace: KBS serves HTTPS with it. Its certificate must name kbs.<namespace>.svc.cluster.local and the serviceClusterIP.',
    ),
  ),
  insecureHttpReason: Type.Optional(
    Type.String({
      minLength: 10,
      maxLength: 300,
      description: 'Serve plain HTTP (no tlsSecretName) for this stated reason. Production needs it for plain HTTP; dev also accepts devSwitches.allowInsecureHttpKbs.',
    }),
  ),
  admin: Section(
    {
      publicKeySecretName: K8sName('Secret (key public.pub) with the Ed25519 admin public key (PEM) KBS verifies admin tokens with.', 'kbs-admin-public-key'),
      resourceTokenSecretName: K8sName(
        'Secret (key token) with the admin JWT of resourceRole, which the provisioning Job uploads resources with; signed by the admin private key, which stays off the cluster.',
        'kbs-admin-token-resources',
      ),
      policyTokenSecretName: K8sName(
        'Secret (key token) with the admin JWT of policyRole, which the provisioning Job sets the policies and reference values with.',
        'kbs-admin-token-policies',
      ),
      issuer: Type.String({ pattern: '^[A-Za-z0-9][-A-Za-z0-9._:/]*$', default: 'coco-azure-gitops', [EXPECTED_KEYWORD]: 'a JWT issuer name', description: 'Required `iss` of admin tokens.' }),
      audience: Type.String({ pattern: '^[A-Za-z0-9][-A-Za-z0-9._:/]*$', default: 'kbs', [EXPECTED_KEYWORD]: 'a JWT audience name', description: 'Required `aud` of admin tokens.' }),
      resourceRole: Type.String({
        pattern: '^[a-z][-a-z0-9]*$',
        default: 'resource-uploader',
        [EXPECTED_KEYWORD]: 'a lowercase role name',
        description: '`role` claim the admin ACL grants resource uploads to (POST /kbs/v0/resource/<path>), nothing else.',
      }),
      policyRole: Type.String({
        pattern: '^[a-z][-a-z0-9]*$',
        default: 'policy-admin',
        [EXPECTED_KEYWORD]: 'a lowercase role name',
        description: '`role` claim the admin ACL grants the resource policy, the attestation policy and reference values to, nothing else.',
      }),
      maxTokenHours: Type.Integer({
        minimum: 1,
        maximum: 720,
        default: 24,
        description: 'Longest admin token lifetime (exp - iat) the provisioning Job accepts; it refuses longer-lived and expired tokens before uploading anything.',
      }),
    },
    'Admin API authentication: bearer JWTs signed with an Ed25519 key (authorization_mode AuthenticatedAuthorization).',
  ),
  tokenSignerSecretName: Type.Optional(
    K8sName(
      'Secret (keys token.key: P-256 private key, token-cert-chain.pem: its certificate chain, ca.crt: the root) the attestation service signs tokens with and KBS verifies them against. Omitted: ephemeral key and insecure_header_jwk (dev only, behind devSwitches.allowSampleTeePolicy).',
    ),
  ),
  attestation: Section(
    {
      tees: Type.Array(StringEnum(KBS_TEES), {
        default: [],
        uniqueItems: true,
        description: 'TEEs whose evidence the policies accept (az-tdx-vtpm for Azure TDX CVMs). Required when KBS is enabled; sample only in dev with devSwitches.allowSampleTeePolicy.',
      }),
      tcbStatuses: Type.Array(StringEnum(TCB_STATUSES), {
        default: ['UpToDate'],
        minItems: 1,
        uniqueItems: true,
        description: 'Accepted Intel TCB statuses of TDX quotes (production refuses OutOfDate*).',
      }),
      measurements: Type.Array(Measurement, {
        default: [],
        description: 'Reference values of what the nodes or guests must run. Empty: executables are not appraised, which the production profile refuses without acceptUnmeasured.',
      }),
      acceptUnmeasured: Type.Optional(AcceptUnmeasured),
    },
    'Attestation policy generated for the built-in attestation service.',
  ),
  resources: Type.Array(Resource, { default: [], description: 'Resources uploaded by the provisioning Job (Argo CD PostSync hook) from operator-created Secrets.' }),
  resourcePolicy: Section(
    {
      allowAll: Type.Boolean({ default: false, description: 'DEV ONLY: release every resource to every attested client (needs devSwitches.allowSampleTeePolicy; production refuses).' }),
      extraPaths: Type.Array(ResourcePath('A resource path uploaded by hand that the policy also releases.'), {
        default: [],
        uniqueItems: true,
        description: 'Paths released besides those of `resources`, to the workloads that reference them like any other.',
      }),
      externalWorkloads: Type.Array(ExternalWorkload, { default: [], description: 'Kata workloads outside this bundle and the resources released to them.' }),
    },
    'Resource policy generated for KBS: releases each resource only to the workloads that reference it (Kata guests by their initdata digest; node-level clients as measured nodes), in trusted TEEs.',
  ),
  access: Section(
    {
      workerNodes: Type.Boolean({ default: false, description: 'Let node-level clients (CDH on worker nodes) reach KBS: allows infrastructure.network.subnets.worker (provider azure-tdx).' }),
      namespaces: Type.Array(K8sName('A namespace whose pods (e.g. Kata guests) call KBS.'), { default: [], uniqueItems: true, description: 'Namespaces allowed to reach KBS.' }),
      cidrs: Type.Array(Cidr('A source range allowed to reach KBS.'), { default: [], uniqueItems: true, description: 'Other source ranges allowed to reach KBS (production refuses 0.0.0.0/0).' }),
    },
    'NetworkPolicy: who may reach KBS on 8080 besides the provisioning Job.',
  ),
});
