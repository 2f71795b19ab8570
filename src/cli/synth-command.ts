/**
 * What `npm run synth [-- <env> ...]` does (src/cli/synth.ts is its entry point): renders the named environments (all by default) into dist/ and
 * cdktf.out/, and charts/ from all environments. `--list` lists the environments, `--validate`
 * checks everything without writing. See SPEC for the exit statuses.
 */
import { constants } from 'node:os';
import { commandLineError, parseArgs, type CommandSpec } from './args';
import { exitOnUserError } from './load-or-exit';
import { resolveEnvironmentNames, type LoadedEnvironment } from '../config/load';
import { loadAllEnvironments } from '../config/load-all';
import type * as Render from '../render/render';
import { FLEET_SCHEMA_FILE, fleetSchemaJson, SCHEMA_FILE, schemaJson } from '../config/schema-file';
import { staleReviewWarning } from '../shared/support';

const SPEC: CommandSpec = {
  usage: 'npm run synth --',
  summary: [
    'Loads and checks every environment file in config/environments/, renders the named environments',
    '(all by default) into dist/<env>/ and cdktf.out/stacks/<env>/, charts/ from all environments',
    '(a chart covers every environment) and config/schema.json, validates everything rendered, then',
    'replaces the output at once. On any problem nothing is written.',
  ].join('\n'),
  positionals: { usage: '[env ...]', help: 'environments to render into dist/ and cdktf.out/ (default: all, which also removes the output of deleted environments)' },
  options: [
    { name: '--list', help: 'print each environment with its profile and infrastructure provider, then exit' },
    { name: '--validate', help: 'check everything, rendering into a staging folder with every validator, and write nothing' },
  ],
  exitCodes: [
    '0  rendered (with --validate: valid; with --list: listed)',
    '2  bad input: an environment file, the command line, or a file or folder on disk (nothing written)',
    '1  rendered output failed validation (a gap in the rules or a bug), or an internal error (nothing written)',
  ],
};

/** One environment per line: name, profile, provider, in aligned columns. */
function listing(environments: readonly LoadedEnvironment[]): string {
  const rows = environments.map((e) => [e.name, e.config.profile, e.config.infrastructure.provider]);
  const widths = [0, 1].map((col) => Math.max(...rows.map((r) => r[col].length)));
  return rows.map((r) => `${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2]}\n`).join('');
}

/** Runs the command for `process.argv`, writing to process.stdout/stderr and exiting through process.exit on errors. */
export function synthMain(): void {
  const root = process.cwd();
  const started = process.hrtime.bigint();
  const { args, only, environments } = exitOnUserError(() => {
    const args = parseArgs(SPEC, process.argv.slice(2));
    if (args.flags.has('--list') && (args.positionals.length > 0 || args.flags.has('--validate'))) {
      throw commandLineError(SPEC, `--list with ${args.positionals.length > 0 ? 'environment names' : '--validate'}`, '--list alone');
    }
    const only = args.positionals.length > 0 ? resolveEnvironmentNames(root, args.positionals) : undefined;
    // Every environment is loaded even when some are named: charts and the names that must differ
    // between environments depend on all of them.
    return { args, only, environments: loadAllEnvironments(root) };
  });
  if (args.flags.has('--list')) {
    process.stdout.write(listing(environments));
    return;
  }
  const dryRun = args.flags.has('--validate');
  // Rendering is synchronous, so with a handler installed a Ctrl-C is handled only after the render
  // has finished or rolled back and removed its staging folder; without one it would kill the
  // process halfway and leave a .render-* folder behind.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => process.exit(128 + constants.signals[signal]));
  // Loaded only once the environment files are known to be good: cdktf, the azurerm bindings and
  // cdk8s-plus are most of the start-up, and --list, --help and a bad file never need them.
  const { render, RenderValidationError } = require('../render/render') as typeof Render;
  try {
    const summary = exitOnUserError(() => render({ root, environments, only, dryRun, files: { [SCHEMA_FILE]: schemaJson(), [FLEET_SCHEMA_FILE]: fleetSchemaJson() } }));
    const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
    const fleet = summary.fleetClusters > 0 ? ` and the fleet of ${summary.fleetClusters} cluster${summary.fleetClusters === 1 ? '' : 's'}` : '';
    const names = (only ?? environments.map((e) => e.name)).join(', ') + fleet;
    process.stdout.write(`${dryRun ? 'valid' : 'rendered'} ${names}: ${summary.files} manifests, ${summary.stacks} Terraform stacks in ${ms} ms${dryRun ? ' (nothing written)' : ''}\n`);
    // The clock only decides whether to remind: support is judged on the table's review date.
    const stale = staleReviewWarning(new Date().toISOString().slice(0, 10));
    if (stale) process.stderr.write(`${stale}\n`);
  } catch (e) {
    if (e instanceof RenderValidationError) {
      process.stderr.write(`error: rendered output failed validation; nothing was written\n${e.message.split('\n').map((l) => `error: ${l}`).join('\n')}\n`);
      process.exit(1);
    }
    throw e;
  }
}
