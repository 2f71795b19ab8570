/**
 * Rules for `kbs.attestation` and the resource bindings: what the TEEs must run (reference values)
 * and who resources go to. Production refuses a TEE whose executables are not appraised unless
 * `kbs.attestation.acceptUnmeasured` says why, by name.
 */
import type { EnvironmentConfig } from '../schema';
import type { Report } from './report';

export function checkKbsAttestation(env: EnvironmentConfig, report: Report): void {
  const { attestation, resourcePolicy, resources } = env.kbs;
  const production = env.profile === 'production';
  const tees: readonly string[] = attestation.tees;

  attestation.measurements.forEach((m, i) => {
    if (!tees.includes(m.tee)) report(`/kbs/attestation/measurements/${i}/tee`, `one of kbs.attestation.tees (${tees.join(', ') || 'none'})`, m.tee);
  });
  const unmeasured = tees.filter((tee) => tee !== 'sample' && !attestation.measurements.some((m) => m.tee === tee));
  if (attestation.acceptUnmeasured !== undefined) {
    if (attestation.measurements.length > 0) {
      report('/kbs/attestation/acceptUnmeasured', 'nothing when kbs.attestation.measurements are configured (give reference values for every TEE instead)', attestation.acceptUnmeasured);
    }
  } else if (production && unmeasured.length > 0) {
    report(
      '/kbs/attestation/measurements',
      `reference values for ${unmeasured.join(' and ')} (profile production refuses a TEE running unrecognised software; docs/kbs.md says how to read them from a trusted node) or kbs.attestation.acceptUnmeasured with a reason`,
      attestation.measurements,
    );
  }

  const held = new Set([...resources.map((r) => r.path), ...resourcePolicy.extraPaths]);
  resourcePolicy.externalWorkloads.forEach((w, i) => {
    if (!tees.includes(w.tee)) report(`/kbs/resourcePolicy/externalWorkloads/${i}/tee`, `one of kbs.attestation.tees (${tees.join(', ') || 'none'})`, w.tee);
    w.resources.forEach((path, j) => {
      if (!held.has(path)) report(`/kbs/resourcePolicy/externalWorkloads/${i}/resources/${j}`, 'a path of kbs.resources or kbs.resourcePolicy.extraPaths', path);
    });
  });
}
