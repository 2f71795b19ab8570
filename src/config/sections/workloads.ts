/** `workloads`: the demo and application workloads, each in its own sub-folder and namespace. */
import { Type } from '@sinclair/typebox';
import { VERSIONS } from '../../shared/versions';
import { Component, EXPECTED_KEYWORD, K8sName, Obj, Section, StringEnum } from '../schema-helpers';
import { RuntimeClassNameSchema } from './runtime';

/**
 * An image reference pinned by a tag other than `latest` or by an `@sha256:` digest: GitOps renders
 * must not change what runs without a commit (the bundle validator refuses the same).
 */
export const PINNED_IMAGE = '^([A-Za-z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._/-][a-z0-9]+)*(:(?!latest$)[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$';

export const PinnedImage = (description: string, def?: string) =>
  Type.String({
    pattern: PINNED_IMAGE,
    [EXPECTED_KEYWORD]: 'an image reference with a tag other than "latest" or an @sha256: digest, e.g. docker.io/library/busybox:1.37.0',
    description,
    ...(def ? { default: def } : {}),
  });

/** A KBS resource path `<repository>/<type>/<tag>` (what `kbs:///<path>` and CDH's /cdh/resource/<path> name). */
export const KbsResourcePath = (description: string, def?: string) =>
  Type.String({
    pattern: '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$',
    [EXPECTED_KEYWORD]: 'a KBS resource path <repository>/<type>/<tag>, e.g. default/secret/1',
    description,
    ...(def ? { default: def } : {}),
  });

const UserId = (description: string, def: number) => Type.Integer({ minimum: 1, maximum: 2147483647, default: def, description });

export const Workloads = Component('Demo and application workloads; `namespace` is also the prefix of each demo namespace (<namespace>-<demo>).', 'coco-demo', {
  cocoDemos: Section(
    {
      enabled: Type.Boolean({ default: false, description: 'Render coco-demo-01..05 (seed 001): Kata pods on a CoCo runtime class, agent policy, KBS via initdata, CDH resource, encrypted image.' }),
      runtimeClass: RuntimeClassNameSchema('CoCo runtime class of the demo pods; must be listed in runtime.runtimeClasses.', 'kata-qemu-coco-dev'),
      image: PinnedImage('Shell image of demos 01-04.', VERSIONS.busyboxImage),
      encryptedImage: PinnedImage('Encrypted image of demo 05; the KBS must hold its key (default/key/ssh-demo for the upstream test image).', VERSIONS.cocoEncryptedTestImage),
      resourcePath: KbsResourcePath('KBS resource demo 04 fetches through CDH (http://127.0.0.1:8006/cdh/resource/<path>).', 'default/secret/1'),
      encryptedImageKey: KbsResourcePath('KBS resource holding the layer key of encryptedImage (kbs:///<path>); must be in kbs.resources.', 'default/key/ssh-demo'),
    },
    'Seed 001 demos on a Kata CoCo runtime class.',
  ),
  nodeDecryption: Section(
    {
      enabled: Type.Boolean({ default: false, description: 'Render the seed 000 section 8 demos: an encrypted nginx and the secret-consuming app, decrypted on the node by containerd + ctd-decoder + guest components.' }),
      encryptedNginxImage: Type.Optional(
        PinnedImage('Your encrypted nginx image (seed 000 section 7.2). Encrypt nginxinc/nginx-unprivileged rather than nginx: it runs as UID 101 on port 8080, so the pod keeps a restricted security context.'),
      ),
      nginxPort: Type.Integer({ minimum: 1024, maximum: 65535, default: 8080, description: 'Container port nginx listens on (unprivileged, >= 1024).' }),
      nginxUser: UserId('UID nginx runs as (101 in nginx-unprivileged).', 101),
      secretAppImage: Type.Optional(PinnedImage('Your encrypted secret-app image (seed 000 section 7.3); also the victim and tenant-a image of the section 9 demos.')),
      imageKeys: Type.Array(KbsResourcePath('A KBS resource holding a layer key of these images.'), {
        default: ['default/image_key/nginx'],
        uniqueItems: true,
        description: 'KBS resources the node fetches to decrypt the images (the kbs:///<path> given to skopeo --encryption-key); each must be in kbs.resources.',
      }),
    },
    'Seed 000 section 8: node-level image decryption without Kata (azure-tdx).',
  ),
  insecurityDemos: Section(
    {
      attackerImage: PinnedImage('Image of the privileged attacker pod (needs bash, ps; tpm2-tools is installed at demo time).', VERSIONS.ubuntuImage),
      shellImage: PinnedImage('Small shell image (tenant-b, shared process namespace demo).', VERSIONS.alpineImage),
    },
    'Seed 000 section 9, "what we lose without Kata": rendered only when devSwitches.enableInsecurityDemos is true (dev profile only).',
  ),
  attestationDemo: Section(
    {
      enabled: Type.Boolean({
        default: false,
        description:
          'Seed 004 on aks-cvm: the ServiceAccount federated with the key-release identity and a Job on the confidential pool printing the claims of the Key Vault token it gets (restricted); with devSwitches.enableMaaAttestationDemo also the privileged Job that reads the vTPM and prints the MAA token claims.',
      }),
      keyReleaseClientId: Type.Optional(
        Type.String({
          pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
          [EXPECTED_KEYWORD]: 'a client ID (lowercase UUID) from terraform output key_release_identity_client_id',
          description: 'Client ID of the key-release managed identity, for the ServiceAccount annotation azure.workload.identity/client-id. Omitted: annotate the ServiceAccount by hand after terraform apply (docs/workloads.md).',
        }),
      ),
      identityImage: PinnedImage('Shell + curl image of the identity Job.', VERSIONS.curlImage),
      attestationImage: PinnedImage("Image with Microsoft's CVM AttestationClient (seed 004: the aks-linux-sample of Azure/confidential-computing-cvm-guest-attestation).", 'mcr.microsoft.com/acc/samples/cvm-attestation:1.0'),
    },
    'Seed 004: attestation on the AKS confidential pool (provider aks-cvm).',
  ),
  confidentialApp: Section(
    {
      enabled: Type.Boolean({ default: false, description: 'Render the seed 002 confidential-app (Deployment, PVC, Service, probes) on a TDX/SNP Kata runtime class.' }),
      image: Type.Optional(PinnedImage('The (encrypted) application image.')),
      runtimeClass: RuntimeClassNameSchema('TEE runtime class (kata-qemu-tdx or kata-qemu-snp, or their -runtime-rs variants).', 'kata-qemu-tdx'),
      replicas: Type.Integer({
        minimum: 1,
        maximum: 50,
        default: 1,
        description: 'Replicas, spread across nodes by podAntiAffinity. Seed 002 ran 3 on one ReadWriteOnce claim, which only one node can attach: more than 1 needs storageAccessMode ReadWriteMany.',
      }),
      port: Type.Integer({ minimum: 1024, maximum: 65535, default: 8443, description: 'HTTPS container port.' }),
      livenessPath: Type.String({ pattern: '^/\\S*$', [EXPECTED_KEYWORD]: 'an absolute HTTP path', default: '/health', description: 'HTTPS liveness probe path.' }),
      readinessPath: Type.String({ pattern: '^/\\S*$', [EXPECTED_KEYWORD]: 'an absolute HTTP path', default: '/ready', description: 'HTTPS readiness probe path.' }),
      runAsUser: UserId('UID of the application (seed 002: 1000).', 1000),
      storageClassName: Type.Optional(Type.String({ minLength: 1, maxLength: 253, description: 'StorageClass of the data volume (seed 002: a class encrypting at rest). Empty: the cluster default.' })),
      storageAccessMode: StringEnum(['ReadWriteOnce', 'ReadWriteMany'] as const, { default: 'ReadWriteOnce', description: 'Access mode of the data volume shared by all replicas.' }),
      storageSize: Type.String({ pattern: '^[1-9][0-9]*(Mi|Gi|Ti)$', [EXPECTED_KEYWORD]: 'a size such as 10Gi', default: '10Gi', description: 'Requested size of the data volume.' }),
      resourcePaths: Type.Array(KbsResourcePath('A KBS resource the app reads through CDH.'), {
        default: ['default/app/db-password', 'default/app/api-credentials'],
        uniqueItems: true,
        description: 'KBS resources the app reads at run time from CDH (passed as environment variables holding kbs:/// URIs, never values); each must be in kbs.resources. Seed 002 used two-part paths such as default/db-password, which KBS does not accept: paths are <repository>/<type>/<tag>.',
      }),
      imageKey: Type.Optional(KbsResourcePath('KBS resource holding the layer key of an encrypted image (kbs:///<path>); must be in kbs.resources. Omit for an image that is not encrypted.')),
      serviceMonitor: Type.Boolean({
        default: false,
        description:
          'Render a Prometheus Operator ServiceMonitor (monitoring.coreos.com/v1, as in seed 002) scraping /metrics over HTTPS on the Service port https every 30s. The cluster must already have the Prometheus Operator CRDs installed, or Argo CD fails the sync of the <environment>-workloads Application; your Prometheus serviceMonitorSelector must also select it.',
      }),
      metricsCaSecret: Type.Optional(
        Obj(
          {
            name: K8sName('Secret in the app namespace holding the CA certificate.'),
            key: Type.String({ minLength: 1, default: 'ca.crt', description: 'Key of the PEM CA certificate in the Secret.' }),
          },
          { description: 'CA the app certificate chains to: Prometheus verifies the scrape against it (server name <app>.<namespace>.svc). Without it the scrape skips verification, which the production profile refuses.' },
        ),
      ),
    },
    'Seed 002: production-shaped confidential workload on bare-metal TDX/SNP nodes.',
  ),
});
