/**
 * `npm run synth [-- <env> ...]`: renders the named environments (all by default) into dist/
 * and cdktf.out/. Exit 0: written; 2: bad input (nothing written); 1: rendered output failed
 * validation or an internal error (nothing written).
 */
import { exitOnUserError, loadEnvironments } from './load-or-exit';
import { render, RenderValidationError } from '../render/render';
import { UserInputError } from '../config/errors';
import { writeSchemaFile } from '../config/schema-file';

function parseArgs(argv: readonly string[]): string[] {
  const unknown = argv.filter((a) => a.startsWith('-'));
  if (unknown.length > 0) {
    throw new UserInputError(unknown.map((flag) => ({ file: 'command line', path: '', expected: 'environment names only (usage: npm run synth -- [env ...])', found: `option ${flag}` })));
  }
  return [...argv];
}

function main(): void {
  const root = process.cwd();
  const started = process.hrtime.bigint();
  const { requested, environments } = exitOnUserError(() => {
    const names = parseArgs(process.argv.slice(2));
    return { requested: names, environments: loadEnvironments(root, names) };
  });
  try {
    const summary = render({ root, environments, all: requested.length === 0 });
    writeSchemaFile(root);
    const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
    process.stdout.write(`rendered ${environments.map((e) => e.name).join(', ')}: ${summary.files} manifests, ${summary.stacks} Terraform stacks in ${ms} ms\n`);
  } catch (e) {
    if (e instanceof RenderValidationError) {
      process.stderr.write(`error: rendered output failed validation; dist/ and cdktf.out/ were not changed\n${e.message.split('\n').map((l) => `error: ${l}`).join('\n')}\n`);
      process.exit(1);
    }
    throw e;
  }
}

main();
