/**
 * Recognises the timestamps of common logs and tables, for a report's first
 * and last time seen. Parsers walk the text with charCodeAt (no regex, no
 * substrings) because a log line is read once per row.
 *
 * Forms recognised:
 * - ISO 8601 / RFC 3339: `2018-05-20T00:05:32.496124Z`, `2024-12-18T19:36:48.669714-0500`,
 *   `2015-05-17 10:05:03` (no zone: read as written), `2015-05-17` (values only).
 * - Apache / NCSA common log: `[10/Oct/2000:13:55:36 -0700]`.
 * - ctime, as in Apache error logs: `[Sun Dec 04 04:47:44 2005]` (no zone).
 * - BSD syslog: `Dec 10 06:55:46` at the start of a line (no year, no zone).
 * - Unix epoch seconds or milliseconds (Zeek `ts`, JSON numbers): values only.
 *
 * Times are numbers: milliseconds since the epoch. A zone-less time is read as
 * if it were UTC and written back as it was ("local"). A year-less syslog time
 * is placed in a reference year (or `year` when given) and a backward jump of
 * more than six months (December to January) moves it to the next year.
 */

/** What kind of times a reader has met (see ReportTime.kind). */
export type TimeKind = 'utc' | 'local' | 'yearless';

const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';
const DAYS = 'MonTueWedThuFriSatSun';
/** Reference year for year-less times: a leap year, so Feb 29 exists. */
const YEARLESS_BASE = 2000;

// Results of the last successful parse (module scratch, single-threaded).
let lastKind: TimeKind = 'utc';
let lastYearless = false;
// A year-less time: its parts, placed in a year by the reader.
let lastMonth = 0;
let lastDay = 0;
let lastMsOfDay = 0;

function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

function two(s: string, i: number): number {
  const a = digit(s, i);
  const b = digit(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

function four(s: string, i: number): number {
  const a = two(s, i);
  const b = two(s, i + 2);
  return a < 0 || b < 0 ? -1 : a * 100 + b;
}

/** Month number (1..12) of the three letters at i, or 0. */
function monthAt(s: string, i: number): number {
  const a = s.charCodeAt(i);
  const b = s.charCodeAt(i + 1);
  const c = s.charCodeAt(i + 2);
  for (let m = 0; m < 12; m++)
    if (
      MONTHS.charCodeAt(m * 3) === a &&
      MONTHS.charCodeAt(m * 3 + 1) === b &&
      MONTHS.charCodeAt(m * 3 + 2) === c
    )
      return m + 1;
  return 0;
}

function isDayNameAt(s: string, i: number): boolean {
  for (let d = 0; d < 7; d++)
    if (
      DAYS.charCodeAt(d * 3) === s.charCodeAt(i) &&
      DAYS.charCodeAt(d * 3 + 1) === s.charCodeAt(i + 1) &&
      DAYS.charCodeAt(d * 3 + 2) === s.charCodeAt(i + 2)
    )
      return true;
  return false;
}

/**
 * Milliseconds at 00:00 UTC of a date (month 1-12), proleptic Gregorian; a day
 * past the month's end rolls over, as Date.UTC does. Integer arithmetic only.
 */
function dayMs(y: number, m: number, d: number): number {
  if (m <= 2) y--;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return (era * 146_097 + doe - 719_468) * 86_400_000;
}

function validDate(month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/** `HH:MM:SS` at i; returns seconds of the day or -1. */
function hmsAt(s: string, i: number, end: number): number {
  if (i + 8 > end || s.charCodeAt(i + 2) !== 58 || s.charCodeAt(i + 5) !== 58)
    return -1;
  const h = two(s, i);
  const m = two(s, i + 3);
  const sec = two(s, i + 6);
  if (h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 60) return -1;
  return h * 3600 + m * 60 + Math.min(sec, 59);
}

/** Milliseconds of a `.ffffff` fraction at i (i at the dot or comma), and its end. */
let fracEnd = 0;
function fractionAt(s: string, i: number, end: number): number {
  fracEnd = i;
  const c = s.charCodeAt(i);
  if (i >= end || (c !== 46 && c !== 44)) return 0;
  let j = i + 1;
  let ms = 0;
  let scale = 100;
  while (j < end) {
    const d = digit(s, j);
    if (d < 0) break;
    ms += d * scale;
    scale /= 10;
    j++;
  }
  if (j === i + 1) return 0;
  fracEnd = j;
  return Math.floor(ms);
}

/** A zone offset in minutes at i (`Z`, `+hh:mm`, `+hhmm`, `+hh`); NaN when none. */
function zoneAt(s: string, i: number, end: number): number {
  if (i >= end) return NaN;
  const c = s.charCodeAt(i);
  if (c === 90 || c === 122) return 0;
  if (c !== 43 && c !== 45) return NaN;
  const h = two(s, i + 1);
  if (h < 0 || h > 23 || i + 3 > end) return NaN;
  let m = 0;
  let j = i + 3;
  if (s.charCodeAt(j) === 58) j++;
  const mm = j + 2 <= end ? two(s, j) : -1;
  if (mm >= 0 && mm <= 59) m = mm;
  return (c === 45 ? -1 : 1) * (h * 60 + m);
}

/**
 * ISO 8601 at i. `requireTime`: a date alone is not a timestamp (free text).
 * @returns ms, or NaN.
 */
function isoAt(
  s: string,
  i: number,
  end: number,
  requireTime: boolean,
): number {
  if (i + 10 > end || s.charCodeAt(i + 4) !== 45 || s.charCodeAt(i + 7) !== 45)
    return NaN;
  const y = four(s, i);
  const mo = two(s, i + 5);
  const d = two(s, i + 8);
  if (y < 1970 || !validDate(mo, d)) return NaN;
  const sep = s.charCodeAt(i + 10);
  if (i + 10 === end || (sep !== 84 && sep !== 32 && sep !== 116)) {
    if (requireTime) return NaN;
    lastKind = 'local';
    return dayMs(y, mo, d);
  }
  let j = i + 11;
  const h = two(s, j);
  const mi = j + 5 <= end && s.charCodeAt(j + 2) === 58 ? two(s, j + 3) : -1;
  if (h < 0 || h > 23 || mi < 0 || mi > 59) {
    // `2015-05-17 text` is a date; `2015-05-17T25:00` or `2015-05-17 99:…` is nothing.
    if (requireTime || sep !== 32 || digit(s, j) >= 0) return NaN;
    lastKind = 'local';
    return dayMs(y, mo, d);
  }
  j += 5;
  let sec = 0;
  if (j + 3 <= end && s.charCodeAt(j) === 58) {
    const v = two(s, j + 1);
    if (v < 0 || v > 60) return NaN;
    sec = Math.min(v, 59);
    j += 3;
  }
  const ms = fractionAt(s, j, end);
  j = fracEnd;
  if (j < end && s.charCodeAt(j) === 32 && j + 1 < end) {
    const z = s.charCodeAt(j + 1);
    if (z === 43 || z === 45 || z === 90) j++;
  }
  const zone = zoneAt(s, j, end);
  const t = dayMs(y, mo, d) + h * 3_600_000 + mi * 60_000 + sec * 1000 + ms;
  if (Number.isNaN(zone)) {
    lastKind = 'local';
    return t;
  }
  lastKind = 'utc';
  return t - zone * 60_000;
}

/** `10/Oct/2000:13:55:36 -0700` at i. */
function clfAt(s: string, i: number, end: number): number {
  if (i + 20 > end || s.charCodeAt(i + 2) !== 47 || s.charCodeAt(i + 6) !== 47)
    return NaN;
  const d = two(s, i);
  const mo = monthAt(s, i + 3);
  const y = four(s, i + 7);
  if (mo === 0 || y < 1970 || !validDate(mo, d) || s.charCodeAt(i + 11) !== 58)
    return NaN;
  const t = hmsAt(s, i + 12, end);
  if (t < 0) return NaN;
  let j = i + 20;
  if (j < end && s.charCodeAt(j) === 32) j++;
  const zone = zoneAt(s, j, end);
  const base = dayMs(y, mo, d) + t * 1000;
  if (Number.isNaN(zone)) {
    lastKind = 'local';
    return base;
  }
  lastKind = 'utc';
  return base - zone * 60_000;
}

/** `Sun Dec 04 04:47:44 2005` (optionally `.ffffff` after the seconds) at i. */
function ctimeAt(s: string, i: number, end: number): number {
  if (i + 24 > end || !isDayNameAt(s, i) || s.charCodeAt(i + 3) !== 32)
    return NaN;
  const mo = monthAt(s, i + 4);
  if (mo === 0 || s.charCodeAt(i + 7) !== 32) return NaN;
  const d = s.charCodeAt(i + 8) === 32 ? digit(s, i + 9) : two(s, i + 8);
  if (!validDate(mo, d) || s.charCodeAt(i + 10) !== 32) return NaN;
  const t = hmsAt(s, i + 11, end);
  if (t < 0) return NaN;
  const ms = fractionAt(s, i + 19, end);
  const j = fracEnd;
  if (s.charCodeAt(j) !== 32) return NaN;
  const y = four(s, j + 1);
  if (y < 1970) return NaN;
  lastKind = 'local';
  return dayMs(y, mo, d) + t * 1000 + ms;
}

/** `Dec 10 06:55:46` / `Jun  4 15:16:01` at i (no year). */
function syslogAt(s: string, i: number, end: number): number {
  if (i + 15 > end || s.charCodeAt(i + 3) !== 32) return NaN;
  const mo = monthAt(s, i);
  if (mo === 0) return NaN;
  const d = s.charCodeAt(i + 4) === 32 ? digit(s, i + 5) : two(s, i + 4);
  if (!validDate(mo, d) || s.charCodeAt(i + 6) !== 32) return NaN;
  const t = hmsAt(s, i + 7, end);
  if (t < 0) return NaN;
  const ms = fractionAt(s, i + 15, end);
  lastKind = 'yearless';
  lastYearless = true;
  lastMonth = mo;
  lastDay = d;
  lastMsOfDay = t * 1000 + ms;
  return 0; // the reader places it in a year
}

/** The last year-less time placed in `year`. */
function yearlessIn(year: number): number {
  return dayMs(year, lastMonth, lastDay) + lastMsOfDay;
}

/** Unix seconds (9-10 digits, optional fraction) or milliseconds (12-13 digits). */
function epochAt(s: string, i: number, end: number): number {
  let j = i;
  let v = 0;
  while (j < end) {
    const d = digit(s, j);
    if (d < 0) break;
    v = v * 10 + d;
    j++;
  }
  const digits = j - i;
  if (digits >= 12 && digits <= 13 && j === end) {
    lastKind = 'utc';
    return v;
  }
  if (digits < 9 || digits > 10) return NaN;
  const ms = fractionAt(s, j, end);
  if (fracEnd !== end) return NaN;
  lastKind = 'utc';
  return v * 1000 + ms;
}

/** A value from a time column or key: the whole (trimmed, unbracketed) text must be a time. */
function valueTime(s: string, from: number, to: number): number {
  while (from < to && s.charCodeAt(from) <= 32) from++;
  while (to > from && s.charCodeAt(to - 1) <= 32) to--;
  if (
    to - from >= 2 &&
    s.charCodeAt(from) === 91 &&
    s.charCodeAt(to - 1) === 93
  ) {
    from++;
    to--;
  }
  if (to <= from) return NaN;
  lastYearless = false;
  const c = s.charCodeAt(from);
  if (c >= 48 && c <= 57) {
    let t = isoAt(s, from, to, false);
    if (!Number.isNaN(t)) return t;
    t = clfAt(s, from, to);
    if (!Number.isNaN(t)) return t;
    return epochAt(s, from, to);
  }
  let t = syslogAt(s, from, to);
  if (!Number.isNaN(t)) return t;
  t = ctimeAt(s, from, to);
  return t;
}

/** How far into a line timestamps are looked for. */
const LINE_PREFIX = 256;

/** Finds a time in a free-text line (method: 0 syslog/ISO at start, 1 bracketed, 2 ISO inside). */
function lineTime(s: string, from: number, to: number, method: number): number {
  lastYearless = false;
  const end = Math.min(to, from + LINE_PREFIX);
  if (method === 0) {
    let i = from;
    // RFC 5424 `<34>1 2003-10-11T22:14:15.003Z`, or `<13>Dec 10 …`.
    if (s.charCodeAt(i) === 60) {
      const close = s.indexOf('>', i);
      if (close > i && close < i + 6) {
        i = close + 1;
        if (digit(s, i) >= 0 && s.charCodeAt(i + 1) === 32) i += 2;
      }
    }
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) return isoAt(s, i, end, true);
    return syslogAt(s, i, end);
  }
  if (method === 1) {
    let i = s.indexOf('[', from);
    while (i >= 0 && i < end) {
      const c = s.charCodeAt(i + 1);
      const t =
        c >= 48 && c <= 57 ? clfAt(s, i + 1, to) : ctimeAt(s, i + 1, to);
      if (!Number.isNaN(t)) return t;
      i = s.indexOf('[', i + 1);
    }
    return NaN;
  }
  // An ISO date anywhere in the prefix, not inside a longer run of digits.
  let i = s.indexOf('-', from + 4);
  while (i >= 0 && i < end) {
    const start = i - 4;
    if (start >= from && digit(s, start - 1) < 0 && four(s, start) >= 0) {
      const t = isoAt(s, start, to, true);
      if (!Number.isNaN(t)) return t;
    }
    i = s.indexOf('-', i + 1);
  }
  return NaN;
}

/**
 * Parses one timestamp value (a table cell, a JSON value): ISO 8601, Apache
 * `10/Oct/2000:13:55:36 -0700`, ctime, syslog or Unix epoch seconds/milliseconds.
 * Pure; year-less syslog times are placed in the year 2000.
 * @returns milliseconds since the epoch, or null when the text is not a timestamp.
 */
export function parseTimestamp(text: string): number | null {
  if (typeof text !== 'string') throw new TypeError('`text` must be a string');
  const t = valueTime(text, 0, text.length);
  if (Number.isNaN(t)) return null;
  return lastYearless ? yearlessIn(YEARLESS_BASE) : t;
}

/**
 * Reads the times of one input, row after row: keeps the year of year-less
 * syslog times (with rollover), remembers where in a line the time was found,
 * and fixes the report's time kind from the first time met (times of the other
 * class, absolute versus year-less, are then ignored).
 */
export class TimestampReader {
  readonly #year: number | null;
  #method = 0;
  #yearOffset = 0;
  #prevMonth = 0;
  /** Kind of the times accepted so far (null before the first). */
  kind: TimeKind | null = null;

  /** @param year year of year-less syslog times (null: unknown, written without a year). */
  constructor(year: number | null = null) {
    this.#year = year;
  }

  /** The time of a free-text line `s[from..to)`, or NaN. */
  fromLine(s: string, from: number, to: number): number {
    let t = lineTime(s, from, to, this.#method);
    if (Number.isNaN(t)) {
      for (let m = 0; m < 3 && Number.isNaN(t); m++) {
        if (m === this.#method) continue;
        t = lineTime(s, from, to, m);
        if (!Number.isNaN(t)) this.#method = m;
      }
      if (Number.isNaN(t)) return NaN;
    }
    return this.#accept(t);
  }

  /** The time of a value `s[from..to)` (a cell or a JSON string), or NaN. */
  fromValue(s: string, from = 0, to = s.length): number {
    const t = valueTime(s, from, to);
    return Number.isNaN(t) ? NaN : this.#accept(t);
  }

  /** The time of a JSON number (epoch seconds or milliseconds), or NaN. */
  fromNumber(n: number): number {
    if (!Number.isFinite(n) || n <= 0) return NaN;
    lastYearless = false;
    lastKind = 'utc';
    return this.#accept(n >= 1e11 ? Math.floor(n) : Math.round(n * 1000));
  }

  #accept(t: number): number {
    let kind: TimeKind = lastKind;
    if (lastYearless) {
      const month = lastMonth;
      if (this.#prevMonth !== 0 && month + 6 < this.#prevMonth)
        this.#yearOffset++;
      this.#prevMonth = month;
      t = yearlessIn((this.#year ?? YEARLESS_BASE) + this.#yearOffset);
      if (this.#year !== null) kind = 'local';
    }
    const current = this.kind;
    if (current === null) this.kind = kind;
    else if (current !== kind) {
      if ((current === 'yearless') !== (kind === 'yearless')) return NaN;
      // utc and local mixed: write them all without a zone.
      this.kind = 'local';
    }
    return t;
  }
}

const TWO = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/** Year, month, day of a count of days since 1970-01-01 (proleptic Gregorian). */
function civil(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe -
      Math.floor(doe / 1460) +
      Math.floor(doe / 36_524) -
      Math.floor(doe / 146_096)) /
      365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/** Writes a time of the given kind (see ReportTime.kind). */
export function formatTime(t: number, kind: TimeKind | null): string {
  const days = Math.floor(t / 86_400_000);
  let ms = t - days * 86_400_000;
  const [y, mo, d] = civil(days);
  const h = Math.floor(ms / 3_600_000);
  ms -= h * 3_600_000;
  const mi = Math.floor(ms / 60_000);
  ms -= mi * 60_000;
  const sec = Math.floor(ms / 1000);
  ms = Math.round(ms - sec * 1000);
  const time = `${TWO[h]}:${TWO[mi]}:${TWO[sec]}${ms !== 0 ? `.${String(ms).padStart(3, '0')}` : ''}`;
  const date = `${TWO[mo]}-${TWO[d]}`;
  if (kind === 'yearless') return `${date} ${time}`;
  const full = `${String(y).padStart(4, '0')}-${date}`;
  return kind === 'local' ? `${full} ${time}` : `${full}T${time}Z`;
}
