/**
 * `guestComponents`: the node installer that puts attestation-agent, confidential-data-hub and
 * ctd-decoder on the Azure TDX workers and wires them into containerd 2.x (seed 000 §5-6).
 * Cross-field rules (KBS URL, CA certificate, offline_fs_kbc, tolerations) are in
 * `rules/guest-components.ts`.
 */
import { Type } from '@sinclair/typebox';
import { Component, EXPECTED_KEYWORD, Obj, Section, StringEnum } from '../schema-helpers';

/** A Secret (created by the operator, never rendered) and the key inside it. */
const SecretKeyRef = (description: string, defaultKey: string) =>
  Obj(
    {
      name: Type.String({
        pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
        maxLength: 253,
        [EXPECTED_KEYWORD]: 'a Secret name (DNS-1123 subdomain)',
        description: 'Name of the Secret in the guest-components namespace.',
      }),
      key: Type.String({ pattern: '^[-._a-zA-Z0-9]+$', maxLength: 253, default: defaultKey, [EXPECTED_KEYWORD]: 'a Secret key (letters, digits, "-", "_", ".")', description: 'Key inside the Secret.' }),
    },
    { description },
  );

const Toleration = Obj(
  {
    key: Type.Optional(Type.String({ minLength: 1, maxLength: 316, description: 'Taint key; omit with operator Exists to tolerate every taint.' })),
    operator: StringEnum(['Exists', 'Equal'] as const, { default: 'Equal', description: 'Kubernetes toleration operator.' }),
    value: Type.Optional(Type.String({ maxLength: 63, description: 'Taint value (operator Equal only).' })),
    effect: Type.Optional(StringEnum(['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const, { description: 'Taint effect; omit to match every effect.' })),
  },
  { description: 'A pod toleration (see the Kubernetes Toleration API).' },
);

const CPU = (def: string) => Type.String({ pattern: '^([0-9]+m|[0-9]+(\\.[0-9]+)?)$', default: def, [EXPECTED_KEYWORD]: 'a CPU quantity such as 10m or 0.5' });
const MEMORY = (def: string) => Type.String({ pattern: '^[0-9]+(Ki|Mi|Gi)$', default: def, [EXPECTED_KEYWORD]: 'a memory quantity such as 64Mi' });

export const GuestComponents = Component('Guest-components node installer (attestation-agent, confidential-data-hub, ctd-decoder).', 'coco-guest-components', {
  image: Type.Optional(
    Obj(
      {
        repository: Type.String({
          pattern: '^[a-z0-9]([-a-z0-9._]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9]([-a-z0-9._]*[a-z0-9])?)*$',
          [EXPECTED_KEYWORD]: 'an image repository without tag, such as ghcr.io/example-org/coco-guest-components',
          description: 'Where your platform team published the installer image that meets the image contract of docs/guest-components.md (no official image ships these binaries; this repository ships no build recipe).',
        }),
        tag: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$', [EXPECTED_KEYWORD]: 'an image tag such as v0.21.0-1', description: 'Image tag (not "latest").' })),
        digest: Type.Optional(Type.String({ pattern: '^sha256:[a-f0-9]{64}$', [EXPECTED_KEYWORD]: 'a digest such as sha256:<64 hex digits>', description: 'Image digest; preferred over a tag in production.' })),
      },
      { description: 'Installer image. Required when the component is enabled; give a tag, a digest or both.' },
    ),
  ),
  kbc: StringEnum(['cc_kbc', 'offline_fs_kbc'] as const, {
    default: 'cc_kbc',
    description: 'Key broker client of the host confidential-data-hub. cc_kbc attests to the KBS; offline_fs_kbc reads keys from a node file and needs devSwitches.allowOfflineFsKbc (dev only).',
  }),
  kbsUrl: Type.Optional(
    Type.String({
      pattern: '^https?://[^\\s/]+(:[0-9]+)?/?$',
      [EXPECTED_KEYWORD]: 'a URL such as https://10.96.0.80:8080',
      description: 'KBS URL for the host CDH and AA. Default: the in-cluster KBS Service by its fixed ClusterIP (kbs.serviceClusterIP), since the host cannot resolve cluster DNS.',
    }),
  ),
  kbsCaSecret: Type.Optional(SecretKeyRef('Secret holding the PEM CA certificate the KBS TLS certificate chains to (required for https). The installer writes it into the host AA and CDH configs.', 'ca.crt')),
  offlineResourcesSecret: Type.Optional(
    SecretKeyRef('DEV ONLY (offline_fs_kbc): Secret holding the offline_fs_kbc resources JSON; installed as /etc/aa-offline_fs_kbc-resources.json (mode 0600).', 'resources.json'),
  ),
  keyProviderAddress: Type.String({
    pattern: '^127\\.([0-9]{1,3}\\.){2}[0-9]{1,3}:[0-9]{1,5}$',
    default: '127.0.0.1:50000',
    [EXPECTED_KEYWORD]: 'a loopback address and port such as 127.0.0.1:50000 (the key provider hands out image keys: never listen beyond the node)',
    description: 'Where the gRPC confidential-data-hub serves the ocicrypt key provider (UnWrapKey) for ctd-decoder.',
  }),
  logLevel: StringEnum(['error', 'warn', 'info', 'debug', 'trace'] as const, { default: 'info', description: 'Log level of the host attestation-agent and confidential-data-hub.' }),
  tolerations: Type.Array(Toleration, {
    default: [],
    description: 'Extra tolerations of the installer pods. The taints of the nodes the infrastructure labels for the installer are tolerated anyway (src/shared/cluster-nodes.ts).',
  }),
  payloadManifestSha256: Type.Optional(
    Type.String({
      pattern: '^[a-f0-9]{64}$',
      [EXPECTED_KEYWORD]: '64 lowercase hex digits (sha256sum of the image\'s /payload/SHA256SUMS)',
      description: 'sha256 of the installer image\'s payload manifest (/payload/SHA256SUMS). Set: the installer refuses any other manifest, so a different build of the same tag installs nothing. Unset: the manifest is still checked against the files, but not pinned (POSTURE.md says so).',
    }),
  ),
  backupsKept: Type.Integer({ minimum: 1, maximum: 99, default: 5, description: 'Timestamped backups of the node\'s containerd config the installer keeps (the newest is restored on uninstall).' }),
  resources: Section(
    {
      requests: Section({ cpu: CPU('10m'), memory: MEMORY('32Mi') }, 'Requests of the installer container.'),
      limits: Section({ memory: MEMORY('128Mi') }, 'Memory limit of the installer container (no CPU limit: it idles after installing).'),
    },
    'Resources of the installer container (the host services run outside the pod, under systemd).',
  ),
  updateStrategy: StringEnum(['RollingUpdate', 'OnDelete'] as const, {
    default: 'RollingUpdate',
    description: 'RollingUpdate (maxUnavailable 1) re-installs node by node when the config changes; OnDelete waits until you delete each pod.',
  }),
  action: StringEnum(['install', 'uninstall'] as const, {
    default: 'install',
    description: 'uninstall renders the DaemonSet in uninstall mode: it removes the services and restores the containerd config backup on every selected node.',
  }),
});
