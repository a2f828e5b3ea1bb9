/**
 * Ranges to minimal CIDR covers. Delegated IPv4 counts are host counts that
 * need not be powers of two nor aligned, so a record may need several blocks:
 * repeatedly take the largest block aligned at the current address that fits.
 * (Never `32 - log2(count)`.)
 */

import { formatIpv4, formatIpv6BigInt } from './format-ip.js';

/** Minimal CIDR cover of the IPv4 range `[start, end]` (inclusive), as text. */
export function ipv4RangeToCidrs(start: number, end: number): string[] {
  const out: string[] = [];
  let cur = start;
  while (cur <= end) {
    // Largest power of two dividing cur (the alignment), capped by what remains.
    let size = cur === 0 ? 2 ** 32 : (cur & -cur) >>> 0 || 2 ** 32;
    const remaining = end - cur + 1;
    while (size > remaining) size /= 2;
    out.push(`${formatIpv4(cur)}/${32 - Math.log2(size)}`);
    cur += size;
  }
  return out;
}

/** Minimal CIDR cover of the IPv6 range `[start, end]` (inclusive, 128-bit BigInts), as text. */
export function ipv6RangeToCidrs(start: bigint, end: bigint): string[] {
  const out: string[] = [];
  let cur = start;
  while (cur <= end) {
    let bits = 0;
    while (bits < 128 && ((cur >> BigInt(bits)) & 1n) === 0n) bits++;
    const remaining = end - cur + 1n;
    while (bits > 0 && 1n << BigInt(bits) > remaining) bits--;
    out.push(`${formatIpv6BigInt(cur)}/${128 - bits}`);
    cur += 1n << BigInt(bits);
  }
  return out;
}
