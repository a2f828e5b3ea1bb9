/**
 * Writes the registry as a range table, CSV or JSON Lines, one row per
 * disjoint range in address order (IPv4 first, then IPv6): the form that a
 * ClickHouse `ip_trie` dictionary, a Spark broadcast join or a database
 * range join reads.
 *
 * Columns: `start,end,cidr,rir,country,date,status,holder,source`.
 * - `start`, `end`: the range this row answers for. Where a more specific
 *   record overrides part of a block, or a special-purpose block is cut out,
 *   the block appears as several rows, so rows never overlap.
 * - `cidr`: the row's minimal CIDR cover (CSV: space-separated; JSON: an
 *   array); with `cidr: true` every row is exactly one CIDR (JSON: a string).
 * - `rir`, `country` (registered country, not a location), `date`, `status`,
 *   `holder`: the record's fields; empty in CSV and null in JSON when unknown.
 * - `source`: the delegated file's base name.
 */

import { formatIpv4, formatIpv6BigInt } from '../ip/format-ip.js';
import type { Registry, RegistryRecord } from '../types.js';
import {
  exportIntervals,
  ipv4Prefixes,
  ipv6Prefixes,
} from './export-intervals.js';
import {
  type ExportField,
  normalizeFields,
  rangeCidrs,
  recordRangeLabel,
} from './export-fields.js';
import { type ExportSink, SinkWriter } from './export-sink.js';

/** Formats of {@link writeRanges}. */
export type RangeFormat = 'csv' | 'jsonl';

/** Options of {@link writeRanges}. */
export interface WriteRangesOptions {
  /** `csv` or `jsonl`. */
  readonly format: RangeFormat;
  /** One row per CIDR instead of one per range. Default false. */
  readonly cidr?: boolean;
  /** Record fields (columns after `start,end,cidr`). Default: all but `range`. */
  readonly fields?: readonly ExportField[];
  /** Leave IPv6 out. Default false. */
  readonly ipv4Only?: boolean;
  /** CSV only: write a header line. Default true. */
  readonly header?: boolean;
  /** Stops the export with an `ABORTED` error. */
  readonly signal?: AbortSignal;
}

/** What {@link writeRanges} wrote. */
export interface RangesSummary {
  /** Rows written (without the header). */
  readonly rows: number;
  /** Ranges those rows came from. */
  readonly ranges: number;
  readonly bytes: number;
}

const FLUSH_AT = 1 << 16;

/** Quotes a CSV field when it holds a comma, quote, CR or LF (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function fieldValue(record: RegistryRecord, field: ExportField): string | null {
  switch (field) {
    case 'rir':
      return record.rir;
    case 'country':
      return record.country;
    case 'date':
      return record.date;
    case 'status':
      return record.status;
    case 'holder':
      return record.holder;
    case 'range':
      return recordRangeLabel(record);
    case 'source':
      return record.source.file;
  }
}

/**
 * Writes the registry's IPv4 and IPv6 ranges as CSV or JSON Lines. The
 * special-purpose blocks `lookup` answers as misses are left out, so every
 * row answers what `lookup` answers. The stream is not ended.
 *
 * With `fields`, the `range` field adds a `range` column holding the record's
 * whole delegated block (its CIDR, or `start-end` when it is not one prefix);
 * the row's own `start`/`end` may be a part of it.
 *
 * @param registry the loaded registry
 * @param stream a Node Writable, or a function called with each chunk (awaited)
 * @param options see {@link WriteRangesOptions}
 * @throws {TypeError|RangeError} synchronously, for bad options
 * @throws {RegistryError} `ABORTED` when `signal` fires
 */
export function writeRanges(
  registry: Registry,
  stream: ExportSink,
  options: WriteRangesOptions,
): Promise<RangesSummary> {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('Expected `options` to be an object');
  const format = options.format;
  if (format !== 'csv' && format !== 'jsonl')
    throw new RangeError(
      `Expected \`format\` to be 'csv' or 'jsonl', got ${JSON.stringify(format)}`,
    );
  for (const name of ['cidr', 'ipv4Only', 'header'] as const) {
    const v = options[name];
    if (v !== undefined && typeof v !== 'boolean')
      throw new TypeError(`Expected \`${name}\` to be a boolean`);
  }
  const fields =
    options.fields === undefined
      ? normalizeFields([
          'rir',
          'country',
          'date',
          'status',
          'holder',
          'source',
        ])
      : normalizeFields(options.fields);
  const perCidr = options.cidr ?? false;
  const sink = new SinkWriter(stream, options.signal);
  const encoder = new TextEncoder();

  return (async () => {
    let rows = 0;
    let ranges = 0;
    let text = '';
    const flush = async (): Promise<void> => {
      if (text === '') return;
      const chunk = encoder.encode(text);
      text = '';
      await sink.write(chunk);
    };
    const emit = (
      start: string,
      end: string,
      cidr: string | readonly string[],
      record: RegistryRecord,
    ): void => {
      rows++;
      if (format === 'csv') {
        let line = `${start},${end},${typeof cidr === 'string' ? cidr : cidr.join(' ')}`;
        for (const f of fields)
          line += `,${csvField(fieldValue(record, f) ?? '')}`;
        text += `${line}\n`;
      } else {
        const row: Record<string, unknown> = { start, end, cidr };
        for (const f of fields) row[f] = fieldValue(record, f);
        text += `${JSON.stringify(row)}\n`;
      }
    };
    try {
      if (format === 'csv' && (options.header ?? true))
        text += `${['start', 'end', 'cidr', ...fields].join(',')}\n`;
      const families: ('ipv4' | 'ipv6')[] =
        options.ipv4Only === true ? ['ipv4'] : ['ipv4', 'ipv6'];
      for (const type of families) {
        for (const iv of exportIntervals(registry, type)) {
          ranges++;
          const record = registry.record(iv.id);
          if (!perCidr) {
            const fmt =
              type === 'ipv4'
                ? (v: bigint) => formatIpv4(Number(v))
                : formatIpv6BigInt;
            emit(
              fmt(iv.start),
              fmt(iv.end),
              rangeCidrs(type === 'ipv4' ? 4 : 6, iv.start, iv.end),
              record,
            );
          } else if (type === 'ipv4') {
            for (const [s, len] of ipv4Prefixes(
              Number(iv.start),
              Number(iv.end),
            )) {
              const first = formatIpv4(s);
              emit(
                first,
                formatIpv4(s + 2 ** (32 - len) - 1),
                `${first}/${len}`,
                record,
              );
            }
          } else {
            for (const [s, len] of ipv6Prefixes(iv.start, iv.end)) {
              const first = formatIpv6BigInt(s);
              const last = formatIpv6BigInt(s + (1n << BigInt(128 - len)) - 1n);
              emit(first, last, `${first}/${len}`, record);
            }
          }
          if (text.length >= FLUSH_AT) await flush();
        }
      }
      await flush();
      return { rows, ranges, bytes: sink.bytes };
    } finally {
      sink.release();
    }
  })();
}
