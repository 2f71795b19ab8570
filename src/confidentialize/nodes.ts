/** No Kata: the confidential VM node is the trust boundary, the pod is pinned onto such nodes. */
import { child, isObject } from './json';
import { mergeKey } from './merge-key';
import { pointer } from './paths';
import type { PodContext } from './rules';
import { runtimeAnnotations } from './runtime-annotations';
import type { NodeTarget } from './target';

/** Said once per run, not per workload: it holds for every pod of such an environment. */
export function trustBoundaryCaveat(target: NodeTarget): string {
  return `trust boundary is the node (${target.boundary}): exec is not restricted and privileged pods on the same node can read these pods`;
}

export function applyNodes(ctx: PodContext, target: NodeTarget): void {
  const runtimeClass = ctx.spec.runtimeClassName;
  const kataClass = typeof runtimeClass === 'string' && runtimeClass.startsWith('kata') ? runtimeClass : undefined;
  const annotationKeys = runtimeAnnotations(ctx.template);
  if (kataClass !== undefined || annotationKeys.length > 0) {
    const why = `environment ${target.environment} has no Kata runtime`;
    const annotationsPath = `${ctx.base}/metadata/annotations`;
    if (!ctx.force) {
      if (kataClass !== undefined) ctx.problem(`${ctx.base}/spec/runtimeClassName`, `no Kata runtime class (${why}; --force removes it with its runtime annotations)`, kataClass);
      for (const key of annotationKeys) ctx.problem(`${annotationsPath}${pointer(key)}`, `no runtime-specific annotation (${why}; --force removes it)`, key);
      return;
    }
    if (kataClass !== undefined) {
      ctx.warn(`${ctx.base}/spec/runtimeClassName`, `removed runtimeClassName ${kataClass}: no Kata in ${target.environment}`);
      delete ctx.spec.runtimeClassName;
    }
    const annotations = isObject(ctx.template.metadata) && isObject(ctx.template.metadata.annotations) ? ctx.template.metadata.annotations : {};
    for (const key of annotationKeys) {
      delete annotations[key];
      ctx.warn(`${annotationsPath}${pointer(key)}`, `removed runtime annotation ${key}: it belongs to a runtime ${target.environment} does not have`);
    }
    if (isObject(ctx.template.metadata) && Object.keys(annotations).length === 0) delete ctx.template.metadata.annotations;
  }
  const selector = child(ctx.spec, 'nodeSelector');
  for (const [key, value] of Object.entries(target.nodeSelector)) mergeKey(ctx, selector, `${ctx.base}/spec/nodeSelector`, key, value, 'node selector (confidential nodes)');
}
