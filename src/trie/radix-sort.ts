/**
 * Stable least-significant-digit radix sort of 64-bit unsigned keys given as
 * two 32-bit words, 16 bits per pass, returning the permutation. Written here
 * for the IPv6 trie build: a radix sort carries each key's original index for
 * free, so every record learns its segment indexes without a binary search
 * back into the sorted keys, and it keeps pace with a native BigUint64Array
 * sort (which cannot carry the index). A pass whose digit is the same for
 * every key is skipped (IPv6 prefixes leave the low digits zero).
 */

import { Scratch } from './scratch.js';

const RADIX = 65536;

/**
 * @param hi the keys' high words (used as scratch: left in no useful order)
 * @param lo the keys' low words (used as scratch)
 * @param n number of keys (the arrays may be longer)
 * @param sortedHi receives the high words in ascending key order (length >= n)
 * @param sortedLo receives the low words in ascending key order
 * @param scratch memory for the index arrays (a fresh pool when absent)
 * @returns indexes 0..n-1 in ascending key order, equal keys in index order
 */
export function radixOrder64(
  hi: Uint32Array,
  lo: Uint32Array,
  n: number,
  sortedHi: Uint32Array,
  sortedLo: Uint32Array,
  scratch: Scratch = new Scratch(),
): Int32Array {
  let idx = scratch.i32(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  let idxTmp = scratch.i32(n);
  // Key words travel with the indexes so that every pass reads sequentially;
  // the two pairs of word arrays take turns as source and destination.
  let kHi = hi;
  let kLo = lo;
  let hiTmp = sortedHi;
  let loTmp = sortedLo;
  const count = scratch.i32(RADIX);
  for (let pass = 0; pass < 4; pass++) {
    const src = pass < 2 ? kLo : kHi;
    const shift = (pass & 1) * 16;
    count.fill(0);
    for (let i = 0; i < n; i++) count[(src[i]! >>> shift) & 0xffff]!++;
    if (n === 0 || count[(src[0]! >>> shift) & 0xffff] === n) continue;
    let sum = 0;
    for (let d = 0; d < RADIX; d++) {
      const c = count[d]!;
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const p = count[(src[i]! >>> shift) & 0xffff]!++;
      idxTmp[p] = idx[i]!;
      hiTmp[p] = kHi[i]!;
      loTmp[p] = kLo[i]!;
    }
    const t0 = idx;
    idx = idxTmp;
    idxTmp = t0;
    const t1 = kHi;
    kHi = hiTmp;
    hiTmp = t1;
    const t2 = kLo;
    kLo = loTmp;
    loTmp = t2;
  }
  if (kHi !== sortedHi) {
    sortedHi.set(kHi.subarray(0, n));
    sortedLo.set(kLo.subarray(0, n));
  }
  return idx;
}
