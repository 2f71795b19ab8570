/**
 * Replaces the generic agent policy of every Kata pod a chart renders with one generated from that
 * pod's own rendered spec (src/confidentialize/agent-policy.ts): only its containers can be
 * created in the TEE. Runs after the constructs, so the policy follows whatever they rendered.
 * The initdata digest, which the KBS resource policy binds resources to
 * (src/k8s/kbs/resource-binding.ts), changes with it.
 */
import { ApiObject, JsonPatch, type Chart } from 'cdk8s';
import { AGENT_POLICY_ANNOTATION, agentPolicyAnnotationValue, agentPolicyProblems, podPolicyInput, renderAgentPolicy } from '../../confidentialize/agent-policy';
import { encodeInitdata, INITDATA_ANNOTATION, renderInitdata } from '../../confidentialize/initdata';
import type { KataTarget } from '../../confidentialize/target';

export interface KataAgentPolicyOptions {
  /** Let `kubectl logs` read the containers' output (ReadStreamRequest). @default false */
  readonly allowLogs?: boolean;
}

type Json = Record<string, unknown>;

/** The pod template of a workload object: where its spec and annotations are, as JSON pointers. */
function template(o: Json): { spec: Json; annotations: Json; pointer: string } | undefined {
  const kind = o.kind;
  const path = kind === 'Pod' ? [] : ['spec', 'template'];
  let node: unknown = o;
  for (const key of path) node = (node as Json | undefined)?.[key];
  const t = node as { spec?: Json; metadata?: { annotations?: Json } } | undefined;
  if (!t?.spec || !t.metadata?.annotations) return undefined;
  return { spec: t.spec, annotations: t.metadata.annotations, pointer: `${path.map((p) => `/${p}`).join('')}/metadata/annotations` };
}

export function generateAgentPolicies(chart: Chart, target: KataTarget, options: KataAgentPolicyOptions = {}): void {
  for (const object of chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)) {
    const json = object.toJson() as Json;
    const t = template(json);
    if (!t || (t.spec as { runtimeClassName?: string }).runtimeClassName !== target.runtimeClass) continue;
    const namespace = (json.metadata as { namespace?: string }).namespace;
    if (namespace === undefined) throw new Error(`${String(json.kind)} ${object.name}: a Kata workload without a namespace`);
    const policy = renderAgentPolicy({ pod: podPolicyInput(namespace, t.spec), allowLogs: options.allowLogs });
    // Production renders only policies that let nothing but the pod's own containers run.
    const problems = target.production ? agentPolicyProblems(policy, options) : [];
    if (problems.length > 0) throw new Error(`${String(json.kind)} ${namespace}/${object.name}: agent policy unfit for production: ${problems.join('; ')}`);
    if (t.annotations[INITDATA_ANNOTATION] !== undefined) {
      const initdata = encodeInitdata(renderInitdata({ kbsUrl: target.kbsUrl, kbsCertificate: target.kbsCertificate, policy }));
      object.addJsonPatch(JsonPatch.replace(`${t.pointer}/${INITDATA_ANNOTATION}`, initdata));
    } else if (t.annotations[AGENT_POLICY_ANNOTATION] !== undefined) {
      object.addJsonPatch(JsonPatch.replace(`${t.pointer}/${AGENT_POLICY_ANNOTATION}`, agentPolicyAnnotationValue(policy)));
    }
  }
}
