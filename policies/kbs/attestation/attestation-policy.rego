# Attestation policy of the built-in attestation service for Trustee v0.21 (package policy), set as
# policy id default_cpu by the provisioning Job (POST /kbs/v0/attestation-policy). It turns the
# verified evidence of one TEE (input["az-tdx-vtpm"], input["az-snp-vtpm"], input.tdx, ...) into an AR4SI trust vector;
# resource-policy.rego releases resources on that vector. Claim names follow
# deps/verifier/src at v0.21.0 and upstream's ear_default_policy_cpu.rego. The renderer
# (src/k8s/kbs) replaces the settings block at the end with values from the environment file.
package policy

import rego.v1

# AR4SI values: 2/3 trusted; 33 unrecognized executables; 36 configuration unavailable;
# 97 hardware unrecognized; 0 no claim.
default executables := 33

default hardware := 97

default configuration := 36

trust_claims := {
	"configuration": configuration,
	"executables": executables,
	"file-system": 0,
	"hardware": hardware,
	"instance-identity": 0,
	"runtime-opaque": 0,
	"sourced-data": 0,
	"storage-opaque": 0,
}

# The attestation service requires the rule; this policy adds no token extensions.
extensions := []

# Hardware: a genuine Intel TDX quote (TDX TEE type, Intel vendor id) with an accepted TCB status.
hardware := 2 if {
	some tee in ["az-tdx-vtpm", "tdx"]
	tee in settings.tees
	claims := input[tee]
	claims.quote.header.tee_type == "81000000"
	claims.quote.header.vendor_id == "939a7233f79c4ca9940a0db3957f0607"
	claims.tcb_status in settings.tcb_statuses
}

# The SNP verifier has checked the report signature up to AMD's root: the evidence is genuine.
hardware := 2 if {
	"snp" in settings.tees
	input.snp
}

# Azure SEV-SNP CVM (a peer-pod VM of a DCasv5/ECasv5 size): the az-snp-vtpm verifier has checked
# the VCEK up to AMD's root, the report signature, VMPL 0 (the paravisor's report), the vTPM
# quote's signature by the attestation key in that report and its nonce, and the PCRs against
# the quote (deps/verifier/src/az_snp_vtpm at v0.21.0): the evidence is genuine.
hardware := 2 if {
	"az-snp-vtpm" in settings.tees
	input["az-snp-vtpm"]
}

# DEV ONLY: the sample verifier checks nothing (the production profile refuses this TEE).
hardware := 2 if {
	"sample" in settings.tees
	input.sample
}

# Configuration: the TEE runs without debug access.
configuration := 2 if {
	some tee in ["az-tdx-vtpm", "tdx"]
	tee in settings.tees
	input[tee].td_attributes.debug == false
}

configuration := 2 if {
	"snp" in settings.tees
	input.snp.policy_debug_allowed == false
}

# The az-snp-vtpm verifier reports the SNP guest policy bits as strings ("true"/"false").
configuration := 2 if {
	"az-snp-vtpm" in settings.tees
	input["az-snp-vtpm"].policy_debug_allowed == "false"
}

configuration := 2 if {
	"sample" in settings.tees
	input.sample.debug == false
}

# Executables: every reference value configured for the attested TEE matches its claim. The
# accepted values live in the attestation service's reference value store (RVPS), where the
# provisioning Job registers them (POST /kbs/v0/reference-value); query_reference_value is the
# extension the v0.21 EAR broker gives policies (attestation-service/src/ear_token/broker.rs).
# The settings only name which claim each reference value id appraises.
executables := 3 if {
	some tee in settings.tees
	claims := input[tee]
	expected := [rv | some rv in settings.reference_values; rv.tee == tee]
	count(expected) > 0
	mismatches := [rv | some rv in expected; not measured(claims, rv)]
	count(mismatches) == 0
}

measured(claims, rv) if claim_value(claims, split(rv.claim, ".")) in query_reference_value(rv.id)

claim_value(claims, path) := claims[path[0]] if count(path) == 1

claim_value(claims, path) := claims[path[0]][path[1]] if count(path) == 2

claim_value(claims, path) := claims[path[0]][path[1]][path[2]] if count(path) == 3

# BEGIN SETTINGS
settings := {
	"reference_values": [],
	"tcb_statuses": ["UpToDate"],
	"tees": ["az-tdx-vtpm"],
}

# END SETTINGS
