/** `rirmap lookup`: answers for addresses and AS numbers. */

import { createInterface } from 'node:readline';
import type { LookupError, LookupResult, Registry } from '../../types.js';
import { manifestDataFiles, StreamTally } from '../../provenance/manifest.js';
import {
  DATA_OPTIONS,
  flagOption,
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
export async function runLookups(
  registry: Registry,
  queries: AsyncIterable<string>,
  io: CliIo,
  json: boolean,
  signal: AbortSignal,
  outTally?: StreamTally,
): Promise<number> {
  let invalid = 0;
  const emit = (text: string) => {
    outTally?.update(text);
    return write(io.stdout, text);
  };
  if (!json) await emit(row(COLUMNS.map((c) => c[0])));
  for await (const q of queries) {
    if (signal.aborted) break;
    const r = registry.query(q);
    if ('error' in r) invalid++;
    const p = emit(json ? `${JSON.stringify(r)}\n` : formatLookupRow(r));
    if (p !== undefined) await p;
  }
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
  ],
  help: `Queries are IPv4 or IPv6 addresses (IPv4-mapped IPv6 too) or AS numbers (13335, AS13335).
With no QUERY, reads one query per line from standard input.

Exit codes: 0 all queries valid (found or not); 1 some query was invalid (each got an error
line or object, the run went on); 2 usage error; 1 also when data cannot be loaded.`,
  async run(args, io, signal) {
    const startedAt = new Date().toISOString();
    const registry = await loadCliRegistry(args, io);
    const inTally = new StreamTally();
    const outTally = new StreamTally();
    const invalid = await runLookups(
      registry,
      queriesFrom(io, args.positionals, inTally),
      io,
      flagOption(args, 'json'),
      signal,
      outTally,
    );
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
