// Decodes the Kata annotations the bundle and `confidentialize` write, the way Kata does:
// base64 -> gunzip -> TOML (initdata), base64 -> Rego (legacy agent policy).
import { gunzipSync } from 'node:zlib';
import { parse } from 'smol-toml';

export interface DecodedInitdata {
  readonly version: string;
  readonly algorithm: string;
  readonly data: Record<string, string>;
  /** aa.toml / cdh.toml parsed as TOML themselves (absent when not in initdata). */
  readonly aa?: Record<string, unknown>;
  readonly cdh?: Record<string, unknown>;
  readonly policy?: string;
}

/** Strict base64 (what Kata's decoder accepts): no whitespace, correct padding. */
export function strictBase64(value: string): Buffer {
  expect(value).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
  const bytes = Buffer.from(value, 'base64');
  expect(bytes.toString('base64')).toBe(value);
  return bytes;
}

export function decodeInitdata(value: string): DecodedInitdata {
  const toml = gunzipSync(strictBase64(value)).toString('utf8');
  const doc = parse(toml) as { version: string; algorithm: string; data: Record<string, string> };
  return {
    version: doc.version,
    algorithm: doc.algorithm,
    data: doc.data,
    ...(doc.data['aa.toml'] !== undefined ? { aa: parse(doc.data['aa.toml']) as Record<string, unknown> } : {}),
    ...(doc.data['cdh.toml'] !== undefined ? { cdh: parse(doc.data['cdh.toml']) as Record<string, unknown> } : {}),
    ...(doc.data['policy.rego'] !== undefined ? { policy: doc.data['policy.rego'] } : {}),
  };
}

export function decodePolicyAnnotation(value: string): string {
  return strictBase64(value).toString('utf8');
}
