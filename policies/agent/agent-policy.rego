# Kata agent policy rendered by coco-azure-gitops (src/confidentialize/agent-policy.ts) for Kata 4.0.0.
# One default per AgentService request type; requests are not inspected (use genpolicy for that).

package agent_policy

default AddARPNeighborsRequest := true
default AddSwapPathRequest := true
default AddSwapRequest := true
default CloseStdinRequest := true
default CopyFileRequest := true
default CreateContainerRequest := true
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
default ReadStreamRequest := true # kubectl logs keeps working: never print secrets to stdout/stderr
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
default WriteStreamRequest := true

default ExecProcessRequest := false # kubectl exec / the host may not run processes in the TEE (seed 001 coco-demo-02)
default GetDiagnosticDataRequest := false # diagnostic dumps would carry guest state to the host
default GetIPTablesRequest := false # host tooling only; not needed for the pod lifecycle
default SetIPTablesRequest := false # host tooling only; would let the host rewrite guest packet filtering
default SetPolicyRequest := false # the host may not replace this policy once it is in force
