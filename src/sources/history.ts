/**
 * `history(query)`: what the dated delegated files of a data directory say
 * about one address or AS number over time.
 *
 * Model. The end dates of all files form a timeline. At each date D the answer
 * is what `lookup --as-of D` would give over the same files: per registry the
 * newest file not later than D (extended over standard on a tie), and among the
 * records of those files covering the query, the one that wins by precedence:
 * the smallest range; then allocated/assigned over available/reserved; then
 * the file with the later end date; then registry name order. Records of the
 * IANA file answer only where no other file does. Consecutive dates with equal
 * answers (registry, country, status, holder, allocation date and range) are
 * collapsed into one period, so changes such as inter-registry transfers show.
 *
 * Each file is read in full once, with a linear scan for the smallest record
 * covering the query: simple, and fast enough for one query over a few dozen files.
 */

import { open, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import {
  DelegatedFileError,
  QueryError,
  SourceError,
  isRegistryError,
} from '../errors.js';
import { parseDelegated } from '../delegated/parse-delegated.js';
import type { DelegatedRecord } from '../delegated/delegated-record.js';
import {
  bigIntToWords,
  formatIpv4,
  formatIpv6BigInt,
  wordsToBigInt,
} from '../ip/format-ip.js';
import { parseAsnText, parseIp } from '../ip/parse-ip.js';
import { ipv4RangeToCidrs } from '../ip/range-to-prefixes.js';
import type {
  AllocationStatus,
  RecordRange,
  ResourceType,
  Rir,
} from '../types.js';
import { bunzip2, detectCompression } from './decompress.js';
import { readDelegatedHead, type DelegatedHead } from './read-header.js';
import { formatYmd, isCandidateName } from './select-files.js';

const gunzipAsync = promisify(gunzip);

/** Options of {@link history}. */
export interface HistoryOptions {
  /** Files and directories of delegated files (every delegated file of a directory is read). */
  readonly data: string | readonly string[];
  /**
   * Read damaged files leniently (skip bad lines) instead of leaving them out.
   * Default false: a file that fails a strict parse is listed in `skipped` and not used.
   */
  readonly lenient?: boolean;
}

/** What one file says about the query. */
export interface HistoryAnswer {
  readonly rir: Rir;
  readonly country: string | null;
  readonly status: AllocationStatus;
  readonly holder: string | null;
  /** Allocation date `yyyy-mm-dd`, or null. */
  readonly date: string | null;
  readonly range: RecordRange;
}

/** One file read for the history. */
export interface HistoryFile {
  /** Base name. */
  readonly file: string;
  readonly path: string;
  /** Header registry (`apnic`, …, `iana`, `nro`). */
  readonly registry: string;
  /** Header end date `yyyy-mm-dd`. */
  readonly endDate: string;
  readonly kind: 'standard' | 'extended';
  /** The smallest record of this file covering the query, or null. */
  readonly answer: HistoryAnswer | null;
}

/** A file left out, and why. */
export interface HistorySkipped {
  readonly path: string;
  readonly message: string;
}

/** A stretch of time over which the answer did not change. */
export interface HistoryPeriod {
  /** End date (`yyyy-mm-dd`) of the first snapshot with this answer. */
  readonly from: string;
  /** End date of the last snapshot with this answer. */
  readonly to: string;
  /** False when no file answered over the period (the other answer fields are then null). */
  readonly found: boolean;
  readonly rir: Rir | null;
  readonly country: string | null;
  readonly status: AllocationStatus | null;
  readonly holder: string | null;
  readonly date: string | null;
  readonly range: RecordRange | null;
  /** Base names of the files whose record answered over the period, oldest first. */
  readonly files: readonly string[];
}

/** Result of {@link history}. */
export interface HistoryResult {
  readonly query: string;
  readonly type: ResourceType;
  /** Oldest first. */
  readonly periods: readonly HistoryPeriod[];
  /** Every file read, oldest first, with its own answer. */
  readonly files: readonly HistoryFile[];
  readonly skipped: readonly HistorySkipped[];
}

type Query =
  | { readonly type: 'ipv4'; readonly value: number }
  | { readonly type: 'ipv6'; readonly value: bigint }
  | { readonly type: 'asn'; readonly value: number };

function parseQuery(text: string): Query {
  const t = text.trim();
  if (/^(?:as)?\d+(?:\.\d+)?$/i.test(t) && !/^\d+\.\d+\.\d+\.\d+$/.test(t)) {
    const asn = parseAsnText(t);
    if (asn >= 0) return { type: 'asn', value: asn };
  }
  try {
    const ip = parseIp(t);
    return ip.family === 4
      ? { type: 'ipv4', value: ip.value }
      : { type: 'ipv6', value: wordsToBigInt(ip.words) };
  } catch {
    throw new QueryError(
      'INPUT_INVALID_QUERY',
      `not an IP address or AS number: ${JSON.stringify(text)}`,
      text,
    );
  }
}

const RIR_NAMES = new Set(['afrinic', 'apnic', 'arin', 'lacnic', 'ripencc']);
const STATUS: Readonly<Record<string, AllocationStatus>> = {
  allocated: 'allocated',
  assigned: 'assigned',
  available: 'available',
  reserved: 'reserved',
  ianapool: 'available',
  ietf: 'reserved',
};

/** A covering record as found, with its size for precedence. */
interface Hit {
  readonly answer: HistoryAnswer;
  /** Number of addresses or ASNs. */
  readonly size: bigint;
  /** 0 for allocated/assigned, 1 for available/reserved. */
  readonly weak: number;
}

function toHit(
  r: DelegatedRecord,
  headerRegistry: string,
  q: Query,
): Hit | null {
  let start: bigint;
  let end: bigint;
  if (r.type === 'ipv6') {
    const s = wordsToBigInt(r.v6);
    const host = (1n << BigInt(128 - r.prefixLength)) - 1n;
    start = s;
    end = s | host;
  } else {
    start = BigInt(r.first);
    end = BigInt(r.last);
  }
  const v = typeof q.value === 'bigint' ? q.value : BigInt(q.value);
  if (v < start || v > end) return null;

  let rir: Rir;
  let status: AllocationStatus;
  let country: string | null =
    r.country === '' || r.country === 'ZZ' ? null : r.country;
  if (headerRegistry === 'iana') {
    // The IANA file's status column names the registry the block went to.
    country = null;
    if (RIR_NAMES.has(r.status)) {
      rir = r.status as Rir;
      status = 'allocated';
    } else if (r.status === 'iana') {
      rir = 'iana';
      status = 'assigned';
    } else {
      rir = 'iana';
      status = 'reserved';
    }
  } else {
    rir = (RIR_NAMES.has(r.registry) ? r.registry : 'iana') as Rir;
    status = STATUS[r.status] ?? 'reserved';
  }
  const d = r.date;
  const date = d === 0 ? null : formatYmd(d);
  let range: RecordRange;
  if (r.type === 'ipv4') {
    range = {
      start: formatIpv4(r.first),
      end: formatIpv4(r.last),
      cidrs: ipv4RangeToCidrs(r.first, r.last),
    };
  } else if (r.type === 'ipv6') {
    range = {
      start: formatIpv6BigInt(start),
      end: formatIpv6BigInt(end),
      cidrs: [`${formatIpv6BigInt(start)}/${r.prefixLength}`],
    };
  } else {
    range = { start: r.first, end: r.last };
  }
  return {
    answer: {
      rir,
      country,
      status,
      holder: r.opaqueId === '' ? null : r.opaqueId,
      date,
      range,
    },
    size: end - start + 1n,
    weak: status === 'available' || status === 'reserved' ? 1 : 0,
  };
}

interface Entry {
  readonly path: string;
  readonly name: string;
  readonly head: DelegatedHead;
  hit: Hit | null;
  /** From the full parse (the head only guesses). */
  kind: 'standard' | 'extended';
}

/** Orders the files of one registry best first (as the directory selection does). */
function better(a: Entry, b: Entry): number {
  if (a.head.endDate !== b.head.endDate) return b.head.endDate - a.head.endDate;
  if (a.head.kind !== b.head.kind) return a.head.kind === 'extended' ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Precedence between two hits of different files at one date; negative when `a` wins. */
function precedence(a: Hit, ae: Entry, b: Hit, be: Entry): number {
  if (a.size !== b.size) return a.size < b.size ? -1 : 1;
  if (a.weak !== b.weak) return a.weak - b.weak;
  if (ae.head.endDate !== be.head.endDate)
    return be.head.endDate - ae.head.endDate;
  return ae.head.registry < be.head.registry
    ? -1
    : ae.head.registry > be.head.registry
      ? 1
      : 0;
}

async function readWhole(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  let bytes: Buffer;
  try {
    bytes = await handle.readFile();
  } finally {
    await handle.close();
  }
  const kind = detectCompression(bytes.subarray(0, 4));
  if (kind === 'gzip') return gunzipAsync(bytes);
  if (kind === 'bzip2') return bunzip2(bytes, basename(path));
  return bytes;
}

/** True when the prefix `start/length` (four words) holds the address `q` (four words). */
function coversV6(start: Uint32Array, length: number, q: Uint32Array): boolean {
  for (let w = 0; w < 4; w++) {
    const bits = Math.min(32, Math.max(0, length - w * 32));
    if (bits === 0) return true;
    const mask = bits === 32 ? 0xffffffff : ~(0xffffffff >>> bits) >>> 0;
    if (((start[w]! ^ q[w]!) & mask) >>> 0 !== 0) return false;
  }
  return true;
}

async function scanFile(
  entry: Entry,
  q: Query,
  lenient: boolean,
): Promise<void> {
  const content = await readWhole(entry.path);
  const qWords = q.type === 'ipv6' ? bigIntToWords(q.value) : null;
  let best: Hit | null = null;
  const headerRegistry = entry.head.registry;
  const summary = await parseDelegated(
    [content],
    lenient ? { file: entry.name, lenient: true } : { file: entry.name },
    (r) => {
      if (r.type !== q.type) return;
      // Cheap number tests first; the hit (BigInt, text) is built only for covering records.
      if (q.type === 'ipv6') {
        if (!coversV6(r.v6, r.prefixLength, qWords!)) return;
      } else if (q.value < r.first || q.value > r.last) return;
      const hit = toHit(r, headerRegistry, q);
      if (hit !== null && (best === null || hit.size < best.size)) best = hit;
    },
  );
  entry.hit = best;
  entry.kind = summary.kind;
}

function sameAnswer(a: HistoryAnswer | null, b: HistoryAnswer | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.rir === b.rir &&
    a.country === b.country &&
    a.status === b.status &&
    a.holder === b.holder &&
    a.date === b.date &&
    a.range.start === b.range.start &&
    a.range.end === b.range.end
  );
}

async function collect(
  paths: readonly string[],
  skipped: HistorySkipped[],
): Promise<Entry[]> {
  const entries: Entry[] = [];
  const seen = new Set<string>();
  const add = async (path: string, explicit: boolean): Promise<void> => {
    if (seen.has(path)) return;
    seen.add(path);
    let head: DelegatedHead | null;
    try {
      head = await readDelegatedHead(path);
    } catch (error) {
      if (explicit) throw error;
      skipped.push({ path, message: (error as Error).message });
      return;
    }
    if (head === null) {
      if (explicit)
        throw new SourceError(
          'SOURCE_READ_FAILED',
          `${path} is not a delegated-statistics file: no version line`,
          path,
        );
      skipped.push({
        path,
        message: `${path}: not a delegated-statistics file (no version line)`,
      });
      return;
    }
    if (head.endDate === 0) {
      skipped.push({
        path,
        message: `${path}: the version line has no end date`,
      });
      return;
    }
    entries.push({
      path,
      name: basename(path),
      head,
      hit: null,
      kind: head.kind,
    });
  };
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      throw new SourceError(
        'SOURCE_NOT_FOUND',
        `no such file or directory: ${path}`,
        path,
        {
          cause: error,
        },
      );
    }
    if (info.isDirectory()) {
      for (const name of (await readdir(path)).sort()) {
        if (!isCandidateName(name)) continue;
        const file = join(path, name);
        try {
          if (!(await stat(file)).isFile()) continue;
        } catch {
          continue;
        }
        await add(file, false);
      }
    } else {
      await add(path, true);
    }
  }
  return entries;
}

/**
 * What every dated file says about an address or AS number, collapsed into
 * periods (see the module comment for the model).
 * @param query an IPv4 or IPv6 address, or an AS number (`AS13335`, `13335`)
 * @returns periods oldest first, the files read with their own answers, and the files left out
 * @throws {QueryError} `INPUT_INVALID_QUERY` when the query is neither an address nor an ASN
 * @throws {SourceError} `SOURCE_NOT_FOUND` for a missing path; `SOURCE_NO_DATA` when no
 *   delegated file was found; `SOURCE_READ_FAILED` for a named file that is not one
 * @throws {TypeError} on invalid options
 */
export async function history(
  query: string,
  options: HistoryOptions,
): Promise<HistoryResult> {
  if (typeof query !== 'string')
    throw new TypeError('`query` must be a string');
  if (typeof options !== 'object' || options === null)
    throw new TypeError('`options` must be an object');
  const paths =
    typeof options.data === 'string' ? [options.data] : options.data;
  if (
    !Array.isArray(paths) ||
    paths.length === 0 ||
    paths.some((p) => typeof p !== 'string' || p === '')
  )
    throw new TypeError('`data` must be a path or a non-empty array of paths');
  if (options.lenient !== undefined && typeof options.lenient !== 'boolean')
    throw new TypeError('`lenient` must be a boolean');
  const q = parseQuery(query);
  const lenient = options.lenient === true;

  const skipped: HistorySkipped[] = [];
  const entries = await collect(paths, skipped);
  if (entries.length === 0)
    throw new SourceError(
      'SOURCE_NO_DATA',
      `no delegated-statistics files with an end date in ${paths.join(', ')}`,
    );

  // The timeline: every end date; per registry its files best first.
  const dates = [...new Set(entries.map((e) => e.head.endDate))].sort(
    (a, b) => a - b,
  );
  const byRegistry = new Map<string, Entry[]>();
  for (const e of entries) {
    const list = byRegistry.get(e.head.registry);
    if (list === undefined) byRegistry.set(e.head.registry, [e]);
    else list.push(e);
  }
  for (const list of byRegistry.values()) list.sort(better);

  // The files in force at each date; only those are read.
  const snapshots = dates.map((d) => {
    const inForce: Entry[] = [];
    for (const list of byRegistry.values()) {
      const e = list.find((x) => x.head.endDate <= d);
      if (e !== undefined) inForce.push(e);
    }
    return { date: d, inForce };
  });
  const broken = new Set<Entry>();
  const used = new Set(snapshots.flatMap((s) => s.inForce));
  for (const e of entries)
    if (!used.has(e)) {
      const winner = byRegistry
        .get(e.head.registry)!
        .find((x) => x.head.endDate === e.head.endDate)!;
      skipped.push({
        path: e.path,
        message: `${e.path}: ${winner.name} has the same registry and end date and is preferred`,
      });
    }
  const toRead = [...used].sort(
    (a, b) => a.head.endDate - b.head.endDate || (a.name < b.name ? -1 : 1),
  );
  for (const e of toRead) {
    try {
      await scanFile(e, q, lenient);
    } catch (error) {
      if (!(error instanceof DelegatedFileError) && !isRegistryError(error))
        throw error;
      broken.add(e);
      skipped.push({
        path: e.path,
        message: `${(error as Error).message}${error instanceof DelegatedFileError && !lenient ? ' (lenient reads it)' : ''}`,
      });
    }
  }

  // The answer at each date, by precedence (IANA's file only where nothing else answers).
  const points = snapshots.map(({ date, inForce }) => {
    let best: { hit: Hit; entry: Entry } | null = null;
    let fallback: { hit: Hit; entry: Entry } | null = null;
    for (const e of inForce) {
      if (broken.has(e) || e.hit === null) continue;
      if (e.head.registry === 'iana') {
        if (
          fallback === null ||
          precedence(e.hit, e, fallback.hit, fallback.entry) < 0
        )
          fallback = { hit: e.hit, entry: e };
      } else if (
        best === null ||
        precedence(e.hit, e, best.hit, best.entry) < 0
      ) {
        best = { hit: e.hit, entry: e };
      }
    }
    const win = best ?? fallback;
    return {
      date,
      answer: win?.hit.answer ?? null,
      file: win?.entry.name ?? null,
    };
  });

  const periods: HistoryPeriod[] = [];
  let current: {
    from: number;
    to: number;
    answer: HistoryAnswer | null;
    files: string[];
  } | null = null;
  const flush = (): void => {
    if (current === null) return;
    const a = current.answer;
    periods.push({
      from: formatYmd(current.from),
      to: formatYmd(current.to),
      found: a !== null,
      rir: a?.rir ?? null,
      country: a?.country ?? null,
      status: a?.status ?? null,
      holder: a?.holder ?? null,
      date: a?.date ?? null,
      range: a?.range ?? null,
      files: current.files,
    });
  };
  for (const p of points) {
    if (current !== null && sameAnswer(current.answer, p.answer)) {
      current.to = p.date;
      if (p.file !== null && !current.files.includes(p.file))
        current.files.push(p.file);
      continue;
    }
    flush();
    current = {
      from: p.date,
      to: p.date,
      answer: p.answer,
      files: p.file === null ? [] : [p.file],
    };
  }
  flush();

  const files: HistoryFile[] = toRead
    .filter((e) => !broken.has(e))
    .map((e) => ({
      file: e.name,
      path: e.path,
      registry: e.head.registry,
      endDate: formatYmd(e.head.endDate),
      kind: e.kind,
      answer: e.hit?.answer ?? null,
    }));
  return { query, type: q.type, periods, files, skipped };
}
