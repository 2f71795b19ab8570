/**
 * Shell programs cloud-init installs on the nodes. They are static text: every value they need
 * comes from `/etc/coco/node.env` (rendered from the config by node-env.ts), so what the tests
 * run through shellcheck is byte for byte what the VMs execute. String.raw keeps backslashes;
 * the scripts avoid `${...}` so no TypeScript interpolation can slip in.
 */

/** Paths on the node. */
export const NODE_PATHS = {
  env: '/etc/coco/node.env',
  lib: '/usr/local/lib/coco/lib.sh',
  install: '/usr/local/sbin/coco-node-install',
  init: '/usr/local/sbin/coco-kubeadm-init',
  joinToken: '/usr/local/sbin/coco-join-token',
  join: '/usr/local/sbin/coco-kubeadm-join',
  kubeadmInit: '/etc/kubernetes/coco/kubeadm-init.yaml',
  kubeadmJoin: '/etc/kubernetes/coco/kubeadm-join.json',
  ciliumValues: '/etc/coco/cilium-values.yaml',
  ciliumCli: '/usr/local/bin/cilium',
  revokeUnit: '/etc/systemd/system/coco-join-token-revoke.service',
  containerdUnit: '/etc/systemd/system/containerd.service',
  containerdConfig: '/etc/containerd/config.toml',
} as const;

/** Key Vault secret names of the join material (the token, and the CA public-key pin). */
export const JOIN_SECRETS = { token: 'kubeadm-join-token', caCertHash: 'kubeadm-ca-cert-hash' } as const;

/** Functions shared by the node scripts (sourced, not executed). */
export const LIB_SH = String.raw`# shellcheck shell=bash
# Shared by the coco-* node scripts: pinned downloads, retries, and Key Vault secrets read and
# written with this VM's managed identity (IMDS token + Key Vault REST API). Needs curl and jq.

KV_API_VERSION=7.4
IMDS_TOKEN_URL='http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net'

# fetch URL SHA256 FILE: downloads over HTTPS and fails unless the file has the pinned checksum.
fetch() {
  curl -fsSL --proto '=https' --retry 10 --retry-all-errors --retry-delay 5 --max-time 900 -o "$3" "$1"
  echo "$2  $3" | sha256sum --check --strict --quiet
}

# retry CMD...: runs CMD up to 20 times, 15 s apart.
retry() {
  local attempt
  for attempt in $(seq 1 20); do
    if "$@"; then
      return 0
    fi
    echo "coco: attempt $attempt of '$1' failed, retrying" >&2
    sleep 15
  done
  return 1
}

# kv_token: a Key Vault access token for the VM's only (user-assigned) managed identity.
kv_token() {
  curl -fsS --retry 5 --retry-all-errors --max-time 30 -H Metadata:true "$IMDS_TOKEN_URL" | jq -er .access_token
}

# kv_url NAME: the data-plane URL of secret NAME in the vault named in node.env.
kv_url() {
  printf 'https://%s.vault.azure.net/secrets/%s?api-version=%s' "$KEY_VAULT_NAME" "$1" "$KV_API_VERSION"
}

# kv_get NAME: prints the current value; fails while the secret is missing or disabled, or while
# this identity's role assignment has not propagated yet.
kv_get() {
  local token
  token=$(kv_token) || return 1
  curl -fsS --max-time 30 -H "Authorization: Bearer $token" "$(kv_url "$1")" | jq -er .value
}

# kv_put NAME VALUE ENABLED EXPIRES: stores a new version of NAME (EXPIRES in Unix seconds).
kv_put() {
  local token
  token=$(kv_token) || return 1
  jq -n --arg value "$2" --argjson enabled "$3" --argjson exp "$4" \
    '{value: $value, contentType: "text/plain", attributes: {enabled: $enabled, exp: $exp}}' |
    curl -fsS --max-time 30 -X PUT -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      --data-binary @- "$(kv_url "$1")" >/dev/null
}
`;

/** Every node: kernel settings, containerd and runc from pinned releases, kubeadm packages. */
export const NODE_INSTALL_SH = String.raw`#!/bin/bash
# Prepares a Kubernetes node: kernel modules and sysctls, containerd and runc from their pinned
# upstream releases (sha256 checked), kubeadm/kubelet/kubectl from pkgs.k8s.io. Idempotent.
set -euo pipefail
# shellcheck source=/dev/null
. /etc/coco/node.env
# shellcheck source=/dev/null
. /usr/local/lib/coco/lib.sh

export DEBIAN_FRONTEND=noninteractive

# The kubelet refuses to start with swap on (Azure images normally have none).
swapoff -a
sed -i -E '/\sswap\s/s/^#*/#/' /etc/fstab
modprobe overlay
modprobe br_netfilter
sysctl --system >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# containerd 2.x; node-level image decryption is enabled by the guest-components drop-in.
if [ "$(/usr/local/bin/containerd --version 2>/dev/null | awk '{print $3}')" != "v$CONTAINERD_VERSION" ]; then
  fetch "https://github.com/containerd/containerd/releases/download/v$CONTAINERD_VERSION/containerd-$CONTAINERD_VERSION-linux-amd64.tar.gz" \
    "$CONTAINERD_SHA256" "$work/containerd.tar.gz"
  tar -xzf "$work/containerd.tar.gz" -C /usr/local bin
fi
if [ "$(/usr/local/sbin/runc --version 2>/dev/null | awk 'NR == 1 {print $3}')" != "$RUNC_VERSION" ]; then
  fetch "https://github.com/opencontainers/runc/releases/download/v$RUNC_VERSION/runc.amd64" "$RUNC_SHA256" "$work/runc"
  install -m 0755 "$work/runc" /usr/local/sbin/runc
fi
install -d -m 0755 /etc/containerd/conf.d
# Folders of this node's local PersistentVolumes (the KBS state on kbs-server): a local volume
# whose folder is missing fails to mount.
# shellcheck disable=SC2086 # a space-separated list of absolute paths without spaces
for dir in $LOCAL_VOLUME_DIRS; do
  install -d -m 0700 -o root -g root "$dir"
done
systemctl daemon-reload
systemctl enable containerd
systemctl restart containerd

# The repository signing key comes over HTTPS, as in the upstream kubeadm install guide.
repo="https://pkgs.k8s.io/core:/stable:/v$KUBERNETES_MINOR/deb"
keyring=/etc/apt/keyrings/kubernetes-apt-keyring.gpg
install -d -m 0755 /etc/apt/keyrings
curl -fsSL --proto '=https' --retry 10 --retry-all-errors "$repo/Release.key" | gpg --dearmor --yes -o "$keyring"
echo "deb [signed-by=$keyring] $repo/ /" >/etc/apt/sources.list.d/kubernetes.list
retry apt-get update -q
retry apt-get install -y -q --allow-change-held-packages \
  "kubelet=$KUBERNETES_PACKAGE_VERSION" "kubeadm=$KUBERNETES_PACKAGE_VERSION" "kubectl=$KUBERNETES_PACKAGE_VERSION"
apt-mark hold kubelet kubeadm kubectl >/dev/null
systemctl enable kubelet
`;

/** Control plane: kubeadm init, Cilium, then the join token for the other nodes. */
export const KUBEADM_INIT_SH = String.raw`#!/bin/bash
# Control-plane bootstrap: node install, kubeadm init, Cilium (kube-proxy replacement, with the
# cilium CLI), then a
# short-lived join token handed to the other nodes through Key Vault. Idempotent.
set -euo pipefail
# shellcheck source=/dev/null
. /etc/coco/node.env
# shellcheck source=/dev/null
. /usr/local/lib/coco/lib.sh
export KUBECONFIG=/etc/kubernetes/admin.conf
# cloud-init runs this without HOME; the cilium CLI (Helm inside) keeps its files here.
export HOME=/var/lib/coco

/usr/local/sbin/coco-node-install

if [ ! -f "$KUBECONFIG" ]; then
  # kubeadm prints its init token: keep the output out of the console (boot diagnostics) log.
  log=/var/log/coco-kubeadm-init.log
  install -m 0600 /dev/null "$log"
  if ! kubeadm init --config /etc/kubernetes/coco/kubeadm-init.yaml >"$log" 2>&1; then
    echo "coco-kubeadm-init: kubeadm init failed, see $log" >&2
    exit 1
  fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "$(/usr/local/bin/cilium version --client 2>/dev/null | awk '/^cilium-cli:/ {print $2}')" != "v$CILIUM_CLI_VERSION" ]; then
  fetch "https://github.com/cilium/cilium-cli/releases/download/v$CILIUM_CLI_VERSION/cilium-linux-amd64.tar.gz" "$CILIUM_CLI_SHA256" "$work/cilium.tar.gz"
  tar -xzf "$work/cilium.tar.gz" -C "$work" cilium
  install -m 0755 "$work/cilium" /usr/local/bin/cilium
fi
# install on the first boot, upgrade when the pinned version changed (docs/infrastructure.md, Upgrades).
# The cilium CLI installs with Helm, which keeps its release in kube-system Secrets owner=helm,name=cilium.
if [ -n "$(kubectl -n kube-system get secret -l owner=helm,name=cilium -o name)" ]; then action=upgrade; else action=install; fi
retry /usr/local/bin/cilium "$action" --version "$CILIUM_VERSION" --values /etc/coco/cilium-values.yaml --wait

/usr/local/sbin/coco-join-token publish
systemctl start --no-block coco-join-token-revoke.service
`;

/** Control plane: publishes and revokes the join token (also run by hand to add nodes later). */
export const JOIN_TOKEN_SH = String.raw`#!/bin/bash
# coco-join-token publish|revoke|revoke-when-joined
#   publish             replace every kubeadm bootstrap token by a fresh one (TTL from node.env)
#                       and store it, with the CA public-key hash, in Key Vault for joining nodes
#   revoke              delete every bootstrap token and disable the Key Vault copy
#   revoke-when-joined  wait until all expected nodes are registered (at most the TTL), then revoke
set -euo pipefail
# shellcheck source=/dev/null
. /etc/coco/node.env
# shellcheck source=/dev/null
. /usr/local/lib/coco/lib.sh
export KUBECONFIG=/etc/kubernetes/admin.conf

delete_tokens() {
  kubectl -n kube-system delete secret --field-selector type=bootstrap.kubernetes.io/token --ignore-not-found >/dev/null
}

publish() {
  local token hash expires
  delete_tokens
  token=$(kubeadm token create --ttl "$JOIN_TOKEN_TTL" --description "node join, handed out through Key Vault $KEY_VAULT_NAME")
  # kubeadm's discovery pin: sha256 of the CA's DER-encoded SubjectPublicKeyInfo.
  hash="sha256:$(openssl x509 -in /etc/kubernetes/pki/ca.crt -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -d ' ' -f 1)"
  expires=$(($(date +%s) + JOIN_TOKEN_TTL_SECONDS))
  retry kv_put "$JOIN_CA_HASH_SECRET" "$hash" true "$expires"
  retry kv_put "$JOIN_TOKEN_SECRET" "$token" true "$expires"
}

revoke() {
  delete_tokens
  retry kv_put "$JOIN_TOKEN_SECRET" revoked false "$(date +%s)"
}

revoke_when_joined() {
  local deadline
  deadline=$(($(date +%s) + JOIN_TOKEN_TTL_SECONDS))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if [ "$(kubectl get nodes --no-headers 2>/dev/null | wc -l)" -ge "$EXPECTED_NODES" ]; then
      break
    fi
    sleep 30
  done
  revoke
}

if [ "$#" -ne 1 ]; then
  echo "usage: coco-join-token publish|revoke|revoke-when-joined" >&2
  exit 2
fi
case "$1" in
  publish) publish ;;
  revoke) revoke ;;
  revoke-when-joined) revoke_when_joined ;;
  *)
    echo "usage: coco-join-token publish|revoke|revoke-when-joined" >&2
    exit 2
    ;;
esac
`;

/** Workers and the KBS node: wait for the join token in Key Vault, then kubeadm join. */
export const KUBEADM_JOIN_SH = String.raw`#!/bin/bash
# Node bootstrap: node install, then kubeadm join with the token the control plane left in Key
# Vault (read with this VM's managed identity; never in custom data or Terraform state).
set -euo pipefail
# shellcheck source=/dev/null
. /etc/coco/node.env
# shellcheck source=/dev/null
. /usr/local/lib/coco/lib.sh

/usr/local/sbin/coco-node-install

if [ -f /etc/kubernetes/kubelet.conf ]; then
  echo "coco-kubeadm-join: already joined" >&2
  exit 0
fi

# The control plane publishes the token some minutes after boot, and role assignments take a
# while to reach Key Vault: poll until both are there.
deadline=$(($(date +%s) + JOIN_WAIT_SECONDS))
until token=$(kv_get "$JOIN_TOKEN_SECRET" 2>/dev/null) && hash=$(kv_get "$JOIN_CA_HASH_SECRET" 2>/dev/null); do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "coco-kubeadm-join: no join token in Key Vault $KEY_VAULT_NAME; run 'sudo coco-join-token publish' on the control plane, then this script again" >&2
    exit 1
  fi
  sleep 20
done

umask 077
config=$(mktemp /run/coco-kubeadm-join.XXXXXX)
trap 'rm -f "$config"' EXIT
jq --arg token "$token" --arg hash "$hash" \
  '.discovery.bootstrapToken.token = $token | .discovery.bootstrapToken.caCertHashes = [$hash]' \
  /etc/kubernetes/coco/kubeadm-join.json >"$config"
kubeadm join --config "$config"
`;
