// Finds the real external tools the tests run (installed by scripts/install-tools.sh, which
// `npm test` runs first) and runs them. A missing tool is an error, never a skip: a test that
// needs one fails loudly with how to install it.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export { repoRoot } from '../../src/shared/repo-files';
import { pinnedVersion, toolsCache } from '../../src/shared/tool-pins';

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

export { parseToolVersions, toolsCache } from '../../src/shared/tool-pins';

/** The version scripts/tool-versions.sh pins for Go tool `name`, e.g. `v1.36.5`. */
export function toolVersion(name: GoToolName): string {
  return pinnedVersion(GO_TOOL_PINS[name]);
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
