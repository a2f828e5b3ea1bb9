/**
 * IP text to numbers. This is the hot path of every lookup, so it is written by
 * hand rather than taken from a library: it scans the string with charCodeAt,
 * makes no substrings, no regexes and no allocations. IPv4 becomes one uint32;
 * IPv6 becomes four uint32 words written into a caller-supplied Uint32Array.
 * Generic IP libraries (ip-cidr, ipaddr.js) allocate objects and BigInts per
 * parse and are several times slower; ip-cidr is used only for CIDR text in
 * `cidr.ts`.
 */

import { QueryError } from '../errors.js';

/**
 * Parses a dotted-quad IPv4 address in `s[from..to)`.
 * Octets are decimal with one to three digits (leading zeros are read as
 * decimal, as RIR data and ARIN's RDAP write them).
 * @returns the address as an unsigned 32-bit number, or -1 when the text is not an IPv4 address.
 */
export function parseIpv4(s: string, from = 0, to = s.length): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 3) return -1;
      octet = octet * 10 + (c - 48);
      digits++;
    } else if (c === 46) {
      if (digits === 0 || octet > 255 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0 || octet > 255) return -1;
  return value * 256 + octet;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

const GROUPS = new Uint16Array(8);

/**
 * Parses an IPv6 address in `s[from..to)` into four 32-bit words (most
 * significant first). Accepts `::` compression, an embedded dotted-quad tail
 * (`::ffff:1.2.3.4`) and a zone id (`%eth0`, ignored).
 * @returns true on success (the words are in `out[0..3]`), false when the text is not IPv6.
 */
export function parseIpv6(
  s: string,
  out: Uint32Array,
  from = 0,
  to = s.length,
): boolean {
  // Cut a zone id.
  for (let i = from; i < to; i++) {
    if (s.charCodeAt(i) === 37) {
      if (i === to - 1) return false;
      to = i;
      break;
    }
  }
  if (to - from < 2) return false;
  let n = 0; // groups written
  let gap = -1; // group index where '::' stands
  let i = from;
  if (s.charCodeAt(i) === 58) {
    if (s.charCodeAt(i + 1) !== 58) return false;
    gap = 0;
    i += 2;
    if (i === to) {
      out[0] = out[1] = out[2] = out[3] = 0;
      return true;
    }
  }
  while (i < to) {
    // One group: up to 4 hex digits, or a dotted quad as the last 32 bits.
    let v = 0;
    let d = 0;
    const start = i;
    while (i < to) {
      const h = hexValue(s.charCodeAt(i));
      if (h < 0) break;
      if (d === 4) return false;
      v = (v << 4) | h;
      d++;
      i++;
    }
    if (i < to && s.charCodeAt(i) === 46) {
      // Embedded IPv4: must be last and fit in the remaining groups.
      if (n > 6) return false;
      const v4 = parseIpv4(s, start, to);
      if (v4 < 0) return false;
      GROUPS[n++] = v4 >>> 16;
      GROUPS[n++] = v4 & 0xffff;
      i = to;
      break;
    }
    if (d === 0) return false;
    if (n === 8) return false;
    GROUPS[n++] = v;
    if (i === to) break;
    if (s.charCodeAt(i) !== 58) return false;
    i++;
    if (i < to && s.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = n;
      i++;
      if (i === to) break;
    } else if (i === to) {
      return false; // trailing single ':'
    }
  }
  if (gap < 0) {
    if (n !== 8) return false;
  } else {
    if (n > 7) return false;
    const fill = 8 - n;
    for (let k = n - 1; k >= gap; k--) GROUPS[k + fill] = GROUPS[k]!;
    for (let k = gap; k < gap + fill; k++) GROUPS[k] = 0;
  }
  out[0] = ((GROUPS[0]! << 16) | GROUPS[1]!) >>> 0;
  out[1] = ((GROUPS[2]! << 16) | GROUPS[3]!) >>> 0;
  out[2] = ((GROUPS[4]! << 16) | GROUPS[5]!) >>> 0;
  out[3] = ((GROUPS[6]! << 16) | GROUPS[7]!) >>> 0;
  return true;
}

/** True when the four words are an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`). */
export function isMappedIpv4(words: Uint32Array): boolean {
  return words[0] === 0 && words[1] === 0 && words[2] === 0xffff;
}

/** A parsed address. */
export type ParsedIp =
  | { readonly family: 4; readonly value: number }
  | { readonly family: 6; readonly words: Uint32Array };

/**
 * Parses an IPv4 or IPv6 address. IPv4-mapped IPv6 is folded to IPv4; a zone id is dropped.
 * @throws {QueryError} `INPUT_INVALID_IP` when the text is not an address.
 */
export function parseIp(text: string): ParsedIp {
  const v4 = parseIpv4(text);
  if (v4 >= 0) return { family: 4, value: v4 };
  const words = new Uint32Array(4);
  if (parseIpv6(text, words)) {
    if (isMappedIpv4(words)) return { family: 4, value: words[3]! };
    return { family: 6, words };
  }
  throw new QueryError(
    'INPUT_INVALID_IP',
    `not an IP address: ${JSON.stringify(text)}`,
    text,
  );
}

const SCRATCH = new Uint32Array(4);

/** True when `text` is an IPv4 or IPv6 address. Never throws. */
export function isValidIp(text: string): boolean {
  return parseIpv4(text) >= 0 || parseIpv6(text, SCRATCH);
}

/**
 * Parses an AS number: `13335`, `AS13335`, `as13335`, or asdot `1.10` (RFC 5396).
 * @returns the number (0 to 4294967295), or -1 when the text is not an ASN.
 */
export function parseAsnText(text: string): number {
  let i = 0;
  const n = text.length;
  if (
    n >= 2 &&
    (text.charCodeAt(0) | 32) === 97 &&
    (text.charCodeAt(1) | 32) === 115
  )
    i = 2;
  if (i === n) return -1;
  let v = 0;
  let hi = -1;
  let digits = 0;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      digits++;
      if (digits > 10) return -1;
    } else if (c === 46 && hi < 0 && digits > 0) {
      hi = v;
      v = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  if (digits === 0) return -1;
  if (hi >= 0) {
    if (hi > 65535 || v > 65535) return -1;
    return hi * 65536 + v;
  }
  return v > 4294967295 ? -1 : v;
}
