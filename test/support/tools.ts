// Finds the real external tools the tests run (installed by
// scripts/install-tools.sh) and runs them. A missing tool is an error, never a
// skip: a test that needs one fails loudly with how to install it.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export type ToolName = 'helm' | 'opa' | 'shellcheck' | 'cloud-init' | 'containerd' | 'systemd-analyze' | 'busybox' | 'curl' | 'openssl' | 'jq' | 'kubeadm' | 'socat';

export interface RunOptions {
  cwd?: string;
  input?: string;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export { repoRoot } from '../../src/shared/repo-files';
import { repoRoot } from '../../src/shared/repo-files';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const found = new Map<ToolName, string>();

/** Absolute path of `name`: `<repo>/.tools/bin` first, then PATH. Throws when missing. */
export function tool(name: ToolName): string {
  const cached = found.get(name);
  if (cached !== undefined) return cached;
  const dirs = [join(repoRoot(), '.tools', 'bin'), ...(process.env.PATH ?? '').split(delimiter)];
  for (const dir of dirs) {
    // Relative PATH entries would depend on the test's cwd: ignore them.
    if (!dir.startsWith('/')) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) {
      found.set(name, candidate);
      return candidate;
    }
  }
  throw new Error(`${name} not found: run scripts/install-tools.sh`);
}

/** Runs `name` with `args` (no shell) and returns its exit code and output. */
export function run(name: ToolName, args: string[], opts: RunOptions = {}): RunResult {
  const path = tool(name);
  const result = spawnSync(path, args, {
    cwd: opts.cwd,
    input: opts.input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 120_000,
  });
  if (result.error) throw new Error(`${name} ${args.join(' ')}: ${result.error.message}`);
  if (result.status === null) {
    throw new Error(`${name} ${args.join(' ')}: killed by ${result.signal ?? 'unknown signal'}\n${result.stderr}`);
  }
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
