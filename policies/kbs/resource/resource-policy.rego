# KBS resource policy for Trustee v0.21 (package policy, rule allow), uploaded by the provisioning
# Job to POST /kbs/v0/resource-policy. KBS evaluates it on every resource request with
#   input: the claims of the attestation token (EAR) its built-in attestation service issued;
#   data.plugin and data["resource-path"]: the request path /kbs/v0/<plugin>/<repo>/<type>/<tag>.
# The trust vector it reads is set by attestation-policy.rego. The renderer (src/k8s/kbs) replaces
# the settings block at the end with values from the environment file and the rendered workloads
# (src/k8s/kbs/resource-binding.ts).
package policy

import rego.v1

default allow := false

# A resource goes only to the clients bound to it: a Kata guest whose initdata is the one a
# rendered workload that references the resource boots with, or (init_data null) a node-level
# client such as the host CDH of an Azure TDX CVM. Either way the TEE must be of an expected
# type whose hardware, configuration and (when required) executables were appraised as trusted.
allow if {
	data.plugin == "resource"
	some client in settings.resources[requested_path]
	tee_trusted(client.tee)
	initdata_matches(client)
}

# DEV ONLY (the production profile refuses it): any resource to any client holding a valid token.
allow if {
	settings.allow_all == true
	data.plugin == "resource"
}

requested_path := concat("/", data["resource-path"])

submod := input.submods.cpu0

evidence := submod["ear.veraison.annotated-evidence"]

tee_trusted(tee) if {
	tee in settings.tees
	evidence[tee]
	vector := submod["ear.trustworthiness-vector"]
	vector.hardware == 2
	vector.configuration == 2
	executables_trusted(vector)
}

executables_trusted(_) if settings.require_measurements == false

executables_trusted(vector) if vector.executables == 3

# The verifier's init_data claim is read from the hardware (TDX MRCONFIGID, SNP HOSTDATA), which
# the host set at launch and the Kata agent checked against the initdata it received, or on Azure
# CVMs (az-snp-vtpm, az-tdx-vtpm: peer-pod VMs) from vTPM PCR8, which the pod VM extends with the
# initdata digest before the guest components start.
initdata_matches(client) if {
	client.init_data != null
	evidence.init_data == client.init_data
}

# Node-level clients carry no initdata (their binding is the measured node), and the dev sample
# verifier none that can be checked; the production profile renders null only for node clients.
initdata_matches(client) if client.init_data == null

# BEGIN SETTINGS
settings := {
	"allow_all": false,
	"require_measurements": true,
	"resources": {
		"default/image_key/example": [{"init_data": "5c7f0c1d5b0a6b2b3b8d8a6e6e0d2f1f6c5b4a3928171605f4e3d2c1b0a99887", "tee": "snp", "workload": "Deployment/example/app"}],
	},
	"tees": ["snp"],
}

# END SETTINGS
