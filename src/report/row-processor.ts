/**
 * What the report's row processors share: their contract, their context and
 * a few JSON helpers.
 */

import type { EnrichFormat, FormatPlan } from '../formats/format-plan.js';
import { binaryAsUtf8 } from '../formats/text-encoding.js';
import type { Registry } from '../types.js';
import type { AddressObserver } from './address-observer.js';
import type { ReportBuilder } from './report-builder.js';
import type { TimestampReader } from './timestamp-reader.js';

/** Options of {@link readReportSource}. */
export interface ReportSourceOptions {
  /** `input`: look addresses up (registry required); `enriched`: read what `rirmap enrich` added. */
  readonly from: 'input' | 'enriched';
  readonly registry: Registry | null;
  readonly format: EnrichFormat | 'auto';
  readonly columns: readonly (string | number)[] | undefined;
  readonly header: boolean | undefined;
  readonly delimiter: string | undefined;
  readonly quote: string | undefined;
  readonly timeColumn: string | number | false | undefined;
  readonly year: number | null;
  readonly maxRowBytes: number;
  readonly signal: AbortSignal | undefined;
}

/** Reads rows of one format. */
export interface RowProcessor {
  /** The plan the framer cuts rows by. */
  readonly plan: FormatPlan;
  readonly format: string;
  readonly columns: readonly string[];
  readonly timeSource: string | null;
  /** A header or comment block (CSV header, Zeek `#` lines). */
  control(text: string): void;
  /** Whole rows, as a binary (latin1) string. */
  body(text: string): void;
}

/** What processors share. */
export interface ProcessorContext {
  readonly observer: AddressObserver;
  readonly builder: ReportBuilder;
  readonly times: TimestampReader;
  readonly options: ReportSourceOptions;
}

/** True for a JSON object (not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value by literal key, else by dotted path (as enrichment reads it). */
export function valueAt(obj: Record<string, unknown>, key: string): unknown {
  const direct = obj[key];
  if (direct !== undefined || !key.includes('.')) return direct;
  let v: unknown = obj;
  for (const p of key.split('.')) {
    if (!isObject(v)) return undefined;
    v = v[p];
  }
  return v;
}

/** JSON objects of the first lines of a sample (binary string). */
export function sampleObjects(
  sample: string,
  final: boolean,
): Record<string, unknown>[] {
  const lines = sample.split('\n');
  if (!final && lines.length > 1) lines.pop();
  const out: Record<string, unknown>[] = [];
  for (const line of lines.slice(0, 200)) {
    if (line.trim() === '') continue;
    try {
      const v: unknown = JSON.parse(binaryAsUtf8(line));
      if (isObject(v)) out.push(v);
    } catch {
      // not JSON
    }
  }
  return out;
}

/** Reads the time of a JSON value. */
export function jsonTime(times: TimestampReader, v: unknown): number {
  if (typeof v === 'string') return times.fromValue(v);
  if (typeof v === 'number') return times.fromNumber(v);
  return NaN;
}
