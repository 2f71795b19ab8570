/**
 * How values appear in the report: an initdata annotation is its digest (what the KBS sees), not
 * three kilobytes of base64; other long values are their size.
 */
import { createHash } from 'node:crypto';
import { AGENT_POLICY_ANNOTATION } from './agent-policy';
import { decodeInitdata, initdataDigest, INITDATA_ANNOTATION } from './initdata';

/** Values up to this length are shown as they are. */
const SHOWN_LENGTH = 80;

export function reportValue(key: string, value: unknown): string {
  if (typeof value !== 'string') return JSON.stringify(value) ?? String(value);
  if (key === INITDATA_ANNOTATION) {
    const toml = decodeInitdata(value);
    return toml === undefined ? `${value.length} characters that are not gzip+base64 initdata` : `digest ${initdataDigest(toml)}`;
  }
  if (key === AGENT_POLICY_ANNOTATION) return `a policy of ${Buffer.from(value, 'base64').length} bytes`;
  if (value.length <= SHOWN_LENGTH) return JSON.stringify(value);
  return `${value.length} characters (sha256:${createHash('sha256').update(value).digest('hex').slice(0, 16)}...)`;
}
