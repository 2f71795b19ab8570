import { Construct } from 'constructs';
import { KubeJob, KubeServiceAccount, Quantity } from 'cdk8s-plus-30/lib/imports/k8s';
import { NOBODY, restrictedContainer, restrictedPod, smallResources } from '../common/security-contexts';

export interface KeyReleaseIdentityProps {
  /** The workloads namespace: the federated credential names `system:serviceaccount:<it>:<serviceAccountName>`. */
  readonly namespace: string;
  /** infrastructure.aks.keyReleaseServiceAccount. */
  readonly serviceAccountName: string;
  /** Client ID of the key-release managed identity (Terraform output key_release_identity_client_id). @default none: annotate by hand */
  readonly clientId?: string;
  readonly labels: Record<string, string>;
  /** Pinned image with sh, curl, sed, cut, tr and base64 (the curl image). */
  readonly image: string;
  /** The confidential pool's label. */
  readonly nodeSelector: Readonly<Record<string, string>>;
}

/** Audience Key Vault tokens are requested for (secure key release takes such a token). */
const KEY_VAULT_SCOPE = 'https://vault.azure.net/.default';

/**
 * Prints the claims of the Entra token the key-release workload identity gets for Key Vault
 * (never the token itself): the half of seed 004 that needs no host device. The workload identity
 * webhook injects AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_AUTHORITY_HOST and the projected token
 * file into pods labelled `azure.workload.identity/use` whose ServiceAccount names the client ID.
 */
const SCRIPT = `set -eu
: "\${AZURE_FEDERATED_TOKEN_FILE:?no workload identity token: annotate the ServiceAccount with azure.workload.identity/client-id (docs/workloads.md)}"
curl --silent --show-error --fail-with-body --max-time 30 --output /tmp/token.json \\
  --data-urlencode "client_id=$AZURE_CLIENT_ID" --data-urlencode grant_type=client_credentials \\
  --data-urlencode "scope=${KEY_VAULT_SCOPE}" \\
  --data-urlencode client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \\
  --data-urlencode "client_assertion=$(cat "$AZURE_FEDERATED_TOKEN_FILE")" \\
  "\${AZURE_AUTHORITY_HOST%/}/$AZURE_TENANT_ID/oauth2/v2.0/token"
p=$(sed -n 's/.*"access_token":"\\([^"]*\\)".*/\\1/p' /tmp/token.json | cut -d. -f2 | tr '_-' '/+')
while [ $((\${#p} % 4)) -ne 0 ]; do p="$p="; done
echo "key-release identity: Entra token claims for Key Vault:"
printf '%s' "$p" | base64 -d
echo
`;

/**
 * Seed 004, production-safe half: the ServiceAccount the Terraform federates with the key-release
 * managed identity, and a Job on the confidential pool that proves the federation by printing the
 * claims of the Key Vault token it gets. Restricted Pod Security; the token never leaves the pod.
 */
export class KeyReleaseIdentity extends Construct {
  constructor(scope: Construct, id: string, props: KeyReleaseIdentityProps) {
    super(scope, id);
    new KubeServiceAccount(this, 'ServiceAccount', {
      metadata: {
        name: props.serviceAccountName,
        namespace: props.namespace,
        labels: props.labels,
        ...(props.clientId !== undefined ? { annotations: { 'azure.workload.identity/client-id': props.clientId } } : {}),
      },
      automountServiceAccountToken: false,
    });
    const podLabels = { ...props.labels, 'azure.workload.identity/use': 'true' };
    new KubeJob(this, 'Job', {
      metadata: { name: 'key-release-identity', namespace: props.namespace, labels: props.labels },
      spec: {
        backoffLimit: 2,
        activeDeadlineSeconds: 300,
        template: {
          metadata: { labels: podLabels },
          spec: {
            restartPolicy: 'Never',
            serviceAccountName: props.serviceAccountName,
            // The webhook projects its own audience-bound token; the API token is not needed.
            automountServiceAccountToken: false,
            nodeSelector: { ...props.nodeSelector },
            securityContext: restrictedPod(NOBODY),
            containers: [
              {
                name: 'identity',
                image: props.image,
                imagePullPolicy: 'IfNotPresent',
                command: ['/bin/sh', '-c', SCRIPT],
                securityContext: restrictedContainer(),
                resources: smallResources('32Mi', '10m'),
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [{ name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: Quantity.fromString('1Mi') } }],
          },
        },
      },
    });
  }
}
