/**
 * The initdata cloud-api-adaptor gives a kata-remote pod that carries none (INITDATA in
 * peer-pods-cm; pkg/adaptor/cloud/cloud.go at v0.22.0 falls back to it when the pod's
 * `io.katacontainers.config.hypervisor.cc_init_data` annotation is empty). Without it such a pod
 * VM would boot with no KBS address and the image's permissive built-in agent policy.
 *
 * Same code as the demo pods' initdata (src/confidentialize/target.ts): the KBS URL a pod VM can
 * reach (the internal load balancer, https://<kbsAddress>:8080) and runtime.kbsCertificate in
 * aa.toml and cdh.toml, and the bundle's agent policy with exec, stdin, SetPolicy (the host cannot
 * swap it), diagnostics and iptables denied, and `kubectl logs` only with runtime.allowContainerLogs. That policy cannot inspect containers it does not know,
 * so the KBS binds no resource to this document's digest (src/k8s/kbs/resource-binding.ts binds
 * only rendered pods and kbs.resourcePolicy.externalWorkloads): a pod that relies on it attests,
 * but is released nothing. Workloads that need keys bring their own initdata (`npx confidentialize`).
 */
import type { LoadedEnvironment } from '../../config/load';
import { renderAgentPolicy } from '../../confidentialize/agent-policy';
import { encodeInitdata, renderInitdata } from '../../confidentialize/initdata';
import { guestKbsUrl } from '../../confidentialize/target';

/** The default initdata TOML of `env`'s pod VMs. */
export function peerPodsDefaultInitdataToml(env: LoadedEnvironment): string {
  return renderInitdata({ kbsUrl: guestKbsUrl(env), kbsCertificate: env.config.runtime.kbsCertificate, policy: renderAgentPolicy({ allowExec: false, closeStreams: true, allowLogs: env.config.runtime.allowContainerLogs }) });
}

/**
 * INITDATA as CAA reads it: base64 of the gzipped TOML (pkg/initdata Parse, which CAA runs at
 * startup and refuses to start on failure), the same encoding as the pod annotation.
 */
export function peerPodsDefaultInitdata(env: LoadedEnvironment): string {
  return encodeInitdata(peerPodsDefaultInitdataToml(env));
}
