/**
 * `npm run confidentialize -- <input.yaml | -> --environment <env> [--runtime-class <name>] [--force] [--allow-exec]`:
 * makes ordinary workloads confidential for an environment (see SPEC, also `--help`).
 */
import { readFileSync } from 'node:fs';
import { commandLineError, parseArgs, type CommandSpec } from './args';
import { exitOnUserError } from './load-or-exit';
import { loadEnvironment, resolveEnvironmentNames } from '../config/load';
import { describeFsError, isFsError, NO_FIELD, UserInputError } from '../config/errors';
import { targetFor } from '../confidentialize/target';
import { confidentializeObjects } from '../confidentialize/transform';
import { parseDocuments, printDocuments } from '../confidentialize/yaml-documents';

const SPEC: CommandSpec = {
  usage: 'npm run confidentialize --',
  summary: [
    'Reads Kubernetes workload YAML (Deployment, StatefulSet, DaemonSet, Job, Pod; several documents;',
    'stdin when the file is - or missing), prints the confidential version for the environment on',
    'stdout and a report of every change on stderr.',
  ].join('\n'),
  positionals: { usage: '[<input.yaml> | -]', help: 'workload file to transform (default: - for stdin)', max: 1 },
  options: [
    { name: '--environment', short: '-e', value: '<env>', help: 'environment to make the workload confidential for (required)' },
    { name: '--runtime-class', value: '<name>', help: "CoCo runtime class of the environment to use (default: the first it lists)" },
    { name: '--force', help: 'replace settings a TEE cannot honour instead of refusing them' },
    { name: '--allow-exec', help: 'allow kubectl exec in the agent policy (dev profile only)' },
  ],
  exitCodes: ['0  done', '2  bad input or something the TEE cannot honour (nothing printed on stdout)'],
};

interface Args {
  readonly input: string;
  readonly environment: string;
  readonly runtimeClass?: string;
  readonly force: boolean;
  readonly allowExec: boolean;
}

function readArgs(argv: readonly string[]): Args {
  const args = parseArgs(SPEC, argv);
  const environment = args.values.get('--environment');
  if (environment === undefined) throw commandLineError(SPEC, 'no --environment', '--environment <env>');
  const runtimeClass = args.values.get('--runtime-class');
  return { input: args.positionals[0] ?? '-', environment, ...(runtimeClass !== undefined ? { runtimeClass } : {}), force: args.flags.has('--force'), allowExec: args.flags.has('--allow-exec') };
}

function readInput(input: string): { file: string; text: string } {
  const file = input === '-' ? '<stdin>' : input;
  try {
    return { file, text: readFileSync(input === '-' ? 0 : input, 'utf8') };
  } catch (e) {
    if (!isFsError(e)) throw e;
    throw new UserInputError([{ file, path: NO_FIELD, expected: 'a readable YAML file', found: describeFsError(e) }]);
  }
}

function main(): void {
  const root = process.cwd();
  const result = exitOnUserError(() => {
    const args = readArgs(process.argv.slice(2));
    const [name] = resolveEnvironmentNames(root, [args.environment]);
    const env = loadEnvironment(root, name);
    const target = targetFor(env, args.runtimeClass);
    const { file, text } = readInput(args.input);
    const parsed = parseDocuments(file, text);
    const out = confidentializeObjects(parsed.values, target, { force: args.force, allowExec: args.allowExec });
    if (out.problems.length > 0) {
      throw new UserInputError(out.problems.map((p) => (p.document < 0 ? { file: 'command line', path: NO_FIELD, expected: p.expected, found: p.found } : parsed.locate(p.document, p.path, p.expected, p.found))));
    }
    return { out, file, target };
  });
  const { out, file, target } = result;
  process.stdout.write(printDocuments(out.objects));
  const where = target.kind === 'kata' ? `runtime class ${target.runtimeClass}` : 'confidential nodes (no Kata)';
  process.stderr.write(`confidentialize: ${file}: ${out.objects.length} object(s) for environment ${target.environment}, ${where}\n`);
  for (const c of out.changes) process.stderr.write(`  ${c.object} ${c.path}: ${c.message}\n`);
  for (const w of out.warnings) process.stderr.write(`warning: ${w.object} ${w.path}: ${w.message}\n`);
}

main();
