# shellcheck shell=bash disable=SC2034
# The versions of the tools the tests run, in one place: scripts/install-tools.sh sources this
# file and builds exactly these; test/support/tools.ts parses it (comment lines and
# NAME_VERSION='vX.Y.Z' lines only) and finds exactly these in the tools cache.
# The Go wrapper modules (scripts/go-tools/) must require the same versions: the installer fails
# when they differ (after a bump here: cd scripts/go-tools && go get -tool <module>@<version>).

# k8s.io/kubernetes: kube-apiserver, kube-controller-manager, kube-scheduler, kubeadm, kubectl.
# Its staging modules (k8s.io/api, ...) are taken at the matching v0.x tag.
# Must equal VERSIONS.kubernetes in src/shared/versions.ts (the lead set 1.36.5, the newest patch the proxy serves).
KUBERNETES_VERSION='v1.36.5'
# go.etcd.io/etcd/server/v3: the etcd that Kubernetes 1.36 uses (3.6).
ETCD_VERSION='v3.6.16'
# sigs.k8s.io/kwok: fake nodes for a real control plane.
KWOK_VERSION='v0.8.0'
# helm.sh/helm/v4: the tool `helm`.
HELM_VERSION='v4.3.2'
# helm.sh/helm/v3: the tool `helm3`; charts must work with both.
HELM3_VERSION='v3.22.0'
# github.com/containerd/containerd/v2: parses the containerd config the node installer writes.
CONTAINERD_VERSION='v2.3.4'
# github.com/open-policy-agent/opa: `opa test` on the Rego policies.
OPA_VERSION='v1.22.4'
# github.com/cilium/cilium: its Helm chart (install/kubernetes/cilium), to render the Cilium values
# the control plane installs with Helm 4 against the chart's values.schema.json. Must equal
# VERSIONS.cilium in src/shared/versions.ts.
CILIUM_CHART_VERSION='v1.20.1'
