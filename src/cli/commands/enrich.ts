/**
 * `rirmap enrich`: adds registry fields to every address of a CSV, TSV, log,
 * JSON-lines or Zeek file. A thin shell over enrichFile; this module also owns
 * cli-progress (the progress bar on a terminal).
 */

import { existsSync } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import type { Registry } from '../../types.js';
import { enrichFile } from '../../enrich/enrich-file.js';
import type {
  EnrichOptions,
  EnrichProgress,
} from '../../enrich/enrich-options.js';
import {
  formatSummary,
  type EnrichSummary,
} from '../../enrich/enrich-summary.js';
import { defaultWorkerUrl } from '../../enrich/worker-pool.js';
import {
  DEFAULT_FIELDS,
  REGISTRY_FIELDS,
  isRdapField,
  parseFields,
} from '../../enrich/enrich-fields.js';
import { resolveEnrichOptions } from '../../enrich/enrich-options.js';
import {
  CliUsageError,
  DATA_OPTIONS,
  flagOption,
  intOption,
  stringOption,
  type CliIo,
  type CommandSpec,
  type OptionSpec,
  type ParsedCommandArgs,
} from '../command.js';
import { loadCliRegistry } from '../load-data.js';
import { createReadStream } from 'node:fs';
import { PassThrough } from 'node:stream';
import { manifestDataFiles, StreamTally } from '../../provenance/manifest.js';
import {
  RDAP_OPTIONS,
  rdapOptionsFromCli,
} from '../../rdap/rdap-cli-options.js';
import { openRdapResolver } from '../../rdap/rdap-resolver.js';
import type { RdapStats } from '../../rdap/rdap-types.js';
import { SourceError } from '../../errors.js';
import { isOffline } from '../command.js';
import {
  MANIFEST_OPTION,
  recordedOptions,
  writeManifestFile,
} from '../manifest-file.js';
import { VERSION } from '../version.js';

/** sha256, bytes and lines of a file as stored. */
async function tallyFile(path: string): Promise<StreamTally> {
  const t = new StreamTally();
  for await (const chunk of createReadStream(path)) t.update(chunk as Buffer);
  return t;
}

/** Library options as the command builds them: mutable, so other modules can add theirs (`rdap`). */
export type CliEnrichOptions = {
  -readonly [K in keyof EnrichOptions]: EnrichOptions[K];
};

/** Most threads used by default. */
const DEFAULT_MAX_THREADS = 8;

/** The enrich command's own options (RDAP options are added by the RDAP module). */
export const ENRICH_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'output',
    short: 'o',
    type: 'string',
    arg: 'FILE',
    description:
      'Output file (written under a temporary name, renamed when complete). Default: standard output',
  },
  {
    name: 'format',
    type: 'string',
    arg: 'FORMAT',
    description: 'Input format: auto, csv, tsv, log, jsonl or zeek',
    default: 'auto',
  },
  {
    name: 'columns',
    type: 'string',
    arg: 'LIST',
    description:
      'Address columns: names or 1-based numbers (CSV, TSV, Zeek), keys or dotted paths (JSON lines). Default: detected',
  },
  {
    name: 'fields',
    type: 'string',
    arg: 'LIST',
    description: `Fields to add: ${REGISTRY_FIELDS.join(', ')}, rdap.<name>`,
    default: 'rir,country,date,status',
  },
  {
    name: 'annotate',
    type: 'string',
    arg: 'MODE',
    description:
      'Log output: jsonl (one object per line) or inline (annotations after each address)',
    default: 'jsonl',
  },
  {
    name: 'header',
    type: 'boolean',
    description: 'CSV: the first row is a header (default: detected)',
  },
  {
    name: 'no-header',
    type: 'boolean',
    description: 'CSV: there is no header row',
  },
  {
    name: 'delimiter',
    type: 'string',
    arg: 'CHAR',
    description:
      'CSV field delimiter (`tab` or `\\t` for a tab). Default: detected',
  },
  {
    name: 'quote',
    type: 'string',
    arg: 'CHAR',
    description: 'CSV quote character ("" for none)',
    default: '"',
  },
  {
    name: 'escape',
    type: 'string',
    arg: 'CHAR',
    description: 'CSV escape character (default: the quote, doubled)',
  },
  {
    name: 'comment',
    type: 'string',
    arg: 'CHAR',
    description: 'CSV comment-line prefix (default: none)',
  },
  {
    name: 'csv-engine',
    type: 'string',
    arg: 'NAME',
    description: 'CSV reader: auto, fast or csv-parse',
    default: 'auto',
  },
  {
    name: 'raw-csv',
    type: 'boolean',
    description:
      "Write RDAP text to CSV/TSV as is (default: a value starting with =, +, -, @, tab or CR gets a ' prefix)",
  },
  {
    name: 'strict',
    type: 'boolean',
    description: 'Stop at the first missing or invalid address (exit 1)',
  },
  {
    name: 'threads',
    type: 'string',
    arg: 'N',
    description: `Threads (this one plus N-1 workers). Default: 1 with two cores or fewer, else the number of cores, at most ${DEFAULT_MAX_THREADS}`,
  },
  {
    name: 'summary',
    type: 'string',
    arg: 'FILE',
    description: 'Also write the summary as JSON to FILE',
  },
  {
    name: 'quiet',
    short: 'q',
    type: 'boolean',
    description: 'No progress bar and no summary on standard error',
  },
];

function unescapeChar(v: string): string {
  if (v === 'tab' || v === '\\t') return '\t';
  if (v === '\\0') return '\0';
  return v;
}

function oneOf<T extends string>(
  args: ParsedCommandArgs,
  name: string,
  allowed: readonly T[],
): T | undefined {
  const v = stringOption(args, name);
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T))
    throw new CliUsageError(
      `--${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`,
    );
  return v as T;
}

/**
 * Threads used when --threads is not given: one on machines with two cores
 * or fewer (measured there, a second thread gives nothing on CSV and costs a
 * fifth on logs), else the cores, capped.
 */
export function defaultThreads(cores = availableParallelism()): number {
  const worker = defaultWorkerUrl();
  const available =
    worker.protocol !== 'file:' || existsSync(fileURLToPath(worker));
  return available && cores > 2 ? Math.min(cores, DEFAULT_MAX_THREADS) : 1;
}

/**
 * Builds the library options from the command line. The one place flags map
 * to options: others (RDAP) extend the returned object.
 * @throws {CliUsageError} for flags that make no sense.
 */
export function enrichOptionsFromArgs(
  args: ParsedCommandArgs,
  registry: Registry,
  signal: AbortSignal,
): CliEnrichOptions {
  // `signal`, `onProgress` and (from the RDAP module) `rdap` are set here or by the caller.
  const options: Record<string, unknown> = { registry, signal };
  const format = oneOf(args, 'format', [
    'auto',
    'csv',
    'tsv',
    'log',
    'jsonl',
    'zeek',
  ] as const);
  if (format !== undefined) options['format'] = format;
  const columns = stringOption(args, 'columns');
  if (columns !== undefined) {
    const list = columns.split(',').map((c) => c.trim());
    if (list.some((c) => c === ''))
      throw new CliUsageError('--columns has an empty name');
    options['columns'] = list;
  }
  const fields = stringOption(args, 'fields');
  if (fields !== undefined) options['fields'] = fields;
  const annotate = oneOf(args, 'annotate', ['jsonl', 'inline'] as const);
  if (annotate !== undefined) options['annotate'] = annotate;
  if (flagOption(args, 'header') && flagOption(args, 'no-header'))
    throw new CliUsageError('--header and --no-header contradict each other');
  if (flagOption(args, 'header')) options['header'] = true;
  if (flagOption(args, 'no-header')) options['header'] = false;
  for (const name of ['delimiter', 'quote', 'escape', 'comment'] as const) {
    const v = stringOption(args, name);
    if (v !== undefined) options[name] = unescapeChar(v);
  }
  const engine = oneOf(args, 'csv-engine', [
    'auto',
    'fast',
    'csv-parse',
  ] as const);
  if (engine !== undefined) options['csvEngine'] = engine;
  if (flagOption(args, 'strict')) options['strict'] = true;
  if (flagOption(args, 'raw-csv')) options['rawCsv'] = true;
  options['threads'] = intOption(args, 'threads', 1, 256) ?? defaultThreads();
  return options as unknown as CliEnrichOptions;
}

/**
 * The RDAP part of the progress line: calls made, answers from cache, queries
 * waiting, and each host's current pacing, so a long LACNIC wait shows as such.
 */
export function formatRdapProgress(stats: RdapStats): string {
  const hosts = Object.entries(stats.hosts)
    .map(
      ([host, h]) =>
        `${host} ${h.calls} @${Math.round(h.perMinute)}/min${h.open ? ' (paused)' : ''}`,
    )
    .join(', ');
  return ` | rdap ${stats.calls} calls, ${stats.cached} cached, ${stats.waiting} waiting${hosts === '' ? '' : ` | ${hosts}`}`;
}

function createProgress(
  io: CliIo,
  total: number,
  rdapStats?: () => RdapStats,
): { update(p: EnrichProgress): void; stop(): void } {
  const known = total > 0;
  const bar = new cliProgress.SingleBar(
    {
      stream: io.stderr as NodeJS.WritableStream,
      format: known
        ? ' {bar} {percentage}% | {rows} rows | {rate} rows/s | {mb}/{totalMb} MB | ETA {eta_formatted}{rdap}'
        : ' {rows} rows | {rate} rows/s | {mb} MB{rdap}',
      hideCursor: true,
      clearOnComplete: true,
      fps: 5,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(known ? total : 1, 0, {
    rows: 0,
    rate: 0,
    mb: '0',
    totalMb: (total / 1e6).toFixed(0),
    rdap: '',
  });
  return {
    update(p) {
      const rate =
        p.elapsedMs > 0 ? Math.round((p.rows * 1000) / p.elapsedMs) : 0;
      bar.update(known ? Math.min(p.bytesIn, total) : 0, {
        rows: p.rows,
        rate,
        mb: (p.bytesIn / 1e6).toFixed(0),
        rdap: rdapStats === undefined ? '' : formatRdapProgress(rdapStats()),
      });
    },
    stop() {
      bar.stop();
    },
  };
}

async function writeSummary(
  path: string,
  summary: EnrichSummary,
): Promise<void> {
  await writeFile(path, `${JSON.stringify(summary, null, 2)}\n`);
}

export const enrichCommand: CommandSpec = {
  name: 'enrich',
  summary:
    'Add registry fields to every address of a CSV, TSV, log, JSON-lines or Zeek file',
  usage:
    '[INPUT] [-o OUTPUT] [--data PATH]... [--format FORMAT] [--columns LIST] [--fields LIST]',
  options: [
    ...ENRICH_OPTIONS,
    ...DATA_OPTIONS,
    ...RDAP_OPTIONS,
    MANIFEST_OPTION,
  ],
  help: `INPUT is a file, a .gz file, or standard input when absent or "-".
Every input row gives exactly one output row, in input order. CSV/TSV/Zeek rows keep their bytes
and get <column>_<field> columns plus <column>_error (missing or invalid). Logs give one JSON object
per line ({"line":…,"ips":[…]}) or, with --annotate inline, the line with [rir=… cc=…] after each
address. JSON lines get "<key>_registry":{…} before the closing brace.

Exit codes: 0 done; 1 an error (unreadable input, --strict stop); 2 usage; 130 interrupted
(a partial OUTPUT file is removed).`,
  async run(args, io, signal) {
    if (args.positionals.length > 1)
      throw new CliUsageError(
        `expected at most one INPUT, got ${args.positionals.length}`,
      );
    const inputArg = args.positionals[0] ?? '-';
    const outputArg = stringOption(args, 'output') ?? '-';
    const summaryPath = stringOption(args, 'summary');
    const quiet = flagOption(args, 'quiet');
    const abs = (p: string): string =>
      p === '-' || isAbsolute(p) ? p : resolve(io.cwd, p);
    // Flags are checked before the (slow) registry load, options again after it.
    const startedAt = new Date().toISOString();
    const options = enrichOptionsFromArgs(args, {} as Registry, signal);
    const rdapSettings = rdapOptionsFromCli(args, io);
    if (rdapSettings.mode !== 'off' && isOffline(args, io.env))
      throw new SourceError(
        'SOURCE_OFFLINE',
        `--rdap ${rdapSettings.mode} needs the network, and --offline refuses every network access`,
      );
    try {
      const fields = parseFields(
        (options['fields'] as string | undefined) ?? DEFAULT_FIELDS,
      );
      if (fields.some(isRdapField) && rdapSettings.mode === 'off')
        throw new CliUsageError('rdap.* fields need RDAP lookups (--rdap)');
    } catch (error) {
      if (error instanceof TypeError)
        throw new CliUsageError(
          error.message.replaceAll('`fields`', '--fields'),
        );
      throw error;
    }
    const registry = await loadCliRegistry(args, io);
    options.registry = registry;
    const resolver =
      rdapSettings.mode === 'off'
        ? null
        : await openRdapResolver(rdapSettings.options);
    if (resolver !== null)
      options['rdap'] = {
        resolver,
        mode: rdapSettings.mode as 'fallback' | 'always',
      };
    try {
      resolveEnrichOptions(options);
    } catch (error) {
      if (error instanceof TypeError || error instanceof RangeError)
        throw new CliUsageError(error.message);
      throw error;
    }
    const manifestPath = stringOption(args, 'manifest');
    // With --manifest, standard input and output are tallied as they pass.
    const inTally = new StreamTally();
    const outTally = new StreamTally();
    let input: string | NodeJS.ReadableStream =
      inputArg === '-' ? io.stdin : abs(inputArg);
    let output: string | NodeJS.WritableStream =
      outputArg === '-' ? io.stdout : abs(outputArg);
    if (manifestPath !== undefined && inputArg === '-') {
      const tap = new PassThrough();
      tap.on('data', (c: Buffer) => inTally.update(c));
      io.stdin.pipe(tap);
      input = tap;
    }
    if (manifestPath !== undefined && outputArg === '-') {
      const tap = new PassThrough();
      tap.on('data', (c: Buffer) => outTally.update(c));
      tap.pipe(io.stdout);
      output = tap;
    }
    let progress: ReturnType<typeof createProgress> | null = null;
    if (!quiet && io.stderr.isTTY === true) {
      const total =
        typeof input === 'string'
          ? await stat(input).then(
              (s) => s.size,
              () => 0,
            )
          : 0;
      progress = createProgress(
        io,
        total,
        resolver === null ? undefined : () => resolver.stats(),
      );
      const p = progress;
      let last = 0;
      options.onProgress = (x: EnrichProgress) => {
        if (x.elapsedMs - last >= 200) {
          last = x.elapsedMs;
          p.update(x);
        }
      };
    }
    let summary: EnrichSummary;
    try {
      summary = await enrichFile(input as never, output as never, options);
    } finally {
      progress?.stop();
      await resolver?.close();
    }
    if (manifestPath !== undefined) {
      const inT = inputArg === '-' ? inTally : await tallyFile(abs(inputArg));
      const outT =
        outputArg === '-' ? outTally : await tallyFile(abs(outputArg));
      await writeManifestFile(abs(manifestPath), {
        rirmap: VERSION,
        command: 'enrich',
        options: recordedOptions(args),
        data: manifestDataFiles(registry.sources),
        input: {
          path: inputArg,
          sha256: inT.digest(),
          bytes: inT.bytes,
          rows: summary.rows,
        },
        output: {
          path: outputArg,
          sha256: outT.digest(),
          bytes: outT.bytes,
          rows: summary.rows,
        },
        startedAt,
        endedAt: new Date().toISOString(),
        node: process.version,
      });
    }
    if (!quiet) io.stderr.write(formatSummary(summary));
    if (summaryPath !== undefined)
      await writeSummary(abs(summaryPath), summary);
    return 0;
  },
};
