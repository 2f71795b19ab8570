/**
 * Last line of defence for "no secret value in dist/, charts/ or Terraform JSON": scans every
 * rendered file for key-like material. Secrets must be references (Secret names, Key Vault names).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listFiles } from './files';

export interface SecretFinding {
  /** Path relative to the scanned folder. */
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

const PATTERNS: readonly { re: RegExp; what: string }[] = [
  { re: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/, what: 'a PEM private key' },
  { re: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, what: 'a signed JWT' },
  { re: /AccountKey=[A-Za-z0-9+/]{20,}/, what: 'an Azure storage account key' },
  // 32-byte keys (base64, 44 chars) next to a KBS resource path, as in offline_fs_kbc key files.
  { re: /(image_key|\/key\/)[^\n]{0,80}?["':\s]([A-Za-z0-9+/]{43}=)/, what: 'a base64 32-byte key next to a KBS resource path' },
  { re: /"(admin_password|password|client_secret)"\s*:\s*"(?!\$\{)[^"]+"/, what: 'a literal password in Terraform' },
];

export function scanForSecrets(dir: string): SecretFinding[] {
  const findings: SecretFinding[] = [];
  for (const file of listFiles(dir)) {
    const lines = readFileSync(join(dir, file), 'utf8').split('\n');
    lines.forEach((text, i) => {
      for (const { re, what } of PATTERNS) {
        if (re.test(text)) findings.push({ file, line: i + 1, message: `found ${what}; reference a Secret or Key Vault item instead` });
      }
    });
  }
  return findings;
}
