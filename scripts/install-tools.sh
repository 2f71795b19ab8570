#!/usr/bin/env bash
# Installs the real tools that the tests run (test/support/tools.ts finds them); `npm test` runs
# it first. Idempotent: one line per tool, and a second run does no work.
#
# - Go tools, built from the Go module proxy at the versions of scripts/tool-versions.sh, into a
#   cache per machine shared by every clone:
#     ${COCO_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/coco-azure-gitops/tools}/<tool>-<version>/<tool>
#   Each build runs in a temporary folder inside the cache and every tool folder appears by one
#   rename, so a failed or interrupted build never looks installed.
# - Debian packages, installed with apt-get only when their command is missing (needs root).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/tool-versions.sh
source "$ROOT/scripts/tool-versions.sh"
CACHE="${COCO_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/coco-azure-gitops/tools}"

# Debian (bookworm) packages, as command:package. busybox and curl: the KBS provisioning script
# runs in curlimages/curl (busybox sh + curl), test/kbs-provision.test.ts runs it with these
# against a fake KBS admin API. openssl: the key, token and certificate commands of docs/kbs.md.
# jq: the node join script fills the kubeadm JoinConfiguration with it. socat: the
# guest-components installer's readiness probe connects with it. docker-registry and skopeo:
# test/pin-images.test.ts resolves digests from a registry on loopback that skopeo pushes to.
APT_TOOLS=(shellcheck:shellcheck cloud-init:cloud-init systemd-analyze:systemd busybox:busybox
  curl:curl openssl:openssl jq:jq socat:socat docker-registry:docker-registry skopeo:skopeo)

# k8s.io/kubernetes zips leave out ./staging, where its go.mod points the k8s.io/* modules: they
# are pointed at their published tags instead, and the few modules the proxy does not serve at
# that tag at empty stand-ins (none of the commands built here imports them).
KUBERNETES_STAGING_VERSION="v0.${KUBERNETES_VERSION#v1.}"
KUBERNETES_STUB_MODULES=(k8s.io/sample-apiserver k8s.io/sample-cli-plugin k8s.io/sample-controller)
KUBERNETES_COMMANDS=(kube-apiserver kube-controller-manager kube-scheduler kubeadm kubectl)

# The flags of every Go build: no cgo (static binaries, no C toolchain), no toolchain download,
# no paths of this machine in the binaries, one package per core.
GO_BUILD=(go build -p "$(nproc)" -trimpath)
export GOTOOLCHAIN=local CGO_ENABLED=0 GOWORK=off

die() {
  echo "tools: $*" >&2
  exit 1
}

mkdir -p "$CACHE"
# Builds killed before their trap ran leave their folder; no build takes a day.
find "$CACHE" -maxdepth 1 -name '.build.*' -mmin +1440 -exec rm -rf {} +
WORK=$(mktemp -d "$CACHE/.build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# --- Debian packages -------------------------------------------------------
install_apt() {
  local missing=() entry start=$SECONDS
  for entry in "${APT_TOOLS[@]}"; do
    command -v "${entry%%:*}" >/dev/null 2>&1 || missing+=("${entry#*:}")
  done
  if ((${#missing[@]} > 0)); then
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install the Debian packages: ${missing[*]}"
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$WORK/apt.log" 2>&1; then
      cat "$WORK/apt.log" >&2
      die "apt-get install ${missing[*]} failed"
    fi
  fi
  for entry in "${APT_TOOLS[@]}"; do
    if [[ " ${missing[*]} " == *" ${entry#*:} "* ]]; then
      echo "tools: ${entry%%:*} installed from Debian ${entry#*:} in $((SECONDS - start)) s"
    else
      command -v "${entry%%:*}" >/dev/null || die "${entry%%:*} still missing after apt-get install ${entry#*:}"
      echo "tools: ${entry%%:*} from Debian"
    fi
  done
}

# --- Go builds ---------------------------------------------------------------
# require_module DIR MODULE VERSION: the wrapper module in DIR selects MODULE at VERSION, so the
# binaries are the versions the tests expect.
# shellcheck disable=SC2317 # runs inside the build_* functions, which install_group calls
require_module() {
  local selected
  selected=$(cd "$1" && go list -m -f '{{.Version}}' "$2")
  [[ "$selected" == "$3" ]] ||
    die "${1#"$ROOT/"}/go.mod selects $2 $selected, scripts/tool-versions.sh pins $3: run (cd ${1#"$ROOT/"} && go get -tool $2@$3)"
}

# build_kubernetes OUT: the Kubernetes commands, in one go build so that the packages they share
# compile once. The module is its own main module: only there do its replaces apply.
# shellcheck disable=SC2317 # called through install_group
build_kubernetes() {
  local out=$1 src info date mod staging=() edits=() ldflags=() pkg
  info=$(cd "$WORK" && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION")
  src=$(sed -n 's/^\t"Dir": "\(.*\)",$/\1/p' <<<"$info")
  # The release's date (the proxy's), not the build's: the same build, the same binary.
  date=$(sed -n 's/^\t"Info": "\(.*\)",$/\1/p' <<<"$info" | xargs sed -n 's/.*"Time":"\([^"]*\)".*/\1/p')
  [[ -d "$src" && -n "$date" ]] || die "go mod download k8s.io/kubernetes@$KUBERNETES_VERSION: no Dir or Info with a Time in: $info"
  cp -r "$src" "$WORK/kubernetes"
  chmod -R u+w "$WORK/kubernetes"
  mapfile -t staging < <(sed -n 's#^\t\(k8s\.io/[a-z0-9-]*\) => \./staging/.*#\1#p' "$WORK/kubernetes/go.mod")
  for mod in "${staging[@]}"; do
    edits+=("-replace=$mod=$mod@$KUBERNETES_STAGING_VERSION")
  done
  for mod in "${KUBERNETES_STUB_MODULES[@]}"; do
    mkdir -p "$WORK/stubs/$mod"
    printf 'module %s\n' "$mod" >"$WORK/stubs/$mod/go.mod"
    edits+=("-replace=$mod=$WORK/stubs/$mod")
  done
  (cd "$WORK/kubernetes" && go mod edit "${edits[@]}")
  # What hack/lib/version.sh sets for a release build (there is no git commit to name here).
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=("-X $pkg.gitVersion=$KUBERNETES_VERSION" "-X $pkg.gitMajor=1" "-X $pkg.gitMinor=$(cut -d. -f2 <<<"$KUBERNETES_VERSION")"
      "-X $pkg.gitTreeState=clean" "-X $pkg.buildDate=$date")
  done
  (cd "$WORK/kubernetes" && GOFLAGS='-mod=mod -buildvcs=false' "${GO_BUILD[@]}" -ldflags "-s -w ${ldflags[*]}" -o "$out/" \
    "${KUBERNETES_COMMANDS[@]/#/./cmd/}")
}

# build_go_tools OUT: helm (4), helm3, kwok, containerd and opa from the wrapper module
# scripts/go-tools (its go.sum pins every dependency). helm3 needs a go build of its own: both
# helm commands are named helm, and one go build -o DIR refuses two binaries of one name.
# shellcheck disable=SC2317 # called through install_group
build_go_tools() {
  local out=$1 dir="$ROOT/scripts/go-tools" client_go k8s_minor ldflags tags
  require_module "$dir" helm.sh/helm/v4 "$HELM_VERSION"
  require_module "$dir" helm.sh/helm/v3 "$HELM3_VERSION"
  require_module "$dir" sigs.k8s.io/kwok "$KWOK_VERSION"
  require_module "$dir" github.com/containerd/containerd/v2 "$CONTAINERD_VERSION"
  require_module "$dir" github.com/open-policy-agent/opa "$OPA_VERSION"
  # Helm 3 takes the Kubernetes version it renders for (.Capabilities.KubeVersion, and the
  # deprecated-API lint) from ldflags, derived from its client-go as its Makefile does: v0.37 is 1.37.
  client_go=$(cd "$dir" && go list -m -f '{{.Version}}' k8s.io/client-go)
  k8s_minor=$(cut -d. -f2 <<<"$client_go")
  # Each binary links only its own variables; -X of a variable a binary lacks is ignored.
  ldflags="-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
  ldflags+=" -X helm.sh/helm/v3/internal/version.version=$HELM3_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  ldflags+=" -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$k8s_minor"
  ldflags+=" -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$k8s_minor"
  ldflags+=" -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION"
  ldflags+=" -X github.com/containerd/containerd/v2/version.Version=$CONTAINERD_VERSION"
  # containerd's release tags, less the static ones (CGO_ENABLED=0 is static): no btrfs plugin
  # (it needs cgo), no man-page generator.
  tags=no_btrfs,urfave_cli_no_docs
  (cd "$dir" && GOFLAGS='-mod=readonly -buildvcs=false' "${GO_BUILD[@]}" -tags "$tags" -ldflags "$ldflags" -o "$out/" \
    helm.sh/helm/v4/cmd/helm sigs.k8s.io/kwok/cmd/kwok github.com/containerd/containerd/v2/cmd/containerd github.com/open-policy-agent/opa)
  (cd "$dir" && GOFLAGS='-mod=readonly -buildvcs=false' "${GO_BUILD[@]}" -tags "$tags" -ldflags "$ldflags" -o "$out/helm3" \
    helm.sh/helm/v3/cmd/helm)
}

# build_etcd OUT: etcd from the wrapper module scripts/go-tools/etcd. A module of its own because
# Helm 4.3 (through k8s.io/apiserver v0.37) requires etcd v3.7, and one module selects one version.
# `go install` refuses the server module (its go.mod has replace directives); a wrapper does not.
# shellcheck disable=SC2317 # called through install_group
build_etcd() {
  local out=$1 dir="$ROOT/scripts/go-tools/etcd"
  require_module "$dir" go.etcd.io/etcd/server/v3 "$ETCD_VERSION"
  require_module "$dir" go.etcd.io/etcd/api/v3 "$ETCD_VERSION" # holds the version etcd reports
  (cd "$dir" && GOFLAGS='-mod=readonly -buildvcs=false' "${GO_BUILD[@]}" -ldflags "-s -w" -o "$out/etcd" go.etcd.io/etcd/server/v3)
}

# shellcheck disable=SC2317 # called through install_group
build_cilium_chart() {
  local out=$1 dir
  # Not a build: the chart is plain files of the module, which `go mod download` checks against
  # the checksum database.
  dir=$(GOFLAGS=-mod=mod go mod download -json "github.com/cilium/cilium@$CILIUM_CHART_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [[ -n "$dir" && -f "$dir/install/kubernetes/cilium/Chart.yaml" ]] || return 1
  cp -r "$dir/install/kubernetes/cilium" "$out/cilium-chart"
  chmod -R u+w "$out/cilium-chart"
}

# install_group BUILDER TOOL=VERSION...: unless every TOOL is cached, runs BUILDER into a
# temporary folder (output in a log, shown on failure), then renames each tool's folder into the
# cache. Another clone that installed the same folder meanwhile wins; its binary is the same.
install_group() {
  local builder=$1 spec name version cached=1 tmp rc start=$SECONDS
  shift
  for spec in "$@"; do
    [[ -x "$CACHE/${spec/=/-}/${spec%%=*}" ]] || cached=0
  done
  if ((cached == 1)); then
    for spec in "$@"; do echo "tools: ${spec/=/ } cached"; done
    return 0
  fi
  command -v go >/dev/null 2>&1 || die "go not found (needed to build ${*%%=*})"
  tmp="$WORK/$builder"
  mkdir -p "$tmp/out"
  # Not `if ! builder`: inside a condition bash ignores set -e, and a failed step would go on.
  set +e
  (set -e && "$builder" "$tmp/out") >"$tmp/log" 2>&1
  rc=$?
  set -e
  if ((rc != 0)); then
    cat "$tmp/log" >&2
    die "$builder failed (log above)"
  fi
  for spec in "$@"; do
    name=${spec%%=*} version=${spec#*=}
    mkdir "$tmp/$name-$version"
    mv "$tmp/out/$name" "$tmp/$name-$version/$name"
    # A folder without the binary (deleted by hand) is no install: replace it.
    [[ -x "$CACHE/$name-$version/$name" ]] || rm -rf "$CACHE/$name-$version"
    mv -T "$tmp/$name-$version" "$CACHE/$name-$version" 2>/dev/null || [[ -x "$CACHE/$name-$version/$name" ]] ||
      die "could not install $CACHE/$name-$version"
    echo "tools: $name $version built in $((SECONDS - start)) s"
  done
}

install_apt
# One group after the other, not all at once: measured cold on a busy 2-core machine, 651 s in turn
# against 763 s at once. One go build already keeps both cores busy, and in turn etcd reuses the
# packages it shares with the go-tools build instead of compiling them a second time alongside it.
install_group build_go_tools "helm=$HELM_VERSION" "helm3=$HELM3_VERSION" "kwok=$KWOK_VERSION" \
  "containerd=$CONTAINERD_VERSION" "opa=$OPA_VERSION"
install_group build_etcd "etcd=$ETCD_VERSION"
install_group build_kubernetes "${KUBERNETES_COMMANDS[@]/%/=$KUBERNETES_VERSION}"
install_group build_cilium_chart "cilium-chart=$CILIUM_CHART_VERSION"
