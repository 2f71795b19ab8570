#!/usr/bin/env bash
# Lays out the installer image's payload from binaries built or pulled elsewhere, and writes its
# manifest: assemble-payload.sh OUT AA CDH CTD_DECODER [LIB...]
#   OUT          the folder that becomes /payload in the image (created; must not exist)
#   AA           the ttrpc attestation-agent with the Azure vTPM attesters
#   CDH          the gRPC confidential-data-hub (grpc-cdh)
#   CTD_DECODER  imgcrypt's ctd-decoder
#   LIB...       the shared libraries AA and CDH need from the image (libtss2-*, ...)
# The installer refuses any payload whose files differ from OUT/SHA256SUMS; the manifest's own
# sha256, printed last, is what guestComponents.payloadManifestSha256 pins.
set -euo pipefail
if (($# < 4)); then
  sed -n '2,9p' "$0" >&2
  exit 2
fi
out=$1 aa=$2 cdh=$3 ctd=$4
shift 4
[[ ! -e "$out" ]] || { echo "assemble-payload: $out exists" >&2; exit 2; }
for f in "$aa" "$cdh" "$ctd" "$@"; do
  [[ -f "$f" ]] || { echo "assemble-payload: $f is not a file" >&2; exit 2; }
done
mkdir -p "$out/bin" "$out/lib"
install -m 0755 "$aa" "$out/bin/attestation-agent"
install -m 0755 "$cdh" "$out/bin/confidential-data-hub"
install -m 0755 "$ctd" "$out/bin/ctd-decoder"
for lib in "$@"; do install -m 0644 "$lib" "$out/lib/$(basename "$lib")"; done
(cd "$out" && find bin lib -type f | LC_ALL=C sort | xargs sha256sum) >"$out/SHA256SUMS"
sha256sum <"$out/SHA256SUMS" | cut -d ' ' -f 1
