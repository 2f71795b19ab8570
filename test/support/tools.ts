// Finds the real external tools the tests run (installed by scripts/install-tools.sh, which
// `npm test` runs first) and runs them. A missing tool is an error, never a skip: a test that
// needs one fails loudly with how to install it.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export { repoRoot } from '../../src/shared/repo-files';
import { repoRoot } from '../../src/shared/repo-files';

/**
 * Tools built from the Go module proxy into the tools cache, each with the name of its pin in
 * scripts/tool-versions.sh (`<PIN>_VERSION`).
 */
const GO_TOOL_PINS = {
  'kube-apiserver': 'KUBERNETES',
  'kube-controller-manager': 'KUBERNETES',
  'kube-scheduler': 'KUBERNETES',
  kubeadm: 'KUBERNETES',
  kubectl: 'KUBERNETES',
  etcd: 'ETCD',
  kwok: 'KWOK',
  helm: 'HELM',
  helm3: 'HELM3',
  containerd: 'CONTAINERD',
  opa: 'OPA',
  /** A folder (the Cilium Helm chart), not a binary. */
  'cilium-chart': 'CILIUM_CHART',
} as const;

/** A tool built from the Go module proxy at a pinned version. */
export type GoToolName = keyof typeof GO_TOOL_PINS;
/** A tool from a Debian package, found on PATH. */
export type DebianToolName = 'shellcheck' | 'cloud-init' | 'systemd-analyze' | 'busybox' | 'curl' | 'openssl' | 'jq' | 'socat' | 'docker-registry' | 'skopeo';
export type ToolName = GoToolName | DebianToolName;

export interface RunOptions {
  /** Working directory of the tool. Default: the test's. */
  readonly cwd?: string;
  /** Text written to the tool's standard input. Default: none. */
  readonly input?: string;
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const PIN_LINE = /^([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)_VERSION='(v\d+\.\d+\.\d+)'$/;

/**
 * The pins of `text` (the contents of `file`): name (without `_VERSION`) to version. Only
 * comments, blank lines and `NAME_VERSION='vX.Y.Z'` lines are allowed, so that what the
 * installer's bash sees and what this reads cannot differ.
 */
export function parseToolVersions(text: string, file: string): ReadonlyMap<string, string> {
  const pins = new Map<string, string>();
  text.split('\n').forEach((line, i) => {
    if (line === '' || line.startsWith('#')) return;
    const m = PIN_LINE.exec(line);
    if (m === null) throw new Error(`${file}:${i + 1}:1: expected a comment or NAME_VERSION='vX.Y.Z', found ${JSON.stringify(line)}`);
    if (pins.has(m[1])) throw new Error(`${file}:${i + 1}:1: expected one pin per name, found ${m[1]}_VERSION again`);
    pins.set(m[1], m[2]);
  });
  return pins;
}

let pinned: ReadonlyMap<string, string> | undefined;

/** The version scripts/tool-versions.sh pins for Go tool `name`, e.g. `v1.36.5`. */
export function toolVersion(name: GoToolName): string {
  const file = 'scripts/tool-versions.sh';
  pinned ??= parseToolVersions(readFileSync(join(repoRoot(), file), 'utf8'), file);
  const version = pinned.get(GO_TOOL_PINS[name]);
  if (version === undefined) throw new Error(`${file}: no ${GO_TOOL_PINS[name]}_VERSION (the pin of ${name})`);
  return version;
}

/** The per-machine tools cache, by the rule of scripts/install-tools.sh (empty variables count as unset, as in bash's `:-`). */
export function toolsCache(env: NodeJS.ProcessEnv = process.env): string {
  if (env.COCO_TOOLS_CACHE) return env.COCO_TOOLS_CACHE;
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'coco-azure-gitops', 'tools');
}

function isGoTool(name: ToolName): name is GoToolName {
  return Object.hasOwn(GO_TOOL_PINS, name);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const INSTALL = 'run bash scripts/install-tools.sh (npm test runs it)';
const found = new Map<ToolName, string>();

/**
 * Absolute path of `name`: a Go tool at `<tools cache>/<name>-<pinned version>/<name>` (only the
 * pinned version: the tests check what the installer built), a Debian tool on PATH. Throws when missing.
 */
export function tool(name: ToolName): string {
  const cached = found.get(name);
  if (cached !== undefined) return cached;
  let path: string | undefined;
  if (isGoTool(name)) {
    const version = toolVersion(name);
    const dir = join(toolsCache(), `${name}-${version}`);
    path = join(dir, name);
    if (!isExecutable(path)) throw new Error(`${name} ${version} not found in ${dir}: ${INSTALL}`);
  } else {
    // Relative PATH entries would depend on the test's cwd: ignore them.
    const dirs = (process.env.PATH ?? '').split(delimiter).filter((d) => d.startsWith('/'));
    path = dirs.map((d) => join(d, name)).find(isExecutable);
    if (path === undefined) throw new Error(`${name} not found on PATH: ${INSTALL}`);
  }
  found.set(name, path);
  return path;
}

const TIMEOUT_MS = 120_000;

function failure(name: ToolName, args: readonly string[], what: string): Error {
  return new Error(`${name} ${args.join(' ')}: ${what}`);
}

/** Runs `name` with `args` (no shell) and returns its exit code and output. */
export function run(name: ToolName, args: readonly string[], opts: RunOptions = {}): RunResult {
  const path = tool(name);
  const result = spawnSync(path, args, {
    cwd: opts.cwd,
    input: opts.input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: TIMEOUT_MS,
  });
  if (result.error) throw failure(name, args, result.error.message);
  if (result.status === null) throw failure(name, args, `killed by ${result.signal ?? 'unknown signal'}\n${result.stderr}`);
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * `run` without blocking: for many short invocations (each costs mostly the tool's start-up),
 * started together so that they use every core.
 */
export function runAsync(name: ToolName, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const path = tool(name);
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { cwd: opts.cwd, timeout: TIMEOUT_MS });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (e) => reject(failure(name, args, e.message)));
    child.on('close', (code, signal) => {
      const err = Buffer.concat(stderr).toString('utf8');
      if (code === null) reject(failure(name, args, `killed by ${signal ?? 'unknown signal'}\n${err}`));
      else resolve({ code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: err });
    });
    child.stdin.end(opts.input);
  });
}
