/**
 * Which clients each KBS resource is released to, derived from what the bundle renders:
 *
 * - a Kata guest, by the initdata its pod boots with: the workloads component is built here from
 *   the same config (pure, no files), every pod with an initdata annotation is decoded, and the
 *   resources it references (`kbs:///<path>` and CDH `.../cdh/resource/<path>` in its spec or its
 *   initdata, the layer key of its encrypted image from the config) are bound to its initdata
 *   digest on the TEE of its runtime class;
 * - node-level clients (the host CDH of azure-tdx workers, `workloads.nodeDecryption.imageKeys`),
 *   as measured nodes of the node TEE (az-tdx-vtpm);
 * - Kata workloads outside the bundle, from `kbs.resourcePolicy.externalWorkloads`.
 *
 * A resource nobody references is released to nobody. The resource policy checks the binding
 * against the verifier's init_data claim: TDX MRCONFIGID (48 bytes) and SNP HOSTDATA (32 bytes),
 * which hold the digest padded with zero bytes or truncated (deps/verifier/src/{tdx,snp} and
 * regularize_data in deps/verifier/src/lib.rs at Trustee v0.21.0), or on Azure CVMs (peer-pod
 * VMs: az-snp-vtpm, az-tdx-vtpm) vTPM PCR8 extended with the digest.
 */
import { createHash } from 'node:crypto';
import { App, Chart } from 'cdk8s';
import type { LoadedEnvironment } from '../../config/load';
import type { K8sObject } from '../../shared/k8s-object';
import { decodeInitdata, initdataDigest, INITDATA_ANNOTATION } from '../../confidentialize/initdata';
import { KATA_RUNTIME_CLASSES } from '../runtime/kata-runtime-classes';
import type { RuntimeClassName } from '../../config/sections/runtime';
import type { ComponentScope } from '../component-builder';
import { buildWorkloads } from '../workloads';
import { MACHINE_TYPE_ANNOTATION, peerPodsModel } from '../../shared/peer-pods';
import { podVmTee } from '../../config/rules/peer-pods';

/** A client a resource is released to. */
export interface BoundClient {
  /** TEE of its evidence, a key of `ear.veraison.annotated-evidence`. */
  readonly tee: string;
  /** Expected init_data claim (hex), or null for node-level clients and the dev sample TEE. */
  readonly initData: string | null;
  /** Who it is: `Kind/namespace/name`, a configured external workload, or `nodes`. */
  readonly workload: string;
  /** The initdata digest (`sha256:<hex>`), for readers; absent for nodes. */
  readonly initdataDigest?: string;
}

/** One resource path and its clients (sorted). */
export interface ResourceBinding {
  readonly path: string;
  readonly clients: readonly BoundClient[];
}

/** Bytes of the init_data claim per TEE (the register the host writes the digest into). */
const INIT_DATA_BYTES: Readonly<Record<string, number>> = { tdx: 48, snp: 32 };

/**
 * Azure CVMs, whose host cannot set MRCONFIGID or HOSTDATA: the guest (a peer-pod VM) extends
 * vTPM PCR8 (SHA-256 bank) with the initdata digest, truncated or zero-padded to 32 bytes, before
 * the guest components start, and the az-snp-vtpm and az-tdx-vtpm verifiers report PCR8 as the
 * init_data claim (deps/verifier/src/az_snp_vtpm extend_claim and verify_init_data at Trustee
 * v0.21.0). The pod VM runs `tpm2_pcrextend 8:sha256=$(head -c64 /run/peerpod/initdata.digest)`
 * (cloud-api-adaptor v0.22.0 podvm/mkosi.images/system/.../process-user-data.service.d/10-override.conf).
 */
const PCR8_TEES: ReadonlySet<string> = new Set(['az-snp-vtpm', 'az-tdx-vtpm']);

/** The init_data claim a guest booted with `digest` (`sha256:<hex>`) shows on `tee`. */
export function initDataClaim(digest: string, tee: string): string {
  const hex = digest.slice(digest.indexOf(':') + 1);
  if (PCR8_TEES.has(tee)) {
    // PCR8 starts at zero: one extend gives sha256(32 zero bytes || digest).
    const extended = Buffer.from(hex.slice(0, 64).padEnd(64, '0'), 'hex');
    return createHash('sha256').update(Buffer.alloc(32)).update(extended).digest('hex');
  }
  const bytes = INIT_DATA_BYTES[tee];
  if (bytes === undefined) throw new Error(`no init_data register known for TEE ${tee}`);
  return hex.slice(0, bytes * 2).padEnd(bytes * 2, '0');
}

type Json = Record<string, unknown>;

/**
 * The TEE name the attestation service reports for a pod of a Kata runtime class. A peer pod's
 * TEE is its pod VM's: the size the pod asks for (MACHINE_TYPE_ANNOTATION, one of
 * AZURE_INSTANCE_SIZES) or the default size, SEV-SNP (az-snp-vtpm) or TDX (az-tdx-vtpm).
 */
function evidenceTee(env: LoadedEnvironment, runtimeClass: string, annotations: Readonly<Record<string, string>>): string | undefined {
  const tee = KATA_RUNTIME_CLASSES[runtimeClass as RuntimeClassName]?.tee;
  if (tee === 'peer-pods') {
    const model = peerPodsModel(env.config, env.name);
    return model ? podVmTee(annotations[MACHINE_TYPE_ANNOTATION] ?? model.config.podVm.instanceSize) : undefined;
  }
  return tee === 'tdx' || tee === 'snp' || tee === 'sample' ? tee : undefined;
}

const SEGMENT = '[A-Za-z0-9_-][A-Za-z0-9_.-]*';
const REFERENCE = new RegExp(`(?:kbs:///|/cdh/resource/)(${SEGMENT}/${SEGMENT}/${SEGMENT})`, 'g');

interface KataPod {
  readonly workload: string;
  readonly runtimeClass: string;
  readonly initdata: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly spec: Json;
}

/** Pods of the rendered workloads that carry initdata. */
function kataPods(objects: readonly K8sObject[]): KataPod[] {
  return objects.flatMap((o) => {
    const template = (o.kind === 'Pod' ? o : (o.spec as Json | undefined)?.template) as { metadata?: { annotations?: Record<string, string> }; spec?: Json } | undefined;
    const value = template?.metadata?.annotations?.[INITDATA_ANNOTATION];
    const runtimeClass = template?.spec?.runtimeClassName;
    if (value === undefined || typeof runtimeClass !== 'string' || !template?.spec) return [];
    const initdata = decodeInitdata(value);
    if (initdata === undefined) throw new Error(`${o.kind}/${o.metadata.name}: initdata annotation does not decode`);
    return [{ workload: `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`, runtimeClass, initdata, annotations: template.metadata?.annotations ?? {}, spec: template.spec }];
  });
}

/**
 * Resource paths a pod names: in its spec (env, command) and its initdata (e.g. a cdh.toml image
 * security policy `kbs:///...`), plus the layer keys of its encrypted images (from the config).
 */
function referencedPaths(spec: Json, initdata: string, imageKeys: ReadonlyMap<string, string>): string[] {
  const named = [JSON.stringify(spec), initdata].flatMap((text) => [...text.matchAll(REFERENCE)].map((m) => m[1]));
  const containers = [...((spec.initContainers ?? []) as Json[]), ...((spec.containers ?? []) as Json[])];
  const keys = containers.flatMap((c) => {
    const key = imageKeys.get(String(c.image));
    return key === undefined ? [] : [key];
  });
  return [...new Set([...named, ...keys])];
}

/** The workloads component of `env`, built in a scratch app exactly as the bundle builds it. */
function renderedWorkloads(env: LoadedEnvironment): K8sObject[] {
  if (!env.config.workloads.enabled) return [];
  const app = new App();
  const charts: Chart[] = [];
  const chart = (id: string): Chart => {
    const c = new Chart(app, id, { disableResourceNameHashes: true });
    charts.push(c);
    return c;
  };
  const subcharts = new Map<string, Chart>();
  const scope: ComponentScope = {
    chart: chart('workloads'),
    subfolder: (sub) => subcharts.get(sub) ?? (subcharts.set(sub, chart(`workloads-${sub}`)).get(sub) as Chart),
    argocd: chart('argocd'),
    grant: () => undefined,
  };
  buildWorkloads(scope, env);
  return charts.flatMap((c) => c.toJson() as K8sObject[]);
}

/** Layer keys of the encrypted images the config names, by image as rendered (before digest pinning). */
function configuredImageKeys(env: LoadedEnvironment): Map<string, string> {
  const w = env.config.workloads;
  const keys = new Map<string, string>();
  keys.set(w.cocoDemos.encryptedImage, w.cocoDemos.encryptedImageKey);
  if (w.confidentialApp.image !== undefined && w.confidentialApp.imageKey !== undefined) keys.set(w.confidentialApp.image, w.confidentialApp.imageKey);
  return keys;
}

const byWorkload = (a: BoundClient, b: BoundClient): number => (a.workload < b.workload ? -1 : a.workload > b.workload ? 1 : a.tee < b.tee ? -1 : a.tee > b.tee ? 1 : 0);

/**
 * Bindings by environment config: the KBS component and POSTURE.md both need them, and computing
 * them builds the whole workloads component once more. A loaded config is never changed.
 */
const computed = new WeakMap<LoadedEnvironment['config'], ResourceBinding[]>();

/** Every resource path KBS holds (kbs.resources and extraPaths) with the clients it is released to. */
export function resourceBindings(env: LoadedEnvironment): ResourceBinding[] {
  const known = computed.get(env.config);
  if (known !== undefined) return known;
  const bindings = computeBindings(env);
  computed.set(env.config, bindings);
  return bindings;
}

function computeBindings(env: LoadedEnvironment): ResourceBinding[] {
  const kbs = env.config.kbs;
  const clients = new Map<string, BoundClient[]>();
  const bind = (path: string, client: BoundClient) => clients.set(path, [...(clients.get(path) ?? []), client]);

  const imageKeys = configuredImageKeys(env);
  for (const pod of kataPods(renderedWorkloads(env))) {
    const tee = evidenceTee(env, pod.runtimeClass, pod.annotations);
    if (tee === undefined) continue;
    const digest = initdataDigest(pod.initdata);
    // The sample verifier reports no init_data a policy can compare (dev only): bound by TEE type alone.
    const initData = tee === 'sample' ? null : initDataClaim(digest, tee);
    for (const path of referencedPaths(pod.spec, pod.initdata, imageKeys)) bind(path, { tee, initData, workload: pod.workload, initdataDigest: digest });
  }
  const w = env.config.workloads;
  if (w.enabled && w.nodeDecryption.enabled && env.config.guestComponents.enabled) {
    for (const path of w.nodeDecryption.imageKeys) bind(path, { tee: 'az-tdx-vtpm', initData: null, workload: 'nodes' });
  }
  for (const external of kbs.resourcePolicy.externalWorkloads) {
    for (const path of external.resources) bind(path, { tee: external.tee, initData: initDataClaim(external.initdataDigest, external.tee), workload: external.name, initdataDigest: external.initdataDigest });
  }

  const paths = [...new Set([...kbs.resources.map((r) => r.path), ...kbs.resourcePolicy.extraPaths])].sort();
  return paths.map((path) => {
    // One entry per distinct client: replicas of one workload, or one path named twice, bind once.
    const unique = new Map((clients.get(path) ?? []).map((c) => [`${c.workload} ${c.tee} ${c.initData}`, c]));
    return { path, clients: [...unique.values()].sort(byWorkload) };
  });
}
