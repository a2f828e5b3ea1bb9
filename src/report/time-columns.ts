/**
 * Which column or key of a table holds the time of a row: a name from a list
 * of usual names, else the first column whose sample values all read as
 * timestamps.
 */

import { TimestampReader } from './timestamp-reader.js';

/** Column and key names taken for the time of a row, in order of preference (case-insensitive). */
export const TIME_COLUMN_NAMES: readonly string[] = [
  'timestamp',
  '@timestamp',
  'ts',
  'time',
  'datetime',
  'date_time',
  'event_time',
  'eventtime',
  'start_time',
  'starttime',
  'first_seen',
  'date',
];

/**
 * Picks the time column of a table.
 * @param names header names (empty strings for a table without a header).
 * @param rows sample data rows (cell texts).
 * @param exclude columns that cannot be the time (address columns).
 * @param given the `timeColumn` option: a name, a 0-based index, a digit string
 *   (1-based, when no header has that name), false for none, undefined for auto.
 * @returns the 0-based column, or -1.
 * @throws {TypeError} naming `timeColumn` when a given name is not in the header.
 */
export function pickTimeColumn(
  names: readonly string[],
  rows: readonly (readonly string[])[],
  exclude: readonly number[],
  given: string | number | false | undefined,
): number {
  if (given === false) return -1;
  if (typeof given === 'number') return given;
  if (typeof given === 'string') {
    const i = names.indexOf(given);
    if (i >= 0) return i;
    if (/^\d+$/.test(given) && Number(given) >= 1) return Number(given) - 1;
    throw new TypeError(
      `\`timeColumn\`: no column ${JSON.stringify(given)} in the header (${names.map((n) => JSON.stringify(n)).join(', ')})`,
    );
  }
  const lower = names.map((n) => n.trim().toLowerCase());
  for (const want of TIME_COLUMN_NAMES) {
    const i = lower.indexOf(want);
    if (i >= 0 && !exclude.includes(i)) return i;
  }
  const width = Math.max(0, ...rows.map((r) => r.length));
  const probe = new TimestampReader();
  for (let j = 0; j < width; j++) {
    if (exclude.includes(j)) continue;
    let filled = 0;
    let times = 0;
    for (const r of rows) {
      const v = (r[j] ?? '').trim();
      if (v === '') continue;
      filled++;
      if (!Number.isNaN(probe.fromValue(v))) times++;
    }
    if (filled > 0 && times === filled) return j;
  }
  return -1;
}

/** Picks the time key of JSON objects (top-level keys only), or null. */
export function pickTimeKey(
  objects: readonly Record<string, unknown>[],
  given: string | number | false | undefined,
): string | null {
  if (given === false) return null;
  if (typeof given === 'string') return given;
  if (typeof given === 'number')
    throw new TypeError('`timeColumn`: JSON lines time keys are names');
  for (const want of TIME_COLUMN_NAMES) {
    for (const o of objects) {
      const key = Object.keys(o).find((k) => k.toLowerCase() === want);
      if (key !== undefined) {
        const v = o[key];
        if (typeof v === 'string' || typeof v === 'number') return key;
      }
    }
  }
  return null;
}
