import { Construct } from 'constructs';
import { KubeJob } from 'cdk8s-plus-30/lib/imports/k8s';
import { PRIVILEGED_REASON_ANNOTATION } from '../../render/semantic-rules';

export interface MaaAttestationJobProps {
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Pinned image with Microsoft's AttestationClient (Azure/confidential-computing-cvm-guest-attestation). */
  readonly image: string;
  /** The confidential pool's label. */
  readonly nodeSelector: Readonly<Record<string, string>>;
}

/**
 * Seed 004's attestation pod as a Job: the CVM guest attestation client reads the node's vTPM
 * (`/dev/tpmrm0`, and the TPM event log under `/sys/kernel/security`), sends the SEV-SNP/vTPM
 * evidence to Microsoft Azure Attestation and prints the MAA token's header and claims. The vTPM is
 * a host device: the container must be privileged with both host paths mounted, so this runs only
 * in a dev profile behind devSwitches.enableMaaAttestationDemo, in its own privileged namespace.
 * Anything on the node that can do this speaks with the node's attestation identity (seed 000 9.2).
 */
export class MaaAttestationJob extends Construct {
  constructor(scope: Construct, id: string, props: MaaAttestationJobProps) {
    super(scope, id);
    new KubeJob(this, 'Resource', {
      metadata: {
        name: 'maa-attestation',
        namespace: props.namespace,
        labels: props.labels,
        annotations: { [PRIVILEGED_REASON_ANNOTATION]: 'ATTESTATION DEMO (dev profile only): the CVM attestation client needs the node vTPM /dev/tpmrm0 and /sys/kernel/security (seed 004)' },
      },
      spec: {
        backoffLimit: 1,
        activeDeadlineSeconds: 300,
        template: {
          metadata: { labels: props.labels },
          spec: {
            restartPolicy: 'Never',
            automountServiceAccountToken: false,
            nodeSelector: { ...props.nodeSelector },
            containers: [
              {
                name: 'attestation',
                image: props.image,
                imagePullPolicy: 'IfNotPresent',
                // The image's get-attestation-report.sh: AttestationClient -o token, then header and claims.
                command: ['/bin/bash', '-c', 'set -euo pipefail; t=$(/AttestationClient -o token); for i in 1 2; do printf "%s" "$t" | cut -d. -f"$i" | base64 -d 2>/dev/null | jq .; done'],
                securityContext: { privileged: true },
                volumeMounts: [
                  { name: 'tpmrm0', mountPath: '/dev/tpmrm0' },
                  { name: 'tcg', mountPath: '/sys/kernel/security', readOnly: true },
                ],
              },
            ],
            volumes: [
              { name: 'tpmrm0', hostPath: { path: '/dev/tpmrm0', type: 'CharDevice' } },
              { name: 'tcg', hostPath: { path: '/sys/kernel/security', type: 'Directory' } },
            ],
          },
        },
      },
    });
  }
}
