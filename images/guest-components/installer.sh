#!/usr/bin/env bash
# Node installer of the guest components for node-level image decryption (seed 000 §5-6):
# attestation-agent (ttrpc), confidential-data-hub (gRPC key provider) and ctd-decoder, wired
# into containerd 2.x through a drop-in: stream processors, and the CRI client pull path
# (use_local_image_pull), the only 2.x pull path that runs them.
#
# It runs in the privileged DaemonSet pod rendered by src/k8s/guest-components (which also
# renders this file into a ConfigMap), with the host PID namespace and only the host folders it
# writes mounted below $HOST_ROOT at their host paths (the install dir, /etc/containerd,
# /etc/systemd/system; /run/confidential-containers for the probe): files are written through
# $HOST_ROOT, commands run in the host's namespaces through `nsenter --target 1`. The payload is
# checked against its manifest (SHA256SUMS, whose own sha256 may be pinned) before anything is
# placed.
#
# Usage: installer.sh COMMAND
#   install        idempotent install: compares bytes, writes a temp file and renames it, backs
#                  up the containerd config before changing it (only to add the drop-in's
#                  import, where its imports do not cover it already; timestamped, the last
#                  BACKUPS_KEPT kept), restarts a service only if a file it reads changed, and
#                  containerd if its config changed or it runs a config older than the files
#   uninstall      stops and removes the services and files, restores the containerd config
#   run            install, then wait for SIGTERM (the DaemonSet's main process)
#   run-uninstall  uninstall, then wait
#   probe          readiness: succeeds only after `run` installed, both services answer and
#                  containerd runs with the current config
#   probe-uninstalled  readiness in uninstall mode
#
# Exit codes: 0 done, 1 error (nothing half-applied to the containerd config; a payload that does
# not match its manifest writes nothing), 3 refused (unsupported containerd). Environment: see
# require_env (set by the DaemonSet); optional PAYLOAD_MANIFEST_SHA256, BACKUPS_KEPT (default 5).
set -euo pipefail

readonly CRI_IMAGES_TABLE='[plugins."io.containerd.cri.v1.images"]'
readonly CRI_DECRYPTION_TABLE='[plugins."io.containerd.cri.v1.images".image_decryption]'
readonly DECODER_IDS=(io.containerd.ocicrypt.decoder.v1.tar io.containerd.ocicrypt.decoder.v1.tar.gzip)
readonly BINARIES=(attestation-agent confidential-data-hub ctd-decoder)

TMPFILES=()
cleanup() {
  if ((${#TMPFILES[@]} > 0)); then rm -f -- "${TMPFILES[@]}"; fi
}
trap cleanup EXIT

log() {
  printf 'guest-components-installer: %s\n' "$*" >&2
}

die() {
  log "error: $*"
  exit 1
}

require_env() {
  local name
  for name in HOST_ROOT PAYLOAD_DIR CONFIG_DIR STATE_DIR INSTALL_PREFIX ETC_DIR UNIT_DIR AA_UNIT CDH_UNIT \
    CONTAINERD_CONFIG CONTAINERD_DROPIN DECRYPTION_KEYS_DIR AA_SOCKET KEY_PROVIDER_ADDRESS; do
    [[ -n "${!name:-}" ]] || die "environment variable $name is not set"
  done
  # The directory the uninstaller empties whole: never a system directory.
  [[ "$INSTALL_PREFIX" =~ ^/[a-z]+/coco-[a-z-]+$ ]] || die "INSTALL_PREFIX=$INSTALL_PREFIX is not a dedicated directory such as /opt/coco-guest-components"
  [[ "$ETC_DIR" == "$INSTALL_PREFIX/etc" ]] || die "ETC_DIR=$ETC_DIR is not $INSTALL_PREFIX/etc (the DaemonSet mounts only the install dir)"
  [[ "${BACKUPS_KEPT:-5}" =~ ^[1-9][0-9]?$ ]] || die "BACKUPS_KEPT=${BACKUPS_KEPT} is not a number from 1 to 99"
}

# host CMD...: run CMD in the host's namespaces (PID 1 is the host's init: the pod has hostPID).
host() {
  nsenter --target 1 --mount --uts --ipc --net --pid -- "$@"
}

# Paths: a host path P is "$HOST_ROOT$P" here. Every path this script handles is absolute and has
# no trailing slash, so ${P%/*} and ${P##*/} are its dirname and basename, without the fork (and
# exec) of $(dirname ...) that a run paid dozens of times.

# newtmp VAR DIR BASE: VAR = a new temp file in DIR, removed on exit.
newtmp() {
  local __newtmp_path
  __newtmp_path=$(mktemp "$2/.$3.XXXXXX")
  TMPFILES+=("$__newtmp_path")
  printf -v "$1" '%s' "$__newtmp_path"
}

# place SRC HOSTPATH MODE: make HOSTPATH hold SRC's bytes with MODE, by temp file + rename in
# the same directory (readers never see a partial file; a running binary keeps its old inode).
# Returns 0 when it changed something, 1 when HOSTPATH was already up to date.
place() {
  local src=$1 dest mode=$3 tmp
  dest=$HOST_ROOT$2
  if [[ -f "$dest" && ! -L "$dest" ]] && cmp -s "$src" "$dest" && [[ "$(stat -c %a "$dest")" == "$mode" ]]; then
    return 1
  fi
  [[ -d "${dest%/*}" ]] || mkdir -p "${dest%/*}"
  newtmp tmp "${dest%/*}" "${dest##*/}"
  cat "$src" >"$tmp"
  chmod "$mode" "$tmp"
  mv -f "$tmp" "$dest"
  log "updated $2"
  return 0
}

# mkdir_tracked HOSTDIR MARKER: create HOSTDIR and remember the top-most folder this created,
# so that uninstall removes exactly what install added.
mkdir_tracked() {
  local dir=$1 marker top
  marker="$HOST_ROOT$ETC_DIR/installer-state/$2"
  [[ ! -d "$HOST_ROOT$dir" ]] || return 0
  top=$dir
  while [[ ! -d "$HOST_ROOT${top%/*}" ]]; do top=${top%/*}; done
  mkdir -p "$HOST_ROOT$dir"
  printf '%s\n' "$top" >"$marker"
  log "created $dir"
}

# rmdir_tracked HOSTDIR MARKER: remove HOSTDIR and its parents up to the folder mkdir_tracked
# recorded, as long as they are empty.
rmdir_tracked() {
  local dir=$1 marker top
  marker="$HOST_ROOT$ETC_DIR/installer-state/$2"
  [[ -f "$marker" ]] || return 0
  top=$(<"$marker")
  while rmdir "$HOST_ROOT$dir" 2>/dev/null; do
    [[ "$dir" != "$top" ]] || return 0
    dir=${dir%/*}
  done
  log "left $dir (not empty)"
}

# --- containerd ---------------------------------------------------------------

# check_containerd: refuses a containerd that cannot decrypt images on the node through the CRI
# client pull path (reinstated in 2.1.7, 2.2.2 and 2.3.0, containerd PR #12705; 2.0 cannot; 1.x
# reads another config format). Sets CONTAINERD_CONFIG_VERSION, the version it writes itself.
check_containerd() {
  local line version major minor patch
  line=$(host containerd --version) || die "could not run 'containerd --version' on the node"
  version=$(awk '{print $3}' <<<"$line")
  version=${version#v}
  version=${version%%[~+-]*}
  if ! [[ "$version" =~ ^([0-9]+)\.([0-9]+)\.([0-9]+)$ ]]; then
    log "refusing to install: unrecognised containerd version '$version' ($line); supported: 2.1.7+, 2.2.2+, 2.3 and later"
    exit 3
  fi
  major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]} patch=${BASH_REMATCH[3]}
  if ((major < 2 || (major == 2 && minor == 0) || (major == 2 && minor == 1 && patch < 7) || (major == 2 && minor == 2 && patch < 2))); then
    log "refusing to install: the node runs containerd $version. Node-level image decryption needs containerd 2.1.7+, 2.2.2+ or 2.3 and later: only their CRI client pull path (use_local_image_pull) runs the ctd-decoder stream processors (containerd PR #12705); 1.x reads another config format. Upgrade containerd on this node."
    exit 3
  fi
  if ((major > 2 || minor >= 3)); then CONTAINERD_CONFIG_VERSION=4; else CONTAINERD_CONFIG_VERSION=3; fi
  log "containerd $version on the node"
}

# toml_value FILE TABLE KEY: the value of KEY in [TABLE] (exact header line, spaces ignored,
# quotes in the header and a single-quoted value read as double quotes, as containerd 2.x
# `config dump` writes literal strings); empty when absent.
toml_value() {
  awk -v table="$2" -v key="$3" '
    function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
    /^[ \t]*\[/ { t = trim($0); gsub(/[ \t]/, "", t); gsub(/\047/, "\"", t); inside = (t == table); next }
    inside {
      line = $0; sub(/#.*$/, "", line)
      if (match(line, "^[ \t]*" key "[ \t]*=")) {
        v = trim(substr(line, RLENGTH + 1))
        if (v ~ /^\047[^\047]*\047$/) v = "\"" substr(v, 2, length(v) - 2) "\""
        print v; exit
      }
    }' "$1"
}

# import_state FILE: "covered" when a top-level imports entry already loads CONTAINERD_DROPIN,
# "line:N" for a one-line imports array (of "basic strings") that does not, "unsupported" for
# any other imports array, "none" without imports.
import_state() {
  local file=$1 n text pattern dir base
  n=$(awk '/^[ \t]*\[/ { exit } /^[ \t]*imports[ \t]*=/ { print NR; exit }' "$file")
  if [[ -z "$n" ]]; then
    echo none
    return
  fi
  text=$(sed -n "${n}p" "$file")
  text=${text%%#*}
  if ! [[ "$text" =~ ^[[:space:]]*imports[[:space:]]*=[[:space:]]*\[[[:space:]]*(\"[^\"]*\"[[:space:]]*,?[[:space:]]*)*\][[:space:]]*$ ]]; then
    echo unsupported
    return
  fi
  while read -r pattern; do
    [[ -n "$pattern" ]] || continue
    [[ "$pattern" == /* ]] || pattern="${CONTAINERD_CONFIG%/*}/$pattern"
    dir=${pattern%/*}
    base=${pattern##*/}
    # containerd uses filepath.Glob: "*" does not cross "/", so compare the folder literally.
    # shellcheck disable=SC2053 # $base is a glob pattern on purpose
    if [[ "$dir" == "${CONTAINERD_DROPIN%/*}" && "${CONTAINERD_DROPIN##*/}" == $base ]]; then
      echo covered
      return
    fi
  done < <(grep -o '"[^"]*"' <<<"$text" | tr -d '"')
  echo "line:$n"
}

# merge_config SRC OUT: OUT = SRC plus an import of our drop-in where its imports do not cover it
# already. Nothing else: containerd 2.x merges an imported file deeply, imported values winning
# (server/config mergeConfig), so the drop-in itself turns on what decryption needs without
# touching the node's other settings. The drop-in is config version 3, and containerd refuses a
# drop-in of a higher version than the root file, so the root must be version 3 or 4.
merge_config() {
  local src=$1 out=$2 state n line entries comment
  grep -Eq '^[[:space:]]*version[[:space:]]*=[[:space:]]*[34][[:space:]]*(#.*)?$' "$src" ||
    die "$CONTAINERD_CONFIG is not a containerd 2.x config (no 'version = 3' or 'version = 4'); convert it with 'containerd config migrate' first"
  state=$(import_state "$src")
  case "$state" in
    covered)
      cp "$src" "$out"
      ;;
    none)
      # A top-level key is valid only before the first table: the first line always is.
      {
        echo "# coco-guest-components: import of the image decryption drop-in (uninstall restores the previous file)"
        echo "imports = [\"$CONTAINERD_DROPIN\"]"
        cat "$src"
      } >"$out"
      ;;
    unsupported)
      die "cannot parse the imports array of $CONTAINERD_CONFIG; add \"$CONTAINERD_DROPIN\" (or \"${CONTAINERD_DROPIN%/*}/*.toml\") to it by hand and run again"
      ;;
    line:*)
      n=${state#line:}
      line=$(sed -n "${n}p" "$src")
      comment=""
      [[ "$line" == *"#"* ]] && comment=" #${line#*#}"
      entries=$(grep -o '"[^"]*"' <<<"${line%%#*}" | paste -s -d, - | sed 's/,/, /g')
      {
        head -n "$((n - 1))" "$src"
        echo "imports = [${entries:+$entries, }\"$CONTAINERD_DROPIN\"]$comment"
        tail -n "+$((n + 1))" "$src"
      } >"$out"
      ;;
  esac
}

# verify_config: the host's containerd must load the merged config with our decoders for both
# encrypted layer types, the node key model and the client pull path. Whatever overrides the
# drop-in (e.g. a later import of the node's) is caught here, before containerd restarts.
verify_config() {
  local dump id want
  newtmp dump "$STATE_DIR" dump
  if ! host containerd --config "$CONTAINERD_CONFIG" config dump >"$dump"; then
    log "containerd cannot load the merged config"
    return 1
  fi
  want="\"$INSTALL_PREFIX/bin/ctd-decoder\""
  for id in "${DECODER_IDS[@]}"; do
    if [[ "$(toml_value "$dump" "[stream_processors.\"$id\"]" path)" != "$want" ]]; then
      log "containerd config dump: stream processor $id does not run $want"
      return 1
    fi
  done
  if [[ "$(toml_value "$dump" "$CRI_DECRYPTION_TABLE" key_model)" != '"node"' ]]; then
    log "containerd config dump: image_decryption key_model is not \"node\""
    return 1
  fi
  if [[ "$(toml_value "$dump" "$CRI_IMAGES_TABLE" use_local_image_pull)" != true ]]; then
    log "containerd config dump: use_local_image_pull is not true (the transfer service would skip the decoders)"
    return 1
  fi
}

# prepare_containerd_config: MERGED = the containerd config to write (nothing written yet, so a
# config this script refuses leaves the node untouched).
prepare_containerd_config() {
  local conf src
  conf=$HOST_ROOT$CONTAINERD_CONFIG
  [[ ! -L "$conf" ]] || die "$CONTAINERD_CONFIG is a symbolic link; point it at a file first"
  newtmp MERGED "$STATE_DIR" merged
  if [[ -f "$conf" ]]; then
    merge_config "$conf" "$MERGED"
  else
    newtmp src "$STATE_DIR" empty-config
    printf 'version = %s\n' "$CONTAINERD_CONFIG_VERSION" >"$src"
    merge_config "$src" "$MERGED"
  fi
}

# apply_containerd_config: writes MERGED and the drop-in, has the host's containerd check them,
# rolls back on failure. Sets CONTAINERD_CHANGED=1 when containerd must restart. The backup is
# the operator's file: taken when the file on disk is not the one we wrote last.
apply_containerd_config() {
  local conf dropin state had_conf=0 had_dropin=0 prev_conf prev_dropin conf_changed=0 mode=644
  conf=$HOST_ROOT$CONTAINERD_CONFIG
  dropin=$HOST_ROOT$CONTAINERD_DROPIN
  state=$HOST_ROOT$ETC_DIR/installer-state
  newtmp prev_conf "$STATE_DIR" prev-config
  newtmp prev_dropin "$STATE_DIR" prev-drop-in
  if [[ -f "$conf" ]]; then
    had_conf=1
    cp -p "$conf" "$prev_conf"
    mode=$(stat -c %a "$conf")
  fi
  if [[ -f "$dropin" ]]; then
    had_dropin=1
    cp -p "$dropin" "$prev_dropin"
  fi
  mkdir_tracked "${CONTAINERD_DROPIN%/*}" created-drop-in-dir
  if place "$MERGED" "$CONTAINERD_CONFIG" "$mode"; then conf_changed=1 CONTAINERD_CHANGED=1; fi
  if place "$CONFIG_DIR/containerd-drop-in.toml" "$CONTAINERD_DROPIN" 644; then CONTAINERD_CHANGED=1; fi
  if ((CONTAINERD_CHANGED)) && ! verify_config; then
    if ((had_conf)); then cp -p "$prev_conf" "$conf"; else rm -f "$conf"; fi
    if ((had_dropin)); then cp -p "$prev_dropin" "$dropin"; else rm -f "$dropin"; fi
    die "the merged containerd config does not enable image decryption (see above); restored the previous files, containerd was not restarted"
  fi
  if ((conf_changed)); then
    if ((!had_conf)); then
      : >"$state/containerd-config.absent"
    elif ! [[ -f "$state/containerd-config.sha256" && "$(sha256sum <"$prev_conf")" == "$(cat "$state/containerd-config.sha256")" ]]; then
      backup_config "$prev_conf"
      rm -f "$state/containerd-config.absent"
    fi
    sha256sum <"$conf" >"$state/containerd-config.sha256"
  fi
}

# backups: the operator's containerd configs this script backed up, oldest first (the names sort
# by time: config.toml.coco-guest-components.<UTC nanoseconds>Z.bak).
backups() {
  local conf
  conf=$HOST_ROOT$CONTAINERD_CONFIG
  find "${conf%/*}" -maxdepth 1 -name "${conf##*/}.coco-guest-components.*Z.bak" -printf '%p\n' | sort
}

# backup_config FILE: keeps FILE (the operator's config before our edit) as a timestamped backup
# and removes all but the newest BACKUPS_KEPT.
backup_config() {
  local dest old
  dest="$HOST_ROOT$CONTAINERD_CONFIG.coco-guest-components.$(date -u +%Y%m%dT%H%M%S%NZ).bak"
  cp -p "$1" "$dest"
  log "backed up $CONTAINERD_CONFIG to ${dest#"$HOST_ROOT"}"
  while IFS= read -r old; do
    rm -f "$old"
    log "removed old backup ${old#"$HOST_ROOT"}"
  done < <(backups | head -n "-${BACKUPS_KEPT:-5}")
}

# containerd_stale: true when containerd is not running, or started before the last change of its
# config or our drop-in (e.g. an installer pod killed between writing them and the restart).
containerd_stale() {
  local started changed=0 f t
  # Unix seconds (`@1733043600`), whatever the node's time zone (systemd 248+; Ubuntu 22.04 has 249).
  started=$(host systemctl show containerd --property=ActiveEnterTimestamp --value --timestamp=unix) || return 0
  started=${started#@}
  [[ "$started" =~ ^[0-9]+$ ]] || return 0
  for f in "$CONTAINERD_CONFIG" "$CONTAINERD_DROPIN"; do
    [[ -f "$HOST_ROOT$f" ]] || continue
    t=$(stat -c %Y "$HOST_ROOT$f")
    ((t > changed)) && changed=$t
  done
  ((started < changed))
}

# --- services -------------------------------------------------------------------

# verify_payload: every file under the payload's bin/ and lib/ is listed in its SHA256SUMS with
# the right hash, nothing else is listed, and the manifest itself has the pinned sha256 (when set).
verify_payload() {
  local sums="$PAYLOAD_DIR/SHA256SUMS" actual listed present bad
  [[ -f "$sums" ]] || die "payload manifest $sums is missing: the image must list every binary and library with its sha256 (docs/guest-components.md, image contract)"
  actual=$(sha256sum <"$sums" | cut -d ' ' -f 1)
  if [[ -n "${PAYLOAD_MANIFEST_SHA256:-}" && "$actual" != "$PAYLOAD_MANIFEST_SHA256" ]]; then
    die "payload manifest $sums has sha256 $actual, not the pinned $PAYLOAD_MANIFEST_SHA256 (guestComponents.payloadManifestSha256)"
  fi
  if grep -Ev '^[0-9a-f]{64}  (bin|lib)/[A-Za-z0-9._+-]+$' "$sums" | grep -q .; then
    die "payload manifest $sums has lines other than '<sha256>  bin/<file>' or '<sha256>  lib/<file>'"
  fi
  listed=$(awk '{print $2}' "$sums" | sort)
  present=$(cd "$PAYLOAD_DIR" && find bin lib -type f 2>/dev/null | sort)
  [[ "$listed" == "$present" ]] || die "payload files and manifest differ: $(diff <(printf '%s\n' "$listed") <(printf '%s\n' "$present") | grep '^[<>]' | tr '\n' ' ')(< listed only, > present only)"
  if ! bad=$(cd "$PAYLOAD_DIR" && sha256sum --check --strict --quiet SHA256SUMS 2>&1); then
    die "payload does not match its manifest, nothing installed: $(tr '\n' ' ' <<<"$bad")"
  fi
}

# check_inputs: the image payload and the mounted Secrets, before anything is written.
check_inputs() {
  local f
  for f in "${BINARIES[@]}"; do
    [[ -x "$PAYLOAD_DIR/bin/$f" ]] || die "payload binary $PAYLOAD_DIR/bin/$f is missing"
  done
  verify_payload
  if [[ -n "${KBS_CA_FILE:-}" ]]; then
    [[ -r "$KBS_CA_FILE" ]] || die "KBS CA certificate $KBS_CA_FILE is not readable (is the Secret mounted?)"
    if ! grep -q -- '-----BEGIN CERTIFICATE-----' "$KBS_CA_FILE" || ! grep -q -- '-----END CERTIFICATE-----' "$KBS_CA_FILE"; then
      die "$KBS_CA_FILE is not a PEM certificate"
    fi
    # Only certificates: the file is pasted into a TOML literal string and must carry nothing else.
    if tr -d '\r' <"$KBS_CA_FILE" | grep -q -v -E '^(-----(BEGIN|END) CERTIFICATE-----|[A-Za-z0-9+/=]*)$'; then
      die "$KBS_CA_FILE holds more than PEM certificates"
    fi
  fi
  # DEV ONLY (set only by a dev profile): a local key file for the CDH instead of a KBS.
  if [[ -n "${OFFLINE_RESOURCES_FILE:-}" ]]; then
    [[ -n "${OFFLINE_RESOURCES_PATH:-}" ]] || die "OFFLINE_RESOURCES_FILE is set but OFFLINE_RESOURCES_PATH is not"
    [[ -r "$OFFLINE_RESOURCES_FILE" ]] || die "offline resources $OFFLINE_RESOURCES_FILE are not readable (is the Secret mounted?)"
  fi
}

# with_kbs_cert SRC KEY OUT: OUT = SRC with KEY = the PEM of KBS_CA_FILE appended; the rendered
# configs end with the table the key belongs to ([token_configs.kbs] resp. [kbc]).
with_kbs_cert() {
  local src=$1 key=$2 out=$3
  cp "$src" "$out"
  [[ -n "${KBS_CA_FILE:-}" ]] || return 0
  {
    printf '%s = '"'''"'\n' "$key"
    tr -d '\r' <"$KBS_CA_FILE"
    [[ "$(tail -c 1 "$KBS_CA_FILE")" == "" ]] || printf '\n'
    printf "'''"'\n'
  } >>"$out"
}

install_services() {
  local aa=0 cdh=0 units=0 f lib tmp
  if place "$PAYLOAD_DIR/bin/attestation-agent" "$INSTALL_PREFIX/bin/attestation-agent" 755; then aa=1; fi
  if place "$PAYLOAD_DIR/bin/confidential-data-hub" "$INSTALL_PREFIX/bin/confidential-data-hub" 755; then cdh=1; fi
  # ctd-decoder runs once per layer: nothing to restart.
  place "$PAYLOAD_DIR/bin/ctd-decoder" "$INSTALL_PREFIX/bin/ctd-decoder" 755 || true
  # Shared libraries of AA and CDH (TPM stack) from the image, found through LD_LIBRARY_PATH.
  mkdir -p "$HOST_ROOT$INSTALL_PREFIX/lib"
  for lib in "$PAYLOAD_DIR"/lib/*; do
    [[ -f "$lib" ]] || continue
    if place "$lib" "$INSTALL_PREFIX/lib/${lib##*/}" 644; then aa=1 cdh=1; fi
  done
  for lib in "$HOST_ROOT$INSTALL_PREFIX/lib"/*; do
    [[ -f "$lib" && ! -e "$PAYLOAD_DIR/lib/${lib##*/}" ]] || continue
    rm -f "$lib"
    log "removed stale $INSTALL_PREFIX/lib/${lib##*/}"
    aa=1 cdh=1
  done

  newtmp tmp "$STATE_DIR" aa-config
  with_kbs_cert "$CONFIG_DIR/attestation-agent.toml" cert "$tmp"
  if place "$tmp" "$ETC_DIR/attestation-agent.toml" 644; then aa=1; fi
  newtmp tmp "$STATE_DIR" cdh-config
  with_kbs_cert "$CONFIG_DIR/confidential-data-hub.toml" kbs_cert "$tmp"
  if place "$tmp" "$ETC_DIR/confidential-data-hub.toml" 644; then cdh=1; fi
  # Read by ctd-decoder on every layer.
  place "$CONFIG_DIR/ocicrypt_keyprovider.conf" "$ETC_DIR/ocicrypt_keyprovider.conf" 644 || true
  if [[ -n "${OFFLINE_RESOURCES_FILE:-}" ]]; then
    if place "$OFFLINE_RESOURCES_FILE" "$OFFLINE_RESOURCES_PATH" 600; then cdh=1; fi
    printf '%s\n' "$OFFLINE_RESOURCES_PATH" >"$HOST_ROOT$ETC_DIR/installer-state/offline-resources"
  fi
  # containerd's decoders are called with --decryption-keys-path, which must exist (may be empty).
  if ! [[ -d "$HOST_ROOT$DECRYPTION_KEYS_DIR" ]]; then
    mkdir_tracked "$DECRYPTION_KEYS_DIR" created-keys-dir
    chmod 700 "$HOST_ROOT$DECRYPTION_KEYS_DIR"
  fi

  if place "$CONFIG_DIR/$AA_UNIT" "$UNIT_DIR/$AA_UNIT" 644; then units=1 aa=1; fi
  if place "$CONFIG_DIR/$CDH_UNIT" "$UNIT_DIR/$CDH_UNIT" 644; then units=1 cdh=1; fi
  if ((units)); then
    host systemctl daemon-reload
    host systemctl enable "$AA_UNIT" "$CDH_UNIT"
  fi
  # CDH Requires= AA, so restarting AA restarts CDH too (it must: CDH keeps its AA connection).
  if ((aa)); then
    log "restarting $AA_UNIT and $CDH_UNIT"
    host systemctl restart "$AA_UNIT" "$CDH_UNIT"
  elif ((cdh)); then
    log "restarting $CDH_UNIT"
    host systemctl restart "$CDH_UNIT"
  else
    for f in "$AA_UNIT" "$CDH_UNIT"; do
      if ! host systemctl is-active --quiet "$f"; then
        log "starting $f (it was not active)"
        host systemctl start "$f"
      fi
    done
  fi
}

install() {
  require_env
  check_containerd
  mkdir -p "$STATE_DIR"
  # Everything that can refuse runs before the first write to the node.
  check_inputs
  prepare_containerd_config
  mkdir -p "$HOST_ROOT$ETC_DIR/installer-state"
  install_services
  CONTAINERD_CHANGED=0
  apply_containerd_config
  if ((CONTAINERD_CHANGED)); then
    log "restarting containerd (its config changed; running containers keep running)"
    host systemctl restart containerd
  elif containerd_stale; then
    log "restarting containerd (it runs a config older than its files; running containers keep running)"
    host systemctl restart containerd
  else
    log "containerd config unchanged"
  fi
  log "install complete"
}

# --- uninstall -------------------------------------------------------------------

uninstall() {
  require_env
  mkdir -p "$STATE_DIR"
  local conf dropin state restart=0 f newest
  conf=$HOST_ROOT$CONTAINERD_CONFIG
  dropin=$HOST_ROOT$CONTAINERD_DROPIN
  state=$HOST_ROOT$ETC_DIR/installer-state
  # Check before changing anything: never restore over edits made after the install.
  if [[ -f "$state/containerd-config.sha256" && -f "$conf" ]] &&
    [[ "$(sha256sum <"$conf")" != "$(cat "$state/containerd-config.sha256")" ]]; then
    die "$CONTAINERD_CONFIG changed after the install; nothing was uninstalled. Remove the import of $CONTAINERD_DROPIN by hand (the pre-install file is the newest $CONTAINERD_CONFIG.coco-guest-components.*.bak) and delete $ETC_DIR/installer-state/containerd-config.sha256"
  fi
  if [[ -f "$state/containerd-config.sha256" ]]; then
    if [[ -f "$state/containerd-config.absent" ]]; then
      rm -f "$conf"
      log "removed $CONTAINERD_CONFIG (there was none before the install)"
    else
      newest=$(backups | tail -n 1)
      [[ -n "$newest" ]] || die "no backup $CONTAINERD_CONFIG.coco-guest-components.*.bak to restore"
      mv -f "$newest" "$conf"
      log "restored $CONTAINERD_CONFIG from its backup ${newest#"$HOST_ROOT"}"
    fi
    restart=1
  fi
  if [[ -e "$dropin" ]]; then
    rm -f "$dropin"
    log "removed $CONTAINERD_DROPIN"
    restart=1
  fi

  local present=()
  for f in "$AA_UNIT" "$CDH_UNIT"; do
    [[ -e "$HOST_ROOT$UNIT_DIR/$f" ]] && present+=("$f")
  done
  if ((${#present[@]} > 0)); then
    host systemctl disable --now "${present[@]}"
    for f in "${present[@]}"; do rm -f "$HOST_ROOT$UNIT_DIR/$f"; done
    host systemctl daemon-reload
    log "removed ${present[*]}"
  fi
  if [[ -f "$state/offline-resources" ]]; then
    f=$HOST_ROOT$(<"$state/offline-resources")
    # A file the DaemonSet bind-mounts cannot be removed from inside the pod: empty it instead.
    rm -f "$f" 2>/dev/null || : >"$f"
  fi
  rmdir_tracked "$DECRYPTION_KEYS_DIR" created-keys-dir
  rmdir_tracked "${CONTAINERD_DROPIN%/*}" created-drop-in-dir
  # The install dir is a hostPath mount of this pod: empty it (the folder itself stays, as the
  # kubelet created it).
  if [[ -d "$HOST_ROOT$INSTALL_PREFIX" ]]; then find "$HOST_ROOT$INSTALL_PREFIX" -mindepth 1 -delete; fi
  if ((restart)); then
    log "restarting containerd (its config changed)"
    host systemctl restart containerd
  fi
  log "uninstall complete"
}

# --- pod lifecycle ------------------------------------------------------------------

wait_forever() {
  trap 'exit 0' TERM INT
  sleep infinity &
  wait $!
}

probe() {
  require_env
  [[ -f "$STATE_DIR/installed" ]] || die "not ready: the install has not finished"
  host systemctl is-active --quiet "$AA_UNIT" "$CDH_UNIT" || die "not ready: $AA_UNIT or $CDH_UNIT is not active"
  socat -u OPEN:/dev/null "UNIX-CONNECT:$HOST_ROOT$AA_SOCKET" ||
    die "not ready: attestation-agent does not answer on $AA_SOCKET"
  # The key provider listens on the host's loopback: connect from the host network namespace.
  nsenter --target 1 --net -- socat -u OPEN:/dev/null "TCP:$KEY_PROVIDER_ADDRESS,connect-timeout=3" ||
    die "not ready: confidential-data-hub does not answer on $KEY_PROVIDER_ADDRESS"
  ! containerd_stale || die "not ready: containerd runs a config older than $CONTAINERD_CONFIG or $CONTAINERD_DROPIN (the next installer run restarts it)"
}

main() {
  case "${1:-}" in
    install) install ;;
    uninstall) uninstall ;;
    run)
      rm -f "${STATE_DIR:?}/installed"
      install
      : >"$STATE_DIR/installed"
      wait_forever
      ;;
    run-uninstall)
      rm -f "${STATE_DIR:?}/uninstalled"
      uninstall
      : >"$STATE_DIR/uninstalled"
      wait_forever
      ;;
    probe) probe ;;
    probe-uninstalled) [[ -f "${STATE_DIR:?}/uninstalled" ]] || die "not ready: the uninstall has not finished" ;;
    *)
      sed -n '/^# Usage:/,/^# Exit codes/p' "$0" >&2
      exit 2
      ;;
  esac
}

main "$@"
