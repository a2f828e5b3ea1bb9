/**
 * A hand-written CSV record scanner for the fast path. It works on "binary"
 * strings (each char one input byte, decoded as latin1), so every span it
 * reports maps 1:1 to input bytes and output can copy input bytes exactly.
 *
 * Grammar (RFC 4180 with csv-parse's `relax_quotes`):
 * - A record ends at LF or CRLF (a CR at the very end of the input also ends it).
 * - A field that starts with the quote char is quoted: it runs to the next
 *   quote not doubled (`""` is a quote inside), and may hold delimiters and
 *   line breaks. If anything but a delimiter or a line end follows the closing
 *   quote (`"ab"c`), the field is read as plain text up to the next delimiter.
 * - A quote anywhere else is an ordinary character.
 * - A quoted field never closed runs to the end of the input.
 */

/** Scanner settings and per-record results; one object reused for every record. */
export interface CsvScanState {
  readonly delimiter: number;
  readonly delimiterText: string;
  /** Char code of the quote, or -1 for no quoting. */
  readonly quote: number;
  readonly quoteText: string;
  /** For each column index, the slot its value span goes in, or -1. Columns past the end: not wanted. */
  readonly want: Int32Array;
  /** Columns to scan at least up to (the last wanted column). */
  readonly lastWanted: number;
  /** Expected field count (header width); the scanner may stop counting at this many fields. */
  width: number;
  /** Value spans per slot: [start, end) pairs; -1 when the record is too short. */
  readonly spans: Int32Array;
  /** Per slot: 1 when the field was quoted and malformed or never closed. */
  readonly bad: Uint8Array;
  /** Results of the last scanRecord call. */
  fieldCount: number;
  contentEnd: number;
  /** Line breaks inside quoted fields of the last record. */
  innerLines: number;
  /** True when the last record had a quoted field that was never closed. */
  unclosed: boolean;
  /** Cached index of the next quote (-1: none left, -2: unknown). Reset to -2 for a new string. */
  nextQuote: number;
}

/** Creates a scan state. `columns` are 0-based column indexes (their order gives the slots). */
export function createCsvScanState(
  delimiter: string,
  quote: string,
  columns: readonly number[],
  width: number,
): CsvScanState {
  const lastWanted = columns.length === 0 ? -1 : Math.max(...columns);
  const want = new Int32Array(lastWanted + 1).fill(-1);
  columns.forEach((c, slot) => {
    want[c] = slot;
  });
  return {
    delimiter: delimiter.charCodeAt(0),
    delimiterText: delimiter,
    quote: quote === '' ? -1 : quote.charCodeAt(0),
    quoteText: quote,
    want,
    lastWanted,
    width,
    spans: new Int32Array(columns.length * 2),
    bad: new Uint8Array(columns.length),
    fieldCount: 0,
    contentEnd: 0,
    innerLines: 0,
    unclosed: false,
    nextQuote: -2,
  };
}

const LF = 10;
const CR = 13;

function countLines(s: string, from: number, to: number): number {
  let n = 0;
  let i = s.indexOf('\n', from);
  while (i >= 0 && i < to) {
    n++;
    i = s.indexOf('\n', i + 1);
  }
  return n;
}

/**
 * Scans the record starting at `pos` in `s[..end)`.
 * @param final true when no more text follows `end` (an unterminated last record is complete).
 * @returns the index after the record's line terminator, or -1 when the record
 * is not complete yet (needs more text).
 */
export function scanCsvRecord(
  s: string,
  pos: number,
  end: number,
  final: boolean,
  st: CsvScanState,
): number {
  const delim = st.delimiter;
  const quote = st.quote;
  const want = st.want;
  const spans = st.spans;
  spans.fill(-1);
  st.bad.fill(0);
  st.innerLines = 0;
  st.unclosed = false;
  let lineEnd = s.indexOf('\n', pos);
  if (lineEnd < 0 || lineEnd >= end) lineEnd = end;
  let p = pos;
  let f = 0;
  for (;;) {
    let fieldEnd: number;
    let vs = p;
    let ve: number;
    let bad = false;
    if (quote >= 0 && p < end && s.charCodeAt(p) === quote) {
      // Quoted field: find the closing quote.
      let q = p + 1;
      for (;;) {
        q = s.indexOf(st.quoteText, q);
        if (q < 0 || q >= end) {
          q = -1;
          break;
        }
        if (q + 1 < end && s.charCodeAt(q + 1) === quote) {
          q += 2;
          continue;
        }
        if (q + 1 === end && !final) return -1; // might be a doubled quote cut in two
        break;
      }
      if (q < 0) {
        if (!final) return -1;
        // Never closed: the field runs to the end of the input.
        st.innerLines += countLines(s, p, end);
        st.unclosed = true;
        const slot = f < want.length ? want[f]! : -1;
        if (slot >= 0) {
          spans[slot * 2] = p + 1;
          spans[slot * 2 + 1] = end;
          st.bad[slot] = 1;
        }
        st.fieldCount = f + 1;
        st.contentEnd = end;
        st.nextQuote = -2;
        return end;
      }
      if (q > lineEnd) {
        st.innerLines += countLines(s, lineEnd, q);
        lineEnd = s.indexOf('\n', q);
        if (lineEnd < 0 || lineEnd >= end) lineEnd = end;
      }
      vs = p + 1;
      ve = q;
      fieldEnd = q + 1;
      if (fieldEnd < end) {
        const c = s.charCodeAt(fieldEnd);
        if (
          c === CR &&
          (fieldEnd + 1 === end ? final : s.charCodeAt(fieldEnd + 1) === LF)
        ) {
          fieldEnd = lineEnd; // the CR belongs to the line terminator
        } else if (c !== delim && c !== LF) {
          if (c === CR && fieldEnd + 1 === end) return -1;
          // `"ab"c`: read as plain text up to the next delimiter or line end.
          let d = s.indexOf(st.delimiterText, fieldEnd);
          if (d < 0 || d > lineEnd) d = lineEnd;
          fieldEnd = d;
          vs = p;
          ve = d;
          bad = true;
        }
      } else if (!final) {
        return -1;
      }
    } else {
      let d = s.indexOf(st.delimiterText, p);
      if (d < 0 || d > lineEnd) d = lineEnd;
      fieldEnd = d;
      ve = d;
    }
    // A field ending the line gives up its CR to the terminator.
    if (
      fieldEnd === lineEnd &&
      ve === fieldEnd &&
      ve > vs &&
      s.charCodeAt(ve - 1) === CR
    ) {
      if (lineEnd < end || final) ve--;
    }
    if (f < want.length) {
      const slot = want[f]!;
      if (slot >= 0) {
        spans[slot * 2] = vs;
        spans[slot * 2 + 1] = ve;
        if (bad) st.bad[slot] = 1;
      }
    }
    f++;
    if (fieldEnd < lineEnd) {
      // A delimiter: next field. Past the wanted columns and with enough fields
      // to need no padding, a line with no quote left ends the record at once.
      p = fieldEnd + 1;
      if (f > st.lastWanted && f >= st.width) {
        let nq = st.nextQuote;
        if (nq !== -1 && nq < p) {
          nq = quote < 0 ? -1 : s.indexOf(st.quoteText, p);
          st.nextQuote = nq;
        }
        if (nq === -1 || nq >= lineEnd) {
          f = st.width; // at least this many; exact count not needed
          return finishRecord(s, pos, lineEnd, end, final, f, st);
        }
      }
      continue;
    }
    return finishRecord(s, pos, lineEnd, end, final, f, st);
  }
}

function finishRecord(
  s: string,
  pos: number,
  lineEnd: number,
  end: number,
  final: boolean,
  fields: number,
  st: CsvScanState,
): number {
  st.fieldCount = fields;
  if (lineEnd < end) {
    st.contentEnd =
      lineEnd > pos && s.charCodeAt(lineEnd - 1) === CR ? lineEnd - 1 : lineEnd;
    return lineEnd + 1;
  }
  if (!final) return -1;
  st.contentEnd = end > pos && s.charCodeAt(end - 1) === CR ? end - 1 : end;
  return end;
}

/**
 * Finds where the last complete record in `s[0..end)` ends (just after its
 * line terminator). `s` must start at a record boundary.
 * @returns that index, or 0 when no record is complete.
 */
export function lastCsvBoundary(
  s: string,
  end: number,
  delimiter: string,
  quote: string,
): number {
  if (quote === '' || s.indexOf(quote) < 0 || s.indexOf(quote) >= end) {
    const nl = s.lastIndexOf('\n', end - 1);
    return nl < 0 ? 0 : nl + 1;
  }
  const st = createCsvScanState(delimiter, quote, [], 0);
  let pos = 0;
  let last = 0;
  while (pos < end) {
    // Whole lines without a quote need no field scan.
    const nl = s.indexOf('\n', pos);
    if (nl < 0 || nl >= end) break;
    let nq = st.nextQuote;
    if (nq !== -1 && nq < pos) {
      nq = s.indexOf(quote, pos);
      st.nextQuote = nq;
    }
    if (nq === -1 || nq > nl) {
      pos = nl + 1;
      last = pos;
      continue;
    }
    const next = scanCsvRecord(s, pos, end, false, st);
    if (next < 0) break;
    pos = next;
    last = pos;
  }
  return last;
}

/** Quotes a cell for output when it holds the delimiter, the quote or a line break. */
export function quoteCsvCell(
  value: string,
  delimiter: string,
  quote: string,
): string {
  if (value === '') return value;
  if (
    value.includes(delimiter) ||
    (quote !== '' && value.includes(quote)) ||
    value.includes('\n') ||
    value.includes('\r')
  ) {
    const q = quote === '' ? '"' : quote;
    return q + value.replaceAll(q, q + q) + q;
  }
  return value;
}

/** Splits complete records of a sample into field values (for sniffing; allocates). */
export function splitCsvSample(
  s: string,
  delimiter: string,
  quote: string,
  maxRecords: number,
  final: boolean,
): { fields: string[][]; blank: boolean[] } {
  const q = quote;
  const fields: string[][] = [];
  const blank: boolean[] = [];
  let pos = 0;
  const width = 4096;
  // Scan with every column wanted (up to `width`).
  const all = createCsvScanState(
    delimiter,
    quote,
    Array.from({ length: width }, (_, i) => i),
    0,
  );
  while (pos < s.length && fields.length < maxRecords) {
    const next = scanCsvRecord(s, pos, s.length, final, all);
    if (next < 0) break;
    const row: string[] = [];
    const n = Math.min(all.fieldCount, width);
    for (let i = 0; i < n; i++) {
      const a = all.spans[i * 2]!;
      const b = all.spans[i * 2 + 1]!;
      let v = a < 0 ? '' : s.slice(a, b);
      if (
        q !== '' &&
        a > 0 &&
        s.charCodeAt(a - 1) === q.charCodeAt(0) &&
        all.bad[i] === 0
      )
        v = v.replaceAll(q + q, q);
      row.push(v);
    }
    blank.push(all.contentEnd === pos);
    fields.push(row);
    pos = next;
  }
  return { fields, blank };
}
