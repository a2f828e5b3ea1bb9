/**
 * The report's library entry point: an input (bytes) in, a {@link Report} out.
 * Reads the input once, in constant memory (see report-builder.ts for what is
 * kept), then asks RDAP about the blocks met when a resolver is given.
 */

import { createHash } from 'node:crypto';
import { VERSION } from '../version.js';
import type { EnrichFormat } from '../formats/format-plan.js';
import { manifestDataFiles } from '../provenance/manifest.js';
import type { RdapResolver } from '../rdap/rdap-types.js';
import type { Registry } from '../types.js';
import { ReportBuilder } from './report-builder.js';
import { readReportSource } from './report-source.js';
import type { Report, ReportLimits } from './report-types.js';

/** RDAP for a report: the resolver, and which addresses to ask about. */
export interface ReportRdapOptions {
  readonly resolver: RdapResolver;
  /**
   * `fallback`: the unallocated (not found) addresses; `always`: those, and
   * the most-seen addresses of every block (`perBlock` of them).
   */
  readonly mode: 'fallback' | 'always';
  /** Addresses asked about per block in `always` mode. Default 1. */
  readonly perBlock?: number;
  /** Lookups in flight at once (the resolver paces each registry itself). Default 8. */
  readonly concurrency?: number;
}

/** Options of {@link buildReport}. */
export interface BuildReportOptions {
  /** `input` (default): a raw input, looked up on the way; `enriched`: a file `rirmap enrich` wrote. */
  readonly from?: 'input' | 'enriched';
  /** The loaded registry. Required for `from: 'input'`; optional for `enriched` (fills in holder and block). */
  readonly registry?: Registry | null;
  /** Input format, as for enrichment. Default `auto`. */
  readonly format?: EnrichFormat | 'auto';
  /** Address columns or JSON keys, as for enrichment. Default: detected. */
  readonly columns?: readonly (string | number)[];
  /** CSV: whether the first row is a header. Default: detected. */
  readonly header?: boolean;
  /** CSV: field delimiter. Default: detected. */
  readonly delimiter?: string;
  /** CSV: quote character. Default `"`. */
  readonly quote?: string;
  /**
   * The time column or JSON key (name, 0-based index, or a digit string for a
   * 1-based column); false for none. Default: detected (`timestamp`, `ts`, `time`…;
   * free-text logs: the line's syslog, ISO 8601 or Apache time).
   */
  readonly timeColumn?: string | number | false;
  /** Year of year-less syslog times. Default: none (times written without a year). */
  readonly year?: number;
  /** RDAP lookups for names, organisations and abuse contacts. */
  readonly rdap?: ReportRdapOptions;
  /** Memory bounds. */
  readonly limits?: Partial<ReportLimits>;
  /** Input name for the manifest (a base name; `-` for standard input). Default `-`. */
  readonly inputName?: string;
  /**
   * The input's sha256 and size, when the caller hashes it itself (e.g. the
   * compressed bytes of a `.gz`). Default: the bytes given to buildReport.
   */
  readonly inputDigest?: () => {
    readonly sha256: string;
    readonly bytes: number;
  };
  /** Longest row accepted, in bytes. Default 64 MiB. */
  readonly maxRowBytes?: number;
  readonly signal?: AbortSignal;
}

/** Input accepted by {@link buildReport}: bytes or text chunks. */
export type ReportInput =
  AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

const FORMATS = ['auto', 'csv', 'tsv', 'log', 'jsonl', 'zeek'];

function validate(o: BuildReportOptions): void {
  if (typeof o !== 'object' || o === null)
    throw new TypeError('`options` must be an object');
  const from = o.from ?? 'input';
  if (from !== 'input' && from !== 'enriched')
    throw new TypeError('`from` must be "input" or "enriched"');
  const r = o.registry;
  if (
    r !== undefined &&
    r !== null &&
    (typeof r !== 'object' || typeof r.lookupIdIn !== 'function')
  )
    throw new TypeError('`registry` must be a Registry (see loadRegistry)');
  if (from === 'input' && (r === undefined || r === null))
    throw new TypeError(
      '`registry` is required to report on a raw input (`from: "input"`)',
    );
  if (o.format !== undefined && !FORMATS.includes(o.format))
    throw new TypeError(
      `\`format\` must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(o.format)}`,
    );
  if (
    o.columns !== undefined &&
    (!Array.isArray(o.columns) || o.columns.length === 0)
  )
    throw new TypeError(
      '`columns` must be a non-empty list of names or 0-based indexes',
    );
  if (
    o.timeColumn !== undefined &&
    o.timeColumn !== false &&
    typeof o.timeColumn !== 'string' &&
    typeof o.timeColumn !== 'number'
  )
    throw new TypeError('`timeColumn` must be a name, an index or false');
  if (
    o.year !== undefined &&
    (!Number.isInteger(o.year) || o.year < 1970 || o.year > 9999)
  )
    throw new RangeError('`year` must be a year from 1970 to 9999');
  if (o.rdap !== undefined) {
    if (
      typeof o.rdap !== 'object' ||
      typeof o.rdap.resolver?.resolve !== 'function'
    )
      throw new TypeError('`rdap.resolver` must be an RdapResolver');
    if (o.rdap.mode !== 'fallback' && o.rdap.mode !== 'always')
      throw new TypeError('`rdap.mode` must be "fallback" or "always"');
    for (const [name, v, max] of [
      ['rdap.perBlock', o.rdap.perBlock, 100],
      ['rdap.concurrency', o.rdap.concurrency, 64],
    ] as const)
      if (v !== undefined && (!Number.isInteger(v) || v < 1 || v > max))
        throw new RangeError(`\`${name}\` must be an integer from 1 to ${max}`);
  }
  if (
    o.maxRowBytes !== undefined &&
    (!Number.isInteger(o.maxRowBytes) || o.maxRowBytes < 1024)
  )
    throw new RangeError('`maxRowBytes` must be an integer of at least 1024');
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal))
    throw new TypeError('`signal` must be an AbortSignal');
  if (o.inputDigest !== undefined && typeof o.inputDigest !== 'function')
    throw new TypeError('`inputDigest` must be a function');
}

async function* hashed(
  input: ReportInput,
  state: { hash: ReturnType<typeof createHash>; bytes: number },
): AsyncGenerator<Uint8Array> {
  for await (const chunk of input as AsyncIterable<Uint8Array | string>) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    state.hash.update(b);
    state.bytes += b.byteLength;
    yield b;
  }
}

/** Runs `fn` over `items`, at most `limit` at once. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, worker),
  );
}

/**
 * Builds the jurisdiction report of an input.
 *
 * @param input the input's bytes (a file stream, chunks) or text.
 * @param options see {@link BuildReportOptions}.
 * @returns the report (render it with formatReportJson, formatReportMarkdown or formatReportHtml).
 * @throws {TypeError | RangeError} at once, for bad options.
 * @throws {RegistryError} `INPUT_MALFORMED` when the input cannot be read (no
 *   address column, a row longer than `maxRowBytes`, `from: 'enriched'` and not
 *   an enriched file); the signal's reason when aborted.
 */
export async function buildReport(
  input: ReportInput,
  options: BuildReportOptions,
): Promise<Report> {
  validate(options);
  const from = options.from ?? 'input';
  const registry = options.registry ?? null;
  const builder = new ReportBuilder(options.limits ?? {});
  const state = { hash: createHash('sha256'), bytes: 0 };
  const read = await readReportSource(hashed(input, state), builder, {
    from,
    registry,
    format: options.format ?? 'auto',
    columns: options.columns,
    header: options.header,
    delimiter: options.delimiter,
    quote: options.quote,
    timeColumn: options.timeColumn,
    year: options.year ?? null,
    maxRowBytes: options.maxRowBytes ?? 64 * 2 ** 20,
    signal: options.signal,
  });
  const digest = options.inputDigest?.() ?? {
    sha256: state.hash.digest('hex'),
    bytes: state.bytes,
  };
  const warnings: string[] = [];
  if (read.mismatches > 0)
    warnings.push(
      `${read.mismatches} enriched value(s) name a registry or country the loaded data does not give for the address ` +
        '(the file was enriched with other data); their blocks are told apart by the fields the file has',
    );
  if (from === 'enriched' && registry === null)
    warnings.push(
      'no registry data was loaded: holders and blocks come only from the enriched fields',
    );
  let rdapMode = from === 'enriched' ? 'file' : 'off';
  const rdap = options.rdap;
  if (rdap !== undefined) {
    rdapMode = rdap.mode;
    const signal = options.signal;
    const statuses = new Map<string, number>();
    const count = (status: string): void => {
      const s = status.startsWith('error') ? 'error' : status;
      statuses.set(s, (statuses.get(s) ?? 0) + 1);
    };
    const { blocks, unallocated } = builder.rdapCandidates(
      rdap.mode === 'always' ? (rdap.perBlock ?? 1) : 0,
    );
    const jobs: {
      ip: string;
      record: (typeof blocks)[number]['record'] | null;
    }[] = [];
    if (rdap.mode === 'always')
      for (const b of blocks)
        for (const ip of b.ips) jobs.push({ ip, record: b.record });
    for (const ip of unallocated) jobs.push({ ip, record: null });
    await eachLimited(jobs, rdap.concurrency ?? 8, async ({ ip, record }) => {
      signal?.throwIfAborted();
      const info = await rdap.resolver.resolve(ip, record, signal);
      count(info.status);
      if (info.status !== 'ok' && info.status !== 'cached') return;
      if (record !== null) builder.addRdap(record, info);
      else builder.addRdapUnallocated(info);
    });
    const failed = [...statuses].filter(
      ([s]) => s !== 'ok' && s !== 'cached' && s !== 'not-found',
    );
    if (failed.length > 0)
      warnings.push(
        `RDAP gave no answer for ${failed.reduce((n, [, c]) => n + c, 0)} of ${jobs.length} lookups (` +
          failed
            .sort((a, b) => (a[0] < b[0] ? -1 : 1))
            .map(([s, c]) => `${s} ${c}`)
            .join(', ') +
          ')',
      );
  }
  return builder.finish({
    manifest: {
      rirmap: VERSION,
      mode: from,
      input: {
        name: options.inputName ?? '-',
        sha256: digest.sha256,
        bytes: digest.bytes,
      },
      format: read.format,
      columns: read.columns,
      data: registry === null ? [] : manifestDataFiles(registry.sources),
      rdap: rdapMode,
    },
    timeSource: read.timeSource,
    timeKind: read.timeKind,
    warnings,
  });
}
