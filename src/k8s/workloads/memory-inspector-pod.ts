import { Construct } from 'constructs';
import { KubePod } from 'cdk8s-plus-30/lib/imports/k8s';
import { PRIVILEGED_REASON_ANNOTATION } from '../../render/semantic-rules';
import type { HostAccessDemoProps } from './attacker-pod';


/**
 * Seed 000 section 9.6: memory of other containers on the same confidential VM. Deliberately less
 * than the attacker pod (not privileged, no host filesystem): the host PID namespace plus
 * CAP_SYS_PTRACE already expose /proc/<pid>/maps and /proc/<pid>/mem of every process on the node.
 * TDX encrypts the VM's memory against the host, not against other pods inside the same VM.
 */
export class MemoryInspectorPod extends Construct {
  constructor(scope: Construct, id: string, props: HostAccessDemoProps) {
    super(scope, id);
    new KubePod(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: props.labels,
        annotations: {
          [PRIVILEGED_REASON_ANNOTATION]: 'INSECURITY DEMO (dev profile only): hostPID + SYS_PTRACE read other containers\' memory on the confidential VM (seed 000 section 9.6)',
        },
      },
      spec: {
        hostPid: true,
        nodeSelector: { ...props.nodeSelector },
        automountServiceAccountToken: false,
        restartPolicy: 'Never',
        containers: [
          {
            name: 'inspector',
            image: props.image,
            imagePullPolicy: 'IfNotPresent',
            command: ['sleep', 'infinity'],
            // Root in the container (ptrace of other users' processes), one capability, no escalation.
            securityContext: {
              runAsUser: 0,
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ['ALL'], add: ['SYS_PTRACE'] },
              seccompProfile: { type: 'RuntimeDefault' },
            },
          },
        ],
      },
    });
  }
}
