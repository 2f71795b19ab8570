/**
 * The provisioning Job's script and its resource list. The script is static (POSIX sh for the
 * busybox shell of the curl image) and takes everything environment-specific from variables the
 * Job sets and from the list; test/kbs-provision.test.ts runs it with busybox and curl against a
 * fake admin API.
 */

/** A resource to upload: KBS path and where its bytes are mounted. */
export interface ProvisionedResource {
  /** KBS resource path `repo/type/tag`. */
  readonly path: string;
  /** Secret holding the bytes (mounted at `<RESOURCE_DIR>/<secretName>/`). */
  readonly secretName: string;
  readonly secretKey: string;
}

/** `resources.txt`: one `<path> <secret> <key>` line per resource (the schema forbids spaces in all three). */
export function renderResourceList(resources: readonly ProvisionedResource[]): string {
  return resources.map((r) => `${r.path} ${r.secretName} ${r.secretKey}\n`).join('');
}

/**
 * Uploads the two policies, then every resource, through the Trustee v0.21 admin HTTP API: the
 * requests kbs-client sends (tools/kbs-client/src/lib.rs at v0.21.0): POST resource-policy and
 * attestation-policy with base64url (no padding) Rego in JSON, POST resource/<path> with the raw bytes.
 */
export const PROVISION_SCRIPT = `#!/bin/sh
# Uploads the KBS policies and resources through the admin HTTP API of Trustee v0.21.
# Idempotent: every request stores the same bytes again. Every input is checked first, so a
# missing Secret fails the Job before anything is uploaded. Variables are set by the Job.
set -eu

: "\${KBS_URL:?}" "\${NAMESPACE:?}" "\${ADMIN_TOKEN_SECRET:?}" "\${TOKEN_FILE:?}"
: "\${POLICY_DIR:?}" "\${ATTESTATION_POLICY_ID:?}" "\${RESOURCES_FILE:?}" "\${RESOURCE_DIR:?}" "\${WORK_DIR:?}"
TLS_DIR=\${TLS_DIR:-}
TLS_SECRET=\${TLS_SECRET:-}

fail() {
	printf 'kbs-provision: %s\\n' "$*" >&2
	exit 1
}

missing=0
need() { # FILE DESCRIPTION
	if [ ! -s "$1" ]; then
		printf 'kbs-provision: missing %s\\n' "$2" >&2
		missing=1
	fi
}

# HTTPS: trust the CA of the KBS certificate (ca.crt), or the certificate itself when self-signed.
CA_FILE=
if [ -n "$TLS_DIR" ]; then
	CA_FILE=$TLS_DIR/ca.crt
	[ -s "$CA_FILE" ] || CA_FILE=$TLS_DIR/tls.crt
	need "$CA_FILE" "KBS certificate: Secret $NAMESPACE/$TLS_SECRET, key tls.crt"
fi
need "$TOKEN_FILE" "admin token: Secret $NAMESPACE/$ADMIN_TOKEN_SECRET, key token"
need "$POLICY_DIR/resource-policy.rego" "resource policy: ConfigMap $NAMESPACE/kbs-policies"
need "$POLICY_DIR/attestation-policy.rego" "attestation policy: ConfigMap $NAMESPACE/kbs-policies"
count=0
while read -r path secret key; do
	[ -n "$path" ] || continue
	need "$RESOURCE_DIR/$secret/$key" "resource $path: Secret $NAMESPACE/$secret, key $key"
	count=$((count + 1))
done <"$RESOURCES_FILE"
[ "$missing" -eq 0 ] || fail "nothing uploaded: create the missing Secrets (docs/kbs.md), then sync again"

# The token goes into a header file, not onto curl's command line.
printf 'Authorization: Bearer %s\\n' "$(tr -d ' \\r\\n' <"$TOKEN_FILE")" >"$WORK_DIR/auth"

post() { # API-PATH CONTENT-TYPE BODY-FILE
	api=$1
	type=$2
	body=$3
	set -- --silent --show-error --fail-with-body --retry 5 --retry-connrefused --retry-delay 2 --max-time 60 \\
		--header "@$WORK_DIR/auth" --header "Content-Type: $type" --data-binary "@$body" --output "$WORK_DIR/response"
	if [ -n "$CA_FILE" ]; then set -- "$@" --cacert "$CA_FILE"; fi
	if ! curl "$@" "$KBS_URL/kbs/v0/$api" </dev/null; then
		printf 'kbs-provision: KBS answered: %s\\n' "$(cat "$WORK_DIR/response" 2>/dev/null)" >&2
		fail "POST /kbs/v0/$api failed"
	fi
	printf 'kbs-provision: POST /kbs/v0/%s: ok\\n' "$api"
}

# KBS may still be starting (a first sync, or \`helm install\`, which runs this hook right after it
# created KBS): wait for /healthz, which answers without authentication, before the first request.
# Only "not up yet" is waited out (refused connection, timeout, HTTP error, reset); anything else,
# such as a certificate the CA does not vouch for, goes on to the requests, which report it.
wait_ready() {
	deadline=$(($(date +%s) + \${KBS_WAIT_SECONDS:-300}))
	set -- --silent --fail --output /dev/null --max-time 5
	if [ -n "$CA_FILE" ]; then set -- "$@" --cacert "$CA_FILE"; fi
	while :; do
		rc=0
		curl "$@" "$KBS_URL/healthz" </dev/null || rc=$?
		case $rc in
		0) return 0 ;;
		7 | 22 | 28 | 52 | 56) ;;
		*) return 0 ;;
		esac
		[ "$(date +%s)" -lt "$deadline" ] || fail "KBS at $KBS_URL did not answer /healthz within \${KBS_WAIT_SECONDS:-300}s"
		sleep 2
	done
}
wait_ready

# base64url without padding, as KBS decodes policies.
b64url() {
	base64 -w 0 "$1" | tr '+/' '-_' | tr -d '='
}

printf '{"policy":"%s"}' "$(b64url "$POLICY_DIR/resource-policy.rego")" >"$WORK_DIR/resource-policy.json"
post resource-policy application/json "$WORK_DIR/resource-policy.json"
printf '{"type":"rego","policy_id":"%s","policy":"%s"}' "$ATTESTATION_POLICY_ID" "$(b64url "$POLICY_DIR/attestation-policy.rego")" >"$WORK_DIR/attestation-policy.json"
post attestation-policy application/json "$WORK_DIR/attestation-policy.json"
while read -r path secret key; do
	[ -n "$path" ] || continue
	post "resource/$path" application/octet-stream "$RESOURCE_DIR/$secret/$key"
done <"$RESOURCES_FILE"
printf 'kbs-provision: stored 2 policies and %s resources\\n' "$count"
`;
