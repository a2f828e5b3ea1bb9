/**
 * The ranges an export writes: the registry's merged index, less the IANA
 * special-purpose blocks (which `lookup` answers as misses whatever a file
 * says), so that every export answers exactly what `lookup` answers.
 */

import { parseIpv4, parseIpv6 } from '../ip/parse-ip.js';
import { wordsToBigInt } from '../ip/format-ip.js';
import { SPECIAL_IPV4, SPECIAL_IPV6 } from '../ip/special.js';
import type { Registry } from '../types.js';

/** One disjoint range of an export and the record that answers for it. */
export interface ExportRange {
  readonly start: bigint;
  readonly end: bigint;
  readonly id: number;
}

/** An inclusive range of addresses as 128-bit (IPv6) or 32-bit (IPv4) numbers. */
export type BlockedRange = readonly [start: bigint, end: bigint];

function cidrRange(cidr: string, family: 4 | 6): BlockedRange {
  const [addr, len] = cidr.split('/') as [string, string];
  const bits = family === 4 ? 32 : 128;
  let start: bigint;
  if (family === 4) {
    start = BigInt(parseIpv4(addr));
  } else {
    const words = new Uint32Array(4);
    parseIpv6(addr, words);
    start = wordsToBigInt(words);
  }
  const size = 1n << BigInt(bits - Number(len));
  return [start, start + size - 1n];
}

function mergeBlocked(ranges: readonly BlockedRange[]): BlockedRange[] {
  const sorted = [...ranges].sort((a, b) =>
    a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0,
  );
  const out: [bigint, bigint][] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && s <= last[1] + 1n) {
      if (e > last[1]) last[1] = e;
    } else {
      out.push([s, e]);
    }
  }
  return out;
}

/** IANA special-purpose IPv4 blocks, merged and sorted. */
export const SPECIAL_IPV4_RANGES: readonly BlockedRange[] = mergeBlocked(
  SPECIAL_IPV4.map(([cidr]) => cidrRange(cidr, 4)),
);

/** IANA special-purpose IPv6 blocks, merged and sorted. */
export const SPECIAL_IPV6_RANGES: readonly BlockedRange[] = mergeBlocked(
  SPECIAL_IPV6.map(([cidr]) => cidrRange(cidr, 6)),
);

/**
 * The registry's ranges of one family in address order, with the special-purpose
 * blocks (and any `extraBlocked` ranges) cut out, and touching pieces of one
 * record joined.
 */
export function* exportIntervals(
  registry: Registry,
  type: 'ipv4' | 'ipv6',
  extraBlocked: readonly BlockedRange[] = [],
): Generator<ExportRange> {
  const blocked = mergeBlocked([
    ...(type === 'ipv4' ? SPECIAL_IPV4_RANGES : SPECIAL_IPV6_RANGES),
    ...extraBlocked,
  ]);
  let b = 0;
  let pending: { start: bigint; end: bigint; id: number } | null = null;
  const pieces: ExportRange[] = [];
  for (const iv of registry.intervals(type)) {
    // Cut the interval by the blocked ranges (both lists are in address order).
    while (b < blocked.length && blocked[b]![1] < iv.start) b++;
    let cur = iv.start;
    let k = b;
    pieces.length = 0;
    while (cur <= iv.end) {
      const blk = blocked[k];
      if (blk === undefined || blk[0] > iv.end) {
        pieces.push({ start: cur, end: iv.end, id: iv.id });
        break;
      }
      if (blk[0] > cur)
        pieces.push({ start: cur, end: blk[0] - 1n, id: iv.id });
      if (blk[1] >= iv.end) break;
      cur = blk[1] + 1n > cur ? blk[1] + 1n : cur;
      k++;
    }
    for (const piece of pieces) {
      if (
        pending !== null &&
        pending.id === piece.id &&
        pending.end + 1n === piece.start
      ) {
        pending.end = piece.end;
      } else {
        if (pending !== null) yield pending;
        pending = { start: piece.start, end: piece.end, id: piece.id };
      }
    }
  }
  if (pending !== null) yield pending;
}

/**
 * Minimal CIDR cover of an IPv4 range, as [first address, prefix length] pairs:
 * repeatedly the largest aligned block at the current address that fits.
 */
export function* ipv4Prefixes(
  start: number,
  end: number,
): Generator<readonly [number, number]> {
  let cur = start;
  while (cur <= end) {
    let tz = cur === 0 ? 32 : 31 - Math.clz32((cur & -cur) >>> 0);
    const remaining = end - cur + 1;
    while (2 ** tz > remaining) tz--;
    yield [cur, 32 - tz];
    cur += 2 ** tz;
  }
}

/** Number of trailing zero bits of a 128-bit value (128 for zero). */
function trailingZeros128(v: bigint): number {
  for (let k = 0; k < 4; k++) {
    const w = Number((v >> BigInt(32 * k)) & 0xffff_ffffn);
    if (w !== 0) return 32 * k + 31 - Math.clz32((w & -w) >>> 0);
  }
  return 128;
}

/** Index of the highest set bit of a positive value of up to 129 bits. */
function highestBit(v: bigint): number {
  for (let k = 4; k >= 0; k--) {
    const w = Number((v >> BigInt(32 * k)) & 0xffff_ffffn);
    if (w !== 0) return 32 * k + 31 - Math.clz32(w);
  }
  return -1;
}

/** Minimal CIDR cover of an IPv6 range, as [first address, prefix length] pairs. */
export function* ipv6Prefixes(
  start: bigint,
  end: bigint,
): Generator<readonly [bigint, number]> {
  let cur = start;
  while (cur <= end) {
    // The largest block aligned at cur that does not pass end.
    const tz = Math.min(trailingZeros128(cur), highestBit(end - cur + 1n));
    yield [cur, 128 - tz];
    cur += 1n << BigInt(tz);
  }
}
