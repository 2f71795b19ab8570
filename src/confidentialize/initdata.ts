/**
 * Initdata: the TOML document Kata hands to the guest through the pod annotation
 * `io.katacontainers.config.hypervisor.cc_init_data` (gzip, then base64). The agent writes
 * `aa.toml` and `cdh.toml` as the attestation-agent and confidential-data-hub configs and enforces
 * `policy.rego` as the agent policy from boot (Kata 4.0.0 src/agent/src/initdata.rs). Its digest is
 * bound into the TEE evidence, so the KBS can tell which configuration a guest started with.
 * @see https://github.com/confidential-containers/trustee/blob/main/kbs/docs/initdata.md
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { parse } from 'smol-toml';
import { VERSIONS } from '../shared/versions';
import { gzipStored } from './gzip';

export const INITDATA_ANNOTATION = 'io.katacontainers.config.hypervisor.cc_init_data';

export interface InitdataProps {
  /**
   * KBS base URL for the guest's attestation agent (`[token_configs.kbs] url`) and CDH
   * (`[kbc] name = "cc_kbc"`, `url`). Absent: no aa.toml/cdh.toml (no KBS in this environment).
   */
  readonly kbsUrl?: string;
  /** PEM certificate the guest trusts for an HTTPS KBS (aa.toml `cert`, cdh.toml `kbs_cert`). @default none: public CAs only */
  readonly kbsCertificate?: string;
  /** Agent policy Rego (`package agent_policy`), enforced from boot; the host cannot replace it. */
  readonly policy: string;
  /**
   * Digest algorithm the guest uses over the document (one of Kata's supported three).
   * @default sha256
   */
  readonly algorithm?: 'sha256' | 'sha384' | 'sha512';
}

/** `[token_configs.kbs]` of the attestation agent (guest-components v0.21.0 config/kbs.rs). */
export function aaToml(kbsUrl: string, certificate?: string): string {
  return `[token_configs.kbs]\nurl = ${basicString(kbsUrl)}\n${certificate ? `cert = ${multiline(certificate)}\n` : ''}`;
}

/** `[kbc]` of the confidential data hub (guest-components v0.21.0 confidential-data-hub/hub/src/config.rs). */
export function cdhToml(kbsUrl: string, certificate?: string): string {
  return `[kbc]\nname = "cc_kbc"\nurl = ${basicString(kbsUrl)}\n${certificate ? `kbs_cert = ${multiline(certificate)}\n` : ''}`;
}

/** The initdata TOML, with the embedded files as literal multi-line strings so a decoded annotation reads like the files themselves. */
export function renderInitdata(props: InitdataProps): string {
  const data: [string, string][] = [];
  if (props.kbsUrl !== undefined) {
    data.push(['aa.toml', aaToml(props.kbsUrl, props.kbsCertificate)], ['cdh.toml', cdhToml(props.kbsUrl, props.kbsCertificate)]);
  }
  data.push(['policy.rego', props.policy]);
  const text = [
    `version = ${basicString(VERSIONS.initdata)}`,
    `algorithm = ${basicString(props.algorithm ?? 'sha256')}`,
    '',
    '[data]',
    ...data.map(([key, value]) => `${basicString(key)} = '''\n${literal(key, value)}'''`),
    '',
  ].join('\n');
  // The document is written by hand for readability; prove it parses back to exactly the inputs.
  const parsed = parse(text) as { data?: Record<string, string> };
  for (const [key, value] of data) {
    if (parsed.data?.[key] !== value) throw new Error(`initdata: ${key} does not round-trip through TOML`);
  }
  return text;
}

/** The annotation value: gzip (stored blocks, see gzip.ts) then base64, as Kata expects. */
export function encodeInitdata(toml: string): string {
  return gzipStored(Buffer.from(toml, 'utf8')).toString('base64');
}

/**
 * The digest of an initdata document as the guest computes it (over the TOML text, with the
 * document's `algorithm`) and the KBS sees it in the evidence: `sha256:<hex>`.
 */
export function initdataDigest(toml: string): string {
  const algorithm = /^algorithm = "(sha256|sha384|sha512)"$/m.exec(toml)?.[1] ?? 'sha256';
  return `${algorithm}:${createHash(algorithm).update(toml, 'utf8').digest('hex')}`;
}

/** The TOML inside an annotation value (base64, then gzip); undefined when it is not one. */
export function decodeInitdata(value: string): string | undefined {
  try {
    return gunzipSync(Buffer.from(value, 'base64')).toString('utf8');
  } catch {
    return undefined;
  }
}

/** A TOML basic string; JSON escaping is a subset TOML accepts for the characters we emit. */
function basicString(value: string): string {
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new Error(`initdata: control character in ${JSON.stringify(value)}`);
  return JSON.stringify(value);
}

/** A PEM inside aa.toml/cdh.toml, which are themselves inside a ''' string: a """ basic string (PEM has no quotes or backslashes). */
function multiline(pem: string): string {
  if (!/^[-A-Za-z0-9+/= \n]+$/.test(pem)) throw new Error('initdata: the KBS certificate is not plain PEM');
  return `"""\n${pem.endsWith('\n') ? pem : `${pem}\n`}"""`;
}

/** Content of a `'''` literal string: no escapes exist there, so refuse what cannot be expressed. */
function literal(key: string, value: string): string {
  if (value.includes("'''")) throw new Error(`initdata: ${key} contains ''' and cannot be a TOML literal string`);
  // TOML drops the newline right after the opening ''' and keeps everything else verbatim.
  return value;
}
