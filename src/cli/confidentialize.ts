/**
 * `npm run confidentialize -- <input.yaml | -> --environment <env> [--runtime-class <name>] [--force] [--allow-exec]`
 *
 * Reads Kubernetes workload YAML (Deployment, StatefulSet, DaemonSet, Job, Pod; several documents;
 * stdin when the file is `-` or missing), prints the confidential version on stdout and a report of
 * every change on stderr. Exit 0: done; 2: bad input or something the TEE cannot honour (nothing printed).
 */
import { readFileSync } from 'node:fs';
import { exitOnUserError } from './load-or-exit';
import { loadEnvironment, resolveEnvironmentNames } from '../config/load';
import { UserInputError } from '../config/errors';
import { targetFor } from '../confidentialize/target';
import { confidentializeObjects } from '../confidentialize/transform';
import { parseDocuments, printDocuments } from '../confidentialize/yaml-documents';

const USAGE = 'usage: npm run confidentialize -- <input.yaml | -> --environment <env> [--runtime-class <name>] [--force] [--allow-exec]';

interface Args {
  readonly input: string;
  readonly environment: string;
  readonly runtimeClass?: string;
  readonly force: boolean;
  readonly allowExec: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const problem = (found: string) => new UserInputError([{ file: 'command line', path: '', expected: USAGE, found }]);
  const positional: string[] = [];
  let environment: string | undefined;
  let runtimeClass: string | undefined;
  let force = false;
  let allowExec = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw problem(`${arg} without a value`);
      return next;
    };
    if (arg === '--environment' || arg === '-e') environment = value();
    else if (arg.startsWith('--environment=')) environment = arg.slice('--environment='.length);
    else if (arg === '--runtime-class') runtimeClass = value();
    else if (arg.startsWith('--runtime-class=')) runtimeClass = arg.slice('--runtime-class='.length);
    else if (arg === '--force') force = true;
    else if (arg === '--allow-exec') allowExec = true;
    else if (arg.startsWith('-') && arg !== '-') throw problem(`unknown option ${arg}`);
    else positional.push(arg);
  }
  if (environment === undefined) throw problem('no --environment');
  if (positional.length > 1) throw problem(`${positional.length} input files (${positional.join(', ')}); give one, or - for stdin`);
  return { input: positional[0] ?? '-', environment, ...(runtimeClass !== undefined ? { runtimeClass } : {}), force, allowExec };
}

function readInput(input: string): { file: string; text: string } {
  const file = input === '-' ? '<stdin>' : input;
  try {
    return { file, text: readFileSync(input === '-' ? 0 : input, 'utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new UserInputError([{ file, path: '', expected: 'a readable YAML file', found: `${code}: ${(e as Error).message}` }]);
  }
}

function main(): void {
  const root = process.cwd();
  const result = exitOnUserError(() => {
    const args = parseArgs(process.argv.slice(2));
    const [name] = resolveEnvironmentNames(root, [args.environment]);
    const env = loadEnvironment(root, name);
    const target = targetFor(env, args.runtimeClass);
    const { file, text } = readInput(args.input);
    const parsed = parseDocuments(file, text);
    const out = confidentializeObjects(parsed.values, target, { force: args.force, allowExec: args.allowExec });
    if (out.problems.length > 0) {
      throw new UserInputError(out.problems.map((p) => (p.document < 0 ? { file: 'command line', path: p.path, expected: p.expected, found: p.found } : parsed.locate(p.document, p.path, p.expected, p.found))));
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
