import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { IntOrString, KubeDeployment, KubePersistentVolumeClaim, KubeService, Quantity } from 'cdk8s-plus-30/lib/imports/k8s';
import type { KataPodSettings } from '../../confidentialize/target';
import { restrictedContainer, restrictedPod } from '../common/security-contexts';

export interface ConfidentialAppProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly image: string;
  /** Runtime class, initdata annotation and TEE node selector from the confidentialize library. */
  readonly kata: KataPodSettings;
  readonly replicas: number;
  readonly port: number;
  readonly livenessPath: string;
  readonly readinessPath: string;
  readonly runAsUser: number;
  /** StorageClass of the data volume. @default the cluster default */
  readonly storageClassName?: string;
  readonly storageSize: string;
  /** ReadWriteMany lets replicas on several nodes share the claim. */
  readonly storageAccessMode: 'ReadWriteOnce' | 'ReadWriteMany';
  /** KBS resource paths the app reads from CDH; passed as `kbs:///` URIs, never as values. */
  readonly resourcePaths: readonly string[];
  /** Render a Prometheus Operator ServiceMonitor (the cluster must have its CRD). */
  readonly serviceMonitor: boolean;
  /** CA Secret (in the app namespace) Prometheus verifies the app certificate with. @default none: no verification (dev only) */
  readonly metricsCaSecret?: { readonly name: string; readonly key: string };
}

/** CDH's REST endpoint inside a CoCo pod (Kata agent api-server-rest, feature `resource` by default). */
export const CDH_RESOURCE_URL = 'http://127.0.0.1:8006/cdh/resource';

/**
 * Seed 002's confidential-app: a Deployment on a TEE runtime class with HTTPS probes, node affinity
 * to TEE hosts, anti-affinity across nodes, a data PVC and a ClusterIP Service.
 *
 * Differences from the seed, each on purpose: secrets come from CDH at run time (the seed's
 * `attestation.csi.k8s.io` CSI driver does not exist); the runtime class is kata-qemu-tdx/snp (the seed's
 * `kata-cc` and its `io.katacontainers.config.runtime.cc` annotations are not Kata features);
 * TDX or SNP is one required node label (the seed ANDed both into one term, which no node matches);
 * KBS paths have three parts; the Service is ClusterIP (expose it through your ingress).
 * The seed's ServiceMonitor scraped a `metrics` port that no Service had; ours scrapes the `https` port
 * the app really serves (see serviceMonitor below).
 */
export class ConfidentialApp extends Construct {
  constructor(scope: Construct, id: string, props: ConfidentialAppProps) {
    super(scope, id);
    const selector = { 'app.kubernetes.io/name': props.name };
    const claim = `${props.name}-data`;
    new KubePersistentVolumeClaim(this, 'Data', {
      metadata: { name: claim, namespace: props.namespace, labels: props.labels },
      spec: {
        accessModes: [props.storageAccessMode],
        ...(props.storageClassName ? { storageClassName: props.storageClassName } : {}),
        resources: { requests: { storage: Quantity.fromString(props.storageSize) } },
      },
    });
    const [teeKey, teeValue] = Object.entries(props.kata.nodeSelector)[0] ?? [];
    const env = [
      { name: 'CDH_RESOURCE_URL', value: CDH_RESOURCE_URL },
      ...props.resourcePaths.map((path) => ({ name: `KBS_RESOURCE_${path.split('/').pop()?.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`, value: `kbs:///${path}` })),
    ];
    new KubeDeployment(this, 'Deployment', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      spec: {
        replicas: props.replicas,
        selector: { matchLabels: selector },
        // A ReadWriteOnce volume must be released by the old pod before the new one can mount it.
        strategy: { type: props.storageAccessMode === 'ReadWriteOnce' ? 'Recreate' : 'RollingUpdate' },
        template: {
          metadata: { labels: { ...props.labels, ...selector }, annotations: { ...props.kata.annotations } },
          spec: {
            runtimeClassName: props.kata.runtimeClassName,
            automountServiceAccountToken: false,
            securityContext: restrictedPod(props.runAsUser),
            affinity: {
              ...(teeKey !== undefined && teeValue !== undefined
                ? { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: teeKey, operator: 'In', values: [teeValue] }] }] } } }
                : {}),
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchLabels: selector }, topologyKey: 'kubernetes.io/hostname' } }],
              },
            },
            containers: [
              {
                name: 'app',
                image: props.image,
                imagePullPolicy: 'IfNotPresent',
                ports: [{ name: 'https', containerPort: props.port, protocol: 'TCP' }],
                env,
                securityContext: restrictedContainer(),
                resources: {
                  requests: { memory: Quantity.fromString('1Gi'), cpu: Quantity.fromString('500m') },
                  limits: { memory: Quantity.fromString('2Gi'), cpu: Quantity.fromString('1') },
                },
                livenessProbe: { httpGet: { path: props.livenessPath, port: IntOrString.fromString('https'), scheme: 'HTTPS' }, initialDelaySeconds: 30, periodSeconds: 10 },
                readinessProbe: { httpGet: { path: props.readinessPath, port: IntOrString.fromString('https'), scheme: 'HTTPS' }, initialDelaySeconds: 10, periodSeconds: 5 },
                volumeMounts: [
                  { name: 'data', mountPath: '/data' },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [
              { name: 'data', persistentVolumeClaim: { claimName: claim } },
              { name: 'tmp', emptyDir: {} },
            ],
          },
        },
      },
    });
    new KubeService(this, 'Service', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      spec: { type: 'ClusterIP', selector, ports: [{ name: 'https', port: 443, targetPort: IntOrString.fromString('https'), protocol: 'TCP' }] },
    });
    if (props.serviceMonitor) serviceMonitor(this, props);
  }
}

/**
 * Prometheus Operator ServiceMonitor for the app's Service: `/metrics` on the Service's `https` port,
 * every 30s as in seed 002. The app has no plain-HTTP port (nothing in clear text leaves the TEE), so the
 * scrape is HTTPS, verified against the configured CA with the Service DNS name; without a CA (dev only,
 * refused by the production profile) the scrape skips verification. Prometheus runs outside the TEE, so
 * the metrics must hold nothing secret.
 */
function serviceMonitor(scope: Construct, props: ConfidentialAppProps): void {
  // The Service's identifying labels; the others (component, part-of, managed-by) are shared with siblings.
  const matchLabels = Object.fromEntries(
    Object.entries(props.labels).filter(([key]) => key === 'app.kubernetes.io/name' || key === 'app.kubernetes.io/instance'),
  );
  new ApiObject(scope, 'ServiceMonitor', {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
    spec: {
      selector: { matchLabels },
      endpoints: [{ port: 'https', scheme: 'https', path: '/metrics', interval: '30s', tlsConfig: tlsConfig(props) }],
    },
  });
}

function tlsConfig(props: ConfidentialAppProps): Record<string, unknown> {
  if (!props.metricsCaSecret) return { insecureSkipVerify: true };
  return { ca: { secret: { name: props.metricsCaSecret.name, key: props.metricsCaSecret.key } }, serverName: `${props.name}.${props.namespace}.svc` };
}
