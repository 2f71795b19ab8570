import { Construct } from 'constructs';
import { IntOrString, KubeDaemonSet, Quantity, type EnvVar, type Toleration, type Volume, type VolumeMount } from 'cdk8s-plus-30/lib/imports/k8s';
import { PRIVILEGED_REASON_ANNOTATION } from '../../render/semantic-rules';
import { HOST, HOST_MOUNTS, INSTALLER_FILE, POD } from './host-layout';

/** A Secret key mounted into the installer. */
export interface MountedSecretKey {
  readonly secretName: string;
  readonly key: string;
}

export interface InstallerDaemonSetProps {
  readonly name: string;
  readonly namespace: string;
  /** Labels from standardLabels(); also put on the pods. */
  readonly labels: Readonly<Record<string, string>>;
  /** Subset of `labels` the DaemonSet selects its pods by. */
  readonly selector: Readonly<Record<string, string>>;
  /** Pinned installer image (tag and/or digest). */
  readonly image: string;
  /** Node label the infrastructure sets on workers that decrypt images. */
  readonly nodeSelector: Readonly<Record<string, string>>;
  /** @default [] (schema) */
  readonly tolerations: readonly Toleration[];
  readonly nodeConfigMapName: string;
  readonly installerConfigMapName: string;
  /** sha256 of both ConfigMaps and the mounted Secret references: a change re-runs the installer on every node. */
  readonly configHash: string;
  /** Secret with the KBS CA certificate (cc_kbc over https). @default none */
  readonly kbsCa?: MountedSecretKey;
  /** DEV ONLY: Secret with the offline_fs_kbc resources JSON. @default none */
  readonly offlineResources?: MountedSecretKey;
  /** Loopback address of the CDH key provider, probed for readiness. */
  readonly keyProviderAddress: string;
  /** install: install and stay; uninstall: restore the nodes. @default 'install' (schema) */
  readonly action: 'install' | 'uninstall';
  /** @default 'RollingUpdate' (schema) */
  readonly updateStrategy: 'RollingUpdate' | 'OnDelete';
  readonly cpuRequest: string;
  readonly memoryRequest: string;
  readonly memoryLimit: string;
  /** sha256 of the payload's SHA256SUMS the installer must find. @default none (not pinned) */
  readonly payloadManifestSha256?: string;
  /** How many timestamped backups of the node's containerd config to keep. @default 5 (schema) */
  readonly backupsKept: number;
}

/** Why the installer may do what no other workload of the bundle may (semantic rule pod-security). */
const PRIVILEGED_REASON =
  `Node installer: writes binaries, configs and systemd units to the host (hostPath ${HOST_MOUNTS.filter((m) => !m.readOnly).map((m) => m.path).join(', ')} only), and runs systemctl and containerd in the host namespaces (hostPID, nsenter) to install attestation-agent and confidential-data-hub and add the containerd decryption drop-in.`;

/**
 * The node installer: one privileged container per selected node that runs the installer script
 * from its ConfigMap, then stays (so the readiness probe reports whether the host services
 * answer). It needs no Kubernetes API access.
 */
export class InstallerDaemonSet extends Construct {
  constructor(scope: Construct, id: string, props: InstallerDaemonSetProps) {
    super(scope, id);
    const script = `${POD.installer}/${INSTALLER_FILE}`;
    const env: EnvVar[] = [
      { name: 'HOST_ROOT', value: POD.hostRoot },
      { name: 'PAYLOAD_DIR', value: POD.payload },
      { name: 'CONFIG_DIR', value: POD.config },
      { name: 'STATE_DIR', value: POD.state },
      { name: 'INSTALL_PREFIX', value: HOST.prefix },
      { name: 'ETC_DIR', value: HOST.etc },
      { name: 'UNIT_DIR', value: HOST.unitDir },
      { name: 'AA_UNIT', value: HOST.aaUnit },
      { name: 'CDH_UNIT', value: HOST.cdhUnit },
      { name: 'CONTAINERD_CONFIG', value: HOST.containerdConfig },
      { name: 'CONTAINERD_DROPIN', value: HOST.containerdDropIn },
      { name: 'DECRYPTION_KEYS_DIR', value: HOST.decryptionKeysDir },
      { name: 'AA_SOCKET', value: HOST.aaSocket },
      { name: 'KEY_PROVIDER_ADDRESS', value: props.keyProviderAddress },
      { name: 'BACKUPS_KEPT', value: String(props.backupsKept) },
      ...(props.payloadManifestSha256 !== undefined ? [{ name: 'PAYLOAD_MANIFEST_SHA256', value: props.payloadManifestSha256 }] : []),
    ];
    // Only the host folders the installer writes (and the AA socket folder it probes), never `/`.
    const volumes: Volume[] = [
      ...HOST_MOUNTS.map((m) => ({ name: m.name, hostPath: { path: m.path, type: m.create ? 'DirectoryOrCreate' : 'Directory' } })),
      { name: 'node-config', configMap: { name: props.nodeConfigMapName } },
      { name: 'installer', configMap: { name: props.installerConfigMapName } },
      { name: 'state', emptyDir: { medium: 'Memory', sizeLimit: Quantity.fromString('16Mi') } },
    ];
    const mounts: VolumeMount[] = [
      ...HOST_MOUNTS.map((m) => ({ name: m.name, mountPath: `${POD.hostRoot}${m.path}`, ...(m.readOnly ? { readOnly: true, mountPropagation: 'HostToContainer' } : {}) })),
      { name: 'node-config', mountPath: POD.config, readOnly: true },
      { name: 'installer', mountPath: POD.installer, readOnly: true },
      { name: 'state', mountPath: POD.state },
    ];
    const secret = (name: string, mountPath: string, envName: string, ref: MountedSecretKey): void => {
      // Not optional: the pod waits for the operator's Secret instead of installing without it.
      volumes.push({ name, secret: { secretName: ref.secretName, defaultMode: 0o400, items: [{ key: ref.key, path: ref.key }] } });
      mounts.push({ name, mountPath, readOnly: true });
      env.push({ name: envName, value: `${mountPath}/${ref.key}` });
    };
    if (props.kbsCa) secret('kbs-ca', POD.kbsCa, 'KBS_CA_FILE', props.kbsCa);
    if (props.offlineResources) {
      secret('offline-resources', POD.offlineResources, 'OFFLINE_RESOURCES_FILE', props.offlineResources);
      env.push({ name: 'OFFLINE_RESOURCES_PATH', value: HOST.offlineResources });
      // DEV ONLY: the fixed path offline_fs_kbc reads (outside every other mount).
      volumes.push({ name: 'host-offline-resources', hostPath: { path: HOST.offlineResources, type: 'FileOrCreate' } });
      mounts.push({ name: 'host-offline-resources', mountPath: `${POD.hostRoot}${HOST.offlineResources}` });
    }
    const install = props.action === 'install';
    new KubeDaemonSet(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: { ...props.labels },
        annotations: { [PRIVILEGED_REASON_ANNOTATION]: PRIVILEGED_REASON },
      },
      spec: {
        selector: { matchLabels: { ...props.selector } },
        // RollingUpdate with one node at a time: a config change re-runs the installer node by
        // node, and the next node waits until this one's services answer (readiness).
        updateStrategy: props.updateStrategy === 'OnDelete' ? { type: 'OnDelete' } : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: IntOrString.fromNumber(1) } },
        template: {
          metadata: {
            labels: { ...props.labels },
            annotations: { 'coco.azure/config-sha256': props.configHash },
          },
          spec: {
            // Image decryption on the node depends on it: never evicted before ordinary pods.
            priorityClassName: 'system-node-critical',
            hostPid: true,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            nodeSelector: { ...props.nodeSelector },
            ...(props.tolerations.length > 0 ? { tolerations: [...props.tolerations] } : {}),
            terminationGracePeriodSeconds: 10,
            containers: [
              {
                name: 'installer',
                image: props.image,
                imagePullPolicy: 'IfNotPresent',
                command: ['/bin/bash', script, install ? 'run' : 'run-uninstall'],
                env,
                readinessProbe: {
                  exec: { command: ['/bin/bash', script, install ? 'probe' : 'probe-uninstalled'] },
                  periodSeconds: 10,
                  timeoutSeconds: 8,
                  failureThreshold: 3,
                },
                resources: {
                  requests: { cpu: Quantity.fromString(props.cpuRequest), memory: Quantity.fromString(props.memoryRequest) },
                  limits: { memory: Quantity.fromString(props.memoryLimit) },
                },
                // privileged for nsenter into PID 1 (systemctl, containerd). allowPrivilegeEscalation
                // stays unset: the API server rejects it false next to privileged.
                securityContext: { privileged: true },
                volumeMounts: mounts,
              },
            ],
            volumes,
          },
        },
      },
    });
  }
}

