# KBS resource policy for Trustee v0.21 (package policy, rule allow), uploaded by the provisioning
# Job to POST /kbs/v0/resource-policy. KBS evaluates it on every resource request with
#   input: the claims of the attestation token (EAR) its built-in attestation service issued;
#   data.plugin and data["resource-path"]: the request path /kbs/v0/<plugin>/<repo>/<type>/<tag>.
# The trust vector it reads is set by attestation-policy.rego. The renderer (src/k8s/kbs) replaces
# the settings block at the end with values from the environment file.
package policy

import rego.v1

default allow := false

# A listed resource, to a TEE of an expected type whose hardware and configuration the
# attestation service appraised as trusted (and its executables too when measurements are set).
allow if {
	data.plugin == "resource"
	requested_path in settings.resource_paths
	some tee in settings.tees
	tee_trusted(tee)
}

# DEV ONLY (the production profile refuses it): any resource to any client holding a valid token.
allow if {
	settings.allow_all == true
	data.plugin == "resource"
}

requested_path := concat("/", data["resource-path"])

submod := input.submods.cpu0

tee_trusted(tee) if {
	submod["ear.veraison.annotated-evidence"][tee]
	vector := submod["ear.trustworthiness-vector"]
	vector.hardware == 2
	vector.configuration == 2
	executables_trusted(vector)
}

executables_trusted(_) if settings.require_measurements == false

executables_trusted(vector) if vector.executables == 3

# BEGIN SETTINGS
settings := {
	"allow_all": false,
	"require_measurements": false,
	"resource_paths": ["default/image_key/example"],
	"tees": ["az-tdx-vtpm"],
}

# END SETTINGS
