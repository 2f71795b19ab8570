/**
 * Names and in-container paths the KBS objects share: the config TOML points at the files the
 * Deployment mounts, and the provisioning Job at the files its volumes hold. One place, so the
 * TOML and the mounts cannot drift apart.
 */

/** Object names in the KBS namespace (the Service name is KBS_SERVICE_NAME in src/shared/kbs-endpoint.ts). */
export const KBS_NAMES = {
  deployment: 'kbs',
  serviceAccount: 'kbs',
  configMap: 'kbs-config',
  policies: 'kbs-policies',
  stateClaim: 'kbs-state',
  networkPolicy: 'kbs',
  disruptionBudget: 'kbs',
  provisionJob: 'kbs-provision',
  provisionServiceAccount: 'kbs-provision',
  provisionConfigMap: 'kbs-provision',
} as const;

/** `app.kubernetes.io/name` of the KBS pods and of the provisioning Job's pods. */
export const KBS_APP = 'kbs';
export const PROVISION_APP = 'kbs-provision';

/** Non-root identity of both pods (restricted Pod Security); fsGroup makes the volume and Secrets readable. */
export const KBS_UID = 65532;

/** Keys of the ConfigMaps. */
export const CONFIG_KEY = 'kbs-config.toml';
export const RESOURCE_POLICY_KEY = 'resource-policy.rego';
export const ATTESTATION_POLICY_KEY = 'attestation-policy.rego';
export const PROVISION_SCRIPT_KEY = 'provision.sh';
export const PROVISION_RESOURCES_KEY = 'resources.txt';
export const PROVISION_REFERENCE_VALUES_KEY = 'reference-values.txt';

/** Keys the operator puts in the Secrets (docs/kbs.md shows the kubectl commands). */
export const SECRET_KEYS = {
  adminPublicKey: 'public.pub',
  adminToken: 'token',
  tlsCert: 'tls.crt',
  tlsKey: 'tls.key',
  tlsCa: 'ca.crt',
  signerKey: 'token.key',
  signerChain: 'token-cert-chain.pem',
  signerCa: 'ca.crt',
} as const;

/** Mount points in the KBS container. */
export const KBS_MOUNTS = {
  config: '/etc/kbs/config',
  adminKey: '/etc/kbs/admin',
  tls: '/etc/kbs/tls',
  signer: '/etc/kbs/token-signer',
  /** LocalFs storage base: KBS adds its own namespaces (repository, kbs, ...) below it. */
  state: '/opt/confidential-containers/storage',
  /** Scratch space for the read-only root filesystem; nothing KBS keeps lives here. */
  tmp: '/tmp',
} as const;

/** Mount points in the provisioning Job's container. */
export const PROVISION_MOUNTS = {
  script: '/etc/kbs-provision',
  /** Not below `script`: a mount point inside a read-only ConfigMap volume cannot be created. */
  policies: '/etc/kbs-policies',
  /** Token of the policy role (policies, reference values). */
  policyToken: '/var/run/kbs-admin-policies',
  /** Token of the resource role (resource uploads). */
  resourceToken: '/var/run/kbs-admin-resources',
  tls: '/var/run/kbs-tls',
  /** One sub-folder per resource Secret: /var/run/kbs-resources/<secret name>/<key>. */
  resources: '/var/run/kbs-resources',
  tmp: '/tmp',
} as const;

/** Trustee v0.21 attestation policy id of CPU evidence ("default" + "_" + TEE class). */
export const ATTESTATION_POLICY_ID = 'default_cpu';
