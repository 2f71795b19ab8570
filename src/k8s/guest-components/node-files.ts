/**
 * The files the installer puts on the node, rendered from typed inputs. Formats are those of the
 * pinned releases: guest-components v0.21.0 (attestation-agent/attestation-agent/src/config,
 * confidential-data-hub/hub/src/config.rs) and containerd 2.x (config version 3 drop-in: stream
 * processors, CRI images settings, deep-merged imports).
 */
import { VERSIONS } from '../../shared/versions';
import { HOST, HOST_AA_CONFIG, HOST_BIN, HOST_CDH_CONFIG, HOST_LIB, HOST_OCICRYPT_CONFIG, NODE_FILES } from './host-layout';

export interface NodeFilesProps {
  /** Key broker client of the host CDH. @default 'cc_kbc' (schema) */
  readonly kbc: 'cc_kbc' | 'offline_fs_kbc';
  /** KBS URL (cc_kbc only), e.g. `https://10.96.0.80:8080`. */
  readonly kbsUrl?: string;
  /** Secret the installer reads the KBS CA certificate from; named in comments only (the PEM is appended at install time). */
  readonly kbsCaSecret?: { readonly name: string; readonly key: string };
  /** Loopback `ip:port` the gRPC CDH serves the key provider on. @default '127.0.0.1:50000' (schema) */
  readonly keyProviderAddress: string;
  /** Log level of AA and CDH. @default 'info' (schema) */
  readonly logLevel: string;
}

/** TOML basic string: JSON's escapes (\" \\ \n \t \uXXXX) are all valid TOML escapes. */
function str(value: string): string {
  return JSON.stringify(value);
}

const HEADER = (what: string) =>
  `# ${what} for the node, guest-components ${VERSIONS.guestComponents}.\n# Rendered by coco-azure-gitops (src/k8s/guest-components); installed by the guest-components installer.\n`;

function certComment(props: NodeFilesProps, key: string): string[] {
  if (props.kbc !== 'cc_kbc' || props.kbsUrl?.startsWith('https://') !== true || props.kbsCaSecret === undefined) return [];
  return [`# ${key}: appended below at install time from Secret ${props.kbsCaSecret.name} (key ${props.kbsCaSecret.key}).`];
}

/**
 * attestation-agent (ttrpc-aa) config. With cc_kbc, CDH asks AA for a "kbs" token, so AA itself
 * attests to the KBS (az-tdx-vtpm evidence): `[token_configs.kbs]` is required. It is the last
 * table because the installer appends `cert` to it.
 */
export function attestationAgentConfig(props: NodeFilesProps): string {
  const lines = [
    HEADER('attestation-agent config'),
    '[log]',
    `level = ${str(props.logLevel)}`,
    '',
    '# The runtime event log extends PCR 17 for in-guest measurements; not used on a shared node.',
    '[eventlog_config]',
    'init_pcr = 17',
    'enable_eventlog = false',
  ];
  if (props.kbc === 'cc_kbc' && props.kbsUrl !== undefined) {
    lines.push('', '# The KBS this node attests to (reached by fixed address: the host has no cluster DNS).', '[token_configs.kbs]', `url = ${str(props.kbsUrl)}`, ...certComment(props, 'cert'));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * confidential-data-hub (grpc-cdh) config. `socket` is a plain `ip:port` (CDH parses it as a
 * SocketAddr); `[kbc]` is last because the installer appends `kbs_cert` to it.
 */
export function confidentialDataHubConfig(props: NodeFilesProps): string {
  const lines = [
    HEADER('confidential-data-hub config'),
    '# gRPC listener: the ocicrypt key provider (UnWrapKey) ctd-decoder calls. Loopback only.',
    `socket = ${str(props.keyProviderAddress)}`,
    '',
    '[log]',
    `level = ${str(props.logLevel)}`,
    '',
    '# Set explicitly: without [image], CDH reads image settings from the kernel command line.',
    '[image]',
    'work_dir = "/run/image-rs"',
    '',
    '[kbc]',
    `name = ${str(props.kbc)}`,
  ];
  if (props.kbc === 'cc_kbc' && props.kbsUrl !== undefined) lines.push(`url = ${str(props.kbsUrl)}`, ...certComment(props, 'kbs_cert'));
  else lines.push(`# DEV ONLY: keys come from ${HOST.offlineResources} on the node, without attestation.`);
  return `${lines.join('\n')}\n`;
}

/** ocicrypt key provider config read by ctd-decoder: provider `attestation-agent` over gRPC. */
export function ocicryptKeyProviderConfig(props: NodeFilesProps): string {
  // The provider name must match the one images were encrypted with
  // (skopeo --encryption-key provider:attestation-agent:...).
  return `${JSON.stringify({ 'key-providers': { 'attestation-agent': { grpc: props.keyProviderAddress } } }, null, 2)}\n`;
}

/** containerd's own ids: the CRI plugin hands the decryption payload only to these (imgcrypt PayloadToolIDs). */
const DECODERS = [
  { id: 'io.containerd.ocicrypt.decoder.v1.tar.gzip', accepts: 'application/vnd.oci.image.layer.v1.tar+gzip+encrypted', returns: 'application/vnd.oci.image.layer.v1.tar+gzip' },
  { id: 'io.containerd.ocicrypt.decoder.v1.tar', accepts: 'application/vnd.oci.image.layer.v1.tar+encrypted', returns: 'application/vnd.oci.image.layer.v1.tar' },
] as const;

/**
 * containerd 2.x drop-in. containerd merges an imported file into the node's config deeply,
 * imported values winning, and replaces stream processors by id (cmd/containerd/server/config,
 * mergeConfig), so this file turns decryption on without touching any other setting:
 * - the decoders for both encrypted layer types, under containerd's own ids (overridden, not
 *   duplicated: the CRI plugin hands the decryption payload only to these);
 * - `use_local_image_pull = true`: the CRI client pull path, the only 2.x path that runs stream
 *   processors (the default transfer service skips them);
 * - `key_model = "node"` (containerd's default, stated so a node config cannot turn it off).
 * Version 3, the oldest version every decrypting containerd (2.1.7+, 2.2.2+, 2.3) reads; a 2.3
 * node migrates it on load.
 */
export function containerdDropIn(): string {
  const lines = [
    '# containerd 2.x drop-in: decrypt encrypted image layers with ctd-decoder and the guest components.',
    '# Rendered by coco-azure-gitops (src/k8s/guest-components). Imported by /etc/containerd/config.toml;',
    '# containerd merges it into that file deeply, so it changes only the keys below.',
    'version = 3',
    '',
    '# The CRI client pull path runs the stream processors; the transfer service would skip them.',
    '[plugins."io.containerd.cri.v1.images"]',
    '  use_local_image_pull = true',
    '',
    '  [plugins."io.containerd.cri.v1.images".image_decryption]',
    '    key_model = "node"',
    '',
    '[stream_processors]',
  ];
  for (const d of DECODERS) {
    lines.push(
      '',
      `  [stream_processors.${str(d.id)}]`,
      `    accepts = [${str(d.accepts)}]`,
      `    returns = ${str(d.returns)}`,
      `    path = ${str(`${HOST_BIN}/ctd-decoder`)}`,
      `    args = ["--decryption-keys-path", ${str(HOST.decryptionKeysDir)}]`,
      `    env = [${str(`OCICRYPT_KEYPROVIDER_CONFIG=${HOST_OCICRYPT_CONFIG}`)}]`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Settings shared by both units. */
function serviceSection(execStart: string): string[] {
  return [
    '[Service]',
    'Type=simple',
    // The TPM stack (libtss2) and OpenSSL the image built against, installed beside the binaries.
    `Environment=LD_LIBRARY_PATH=${HOST_LIB}`,
    `ExecStart=${execStart}`,
    'Restart=always',
    'RestartSec=5',
    '# Both shut down cleanly on SIGINT (ttrpc-aa.rs, grpc-cdh.rs), not on SIGTERM.',
    'KillSignal=SIGINT',
    'NoNewPrivileges=yes',
    'ProtectSystem=full',
    'ProtectHome=yes',
    'PrivateTmp=yes',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  ];
}

/** systemd unit of attestation-agent (root: it reads the vTPM, /dev/tpmrm0). */
export function attestationAgentUnit(): string {
  return `${[
    '[Unit]',
    `Description=Confidential Containers attestation-agent ${VERSIONS.guestComponents} (ttrpc, Azure TDX vTPM attester)`,
    `Documentation=https://github.com/confidential-containers/guest-components/tree/${VERSIONS.guestComponents}/attestation-agent`,
    '# Image decryption (containerd -> ctd-decoder -> CDH -> AA) must work once containerd pulls.',
    'Before=containerd.service',
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    ...serviceSection(`${HOST_BIN}/attestation-agent -c ${HOST_AA_CONFIG}`),
  ].join('\n')}\n`;
}

/** systemd unit of confidential-data-hub; restarted with AA because it keeps its AA connection. */
export function confidentialDataHubUnit(): string {
  return `${[
    '[Unit]',
    `Description=Confidential Containers confidential-data-hub ${VERSIONS.guestComponents} (gRPC key provider for ctd-decoder)`,
    `Documentation=https://github.com/confidential-containers/guest-components/tree/${VERSIONS.guestComponents}/confidential-data-hub`,
    `Requires=${HOST.aaUnit}`,
    `After=${HOST.aaUnit} network-online.target`,
    'Wants=network-online.target',
    'Before=containerd.service',
    '',
    ...serviceSection(`${HOST_BIN}/confidential-data-hub -c ${HOST_CDH_CONFIG}`),
  ].join('\n')}\n`;
}

/** Every node file, keyed by its ConfigMap key (NODE_FILES). */
export function nodeFiles(props: NodeFilesProps): Record<string, string> {
  return {
    [NODE_FILES.aaConfig]: attestationAgentConfig(props),
    [NODE_FILES.cdhConfig]: confidentialDataHubConfig(props),
    [NODE_FILES.ocicrypt]: ocicryptKeyProviderConfig(props),
    [NODE_FILES.containerdDropIn]: containerdDropIn(),
    [NODE_FILES.aaUnit]: attestationAgentUnit(),
    [NODE_FILES.cdhUnit]: confidentialDataHubUnit(),
  };
}
