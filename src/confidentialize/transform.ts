/**
 * The `confidentialize` transform (seed 003's operator idea as a pure function): given the documents
 * of a bundle, make every workload confidential and pass everything else through, with a report.
 *
 * - Workloads (workload-kinds.ts): Pods and every controller with a pod template, also inside Lists.
 * - Kata environments: `runtimeClassName`, the initdata annotation (agent policy + KBS URL), TEE node selection.
 * - Environments without Kata (azure-tdx, aks-cvm): node selection onto the confidential VM nodes.
 * - The rules (rules/) refuse what a TEE cannot honour, or strip it under `force`, and warn about
 *   what weakens confidentiality.
 * - Images are never changed: encrypting or re-pinning them is the owner's decision.
 */
import { containersOf } from './containers';
import { describeValue as describe } from '../config/errors';
import { isObject, sameData, type JsonObject } from './json';
import { applyKata } from './kata';
import { applyNodes, trustBoundaryCaveat } from './nodes';
import { pointer } from './paths';
import { POD_RULES, type PodContext } from './rules';
import { tokenlessServiceAccounts } from './service-accounts';
import type { ConfidentialTarget } from './target';
import { isList, podTemplatePath } from './workload-kinds';

export type { JsonObject } from './json';

export interface TransformOptions {
  /** Strip what a TEE cannot honour and replace conflicting settings instead of refusing. @default false */
  readonly force?: boolean;
  /** Agent policy allows kubectl exec (dev only; refused for production environments). @default false */
  readonly allowExec?: boolean;
}

/** One change made to one object. */
export interface Change {
  /** `Kind/name` of the object (`Kind/#<document>` when unnamed). */
  readonly object: string;
  /** JSON pointer inside the document. */
  readonly path: string;
  readonly message: string;
}

/** A reason the input cannot be made confidential as asked. */
export interface TransformProblem {
  /** Index of the YAML document (0-based); -1 for the command line. */
  readonly document: number;
  /** JSON pointer inside the document. */
  readonly path: string;
  readonly expected: string;
  readonly found: string;
}

/** What became of one input document. */
export interface DocumentOutcome {
  /** The document's data afterwards (the input's when unchanged; null for an empty document). */
  readonly value: unknown;
  /** True when the transform changed something in it. */
  readonly changed: boolean;
}

export interface TransformResult {
  /** One outcome per input document, in order (none when there are problems). */
  readonly documents: readonly DocumentOutcome[];
  /** The objects of the non-empty documents afterwards, in order. */
  readonly objects: readonly JsonObject[];
  readonly changes: readonly Change[];
  /** Changes that weaken or drop what the input asked for (made under `force`), and caveats. */
  readonly warnings: readonly Change[];
  /** `Kind/name` of every workload made confidential. */
  readonly workloads: readonly string[];
  /** `Kind/name` of every object passed through as it was (not a workload). */
  readonly untouched: readonly string[];
  readonly problems: readonly TransformProblem[];
}

type KubeObject = JsonObject & { apiVersion: string; kind: string };

function isKubeObject(value: unknown): value is KubeObject {
  return isObject(value) && typeof value.apiVersion === 'string' && typeof value.kind === 'string';
}

function idOf(object: KubeObject, fallback: string): string {
  const name = isObject(object.metadata) && typeof object.metadata.name === 'string' ? object.metadata.name : fallback;
  return `${object.kind}/${name}`;
}

interface Collect {
  readonly document: number;
  readonly target: ConfidentialTarget;
  readonly options: TransformOptions;
  readonly changes: Change[];
  readonly warnings: Change[];
  readonly workloads: string[];
  readonly untouched: string[];
  readonly problems: TransformProblem[];
  readonly tokenlessServiceAccounts: ReadonlySet<string>;
}

/** Object name of caveats that hold for the whole run (the report prints them without a path). */
export const EVERY_WORKLOAD = 'every workload';

export function confidentializeObjects(documents: readonly unknown[], target: ConfidentialTarget, options: TransformOptions = {}): TransformResult {
  const changes: Change[] = [];
  const warnings: Change[] = [];
  const workloads: string[] = [];
  const untouched: string[] = [];
  const problems: TransformProblem[] = [];
  const serviceAccounts = tokenlessServiceAccounts(documents);
  const outcomes = documents.map((input, document): DocumentOutcome => {
    if (input === null || input === undefined) return { value: input ?? null, changed: false };
    const collect: Collect = { document, target, options, changes, warnings, workloads, untouched, problems, tokenlessServiceAccounts: serviceAccounts };
    const value = structuredClone(input);
    transformObject(collect, value, '', `#${document + 1}`);
    // Already confidential, or not a workload: the document stays as it was written.
    const changed = !sameData(value, input);
    return changed ? { value, changed } : { value: input, changed };
  });
  if (target.kind === 'confidential-nodes' && workloads.length > 0) warnings.push({ object: EVERY_WORKLOAD, path: '', message: trustBoundaryCaveat(target) });
  if (options.allowExec && target.production) {
    problems.push({ document: -1, path: '', expected: `no --allow-exec for environment ${target.environment} (profile production refuses exec-allowing agent policies)`, found: '--allow-exec' });
  }
  // Nothing comes out of a refused input: a partial bundle would look complete.
  const kept = problems.length > 0 ? [] : outcomes;
  return { documents: kept, objects: kept.map((o) => o.value).filter(isObject), changes, warnings, workloads, untouched, problems };
}

/** Transforms `value` (at `base` in its document) in place; true when it is a workload (or a List holding one). */
function transformObject(collect: Collect, value: unknown, base: string, fallbackName: string): boolean {
  const problem = (path: string, expected: string, found: string) => collect.problems.push({ document: collect.document, path, expected, found });
  if (!isKubeObject(value)) {
    problem(base, 'a Kubernetes object (a mapping with apiVersion and kind)', isObject(value) ? 'a mapping without apiVersion/kind' : describe(value));
    return false;
  }
  if (isList(value)) {
    const items = value.items as unknown[];
    const changed = items.map((item, i) => transformObject(collect, item, `${base}${pointer('items', i)}`, `${fallbackName}.items[${i}]`));
    if (items.length === 0) collect.untouched.push(idOf(value, fallbackName));
    return changed.some(Boolean);
  }
  const id = idOf(value, fallbackName);
  const templatePath = podTemplatePath(value);
  if (templatePath === undefined) {
    collect.untouched.push(id);
    return false;
  }
  let template: JsonObject = value;
  for (const [i, segment] of templatePath.entries()) {
    const next = template[segment];
    if (!isObject(next)) {
      problem(`${base}${pointer(...templatePath.slice(0, i + 1))}`, `a pod template (${value.kind} keeps it at ${templatePath.join('.')})`, describe(next));
      return false;
    }
    template = next;
  }
  const templateBase = `${base}${pointer(...templatePath)}`;
  const spec = template.spec;
  if (!isObject(spec)) {
    problem(`${templateBase}/spec`, 'a pod spec', describe(spec));
    return false;
  }
  collect.workloads.push(id);
  transformPod(collect, { id, objectBase: base, base: templateBase, object: value, template, spec }, problem);
  return true;
}

function transformPod(collect: Collect, where: Pick<PodContext, 'id' | 'objectBase' | 'base' | 'object' | 'template' | 'spec'>, problem: PodContext['problem']): void {
  const { target, options } = collect;
  const force = options.force === true;
  const ctx: PodContext = {
    ...where,
    target,
    force,
    tokenlessServiceAccounts: collect.tokenlessServiceAccounts,
    change: (path, message) => collect.changes.push({ object: where.id, path, message }),
    warn: (path, message) => collect.warnings.push({ object: where.id, path, message }),
    problem,
    strip: (path, found, why) => {
      if (!force) {
        problem(path, `no ${found.split(/[: (]/)[0]} (${why}; --force strips it)`, found);
        return false;
      }
      collect.warnings.push({ object: where.id, path, message: `removed ${found}: ${why}` });
      return true;
    },
  };
  for (const rule of POD_RULES) rule.apply(ctx);
  if (target.kind === 'kata') applyKata(ctx, target, options.allowExec === true);
  else applyNodes(ctx, target);
  const images = containersOf(ctx.spec).map((c) => c.container.image).filter((i): i is string => typeof i === 'string');
  if (images.length > 0) ctx.change(`${ctx.base}/spec`, `images left unchanged: ${[...new Set(images)].join(', ')}`);
}
