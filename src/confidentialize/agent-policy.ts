/**
 * The Kata agent policy (Rego, `package agent_policy`) rendered from a typed table: one `default`
 * per AgentService request type, so no request is left to OPA's "undefined means deny" by accident.
 *
 * Based on upstream's allow-all-except-exec-process.rego, with the request types it misses added and
 * a few more host-only requests denied (those genpolicy also denies by default). The policy does not
 * inspect request contents: that needs a per-workload policy from genpolicy.
 * @see https://github.com/kata-containers/kata-containers/blob/4.0.0/docs/how-to/how-to-use-the-kata-agent-policy.md
 */
import { VERSIONS } from '../shared/versions';

/** Pod annotation of the legacy delivery: base64 Rego, sent by the shim with SetPolicyRequest. */
export const AGENT_POLICY_ANNOTATION = 'io.katacontainers.config.agent.policy';

/**
 * Every request type of `service AgentService` in src/libs/protocols/protos/agent.proto at Kata 4.0.0
 * (the names OPA is queried with), and whether it is allowed when the policy denies exec.
 */
export const AGENT_REQUESTS: Readonly<Record<string, { readonly allow: boolean; readonly why?: string }>> = {
  AddARPNeighborsRequest: { allow: true },
  AddSwapPathRequest: { allow: true },
  AddSwapRequest: { allow: true },
  CloseStdinRequest: { allow: true },
  CopyFileRequest: { allow: true },
  CreateContainerRequest: { allow: true },
  CreateSandboxRequest: { allow: true },
  DestroySandboxRequest: { allow: true },
  ExecProcessRequest: { allow: false, why: 'kubectl exec / the host may not run processes in the TEE (seed 001 coco-demo-02)' },
  GetDiagnosticDataRequest: { allow: false, why: 'diagnostic dumps would carry guest state to the host' },
  GetIPTablesRequest: { allow: false, why: 'host tooling only; not needed for the pod lifecycle' },
  GetMetricsRequest: { allow: true },
  GetOOMEventRequest: { allow: true },
  GuestDetailsRequest: { allow: true },
  ListInterfacesRequest: { allow: true },
  ListRoutesRequest: { allow: true },
  MemAgentCompactConfig: { allow: true },
  MemAgentMemcgConfig: { allow: true },
  MemHotplugByProbeRequest: { allow: true },
  OnlineCPUMemRequest: { allow: true },
  PauseContainerRequest: { allow: true },
  ReadStreamRequest: { allow: true, why: 'kubectl logs keeps working: never print secrets to stdout/stderr' },
  RemoveContainerRequest: { allow: true },
  RemoveStaleVirtiofsShareMountsRequest: { allow: true },
  ReseedRandomDevRequest: { allow: true },
  ResizeVolumeRequest: { allow: true },
  ResumeContainerRequest: { allow: true },
  SetGuestDateTimeRequest: { allow: true },
  SetIPTablesRequest: { allow: false, why: 'host tooling only; would let the host rewrite guest packet filtering' },
  SetPolicyRequest: { allow: false, why: 'the host may not replace this policy once it is in force' },
  SignalProcessRequest: { allow: true },
  StartContainerRequest: { allow: true },
  StatsContainerRequest: { allow: true },
  TtyWinResizeRequest: { allow: true },
  UpdateContainerRequest: { allow: true },
  UpdateEphemeralMountsRequest: { allow: true },
  UpdateInterfaceRequest: { allow: true },
  UpdateRoutesRequest: { allow: true },
  VolumeStatsRequest: { allow: true },
  WaitProcessRequest: { allow: true },
  WriteStreamRequest: { allow: true },
};

export interface AgentPolicyOptions {
  /**
   * Allow ExecProcessRequest (kubectl exec). Dev only: the production profile refuses it.
   * @default false
   */
  readonly allowExec?: boolean;
}

/** Code-unit order: locale-independent, so every machine renders the same bytes. */
const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The policy text; deterministic (sorted), so its digest is stable across renders. */
export function renderAgentPolicy(options: AgentPolicyOptions = {}): string {
  const rules = Object.entries(AGENT_REQUESTS).map(([name, rule]) => {
    const allow = name === 'ExecProcessRequest' ? options.allowExec === true : rule.allow;
    return { name, allow, why: name === 'ExecProcessRequest' && allow ? 'ALLOWED: dev only, the host can read everything in the container' : rule.why };
  });
  const line = (r: { name: string; allow: boolean; why?: string }) => `default ${r.name} := ${r.allow}${r.why ? ` # ${r.why}` : ''}`;
  const allowed = rules.filter((r) => r.allow).sort(byName);
  const denied = rules.filter((r) => !r.allow).sort(byName);
  return [
    `# Kata agent policy rendered by coco-azure-gitops (src/confidentialize/agent-policy.ts) for Kata ${VERSIONS.kata}.`,
    '# One default per AgentService request type; requests are not inspected (use genpolicy for that).',
    '',
    'package agent_policy',
    '',
    ...allowed.map(line),
    '',
    ...denied.map(line),
    '',
  ].join('\n');
}

/** Value of the legacy annotation: the Rego, base64-encoded. */
export function agentPolicyAnnotationValue(rego: string): string {
  return Buffer.from(rego, 'utf8').toString('base64');
}
