import { Construct } from 'constructs';
import { KubeJob, Quantity, type EnvVar, type Volume, type VolumeMount } from 'cdk8s-plus-30/lib/imports/k8s';
import { ATTESTATION_POLICY_ID, ATTESTATION_POLICY_KEY, KBS_UID, PROVISION_MOUNTS, PROVISION_REFERENCE_VALUES_KEY, PROVISION_RESOURCES_KEY, PROVISION_SCRIPT_KEY, RESOURCE_POLICY_KEY, SECRET_KEYS } from './layout';
import { restrictedContainer, restrictedPod } from '../common/security-contexts';

export interface KbsProvisionJobProps {
  readonly name: string;
  readonly namespace: string;
  /** Labels from standardLabels(); also on the pod, which the KBS NetworkPolicy admits. */
  readonly labels: Readonly<Record<string, string>>;
  /** Pinned image with a POSIX shell, base64, tr and curl. */
  readonly image: string;
  readonly serviceAccountName: string;
  /** ConfigMap with the script, the resource list and the reference values. */
  readonly scriptConfigMapName: string;
  /** ConfigMap with the two policies. */
  readonly policiesConfigMapName: string;
  /** KBS base URL by Service DNS name. */
  readonly kbsUrl: string;
  /** Secret with the admin token (`token`) of the policy role: policies and reference values. */
  readonly policyTokenSecretName: string;
  /** Secret with the admin token (`token`) of the resource role: resource uploads. */
  readonly resourceTokenSecretName: string;
  /** Longest token lifetime (exp - iat, hours) the script accepts. */
  readonly maxTokenHours: number;
  /** kubernetes.io/tls Secret of KBS, for its certificate (never its key); undefined: plain HTTP. @default plain HTTP */
  readonly tlsSecretName?: string;
  /** Secrets holding resources, each mounted whole below /var/run/kbs-resources/<name>/. */
  readonly resourceSecretNames: readonly string[];
}

/**
 * Uploads the policies and resources through the KBS admin API after every sync, once KBS is
 * healthy (Argo CD PostSync hook, Helm post-install/post-upgrade hook; the script itself waits for
 * /healthz, since Helm does not wait for readiness; the previous run is deleted when the next one
 * is created, so its log stays readable until then). Secrets are mounted optional: a missing one reaches the script,
 * which names it and fails, instead of a pod stuck waiting for a volume.
 */
export class KbsProvisionJob extends Construct {
  constructor(scope: Construct, id: string, props: KbsProvisionJobProps) {
    super(scope, id);
    const volumes: Volume[] = [
      { name: 'script', configMap: { name: props.scriptConfigMapName, items: [PROVISION_SCRIPT_KEY, PROVISION_RESOURCES_KEY, PROVISION_REFERENCE_VALUES_KEY].map((key) => ({ key, path: key })) } },
      { name: 'policies', configMap: { name: props.policiesConfigMapName, items: [RESOURCE_POLICY_KEY, ATTESTATION_POLICY_KEY].map((key) => ({ key, path: key })) } },
      ...(
        [
          ['admin-token-policies', props.policyTokenSecretName],
          ['admin-token-resources', props.resourceTokenSecretName],
        ] as const
      ).map(([name, secretName]): Volume => ({ name, secret: { secretName, optional: true, defaultMode: 0o440, items: [{ key: SECRET_KEYS.adminToken, path: SECRET_KEYS.adminToken }] } })),
      { name: 'work', emptyDir: { medium: 'Memory', sizeLimit: Quantity.fromString('16Mi') } },
    ];
    const mounts: VolumeMount[] = [
      { name: 'script', mountPath: PROVISION_MOUNTS.script, readOnly: true },
      { name: 'policies', mountPath: PROVISION_MOUNTS.policies, readOnly: true },
      { name: 'admin-token-policies', mountPath: PROVISION_MOUNTS.policyToken, readOnly: true },
      { name: 'admin-token-resources', mountPath: PROVISION_MOUNTS.resourceToken, readOnly: true },
      { name: 'work', mountPath: PROVISION_MOUNTS.tmp },
    ];
    const env: EnvVar[] = [
      { name: 'KBS_URL', value: props.kbsUrl },
      { name: 'NAMESPACE', value: props.namespace },
      { name: 'POLICY_TOKEN_SECRET', value: props.policyTokenSecretName },
      { name: 'POLICY_TOKEN_FILE', value: `${PROVISION_MOUNTS.policyToken}/${SECRET_KEYS.adminToken}` },
      { name: 'RESOURCE_TOKEN_SECRET', value: props.resourceTokenSecretName },
      { name: 'RESOURCE_TOKEN_FILE', value: `${PROVISION_MOUNTS.resourceToken}/${SECRET_KEYS.adminToken}` },
      { name: 'MAX_TOKEN_SECONDS', value: String(props.maxTokenHours * 3600) },
      { name: 'REFERENCE_VALUES_FILE', value: `${PROVISION_MOUNTS.script}/${PROVISION_REFERENCE_VALUES_KEY}` },
      { name: 'POLICY_DIR', value: PROVISION_MOUNTS.policies },
      { name: 'ATTESTATION_POLICY_ID', value: ATTESTATION_POLICY_ID },
      { name: 'RESOURCES_FILE', value: `${PROVISION_MOUNTS.script}/${PROVISION_RESOURCES_KEY}` },
      { name: 'RESOURCE_DIR', value: PROVISION_MOUNTS.resources },
      { name: 'WORK_DIR', value: PROVISION_MOUNTS.tmp },
    ];
    if (props.tlsSecretName !== undefined) {
      volumes.push({
        name: 'kbs-certificate',
        secret: {
          secretName: props.tlsSecretName,
          optional: true,
          items: [SECRET_KEYS.tlsCert, SECRET_KEYS.tlsCa].map((key) => ({ key, path: key })),
        },
      });
      mounts.push({ name: 'kbs-certificate', mountPath: PROVISION_MOUNTS.tls, readOnly: true });
      env.push({ name: 'TLS_DIR', value: PROVISION_MOUNTS.tls }, { name: 'TLS_SECRET', value: props.tlsSecretName });
    }
    [...new Set(props.resourceSecretNames)].sort().forEach((secretName, i) => {
      volumes.push({ name: `resource-${i}`, secret: { secretName, optional: true, defaultMode: 0o440 } });
      mounts.push({ name: `resource-${i}`, mountPath: `${PROVISION_MOUNTS.resources}/${secretName}`, readOnly: true });
    });
    new KubeJob(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: { ...props.labels },
        annotations: {
          'argocd.argoproj.io/hook': 'PostSync',
          'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
          // Plain `helm install` of charts/kbs: after the release's objects exist (Argo CD follows
          // its own annotation above when both are present); the script waits for KBS to be healthy.
          'helm.sh/hook': 'post-install,post-upgrade',
          'helm.sh/hook-delete-policy': 'before-hook-creation',
        },
      },
      spec: {
        backoffLimit: 2,
        activeDeadlineSeconds: 600,
        template: {
          metadata: { labels: { ...props.labels } },
          spec: {
            restartPolicy: 'Never',
            serviceAccountName: props.serviceAccountName,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: restrictedPod(KBS_UID),
            containers: [
              {
                name: 'provision',
                image: props.image,
                imagePullPolicy: 'IfNotPresent',
                command: ['/bin/sh', `${PROVISION_MOUNTS.script}/${PROVISION_SCRIPT_KEY}`],
                env,
                resources: {
                  requests: { cpu: Quantity.fromString('10m'), memory: Quantity.fromString('32Mi') },
                  limits: { memory: Quantity.fromString('64Mi') },
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
