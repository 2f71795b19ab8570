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

/** One reference value to register in the RVPS: its id and the accepted values. */
export interface ProvisionedReferenceValue {
  readonly id: string;
  readonly values: readonly string[];
}

/**
 * `reference-values.txt`: one RVPS message per line, as kbs-client's set_sample_rv sends it to
 * POST /kbs/v0/reference-value (tools/kbs-client/src/lib.rs at v0.21.0): version 0.1.0, type
 * `sample` (the built-in RVPS always registers that extractor, rvps/src/extractors/mod.rs) and the
 * provenance `{id: [values]}` in standard base64. The values are public measurements, not secrets.
 */
export function renderReferenceValues(values: readonly ProvisionedReferenceValue[]): string {
  return values
    .map((rv) => {
      const payload = Buffer.from(JSON.stringify({ [rv.id]: [...rv.values] }), 'utf8').toString('base64');
      return `${JSON.stringify({ version: '0.1.0', type: 'sample', payload })}\n`;
    })
    .join('');
}

/**
 * Registers the reference values and uploads the two policies (policy role), then every resource
 * (resource role), through the Trustee v0.21 admin HTTP API: the
 * requests kbs-client sends (tools/kbs-client/src/lib.rs at v0.21.0): POST reference-value with
 * the RVPS message, POST attestation-policy and resource-policy with base64url (no padding) Rego in
 * JSON, POST resource/<path> with the raw bytes. Each admin token must be short-lived: the script
 * refuses one without iat and exp, living longer than MAX_TOKEN_SECONDS, or expired.
 */
export const PROVISION_SCRIPT = `#!/bin/sh
# Registers the reference values and uploads the KBS policies and resources through the admin HTTP
# API of Trustee v0.21, each with the token of its role. Idempotent: every request stores the same
# bytes again. Every input is checked first, so a missing Secret or an unusable token fails the Job
# before anything is uploaded. Variables are set by the Job.
set -eu

: "\${KBS_URL:?}" "\${NAMESPACE:?}" "\${POLICY_TOKEN_SECRET:?}" "\${POLICY_TOKEN_FILE:?}" "\${RESOURCE_TOKEN_SECRET:?}" "\${RESOURCE_TOKEN_FILE:?}"
: "\${MAX_TOKEN_SECONDS:?}" "\${POLICY_DIR:?}" "\${ATTESTATION_POLICY_ID:?}" "\${RESOURCES_FILE:?}" "\${REFERENCE_VALUES_FILE:?}" "\${RESOURCE_DIR:?}" "\${WORK_DIR:?}"
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

# A numeric claim of a JWT (base64url JSON payload); empty when absent.
claim() { # TOKEN-FILE NAME
	payload=$(tr -d ' \\r\\n' <"$1" | cut -d . -f 2 | tr '_-' '/+')
	case $((\${#payload} % 4)) in
	2) payload="$payload==" ;;
	3) payload="$payload=" ;;
	esac
	printf '%s' "$payload" | base64 -d 2>/dev/null | tr -d ' \\n' | sed -n "s/.*\\"$2\\":\\([0-9][0-9]*\\).*/\\1/p"
}

# Short-lived tokens only: a leaked one stops working soon (docs/kbs.md, rotation).
check_token() { # TOKEN-FILE SECRET
	[ -s "$1" ] || return 0
	iat=$(claim "$1" iat)
	exp=$(claim "$1" exp)
	if [ -z "$iat" ] || [ -z "$exp" ]; then
		printf 'kbs-provision: admin token in Secret %s/%s has no iat and exp: mint a short-lived token (docs/kbs.md)\\n' "$NAMESPACE" "$2" >&2
		missing=1
	elif [ $((exp - iat)) -gt "$MAX_TOKEN_SECONDS" ]; then
		printf 'kbs-provision: admin token in Secret %s/%s lives %ss, longer than kbs.admin.maxTokenHours (%ss): mint a shorter one\\n' "$NAMESPACE" "$2" $((exp - iat)) "$MAX_TOKEN_SECONDS" >&2
		missing=1
	elif [ "$exp" -le "$(date +%s)" ]; then
		printf 'kbs-provision: admin token in Secret %s/%s has expired: mint a new one (docs/kbs.md)\\n' "$NAMESPACE" "$2" >&2
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
need "$POLICY_TOKEN_FILE" "policy admin token: Secret $NAMESPACE/$POLICY_TOKEN_SECRET, key token"
need "$RESOURCE_TOKEN_FILE" "resource admin token: Secret $NAMESPACE/$RESOURCE_TOKEN_SECRET, key token"
check_token "$POLICY_TOKEN_FILE" "$POLICY_TOKEN_SECRET"
check_token "$RESOURCE_TOKEN_FILE" "$RESOURCE_TOKEN_SECRET"
need "$POLICY_DIR/resource-policy.rego" "resource policy: ConfigMap $NAMESPACE/kbs-policies"
need "$POLICY_DIR/attestation-policy.rego" "attestation policy: ConfigMap $NAMESPACE/kbs-policies"
count=0
while read -r path secret key; do
	[ -n "$path" ] || continue
	need "$RESOURCE_DIR/$secret/$key" "resource $path: Secret $NAMESPACE/$secret, key $key"
	count=$((count + 1))
done <"$RESOURCES_FILE"
[ "$missing" -eq 0 ] || fail "nothing uploaded: create the missing Secrets (docs/kbs.md), then sync again"

# The tokens go into header files, not onto curl's command line.
printf 'Authorization: Bearer %s\\n' "$(tr -d ' \\r\\n' <"$POLICY_TOKEN_FILE")" >"$WORK_DIR/auth-policies"
printf 'Authorization: Bearer %s\\n' "$(tr -d ' \\r\\n' <"$RESOURCE_TOKEN_FILE")" >"$WORK_DIR/auth-resources"

post() { # API-PATH ROLE CONTENT-TYPE BODY-FILE
	api=$1
	role=$2
	type=$3
	body=$4
	set -- --silent --show-error --fail-with-body --retry 5 --retry-connrefused --retry-delay 2 --max-time 60 \\
		--header "@$WORK_DIR/auth-$role" --header "Content-Type: $type" --data-binary "@$body" --output "$WORK_DIR/response"
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

# Reference values first: the attestation policy that appraises against them comes next, and the
# resource policy that relies on that appraisal last.
values=0
while IFS= read -r message; do
	[ -n "$message" ] || continue
	printf '%s' "$message" >"$WORK_DIR/reference-value.json"
	post reference-value policies application/json "$WORK_DIR/reference-value.json"
	values=$((values + 1))
done <"$REFERENCE_VALUES_FILE"
printf '{"type":"rego","policy_id":"%s","policy":"%s"}' "$ATTESTATION_POLICY_ID" "$(b64url "$POLICY_DIR/attestation-policy.rego")" >"$WORK_DIR/attestation-policy.json"
post attestation-policy policies application/json "$WORK_DIR/attestation-policy.json"
printf '{"policy":"%s"}' "$(b64url "$POLICY_DIR/resource-policy.rego")" >"$WORK_DIR/resource-policy.json"
post resource-policy policies application/json "$WORK_DIR/resource-policy.json"
while read -r path secret key; do
	[ -n "$path" ] || continue
	post "resource/$path" resources application/octet-stream "$RESOURCE_DIR/$secret/$key"
done <"$RESOURCES_FILE"
printf 'kbs-provision: stored %s reference values, 2 policies and %s resources\\n' "$values" "$count"
`;
