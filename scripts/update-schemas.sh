#!/usr/bin/env bash
# Regenerates the committed schema bundle used by src/render/schema-validator.ts from upstream sources
# fetched through the Go module proxy (checksum-verified by the go command):
#   k8s.io/kubernetes                api/openapi-spec/swagger.json
#   github.com/argoproj/argo-cd/v3   manifests/crds/{application,applicationset,appproject}-crd.yaml
#   github.com/prometheus-operator/prometheus-operator
#                                    example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml
#
# The versions default to SCHEMA_SOURCES in src/render/schema-validator.ts (Kubernetes is
# VERSIONS.kubernetes of src/shared/versions.ts), so after a Kubernetes bump plain
# `scripts/update-schemas.sh` writes the file the code expects.
# Usage: scripts/update-schemas.sh
#        K8S_VERSION=v1.36.5 scripts/update-schemas.sh
#        ARGOCD_VERSION=latest scripts/update-schemas.sh                # newest final v3.x release
#        PROMETHEUS_OPERATOR_VERSION=latest scripts/update-schemas.sh   # newest final v0.x release served
# After overriding a version, update SCHEMA_SOURCES to match and delete the old bundle.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# run-built.js transpiles what changed (no type check: a half-edited file elsewhere does not block this).
read -r DEFAULT_K8S_VERSION DEFAULT_ARGOCD_VERSION DEFAULT_PROMETHEUS_OPERATOR_VERSION < <(
  node "$repo_root/scripts/run-built.js" build/scripts/compact-schemas.js --print-sources
)
[[ -n "${DEFAULT_PROMETHEUS_OPERATOR_VERSION:-}" ]] || { echo "could not read SCHEMA_SOURCES" >&2; exit 1; }
K8S_VERSION="${K8S_VERSION:-$DEFAULT_K8S_VERSION}"
ARGOCD_VERSION="${ARGOCD_VERSION:-$DEFAULT_ARGOCD_VERSION}"
PROMETHEUS_OPERATOR_VERSION="${PROMETHEUS_OPERATOR_VERSION:-$DEFAULT_PROMETHEUS_OPERATOR_VERSION}"
K8S_MODULE=k8s.io/kubernetes
ARGOCD_MODULE=github.com/argoproj/argo-cd/v3
PROMETHEUS_OPERATOR_MODULE=github.com/prometheus-operator/prometheus-operator

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# No go.mod in $work: `go mod download module@version` works outside a module. GOTOOLCHAIN=local keeps
# the go command from fetching a newer toolchain just because a module's go.mod asks for one.
cd "$work"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local

if [[ "$ARGOCD_VERSION" == latest ]]; then
  ARGOCD_VERSION="$(go list -m -versions "$ARGOCD_MODULE" | tr ' ' '\n' | grep -E '^v3\.[0-9]+\.[0-9]+$' | sort -V | tail -n 1)"
fi
if [[ "$PROMETHEUS_OPERATOR_VERSION" == latest ]]; then
  # The proxy's version list of the main module is incomplete (it has shown only v0.85.0), so the
  # pkg/apis/monitoring submodule, tagged in lockstep with every release, contributes its list too.
  # Not every such tag is served for the main module (v0.95.x was refused on 2026-12-01), and the
  # CRDs are in the main module: take the newest one it serves.
  PROMETHEUS_OPERATOR_VERSION=""
  for v in $(
    { go list -m -versions "$PROMETHEUS_OPERATOR_MODULE"; go list -m -versions "$PROMETHEUS_OPERATOR_MODULE/pkg/apis/monitoring"; } |
      tr ' ' '\n' | grep -E '^v0\.[0-9]+\.[0-9]+$' | sort -Vu -r
  ); do
    if go list -m "$PROMETHEUS_OPERATOR_MODULE@$v" >/dev/null 2>&1; then
      PROMETHEUS_OPERATOR_VERSION="$v"
      break
    fi
  done
  [[ -n "$PROMETHEUS_OPERATOR_VERSION" ]] || { echo "no release of $PROMETHEUS_OPERATOR_MODULE is served" >&2; exit 1; }
fi

# Prints the path of the verified module zip in the module cache. `go mod download` exits non-zero when
# the module's go.mod needs a newer Go than the local one (argo-cd v3.6 wants go 1.27), but it has
# already downloaded and checksum-verified the zip by then, which is all we read.
module_zip() {
  local json zip
  json="$(go mod download -json "$1" || true)"
  zip="$(node -e 'const m = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(m.Zip ?? "")' <<<"$json")"
  if [[ -z "$zip" || ! -f "$zip" ]]; then
    echo "go mod download $1 failed: $json" >&2
    return 1
  fi
  echo "$zip"
}

# Copies one file out of a module zip (entries are prefixed with module@version/).
extract() {
  local module="$1" version="$2" path="$3" zip
  zip="$(module_zip "$module@$version")"
  unzip -p "$zip" "$module@$version/$path" >"$work/$(basename "$path")"
}

extract "$K8S_MODULE" "$K8S_VERSION" api/openapi-spec/swagger.json
extract "$ARGOCD_MODULE" "$ARGOCD_VERSION" manifests/crds/application-crd.yaml
extract "$ARGOCD_MODULE" "$ARGOCD_VERSION" manifests/crds/applicationset-crd.yaml
extract "$ARGOCD_MODULE" "$ARGOCD_VERSION" manifests/crds/appproject-crd.yaml
extract "$PROMETHEUS_OPERATOR_MODULE" "$PROMETHEUS_OPERATOR_VERSION" example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml

out="schemas/kubernetes-$K8S_VERSION+argo-cd-$ARGOCD_VERSION+prometheus-operator-$PROMETHEUS_OPERATOR_VERSION.json"
cd "$repo_root"
mkdir -p schemas
node scripts/run-built.js build/scripts/compact-schemas.js \
  --swagger "$work/swagger.json" \
  --crd "$work/application-crd.yaml" \
  --crd "$work/applicationset-crd.yaml" \
  --crd "$work/appproject-crd.yaml" \
  --crd "$work/monitoring.coreos.com_servicemonitors.yaml" \
  --source "$K8S_MODULE=$K8S_VERSION" \
  --source "$ARGOCD_MODULE=$ARGOCD_VERSION" \
  --source "$PROMETHEUS_OPERATOR_MODULE=$PROMETHEUS_OPERATOR_VERSION" \
  --out "$out"

if [[ "$K8S_VERSION/$ARGOCD_VERSION/$PROMETHEUS_OPERATOR_VERSION" != "$DEFAULT_K8S_VERSION/$DEFAULT_ARGOCD_VERSION/$DEFAULT_PROMETHEUS_OPERATOR_VERSION" ]]; then
  echo "note: wrote $out; set SCHEMA_SOURCES in src/render/schema-validator.ts (Kubernetes: VERSIONS.kubernetes) to match and delete the old bundle" >&2
fi
