/**
 * Finds IPv4 and IPv6 addresses in free text (log lines). This is the hot path
 * of log enrichment, so the scanner walks the string once with charCodeAt,
 * makes no substrings and writes its matches into a caller-supplied Int32Array.
 *
 * The text is cut into "runs": maximal stretches of `[A-Za-z0-9_.:%]` (plus
 * the defanged separator `[.]` between two digits). A run can hold at most one
 * address, which must start the run:
 *
 * - IPv4: a dotted quad at the start of the run, separated by `.` or `[.]`,
 *   optionally followed by `:port` or a sentence-ending `.`. A fifth dotted
 *   part (`1.2.3.4.5`, `4.3.2.1.in-addr`), a letter or digit right after the
 *   quad, or a run preceded by `name/` or inside `name:` (`Firefox/2.0.0.4`,
 *   `rv:1.8.1.4`) rule it out.
 * - IPv6: the whole run (less one trailing `:` or `.`s) must parse as IPv6,
 *   with `::`, an embedded dotted quad (`::ffff:1.2.3.4`) and a zone id
 *   (`fe80::1%eth0`) allowed, and must contain a decimal digit. MAC addresses
 *   (6 or 14 groups, no `::`), times (`12:34:56`) and C++/Perl names
 *   (`std::string`) do not parse.
 * - Brackets and other punctuation end runs, so `[2001:db8::1]:443`,
 *   `SRC=1.2.3.4`, `from 1.2.3.4 port 22` and `(1.2.3.4:80)` all work.
 */

import { parseIpv4, parseIpv6 } from '../ip/parse-ip.js';

/** One address found in a text. */
export interface ExtractedAddress {
  /** The address as written in the text (defanged brackets and zone id included). */
  readonly ip: string;
  /** The address to look up: `ip` with `[.]` turned into `.` (same text otherwise). */
  readonly address: string;
  /** Index of the address's first character in the text. */
  readonly offset: number;
  /** Number of characters of `ip`. */
  readonly length: number;
  readonly family: 4 | 6;
  /** True when written with `[.]` separators. */
  readonly defanged: boolean;
}

// Character classes of ASCII codes.
const RUN = 1; // may be part of a run
const DIGIT = 2;
const HEX = 4;
const WORD = 8; // letter, digit or underscore
const CLASS = new Uint8Array(128);
for (let c = 48; c <= 57; c++) CLASS[c] = RUN | DIGIT | HEX | WORD;
for (let c = 65; c <= 90; c++) CLASS[c] = RUN | WORD | (c <= 70 ? HEX : 0);
for (let c = 97; c <= 122; c++) CLASS[c] = RUN | WORD | (c <= 102 ? HEX : 0);
CLASS[95] = RUN | WORD; // _
CLASS[46] = RUN; // .
CLASS[58] = RUN; // :
CLASS[37] = RUN; // %

/** Flag bits of a match (third slot of each triple). */
export const MATCH_V6 = 1;
export const MATCH_DEFANGED = 2;

const SCRATCH6 = new Uint32Array(4);

function isDigitAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

function isWordCode(c: number): boolean {
  return c < 128 && (CLASS[c]! & WORD) !== 0;
}

/**
 * Tries a dotted quad at `s[start..end)` (a run). Returns the index just past
 * the fourth octet, or -1.
 */
function matchIpv4(s: string, start: number, end: number): number {
  let p = start;
  for (let part = 0; part < 4; part++) {
    let v = 0;
    let digits = 0;
    while (p < end) {
      const c = s.charCodeAt(p);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      digits++;
      p++;
    }
    if (digits === 0 || digits > 3 || v > 255) return -1;
    if (part === 3) break;
    if (p >= end) return -1;
    const c = s.charCodeAt(p);
    if (c === 46) p++;
    else if (c === 91)
      p += 3; // `[.]`, only ever part of a run between digits
    else return -1;
  }
  if (p === end) return p;
  const next = s.charCodeAt(p);
  if (next === 58) return p; // :port
  if (next === 46) {
    // `1.2.3.4.` ends a sentence; `1.2.3.4.5` and `1.2.3.4.in-addr` are not addresses.
    return p + 1 < end && isWordCode(s.charCodeAt(p + 1)) ? -1 : p;
  }
  return -1; // a letter, digit, `_`, `%` or `[.]5` right after the quad
}

/** Tries IPv6 over the run `s[start..end)`. Returns the end of the address or -1. */
function matchIpv6(s: string, start: number, end: number): number {
  let e = end;
  while (e > start && s.charCodeAt(e - 1) === 46) e--;
  if (
    e - start >= 2 &&
    s.charCodeAt(e - 1) === 58 &&
    s.charCodeAt(e - 2) !== 58
  )
    e--;
  if (e - start < 3) return -1;
  let colons = 0;
  let digit = false;
  let zone = e;
  for (let i = start; i < e; i++) {
    const c = s.charCodeAt(i);
    if (c === 58) colons++;
    else if (c === 37) {
      zone = i;
      break;
    } else if (c >= 48 && c <= 57) digit = true;
  }
  if (colons < 2 || !digit) return -1;
  // A zone id is word characters, `.`, `-`: no further `%` or `:`.
  for (let i = zone + 1; i < e; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 || c === 58) return -1;
  }
  return parseIpv6(s, SCRATCH6, start, e) ? e : -1;
}

/** True when `s[i..]` is 1 to 3 digits then `.` or `[`. */
function dotFollows(s: string, i: number, to: number): boolean {
  for (let k = i; k < i + 4 && k < to; k++) {
    const c = s.charCodeAt(k);
    if (c === 46 || c === 91) return k > i;
    if (c < 48 || c > 57) return false;
  }
  return false;
}

function isRunAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c < 128 && (CLASS[c]! & RUN) !== 0;
}

/** True when `s[i..i+3)` is a defanged dot `[.]` between two digits. */
function isDefangAt(s: string, i: number, from: number, to: number): boolean {
  return (
    i > from &&
    i + 3 < to &&
    s.charCodeAt(i) === 91 &&
    s.charCodeAt(i + 1) === 46 &&
    s.charCodeAt(i + 2) === 93 &&
    isDigitAt(s, i - 1) &&
    isDigitAt(s, i + 3)
  );
}

/**
 * Scans `s[from..to)` for addresses and writes each match as a triple
 * `(start, end, flags)` into `out` (flags: {@link MATCH_V6}, {@link MATCH_DEFANGED}).
 * Allocation-free; stops when `out` is full.
 *
 * Only runs holding a `.` or `:` can hold an address, so the scanner jumps
 * from one such character to the next with indexOf (native, fast), and reads
 * only those runs char by char.
 * @returns the number of matches written.
 */
export function scanAddresses(
  s: string,
  from: number,
  to: number,
  out: Int32Array,
): number {
  const max = Math.floor(out.length / 3);
  let n = 0;
  let i = from;
  let nextDot = -2;
  let nextColon = -2;
  while (i < to) {
    if (nextDot !== -1 && nextDot < i) nextDot = s.indexOf('.', i);
    if (nextColon !== -1 && nextColon < i) nextColon = s.indexOf(':', i);
    let p: number;
    if (nextDot < 0) p = nextColon;
    else if (nextColon < 0) p = nextDot;
    else p = nextDot < nextColon ? nextDot : nextColon;
    if (p < 0 || p >= to) break;
    // Most dots and colons sit in words, URLs and times: an address needs a
    // digit before a dot (or a `[.]`), or a hex digit or colon next to a colon.
    {
      const before = p > from ? s.charCodeAt(p - 1) : 0;
      const after = p + 1 < to ? s.charCodeAt(p + 1) : 0;
      if (s.charCodeAt(p) === 46) {
        if (
          !((before >= 48 && before <= 57) || before === 91) ||
          !((after >= 48 && after <= 57) || after === 93)
        ) {
          i = p + 1;
          continue;
        }
        // The first dot of a dotted quad is followed by 1 to 3 digits and a
        // dot (or `[.]`); the first dot of any run is seen first, so a dot
        // that is not followed so cannot start an address: look further on.
        if (before !== 91 && !dotFollows(s, p + 1, to)) {
          i = p + 1;
          continue;
        }
      } else if (
        !(before === 58 || (before < 128 && (CLASS[before]! & HEX) !== 0)) &&
        !(after === 58 || (after < 128 && (CLASS[after]! & HEX) !== 0))
      ) {
        i = p + 1;
        continue;
      }
    }
    // Back to the start of the run holding s[p] (a `[.]` counts as part of it).
    let start = p;
    if (
      start > from &&
      s.charCodeAt(start - 1) === 91 &&
      isDefangAt(s, start - 1, from, to)
    )
      start--;
    for (;;) {
      if (start > from && isRunAt(s, start - 1)) start--;
      else if (
        start - 3 > from &&
        s.charCodeAt(start - 1) === 93 &&
        isDefangAt(s, start - 3, from, to)
      )
        start -= 3;
      else break;
    }
    // Forward to its end, counting separators.
    let dots = 0;
    let colons = 0;
    let double = false;
    let defanged = false;
    let e = start;
    while (e < to) {
      const c = s.charCodeAt(e);
      if (c < 128 && (CLASS[c]! & RUN) !== 0) {
        if (c === 46) dots++;
        else if (c === 58) {
          if (colons > 0 && s.charCodeAt(e - 1) === 58) double = true;
          colons++;
        }
        e++;
      } else if (c === 91 && isDefangAt(s, e, from, to)) {
        defanged = true;
        dots++;
        e += 3;
      } else break;
    }
    i = e > p ? e : p + 1;
    if (dots === 0 && colons < 2) continue;
    const first = s.charCodeAt(start);
    // `Firefox/2.0.0.4`, `MSIE/1.2.3.4`: a product token, not an address.
    if (
      start - 2 >= from &&
      s.charCodeAt(start - 1) === 47 &&
      isWordCode(s.charCodeAt(start - 2))
    )
      continue;
    let matchEnd = -1;
    let flags = 0;
    if (first >= 48 && first <= 57 && dots >= 3) {
      matchEnd = matchIpv4(s, start, e);
      if (matchEnd >= 0 && defanged) flags = MATCH_DEFANGED;
    }
    if (
      matchEnd < 0 &&
      (double || colons >= 6) &&
      !defanged &&
      (first === 58 || (first < 128 && (CLASS[first]! & HEX) !== 0))
    ) {
      matchEnd = matchIpv6(s, start, e);
      flags = MATCH_V6;
    }
    if (matchEnd < 0) continue;
    if (n === max) return n;
    out[n * 3] = start;
    out[n * 3 + 1] = matchEnd;
    out[n * 3 + 2] = flags;
    n++;
  }
  return n;
}

/** `1.2.3[.]4` → `1.2.3.4`. */
export function refang(text: string): string {
  return text.replaceAll('[.]', '.');
}

const OUT = new Int32Array(3 * 1024);

/**
 * Finds every IPv4 and IPv6 address in a line of text: plain, `SRC=`/`DST=`
 * (iptables, UFW), `from <ip> port` (sshd), `ip:port`, `[v6]:port`,
 * IPv4-mapped IPv6, zone ids and defanged forms (`1.2.3[.]4`, `1[.]2[.]3[.]4`).
 * MAC addresses, version strings (`1.2.3.4.5`, `Firefox/2.0.0.4`,
 * `rv:1.8.1.4`) and times (`12:34:56`) are not addresses.
 *
 * Synchronous and pure; at most 1024 addresses are returned per call.
 * @param text a line (or any text; addresses never span a line break).
 * @returns the addresses in order of appearance.
 * @throws {TypeError} when `text` is not a string.
 */
export function extractAddresses(text: string): ExtractedAddress[] {
  if (typeof text !== 'string') throw new TypeError('`text` must be a string');
  const n = scanAddresses(text, 0, text.length, OUT);
  const result: ExtractedAddress[] = [];
  for (let k = 0; k < n; k++) {
    const start = OUT[k * 3]!;
    const end = OUT[k * 3 + 1]!;
    const flags = OUT[k * 3 + 2]!;
    const ip = text.slice(start, end);
    const defanged = (flags & MATCH_DEFANGED) !== 0;
    result.push({
      ip,
      address: defanged ? refang(ip) : ip,
      offset: start,
      length: end - start,
      family: (flags & MATCH_V6) !== 0 ? 6 : 4,
      defanged,
    });
  }
  return result;
}

/** True when `s[from..to)` holds a plain IPv4 or IPv6 address (for column detection). */
export function isAddressText(s: string, from = 0, to = s.length): boolean {
  while (from < to && (s.charCodeAt(from) === 32 || s.charCodeAt(from) === 9))
    from++;
  while (
    to > from &&
    (s.charCodeAt(to - 1) === 32 || s.charCodeAt(to - 1) === 9)
  )
    to--;
  if (to - from < 2) return false;
  return parseIpv4(s, from, to) >= 0 || parseIpv6(s, SCRATCH6, from, to);
}
