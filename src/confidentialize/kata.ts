/** A pod in its own TEE VM: runtime class, initdata (agent policy, KBS) and TEE host selection. */
import { AGENT_POLICY_ANNOTATION } from './agent-policy';
import { INITDATA_ANNOTATION } from './initdata';
import { child, type JsonObject } from './json';
import { pointer } from './paths';
import { reportValue } from './report-values';
import type { PodContext } from './rules';
import { RUNTIME_HANDLER_ANNOTATION } from './runtime-annotations';
import { kataPodSettings, type KataTarget } from './target';

/** Sets one key of a mapping; a different existing value is refused unless forced. */
export function mergeKey(ctx: PodContext, map: JsonObject, mapPath: string, key: string, value: string, what: string): void {
  const path = `${mapPath}${pointer(key)}`;
  const existing = map[key];
  if (existing === value) {
    ctx.change(path, `${what} already ${reportValue(key, value)}`);
    return;
  }
  if (existing !== undefined) {
    if (!ctx.force) {
      ctx.problem(path, `${reportValue(key, value)} or nothing (--force replaces it)`, reportValue(key, existing));
      return;
    }
    ctx.warn(path, `replaced ${what} ${reportValue(key, existing)} with ${reportValue(key, value)}`);
  } else {
    ctx.change(path, `set ${what} ${reportValue(key, value)}`);
  }
  map[key] = value;
}

export function applyKata(ctx: PodContext, target: KataTarget, allowExec: boolean): void {
  const settings = kataPodSettings(target, { allowExec });
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
