import { Construct } from 'constructs';
import { IntOrString, KubeDeployment, Quantity, type Probe, type Toleration, type Volume, type VolumeMount } from 'cdk8s-plus-30/lib/imports/k8s';
import { CONFIG_KEY, KBS_MOUNTS, KBS_UID, SECRET_KEYS } from './layout';
import { restrictedContainer, restrictedPod } from '../common/security-contexts';

/** Where the KBS pods may run. */
export interface KbsPlacement {
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly Toleration[];
}

export interface KbsDeploymentProps {
  readonly name: string;
  readonly namespace: string;
  /** Labels from standardLabels(); also put on the pods. */
  readonly labels: Readonly<Record<string, string>>;
  /** Subset of `labels` the Deployment selects its pods by. */
  readonly selector: Readonly<Record<string, string>>;
  /** Pinned KBS image (tag or digest). */
  readonly image: string;
  readonly replicas: number;
  /** sha256 of the config TOML: a changed config rolls the pods (KBS reads it at start only). */
  readonly configHash: string;
  readonly configMapName: string;
  readonly serviceAccountName: string;
  /** PersistentVolumeClaim holding the LocalFs storage. */
  readonly stateClaimName: string;
  /** ReadWriteOnce state: old and new pod cannot both mount it, so pods are replaced, not rolled. */
  readonly recreate: boolean;
  readonly port: number;
  /** Container port name, also the Service's targetPort. */
  readonly portName: 'https' | 'http';
  /** Secret with the admin public key (`public.pub`). */
  readonly adminKeySecretName: string;
  /** kubernetes.io/tls Secret; undefined: plain HTTP. @default plain HTTP */
  readonly tlsSecretName?: string;
  /** Secret with the attestation token signer; undefined: ephemeral key (dev). @default none */
  readonly tokenSignerSecretName?: string;
  readonly cpuRequest: string;
  readonly memoryRequest: string;
  readonly memoryLimit: string;
  /** Node selection (the dedicated KBS node on azure-tdx). @default any node */
  readonly placement?: KbsPlacement;
  /** Why KBS serves plain HTTP, shown to reviewers as an annotation; undefined with HTTPS. @default none */
  readonly insecureHttpReason?: string;
}

/** 0440 with fsGroup: the non-root KBS reads the keys, nobody else in the pod can. */
const SECRET_MODE = 0o440;

/**
 * The Trustee KBS: one container, non-root with a read-only root filesystem; it writes only to the
 * persistent state volume and a scratch /tmp.
 */
export class KbsDeployment extends Construct {
  constructor(scope: Construct, id: string, props: KbsDeploymentProps) {
    super(scope, id);
    const volumes: Volume[] = [
      { name: 'config', configMap: { name: props.configMapName, items: [{ key: CONFIG_KEY, path: CONFIG_KEY }] } },
      { name: 'state', persistentVolumeClaim: { claimName: props.stateClaimName } },
      { name: 'admin-key', secret: { secretName: props.adminKeySecretName, defaultMode: SECRET_MODE, items: [{ key: SECRET_KEYS.adminPublicKey, path: SECRET_KEYS.adminPublicKey }] } },
      { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: Quantity.fromString('64Mi') } },
    ];
    const mounts: VolumeMount[] = [
      { name: 'config', mountPath: KBS_MOUNTS.config, readOnly: true },
      { name: 'state', mountPath: KBS_MOUNTS.state },
      { name: 'admin-key', mountPath: KBS_MOUNTS.adminKey, readOnly: true },
      { name: 'tmp', mountPath: KBS_MOUNTS.tmp },
    ];
    if (props.tlsSecretName !== undefined) {
      volumes.push({
        name: 'tls',
        secret: {
          secretName: props.tlsSecretName,
          defaultMode: SECRET_MODE,
          items: [
            { key: SECRET_KEYS.tlsCert, path: SECRET_KEYS.tlsCert },
            { key: SECRET_KEYS.tlsKey, path: SECRET_KEYS.tlsKey },
          ],
        },
      });
      mounts.push({ name: 'tls', mountPath: KBS_MOUNTS.tls, readOnly: true });
    }
    if (props.tokenSignerSecretName !== undefined) {
      volumes.push({
        name: 'token-signer',
        secret: {
          secretName: props.tokenSignerSecretName,
          defaultMode: SECRET_MODE,
          items: [SECRET_KEYS.signerKey, SECRET_KEYS.signerChain, SECRET_KEYS.signerCa].map((key) => ({ key, path: key })),
        },
      });
      mounts.push({ name: 'token-signer', mountPath: KBS_MOUNTS.signer, readOnly: true });
    }
    const scheme = props.portName === 'https' ? 'HTTPS' : 'HTTP';
    // /healthz answers without authentication (kbs/src/api_server.rs); the kubelet skips certificate checks.
    const probe = (periodSeconds: number, failureThreshold: number): Probe => ({
      httpGet: { path: '/healthz', port: IntOrString.fromString(props.portName), scheme },
      periodSeconds,
      failureThreshold,
      timeoutSeconds: 3,
    });
    new KubeDeployment(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: { ...props.labels },
        ...(props.insecureHttpReason !== undefined ? { annotations: { 'coco.azure/insecure-http-reason': props.insecureHttpReason } } : {}),
      },
      spec: {
        replicas: props.replicas,
        selector: { matchLabels: { ...props.selector } },
        strategy: props.recreate ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: IntOrString.fromNumber(0), maxSurge: IntOrString.fromNumber(1) } },
        template: {
          metadata: { labels: { ...props.labels }, annotations: { 'coco.azure/config-sha256': props.configHash } },
          spec: {
            serviceAccountName: props.serviceAccountName,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            // OnRootMismatch: no recursive chown of the KBS state on every start.
            securityContext: { ...restrictedPod(KBS_UID), fsGroupChangePolicy: 'OnRootMismatch' },
            ...(props.placement ? { nodeSelector: { ...props.placement.nodeSelector }, tolerations: [...props.placement.tolerations] } : {}),
            containers: [
              {
                name: 'kbs',
                image: props.image,
                imagePullPolicy: 'IfNotPresent',
                command: ['/usr/local/bin/kbs', '--config-file', `${KBS_MOUNTS.config}/${CONFIG_KEY}`],
                env: [
                  { name: 'RUST_LOG', value: 'info' },
                  // Anything that caches below $HOME writes to the scratch volume, not the read-only root.
                  { name: 'HOME', value: KBS_MOUNTS.tmp },
                ],
                ports: [{ name: props.portName, containerPort: props.port, protocol: 'TCP' }],
                startupProbe: probe(2, 30),
                readinessProbe: probe(10, 3),
                livenessProbe: probe(20, 3),
                resources: {
                  requests: { cpu: Quantity.fromString(props.cpuRequest), memory: Quantity.fromString(props.memoryRequest) },
                  limits: { memory: Quantity.fromString(props.memoryLimit) },
                },
                securityContext: restrictedContainer(),
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
