/**
 * The CLI's command contract. Each command lives in `cli/commands/<name>.ts`
 * and exports one `CommandSpec`. Arguments are parsed with node:util's
 * parseArgs from the spec's option table, so `--help` output and parsing can
 * never disagree.
 */

import { parseArgs } from 'node:util';

/** The process edges a command may touch, injected so tests run commands in-process. */
export interface CliIo {
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & {
    isTTY?: boolean;
    columns?: number;
  };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/** One option of a command. */
export interface OptionSpec {
  /** Long name without dashes, kebab-case: `rdap-server`. */
  readonly name: string;
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  /** Placeholder shown in help, e.g. `PATH`. */
  readonly arg?: string;
  readonly description: string;
  /** Default shown in help (the command applies it). */
  readonly default?: string;
}

/** Parsed arguments. */
export interface ParsedCommandArgs {
  readonly values: Readonly<
    Record<string, string | boolean | (string | boolean)[] | undefined>
  >;
  readonly positionals: readonly string[];
}

/** A command of the `rirmap` CLI. */
export interface CommandSpec {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Usage line after `rirmap <name> `, e.g. `[--data PATH]... [QUERY...]`. */
  readonly usage: string;
  readonly options: readonly OptionSpec[];
  /** Extra help text (exit codes, examples). */
  readonly help?: string;
  /** Runs the command; resolves to the exit code. Throw CliUsageError for usage errors. */
  run(args: ParsedCommandArgs, io: CliIo, signal: AbortSignal): Promise<number>;
}

/** A usage error: the CLI prints the message and the command's usage, and exits with 2. */
export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

/** Options every command accepts. */
export const COMMON_OPTIONS: readonly OptionSpec[] = [
  { name: 'help', short: 'h', type: 'boolean', description: 'Show this help' },
  {
    name: 'debug',
    type: 'boolean',
    description: 'Print stack traces of errors',
  },
  {
    name: 'offline',
    type: 'boolean',
    description:
      'Refuse every network access (update, RDAP); also RIRMAP_OFFLINE=1',
  },
];

/** True when `--offline` or RIRMAP_OFFLINE=1 is in force. */
export function isOffline(
  args: ParsedCommandArgs,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  return args.values['offline'] === true || env['RIRMAP_OFFLINE'] === '1';
}

/** Options of commands that load registry data. */
export const DATA_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'data',
    type: 'string',
    multiple: true,
    arg: 'PATH',
    description:
      'Delegated-stats file, directory or compiled snapshot (repeatable). Default: $RIRMAP_DATA, else the cache directory',
  },
  {
    name: 'lenient',
    type: 'boolean',
    description:
      'Skip and count malformed lines and count mismatches instead of failing',
  },
  {
    name: 'as-of',
    type: 'string',
    arg: 'DATE',
    description:
      'Use, per registry, the newest file not later than DATE (yyyy-mm-dd)',
  },
];

/** Parses argv for a command; unknown options are usage errors. */
export function parseCommandArgs(
  spec: CommandSpec,
  argv: readonly string[],
): ParsedCommandArgs {
  const options: Record<
    string,
    { type: 'string' | 'boolean'; short?: string; multiple?: boolean }
  > = {};
  for (const o of [...COMMON_OPTIONS, ...spec.options]) {
    const entry: {
      type: 'string' | 'boolean';
      short?: string;
      multiple?: boolean;
    } = {
      type: o.type,
    };
    if (o.short !== undefined) entry.short = o.short;
    if (o.multiple === true) entry.multiple = true;
    options[o.name] = entry;
  }
  try {
    const parsed = parseArgs({
      args: [...argv],
      options,
      allowPositionals: true,
      strict: true,
    });
    return { values: parsed.values, positionals: parsed.positionals };
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
}

/** Help text of a command. */
export function formatCommandHelp(spec: CommandSpec): string {
  const lines = [
    `Usage: rirmap ${spec.name} ${spec.usage}`,
    '',
    spec.summary,
    '',
    'Options:',
  ];
  const all = [...spec.options, ...COMMON_OPTIONS];
  const heads = all.map((o) => {
    const flag = `${o.short !== undefined ? `-${o.short}, ` : '    '}--${o.name}`;
    return o.type === 'string' ? `${flag} ${o.arg ?? 'VALUE'}` : flag;
  });
  const width = Math.max(...heads.map((h) => h.length)) + 2;
  all.forEach((o, i) => {
    const def = o.default !== undefined ? ` (default: ${o.default})` : '';
    const rep = o.multiple === true ? ' [repeatable]' : '';
    lines.push(`  ${heads[i]!.padEnd(width)}${o.description}${def}${rep}`);
  });
  if (spec.help !== undefined) lines.push('', spec.help.trimEnd());
  return `${lines.join('\n')}\n`;
}

/** Reads a string option (the last one when given several times). */
export function stringOption(
  args: ParsedCommandArgs,
  name: string,
): string | undefined {
  const v = args.values[name];
  if (Array.isArray(v)) {
    const last = v[v.length - 1];
    return typeof last === 'string' ? last : undefined;
  }
  return typeof v === 'string' ? v : undefined;
}

/** Reads a repeatable string option. */
export function stringListOption(
  args: ParsedCommandArgs,
  name: string,
): string[] {
  const v = args.values[name];
  if (Array.isArray(v))
    return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' ? [v] : [];
}

/** Reads a boolean flag. */
export function flagOption(args: ParsedCommandArgs, name: string): boolean {
  return args.values[name] === true;
}

/** Reads a positive integer option, or throws a usage error naming it. */
export function intOption(
  args: ParsedCommandArgs,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const v = stringOption(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max)
    throw new CliUsageError(
      `--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`,
    );
  return n;
}
