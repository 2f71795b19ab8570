# opa test cases for agent-policy-example.rego: the policy src/confidentialize/agent-policy.ts
# generates for one pod (test/agent-policy-example.test.ts keeps the file equal to its output).
# Inputs are shaped like the ttRPC requests the Kata 4.0 agent hands to its policy engine
# (src/agent/src/policy.rs serialises them): input.OCI.Annotations, .Process.Args, .Mounts.
package agent_policy_test

import rego.v1

import data.agent_policy

request(type, name, image, args, mounts) := {"container_id": "c1", "OCI": {
	"Annotations": {
		"io.kubernetes.cri.container-type": type,
		"io.kubernetes.cri.container-name": name,
		"io.kubernetes.cri.image-name": image,
		"io.kubernetes.cri.sandbox-namespace": "coco-demo-app",
	},
	"Process": {"Args": args, "Env": ["PATH=/usr/bin:/bin", "MODE=production", "HOSTNAME=app-1"]},
	"Mounts": [{"destination": m, "source": "x", "type_": "bind", "options": []} | some m in mounts],
	"Hooks": null,
}}

app := request("container", "app", "quay.io/example/app:v1", ["/app", "--listen", ":8443"], ["/proc", "/etc/hosts", "/data"])

test_the_pod_containers_allowed if {
	agent_policy.CreateContainerRequest with input as app
	agent_policy.CreateContainerRequest with input as request("container", "sidecar", "docker.io/library/busybox:1.36", ["sh"], ["/proc"])
	agent_policy.CreateContainerRequest with input as request("sandbox", "", "pause", ["/pause"], ["/proc"])
}

test_pinned_digest_of_the_rendered_image_allowed if {
	pinned := json.patch(app, [{"op": "replace", "path": "/OCI/Annotations/io.kubernetes.cri.image-name", "value": concat("", ["quay.io/example/app:v1@sha256:", concat("", [c | some _ in numbers.range(1, 64); c := "a"])])}])
	agent_policy.CreateContainerRequest with input as pinned
}

test_foreign_containers_denied if {
	not agent_policy.CreateContainerRequest with input as {}
	not agent_policy.CreateContainerRequest with input as request("container", "reader", "quay.io/example/app:v1", ["/app", "--listen", ":8443"], ["/proc"])
	not agent_policy.CreateContainerRequest with input as request("container", "app", "quay.io/attacker/app:v1", ["/app", "--listen", ":8443"], ["/proc"])
	not agent_policy.CreateContainerRequest with input as request("container", "app", "quay.io/example/app:v1", ["sh", "-c", "wget -O- http://127.0.0.1:8006/cdh/resource/default/secret/1"], ["/proc"])
	not agent_policy.CreateContainerRequest with input as request("container", "app", "quay.io/example/app:v1", ["/app", "--listen", ":8443"], ["/proc", "/host"])
	not agent_policy.CreateContainerRequest with input as request("sandbox", "", "pause", ["/bin/sh"], ["/proc"])
	not agent_policy.CreateContainerRequest with input as json.patch(app, [{"op": "replace", "path": "/OCI/Annotations/io.kubernetes.cri.sandbox-namespace", "value": "other"}])
	not agent_policy.CreateContainerRequest with input as json.patch(app, [{"op": "replace", "path": "/OCI/Hooks", "value": {"Prestart": [{"Path": "/bin/sh"}]}}])
	not agent_policy.CreateContainerRequest with input as json.patch(app, [{"op": "add", "path": "/OCI/Process/Env/-", "value": "LD_PRELOAD=/data/evil.so"}])
	not agent_policy.CreateContainerRequest with input as json.patch(app, [{"op": "replace", "path": "/OCI/Process/Env/1", "value": "MODE=debug"}])
}

test_copy_only_into_the_shared_folder if {
	agent_policy.CopyFileRequest with input as {"path": "/run/kata-containers/shared/containers/c1-0123456789abcdef-resolv.conf"}
	not agent_policy.CopyFileRequest with input as {}
	not agent_policy.CopyFileRequest with input as {"path": "/etc/shadow"}
	not agent_policy.CopyFileRequest with input as {"path": "/run/kata-containers/shared/containers/../../../etc/passwd"}
}

test_no_exec_stdin_logs_or_policy_change if {
	not agent_policy.ExecProcessRequest with input as {"container_id": "c1", "process": {"Args": ["sh"]}}
	not agent_policy.WriteStreamRequest with input as {"container_id": "c1", "data": "aWQK"}
	not agent_policy.ReadStreamRequest with input as {"container_id": "c1"}
	not agent_policy.SetPolicyRequest with input as {"policy": "package agent_policy\n"}
}

test_pod_lifecycle_allowed if {
	agent_policy.CreateSandboxRequest with input as {"hostname": "pod"}
	agent_policy.StartContainerRequest with input as {"container_id": "c1"}
	agent_policy.WaitProcessRequest
	agent_policy.RemoveContainerRequest
	agent_policy.DestroySandboxRequest
}
