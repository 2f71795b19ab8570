import { Construct } from 'constructs';
import { KubePod } from 'cdk8s-plus-30/lib/imports/k8s';
import { PRIVILEGED_REASON_ANNOTATION } from '../../render/semantic-rules';

/** Props of the seed 000 section 9 demos that need host access (attacker, memory inspector). */
export interface HostAccessDemoProps {
  readonly name: string;
  readonly namespace: string;
  /** Includes the loud insecurity-demo labels. */
  readonly labels: Record<string, string>;
  readonly image: string;
  readonly nodeSelector: Readonly<Record<string, string>>;
}

/**
 * Seed 000 section 9.1: the "attacker" every node admin (or anyone allowed to create such a pod)
 * can run. Host PID and network namespaces, a privileged container and the host root at /host:
 * from here every other pod's files (/proc/<pid>/root), environment and memory on the node are
 * readable, and the node's vTPM (/host/dev/tpmrm0) answers as the node's attestation identity
 * (section 9.2). With Kata each pod would be a separate TEE VM this pod cannot see into.
 */
export class AttackerPod extends Construct {
  constructor(scope: Construct, id: string, props: HostAccessDemoProps) {
    super(scope, id);
    new KubePod(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: props.labels,
        annotations: {
          [PRIVILEGED_REASON_ANNOTATION]:
            'INSECURITY DEMO (dev profile only): shows that without Kata a privileged pod reads every container on the confidential VM (seed 000 section 9.1/9.2)',
        },
      },
      spec: {
        hostPid: true,
        hostNetwork: true,
        nodeSelector: { ...props.nodeSelector },
        automountServiceAccountToken: false,
        restartPolicy: 'Never',
        containers: [
          {
            name: 'attacker',
            image: props.image,
            imagePullPolicy: 'IfNotPresent',
            command: ['sleep', 'infinity'],
            // privileged implies escalation; the API server rejects allowPrivilegeEscalation: false here.
            securityContext: { privileged: true },
            volumeMounts: [{ name: 'host-root', mountPath: '/host' }],
          },
        ],
        volumes: [{ name: 'host-root', hostPath: { path: '/', type: 'Directory' } }],
      },
    });
  }
}
