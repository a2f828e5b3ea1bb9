/**
 * Columnar storage of delegated records: one typed array per field, indexed by
 * record id, grown by doubling while loading and trimmed (optionally onto a
 * SharedArrayBuffer) when frozen. Strings (opaque-ids) are interned once into
 * one byte buffer with offsets, so the whole store is a handful of typed arrays
 * that worker threads and the snapshot file can share as is.
 */

import type { AllocationStatus, ResourceType, Rir } from '../types.js';

/** Codes stored in the `type` column. */
export const TYPE_CODES: readonly ResourceType[] = ['ipv4', 'ipv6', 'asn'];
/** Codes stored in the `status` column. */
export const STATUS_CODES: readonly AllocationStatus[] = [
  'allocated',
  'assigned',
  'available',
  'reserved',
];
/** Codes stored in the `rir` column (name order). */
export const RIR_CODES: readonly Rir[] = [
  'afrinic',
  'apnic',
  'arin',
  'iana',
  'lacnic',
  'ripencc',
];

/** The frozen columns. */
export interface RecordColumns {
  readonly size: number;
  readonly type: Uint8Array;
  readonly status: Uint8Array;
  readonly rir: Uint8Array;
  /** Two ASCII letters packed as c1 << 8 | c2, 0 for none. */
  readonly country: Uint16Array;
  /** yyyymmdd, 0 for none. */
  readonly date: Uint32Array;
  /** Index into the holder strings, -1 for none. */
  readonly holder: Int32Array;
  /** Index into the registry's sources. */
  readonly source: Uint16Array;
  /** Line number in the source file. */
  readonly line: Uint32Array;
  /**
   * Four words per record: IPv6, the first address; IPv4 and ASN, the first
   * and last key followed by two zero words.
   */
  readonly words: Uint32Array;
  /** IPv6: prefix length. */
  readonly prefixLength: Uint8Array;
  /** Holder strings: ASCII bytes and offsets (holderOffsets has one more entry than strings). */
  readonly holderBytes: Uint8Array;
  readonly holderOffsets: Uint32Array;
}

/** The array names of {@link RecordColumns}, in snapshot order. */
export const COLUMN_NAMES = [
  'type',
  'status',
  'rir',
  'country',
  'date',
  'holder',
  'source',
  'line',
  'words',
  'prefixLength',
  'holderBytes',
  'holderOffsets',
] as const satisfies readonly Exclude<keyof RecordColumns, 'size'>[];

/**
 * Record columns that are read on first use (a compiled snapshot): `columns`
 * are views whose slots for record `id` (and its holder string) hold their
 * verified values only once `load(id)` has returned. Code that reads them
 * without calling `load` first would read zeros.
 */
export interface LazyRecordColumns {
  readonly columns: RecordColumns;
  /**
   * Makes record `id`'s slots readable.
   * @throws {SourceError} when they cannot be read or fail their checksum.
   */
  load(id: number): void;
}

/** The columns as a plain object (reads every array once; a lazy store loads them all). */
export function plainColumns(c: RecordColumns): RecordColumns {
  return {
    size: c.size,
    type: c.type,
    status: c.status,
    rir: c.rir,
    country: c.country,
    date: c.date,
    holder: c.holder,
    source: c.source,
    line: c.line,
    words: c.words,
    prefixLength: c.prefixLength,
    holderBytes: c.holderBytes,
    holderOffsets: c.holderOffsets,
  };
}

/** Allocates typed arrays, on a SharedArrayBuffer when asked. */
export function makeAllocator(shared: boolean): {
  u8(n: number): Uint8Array;
  u16(n: number): Uint16Array;
  u32(n: number): Uint32Array;
  i32(n: number): Int32Array;
  f64(n: number): Float64Array;
} {
  const buf = (bytes: number): ArrayBuffer | SharedArrayBuffer =>
    shared ? new SharedArrayBuffer(Math.max(bytes, 8)) : new ArrayBuffer(bytes);
  return {
    u8: (n) => new Uint8Array(buf(n), 0, n),
    u16: (n) => new Uint16Array(buf(n * 2), 0, n),
    u32: (n) => new Uint32Array(buf(n * 4), 0, n),
    i32: (n) => new Int32Array(buf(n * 4), 0, n),
    f64: (n) => new Float64Array(buf(n * 8), 0, n),
  };
}

/** Appends records; `freeze()` returns trimmed columns. */
export class RecordStoreBuilder {
  #cap: number;
  size = 0;
  type: Uint8Array;
  status: Uint8Array;
  rir: Uint8Array;
  country: Uint16Array;
  date: Uint32Array;
  holder: Int32Array;
  source: Uint16Array;
  line: Uint32Array;
  words: Uint32Array;
  prefixLength: Uint8Array;
  readonly #holders: string[] = [];

  readonly #shared: boolean;

  /**
   * @param initialCapacity records to make room for (exact when known: then
   *   freezing needs no copy)
   * @param shared allocate on SharedArrayBuffers
   */
  constructor(initialCapacity = 1024, shared = false) {
    const c = Math.max(16, initialCapacity);
    const a = makeAllocator(shared);
    this.#shared = shared;
    this.#cap = c;
    this.type = a.u8(c);
    this.status = a.u8(c);
    this.rir = a.u8(c);
    this.country = a.u16(c);
    this.date = a.u32(c);
    this.holder = a.i32(c);
    this.source = a.u16(c);
    this.line = a.u32(c);
    this.words = a.u32(c * 4);
    this.prefixLength = a.u8(c);
  }

  /** Current capacity in records. */
  get capacity(): number {
    return this.#cap;
  }

  /** Makes room for `extra` more records. */
  reserve(extra: number): void {
    const need = this.size + extra;
    if (need <= this.#cap) return;
    let c = this.#cap;
    while (c < need) c *= 2;
    const a = makeAllocator(this.#shared);
    const n = this.size;
    const u8 = (x: Uint8Array) => {
      const y = a.u8(c);
      y.set(x.subarray(0, n));
      return y;
    };
    const u32 = (x: Uint32Array, k = 1) => {
      const y = a.u32(c * k);
      y.set(x.subarray(0, n * k));
      return y;
    };
    this.type = u8(this.type);
    this.status = u8(this.status);
    this.rir = u8(this.rir);
    this.prefixLength = u8(this.prefixLength);
    const country = a.u16(c);
    country.set(this.country.subarray(0, n));
    this.country = country;
    const source = a.u16(c);
    source.set(this.source.subarray(0, n));
    this.source = source;
    const holder = a.i32(c);
    holder.set(this.holder.subarray(0, n));
    this.holder = holder;
    this.date = u32(this.date);
    this.line = u32(this.line);
    this.words = u32(this.words, 4);

    this.#cap = c;
  }

  /** Adds an opaque-id the caller knows to be new (interned already); returns its index. */
  addHolder(id: string): number {
    this.#holders.push(id);
    return this.#holders.length - 1;
  }

  /** Trims the columns, optionally onto SharedArrayBuffers. */
  freeze(shared: boolean): RecordColumns {
    const a = makeAllocator(shared);
    const n = this.size;
    const holderTable = (): {
      holderBytes: Uint8Array;
      holderOffsets: Uint32Array;
    } => {
      let bytes = 0;
      for (const h of this.#holders) bytes += h.length;
      const holderBytes = a.u8(bytes);
      const holderOffsets = a.u32(this.#holders.length + 1);
      let o = 0;
      this.#holders.forEach((h, i) => {
        holderOffsets[i] = o;
        for (let k = 0; k < h.length; k++)
          holderBytes[o++] = h.charCodeAt(k) & 0xff;
      });
      holderOffsets[this.#holders.length] = o;
      return { holderBytes, holderOffsets };
    };
    if (n === this.#cap && shared === this.#shared) {
      // Exactly full: hand the arrays over without a copy.
      return {
        size: n,
        type: this.type,
        status: this.status,
        rir: this.rir,
        country: this.country,
        date: this.date,
        holder: this.holder,
        source: this.source,
        line: this.line,
        words: this.words,
        prefixLength: this.prefixLength,
        ...holderTable(),
      };
    }
    const copy8 = (src: Uint8Array, len = n) => {
      const d = a.u8(len);
      d.set(src.subarray(0, len));
      return d;
    };
    const u16 = a.u16(n);
    u16.set(this.country.subarray(0, n));
    const src16 = a.u16(n);
    src16.set(this.source.subarray(0, n));
    const date = a.u32(n);
    date.set(this.date.subarray(0, n));
    const line = a.u32(n);
    line.set(this.line.subarray(0, n));
    const holder = a.i32(n);
    holder.set(this.holder.subarray(0, n));
    const words = a.u32(n * 4);
    words.set(this.words.subarray(0, n * 4));
    return {
      size: n,
      type: copy8(this.type),
      status: copy8(this.status),
      rir: copy8(this.rir),
      country: u16,
      date,
      holder,
      source: src16,
      line,
      words,
      prefixLength: copy8(this.prefixLength),
      ...holderTable(),
    };
  }
}

/** Decodes holder string `h` of a frozen store. */
export function holderText(c: RecordColumns, h: number): string {
  const a = c.holderOffsets[h]!;
  const b = c.holderOffsets[h + 1]!;
  let s = '';
  for (let i = a; i < b; i++) s += String.fromCharCode(c.holderBytes[i]!);
  return s;
}

/** Packs a two-letter country code; '' and `ZZ` give 0. */
export function packCountry(cc: string): number {
  if (cc.length !== 2 || cc === 'ZZ') return 0;
  return (cc.charCodeAt(0) << 8) | cc.charCodeAt(1);
}

/** Unpacks a country code. */
export function unpackCountry(v: number): string | null {
  return v === 0 ? null : String.fromCharCode(v >>> 8, v & 0xff);
}

/** Formats a yyyymmdd number as `yyyy-mm-dd`, or null for 0. */
export function formatDate(v: number): string | null {
  if (v === 0) return null;
  const y = Math.floor(v / 10000);
  const m = Math.floor(v / 100) % 100;
  const d = v % 100;
  return `${String(y).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}
