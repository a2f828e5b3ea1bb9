/**
 * The lookup structure: a two-level multibit trie. Level one is a 2^16-way
 * stride on the top 16 bits of the key; level two is, per slot, a short run of
 * sorted disjoint interval starts searched by binary search. Each interval
 * carries the id of the record that answers for it (or -1 for a gap), so
 * ranges that are not CIDR blocks are matched exactly: the address just past a
 * range falls in the next interval, never in the range itself.
 *
 * All state lives in typed arrays (which may sit on a SharedArrayBuffer, so
 * worker threads share one copy). A lookup reads a handful of array slots and
 * allocates nothing. Hand-written because no npm package offers exact
 * non-CIDR ranges with allocation-free lookups.
 *
 *   slot = key >>> 16 (IPv4/ASN) or word0 >>> 16 (IPv6)
 *   table[slot] .. table[slot + 1]  -> candidate intervals (inclusive bounds)
 *   starts[i] <= key < starts[i + 1] -> ids[i]
 */

/** Number of first-level slots. */
export const SLOTS = 65536;

/** The arrays of a 32-bit-key trie (IPv4 addresses, AS numbers). */
export interface Trie32Data {
  /** Interval starts, ascending; starts[0] is 0. */
  readonly starts: Uint32Array;
  /** Record id per interval, -1 for gaps. */
  readonly ids: Int32Array;
  /** table[s] = index of the interval containing s << 16; length SLOTS + 1. */
  readonly table: Uint32Array;
}

/** The arrays of a 128-bit-key trie (IPv6 addresses). */
export interface Trie128Data {
  /** Interval starts, four words each (most significant first), ascending; the first is ::. */
  readonly starts: Uint32Array;
  readonly ids: Int32Array;
  readonly table: Uint32Array;
}

/** Builds the first-level table over sorted 32-bit starts. */
export function buildTable32(starts: Uint32Array, table: Uint32Array): void {
  let i = 0;
  const n = starts.length;
  for (let s = 0; s < SLOTS; s++) {
    const key = s * 65536;
    while (i + 1 < n && starts[i + 1]! <= key) i++;
    table[s] = i;
  }
  table[SLOTS] = n - 1;
}

/** Builds the first-level table over sorted 128-bit starts (on their top 16 bits). */
export function buildTable128(starts: Uint32Array, table: Uint32Array): void {
  let i = 0;
  const n = starts.length >>> 2;
  for (let s = 0; s < SLOTS; s++) {
    const key = s * 65536; // word0 value at the slot's start; lower words 0
    while (i + 1 < n && starts[(i + 1) * 4]! <= key) {
      // starts[(i+1)] <= (key,0,0,0) only when its word0 < key or equal with lower words all 0
      const w0 = starts[(i + 1) * 4]!;
      if (
        w0 === key &&
        (starts[(i + 1) * 4 + 1]! !== 0 ||
          starts[(i + 1) * 4 + 2]! !== 0 ||
          starts[(i + 1) * 4 + 3]! !== 0)
      )
        break;
      i++;
    }
    table[s] = i;
  }
  table[SLOTS] = n - 1;
}

/** Record id for a 32-bit key, or -1. */
export function find32(t: Trie32Data, key: number): number {
  const slot = key >>> 16;
  let lo = t.table[slot]!;
  let hi = t.table[slot + 1]!;
  const starts = t.starts;
  // Invariant: starts[lo] <= key; answer in [lo, hi].
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (starts[mid]! <= key) lo = mid;
    else hi = mid - 1;
  }
  return t.ids[lo]!;
}

/** Record id for a 128-bit key given as four words, or -1. */
export function find128(
  t: Trie128Data,
  w0: number,
  w1: number,
  w2: number,
  w3: number,
): number {
  const slot = w0 >>> 16;
  let lo = t.table[slot]!;
  let hi = t.table[slot + 1]!;
  const s = t.starts;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    const o = mid * 4;
    // starts[mid] <= key ?
    let le: boolean;
    const a0 = s[o]!;
    if (a0 !== w0) le = a0 < w0;
    else {
      const a1 = s[o + 1]!;
      if (a1 !== w1) le = a1 < w1;
      else {
        const a2 = s[o + 2]!;
        if (a2 !== w2) le = a2 < w2;
        else le = s[o + 3]! <= w3;
      }
    }
    if (le) lo = mid;
    else hi = mid - 1;
  }
  return t.ids[lo]!;
}
