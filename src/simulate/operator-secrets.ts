/**
 * The operator's part before the first sync, done the way the docs prescribe: the key and
 * certificate recipes of docs/kbs.md (`# docs-test: <name>` blocks) run with the real openssl, then
 * every documented `kubectl create namespace` / `kubectl -n <ns> create secret ...` command for a
 * Secret this environment references, run with the real kubectl against the simulated cluster.
 * A Secret the bundle needs but the docs do not create stays missing, and the simulation says so.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '../shared/repo-files';
import { binary } from './binaries';

/** Docs whose shell blocks hold operator commands. */
export const OPERATOR_DOCS = ['docs/kbs.md', 'docs/guest-components.md', 'docs/workloads.md', 'docs/peer-pods.md'];

/** Recipes that make the files the kubectl commands read. */
const RECIPES = ['admin-key', 'admin-token', 'tls', 'token-signer'];

export interface SecretRef {
  readonly namespace: string;
  readonly name: string;
}

/** Fenced `sh` blocks of the docs, with backslash continuations joined. */
function shellBlocks(root: string): string[] {
  return OPERATOR_DOCS.flatMap((doc) => {
    let text = '';
    try {
      text = readFileSync(join(root, doc), 'utf8');
    } catch {
      return [];
    }
    return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1].replace(/\\\n\s*/g, ' '));
  });
}

const SECRET_LINE = /^kubectl -n (\S+) create secret \S+ (\S+)( |$)/;
const NAMESPACE_LINE = /^kubectl create namespace (\S+)\s*$/;

/**
 * A documented kubectl line, preceded by stand-ins for input files no recipe made: the operator's
 * own data (an image key, a password), 32 random bytes here since only its presence matters.
 */
function withInputs(line: string): string[] {
  const inputs = [...line.matchAll(/--from-file=(?:[^=\s]+=)?(\S+)/g)].map((m) => m[1]);
  return [...inputs.map((f) => `[ -e '${f}' ] || head -c 32 /dev/urandom >'${f}'`), line];
}

/** The shell script that creates `secrets` as documented, and the Secrets no doc creates. */
export function operatorScript(secrets: readonly SecretRef[], root = repoRoot()): { script: string; undocumented: SecretRef[] } {
  const blocks = shellBlocks(root);
  const wanted = (ns: string, name: string) => secrets.some((s) => s.namespace === ns && s.name === name);
  const namespaces = new Set(secrets.map((s) => s.namespace));
  const lines: string[] = [];
  for (const recipe of RECIPES) {
    const block = blocks.find((b) => b.startsWith(`# docs-test: ${recipe}\n`));
    if (block) lines.push(block);
  }
  const documented = new Set<string>();
  for (const block of blocks.filter((b) => !b.startsWith('# docs-test: '))) {
    const kept = block.split('\n').filter((line) => {
      const secret = SECRET_LINE.exec(line);
      if (secret) {
        if (!wanted(secret[1], secret[2])) return false;
        documented.add(`${secret[1]}/${secret[2]}`);
        return true;
      }
      const ns = NAMESPACE_LINE.exec(line);
      if (ns) return namespaces.has(ns[1]);
      // Other kubectl commands (rollout restart, apply of dist/) are not part of the set-up.
      return !line.startsWith('kubectl ');
    });
    if (kept.some((l) => l.startsWith('kubectl '))) lines.push(kept.flatMap(withInputs).join('\n'));
  }
  return { script: lines.join('\n'), undocumented: secrets.filter((s) => !documented.has(`${s.namespace}/${s.name}`)) };
}

/** Runs the operator's commands; returns what kubectl and the recipes printed on failure. */
export function createOperatorSecrets(kubeconfig: string, secrets: readonly SecretRef[]): { undocumented: SecretRef[]; errors: string[] } {
  const { script, undocumented } = operatorScript(secrets);
  const dir = mkdtempSync(join(tmpdir(), 'coco-operator-'));
  try {
    const path = [dirname(binary('kubectl')), dirname(binary('openssl')), '/usr/bin', '/bin'].join(':');
    // Without -e: one failing command must not hide the next; its stderr is reported instead.
    // A clean environment, as an operator's shell has none of this process's; the Go runtime's
    // settings pass through (the tests tune kubectl's garbage collection with them).
    const goRuntime = Object.fromEntries(['GOGC', 'GOMEMLIMIT', 'GOMAXPROCS'].flatMap((k) => (process.env[k] === undefined ? [] : [[k, process.env[k]]])));
    const r = spawnSync('bash', ['-uo', 'pipefail', '-c', script], { cwd: dir, encoding: 'utf8', env: { PATH: path, KUBECONFIG: kubeconfig, HOME: dir, ...goRuntime } });
    const errors = (r.stderr ?? '')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /^error|not found|unable|No such file/i.test(l));
    return { undocumented, errors };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
