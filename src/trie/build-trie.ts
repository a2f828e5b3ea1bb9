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

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

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
 * Paints segments. `order` lists record ids best first; `k0[id]`..`k1[id]`
 * (exclusive) are the segment indexes of a record; `scan[id]` says whether the
 * record takes part in conflict detection.
 */
function paint(
  order: Int32Array,
  k0: Int32Array,
  k1: Int32Array,
  segments: number,
  scan: (id: number) => boolean,
  totalIds: number,
): Painted {
  const owner = new Int32Array(segments).fill(-1);
  const next = new Int32Array(segments + 1);
  for (let k = 0; k <= segments; k++) next[k] = k;
  const conflicts: number[] = [];
  const seen = new Set<number>();
  for (let p = 0; p < order.length; p++) {
    const id = order[p]!;
    const a = k0[id]!;
    const b = k1[id]!;
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

function lowerBound32(arr: Uint32Array, n: number, v: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
  const base = input.totalIds;
  const sp = input.special ?? { first: [], last: [] };
  const total = base + sp.first.length;
  // Special ranges become pseudo-records base.., painted first.
  const first = (id: number) =>
    id < base ? input.keys[id * 4]! : sp.first[id - base]!;
  const last = (id: number) =>
    id < base ? input.keys[id * 4 + 1]! : sp.last[id - base]!;
  const order = new Int32Array(input.order.length + sp.first.length);
  for (let j = 0; j < sp.first.length; j++) order[j] = base + j;
  order.set(input.order, sp.first.length);
  const m = order.length;
  // Keys past 2^32 - 1 are never boundaries, so a Uint32Array (faster to sort) holds them all.
  const bounds = new Uint32Array(2 * m + 1);
  let n = 0;
  bounds[n++] = 0;
  for (let i = 0; i < m; i++) {
    const id = order[i]!;
    bounds[n++] = first(id);
    const end = last(id) + 1;
    if (end <= 0xffffffff) bounds[n++] = end;
  }
  const sorted = bounds.subarray(0, n).sort();
  let u = 0;
  for (let i = 0; i < n; i++)
    if (i === 0 || sorted[i] !== sorted[u - 1]) sorted[u++] = sorted[i]!;
  const k0 = new Int32Array(total);
  const k1 = new Int32Array(total);
  for (let i = 0; i < m; i++) {
    const id = order[i]!;
    k0[id] = lowerBound32(sorted, u, first(id));
    const end = last(id) + 1;
    k1[id] = end > 0xffffffff ? u : lowerBound32(sorted, u, end);
  }
  const scan = (id: number) => id < base && input.scan(id);
  const { owner, conflicts } = paint(order, k0, k1, u, scan, total);
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
  const base = input.totalIds;
  const spCount = input.special?.prefixLength.length ?? 0;
  const totalIds = base + spCount;
  let words = input.words;
  let prefixLength = input.prefixLength;
  if (spCount > 0) {
    // Special prefixes become pseudo-records base.., painted first.
    words = new Uint32Array(totalIds * 4);
    words.set(input.words.subarray(0, base * 4));
    words.set(input.special!.words, base * 4);
    prefixLength = new Uint8Array(totalIds);
    prefixLength.set(input.prefixLength.subarray(0, base));
    prefixLength.set(input.special!.prefixLength, base);
  }
  const order = new Int32Array(input.order.length + spCount);
  for (let j = 0; j < spCount; j++) order[j] = base + j;
  order.set(input.order, spCount);
  const m = order.length;
  // Keys: start and end+1 of every record, plus ::.
  const keys = new Uint32Array((2 * m + 1) * 4);
  let n = 1; // keys[0..3] = ::
  const endOverflow = new Uint8Array(totalIds);
  let narrow = true; // all keys have zero low 64 bits
  for (let i = 0; i < m; i++) {
    const id = order[i]!;
    const o = n * 4;
    keys[o] = words[id * 4]!;
    keys[o + 1] = words[id * 4 + 1]!;
    keys[o + 2] = words[id * 4 + 2]!;
    keys[o + 3] = words[id * 4 + 3]!;
    n++;
    const e = n * 4;
    keys[e] = keys[o]!;
    keys[e + 1] = keys[o + 1]!;
    keys[e + 2] = keys[o + 2]!;
    keys[e + 3] = keys[o + 3]!;
    if (addPrefixSize(keys, e, prefixLength[id]!)) n++;
    else endOverflow[id] = 1;
    if (prefixLength[id]! > 64) narrow = false;
  }
  // Sort unique keys.
  let sortedKeys: Uint32Array;
  let u = 0;
  if (narrow && LITTLE_ENDIAN) {
    // Top 64 bits only: a native BigUint64Array sort over a little-endian word view.
    const big = new BigUint64Array(n);
    const view = new Uint32Array(big.buffer);
    for (let i = 0; i < n; i++) {
      view[i * 2] = keys[i * 4 + 1]!; // low half of the top 64 bits
      view[i * 2 + 1] = keys[i * 4]!;
    }
    big.sort();
    sortedKeys = new Uint32Array(n * 4);
    for (let i = 0; i < n; i++) {
      const hi = view[i * 2 + 1]!;
      const lo = view[i * 2]!;
      if (
        u > 0 &&
        sortedKeys[(u - 1) * 4] === hi &&
        sortedKeys[(u - 1) * 4 + 1] === lo
      )
        continue;
      sortedKeys[u * 4] = hi;
      sortedKeys[u * 4 + 1] = lo;
      u++;
    }
  } else {
    const idx = Array.from({ length: n }, (_, i) => i);
    idx.sort((a, b) => compareKeys(keys, a * 4, keys, b * 4));
    sortedKeys = new Uint32Array(n * 4);
    for (const i of idx) {
      if (u > 0 && compareKeys(sortedKeys, (u - 1) * 4, keys, i * 4) === 0)
        continue;
      sortedKeys.set(keys.subarray(i * 4, i * 4 + 4), u * 4);
      u++;
    }
  }
  const k0 = new Int32Array(totalIds);
  const k1 = new Int32Array(totalIds);
  const tmp = new Uint32Array(4);
  for (let i = 0; i < m; i++) {
    const id = order[i]!;
    const o = id * 4;
    k0[id] = lowerBound128(
      sortedKeys,
      u,
      words[o]!,
      words[o + 1]!,
      words[o + 2]!,
      words[o + 3]!,
    );
    if (endOverflow[id] === 1) k1[id] = u;
    else {
      tmp[0] = words[o]!;
      tmp[1] = words[o + 1]!;
      tmp[2] = words[o + 2]!;
      tmp[3] = words[o + 3]!;
      addPrefixSize(tmp, 0, prefixLength[id]!);
      k1[id] = lowerBound128(sortedKeys, u, tmp[0]!, tmp[1]!, tmp[2]!, tmp[3]!);
    }
  }
  const scan = (id: number) => id < base && input.scan(id);
  const { owner, conflicts } = paint(order, k0, k1, u, scan, totalIds);
  for (let k = 0; k < u; k++) if (owner[k]! >= base) owner[k] = SPECIAL_ID;
  let runs = 0;
  for (let k = 0; k < u; k++) if (k === 0 || owner[k] !== owner[k - 1]) runs++;
  const starts = alloc.u32(runs * 4);
  const ids = alloc.i32(runs);
  let r = 0;
  for (let k = 0; k < u; k++) {
    if (k === 0 || owner[k] !== owner[k - 1]) {
      starts[r * 4] = sortedKeys[k * 4]!;
      starts[r * 4 + 1] = sortedKeys[k * 4 + 1]!;
      starts[r * 4 + 2] = sortedKeys[k * 4 + 2]!;
      starts[r * 4 + 3] = sortedKeys[k * 4 + 3]!;
      ids[r] = owner[k]!;
      r++;
    }
  }
  const table = alloc.u32(SLOTS + 1);
  buildTable128(starts, table);
  return { trie: { starts, ids, table }, conflicts };
}
