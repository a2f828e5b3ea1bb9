/**
 * Address values for the RDAP side. RDAP work is per network, not per row, so
 * plain numbers (IPv4) and BigInts (IPv6) are used here; the allocation-free
 * parsers of `ip/` do the text scanning.
 */

import {
  formatIpv4,
  formatIpv6BigInt,
  wordsToBigInt,
} from '../ip/format-ip.js';
import { isMappedIpv4, parseIpv4, parseIpv6 } from '../ip/parse-ip.js';
import { ipv4RangeToCidrs, ipv6RangeToCidrs } from '../ip/range-to-prefixes.js';
import { specialIpv4, specialIpv6 } from '../ip/special.js';

/** An address as a number (IPv4) or a 128-bit BigInt (IPv6). */
export type IpValue =
  | { readonly family: 4; readonly value: number }
  | { readonly family: 6; readonly value: bigint };

const WORDS = new Uint32Array(4);

/**
 * Parses a query address: IPv4, IPv6 (a zone id is dropped), IPv4-mapped IPv6
 * folded to IPv4. Surrounding whitespace is ignored.
 * @returns the value, or null when the text is not an address.
 */
export function parseQueryIp(text: string): IpValue | null {
  const s = text.trim();
  const v4 = parseIpv4(s);
  if (v4 >= 0) return { family: 4, value: v4 };
  if (parseIpv6(s, WORDS)) {
    if (isMappedIpv4(WORDS)) return { family: 4, value: WORDS[3]! };
    return { family: 6, value: wordsToBigInt(WORDS) };
  }
  return null;
}

/**
 * Parses an address as RDAP servers have written them: with a `/nn` suffix
 * (`62.239.237.0/32`), zero-padded IPv4 octets read as decimal
 * (`074.125.000.000`), upper-case or uncompressed IPv6. Mapped IPv6 is not folded.
 * @returns the value, or null.
 */
export function parseLenientIp(text: unknown): IpValue | null {
  if (typeof text !== 'string') return null;
  let s = text.trim();
  const slash = s.indexOf('/');
  if (slash >= 0) s = s.slice(0, slash);
  const v4 = parseIpv4(s);
  if (v4 >= 0) return { family: 4, value: v4 };
  if (parseIpv6(s, WORDS)) return { family: 6, value: wordsToBigInt(WORDS) };
  return null;
}

/** Canonical text: dotted quad, or RFC 5952 IPv6. */
export function formatIpValue(ip: IpValue): string {
  return ip.family === 4 ? formatIpv4(ip.value) : formatIpv6BigInt(ip.value);
}

/** Number of bits of the family. */
export function familyBits(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

/** -1, 0 or 1. Both values must be of the same family. */
export function compareIp(a: IpValue, b: IpValue): number {
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

/** True when `start <= ip <= end` and all three share a family. */
export function ipInRange(ip: IpValue, start: IpValue, end: IpValue): boolean {
  return (
    ip.family === start.family &&
    ip.family === end.family &&
    start.value <= ip.value &&
    ip.value <= end.value
  );
}

/** The address with its last `bits - length` bits cleared, as text of the masked value (`value/len`). */
export function maskedKey(ip: IpValue, length: number): string {
  if (ip.family === 4) {
    const shift = 32 - length;
    const v = shift >= 32 ? 0 : Math.floor(ip.value / 2 ** shift) * 2 ** shift;
    return `${v}/${length}`;
  }
  const shift = BigInt(128 - length);
  return `${((ip.value >> shift) << shift).toString(16)}/${length}`;
}

/** The first and last address of the block of `length` bits holding `ip`. */
export function blockOf(
  ip: IpValue,
  length: number,
): readonly [IpValue, IpValue] {
  if (ip.family === 4) {
    const size = 2 ** (32 - length);
    const start = Math.floor(ip.value / size) * size;
    return [
      { family: 4, value: start },
      { family: 4, value: start + size - 1 },
    ];
  }
  const shift = BigInt(128 - length);
  const start = (ip.value >> shift) << shift;
  return [
    { family: 6, value: start },
    { family: 6, value: start + (1n << shift) - 1n },
  ];
}

/** Minimal CIDR cover of `[start, end]` (same family, start <= end). */
export function rangeCover(start: IpValue, end: IpValue): string[] {
  if (start.family === 4 && end.family === 4)
    return ipv4RangeToCidrs(start.value, end.value);
  if (start.family === 6 && end.family === 6)
    return ipv6RangeToCidrs(start.value, end.value);
  return [];
}

/** Splits `a.b.c.d/len` or `x::/len` into its address value and length, or null. */
export function parseCidrValue(
  text: string,
): { readonly ip: IpValue; readonly length: number } | null {
  const slash = text.indexOf('/');
  if (slash < 0) return null;
  const ip = parseLenientIp(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (ip === null || !/^\d{1,3}$/.test(lenText)) return null;
  const length = Number(lenText);
  if (length > familyBits(ip.family)) return null;
  return { ip, length };
}

/** The IANA special-purpose name of an address, or null. */
export function specialOf(ip: IpValue): string | null {
  if (ip.family === 4) return specialIpv4(ip.value);
  const v = ip.value;
  WORDS[0] = Number((v >> 96n) & 0xffffffffn);
  WORDS[1] = Number((v >> 64n) & 0xffffffffn);
  WORDS[2] = Number((v >> 32n) & 0xffffffffn);
  WORDS[3] = Number(v & 0xffffffffn);
  return specialIpv6(WORDS);
}
