/**
 * The KBS resource policy and the attestation policy, generated from the environment file. The
 * logic lives in reviewed Rego files with `opa test` cases next to them (policies/kbs/); this
 * module only replaces each file's settings block with the environment's values, so the rendered
 * policies are the tested files plus data.
 */
import { repoFile } from '../../shared/repo-files';
import type { ResourceBinding } from './resource-binding';

/** Settings of policies/kbs/resource/resource-policy.rego. */
export interface ResourcePolicySettings {
  /** DEV ONLY: release every resource to every attested client. */
  readonly allowAll: boolean;
  /** Also require trusted executables (false only with kbs.attestation.acceptUnmeasured or in dev). */
  readonly requireMeasurements: boolean;
  /** Every resource path and the clients it is released to (resource-binding.ts). */
  readonly bindings: readonly ResourceBinding[];
  /** TEEs whose evidence is accepted. */
  readonly tees: readonly string[];
}

/** A reference value as the attestation policy appraises it; its accepted values live in the RVPS. */
export interface ReferenceValueClaim {
  /** RVPS id the provisioning Job registers the values under. */
  readonly id: string;
  /** TEE whose claims hold it. */
  readonly tee: string;
  /** Claim path relative to the TEE's claims, e.g. `quote.body.mr_td`. */
  readonly claim: string;
}

/** RVPS id of a configured measurement: `<tee>.<claim>`. */
export function referenceValueId(m: { readonly tee: string; readonly claim: string }): string {
  return `${m.tee}.${m.claim}`;
}

/** Settings of policies/kbs/attestation/attestation-policy.rego. */
export interface AttestationPolicySettings {
  readonly referenceValues: readonly ReferenceValueClaim[];
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
  // A map (such as resource -> clients) gets one entry per line, so a reviewer reads one resource a line.
  const value = (v: unknown): string =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0
      ? `{\n${Object.entries(v).map(([k, x]) => `\t\t${JSON.stringify(k)}: ${rego(x)},`).join('\n')}\n\t}`
      : rego(v);
  const body = Object.entries(settings)
    .map(([k, v]) => `\t${JSON.stringify(k)}: ${value(v)},`)
    .join('\n');
  const block = `${BEGIN}# Generated from ${origin}.\nsettings := {\n${body}\n}\n\n${END}`;
  return text.slice(0, begin) + block + text.slice(end + END.length);
}

export function renderResourcePolicy(s: ResourcePolicySettings, origin: string): string {
  return withSettings(
    POLICY_FILES.resource,
    {
      allow_all: s.allowAll,
      require_measurements: s.requireMeasurements,
      resources: Object.fromEntries(
        [...s.bindings]
          .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
          .map((b) => [b.path, b.clients.map((c) => ({ init_data: c.initData, tee: c.tee, workload: c.workload }))]),
      ),
      tees: s.tees,
    },
    origin,
  );
}

export function renderAttestationPolicy(s: AttestationPolicySettings, origin: string): string {
  return withSettings(
    POLICY_FILES.attestation,
    { reference_values: s.referenceValues.map((r) => ({ claim: r.claim, id: r.id, tee: r.tee })), tcb_statuses: s.tcbStatuses, tees: s.tees },
    origin,
  );
}
