/**
 * The KBS resource policy and the attestation policy, generated from the environment file. The
 * logic lives in reviewed Rego files with `opa test` cases next to them (policies/kbs/); this
 * module only replaces each file's settings block with the environment's values, so the rendered
 * policies are the tested files plus data.
 */
import { repoFile } from '../../shared/repo-files';

/** Settings of policies/kbs/resource/resource-policy.rego. */
export interface ResourcePolicySettings {
  /** DEV ONLY: release every resource to every attested client. */
  readonly allowAll: boolean;
  /** Also require trusted executables (measurements are configured). */
  readonly requireMeasurements: boolean;
  /** Resource paths (`repo/type/tag`) the policy releases. */
  readonly resourcePaths: readonly string[];
  /** TEEs whose evidence is accepted. */
  readonly tees: readonly string[];
}

export interface Measurement {
  /** Claim path relative to the TEE's claims, e.g. `quote.body.mr_td`. */
  readonly claim: string;
  readonly values: readonly string[];
}

/** Settings of policies/kbs/attestation/attestation-policy.rego. */
export interface AttestationPolicySettings {
  readonly measurements: readonly Measurement[];
  /** Accepted Intel TCB statuses of TDX quotes. */
  readonly tcbStatuses: readonly string[];
  readonly tees: readonly string[];
}

/** Static policy files, relative to the repository root. */
export const POLICY_FILES = {
  resource: 'policies/kbs/resource/resource-policy.rego',
  attestation: 'policies/kbs/attestation/attestation-policy.rego',
} as const;

const BEGIN = '# BEGIN SETTINGS\n';
const END = '# END SETTINGS\n';

const source = repoFile;

/** A Rego value in the layout `opa fmt` keeps: JSON with ", " and ": " separators. */
function rego(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(rego).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${rego(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

/** Replaces the settings block of `file` with `settings` (keys in the given order, one per line). */
function withSettings(file: string, settings: Readonly<Record<string, unknown>>, origin: string): string {
  const text = source(file);
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`${file}: settings block (${BEGIN.trim()} ... ${END.trim()}) not found`);
  const body = Object.entries(settings)
    .map(([k, v]) => `\t${JSON.stringify(k)}: ${rego(v)},`)
    .join('\n');
  const block = `${BEGIN}# Generated from ${origin}.\nsettings := {\n${body}\n}\n\n${END}`;
  return text.slice(0, begin) + block + text.slice(end + END.length);
}

export function renderResourcePolicy(s: ResourcePolicySettings, origin: string): string {
  return withSettings(
    POLICY_FILES.resource,
    { allow_all: s.allowAll, require_measurements: s.requireMeasurements, resource_paths: [...s.resourcePaths].sort(), tees: s.tees },
    origin,
  );
}

export function renderAttestationPolicy(s: AttestationPolicySettings, origin: string): string {
  return withSettings(
    POLICY_FILES.attestation,
    { measurements: s.measurements.map((m) => ({ claim: m.claim, values: m.values })), tcb_statuses: s.tcbStatuses, tees: s.tees },
    origin,
  );
}
