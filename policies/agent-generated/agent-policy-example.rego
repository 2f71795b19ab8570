# Kata agent policy rendered by coco-azure-gitops (src/confidentialize/agent-policy.ts) for Kata 4.0.0.
# One default per AgentService request type; container creation and file copies are inspected (after genpolicy).

package agent_policy

import rego.v1

default AddARPNeighborsRequest := true
default AddSwapPathRequest := true
default AddSwapRequest := true
default CloseStdinRequest := true
default CreateSandboxRequest := true
default DestroySandboxRequest := true
default GetMetricsRequest := true
default GetOOMEventRequest := true
default GuestDetailsRequest := true
default ListInterfacesRequest := true
default ListRoutesRequest := true
default MemAgentCompactConfig := true
default MemAgentMemcgConfig := true
default MemHotplugByProbeRequest := true
default OnlineCPUMemRequest := true
default PauseContainerRequest := true
default RemoveContainerRequest := true
default RemoveStaleVirtiofsShareMountsRequest := true
default ReseedRandomDevRequest := true
default ResizeVolumeRequest := true
default ResumeContainerRequest := true
default SetGuestDateTimeRequest := true
default SignalProcessRequest := true
default StartContainerRequest := true
default StatsContainerRequest := true
default TtyWinResizeRequest := true
default UpdateContainerRequest := true
default UpdateEphemeralMountsRequest := true
default UpdateInterfaceRequest := true
default UpdateRoutesRequest := true
default VolumeStatsRequest := true
default WaitProcessRequest := true

default CopyFileRequest := false # only into /run/kata-containers/shared/containers/, see the rules below
default CreateContainerRequest := false # only the containers of the pod spec, see the rules below
default ExecProcessRequest := false # kubectl exec / the host may not run processes in the TEE (seed 001 coco-demo-02)
default GetDiagnosticDataRequest := false # diagnostic dumps would carry guest state to the host
default GetIPTablesRequest := false # host tooling only; not needed for the pod lifecycle
default ReadStreamRequest := false # no kubectl logs: container output stays in the TEE
default SetIPTablesRequest := false # host tooling only; would let the host rewrite guest packet filtering
default SetPolicyRequest := false # the host may not replace this policy once it is in force
default WriteStreamRequest := false # no stdin: the host may not feed input to the processes in the TEE

# The pod this policy was generated for (src/confidentialize/agent-policy.ts, from its pod spec).
policy_data := {
	"namespace": "coco-demo-app",
	"containers": [
		{"name": "app", "images": ["quay.io/example/app:v1"], "args": ["/app", "--listen", ":8443"], "mounts": ["/data", "/dev", "/dev/mqueue", "/dev/pts", "/dev/shm", "/dev/termination-log", "/etc/hostname", "/etc/hosts", "/etc/resolv.conf", "/proc", "/sys", "/sys/fs/cgroup"], "env": {"MODE": "production"}},
		{"name": "sidecar", "images": ["busybox:1.36", "docker.io/library/busybox:1.36"], "args": null, "mounts": ["/dev", "/dev/mqueue", "/dev/pts", "/dev/shm", "/dev/termination-log", "/etc/hostname", "/etc/hosts", "/etc/resolv.conf", "/proc", "/sys", "/sys/fs/cgroup"], "env": {}},
	],
}

# The sandbox (pause) container, which Kata runs from the measured guest image.
CreateContainerRequest if {
	input.OCI.Annotations["io.kubernetes.cri.container-type"] == "sandbox"
	namespace_allowed(input.OCI.Annotations)
	input.OCI.Process.Args == ["/pause"]
	no_hooks(input.OCI)
}

# A container of the pod spec: its name, image, arguments and mounts, in the pod's namespace.
CreateContainerRequest if {
	oci := input.OCI
	oci.Annotations["io.kubernetes.cri.container-type"] == "container"
	namespace_allowed(input.OCI.Annotations)
	some container in policy_data.containers
	oci.Annotations["io.kubernetes.cri.container-name"] == container.name
	image_allowed(container.images, oci.Annotations["io.kubernetes.cri.image-name"])
	args_allowed(container.args, oci.Process.Args)
	every variable in object.get(oci.Process, "Env", []) {
		env_allowed(container.env, variable)
	}
	no_hooks(oci)
	every mount in oci.Mounts {
		mount.destination in container.mounts
	}
}

namespace_allowed(annotations) if annotations["io.kubernetes.cri.sandbox-namespace"] == policy_data.namespace

# Variables the pod spec sets keep their value; the dynamic loader's are never set.
env_allowed(expected, variable) if {
	name := split(variable, "=")[0]
	not name in ["LD_AUDIT", "LD_LIBRARY_PATH", "LD_PRELOAD"]
	not expected[name]
}

env_allowed(expected, variable) if {
	name := split(variable, "=")[0]
	variable == concat("=", [name, expected[name]])
}

# OCI hooks would run programs of the host's choosing inside the guest (genpolicy refuses them too).
no_hooks(oci) if object.get(oci, "Hooks", null) == null

# The image as rendered; a tag-only image also with the digest npm run pin-images appends.
image_allowed(images, image) if image in images

image_allowed(images, image) if {
	some expected in images
	not contains(expected, "@")
	parts := split(image, "@sha256:")
	count(parts) == 2
	parts[0] == expected
	regex.match("^[0-9a-f]{64}$", parts[1])
}

# null: the pod spec sets no command, so the image's own entrypoint runs.
args_allowed(null, _)

args_allowed(expected, args) if {
	expected != null
	args == expected
}

# Files the shim copies for the containers (hostname, hosts, resolv.conf, volumes): that folder only.
CopyFileRequest if {
	startswith(input.path, "/run/kata-containers/shared/containers/")
	not contains(input.path, "/../")
	not endswith(input.path, "/..")
}
