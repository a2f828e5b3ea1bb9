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

const GROUPS = new Int32Array(8);

/** Hex digit values by character code (ASCII only), -1 for anything else. */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[97 + i] = 10 + i;
  HEX[65 + i] = 10 + i;
}

/**
 * The common case, eight uncompressed groups and nothing else, written
 * straight into the words: about three times faster than the general parser,
 * which it hands everything else to (`::`, a dotted tail, a zone id).
 */
function parseFullIpv6(
  s: string,
  out: Uint32Array,
  from: number,
  to: number,
): boolean {
  let high = 0; // the even group of the word being built
  let v = 0;
  let d = 0;
  let k = 0; // groups completed
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 58) {
      if (d === 0 || k === 7) return false;
      if ((k & 1) === 0) high = v;
      else out[k >>> 1] = ((high << 16) | v) >>> 0;
      k++;
      v = 0;
      d = 0;
      continue;
    }
    const h = c < 128 ? HEX[c]! : -1;
    if (h < 0 || d === 4) return false;
    v = (v << 4) | h;
    d++;
  }
  if (k !== 7 || d === 0) return false;
  out[3] = ((high << 16) | v) >>> 0;
  return true;
}

/**
 * Parses an IPv6 address in `s[from..to)` into four 32-bit words (most
 * significant first). Accepts `::` compression, an embedded dotted-quad tail
 * (`::ffff:1.2.3.4`) and a zone id (`%eth0`, ignored). One pass, no substrings.
 * @returns true on success (the words are in `out[0..3]`), false when the text is not IPv6.
 */
export function parseIpv6(
  s: string,
  out: Uint32Array,
  from = 0,
  to = s.length,
): boolean {
  if (to - from < 2) return false;
  if (to - from >= 15 && parseFullIpv6(s, out, from, to)) return true;
  const g = GROUPS;
  let n = 0; // groups written
  let gap = -1; // group index where '::' stands
  let v = 0; // current group's value
  let d = 0; // current group's digits
  let groupStart = from;
  let lastColon = false; // the previous character was a single ':'
  let i = from;
  if (s.charCodeAt(i) === 58) {
    if (s.charCodeAt(i + 1) !== 58) return false;
    gap = 0;
    i += 2;
    groupStart = i;
  }
  for (; i < to; i++) {
    const c = s.charCodeAt(i);
    let h: number;
    if (c >= 48 && c <= 57) h = c - 48;
    else if (c >= 97 && c <= 102) h = c - 87;
    else if (c >= 65 && c <= 70) h = c - 55;
    else if (c === 58) {
      if (d === 0 || n === 8) return false;
      g[n++] = v;
      v = 0;
      d = 0;
      if (i + 1 < to && s.charCodeAt(i + 1) === 58) {
        if (gap >= 0) return false;
        gap = n;
        i++;
        lastColon = false;
      } else {
        lastColon = true;
      }
      groupStart = i + 1;
      continue;
    } else if (c === 46) {
      // Embedded IPv4 from the start of this group to the end (or the zone id).
      let end = i;
      while (end < to && s.charCodeAt(end) !== 37) end++;
      if (end === to - 1) return false; // '%' with an empty zone
      const v4 = parseIpv4(s, groupStart, end);
      if (v4 < 0 || n > 6) return false;
      g[n++] = v4 >>> 16;
      g[n++] = v4 & 0xffff;
      d = 0;
      lastColon = false;
      break;
    } else if (c === 37) {
      if (i === to - 1 || i === from) return false; // empty zone id
      break;
    } else return false;
    if (d === 4) return false;
    v = (v << 4) | h;
    d++;
    lastColon = false;
  }
  if (lastColon) return false;
  if (d > 0) {
    if (n === 8) return false;
    g[n++] = v;
  }
  if (gap < 0) {
    if (n !== 8) return false;
  } else {
    if (n > 7) return false;
    const fill = 8 - n;
    for (let k = n - 1; k >= gap; k--) g[k + fill] = g[k]!;
    for (let k = gap; k < gap + fill; k++) g[k] = 0;
  }
  out[0] = ((g[0]! << 16) | g[1]!) >>> 0;
  out[1] = ((g[2]! << 16) | g[3]!) >>> 0;
  out[2] = ((g[4]! << 16) | g[5]!) >>> 0;
  out[3] = ((g[6]! << 16) | g[7]!) >>> 0;
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
