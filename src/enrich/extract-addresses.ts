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
 *
 * scanLineBytes applies the same rules to the ASCII bytes of a log line (the
 * jsonl log path): one pass that also finds the line's end and the chars
 * JSON escapes, faster over a Uint8Array than charCodeAt over a string.
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

/** More colons than any IPv6 text has (see matchIpv6). */
const MAX_COLONS = 10;

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
  // No IPv6 text has more than 9 colons (8 groups, one `::`): longer runs
  // (MAC addresses of 14 groups in iptables logs) are not parsed.
  if (colons < 2 || colons > MAX_COLONS || !digit) return -1;
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
 * Where the next `.` and `:` of a text are, kept between calls of
 * {@link scanAddresses} over the same text (a log segment scanned line by
 * line), so the native searches are not repeated for every line. Each cached
 * position remembers where its search started: a later call starting before
 * that point searches again.
 */
export class ScanState {
  /** The text the positions are about. */
  text = '';
  /** Index of the next `.` at or after `dotFrom` (-1: none; -2: not searched). */
  dot = -2;
  dotFrom = 0;
  /** Index of the next `:` at or after `colonFrom` (-1: none; -2: not searched). */
  colon = -2;
  colonFrom = 0;

  /** Forgets the positions and starts over on `text`. */
  reset(text: string): this {
    this.text = text;
    this.dot = -2;
    this.dotFrom = 0;
    this.colon = -2;
    this.colonFrom = 0;
    return this;
  }
}

/**
 * Scans `s[from..to)` for addresses and writes each match as a triple
 * `(start, end, flags)` into `out` (flags: {@link MATCH_V6}, {@link MATCH_DEFANGED}).
 * Allocation-free; stops when `out` is full.
 *
 * Only runs holding a `.` or `:` can hold an address, so the scanner jumps
 * from one such character to the next with indexOf (native, fast), and reads
 * only those runs char by char. Pass the same `state` to successive calls
 * over one text (at non-decreasing `from`) to reuse those searches.
 * @returns the number of matches written.
 */
export function scanAddresses(
  s: string,
  from: number,
  to: number,
  out: Int32Array,
  state?: ScanState,
): number {
  const max = Math.floor(out.length / 3);
  let n = 0;
  let i = from;
  let nextDot = -2;
  let nextColon = -2;
  let dotFrom = 0;
  let colonFrom = 0;
  if (state !== undefined) {
    if (state.text !== s) state.reset(s);
    dotFrom = state.dotFrom;
    colonFrom = state.colonFrom;
    if (dotFrom <= i) nextDot = state.dot;
    if (colonFrom <= i) nextColon = state.colon;
  }
  while (i < to) {
    if (nextDot !== -1 && nextDot < i) {
      nextDot = s.indexOf('.', i);
      dotFrom = i;
    }
    if (nextColon !== -1 && nextColon < i) {
      nextColon = s.indexOf(':', i);
      colonFrom = i;
    }
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
    if (n === max) break;
    out[n * 3] = start;
    out[n * 3 + 1] = matchEnd;
    out[n * 3 + 2] = flags;
    n++;
  }
  if (state !== undefined) {
    state.dot = nextDot;
    state.dotFrom = dotFrom;
    state.colon = nextColon;
    state.colonFrom = colonFrom;
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

// ------------------------------------------------------------------ bytes

/** Line flag of {@link scanLineBytes}: a `"`, `\` or control character that JSON escapes. */
export const LINE_ESCAPE = 1;
/** Line flag of {@link scanLineBytes}: a byte of 0x80 or more (not ASCII). */
export const LINE_HIGH = 2;
/** Line flag of {@link scanLineBytes}: more matches than `out` holds. */
export const LINE_FULL = 4;

/** Match flag of {@link scanLineBytes}: an IPv6 candidate, to be checked with {@link isIpv6At}. */
export const MATCH_V6_CANDIDATE = MATCH_V6;

/**
 * Builds the byte scanner. Its tables and helpers are locals of this closure
 * rather than module constants: V8 reads closure variables in optimised code
 * faster than a module's (measured: a quarter of the scan time).
 */
function createLineScanner(): (
  b: Uint8Array,
  from: number,
  out: Int32Array,
  line: Int32Array,
  escapes: Int32Array,
) => number {
  // Copies of the module constants the loop reads (see above).
  const K_RUN = RUN;
  const K_HEX = HEX;
  const K_WORD = WORD;
  const K_MAX_COLONS = MAX_COLONS;
  const K_MATCH_DEFANGED = MATCH_DEFANGED;
  const K_MATCH_V6_CANDIDATE = MATCH_V6_CANDIDATE;
  const K_LINE_ESCAPE = LINE_ESCAPE;
  const K_LINE_HIGH = LINE_HIGH;
  const K_LINE_FULL = LINE_FULL;

  /** Classes of bytes (all 256) for the byte scanner: RUN, DIGIT, HEX, WORD as above. */
  const BYTE_CLASS = new Uint8Array(256);
  BYTE_CLASS.set(CLASS);

  /** What stops the byte scanner's skip loop (0: nothing, keep going). */
  const STOP_NL = 1;
  const STOP_DOT = 2;
  const STOP_COLON = 3;
  const STOP_ESCAPE = 4;
  const STOP_CR = 5;
  const STOP_HIGH = 6;
  /** 1 for the bytes of a run (BYTE_CLASS & RUN, as a plain table). */
  const IS_RUN = new Uint8Array(256);
  for (let c = 0; c < 256; c++)
    IS_RUN[c] = (BYTE_CLASS[c]! & K_RUN) !== 0 ? 1 : 0;
  const STOP = new Uint8Array(256);
  for (let c = 0; c < 32; c++) STOP[c] = STOP_ESCAPE;
  STOP[10] = STOP_NL;
  STOP[13] = STOP_CR;
  STOP[34] = STOP_ESCAPE; // "
  STOP[92] = STOP_ESCAPE; // \
  STOP[46] = STOP_DOT;
  STOP[58] = STOP_COLON;
  for (let c = 128; c < 256; c++) STOP[c] = STOP_HIGH;

  /** The value of the last dotted quad matchIpv4Bytes read. */
  let quadValue = 0;

  function isDigit(c: number): boolean {
    return c >= 48 && c <= 57;
  }

  function isDefangAtByte(b: Uint8Array, i: number): boolean {
    if (b[i] !== 91 || b[i + 1] !== 46 || b[i + 2] !== 93) return false;
    const x = b[i - 1]!;
    const y = b[i + 3]!;
    return x >= 48 && x <= 57 && y >= 48 && y <= 57;
  }

  function dotFollowsByte(b: Uint8Array, i: number): boolean {
    for (let k = i; k < i + 4; k++) {
      const c = b[k]!;
      if (c === 46 || c === 91) return k > i;
      if (c < 48 || c > 57) return false;
    }
    return false;
  }

  /** matchIpv4 over bytes; the value goes to `quadValue`. */
  function matchIpv4Byte(b: Uint8Array, start: number, end: number): number {
    let p = start;
    let value = 0;
    for (let part = 0; part < 4; part++) {
      let v = 0;
      let digits = 0;
      while (p < end) {
        const c = b[p]!;
        if (c < 48 || c > 57) break;
        v = v * 10 + (c - 48);
        digits++;
        p++;
      }
      if (digits === 0 || digits > 3 || v > 255) return -1;
      value = value * 256 + v;
      if (part === 3) break;
      if (p >= end) return -1;
      const c = b[p]!;
      if (c === 46) p++;
      else if (c === 91) p += 3;
      else return -1;
    }
    quadValue = value;
    if (p === end) return p;
    const next = b[p]!;
    if (next === 58) return p;
    if (next === 46)
      return p + 1 < end && (BYTE_CLASS[b[p + 1]!]! & K_WORD) !== 0 ? -1 : p;
    return -1;
  }

  /** The checks of matchIpv6 before parsing: the end of the candidate, or -1. */
  function matchIpv6Byte(b: Uint8Array, start: number, end: number): number {
    let e = end;
    while (e > start && b[e - 1] === 46) e--;
    if (e - start >= 2 && b[e - 1] === 58 && b[e - 2] !== 58) e--;
    if (e - start < 3) return -1;
    let colons = 0;
    let digit = false;
    let zone = e;
    for (let i = start; i < e; i++) {
      const c = b[i]!;
      if (c === 58) colons++;
      else if (c === 37) {
        zone = i;
        break;
      } else if (c >= 48 && c <= 57) digit = true;
    }
    if (colons < 2 || colons > K_MAX_COLONS || !digit) return -1;
    for (let i = zone + 1; i < e; i++) {
      const c = b[i]!;
      if (c === 37 || c === 58) return -1;
    }
    return e;
  }

  function scanLineBytes(
    b: Uint8Array,
    from: number,
    out: Int32Array,
    line: Int32Array,
    escapes: Int32Array,
  ): number {
    const max = out.length >> 2;
    const maxEscapes = escapes.length;
    let n = 0;
    let ne = 0;
    let lineFlags = 0;
    let i = from;
    for (;;) {
      // Four bytes a turn: the line ends in a stop byte (`\n`) that is
      // always met before a read could pass the end of the bytes.
      let t: number;
      for (;;) {
        if ((t = STOP[b[i]!]!) !== 0) break;
        if ((t = STOP[b[i + 1]!]!) !== 0) {
          i += 1;
          break;
        }
        if ((t = STOP[b[i + 2]!]!) !== 0) {
          i += 2;
          break;
        }
        if ((t = STOP[b[i + 3]!]!) !== 0) {
          i += 3;
          break;
        }
        i += 4;
      }
      const p = i;
      if (t === STOP_NL) break;
      if (t >= STOP_ESCAPE) {
        i++;
        if (t === STOP_HIGH) lineFlags |= K_LINE_HIGH;
        else if (t === STOP_ESCAPE || b[i] !== 10) {
          lineFlags |= K_LINE_ESCAPE;
          if (ne < maxEscapes) escapes[ne] = p;
          ne++;
        } else break; // a `\r` ending the line
        continue;
      }
      // A `.` or `:`: the same quick checks as scanAddresses.
      const before = b[p - 1]!;
      const after = b[p + 1]!;
      if (t === STOP_DOT) {
        if (
          !((before >= 48 && before <= 57) || before === 91) ||
          !((after >= 48 && after <= 57) || after === 93)
        ) {
          i = p + 1;
          continue;
        }
        if (before !== 91 && !dotFollowsByte(b, p + 1)) {
          i = p + 1;
          continue;
        }
      } else if (
        !(before === 58 || (BYTE_CLASS[before]! & K_HEX) !== 0) &&
        !(after === 58 || (BYTE_CLASS[after]! & K_HEX) !== 0)
      ) {
        i = p + 1;
        continue;
      } else if (
        b[p + 3] === 58 &&
        IS_RUN[b[p + 6]!] === 0 &&
        IS_RUN[b[p - 3]!] === 0 &&
        isDigit(before) &&
        isDigit(b[p - 2]!) &&
        isDigit(after) &&
        isDigit(b[p + 2]!) &&
        isDigit(b[p + 4]!) &&
        isDigit(b[p + 5]!)
      ) {
        // A time of day (`12:34:56`) alone in its run: no address. (A run
        // reaching further back across a `[.]` was taken at its first dot.)
        i = p + 6;
        continue;
      }
      // The run around s[p]: back to its start, forward to its end.
      let start = p;
      let e = p + 1;
      let defanged = false;
      if (before === 91 && isDefangAtByte(b, p - 1)) {
        start = p - 1; // the `.` of a `[.]`
        e = p + 2;
        defanged = true;
      }
      for (;;) {
        const c = b[start - 1]!;
        if (IS_RUN[c] !== 0) start--;
        else if (c === 93 && start >= 4 && isDefangAtByte(b, start - 3)) {
          start -= 3;
          defanged = true;
        } else break;
      }
      for (;;) {
        while (IS_RUN[b[e]!] !== 0) e++;
        if (b[e] !== 91 || !isDefangAtByte(b, e)) break;
        defanged = true;
        e += 3;
      }
      i = e;
      // scanAddresses asks for a separator count first (3 dots, or 2 colons):
      // the matchers below fail without them anyway, so the count is skipped.
      const first = b[start]!;
      if (b[start - 1] === 47 && (BYTE_CLASS[b[start - 2]!]! & K_WORD) !== 0)
        continue;
      let matchEnd = -1;
      let flags = 0;
      if (first >= 48 && first <= 57) {
        matchEnd = matchIpv4Byte(b, start, e);
        if (matchEnd >= 0 && defanged) flags = K_MATCH_DEFANGED;
      }
      if (
        matchEnd < 0 &&
        !defanged &&
        (first === 58 || (BYTE_CLASS[first]! & K_HEX) !== 0)
      ) {
        let colons = 0;
        let double = false;
        for (let k = start; k < e; k++)
          if (b[k] === 58) {
            if (colons > 0 && b[k - 1] === 58) double = true;
            // More than matchIpv6Byte takes even less a trailing `:`: stop.
            if (++colons > K_MAX_COLONS + 1) break;
          }
        if (colons <= K_MAX_COLONS + 1 && (double || colons >= 6)) {
          matchEnd = matchIpv6Byte(b, start, e);
          flags = K_MATCH_V6_CANDIDATE;
        }
      }
      if (matchEnd < 0) continue;
      if (n === max) {
        lineFlags |= K_LINE_FULL;
        continue;
      }
      const q = n << 2;
      out[q] = start;
      out[q + 1] = matchEnd;
      out[q + 2] = flags;
      out[q + 3] = flags === K_MATCH_V6_CANDIDATE ? 0 : quadValue | 0;
      n++;
    }
    line[0] = i;
    line[1] = lineFlags;
    line[2] = ne;
    return n;
  }
  return scanLineBytes;
}

/**
 * {@link scanAddresses} over the ASCII bytes of one line, for log
 * enrichment: one pass that also finds the line's end and what its JSON
 * string needs. Same rules, same matches, with two differences:
 *
 * - IPv6 runs come out as candidates (flag {@link MATCH_V6_CANDIDATE}) that
 *   the caller checks with {@link isIpv6At} (the parser reads strings): a
 *   rejected candidate changes nothing else, the scan goes on after its run
 *   either way;
 * - each match is a quad `(start, end, flags, value)`, `value` the IPv4
 *   address as an int32 (`>>> 0` for the uint32) for IPv4 matches.
 *
 * The line starts at `from`; `b[from - 1]` must be a `\n` (or stand for the
 * start of the text as one) and the text must end with a `\n`: the scanner
 * reads no bounds, a line break is as good as the end of the line for every
 * rule (it is no digit, letter or separator). A `\r` right before the `\n` is
 * not part of the line.
 *
 * Writes `line[0]`: index of the line's `\n`; `line[1]`: flags
 * {@link LINE_ESCAPE}, {@link LINE_HIGH} (a byte of 0x80 or more: the line is
 * not ASCII and the matches are not meaningful), {@link LINE_FULL} (`out`
 * overflowed: the matches are incomplete); `line[2]`: the number of chars
 * JSON escapes, whose indexes go to `escapes` (as many as it holds).
 * @returns the number of quads written to `out`.
 */
export const scanLineBytes = createLineScanner();

/** True when `s[from..to)` parses as IPv6 (the check of a {@link MATCH_V6_CANDIDATE}). */
export function isIpv6At(s: string, from: number, to: number): boolean {
  return parseIpv6(s, SCRATCH6, from, to);
}
