# opa test policies/agent: the rendered agent policy (agent-policy.rego, written by the product)
# must deny exec and policy replacement and keep the pod lifecycle working.
package agent_policy_test

import data.agent_policy

# Inputs shaped like the JSON the Kata agent sends for each request (src/agent/src/policy.rs
# serialises the ttRPC request); the defaults must not depend on them.
exec_request := {"container_id": "c1", "exec_id": "e1", "process": {"Args": ["sh", "-c", "cat /secret"]}}

test_exec_denied if {
	not agent_policy.ExecProcessRequest with input as exec_request
}

test_set_policy_denied if {
	not agent_policy.SetPolicyRequest with input as {"policy": "package agent_policy\ndefault ExecProcessRequest := true\n"}
}

test_host_only_requests_denied if {
	not agent_policy.GetDiagnosticDataRequest
	not agent_policy.GetIPTablesRequest
	not agent_policy.SetIPTablesRequest
}

test_pod_lifecycle_allowed if {
	agent_policy.CreateSandboxRequest with input as {"hostname": "pod", "sandbox_id": "s1"}
	agent_policy.CreateContainerRequest with input as {"container_id": "c1", "OCI": {"Process": {"Args": ["sleep", "infinity"]}}}
	agent_policy.StartContainerRequest with input as {"container_id": "c1"}
	agent_policy.WaitProcessRequest
	agent_policy.SignalProcessRequest
	agent_policy.RemoveContainerRequest
	agent_policy.DestroySandboxRequest
}

test_logs_and_image_pull_paths_allowed if {
	agent_policy.ReadStreamRequest
	agent_policy.CopyFileRequest with input as {"path": "/run/kata-containers/shared/containers/c1-resolv.conf"}
}
