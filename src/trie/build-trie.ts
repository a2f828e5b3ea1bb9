/**
 * Builds the interval tries from possibly overlapping records.
 *
 * 1. Every record's first key and last key + 1 become boundaries; sorted and
 *    de-duplicated they cut the key space into elementary segments.
 * 2. Records are taken best first (the caller's precedence) and each paints
 *    the still-unpainted segments of its range; a "next unpainted segment"
 *    union-find skips painted runs, so painting is near linear.
 * 3. Adjacent segments with the same owner merge into one interval.
 *
 * Before painting, a record of the first tier scans the segments of its range
 * for owners already painted there: every such pair is an overlap (conflict).
 */

import {
  SLOTS,
  buildTable128,
  buildTable32,
  type Trie128Data,
  type Trie32Data,
} from './interval-trie.js';
import { radixOrder64 } from './radix-sort.js';
import { Scratch } from './scratch.js';

/** Result of painting: owner per elementary segment, and overlap pairs. */
interface Painted {
  readonly owner: Int32Array;
  /** Flat pairs [winner, loser, winner, loser, …]. */
  readonly conflicts: number[];
}

/** Union-find "next unpainted segment at or after k". */
function findNext(next: Int32Array, k: number): number {
  let r = k;
  while (next[r] !== r) r = next[r]!;
  // Path compression.
  while (next[k] !== r) {
    const n = next[k]!;
    next[k] = r;
    k = n;
  }
  return r;
}

/**
 * Paints segments. `order` lists record ids best first; `k0[p]`..`k1[p]`
 * (exclusive) are the segment indexes of the record at position p of `order`;
 * `scan(id)` says whether the record takes part in conflict detection.
 */
function paint(
  order: Int32Array,
  k0: Int32Array,
  k1: Int32Array,
  segments: number,
  scan: (id: number) => boolean,
  totalIds: number,
  scratch: Scratch,
): Painted {
  const owner = scratch.i32(segments).fill(-1);
  const next = scratch.i32(segments + 1);
  for (let k = 0; k <= segments; k++) next[k] = k;
  const conflicts: number[] = [];
  const seen = new Set<number>();
  for (let p = 0; p < order.length; p++) {
    const id = order[p]!;
    const a = k0[p]!;
    const b = k1[p]!;
    if (scan(id)) {
      let last = -1;
      for (let k = a; k < b; k++) {
        const o = owner[k]!;
        if (o >= 0 && o !== last && scan(o)) {
          last = o;
          const key = o * totalIds + id;
          if (!seen.has(key)) {
            seen.add(key);
            conflicts.push(o, id);
          }
        }
      }
    }
    let k = findNext(next, a);
    while (k < b) {
      owner[k] = id;
      next[k] = k + 1;
      k = findNext(next, k + 1);
    }
  }
  return { owner, conflicts };
}

/**
 * Indexes of `n` 32-bit keys in ascending key order, equal keys in index
 * order: key and index packed into one double (exact below 2^53) and sorted
 * by the native Float64Array sort, which carries the index along.
 */
function sortOrder32(
  keys: Uint32Array,
  n: number,
  scratch: Scratch,
): Int32Array {
  const order = scratch.i32(n);
  if (n <= 2 ** 21) {
    const packed = scratch.f64(n);
    for (let i = 0; i < n; i++) packed[i] = keys[i]! * 2 ** 21 + i;
    packed.sort();
    for (let i = 0; i < n; i++) order[i] = packed[i]! % 2 ** 21;
    return order;
  }
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => keys[a]! - keys[b]! || a - b);
  order.set(idx);
  return order;
}

/** Input for a 32-bit trie: records by id with first/last keys. */
export interface Build32Input {
  /** Ids of the records of this type, best first. */
  readonly order: Int32Array;
  /** Four words per record id: [first key, last key (inclusive), 0, 0]. */
  readonly keys: Uint32Array;
  /** Whether a record takes part in conflict detection. */
  readonly scan: (id: number) => boolean;
  /** Upper bound of record ids (for pair keys). */
  readonly totalIds: number;
  /** Allocate output arrays (lets the caller place them on a SharedArrayBuffer). */
  readonly alloc: AllocArrays;
  /** Ranges painted before any record, with id {@link SPECIAL_ID} (special-purpose space). */
  readonly special?: {
    readonly first: readonly number[];
    readonly last: readonly number[];
  };
  /** Memory for the temporary arrays, reused from an earlier build (see scratch.ts). */
  readonly scratch?: Scratch;
}

/** Id stored for special-purpose intervals. */
export const SPECIAL_ID = -3;

/** Allocates the output arrays. */
export interface AllocArrays {
  u32(length: number): Uint32Array;
  i32(length: number): Int32Array;
}

/** Builds a 32-bit trie. */
export function buildTrie32(input: Build32Input): {
  trie: Trie32Data;
  conflicts: number[];
} {
  const { alloc } = input;
  const scratch = input.scratch ?? new Scratch();
  scratch.reset();
  const base = input.totalIds;
  const sp = input.special ?? { first: [], last: [] };
  const total = base + sp.first.length;
  // Special ranges become pseudo-records base.., painted first.
  const first = (id: number) =>
    id < base ? input.keys[id * 4]! : sp.first[id - base]!;
  const last = (id: number) =>
    id < base ? input.keys[id * 4 + 1]! : sp.last[id - base]!;
  const order = scratch.i32(input.order.length + sp.first.length);
  for (let j = 0; j < sp.first.length; j++) order[j] = base + j;
  order.set(input.order, sp.first.length);
  const m = order.length;
  // Boundaries: 0, then the first key and last key + 1 of every record
  // (keys past 2^32 - 1 are never boundaries). Each carries a tag naming its
  // record (2i for order[i]'s first key, 2i + 1 for its end), so the sorted,
  // de-duplicated pass below gives every record its segment indexes directly.
  const bounds = scratch.u32(2 * m + 1);
  const tags = scratch.i32(2 * m + 1);
  let n = 0;
  bounds[0] = 0;
  tags[n++] = -1;
  for (let i = 0; i < m; i++) {
    const id = order[i]!;
    bounds[n] = first(id);
    tags[n++] = 2 * i;
    const end = last(id) + 1;
    if (end <= 0xffffffff) {
      bounds[n] = end;
      tags[n++] = 2 * i + 1;
    }
  }
  const perm = sortOrder32(bounds, n, scratch);
  const sorted = scratch.u32(n);
  // Segment indexes by position in `order`.
  const k0 = scratch.i32(m);
  const k1 = scratch.i32(m).fill(-1);
  let u = 0;
  for (let j = 0; j < n; j++) {
    const e = perm[j]!;
    const v = bounds[e]!;
    if (u === 0 || sorted[u - 1] !== v) sorted[u++] = v;
    const t = tags[e]!;
    if (t >= 0) {
      if ((t & 1) === 0) k0[t >>> 1] = u - 1;
      else k1[t >>> 1] = u - 1;
    }
  }
  // A range reaching the top of the space ends past the last segment.
  for (let i = 0; i < m; i++) if (k1[i] === -1) k1[i] = u;
  const scan = (id: number) => id < base && input.scan(id);
  const { owner, conflicts } = paint(order, k0, k1, u, scan, total, scratch);
  for (let k = 0; k < u; k++) if (owner[k]! >= base) owner[k] = SPECIAL_ID;
  // Merge runs.
  let runs = 0;
  for (let k = 0; k < u; k++) if (k === 0 || owner[k] !== owner[k - 1]) runs++;
  const starts = alloc.u32(runs);
  const ids = alloc.i32(runs);
  let r = 0;
  for (let k = 0; k < u; k++) {
    if (k === 0 || owner[k] !== owner[k - 1]) {
      starts[r] = sorted[k]!;
      ids[r] = owner[k]!;
      r++;
    }
  }
  const table = alloc.u32(SLOTS + 1);
  buildTable32(starts, table);
  return { trie: { starts, ids, table }, conflicts };
}

/** Input for the IPv6 trie. */
export interface Build128Input {
  readonly order: Int32Array;
  /** Four words per record id: the first address. */
  readonly words: Uint32Array;
  /** Prefix length per record id. */
  readonly prefixLength: Uint8Array;
  readonly scan: (id: number) => boolean;
  readonly totalIds: number;
  readonly alloc: AllocArrays;
  /** Prefixes painted before any record, with id {@link SPECIAL_ID}. */
  readonly special?: {
    readonly words: Uint32Array;
    readonly prefixLength: Uint8Array;
  };
  /** Memory for the temporary arrays, reused from an earlier build (see scratch.ts). */
  readonly scratch?: Scratch;
}

function compareKeys(
  a: Uint32Array,
  ai: number,
  b: Uint32Array,
  bi: number,
): number {
  for (let w = 0; w < 4; w++) {
    const x = a[ai + w]!;
    const y = b[bi + w]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * Adds 2^(128-len) to a key in place (the key just past a prefix).
 * @returns false on overflow past the end of the address space.
 */
function addPrefixSize(key: Uint32Array, o: number, len: number): boolean {
  if (len === 0) return false;
  const bit = 128 - len; // 0..127
  let w = 3 - Math.floor(bit / 32);
  let carry = 2 ** (bit % 32);
  while (w >= 0 && carry > 0) {
    const s = key[o + w]! + carry;
    key[o + w] = s >>> 0;
    carry = s > 0xffffffff ? 1 : 0;
    w--;
  }
  return carry === 0;
}

/** Index of the first of `n` sorted four-word keys that is not below (w0, w1, w2, w3). */
function lowerBound128(
  keys: Uint32Array,
  n: number,
  w0: number,
  w1: number,
  w2: number,
  w3: number,
): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const o = mid * 4;
    const a0 = keys[o]!;
    let less: boolean;
    if (a0 !== w0) less = a0 < w0;
    else {
      const a1 = keys[o + 1]!;
      if (a1 !== w1) less = a1 < w1;
      else {
        const a2 = keys[o + 2]!;
        if (a2 !== w2) less = a2 < w2;
        else less = keys[o + 3]! < w3;
      }
    }
    if (less) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Builds the IPv6 trie. Keys are compared as four words; sorting uses a native 64-bit sort when possible. */
export function buildTrie128(input: Build128Input): {
  trie: Trie128Data;
  conflicts: number[];
} {
  const { alloc } = input;
  const scratch = input.scratch ?? new Scratch();
  scratch.reset();
  const base = input.totalIds;
  const spCount = input.special?.prefixLength.length ?? 0;
  const totalIds = base + spCount;
  const order = scratch.i32(input.order.length + spCount);
  for (let j = 0; j < spCount; j++) order[j] = base + j;
  order.set(input.order, spCount);
  const m = order.length;
  const plenOf = (id: number) =>
    id < base
      ? input.prefixLength[id]!
      : input.special!.prefixLength[id - base]!;
  const wordsOf = (id: number) =>
    id < base ? input.words : input.special!.words;
  const offsetOf = (id: number) => (id < base ? id : id - base) * 4;
  let narrow = true; // every prefix within the top 64 bits
  for (let i = 0; i < m && narrow; i++)
    if (plenOf(order[i]!) > 64) narrow = false;
  let k0: Int32Array; // segment indexes by position in `order`
  let k1: Int32Array;
  let u: number;
  let sorted: Uint32Array; // u unique keys, four words each
  if (narrow) {
    // Keys: ::, then the first address and the address past the end of every
    // prefix, as their top 64 bits (two words), tagged as in buildTrie32.
    // Built straight into the radix sort's inputs: on a VM every megabyte of
    // fresh memory costs milliseconds, so this path allocates little.
    const hi = scratch.u32(2 * m + 1);
    const lo = scratch.u32(2 * m + 1);
    const tags = scratch.i32(2 * m + 1);
    tags[0] = -1;
    let n = 1;
    for (let i = 0; i < m; i++) {
      const id = order[i]!;
      const w = wordsOf(id);
      const o = offsetOf(id);
      const w0 = w[o]!;
      const w1 = w[o + 1]!;
      hi[n] = w0;
      lo[n] = w1;
      tags[n++] = 2 * i;
      // The address past the prefix: add 2^(64 - len) to the top 64 bits.
      const len = plenOf(id);
      let e0 = w0;
      let e1 = w1;
      if (len === 0) continue; // ::/0 ends past the top of the space
      if (len <= 32) e0 = w0 + 2 ** (32 - len);
      else {
        e1 = w1 + 2 ** (64 - len);
        if (e1 > 0xffffffff) {
          e1 -= 2 ** 32;
          e0 = w0 + 1;
        }
      }
      if (e0 > 0xffffffff) continue; // past the top of the space
      hi[n] = e0;
      lo[n] = e1;
      tags[n++] = 2 * i + 1;
    }
    const sortedHi = scratch.u32(n);
    const sortedLo = scratch.u32(n);
    const perm = radixOrder64(hi, lo, n, sortedHi, sortedLo, scratch);
    // The sort is done with hi and lo: their memory holds the segment indexes.
    k0 = new Int32Array(hi.buffer, 0, m);
    k1 = new Int32Array(lo.buffer, 0, m).fill(-1);
    u = 0;
    for (let j = 0; j < n; j++) {
      const h = sortedHi[j]!;
      const l = sortedLo[j]!;
      if (u === 0 || sortedHi[u - 1] !== h || sortedLo[u - 1] !== l) {
        sortedHi[u] = h;
        sortedLo[u] = l;
        u++;
      }
      const t = tags[perm[j]!]!;
      if (t >= 0) {
        if ((t & 1) === 0) k0[t >>> 1] = u - 1;
        else k1[t >>> 1] = u - 1;
      }
    }
    for (let i = 0; i < m; i++) if (k1[i] === -1) k1[i] = u;
    sorted = scratch.u32(u * 4);
    for (let k = 0; k < u; k++) {
      sorted[k * 4] = sortedHi[k]!;
      sorted[k * 4 + 1] = sortedLo[k]!;
    }
  } else {
    // Prefixes longer than /64: full four-word keys, a comparison sort and
    // binary searches (not met in the registries' files).
    k0 = new Int32Array(m);
    k1 = new Int32Array(m);
    const keys = new Uint32Array((2 * m + 1) * 4);
    const endOverflow = new Uint8Array(m);
    let n = 1; // keys[0..3] = ::
    for (let i = 0; i < m; i++) {
      const id = order[i]!;
      const w = wordsOf(id);
      const o = offsetOf(id);
      const k = n * 4;
      for (let x = 0; x < 4; x++) keys[k + x] = w[o + x]!;
      n++;
      const e = n * 4;
      for (let x = 0; x < 4; x++) keys[e + x] = w[o + x]!;
      if (addPrefixSize(keys, e, plenOf(id))) n++;
      else endOverflow[i] = 1;
    }
    const idx = Array.from({ length: n }, (_, i) => i);
    idx.sort((a, b) => compareKeys(keys, a * 4, keys, b * 4));
    sorted = new Uint32Array(n * 4);
    u = 0;
    for (const i of idx) {
      if (u > 0 && compareKeys(sorted, (u - 1) * 4, keys, i * 4) === 0)
        continue;
      sorted.set(keys.subarray(i * 4, i * 4 + 4), u * 4);
      u++;
    }
    const tmp = new Uint32Array(4);
    for (let i = 0; i < m; i++) {
      const id = order[i]!;
      const w = wordsOf(id);
      const o = offsetOf(id);
      k0[i] = lowerBound128(sorted, u, w[o]!, w[o + 1]!, w[o + 2]!, w[o + 3]!);
      if (endOverflow[i] === 1) k1[i] = u;
      else {
        for (let x = 0; x < 4; x++) tmp[x] = w[o + x]!;
        addPrefixSize(tmp, 0, plenOf(id));
        k1[i] = lowerBound128(sorted, u, tmp[0]!, tmp[1]!, tmp[2]!, tmp[3]!);
      }
    }
  }
  const scan = (id: number) => id < base && input.scan(id);
  const { owner, conflicts } = paint(order, k0, k1, u, scan, totalIds, scratch);
  for (let k = 0; k < u; k++) if (owner[k]! >= base) owner[k] = SPECIAL_ID;
  let runs = 0;
  for (let k = 0; k < u; k++) if (k === 0 || owner[k] !== owner[k - 1]) runs++;
  const starts = alloc.u32(runs * 4);
  const ids = alloc.i32(runs);
  let r = 0;
  for (let k = 0; k < u; k++) {
    if (k === 0 || owner[k] !== owner[k - 1]) {
      starts[r * 4] = sorted[k * 4]!;
      starts[r * 4 + 1] = sorted[k * 4 + 1]!;
      starts[r * 4 + 2] = sorted[k * 4 + 2]!;
      starts[r * 4 + 3] = sorted[k * 4 + 3]!;
      ids[r] = owner[k]!;
      r++;
    }
  }
  const table = alloc.u32(SLOTS + 1);
  buildTable128(starts, table);
  return { trie: { starts, ids, table }, conflicts };
}
