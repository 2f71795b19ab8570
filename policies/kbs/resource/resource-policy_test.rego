# opa test cases for resource-policy.rego. Every case sets data.policy.settings itself, so the
# cases hold for the static file and for every rendered copy (test/kbs-policies.test.ts).
package policy_test

import rego.v1

import data.policy

# The initdata digest of one workload as the TDX verifier reports it: MRCONFIGID, the sha256
# digest padded with zero bytes to 48 bytes (deps/verifier/src/tdx at v0.21.0).
app_initdata := concat("", ["5c7f0c1d5b0a6b2b3b8d8a6e6e0d2f1f6c5b4a3928171605f4e3d2c1b0a99887", "00000000000000000000000000000000"])

other_initdata := concat("", ["0b1ca53e1b9c45b49e1d0c6a4e7f1e2d3c4b5a69788796a5b4c3d2e1f0a1b2c3", "00000000000000000000000000000000"])

guest_settings := {
	"allow_all": false,
	"require_measurements": true,
	"resources": {
		"default/app/db-password": [{"init_data": app_initdata, "tee": "tdx", "workload": "Deployment/app/app"}],
		"default/image_key/nginx": [{"init_data": null, "tee": "az-tdx-vtpm", "workload": "nodes"}],
	},
	"tees": ["tdx", "az-tdx-vtpm"],
}

unmeasured_settings := object.union(guest_settings, {"require_measurements": false})

allow_all_settings := object.union(guest_settings, {"allow_all": true, "tees": ["sample"]})

measured := {"configuration": 2, "executables": 3, "hardware": 2}

# Hardware and configuration affirmed, executables not recognised (33).
unmeasured := object.union(measured, {"executables": 33})

# An EAR token as the built-in attestation service issues it (attestation-service/docs/example.token.json):
# the verifier's init_data claim sits beside the TEE's claims (ear_token/broker.rs transform_claims).
token(tee, vector, init_data) := {"submods": {"cpu0": {
	"ear.status": "affirming",
	"ear.trustworthiness-vector": vector,
	"ear.veraison.annotated-evidence": {tee: {"tcb_status": "UpToDate"}, "init_data": init_data, "report_data": "00"},
}}}

allowed(settings, tok, plugin, path) if {
	policy.allow with input as tok
		with data.plugin as plugin
		with data["resource-path"] as split(path, "/")
		with data.policy.settings as settings
}

test_bound_workload_allowed if {
	allowed(guest_settings, token("tdx", measured, app_initdata), "resource", "default/app/db-password")
}

test_other_initdata_denied if {
	not allowed(guest_settings, token("tdx", measured, other_initdata), "resource", "default/app/db-password")
	not allowed(guest_settings, token("tdx", measured, ""), "resource", "default/app/db-password")
}

test_missing_initdata_claim_denied if {
	tok := {"submods": {"cpu0": {
		"ear.trustworthiness-vector": measured,
		"ear.veraison.annotated-evidence": {"tdx": {"tcb_status": "UpToDate"}},
	}}}
	not allowed(guest_settings, tok, "resource", "default/app/db-password")
}

test_other_tee_denied if {
	# The right initdata on a TEE type the resource is not bound to (or not listed at all).
	not allowed(guest_settings, token("snp", measured, app_initdata), "resource", "default/app/db-password")
	not allowed(guest_settings, token("sample", measured, app_initdata), "resource", "default/app/db-password")
	not allowed(guest_settings, token("az-tdx-vtpm", measured, app_initdata), "resource", "default/app/db-password")
	not allowed(guest_settings, token("tdx", measured, app_initdata), "resource", "default/image_key/nginx")
}

test_unrecognised_executables_denied if {
	not allowed(guest_settings, token("tdx", unmeasured, app_initdata), "resource", "default/app/db-password")
	not allowed(guest_settings, token("az-tdx-vtpm", unmeasured, null), "resource", "default/image_key/nginx")
}

test_measured_node_allowed if {
	allowed(guest_settings, token("az-tdx-vtpm", measured, "ab"), "resource", "default/image_key/nginx")
}

test_acknowledged_unmeasured_allows_unrecognised_executables if {
	allowed(unmeasured_settings, token("tdx", unmeasured, app_initdata), "resource", "default/app/db-password")
	not allowed(unmeasured_settings, token("tdx", unmeasured, other_initdata), "resource", "default/app/db-password")
}

test_unlisted_resource_denied if {
	not allowed(guest_settings, token("tdx", measured, app_initdata), "resource", "default/app/other")
	not allowed(guest_settings, token("az-tdx-vtpm", measured, null), "resource", "other/image_key/nginx")
}

test_untrusted_hardware_denied if {
	not allowed(guest_settings, token("tdx", object.union(measured, {"hardware": 97}), app_initdata), "resource", "default/app/db-password")
}

test_debug_configuration_denied if {
	not allowed(guest_settings, token("tdx", object.union(measured, {"configuration": 36}), app_initdata), "resource", "default/app/db-password")
}

test_other_plugin_denied if {
	not allowed(guest_settings, token("tdx", measured, app_initdata), "nebula-ca", "default/app/db-password")
}

test_no_attestation_claims_denied if {
	not allowed(guest_settings, {}, "resource", "default/app/db-password")
	not allowed(guest_settings, {"submods": {}}, "resource", "default/image_key/nginx")
}

test_allow_all_releases_any_resource if {
	allowed(allow_all_settings, token("sample", {"hardware": 97}, null), "resource", "any/thing/at-all")
	not allowed(allow_all_settings, token("sample", measured, null), "nebula-ca", "any/thing/at-all")
}

# A peer-pod VM (Azure SEV-SNP CVM): the az-snp-vtpm verifier's init_data claim is vTPM PCR8,
# sha256(32 zero bytes || the sha256 initdata digest) once the pod VM has extended it: here for
# the digest 5c7f0c1d...99887 of app_initdata.
pod_vm_pcr8 := "9d76322c3f81938329e7d7901449a6fcbb0a35ffd241c8836619078c5aae5383"

pod_vm_settings := object.union(guest_settings, {
	"resources": {"default/secret/1": [{"init_data": pod_vm_pcr8, "tee": "az-snp-vtpm", "workload": "Pod/demo/demo"}]},
	"tees": ["az-snp-vtpm"],
})

test_pod_vm_bound_by_pcr8_allowed if {
	allowed(pod_vm_settings, token("az-snp-vtpm", measured, pod_vm_pcr8), "resource", "default/secret/1")
}

test_pod_vm_other_initdata_or_tee_denied if {
	not allowed(pod_vm_settings, token("az-snp-vtpm", measured, app_initdata), "resource", "default/secret/1")
	not allowed(pod_vm_settings, token("az-snp-vtpm", measured, null), "resource", "default/secret/1")
	not allowed(pod_vm_settings, token("az-tdx-vtpm", measured, pod_vm_pcr8), "resource", "default/secret/1")
	not allowed(pod_vm_settings, token("az-snp-vtpm", object.union(measured, {"configuration": 36}), pod_vm_pcr8), "resource", "default/secret/1")
}
