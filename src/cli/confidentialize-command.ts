/**
 * What `npx confidentialize [<input.yaml> | -] --environment <env> [options]` does (src/cli/confidentialize.ts
 * is its entry point): makes the workloads of a bundle confidential for an environment and passes
 * every other object through (see SPEC, also `--help`). stdout carries only YAML; the report and
 * every error go to stderr.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { commandLineError, parseArgs, type CommandSpec } from './args';
import { exitOnUserError } from './load-or-exit';
import { loadEnvironment, resolveEnvironmentNames } from '../config/load';
import { describeFsError, isFsError, NO_FIELD, UserInputError } from '../config/errors';
import { syncDocument } from '../confidentialize/document-sync';
import { formatReport } from '../confidentialize/report';
import { findRepository } from '../confidentialize/repository';
import { repoRoot } from '../shared/repo-files';
import { targetFor } from '../confidentialize/target';
import { confidentializeObjects } from '../confidentialize/transform';
import { joinDocuments, parseDocuments, printDocument } from '../confidentialize/yaml-documents';

const SPEC: CommandSpec = {
  usage: 'npx confidentialize',
  summary: [
    'Reads Kubernetes manifests (several documents, `helm template` output, `kind: List`), makes every',
    'workload confidential for the environment (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,',
    'ReplicationController, Job, CronJob, and any object with a pod template at spec.template) and',
    'passes every other document through unchanged. Writes YAML on stdout (or to --output) and the',
    'report of every change on stderr.',
  ].join('\n'),
  positionals: { usage: '[<input.yaml> | -]', help: 'manifests to read, relative to the current directory; - or nothing: stdin', max: 1 },
  options: [
    { name: '--environment', short: '-e', value: '<env>', help: 'environment to make the workloads confidential for (required)' },
    { name: '--runtime-class', value: '<name>', help: 'CoCo runtime class of the environment to use (default: the first it lists)' },
    { name: '--output', short: '-o', value: '<file>', help: 'write the YAML to <file> instead of stdout' },
    { name: '--force', help: 'strip settings a TEE cannot honour (with a warning) instead of refusing them' },
    { name: '--allow-exec', help: 'allow kubectl exec in the agent policy (dev profile only)' },
    { name: '--repo', value: '<dir>', help: 'repository whose config/environments/ to use (default: the nearest one up from the current directory, else this command\'s own)' },
  ],
  exitCodes: ['0  done', '2  bad input or something the TEE cannot honour (nothing written)'],
};

interface Args {
  readonly input: string;
  readonly environment: string;
  readonly runtimeClass?: string;
  readonly output?: string;
  readonly repo?: string;
  readonly force: boolean;
  readonly allowExec: boolean;
}

function readArgs(argv: readonly string[]): Args {
  const args = parseArgs(SPEC, argv);
  const environment = args.values.get('--environment');
  if (environment === undefined) throw commandLineError(SPEC, 'no --environment', '--environment <env>');
  const optional = (name: string, key: 'runtimeClass' | 'output' | 'repo') => (args.values.has(name) ? { [key]: args.values.get(name) } : {});
  return {
    input: args.positionals[0] ?? '-',
    environment,
    ...optional('--runtime-class', 'runtimeClass'),
    ...optional('--output', 'output'),
    ...optional('--repo', 'repo'),
    force: args.flags.has('--force'),
    allowExec: args.flags.has('--allow-exec'),
  };
}

/**
 * Where the user is. `npm run` starts scripts in the package root and says where it was called
 * from in INIT_CWD; only trust that when npm started this very script.
 */
function callerDirectory(): string {
  const npmRun = process.env.npm_lifecycle_event === 'confidentialize';
  return npmRun && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();
}

/**
 * `npm run confidentialize -- f > out.yaml` would put npm's banner in out.yaml before the YAML;
 * refuse rather than write a file no YAML reader accepts.
 */
function refuseNpmBanner(args: Args): void {
  const npmRun = process.env.npm_lifecycle_event === 'confidentialize';
  if (npmRun && process.env.npm_config_loglevel !== 'silent' && args.output === undefined && !process.stdout.isTTY) {
    throw commandLineError(SPEC, 'npm run without --silent, whose banner is already on stdout', 'npx confidentialize ..., npm run --silent confidentialize -- ..., or --output <file>');
  }
}

/** Standard input as text (the tests' in-process runner passes its own). */
export type ReadStdin = () => string;

function readProcessStdin(): string {
  if (process.stdin.isTTY) throw commandLineError(SPEC, 'no input file and a terminal on stdin', 'a file argument, or YAML piped on stdin');
  return readFileSync(0, 'utf8');
}

function readInput(input: string, callerDir: string, readStdin: ReadStdin): { file: string; text: string } {
  const file = input === '-' ? '<stdin>' : input;
  try {
    return { file, text: input === '-' ? readStdin() : readFileSync(resolve(callerDir, input), 'utf8') };
  } catch (e) {
    if (!isFsError(e)) throw e;
    throw new UserInputError([{ file, path: NO_FIELD, expected: 'a readable YAML file', found: describeFsError(e) }]);
  }
}

/** Environment files as the user can open them: relative to the caller's directory. */
function fromCaller<T>(root: string, callerDir: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof UserInputError) || resolve(root) === resolve(callerDir)) throw e;
    const shown = (file: string) => (isAbsolute(file) || file === 'command line' ? file : relative(callerDir, resolve(root, file)));
    throw new UserInputError(e.problems.map((p) => ({ ...p, file: shown(p.file) })));
  }
}

export function confidentializeMain(readStdin: ReadStdin = readProcessStdin): void {
  // `confidentialize ... | head`: the reader left; that is not an error of this command.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(0);
  });
  const callerDir = callerDirectory();
  const { yaml, report, output } = exitOnUserError(() => {
    const args = readArgs(process.argv.slice(2));
    refuseNpmBanner(args);
    const root = findRepository({ callerDir, ...(args.repo !== undefined ? { explicit: args.repo } : {}), installedRoot: repoRoot() });
    const env = fromCaller(root, callerDir, () => loadEnvironment(root, resolveEnvironmentNames(root, [args.environment])[0]));
    const target = fromCaller(root, callerDir, () => targetFor(env, args.runtimeClass));
    const { file, text } = readInput(args.input, callerDir, readStdin);
    const parsed = parseDocuments(file, text);
    const out = confidentializeObjects(parsed.documents.map((d) => d.value), target, { force: args.force, allowExec: args.allowExec });
    if (out.problems.length > 0) {
      throw new UserInputError(out.problems.map((p) => (p.document < 0 ? { file: 'command line', path: NO_FIELD, expected: p.expected, found: p.found } : parsed.locate(p.document, p.path, p.expected, p.found))));
    }
    const texts = parsed.documents.map((source, i) => {
      const outcome = out.documents[i];
      if (!outcome.changed) return source.text;
      syncDocument(source.doc, source.value, outcome.value);
      return printDocument(source.doc);
    });
    return { yaml: joinDocuments(texts), report: formatReport(file, target, out), output: args.output === undefined ? undefined : resolve(callerDir, args.output) };
  });
  exitOnUserError(() => (output === undefined ? process.stdout.write(yaml) : writeFileSync(output, yaml)));
  process.stderr.write(report);
}
