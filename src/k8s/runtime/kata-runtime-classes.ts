/**
 * The kata-deploy RuntimeClass table at the pinned Kata version: what each upstream RuntimeClass
 * name means and the pod overhead kata-deploy gives it. Upstream facts, so they are data here;
 * a test ties KATA_TABLE_VERSION to VERSIONS.kata so a Kata bump forces a re-check.
 * @see https://github.com/kata-containers/kata-containers/blob/4.0.0/tools/packaging/kata-deploy/helm-chart/kata-deploy/templates/runtimeclasses.yaml
 */
import type { RuntimeClassName } from '../../config/sections/runtime';

/** Kata release the table below was read from. */
export const KATA_TABLE_VERSION = '4.0.0';

/** Node label kata-deploy sets once Kata is installed; every Kata RuntimeClass schedules onto it. */
export const KATA_RUNTIME_NODE_LABEL = { key: 'katacontainers.io/kata-runtime', value: 'true' } as const;

/**
 * Node labels of TEE hosts, from kata-deploy's NodeFeatureRule (node-feature-rules/x86_64-tee-keys.yaml):
 * the ones kata-deploy itself adds to TEE RuntimeClasses when node-feature-discovery runs.
 */
export const TEE_NODE_LABELS = {
  tdx: { key: 'intel.feature.node.kubernetes.io/tdx', value: 'true' },
  snp: { key: 'amd.feature.node.kubernetes.io/snp', value: 'true' },
} as const;

/**
 * What isolates the pod: `none` plain Kata VM (no TEE), `sample` CoCo without TEE hardware (dev only:
 * attestation uses the sample attester), `tdx`/`snp` a TEE VM per pod, `peer-pods` a confidential
 * cloud VM per pod created by cloud-api-adaptor.
 */
export type TeeKind = 'none' | 'sample' | 'tdx' | 'snp' | 'peer-pods';

export interface KataRuntimeClass {
  /** kata-deploy shim key (`shims.<shim>` in its values); the RuntimeClass name is `kata-<shim>`. */
  readonly shim: string;
  /** `overhead.podFixed` kata-deploy renders for the shim. */
  readonly overhead: { readonly memory: string; readonly cpu: string };
  readonly tee: TeeKind;
  /** Go runtime (containerd-shim-kata-v2) or the Rust runtime-rs, the default since Kata 4.0. */
  readonly runtime: 'go' | 'runtime-rs';
  /** Needs a VM per pod on the node (KVM): unavailable inside Azure CVMs. */
  readonly nestedVirtualization: boolean;
}

export const KATA_RUNTIME_CLASSES: Readonly<Record<RuntimeClassName, KataRuntimeClass>> = {
  'kata-qemu-coco-dev': { shim: 'qemu-coco-dev', overhead: { memory: '160Mi', cpu: '250m' }, tee: 'sample', runtime: 'go', nestedVirtualization: true },
  'kata-qemu-coco-dev-runtime-rs': { shim: 'qemu-coco-dev-runtime-rs', overhead: { memory: '320Mi', cpu: '250m' }, tee: 'sample', runtime: 'runtime-rs', nestedVirtualization: true },
  'kata-qemu-tdx': { shim: 'qemu-tdx', overhead: { memory: '2048Mi', cpu: '1.0' }, tee: 'tdx', runtime: 'go', nestedVirtualization: true },
  'kata-qemu-tdx-runtime-rs': { shim: 'qemu-tdx-runtime-rs', overhead: { memory: '2048Mi', cpu: '1.0' }, tee: 'tdx', runtime: 'runtime-rs', nestedVirtualization: true },
  'kata-qemu-snp': { shim: 'qemu-snp', overhead: { memory: '2048Mi', cpu: '1.0' }, tee: 'snp', runtime: 'go', nestedVirtualization: true },
  'kata-qemu-snp-runtime-rs': { shim: 'qemu-snp-runtime-rs', overhead: { memory: '2048Mi', cpu: '1.0' }, tee: 'snp', runtime: 'runtime-rs', nestedVirtualization: true },
  // 320Mi since Kata 4.0 (was 160Mi): the QEMU process itself is accounted in the pod cgroup.
  'kata-qemu': { shim: 'qemu', overhead: { memory: '320Mi', cpu: '250m' }, tee: 'none', runtime: 'go', nestedVirtualization: true },
  'kata-qemu-runtime-rs': { shim: 'qemu-runtime-rs', overhead: { memory: '320Mi', cpu: '250m' }, tee: 'none', runtime: 'runtime-rs', nestedVirtualization: true },
  'kata-clh': { shim: 'clh', overhead: { memory: '130Mi', cpu: '250m' }, tee: 'none', runtime: 'go', nestedVirtualization: true },
  'kata-clh-runtime-rs': { shim: 'clh-runtime-rs', overhead: { memory: '130Mi', cpu: '250m' }, tee: 'none', runtime: 'runtime-rs', nestedVirtualization: true },
  'kata-remote': { shim: 'remote', overhead: { memory: '120Mi', cpu: '250m' }, tee: 'peer-pods', runtime: 'go', nestedVirtualization: false },
};

/** Runtime classes that run pods as Confidential Containers (attestation, initdata, guest image pull). */
export function isCocoClass(name: RuntimeClassName): boolean {
  return KATA_RUNTIME_CLASSES[name].tee !== 'none';
}
