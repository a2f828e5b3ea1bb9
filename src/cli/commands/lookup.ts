/** `rirmap lookup`: answers for addresses and AS numbers. */

import { createInterface } from 'node:readline';
import type { LookupError, LookupResult, Registry } from '../../types.js';
import { manifestDataFiles, StreamTally } from '../../provenance/manifest.js';
import {
  DATA_OPTIONS,
  flagOption,
  isOffline,
  stringOption,
  type CliIo,
  type CommandSpec,
} from '../command.js';
import { loadCliRegistry } from '../load-data.js';
import {
  MANIFEST_OPTION,
  recordedOptions,
  writeManifestFile,
} from '../manifest-file.js';
import { VERSION } from '../version.js';
import { lookupWithRdap } from '../../rdap/lookup-with-rdap.js';
import {
  RDAP_OPTIONS,
  rdapOptionsFromCli,
} from '../../rdap/rdap-cli-options.js';
import { openRdapResolver } from '../../rdap/rdap-resolver.js';
import type {
  RdapInfo,
  RdapMode,
  RdapResolver,
} from '../../rdap/rdap-types.js';
import { SourceError } from '../../errors.js';

const COLUMNS = [
  ['QUERY', 24],
  ['RIR', 8],
  ['CC', 3],
  ['DATE', 11],
  ['STATUS', 10],
  ['HOLDER', 34],
  ['RANGE', 0],
] as const;

function row(cells: readonly string[]): string {
  return (
    cells
      .map((c, i) => {
        const w = COLUMNS[i]![1];
        return w === 0 ? c : c.length >= w ? `${c} ` : c.padEnd(w);
      })
      .join(' ')
      .trimEnd() + '\n'
  );
}

/** One table line for a result. */
export function formatLookupRow(r: LookupResult | LookupError): string {
  if ('error' in r) return row([r.query, `error: ${r.error}`]);
  if (!r.found)
    return row([
      r.query,
      r.special !== undefined ? `special: ${r.special}` : 'not found',
    ]);
  const range = r.range;
  const rangeText =
    range.cidrs !== undefined && range.cidrs.length === 1
      ? range.cidrs[0]!
      : `${String(range.start)}-${String(range.end)}`;
  return row([
    r.query,
    r.rir,
    r.country ?? '-',
    r.date ?? '-',
    r.status,
    r.holder ?? '-',
    `${rangeText}  (${r.source.file})`,
  ]);
}

async function* queriesFrom(
  io: CliIo,
  positionals: readonly string[],
  tally: StreamTally,
): AsyncGenerator<string> {
  if (positionals.length > 0) {
    for (const q of positionals) {
      tally.update(`${q}\n`);
      yield q;
    }
    return;
  }
  const rl = createInterface({ input: io.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    tally.update(`${line}\n`);
    const q = line.trim();
    if (q === '' || q.startsWith('#')) continue;
    yield q;
  }
}

/** Writes with backpressure. */
function write(
  stream: NodeJS.WritableStream,
  text: string,
): Promise<void> | undefined {
  if (stream.write(text)) return undefined;
  return new Promise((resolve) => stream.once('drain', resolve));
}

/** Runs lookups over a query source; returns the number of invalid queries. */
/** Appends RDAP fields to a table line. */
function rdapSuffix(r: RdapInfo | null | undefined): string {
  if (r === null || r === undefined) return '';
  const parts = [`rdap=${r.status}`];
  if (r.name !== null) parts.push(`name=${r.name}`);
  if (r.org !== null) parts.push(`org=${JSON.stringify(r.org)}`);
  if (r.abuseEmail !== null) parts.push(`abuse=${r.abuseEmail}`);
  return `  [${parts.join(' ')}]`;
}

/** RDAP settings of a lookup run. */
export interface LookupRdap {
  readonly resolver: RdapResolver;
  readonly mode: Exclude<RdapMode, 'off'>;
}

/** How many RDAP lookups may be pending at once; output order is kept. */
const RDAP_WINDOW = 64;

/** Runs lookups over a query source; returns the number of invalid queries. */
export async function runLookups(
  registry: Registry,
  queries: AsyncIterable<string>,
  io: CliIo,
  json: boolean,
  signal: AbortSignal,
  outTally?: StreamTally,
  rdap?: LookupRdap,
): Promise<number> {
  let invalid = 0;
  const emit = (text: string) => {
    outTally?.update(text);
    return write(io.stdout, text);
  };
  const show = async (
    r: LookupResult | LookupError,
    info?: RdapInfo | null,
  ) => {
    if ('error' in r) invalid++;
    const line = json
      ? `${JSON.stringify(info === undefined ? r : { ...r, rdap: info })}\n`
      : `${formatLookupRow(r).trimEnd()}${rdapSuffix(info)}\n`;
    const p = emit(line);
    if (p !== undefined) await p;
  };
  if (!json) await emit(row(COLUMNS.map((c) => c[0])));
  if (rdap === undefined) {
    for await (const q of queries) {
      if (signal.aborted) break;
      await show(registry.query(q));
    }
    return invalid;
  }
  // With RDAP: a window of pending lookups, written out in input order.
  const pending: Promise<Awaited<ReturnType<typeof lookupWithRdap>>>[] = [];
  const flush = async (keep: number) => {
    while (pending.length > keep) {
      const r = await pending.shift()!;
      const { rdap: info, ...rest } = r;
      await show(rest as LookupResult | LookupError, info ?? null);
    }
  };
  for await (const q of queries) {
    if (signal.aborted) break;
    pending.push(lookupWithRdap(registry, rdap.resolver, q, rdap.mode, signal));
    await flush(RDAP_WINDOW - 1);
  }
  await flush(0);
  return invalid;
}

export const lookupCommand: CommandSpec = {
  name: 'lookup',
  summary:
    'Registry, country, allocation date, status, holder and block of addresses and AS numbers',
  usage: '[--data PATH]... [--json] [--lenient] [QUERY...]',
  options: [
    ...DATA_OPTIONS,
    {
      name: 'json',
      type: 'boolean',
      description: 'One JSON object per query, in input order',
    },
    MANIFEST_OPTION,
    ...RDAP_OPTIONS,
  ],
  help: `Queries are IPv4 or IPv6 addresses (IPv4-mapped IPv6 too), AS numbers (13335, AS13335)
or CIDR blocks (1.0.16.0/20: the record holding the whole block).
With no QUERY, reads one query per line from standard input.

Exit codes: 0 all queries valid (found or not); 1 some query was invalid (each got an error
line or object, the run went on); 2 usage error; 1 also when data cannot be loaded.`,
  async run(args, io, signal) {
    const startedAt = new Date().toISOString();
    const rdapSettings = rdapOptionsFromCli(args, io);
    if (rdapSettings.mode !== 'off' && isOffline(args, io.env))
      throw new SourceError(
        'SOURCE_OFFLINE',
        `--rdap ${rdapSettings.mode} needs the network, and --offline refuses every network access`,
      );
    const registry = await loadCliRegistry(args, io);
    const resolver =
      rdapSettings.mode === 'off'
        ? null
        : await openRdapResolver(rdapSettings.options);
    const inTally = new StreamTally();
    const outTally = new StreamTally();
    const invalid = await runLookups(
      registry,
      queriesFrom(io, args.positionals, inTally),
      io,
      flagOption(args, 'json'),
      signal,
      outTally,
      resolver === null
        ? undefined
        : { resolver, mode: rdapSettings.mode as Exclude<RdapMode, 'off'> },
    ).finally(() => resolver?.close());
    const manifest = stringOption(args, 'manifest');
    if (manifest !== undefined) {
      await writeManifestFile(manifest, {
        rirmap: VERSION,
        command: 'lookup',
        options: recordedOptions(args),
        data: manifestDataFiles(registry.sources),
        input: {
          path: args.positionals.length > 0 ? 'arguments' : '-',
          sha256: inTally.digest(),
          bytes: inTally.bytes,
          rows: inTally.rows,
        },
        output: {
          path: '-',
          sha256: outTally.digest(),
          bytes: outTally.bytes,
          rows: outTally.rows,
        },
        startedAt,
        endedAt: new Date().toISOString(),
        node: process.version,
      });
    }
    return invalid > 0 ? 1 : 0;
  },
};
