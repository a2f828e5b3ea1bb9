/**
 * A second, deliberately simple implementation of what a report counts, for
 * checking reports against: delegated files parsed with split('|'), IPv4
 * lookup by scanning the records that cover an address and applying the
 * README's precedence rules by hand, addresses found with a regular
 * expression, times read with another. Slow and plain on purpose; shares no
 * code with src/.
 */

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

const RIRS = ['afrinic', 'apnic', 'arin', 'lacnic', 'ripencc'];

/** One IPv4 record of a delegated file. */
export interface PlainRecord {
  readonly start: number;
  readonly end: number;
  readonly rir: string;
  readonly country: string | null;
  readonly date: string | null;
  readonly status: string;
  readonly holder: string | null;
  readonly iana: boolean;
  /** Header end date yyyymmdd (precedence tie-break). */
  readonly fileDate: string;
}

function ipNumber(text: string): number {
  const p = text.split('.').map(Number);
  return ((p[0]! * 256 + p[1]!) * 256 + p[2]!) * 256 + p[3]!;
}

/** IPv4 records of delegated files (gzip or plain). */
export function readPlainRecords(paths: readonly string[]): PlainRecord[] {
  const out: PlainRecord[] = [];
  for (const path of paths) {
    const raw = readFileSync(path);
    const text = (
      raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw
    ).toString('utf8');
    let fileDate = '';
    let iana = false;
    for (const line of text.split(/\r?\n/)) {
      if (line === '' || line.startsWith('#')) continue;
      const f = line.split('|');
      if (fileDate === '' && /^\d/.test(f[0]!)) {
        fileDate = f[5] ?? '';
        iana = f[1] === 'iana';
        continue;
      }
      if (f[2] !== 'ipv4' || f[5] === 'summary' || f.length < 7) continue;
      const start = ipNumber(f[3]!);
      const count = Number(f[4]);
      const d = f[5]!;
      // IANA's file names the registry in the status column: a block given to a
      // registry is `allocated`, IANA's own space `assigned`, IETF's `reserved`.
      const named = f[6]!.toLowerCase();
      const status = !iana
        ? named
        : RIRS.includes(named)
          ? 'allocated'
          : named === 'ietf'
            ? 'reserved'
            : named === 'iana'
              ? 'assigned'
              : named;
      const cc = (f[1] ?? '').toUpperCase();
      out.push({
        start,
        end: start + count - 1,
        rir: iana
          ? RIRS.includes(named)
            ? named
            : 'iana'
          : f[0]!.toLowerCase(),
        country: iana || cc === '' || cc === 'ZZ' ? null : cc,
        date:
          d === '' || d === '00000000' || d === '19700101'
            ? null
            : `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`,
        status,
        holder: iana || f[7] === undefined || f[7] === '' ? null : f[7],
        iana,
        fileDate,
      });
    }
  }
  return out;
}

const SPECIAL: readonly [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

/** True for IANA special-purpose IPv4 space (private, loopback, multicast…). */
export function isSpecialIpv4(ip: string): boolean {
  const n = ipNumber(ip);
  return SPECIAL.some(([base, len]) => {
    const size = 2 ** (32 - len);
    const b = ipNumber(base);
    return n >= b && n < b + size;
  });
}

const buckets = new WeakMap<readonly PlainRecord[], PlainRecord[][]>();

/** The records that touch a /8 (a record spanning several /8s is in each). */
function bucketOf(
  records: readonly PlainRecord[],
  octet: number,
): PlainRecord[] {
  let b = buckets.get(records);
  if (b === undefined) {
    b = Array.from({ length: 256 }, () => []);
    for (const r of records)
      for (let o = r.start >>> 24; o <= r.end >>> 24; o++) b[o]!.push(r);
    buckets.set(records, b);
  }
  return b[octet]!;
}

/**
 * The record answering for an address: registries' files before IANA's, then
 * the smallest range, then allocated/assigned before available/reserved,
 * then the later file, then registry name.
 */
export function plainLookup(
  records: readonly PlainRecord[],
  ip: string,
): PlainRecord | null {
  const n = ipNumber(ip);
  const rank = (s: string): number =>
    s === 'allocated' || s === 'assigned' ? 0 : 1;
  let best: PlainRecord | null = null;
  for (const r of bucketOf(records, n >>> 24)) {
    if (n < r.start || n > r.end) continue;
    if (best === null) {
      best = r;
      continue;
    }
    const better =
      best.iana !== r.iana
        ? !r.iana
        : r.end - r.start !== best.end - best.start
          ? r.end - r.start < best.end - best.start
          : rank(r.status) !== rank(best.status)
            ? rank(r.status) < rank(best.status)
            : r.fileDate !== best.fileDate
              ? r.fileDate > best.fileDate
              : r.rir < best.rir;
    if (better) best = r;
  }
  return best;
}

/**
 * Dotted quads in a line that are not part of a longer dotted run: not after a
 * digit or dot, not before a digit or a `.word` (`5.36.59.76.dynamic-dsl…` is a host name).
 */
export function ipv4InLine(line: string): string[] {
  return [
    ...line.matchAll(
      /(?<![\d.])(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})(?!\d|\.\w)/g,
    ),
  ].map((m) => m[1]!);
}

const MONTHS = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
];

/** The `mm-dd hh:mm:ss` of a syslog line, or null. */
export function syslogTime(line: string): string | null {
  const m = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d\d:\d\d:\d\d)/.exec(line);
  if (m === null) return null;
  return `${String(MONTHS.indexOf(m[1]!) + 1).padStart(2, '0')}-${m[2]!.padStart(2, '0')} ${m[3]}`;
}

/** Counts of one group. */
export interface PlainCounts {
  addresses: Set<string>;
  hits: number;
  rows: Set<number>;
  first: string | null;
  last: string | null;
}

function counts(): PlainCounts {
  return {
    addresses: new Set(),
    hits: 0,
    rows: new Set(),
    first: null,
    last: null,
  };
}

/** What a report of a syslog-stamped log should say, computed the plain way. */
export interface PlainReport {
  lines: number;
  hits: number;
  found: number;
  notFound: number;
  special: number;
  rowsWithAddresses: number;
  distinct: number;
  total: PlainCounts;
  registries: Map<
    string,
    PlainCounts & { countries: Set<string | null>; blocks: Set<string> }
  >;
  countries: Map<string | null, PlainCounts>;
  blocks: Map<string, PlainCounts & { record: PlainRecord }>;
  holders: Map<string, PlainCounts>;
}

function touch(
  c: PlainCounts,
  ip: string,
  row: number,
  time: string | null,
): void {
  c.addresses.add(ip);
  c.hits++;
  c.rows.add(row);
  if (time !== null) {
    if (c.first === null || time < c.first) c.first = time;
    if (c.last === null || time > c.last) c.last = time;
  }
}

/** Builds the plain report of a log whose lines start with a syslog time. */
export function plainReport(
  text: string,
  records: readonly PlainRecord[],
): PlainReport {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const cache = new Map<string, PlainRecord | null>();
  const out: PlainReport = {
    lines: lines.length,
    hits: 0,
    found: 0,
    notFound: 0,
    special: 0,
    rowsWithAddresses: 0,
    distinct: 0,
    total: counts(),
    registries: new Map(),
    countries: new Map(),
    blocks: new Map(),
    holders: new Map(),
  };
  lines.forEach((line, i) => {
    const row = i + 1;
    const ips = ipv4InLine(line);
    if (ips.length > 0) out.rowsWithAddresses++;
    const time = syslogTime(line);
    for (const ip of ips) {
      out.hits++;
      touch(out.total, ip, row, time);
      if (isSpecialIpv4(ip)) {
        out.special++;
        continue;
      }
      let r = cache.get(ip);
      if (r === undefined) {
        r = plainLookup(records, ip);
        cache.set(ip, r);
      }
      if (r === null) {
        out.notFound++;
        continue;
      }
      out.found++;
      let reg = out.registries.get(r.rir);
      if (reg === undefined) {
        reg = { ...counts(), countries: new Set(), blocks: new Set() };
        out.registries.set(r.rir, reg);
      }
      touch(reg, ip, row, time);
      reg.countries.add(r.country);
      const blockKey = `${r.rir} ${r.start}-${r.end}`;
      reg.blocks.add(blockKey);
      let c = out.countries.get(r.country);
      if (c === undefined) out.countries.set(r.country, (c = counts()));
      touch(c, ip, row, time);
      let b = out.blocks.get(blockKey);
      if (b === undefined)
        out.blocks.set(blockKey, (b = { ...counts(), record: r }));
      touch(b, ip, row, time);
      if (r.holder !== null) {
        const hk = `${r.rir} ${r.holder}`;
        let h = out.holders.get(hk);
        if (h === undefined) out.holders.set(hk, (h = counts()));
        touch(h, ip, row, time);
      }
    }
  });
  out.distinct = out.total.addresses.size;
  return out;
}

/** `1.2.3.4` ↔ number, for block keys in tests. */
export function ipText(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}
