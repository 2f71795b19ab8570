/**
 * What a rule sees of one pod template, and how it reports. Rules are small files in this folder,
 * listed in index.ts; each refuses (or, under `--force`, strips) what a TEE cannot honour, or warns
 * about what weakens the pod's confidentiality.
 */
import type { ConfidentialTarget } from '../target';
import type { JsonObject } from '../json';

export interface PodContext {
  /** `Kind/name` of the workload, for the report. */
  readonly id: string;
  /** JSON pointer of the workload object inside its document ('' or `/items/3` in a List). */
  readonly objectBase: string;
  /** JSON pointer of the pod template inside its document. */
  readonly base: string;
  /** The workload object (a StatefulSet's volumeClaimTemplates live there). */
  readonly object: JsonObject;
  /** The pod template (or the Pod): `metadata` and `spec`. */
  readonly template: JsonObject;
  readonly spec: JsonObject;
  readonly target: ConfidentialTarget;
  readonly force: boolean;
  /** ServiceAccounts of the same input that mount no token (`namespace/name`, service-accounts.ts). */
  readonly tokenlessServiceAccounts: ReadonlySet<string>;
  /** A change the report lists. */
  change(path: string, message: string): void;
  /** A caveat, or something removed or replaced under `--force`. */
  warn(path: string, message: string): void;
  /** Refuses the input: nothing is written. */
  problem(path: string, expected: string, found: string): void;
  /**
   * Refuses `found` at `path` (a TEE cannot honour it), or under `--force` warns that it is removed
   * and returns true: the caller then removes it.
   */
  strip(path: string, found: string, why: string): boolean;
}

export interface PodRule {
  /** What the rule is about, one phrase (documentation and tests). */
  readonly about: string;
  apply(ctx: PodContext): void;
}
