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

/** Index of the interval holding a 32-bit key. */
export function intervalOf32(t: Trie32Data, key: number): number {
  const slot = key >>> 16;
  let lo = t.table[slot]!;
  let hi = t.table[slot + 1]!;
  const starts = t.starts;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (starts[mid]! <= key) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Record id for a 32-bit key, or -1. */
export function find32(t: Trie32Data, key: number): number {
  return t.ids[intervalOf32(t, key)]!;
}

/**
 * Search keys for a 128-bit trie: the top 53 bits of each interval start as an
 * exact double (word0 * 2^21 + word1 >>> 11), ascending like the starts. Most
 * binary-search steps are then one comparison; equal keys fall back to the
 * words. Derived from `starts` when first needed (about 1 ms per 100,000
 * intervals), so snapshots and shared handles need not carry it.
 */
export function buildKeys128(starts: Uint32Array): Float64Array {
  const n = starts.length >>> 2;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++)
    keys[i] = starts[i * 4]! * 2097152 + (starts[i * 4 + 1]! >>> 11);
  return keys;
}

/** Record id for a 128-bit key given as four words, or -1; `d` from buildDirectory128, `keys` from buildKeys128. */
export function find128(
  t: Trie128Data,
  d: TrieDirectory,
  keys: Float64Array,
  w0: number,
  w1: number,
  w2: number,
  w3: number,
): number {
  const slot = w0 >>> 16;
  const sole = d.dir[2 * slot]!;
  if (sole !== MIXED) return sole;
  let lo = firstCandidate(d, slot, w0 & 0xffff);
  let hi = lastCandidate(d, slot, w0 & 0xffff);
  const k = w0 * 2097152 + (w1 >>> 11);
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    const a = keys[mid]!;
    let le: boolean;
    if (a !== k) le = a < k;
    else {
      // Same top 53 bits: compare the rest (word0 is equal).
      const s = t.starts;
      const o = mid * 4;
      const a1 = s[o + 1]!;
      if (a1 !== w1) le = a1 < w1;
      else {
        const a2 = s[o + 2]!;
        le = a2 !== w2 ? a2 < w2 : s[o + 3]! <= w3;
      }
    }
    if (le) lo = mid;
    else hi = mid - 1;
  }
  return t.ids[lo]!;
}

/**
 * A directory over a trie's first-level table, built on first use. Per slot
 * it holds the record id when one record (or one gap) covers the whole slot,
 * so most IPv4 lookups end after a single read, and otherwise where to
 * search: sparse slots (fewer than 8 candidate intervals) keep their table
 * bounds; a dense slot gets a sub-table on the next bits of the key, sized so
 * that about two intervals fall in each entry, and the binary search runs
 * only inside that entry. IPv6 slots such as 2001::/16 hold over ten thousand
 * intervals, and this takes their search from about 14 steps to 1 or 2.
 *
 *   dir[2 * slot]     the slot's sole id, or MIXED
 *   dir[2 * slot + 1] >= 0: candidates are that index .. (bound of slot + 1)
 *                     <  0: sub-table at base = ~value; sub[base] is the shift
 *                     applied to the key's low 16 bits (of word0 for IPv6),
 *                     and sub[base + 1 + j] .. sub[base + 2 + j] bound entry j.
 */
export interface TrieDirectory {
  readonly dir: Int32Array;
  readonly sub: Uint32Array;
}

/** Directory value for a slot that more than one interval answers for. */
export const MIXED = -2147483648;

const DENSE = 8;

/**
 * Builds the directory of a trie. `startCmp(i, w0)` compares interval i's
 * start with the key whose top 32 bits are `w0` and whose other bits are zero
 * (negative, zero or positive).
 */
function buildDirectory(
  table: Uint32Array,
  ids: Int32Array,
  startCmp: (i: number, w0: number) => number,
): TrieDirectory {
  const bitsOf = (count: number) =>
    count < DENSE ? 0 : Math.min(16, Math.ceil(Math.log2(count)) - 1);
  let size = 0;
  for (let s = 0; s < SLOTS; s++) {
    const bits = bitsOf(table[s + 1]! - table[s]!);
    if (bits > 0) size += (1 << bits) + 2;
  }
  const dir = new Int32Array(2 * (SLOTS + 1));
  const sub = new Uint32Array(size);
  let base = 0;
  for (let s = 0; s < SLOTS; s++) {
    const lo = table[s]!;
    const hi = table[s + 1]!;
    // The last candidate does not count when it starts exactly at the next slot.
    const end = hi > lo && startCmp(hi, (s + 1) * 65536) === 0 ? hi - 1 : hi;
    let sole = ids[lo]!;
    for (let i = lo + 1; i <= end && sole !== MIXED; i++)
      if (ids[i] !== sole) sole = MIXED;
    dir[2 * s] = sole;
    const bits = bitsOf(hi - lo);
    if (bits === 0) {
      dir[2 * s + 1] = lo;
      continue;
    }
    const shift = 16 - bits;
    dir[2 * s + 1] = ~base;
    sub[base++] = shift;
    let i = lo;
    for (let j = 0; j < 1 << bits; j++) {
      const w0 = s * 65536 + j * (1 << shift);
      while (i < hi && startCmp(i + 1, w0) <= 0) i++;
      sub[base++] = i;
    }
    sub[base++] = hi;
  }
  dir[2 * SLOTS] = MIXED;
  dir[2 * SLOTS + 1] = table[SLOTS]!;
  return { dir, sub };
}

/** The directory of a 32-bit-key trie. */
export function buildDirectory32(t: Trie32Data): TrieDirectory {
  const starts = t.starts;
  return buildDirectory(t.table, t.ids, (i, key) => starts[i]! - key);
}

/** The directory of a 128-bit-key trie. */
export function buildDirectory128(t: Trie128Data): TrieDirectory {
  const s = t.starts;
  return buildDirectory(t.table, t.ids, (i, w0) => {
    const a = s[i * 4]!;
    if (a !== w0) return a - w0;
    return s[i * 4 + 1] === 0 && s[i * 4 + 2] === 0 && s[i * 4 + 3] === 0
      ? 0
      : 1;
  });
}

/** The first interval that may hold a key of `slot` whose next 16 bits are `low`. */
function firstCandidate(d: TrieDirectory, slot: number, low: number): number {
  const e = d.dir[2 * slot + 1]!;
  return e >= 0 ? e : d.sub[~e + 1 + (low >>> d.sub[~e]!)]!;
}

/** The last interval that may hold a key of `slot` whose next 16 bits are `low`. */
function lastCandidate(d: TrieDirectory, slot: number, low: number): number {
  const e = d.dir[2 * slot + 1]!;
  if (e < 0) return d.sub[~e + 2 + (low >>> d.sub[~e]!)]!;
  const n = d.dir[2 * slot + 3]!;
  return n >= 0 ? n : d.sub[~n + 1]!;
}

/** Record id for a 32-bit key, or -1, through the directory. */
export function find32Dir(
  t: Trie32Data,
  d: TrieDirectory,
  key: number,
): number {
  const slot = key >>> 16;
  const sole = d.dir[2 * slot]!;
  if (sole !== MIXED) return sole;
  let lo = firstCandidate(d, slot, key & 0xffff);
  let hi = lastCandidate(d, slot, key & 0xffff);
  const starts = t.starts;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (starts[mid]! <= key) lo = mid;
    else hi = mid - 1;
  }
  return t.ids[lo]!;
}
