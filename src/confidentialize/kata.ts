/** A pod in its own TEE VM: runtime class, initdata (agent policy, KBS) and TEE host selection. */
import { AGENT_POLICY_ANNOTATION, agentPolicyProblems, podPolicyInput, renderAgentPolicy, type PodPolicyInput } from './agent-policy';
import { INITDATA_ANNOTATION } from './initdata';
import { child } from './json';
import { mergeKey } from './merge-key';
import { pointer } from './paths';
import type { PodContext } from './rules';
import { RUNTIME_HANDLER_ANNOTATION } from './runtime-annotations';
import { kataPodSettings, type KataTarget } from './target';

export function applyKata(ctx: PodContext, target: KataTarget, allowExec: boolean): void {
  // The policy lets only this pod's containers (image, arguments, mounts) be created, as the
  // bundle's own Kata workloads get it; production refuses anything weaker.
  const namespace = (ctx.object.metadata as { namespace?: unknown } | undefined)?.namespace;
  let pod: PodPolicyInput | undefined;
  try {
    pod = podPolicyInput(typeof namespace === 'string' ? namespace : undefined, ctx.spec as Parameters<typeof podPolicyInput>[1]);
  } catch (e) {
    ctx.problem(`${ctx.base}/spec/containers`, 'every container with an image (the agent policy pins each one)', (e as Error).message);
    return;
  }
  const settings = kataPodSettings(target, { allowExec, pod });
  if (target.production) {
    const policy = renderAgentPolicy({ allowExec, pod });
    // --allow-exec has its own refusal in production (transform.ts): not reported twice.
    for (const p of agentPolicyProblems(policy).filter((x) => !x.startsWith('ExecProcessRequest'))) ctx.problem(`${ctx.base}/metadata/annotations`, 'an agent policy fit for production', p);
  }
  mergeKey(ctx, ctx.spec, `${ctx.base}/spec`, 'runtimeClassName', settings.runtimeClassName, `runtimeClassName (${target.tee} TEE)`);
  const annotations = child(child(ctx.template, 'metadata'), 'annotations');
  const annotationsPath = `${ctx.base}/metadata/annotations`;
  // A second policy source would make the shim send SetPolicyRequest, which the initdata policy denies.
  if (annotations[AGENT_POLICY_ANNOTATION] !== undefined) {
    const path = `${annotationsPath}${pointer(AGENT_POLICY_ANNOTATION)}`;
    if (!ctx.force) ctx.problem(path, `no ${AGENT_POLICY_ANNOTATION} (the policy goes into initdata; --force removes it)`, 'an agent policy annotation');
    else {
      delete annotations[AGENT_POLICY_ANNOTATION];
      ctx.warn(path, 'removed the legacy agent policy annotation: the initdata policy replaces it');
    }
  }
  for (const [key, value] of Object.entries(settings.annotations)) {
    const what = key === INITDATA_ANNOTATION ? `initdata (policy.rego${target.kbsUrl ? `, aa.toml and cdh.toml with KBS ${target.kbsUrl}` : ', no KBS in this environment'})` : key;
    mergeKey(ctx, annotations, annotationsPath, key, value, what);
  }
  if (annotations[RUNTIME_HANDLER_ANNOTATION] !== undefined) {
    mergeKey(ctx, annotations, annotationsPath, RUNTIME_HANDLER_ANNOTATION, settings.runtimeClassName, 'runtime handler annotation');
  }
  if (Object.keys(settings.nodeSelector).length > 0) {
    const selector = child(ctx.spec, 'nodeSelector');
    for (const [key, value] of Object.entries(settings.nodeSelector)) mergeKey(ctx, selector, `${ctx.base}/spec/nodeSelector`, key, value, `node selector (${target.tee} hosts)`);
  }
  if (!allowExec) ctx.change(annotationsPath, 'agent policy denies exec (ExecProcessRequest) and policy replacement (SetPolicyRequest)');
}
