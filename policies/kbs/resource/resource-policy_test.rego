# opa test cases for resource-policy.rego. Every case sets data.policy.settings itself, so the
# cases hold for the static file and for every rendered copy (test/kbs-policies.test.ts).
package policy_test

import rego.v1

import data.policy

tdx_settings := {
	"allow_all": false,
	"require_measurements": false,
	"resource_paths": ["default/image_key/nginx", "default/key/ssh-demo"],
	"tees": ["az-tdx-vtpm"],
}

measured_settings := object.union(tdx_settings, {"require_measurements": true})

allow_all_settings := object.union(tdx_settings, {"allow_all": true, "tees": ["sample"]})

trusted := {"configuration": 2, "executables": 33, "hardware": 2}

measured := object.union(trusted, {"executables": 3})

# An EAR token as the built-in attestation service issues it (attestation-service/docs/example.token.json).
token(tee, vector) := {"submods": {"cpu0": {
	"ear.status": "warning",
	"ear.trustworthiness-vector": vector,
	"ear.veraison.annotated-evidence": {tee: {"tcb_status": "UpToDate"}, "report_data": "00"},
}}}

allowed(settings, tok, plugin, path) if {
	policy.allow with input as tok
		with data.plugin as plugin
		with data["resource-path"] as split(path, "/")
		with data.policy.settings as settings
}

test_listed_resource_to_trusted_tee if {
	allowed(tdx_settings, token("az-tdx-vtpm", trusted), "resource", "default/image_key/nginx")
	allowed(tdx_settings, token("az-tdx-vtpm", trusted), "resource", "default/key/ssh-demo")
}

test_unlisted_resource_denied if {
	not allowed(tdx_settings, token("az-tdx-vtpm", trusted), "resource", "default/image_key/other")
	not allowed(tdx_settings, token("az-tdx-vtpm", trusted), "resource", "other/image_key/nginx")
}

test_other_tee_denied if {
	not allowed(tdx_settings, token("sample", trusted), "resource", "default/image_key/nginx")
	not allowed(tdx_settings, token("tdx", trusted), "resource", "default/image_key/nginx")
}

test_untrusted_hardware_denied if {
	not allowed(tdx_settings, token("az-tdx-vtpm", object.union(trusted, {"hardware": 97})), "resource", "default/image_key/nginx")
}

test_debug_configuration_denied if {
	not allowed(tdx_settings, token("az-tdx-vtpm", object.union(trusted, {"configuration": 36})), "resource", "default/image_key/nginx")
}

test_measurements_required_when_configured if {
	not allowed(measured_settings, token("az-tdx-vtpm", trusted), "resource", "default/image_key/nginx")
	allowed(measured_settings, token("az-tdx-vtpm", measured), "resource", "default/image_key/nginx")
}

test_other_plugin_denied if {
	not allowed(tdx_settings, token("az-tdx-vtpm", trusted), "nebula-ca", "default/image_key/nginx")
}

test_no_attestation_claims_denied if {
	not allowed(tdx_settings, {}, "resource", "default/image_key/nginx")
	not allowed(tdx_settings, {"submods": {}}, "resource", "default/image_key/nginx")
}

test_allow_all_releases_any_resource if {
	allowed(allow_all_settings, token("sample", {"hardware": 97}), "resource", "any/thing/at-all")
	not allowed(allow_all_settings, token("sample", trusted), "nebula-ca", "any/thing/at-all")
}
