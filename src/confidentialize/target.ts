/**
 * Where an environment runs confidential workloads, and the pod settings that put a pod there.
 * Shared by the `confidentialize` command and the demo workload constructs, so both make a pod
 * confidential in exactly the same way.
 */
import type { LoadedEnvironment } from '../config/load';
import type { RuntimeClassName } from '../config/sections/runtime';
import { UserInputError } from '../config/errors';
import { kbsEndpoint, kbsNodeUrl } from '../shared/kbs-endpoint';
import { peerPodsModel } from '../shared/peer-pods';
import { AKS_CONFIDENTIAL_NODE_LABEL, GUEST_COMPONENTS_NODE_LABEL } from '../shared/node-roles';
import { isCocoClass, KATA_RUNTIME_CLASSES, TEE_NODE_LABELS, type TeeKind } from '../k8s/runtime/kata-runtime-classes';
import { AGENT_POLICY_ANNOTATION, agentPolicyAnnotationValue, renderAgentPolicy, type PodPolicyInput } from './agent-policy';
import { encodeInitdata, INITDATA_ANNOTATION, renderInitdata } from './initdata';


/** A pod runs in its own TEE VM through a Kata CoCo runtime class. */
export interface KataTarget {
  readonly kind: 'kata';
  readonly environment: string;
  readonly runtimeClass: RuntimeClassName;
  readonly tee: TeeKind;
  /** Labels the pod must select beyond what the RuntimeClass schedules onto (the TEE host label). */
  readonly nodeSelector: Readonly<Record<string, string>>;
  /** KBS URL for the guest (aa.toml/cdh.toml); absent when the environment has no KBS. */
  readonly kbsUrl?: string;
  /** Certificate the guest trusts for an HTTPS KBS (runtime.kbsCertificate). */
  readonly kbsCertificate?: string;
  readonly production: boolean;
}

/** No Kata: the confidential VM node is the trust boundary; the pod is only pinned onto such nodes. */
export interface NodeTarget {
  readonly kind: 'confidential-nodes';
  readonly environment: string;
  readonly nodeSelector: Readonly<Record<string, string>>;
  /** Why these nodes are confidential, for the report. */
  readonly boundary: string;
  readonly production: boolean;
}

export type ConfidentialTarget = KataTarget | NodeTarget;

/**
 * URL a Kata guest uses for the KBS: the Service's fixed ClusterIP, not its DNS name. The attestation
 * agent and CDH start inside the guest before the pod's DNS settings exist there, which is also why
 * Kata's own CI passes the KBS ClusterIP (tests/integration/kubernetes/confidential_kbs.sh).
 */
export function guestKbsUrl(env: LoadedEnvironment): string | undefined {
  if (!env.config.kbs.enabled) return undefined;
  // A peer-pod VM is outside the cluster network: it reaches the KBS's internal load balancer.
  const peerPods = peerPodsModel(env.config, env.name);
  if (peerPods) return peerPods.kbsUrl;
  return kbsNodeUrl(kbsEndpoint(env.config));
}

/** The target of `env`; `runtimeClass` picks one of several CoCo classes (default: the first listed). */
export function targetFor(env: LoadedEnvironment, runtimeClass?: string): ConfidentialTarget {
  const { config } = env;
  const production = config.profile === 'production';
  const classes = config.runtime.enabled ? config.runtime.runtimeClasses.filter(isCocoClass) : [];
  const fail = (expected: string, found: string): never => {
    throw new UserInputError([{ file: env.file, path: '/runtime/runtimeClasses', expected, found }]);
  };
  if (runtimeClass !== undefined && !(classes as readonly string[]).includes(runtimeClass)) {
    fail(`a CoCo runtime class of environment ${env.name} (${classes.join(', ') || 'none'})`, `--runtime-class ${runtimeClass}`);
  }
  const chosen = (runtimeClass as RuntimeClassName | undefined) ?? classes[0];
  if (chosen !== undefined) {
    const tee = KATA_RUNTIME_CLASSES[chosen].tee;
    const label = tee === 'tdx' || tee === 'snp' ? TEE_NODE_LABELS[tee] : undefined;
    return {
      kind: 'kata',
      environment: env.name,
      runtimeClass: chosen,
      tee,
      nodeSelector: label ? { [label.key]: label.value } : {},
      ...(guestKbsUrl(env) !== undefined ? { kbsUrl: guestKbsUrl(env) } : {}),
      ...(config.runtime.kbsCertificate !== undefined ? { kbsCertificate: config.runtime.kbsCertificate } : {}),
      production,
    };
  }
  switch (config.infrastructure.provider) {
    case 'azure-tdx':
      return {
        kind: 'confidential-nodes',
        environment: env.name,
        nodeSelector: { [GUEST_COMPONENTS_NODE_LABEL.key]: GUEST_COMPONENTS_NODE_LABEL.value },
        boundary: 'Intel TDX confidential VM workers running the guest-components installer (node-level image decryption); no per-pod TEE',
        production,
      };
    case 'aks-cvm':
      return {
        kind: 'confidential-nodes',
        environment: env.name,
        nodeSelector: { [AKS_CONFIDENTIAL_NODE_LABEL.key]: AKS_CONFIDENTIAL_NODE_LABEL.value },
        boundary: 'AKS confidential VM node pool (AMD SEV-SNP/Intel TDX CVMs); no per-pod TEE',
        production,
      };
    case 'aks-peer-pods':
    case 'none':
      return fail('runtime.enabled with a CoCo runtime class (kata-qemu-coco-dev, kata-qemu-tdx, kata-qemu-snp, kata-remote)', 'no confidential runtime in this environment');
  }
}

export interface KataPodOptions {
  /** Allow kubectl exec (dev only). @default false */
  readonly allowExec?: boolean;
  /**
   * Deliver the agent policy through the legacy `io.katacontainers.config.agent.policy` annotation
   * instead of initdata (seed 001 coco-demo-02). Never both: the shim would send SetPolicyRequest,
   * which the initdata policy denies. @default false
   */
  readonly legacyPolicyAnnotation?: boolean;
  /**
   * The pod's containers: the policy then lets only these be created (generated, in the spirit
   * of genpolicy). @default none (a policy that does not inspect requests; dev only)
   */
  readonly pod?: PodPolicyInput;
}

/** What a Kata pod gets: runtime class, annotations and node selection. */
export interface KataPodSettings {
  readonly runtimeClassName: RuntimeClassName;
  readonly annotations: Readonly<Record<string, string>>;
  readonly nodeSelector: Readonly<Record<string, string>>;
}

export function kataPodSettings(target: KataTarget, options: KataPodOptions = {}): KataPodSettings {
  const policy = renderAgentPolicy({ allowExec: options.allowExec, ...(options.pod ? { pod: options.pod } : {}) });
  const annotations: Record<string, string> = options.legacyPolicyAnnotation
    ? { [AGENT_POLICY_ANNOTATION]: agentPolicyAnnotationValue(policy) }
    : { [INITDATA_ANNOTATION]: encodeInitdata(renderInitdata({ kbsUrl: target.kbsUrl, kbsCertificate: target.kbsCertificate, policy })) };
  return { runtimeClassName: target.runtimeClass, annotations, nodeSelector: target.nodeSelector };
}
