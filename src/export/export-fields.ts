/**
 * Which record fields an export carries, and the text forms of a record's
 * range shared by the MMDB and range-table writers.
 */

import {
  formatIpv4,
  formatIpv6BigInt,
  wordsToBigInt,
} from '../ip/format-ip.js';
import { parseIpv4, parseIpv6 } from '../ip/parse-ip.js';
import type { RegistryRecord } from '../types.js';
import { ipv4Prefixes, ipv6Prefixes } from './export-intervals.js';

/** Record fields an export can carry, in output order. */
export const EXPORT_FIELDS = [
  'rir',
  'country',
  'date',
  'status',
  'holder',
  'range',
  'source',
] as const;

/** One of {@link EXPORT_FIELDS}. */
export type ExportField = (typeof EXPORT_FIELDS)[number];

/**
 * Checks a `fields` option and returns the fields in output order.
 * @throws {TypeError} when `fields` is not an array of strings
 * @throws {RangeError} when it names an unknown field or none
 */
export function normalizeFields(
  fields: unknown,
  option = 'fields',
): readonly ExportField[] {
  if (fields === undefined) return EXPORT_FIELDS;
  if (!Array.isArray(fields) || fields.some((f) => typeof f !== 'string'))
    throw new TypeError(`Expected \`${option}\` to be an array of field names`);
  const known = new Set<string>(EXPORT_FIELDS);
  for (const f of fields as string[])
    if (!known.has(f))
      throw new RangeError(
        `Unknown field ${JSON.stringify(f)} in \`${option}\`; expected some of ${EXPORT_FIELDS.join(', ')}`,
      );
  if (fields.length === 0)
    throw new RangeError(`Expected \`${option}\` to name at least one field`);
  const chosen = new Set(fields as string[]);
  return EXPORT_FIELDS.filter((f) => chosen.has(f));
}

/** Parses a comma-separated field list (`rir,country`), as the CLI's `--fields` takes it. */
export function parseFieldList(
  text: string,
  option = 'fields',
): readonly ExportField[] {
  return normalizeFields(
    text
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    option,
  );
}

/**
 * A record's whole delegated block as one string: its CIDR when the block is
 * exactly one prefix, else `start-end` (as `rirmap lookup` prints it).
 */
export function recordRangeLabel(record: RegistryRecord): string {
  const r = recordRangeText(record);
  return r.cidrs.length === 1 ? r.cidrs[0]! : `${r.start}-${r.end}`;
}

/** Start and end text of a record's delegated block, and its minimal CIDR cover. */
export function recordRangeText(record: RegistryRecord): {
  readonly start: string;
  readonly end: string;
  readonly cidrs: readonly string[];
} {
  const { start, end } = record.range;
  const s = String(start);
  const e = String(end);
  if (record.range.cidrs !== undefined)
    return { start: s, end: e, cidrs: record.range.cidrs };
  if (record.type === 'asn') return { start: s, end: e, cidrs: [] };
  const family = record.type === 'ipv4' ? 4 : 6;
  return {
    start: s,
    end: e,
    cidrs: rangeCidrs(family, addressValue(s), addressValue(e)),
  };
}

function addressValue(text: string): bigint {
  const v4 = parseIpv4(text);
  if (v4 >= 0) return BigInt(v4);
  const words = new Uint32Array(4);
  parseIpv6(text, words);
  return wordsToBigInt(words);
}

/** Minimal CIDR cover of a range, as text. */
export function rangeCidrs(
  family: 4 | 6,
  start: bigint,
  end: bigint,
): string[] {
  const out: string[] = [];
  if (family === 4) {
    for (const [s, len] of ipv4Prefixes(Number(start), Number(end)))
      out.push(`${formatIpv4(s)}/${len}`);
  } else {
    for (const [s, len] of ipv6Prefixes(start, end))
      out.push(`${formatIpv6BigInt(s)}/${len}`);
  }
  return out;
}
