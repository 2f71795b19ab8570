/**
 * Command-line parsing and `--help` shared by the CLIs: each command declares its options and
 * positional arguments once, and gets parsing, one-line errors for unknown or malformed options
 * (exit 2 through exitOnUserError) and a help text generated from the same declaration.
 */
import { NO_FIELD, UserInputError } from '../config/errors';

/** One `--option` of a command. */
export interface OptionSpec {
  /** Long name with dashes: `--environment`. */
  readonly name: string;
  /** Short form: `-e`. @default none */
  readonly short?: string;
  /** Placeholder of the option's value (`<env>`); options without one are flags. @default a flag */
  readonly value?: string;
  readonly help: string;
}

export interface CommandSpec {
  /** How the command is run: `npm run synth --`. */
  readonly usage: string;
  /** What the command does, one or two sentences. */
  readonly summary: string;
  /** Positional arguments. */
  readonly positionals: {
    /** Placeholder in the usage line: `[env ...]`. */
    readonly usage: string;
    readonly help: string;
    /** @default no limit */
    readonly max?: number;
  };
  readonly options: readonly OptionSpec[];
  /** Exit statuses and their meaning, one line each. */
  readonly exitCodes: readonly string[];
}

export interface ParsedArgs {
  readonly positionals: readonly string[];
  /** Flags given (long names). */
  readonly flags: ReadonlySet<string>;
  /** Values of options that take one (long name → value; the last one given wins). */
  readonly values: ReadonlyMap<string, string>;
}

const HELP: OptionSpec = { name: '--help', short: '-h', help: 'show this help and exit' };

/** A command-line problem as one `command line: -: expected X, found Y` line. */
export function commandLineError(spec: CommandSpec, found: string, expected = `the usage ${usageLine(spec)} (see --help)`): UserInputError {
  return new UserInputError([{ file: 'command line', path: NO_FIELD, expected, found }]);
}

/**
 * Parses `argv` (without node and the script). `--help` anywhere prints the help on stdout and exits
 * 0; `--` ends the options; `-` alone is a positional (stdin where a command reads files).
 */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const options = [...spec.options, HELP];
  const byName = new Map(options.flatMap((o) => [[o.name, o] as const, ...(o.short ? [[o.short, o] as const] : [])]));
  const positionals: string[] = [];
  const flags = new Set<string>();
  const values = new Map<string, string>();
  let optionsDone = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (optionsDone || arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      optionsDone = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const option = byName.get(name);
    if (!option) throw commandLineError(spec, `unknown option ${JSON.stringify(name)}`, `one of the options ${options.map((o) => o.name).join(', ')}`);
    if (option === HELP) {
      process.stdout.write(helpText(spec));
      process.exit(0);
    }
    if (option.value === undefined) {
      if (name !== arg) throw commandLineError(spec, `a value for ${option.name}, which takes none`, `${option.name} alone`);
      flags.add(option.name);
      continue;
    }
    const value = name !== arg ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (name === arg && value.startsWith('-') && value !== '-')) throw commandLineError(spec, `${option.name} without a value`, `${option.name} ${option.value}`);
    values.set(option.name, value);
  }
  if (spec.positionals.max !== undefined && positionals.length > spec.positionals.max) {
    throw commandLineError(spec, `${positionals.length} arguments (${positionals.join(' ')})`, `at most ${spec.positionals.max} (${spec.positionals.usage})`);
  }
  return { positionals, flags, values };
}

function usageLine(spec: CommandSpec): string {
  const opts = spec.options.map((o) => `[${o.name}${o.value ? ` ${o.value}` : ''}]`).join(' ');
  return `${spec.usage} ${opts} ${spec.positionals.usage}`.replace(/\s+/g, ' ').trim();
}

/** The `--help` text: usage, summary, arguments, options, exit statuses. */
export function helpText(spec: CommandSpec): string {
  const rows = [...spec.options, HELP].map((o) => [`${o.short ? `${o.short}, ` : ''}${o.name}${o.value ? ` ${o.value}` : ''}`, o.help] as const);
  const width = Math.max(spec.positionals.usage.length, ...rows.map(([left]) => left.length)) + 2;
  const row = (left: string, right: string) => `  ${left.padEnd(width)}${right}`;
  return [
    `usage: ${usageLine(spec)}`,
    '',
    spec.summary,
    '',
    'arguments:',
    row(spec.positionals.usage, spec.positionals.help),
    '',
    'options:',
    ...rows.map(([left, right]) => row(left, right)),
    '',
    'exit status:',
    ...spec.exitCodes.map((line) => `  ${line}`),
    '',
  ].join('\n');
}
