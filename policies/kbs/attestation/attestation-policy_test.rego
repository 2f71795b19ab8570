# opa test cases for attestation-policy.rego. Every case sets data.policy.settings itself, so the
# cases hold for the static file and for every rendered copy (test/kbs-policies.test.ts).
package policy_test

import rego.v1

import data.policy

az_settings := {"reference_values": [], "tcb_statuses": ["UpToDate"], "tees": ["az-tdx-vtpm"]}

measured_settings := object.union(az_settings, {"reference_values": [
	{"claim": "quote.body.mr_td", "id": "az-tdx-vtpm.quote.body.mr_td", "tee": "az-tdx-vtpm"},
	{"claim": "tpm.pcr11", "id": "az-tdx-vtpm.tpm.pcr11", "tee": "az-tdx-vtpm"},
	{"claim": "measurement", "id": "snp.measurement", "tee": "snp"},
]})

# What the provisioning Job registered in the RVPS (sample provenance: id -> accepted values).
rvps := {
	"az-tdx-vtpm.quote.body.mr_td": ["aa11", "bb22"],
	"az-tdx-vtpm.tpm.pcr11": ["cc33"],
	"az-snp-vtpm.tpm.pcr11": ["cd34"],
	"snp.measurement": ["ee55"],
}

# The EAR broker's extension: the values registered under an id, undefined when none are.
rvps_lookup(id) := rvps[id]

# Claims of deps/verifier/src/az_tdx_vtpm at v0.21.0 (TDX quote, TD attributes, vTPM PCRs, DCAP result).
az_claims := {
	"quote": {
		"header": {"tee_type": "81000000", "vendor_id": "939a7233f79c4ca9940a0db3957f0607"},
		"body": {"mr_td": "aa11", "xfam": "e718060000000000"},
	},
	"td_attributes": {"debug": false},
	"tpm": {"pcr11": "cc33"},
	"tcb_status": "UpToDate",
}

vector(settings, claims) := v if {
	v := policy.trust_claims with input as claims
		with data.policy.settings as settings
		with query_reference_value as rvps_lookup
}

test_genuine_az_tdx_vtpm if {
	v := vector(az_settings, {"az-tdx-vtpm": az_claims})
	v.hardware == 2
	v.configuration == 2
	v.executables == 33
}

test_all_trust_claims_present if {
	v := vector(az_settings, {"az-tdx-vtpm": az_claims})
	count(v) == 8
}

test_wrong_vendor_not_genuine if {
	claims := json.patch(az_claims, [{"op": "replace", "path": "/quote/header/vendor_id", "value": "00"}])
	vector(az_settings, {"az-tdx-vtpm": claims}).hardware == 97
}

test_not_a_tdx_quote if {
	claims := json.patch(az_claims, [{"op": "replace", "path": "/quote/header/tee_type", "value": "00000000"}])
	vector(az_settings, {"az-tdx-vtpm": claims}).hardware == 97
}

test_out_of_date_tcb_refused_unless_listed if {
	claims := object.union(az_claims, {"tcb_status": "OutOfDate"})
	vector(az_settings, {"az-tdx-vtpm": claims}).hardware == 97
	vector(object.union(az_settings, {"tcb_statuses": ["UpToDate", "OutOfDate"]}), {"az-tdx-vtpm": claims}).hardware == 2
}

test_debug_td_not_trusted if {
	claims := object.union(az_claims, {"td_attributes": {"debug": true}})
	vector(az_settings, {"az-tdx-vtpm": claims}).configuration == 36
}

test_tee_not_enabled_not_trusted if {
	v := vector(az_settings, {"tdx": az_claims})
	v.hardware == 97
	v.configuration == 36
	s := vector(az_settings, {"sample": {"debug": false, "svn": "1"}})
	s.hardware == 97
}

test_measurements_match if {
	vector(measured_settings, {"az-tdx-vtpm": az_claims}).executables == 3
	claims := object.union(az_claims, {"quote": {"body": {"mr_td": "bb22"}}})
	vector(measured_settings, {"az-tdx-vtpm": claims}).executables == 3
}

test_measurement_mismatch_not_trusted if {
	claims := object.union(az_claims, {"tpm": {"pcr11": "dd44"}})
	vector(measured_settings, {"az-tdx-vtpm": claims}).executables == 33
}

test_missing_measured_claim_not_trusted if {
	claims := json.remove(az_claims, ["/tpm"])
	vector(measured_settings, {"az-tdx-vtpm": claims}).executables == 33
}

test_reference_value_not_registered_not_trusted if {
	settings := object.union(az_settings, {"reference_values": [{"claim": "tpm.pcr11", "id": "az-tdx-vtpm.tpm.pcr99", "tee": "az-tdx-vtpm"}]})
	vector(settings, {"az-tdx-vtpm": az_claims}).executables == 33
}

test_no_reference_values_for_the_tee_not_trusted if {
	vector(az_settings, {"az-tdx-vtpm": az_claims}).executables == 33
	settings := object.union(measured_settings, {"tees": ["az-tdx-vtpm", "tdx"]})
	vector(settings, {"tdx": az_claims}).executables == 33
}

test_sample_tee_when_enabled if {
	v := vector({"reference_values": [], "tcb_statuses": ["UpToDate"], "tees": ["sample"]}, {"sample": {"debug": false, "svn": "1"}})
	v.hardware == 2
	v.configuration == 2
}

test_snp if {
	settings := object.union(measured_settings, {"tees": ["snp"]})
	v := vector(settings, {"snp": {"measurement": "ee55", "policy_debug_allowed": false}})
	v.hardware == 2
	v.configuration == 2
	v.executables == 3
	vector(settings, {"snp": {"measurement": "ee55", "policy_debug_allowed": true}}).configuration == 36
	vector(settings, {"snp": {"measurement": "ff66", "policy_debug_allowed": false}}).executables == 33
}

test_bare_tdx if {
	settings := object.union(az_settings, {"tees": ["tdx"]})
	v := vector(settings, {"tdx": az_claims})
	v.hardware == 2
	v.configuration == 2
}

test_extensions_empty if {
	policy.extensions == [] with input as {"az-tdx-vtpm": az_claims}
}

# Claims of deps/verifier/src/az_snp_vtpm at v0.21.0 (parse_tee_evidence_az: SNP report fields
# formatted as strings, the launch measurement in base64; extend_claim: vTPM PCRs in hex).
az_snp_claims := {
	"measurement": "ZWU1NQ==",
	"policy_debug_allowed": "false",
	"policy_migrate_ma": "false",
	"reported_tcb_snp": "24",
	"tpm": {"pcr04": "ab12", "pcr11": "cd34"},
}

az_snp_settings := {"reference_values": [{"claim": "tpm.pcr11", "id": "az-snp-vtpm.tpm.pcr11", "tee": "az-snp-vtpm"}], "tcb_statuses": ["UpToDate"], "tees": ["az-snp-vtpm"]}

test_genuine_az_snp_vtpm if {
	v := vector(az_snp_settings, {"az-snp-vtpm": az_snp_claims})
	v.hardware == 2
	v.configuration == 2
	v.executables == 3
}

test_az_snp_vtpm_debug_or_mismatch_not_trusted if {
	debug := object.union(az_snp_claims, {"policy_debug_allowed": "true"})
	vector(az_snp_settings, {"az-snp-vtpm": debug}).configuration == 36
	other := object.union(az_snp_claims, {"tpm": {"pcr11": "ee56"}})
	vector(az_snp_settings, {"az-snp-vtpm": other}).executables == 33
}

test_az_snp_vtpm_not_listed_not_trusted if {
	v := vector(az_settings, {"az-snp-vtpm": az_snp_claims})
	v.hardware == 97
	v.configuration == 36

	# Nor do Azure SNP claims pass as bare SNP evidence.
	vector(object.union(az_snp_settings, {"tees": ["az-snp-vtpm", "snp"]}), {"snp": az_snp_claims}).configuration == 36
}
