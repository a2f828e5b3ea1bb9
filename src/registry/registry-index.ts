/**
 * The loaded registry: typed-array columns and tries behind the `Registry`
 * interface. Record objects are made on first use and kept (one per record),
 * so repeated lookups of the same block allocate nothing.
 */

import { QueryError } from '../errors.js';
import {
  formatIpv4,
  formatIpv6,
  wordsToBigInt,
  formatIpv6BigInt,
} from '../ip/format-ip.js';
import {
  isMappedIpv4,
  parseAsnText,
  parseIpv4,
  parseIpv6,
} from '../ip/parse-ip.js';
import { ipv4RangeToCidrs } from '../ip/range-to-prefixes.js';
import {
  mayBeLongSpecialIpv6,
  specialIpv4,
  specialIpv6,
} from '../ip/special.js';
import { parseCidr } from '../ip/cidr.js';
import {
  buildDirectory128,
  buildDirectory32,
  buildKeys128,
  find128,
  find32,
  find32Dir,
  intervalOf32,
  MIXED,
  SLOTS,
  type Trie128Data,
  type Trie32Data,
  type TrieDirectory,
} from '../trie/interval-trie.js';
import {
  INVALID,
  SPECIAL,
  type AllocationStatus,
  type Conflict,
  type ConflictSide,
  type IndexInterval,
  type LoadWarning,
  type LookupError,
  type LookupResult,
  type RecordRange,
  type RecordSource,
  type Registry,
  type RegistryRecord,
  type RegistryStats,
  type ResourceType,
  type Rir,
  type SourceInfo,
} from '../types.js';
import type { RegistryData } from './build-registry.js';
import {
  RIR_CODES,
  STATUS_CODES,
  TYPE_CODES,
  formatDate,
  holderText,
  unpackCountry,
  type LazyRecordColumns,
  type RecordColumns,
} from './record-store.js';

const WORDS = new Uint32Array(4);
/** Records kept in a Map before the id-indexed cache is allocated. */
const FIRST_RECORDS = 4096;

/** Implementation of {@link Registry} over {@link RegistryData}. */
export class RegistryIndex implements Registry {
  readonly sources: readonly SourceInfo[];
  readonly size: number;
  /** The underlying arrays (for sharing with workers and snapshots). */
  readonly data: RegistryData;
  /** Record objects by id, made on first use (see #keep). */
  #records: (RegistryRecord | undefined)[];
  #firstRecords: Map<number, RegistryRecord> | undefined;
  /**
   * The columns #makeRecord reads: data.columns, or for a registry read lazily
   * from a snapshot raw views that are readable for an id once #lazy.load(id) ran.
   */
  readonly #columns: RecordColumns;
  readonly #lazy: LazyRecordColumns | undefined;
  readonly #recordSources: readonly RecordSource[];
  readonly #warnings: readonly LoadWarning[];
  readonly #v4: Trie32Data;
  /** The IPv6 trie as given (a snapshot's is read on first use)… */
  readonly #v6Source: Trie128Data;
  /** …and its arrays, taken once so the hot path reads plain fields. */
  #v6: Trie128Data | undefined;
  // Lookup accelerators derived from the tries on first use (a few ms), so
  // snapshots and shared handles need not carry them.
  #v4Dir: TrieDirectory | undefined;
  #v6Dir: TrieDirectory | undefined;
  #v6Keys: Float64Array | undefined;
  // IPv4 answers cached per /16 that one record (or none) covers whole, and
  // per run of /24s inside the other /16s (the RIRs delegate IPv4 in blocks
  // of 256 addresses or more), so a repeated lookup is the parse and a few
  // reads of small arrays. The /16 cache (512 KB of pointers) is made on the
  // first lookup and filled as lookups meet its /16s. A /16 several records
  // share is cut, on its first lookup, into runs of /24s with one answer
  // each; a lookup there finds its run among the /16's run starts (one byte
  // each, 22 per /16 on average). The real files' 7,000 such /16s have
  // 155,000 runs: their starts (155 KB) stay in the CPU's caches, where a
  // byte per /24 (1.8 MB) or a pointer per /24 (14 MB) cost a read from
  // memory per lookup.
  #v4Slot: (RegistryRecord | null | undefined)[] | undefined;
  /** Per /16: its first run * 512 + its run count, or NOT_MIXED, UNBUILT. */
  #v4Mixed: Int32Array | undefined;
  /** Per run, its first /24 in the /16 (0 to 255). */
  #v4RunStart = new Uint8Array(4096);
  /** Per run, its answer: a record id, NOT_FOUND, SPECIAL, or SEARCH (a /24 several records share). */
  #v4RunId = new Int32Array(4096);
  /** Per run, its record once made (null: no record). */
  #v4RunRecord: (RegistryRecord | null | undefined)[] = [];
  #holderIndex: Map<string, number[]> | undefined;

  constructor(
    data: RegistryData,
    sources: readonly SourceInfo[],
    warnings: readonly LoadWarning[] = [],
    lazy?: LazyRecordColumns,
  ) {
    this.data = data;
    this.sources = sources;
    this.size = data.columns.size;
    // Nothing per record here: a snapshot loads in milliseconds only if the
    // constructor does not touch memory proportional to the record count.
    this.#records = [];
    this.#columns = lazy?.columns ?? data.columns;
    this.#lazy = lazy;
    this.#warnings = warnings;
    // Plain objects over the arrays, whatever the given tries are (a
    // snapshot's are getters), so lookups read plain fields.
    const v4 = data.v4;
    this.#v4 = { starts: v4.starts, ids: v4.ids, table: v4.table };
    this.#v6Source = data.v6;
    this.#recordSources = sources.map((x) =>
      Object.freeze({
        file: x.file,
        registry: x.registry,
        serial: x.serial,
        endDate: x.endDate,
        sha256: x.sha256,
      }),
    );
  }

  lookupId(ip: string): number {
    return this.lookupIdIn(ip, 0, ip.length);
  }

  lookupIdIn(s: string, from: number, to: number): number {
    // Special-purpose space is painted into the tries (id SPECIAL), so this is
    // parse, then one first-level slot read and a short binary search.
    const key = parseIpv4(s, from, to);
    return key >= 0 ? this.#findV4(key) : this.#lookupIdV6(s, from, to);
  }

  #findV4(key: number): number {
    // Not through the runs of lookup(): ids are asked for by enrichment,
    // whose own cache answers repeats, and the runs of a /16 cost more to
    // cut than the few searches they would save there.
    return find32Dir(
      this.#v4,
      (this.#v4Dir ??= buildDirectory32(this.#v4)),
      key,
    );
  }

  #initV4Cache(): (RegistryRecord | null | undefined)[] {
    this.#v4Mixed ??= this.#initMixed();
    return (this.#v4Slot = newArray(SLOTS));
  }

  #initMixed(): Int32Array {
    const dir = (this.#v4Dir ??= buildDirectory32(this.#v4)).dir;
    const mixed = new Int32Array(SLOTS);
    for (let s = 0; s < SLOTS; s++)
      mixed[s] = dir[2 * s] === MIXED ? UNBUILT : NOT_MIXED;
    return mixed;
  }

  /**
   * The run holding `key` in a /16 several records share (the /16 is cut
   * into runs on first use), or -1: a /16 one record covers, or a /24 that
   * several records share (search the trie).
   */
  #runOf(key: number): number {
    const slot = key >>> 16;
    const mixed = (this.#v4Mixed ??= this.#initMixed());
    let word = mixed[slot]!;
    if (word === UNBUILT) word = this.#buildSlot(slot);
    if (word < 0) return -1;
    // The last run whose start is at most the /24's place in the /16.
    const b = (key >>> 8) & 255;
    const runStart = this.#v4RunStart;
    let lo = word >>> 9;
    let hi = lo + (word & 511) - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (runStart[mid]! <= b) lo = mid;
      else hi = mid - 1;
    }
    return this.#v4RunId[lo] === SEARCH ? -1 : lo;
  }

  /** Cuts a /16 several records share into runs of /24s with one answer. */
  #buildSlot(slot: number): number {
    const t = this.#v4;
    const starts = t.starts;
    const last = starts.length - 1;
    const first = this.#v4RunRecord.length;
    // Runs are numbered in 22 bits (#v4Mixed): past that, search.
    if (first > MAX_RUNS - 256) return (this.#v4Mixed![slot] = NO_RUNS);
    let n = 0;
    let i = intervalOf32(t, slot * 65536);
    for (let b = 0; b < 256; b++) {
      const lo = slot * 65536 + b * 256;
      while (i < last && starts[i + 1]! <= lo) i++;
      // Interval i holds lo; it answers for the /24 if it also holds lo + 255.
      const id = i < last && starts[i + 1]! <= lo + 255 ? SEARCH : t.ids[i]!;
      if (n > 0 && this.#v4RunId[first + n - 1] === id) continue;
      if (first + n === this.#v4RunId.length) {
        const ids = new Int32Array(2 * this.#v4RunId.length);
        ids.set(this.#v4RunId);
        this.#v4RunId = ids;
        const runStarts = new Uint8Array(ids.length);
        runStarts.set(this.#v4RunStart);
        this.#v4RunStart = runStarts;
      }
      this.#v4RunStart[first + n] = b;
      this.#v4RunId[first + n] = id;
      this.#v4RunRecord.push(undefined);
      n++;
    }
    return (this.#v4Mixed![slot] = first * 512 + n);
  }

  #lookupV4(key: number): RegistryRecord | null {
    const t = this.#v4;
    const id = t.ids[intervalOf32(t, key)]!;
    const r = id >= 0 ? this.record(id) : null;
    const slot = key >>> 16;
    if (this.#v4Mixed![slot] === NOT_MIXED) this.#v4Slot![slot] = r;
    return r;
  }

  #lookupIdV6(s: string, from: number, to: number): number {
    if (!parseIpv6(s, WORDS, from, to)) return INVALID;
    if (isMappedIpv4(WORDS)) return this.#findV4(WORDS[3]!);
    if (
      mayBeLongSpecialIpv6(WORDS[0]!, WORDS[1]!) &&
      specialIpv6(WORDS) !== null
    )
      return SPECIAL;
    const t = (this.#v6 ??= plainTrie(this.#v6Source));
    const keys = (this.#v6Keys ??= buildKeys128(t.starts));
    const dir = (this.#v6Dir ??= buildDirectory128(t));
    return find128(t, dir, keys, WORDS[0]!, WORDS[1]!, WORDS[2]!, WORDS[3]!);
  }

  lookup(ip: string): RegistryRecord | null {
    // Kept small so that callers' loops can inline it: the /16 cache here,
    // the rest in #lookupRest.
    const key = parseIpv4(ip, 0, ip.length);
    if (key >= 0) {
      const known = (this.#v4Slot ?? this.#initV4Cache())[key >>> 16];
      if (known !== undefined) return known;
    }
    return this.#lookupRest(ip, key);
  }

  #lookupRest(ip: string, key: number): RegistryRecord | null {
    if (key >= 0) {
      const run = this.#runOf(key);
      if (run >= 0) {
        const r = this.#v4RunRecord[run];
        if (r !== undefined) return r;
        const id = this.#v4RunId[run]!;
        return (this.#v4RunRecord[run] = id >= 0 ? this.record(id) : null);
      }
      return this.#lookupV4(key);
    }
    const id = this.#lookupIdV6(ip, 0, ip.length);
    if (id >= 0) {
      const r = this.#records[id];
      return r !== undefined ? r : this.record(id);
    }
    if (id === INVALID) invalidIp(ip);
    return null;
  }

  lookupAsn(asn: number | string): RegistryRecord | null {
    const n =
      typeof asn === 'number'
        ? Number.isInteger(asn) && asn >= 0 && asn <= 4294967295
          ? asn
          : -1
        : parseAsnText(asn.trim());
    if (n < 0)
      throw new QueryError(
        'INPUT_INVALID_ASN',
        `not an AS number: ${JSON.stringify(asn)}`,
        String(asn),
      );
    const id = find32(this.data.asn, n);
    return id >= 0 ? this.record(id) : null;
  }

  special(ip: string): string | null {
    const v4 = parseIpv4(ip);
    if (v4 >= 0) return specialIpv4(v4);
    if (!parseIpv6(ip, WORDS)) return null;
    if (isMappedIpv4(WORDS)) return specialIpv4(WORDS[3]!);
    return specialIpv6(WORDS);
  }

  query(text: string): LookupResult | LookupError {
    const q = text.trim();
    if (q.includes('/')) return this.#queryCidr(text, q);
    if (/^as/i.test(q) || /^\d+$/.test(q)) {
      const n = parseAsnText(q);
      if (n < 0)
        return {
          query: text,
          found: false,
          error: `not an AS number: ${JSON.stringify(text)}`,
          code: 'INPUT_INVALID_ASN',
        };
      const id = find32(this.data.asn, n);
      return id >= 0
        ? { query: text, ...this.record(id) }
        : { query: text, found: false };
    }
    const id = this.lookupId(q);
    if (id >= 0) return { query: text, ...this.record(id) };
    if (id === INVALID)
      return {
        query: text,
        found: false,
        error: `not an IP address or AS number: ${JSON.stringify(text)}`,
        code: 'INPUT_INVALID_QUERY',
      };
    if (id === SPECIAL)
      return { query: text, found: false, special: this.special(q)! };
    return { query: text, found: false };
  }

  /**
   * A CIDR block is answered by the record that holds all of it (the one
   * answering for its first and its last address); more specific records
   * inside it are not listed. `partial` marks a block only partly covered.
   */
  #queryCidr(text: string, q: string): LookupResult | LookupError {
    const cidr = parseCidr(q);
    if (cidr === null)
      return {
        query: text,
        found: false,
        error: `not a CIDR block: ${JSON.stringify(text)}`,
        code: 'INPUT_INVALID_QUERY',
      };
    const a = this.lookupId(cidr.start);
    const b = this.lookupId(cidr.end);
    if (a >= 0 && a === b) return { query: text, ...this.record(a) };
    if (a === SPECIAL && b === SPECIAL) {
      const s = this.special(cidr.start);
      if (s !== null && s === this.special(cidr.end))
        return { query: text, found: false, special: s };
    }
    if (a >= 0 || b >= 0) return { query: text, found: false, partial: true };
    return { query: text, found: false };
  }

  record(id: number): RegistryRecord {
    let r = this.#records[id];
    if (r === undefined) {
      if (!(id >= 0 && id < this.size))
        throw new RangeError(`\`id\` out of range: ${id}`);
      r = this.#firstRecords?.get(id);
      if (r === undefined) {
        this.#lazy?.load(id);
        r = this.#makeRecord(id);
        this.#keep(id, r);
      }
    }
    return r;
  }

  /**
   * Caches a record. The id-indexed array costs 8 bytes per record of the
   * registry (6 MB, tens of ms of page faults, for 800,000), so the first
   * few thousand records wait in a Map and the array is made once it pays.
   */
  #keep(id: number, r: RegistryRecord): void {
    if (this.#records.length === this.size) {
      this.#records[id] = r;
      return;
    }
    const first = (this.#firstRecords ??= new Map());
    first.set(id, r);
    if (first.size < FIRST_RECORDS) return;
    // Holey but fast elements (measured on Node 20 up to millions of entries).
    const records = new Array<RegistryRecord | undefined>(this.size);
    for (const [k, v] of first) records[k] = v;
    this.#records = records;
    this.#firstRecords = undefined;
  }

  #range(id: number): RecordRange {
    const c = this.#columns;
    const type = TYPE_CODES[c.type[id]!]!;
    if (type === 'asn')
      return { start: c.words[id * 4]!, end: c.words[id * 4 + 1]! };
    if (type === 'ipv4') {
      const a = c.words[id * 4]!;
      const b = c.words[id * 4 + 1]!;
      return Object.freeze({
        start: formatIpv4(a),
        end: formatIpv4(b),
        cidrs: Object.freeze(ipv4RangeToCidrs(a, b)),
      });
    }
    // IPv6 records are prefixes with host bits masked: the end sets the host
    // bits, word by word, and the cover is the prefix itself.
    const o = id * 4;
    const plen = c.prefixLength[id]!;
    const start = [
      c.words[o]!,
      c.words[o + 1]!,
      c.words[o + 2]!,
      c.words[o + 3]!,
    ];
    const end = start.map((x, k) => {
      const bits = Math.max(0, Math.min(32, plen - k * 32)); // prefix bits in this word
      return bits === 32 ? x : (x | (0xffffffff >>> bits)) >>> 0;
    });
    const startText = formatIpv6(start);
    return Object.freeze({
      start: startText,
      end: formatIpv6(end),
      cidrs: Object.freeze([`${startText}/${plen}`]),
    });
  }

  #makeRecord(id: number): RegistryRecord {
    const c = this.#columns;
    const h = c.holder[id]!;
    return Object.freeze({
      found: true as const,
      type: TYPE_CODES[c.type[id]!]!,
      rir: RIR_CODES[c.rir[id]!]!,
      country: unpackCountry(c.country[id]!),
      date: formatDate(c.date[id]!),
      status: STATUS_CODES[c.status[id]!]!,
      holder: h < 0 ? null : holderText(c, h),
      range: this.#range(id),
      source: this.#recordSources[c.source[id]!]!,
    });
  }

  holder(opaqueId: string): RegistryRecord[] {
    if (this.#holderIndex === undefined) {
      const c = this.data.columns;
      const m = new Map<string, number[]>();
      const names: string[] = [];
      for (let h = 0; h + 1 < c.holderOffsets.length; h++)
        names.push(holderText(c, h));
      for (let i = 0; i < this.size; i++) {
        const h = c.holder[i]!;
        if (h < 0) continue;
        const k = names[h]!;
        const list = m.get(k);
        if (list === undefined) m.set(k, [i]);
        else list.push(i);
      }
      this.#holderIndex = m;
    }
    return (this.#holderIndex.get(opaqueId) ?? []).map((id) => this.record(id));
  }

  #side(id: number): ConflictSide {
    const r = this.record(id);
    return {
      rir: r.rir,
      country: r.country,
      status: r.status,
      date: r.date,
      holder: r.holder,
      range: r.range,
      file: r.source.file,
      line: this.data.columns.line[id]!,
    };
  }

  conflicts(): Conflict[] {
    const out: Conflict[] = [];
    const pairs = this.data.conflicts;
    const c = this.data.columns;
    for (let i = 0; i < pairs.length; i += 2) {
      const w = pairs[i]!;
      const l = pairs[i + 1]!;
      const winner = this.#side(w);
      const loser = this.#side(l);
      const type = TYPE_CODES[c.type[w]!]!;
      let start: string | number;
      let end: string | number;
      if (type === 'ipv6') {
        const a = this.#bigRange(w);
        const b = this.#bigRange(l);
        start = formatIpv6BigInt(a[0] > b[0] ? a[0] : b[0]);
        end = formatIpv6BigInt(a[1] < b[1] ? a[1] : b[1]);
      } else {
        const s = Math.max(c.words[w * 4]!, c.words[l * 4]!);
        const e = Math.min(c.words[w * 4 + 1]!, c.words[l * 4 + 1]!);
        start = type === 'asn' ? s : formatIpv4(s);
        end = type === 'asn' ? e : formatIpv4(e);
      }
      out.push({
        type,
        start,
        end,
        winner,
        loser,
        agree:
          winner.rir === loser.rir &&
          winner.country === loser.country &&
          winner.status === loser.status &&
          winner.date === loser.date,
      });
    }
    return out;
  }

  #bigRange(id: number): [bigint, bigint] {
    const c = this.data.columns;
    const start = wordsToBigInt(c.words.subarray(id * 4, id * 4 + 4));
    return [start, start + (1n << BigInt(128 - c.prefixLength[id]!)) - 1n];
  }

  warnings(): readonly LoadWarning[] {
    return this.#warnings;
  }

  stats(): RegistryStats {
    const c = this.data.columns;
    const zero = (): Record<AllocationStatus, number> => ({
      allocated: 0,
      assigned: 0,
      available: 0,
      reserved: 0,
    });
    const byType: Record<ResourceType, Record<AllocationStatus, number>> = {
      ipv4: zero(),
      ipv6: zero(),
      asn: zero(),
    };
    const byRir: Partial<Record<Rir, number>> = {};
    for (let i = 0; i < this.size; i++) {
      byType[TYPE_CODES[c.type[i]!]!][STATUS_CODES[c.status[i]!]!]++;
      const rir = RIR_CODES[c.rir[i]!]!;
      byRir[rir] = (byRir[rir] ?? 0) + 1;
    }
    let disagree = 0;
    const pairs = this.data.conflicts;
    for (let i = 0; i < pairs.length; i += 2) {
      const w = pairs[i]!;
      const l = pairs[i + 1]!;
      if (
        c.rir[w] !== c.rir[l] ||
        c.country[w] !== c.country[l] ||
        c.status[w] !== c.status[l] ||
        c.date[w] !== c.date[l]
      )
        disagree++;
    }
    return {
      records: this.size,
      byType,
      byRir,
      conflicts: pairs.length / 2,
      conflictsDisagreeing: disagree,
      warnings: this.sources.reduce((s, x) => s + x.warnings, 0),
    };
  }

  *intervals(type: ResourceType): Generator<IndexInterval> {
    if (type === 'ipv6') {
      const t = this.data.v6;
      const n = t.ids.length;
      for (let i = 0; i < n; i++) {
        const id = t.ids[i]!;
        if (id < 0) continue;
        const start = wordsToBigInt(t.starts.subarray(i * 4, i * 4 + 4));
        const end =
          i + 1 < n
            ? wordsToBigInt(t.starts.subarray((i + 1) * 4, (i + 2) * 4)) - 1n
            : (1n << 128n) - 1n;
        yield { start, end, id };
      }
      return;
    }
    const t = type === 'ipv4' ? this.data.v4 : this.data.asn;
    const n = t.ids.length;
    for (let i = 0; i < n; i++) {
      const id = t.ids[i]!;
      if (id < 0) continue;
      const end = i + 1 < n ? t.starts[i + 1]! - 1 : 0xffffffff;
      yield { start: BigInt(t.starts[i]!), end: BigInt(end), id };
    }
  }
}

/** The arrays of a trie in a plain object. */
function plainTrie(t: Trie128Data): Trie128Data {
  return { starts: t.starts, ids: t.ids, table: t.table };
}

/** #v4Mixed: a /16 one record (or none) covers whole. */
const NOT_MIXED = -1;
/** #v4Mixed: a /16 several records share, its runs not cut yet. */
const UNBUILT = -2;
/** #v4Mixed: a /16 several records share, with no runs (too many in all): search. */
const NO_RUNS = -3;
/** Runs at most. */
const MAX_RUNS = 2 ** 22;
/** #v4RunId: a run of one /24 that several records share (search the trie). */
const SEARCH = -(2 ** 31);

/** A packed array of `n` undefined (new Array(n) would be holey, and slow when large). */
function newArray<T>(n: number): (T | undefined)[] {
  const a: (T | undefined)[] = [];
  for (let k = 0; k < n; k++) a.push(undefined);
  return a;
}

/** Throws the error of `lookup` for text that is not an address (kept out of the hot path). */
function invalidIp(ip: string): never {
  throw new QueryError(
    'INPUT_INVALID_IP',
    `not an IP address: ${JSON.stringify(ip)}`,
    ip,
  );
}
