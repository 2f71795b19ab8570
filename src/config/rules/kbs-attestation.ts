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
    // Trustee's az-snp-vtpm verifier reports the SNP report fields in base64 and the vTPM PCRs in
    // hex: only the PCRs can be named by these lowercase-hex values.
    if (m.tee === 'az-snp-vtpm' && !/^tpm\.pcr(0[0-9]|1[0-9]|2[0-3])$/.test(m.claim)) {
      report(`/kbs/attestation/measurements/${i}/claim`, 'a vTPM PCR claim tpm.pcr00 ... tpm.pcr23 (the az-snp-vtpm verifier reports the SNP measurement in base64)', m.claim);
    }
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
