/** `devSwitches`: the seeds' insecure conveniences, each off by default and refused by production. */
import { Type } from '@sinclair/typebox';
import { Section } from '../schema-helpers';

export const DevSwitches = Section(
  {
    allowAdminIngressFromInternet: Type.Boolean({ default: false, description: 'DEV ONLY: allow "*"/Internet sources on SSH, API server and NodePorts.' }),
    allowOfflineFsKbc: Type.Boolean({ default: false, description: 'DEV ONLY: let guest components use offline_fs_kbc (keys in a node file) instead of KBS.' }),
    allowSampleTeePolicy: Type.Boolean({ default: false, description: 'DEV ONLY: accept the sample TEE / allow-all KBS policies.' }),
    allowInsecureHttpKbs: Type.Boolean({ default: false, description: 'DEV ONLY: serve KBS over plain HTTP.' }),
    enableInsecurityDemos: Type.Boolean({ default: false, description: 'DEV ONLY: render the privileged "what we lose without Kata" demonstrations.' }),
    enableMaaAttestationDemo: Type.Boolean({ default: false, description: 'DEV ONLY: render the seed 004 MAA attestation Job, privileged with the node vTPM (/dev/tpmrm0, /sys/kernel/security) mounted (needs workloads.attestationDemo.enabled).' }),
  },
  'Insecure conveniences from the seeds. Every switch is refused by the production profile.',
);

