/**
 * Counters of an enrichment run and the summary built from them. Counters are
 * a small Float64Array so workers can send theirs back cheaply and the main
 * thread can add them up; per-record hit counts are a Uint32Array indexed by
 * record id, turned into per-registry and per-country tallies at the end.
 */

import type { Registry } from '../types.js';
import type { EnrichField } from './enrich-fields.js';
import { createFieldReader } from './record-fields.js';

/** Indexes into a counters array. */
export const C_ROWS = 0;
export const C_LINES = 1;
export const C_BLANK = 2;
export const C_MALFORMED = 3;
export const C_ADDRESSES = 4;
export const C_FOUND = 5;
export const C_NOT_FOUND = 6;
export const C_SPECIAL = 7;
export const C_INVALID = 8;
export const C_MISSING = 9;
export const C_CONTROL = 10;
/** Length of a counters array. */
export const COUNTERS = 11;

/** A fresh counters array. */
export function createCounters(): Float64Array {
  return new Float64Array(COUNTERS);
}

/** Adds `b` into `a`. */
export function addCounters(a: Float64Array, b: ArrayLike<number>): void {
  for (let i = 0; i < COUNTERS; i++) a[i]! += b[i] ?? 0;
}

/** What an enrichment run saw. Every count is of the whole input. */
export interface EnrichSummary {
  /** Input format after detection (`rows` for enrichRows). */
  readonly format: 'csv' | 'tsv' | 'log' | 'jsonl' | 'zeek' | 'rows';
  /** Address columns (CSV/TSV/Zeek names, JSON paths); empty for logs. */
  readonly columns: readonly string[];
  readonly fields: readonly EnrichField[];
  /** Data rows (lines of a log), each written out once. Header and comment lines are not rows. */
  readonly rows: number;
  /** Header, comment and Zeek `#` lines copied or updated. */
  readonly controlLines: number;
  /** Blank lines, copied unchanged. */
  readonly blankLines: number;
  /** Rows that could not be read (a JSON line that is not an object); copied unchanged. */
  readonly malformedRows: number;
  /** Address values looked at (cells, JSON values, addresses found in log lines). */
  readonly addresses: number;
  /** Addresses a loaded file answers for. */
  readonly found: number;
  /** Valid addresses no loaded file answers for (not special-purpose). */
  readonly notFound: number;
  /** IANA special-purpose addresses (private, loopback, documentation…). */
  readonly special: number;
  /** Values that are not IP addresses. */
  readonly invalid: number;
  /** Empty or absent address values. */
  readonly missing: number;
  /** Found addresses per answering registry, most first. */
  readonly byRir: Readonly<Record<string, number>>;
  /** Found addresses per registered country (`ZZ` for none), most first. */
  readonly byCountry: Readonly<Record<string, number>>;
  /** RDAP answers per status, when RDAP was used. */
  readonly rdap?: {
    readonly queried: number;
    readonly byStatus: Readonly<Record<string, number>>;
  };
  /** Worker threads used (1: the calling thread only). */
  readonly threads: number;
  /**
   * Data rows each thread processed: the calling thread first, then each
   * worker. Sums to `rows`.
   */
  readonly rowsPerThread: readonly number[];
  /** Input bytes read (before decompression when the adapter knows them, else as given). */
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly elapsedMs: number;
}

function sortedRecord(map: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of [...map].sort(
    (a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1),
  ))
    out[k] = v;
  return out;
}

/** Tallies per-record hits into per-registry and per-country counts. */
export function tallyRecords(
  registry: Registry,
  idCounts: readonly Uint32Array[],
): { byRir: Record<string, number>; byCountry: Record<string, number> } {
  const rir = new Map<string, number>();
  const country = new Map<string, number>();
  const size = registry.size;
  const read = createFieldReader(registry);
  for (let id = 0; id < size; id++) {
    let n = 0;
    for (const counts of idCounts) n += counts[id] ?? 0;
    if (n === 0) continue;
    const r = read(id, 'rir');
    rir.set(r, (rir.get(r) ?? 0) + n);
    const cc = read(id, 'country') || 'ZZ';
    country.set(cc, (country.get(cc) ?? 0) + n);
  }
  return { byRir: sortedRecord(rir), byCountry: sortedRecord(country) };
}

/** Builds the public summary. */
export function buildSummary(input: {
  registry: Registry;
  format: EnrichSummary['format'];
  columns: readonly string[];
  fields: readonly EnrichField[];
  counters: Float64Array;
  idCounts: readonly Uint32Array[];
  rdapStatus?: Map<string, number> | undefined;
  threads: number;
  /** Rows per thread; default: all on the calling thread. */
  rowsPerThread?: readonly number[] | undefined;
  bytesIn: number;
  bytesOut: number;
  elapsedMs: number;
}): EnrichSummary {
  const c = input.counters;
  const { byRir, byCountry } = tallyRecords(input.registry, input.idCounts);
  const summary: {
    -readonly [K in keyof EnrichSummary]: EnrichSummary[K];
  } = {
    format: input.format,
    columns: [...input.columns],
    fields: [...input.fields],
    rows: c[C_ROWS]!,
    controlLines: c[C_CONTROL]!,
    blankLines: c[C_BLANK]!,
    malformedRows: c[C_MALFORMED]!,
    addresses: c[C_ADDRESSES]!,
    found: c[C_FOUND]!,
    notFound: c[C_NOT_FOUND]!,
    special: c[C_SPECIAL]!,
    invalid: c[C_INVALID]!,
    missing: c[C_MISSING]!,
    byRir,
    byCountry,
    threads: input.threads,
    rowsPerThread: [...(input.rowsPerThread ?? [c[C_ROWS]!])],
    bytesIn: input.bytesIn,
    bytesOut: input.bytesOut,
    elapsedMs: Math.round(input.elapsedMs),
  };
  if (input.rdapStatus !== undefined) {
    let queried = 0;
    for (const v of input.rdapStatus.values()) queried += v;
    summary.rdap = { queried, byStatus: sortedRecord(input.rdapStatus) };
  }
  return summary;
}

/** Human-readable summary lines (for stderr). */
export function formatSummary(s: EnrichSummary, topCountries = 10): string {
  const pct = (n: number): string =>
    s.addresses === 0 ? '' : ` (${((100 * n) / s.addresses).toFixed(1)}%)`;
  const lines = [
    `rirmap enrich: ${s.rows} rows (${s.format}) in ${(s.elapsedMs / 1000).toFixed(2)} s` +
      (s.elapsedMs > 0
        ? `, ${Math.round((s.rows * 1000) / s.elapsedMs)} rows/s`
        : '') +
      (s.threads > 1 ? `, ${s.threads} threads` : ''),
    `  addresses ${s.addresses}: found ${s.found}${pct(s.found)}, not found ${s.notFound}${pct(s.notFound)}, ` +
      `special ${s.special}${pct(s.special)}, invalid ${s.invalid}${pct(s.invalid)}` +
      (s.missing > 0 ? `; missing values ${s.missing}` : ''),
  ];
  if (s.blankLines > 0 || s.malformedRows > 0)
    lines.push(
      `  blank lines ${s.blankLines}, unreadable rows ${s.malformedRows}`,
    );
  const rirs = Object.entries(s.byRir);
  if (rirs.length > 0)
    lines.push(
      `  by registry: ${rirs.map(([k, v]) => `${k} ${v}`).join(', ')}`,
    );
  const countries = Object.entries(s.byCountry).slice(0, topCountries);
  if (countries.length > 0)
    lines.push(
      `  top countries: ${countries.map(([k, v]) => `${k} ${v}`).join(', ')}`,
    );
  if (s.rdap !== undefined)
    lines.push(
      `  rdap: ${s.rdap.queried} answers (${Object.entries(s.rdap.byStatus)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})`,
    );
  return `${lines.join('\n')}\n`;
}
