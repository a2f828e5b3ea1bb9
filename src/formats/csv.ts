/**
 * CSV and TSV: dialect and address-column detection, the fast segment
 * processor, and the csv-parse path for dialects the fast scanner does not
 * read (multi-character delimiters, backslash escapes, comment lines, bare-CR
 * line ends). This module is the only importer of csv-parse and csv-stringify.
 *
 * Output keeps every input byte: a row is written as its own text, then (for a
 * short row) empty fields up to the header's width, then for each address
 * column its added cells. Blank lines are copied unchanged and get no cells.
 */

import { once } from 'node:events';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import { neutralizeCsvFormula } from '../rdap/neutralize-csv-formula.js';
import { RegistryError } from '../errors.js';
import {
  AddressEnricher,
  MISSING,
  RenderCache,
  type FieldStyle,
} from '../enrich/address-enricher.js';
import { isRdapField, type EnrichField } from '../enrich/enrich-fields.js';
import { isAddressText } from '../enrich/extract-addresses.js';
import { C_BLANK, C_ROWS, createCounters } from '../enrich/enrich-summary.js';
import { INVALID } from '../types.js';
import {
  createCsvScanState,
  quoteCsvCell,
  scanCsvRecord,
  splitCsvSample,
} from './csv-scan.js';
import {
  OutputPieces,
  type CsvPlan,
  type SegmentIssue,
  type SegmentProcessor,
  type SegmentResult,
} from './format-plan.js';
import { binaryAsUtf8, utf8AsBinary } from './text-encoding.js';

/** Delimiters tried, in order of preference, when none is given. */
export const CSV_DELIMITERS = [',', '\t', ';', '|'] as const;

/** Options that shape a CSV plan. */
export interface CsvPlanOptions {
  readonly format: 'csv' | 'tsv' | 'auto';
  readonly columns: readonly (string | number)[] | undefined;
  readonly fields: readonly EnrichField[];
  readonly header: boolean | undefined;
  readonly delimiter: string | undefined;
  readonly quote: string | undefined;
  readonly escape: string | undefined;
  readonly comment: string | undefined;
  readonly engine: 'auto' | 'fast' | 'csv-parse';
  readonly rdapNeed: CsvPlan['rdapNeed'];
  readonly strict: boolean;
  readonly collectIssues: boolean;
}

/** The cells a CSV row gets for one address column. */
export function csvStyle(
  delimiter: string,
  quote: string,
  rdapCount: number,
  rawCsv = false,
): FieldStyle {
  const cell = (v: string): string =>
    delimiter + quoteAddedCell(v, delimiter, quote);
  const emptyRdap = delimiter.repeat(rdapCount);
  return {
    head: (values) => values.map(cell).join(''),
    // Text from RDAP servers is untrusted: a value a spreadsheet would run as
    // a formula (=, +, -, @, tab, CR first) is neutralised.
    rdap: (values) =>
      values === null
        ? emptyRdap
        : values
            .map((v) =>
              cell(utf8AsBinary(rawCsv ? v : neutralizeCsvFormula(v))),
            )
            .join(''),
    tail: (error) => delimiter + error,
  };
}

/**
 * An added cell as CSV text. Registry values never need quoting; anything
 * that does (RDAP text with a delimiter, quote or line break) is written by
 * csv-stringify with the input's own delimiter and quote.
 */
function quoteAddedCell(
  value: string,
  delimiter: string,
  quote: string,
): string {
  if (quoteCsvCell(value, delimiter, quote) === value) return value;
  const q = quote === '' ? '"' : quote;
  return stringify([[value]], { delimiter, quote: q, escape: q, eof: false });
}

/** Names of the cells added for one address column, in output order. */
export function addedColumnNames(
  name: string,
  fields: readonly EnrichField[],
): string[] {
  const reg = fields.filter((f) => !isRdapField(f));
  const rdap = fields.filter(isRdapField);
  return [...reg, ...rdap, 'error'].map((f) => `${name}_${f}`);
}

/** The header row's output: the row as written, plus the added column names. */
export function csvHeaderOutput(
  plan: CsvPlan,
  content: string,
  terminator: string,
): string {
  let out = content;
  for (const name of plan.names)
    for (const added of addedColumnNames(name, plan.fields))
      out += plan.delimiter + quoteAddedCell(added, plan.delimiter, plan.quote);
  return out + terminator;
}

/** The fast segment processor. */
export function createCsvProcessor(
  plan: CsvPlan,
  enricher: AddressEnricher,
): SegmentProcessor {
  const st = createCsvScanState(
    plan.delimiter,
    plan.quote,
    plan.columns,
    plan.width,
  );
  const cache = new RenderCache(
    enricher,
    csvStyle(
      plan.delimiter,
      plan.quote,
      enricher.rdapFields.length,
      enricher.rawCsv,
    ),
  );
  const slots = plan.columns.length;
  const width = plan.width;
  const delimiter = plan.delimiter;
  const spans = st.spans;
  const codes = new Int32Array(slots);
  const wantIssues = plan.collectIssues || plan.strict;
  return {
    process(s: string): SegmentResult {
      const counters = createCounters();
      enricher.counters = counters;
      st.nextQuote = -2;
      const issues: SegmentIssue[] = [];
      const pieces = new OutputPieces();
      const end = s.length;
      let out = '';
      let copyFrom = 0;
      let pos = 0;
      let lines = 0;
      let rows = 0;
      let blank = 0;
      let stopped = false;
      while (pos < end) {
        const next = scanCsvRecord(s, pos, end, true, st);
        const contentEnd = st.contentEnd;
        const lineAtStart = lines;
        lines += st.innerLines + (s.charCodeAt(next - 1) === 10 ? 1 : 0);
        if (contentEnd === pos) {
          blank++;
          pos = next;
          continue;
        }
        let holes = false;
        for (let k = 0; k < slots; k++) {
          const a = spans[k * 2]!;
          let code: number;
          if (a < 0) {
            enricher.countMissing();
            code = MISSING;
          } else code = enricher.lookup(s, a, spans[k * 2 + 1]!);
          codes[k] = code;
          if (code === MISSING || code === INVALID) {
            if (wantIssues)
              issues.push({
                row: rows,
                line: lineAtStart,
                column: plan.labels[k]!,
                reason: code === MISSING ? 'missing' : 'invalid',
                value:
                  a < 0 ? '' : s.slice(a, Math.min(spans[k * 2 + 1]!, a + 200)),
              });
            if (plan.strict) stopped = true;
          } else if (!holes && enricher.needsRdap(code)) holes = true;
        }
        if (stopped) {
          out += s.slice(copyFrom, pos);
          copyFrom = pos;
          break;
        }
        rows++;
        out += s.slice(copyFrom, contentEnd);
        if (st.fieldCount < width)
          out += delimiter.repeat(width - st.fieldCount);
        copyFrom = contentEnd;
        if (!holes) {
          for (let k = 0; k < slots; k++)
            out += cache.text(codes[k]!, s, spans[k * 2]!, spans[k * 2 + 1]!);
        } else {
          for (let k = 0; k < slots; k++) {
            const code = codes[k]!;
            const a = spans[k * 2]!;
            const b = spans[k * 2 + 1]!;
            if (enricher.needsRdap(code)) {
              const [head, tail] = cache.holeParts(code);
              out =
                pieces.hole(out + head, {
                  ip: s.slice(a, b).trim(),
                  id: code,
                }) + tail;
            } else out += cache.text(code, s, a, b);
          }
        }
        pos = next;
      }
      if (!stopped) out += s.slice(copyFrom, end);
      counters[C_ROWS] = rows;
      counters[C_BLANK] = blank;
      const { text, pieces: p } = pieces.finish(out);
      return { text, pieces: p, counters, lines, issues, stopped };
    },
  };
}

function cellValue(v: string | undefined): string {
  return (v ?? '').trim();
}

function modeWidth(
  rows: readonly string[][],
  blank: readonly boolean[],
): number {
  const counts = new Map<number, number>();
  let n = 0;
  rows.forEach((r, i) => {
    if (blank[i] === true) return;
    n++;
    counts.set(r.length, (counts.get(r.length) ?? 0) + 1);
  });
  let best = 0;
  let bestCount = 0;
  for (const [w, c] of counts)
    if (c > bestCount || (c === bestCount && w > best))
      [best, bestCount] = [w, c];
  return n > 0 && bestCount * 5 >= n * 4 ? best : 0;
}

function detectAddressColumns(
  rows: readonly string[][],
  blank: readonly boolean[],
  from: number,
  share: number,
): number[] {
  const width = Math.max(0, ...rows.map((r) => r.length));
  const found: number[] = [];
  for (let j = 0; j < width; j++) {
    let filled = 0;
    let addresses = 0;
    for (let i = from; i < rows.length; i++) {
      if (blank[i] === true) continue;
      const v = cellValue(rows[i]![j]);
      if (v === '') continue;
      filled++;
      if (isAddressText(v)) addresses++;
    }
    if (addresses > 0 && addresses >= filled * share) found.push(j);
  }
  return found;
}

/** Sample rows of a multi-character delimiter, read without quotes (sniffing only). */
function naiveSplit(
  sample: string,
  delimiter: string,
  final: boolean,
): { fields: string[][]; blank: boolean[] } {
  const lines = sample.split('\n');
  if (!final) lines.pop();
  const kept = lines
    .slice(0, 200)
    .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  return {
    fields: kept.map((l) => l.split(delimiter)),
    blank: kept.map((l) => l === ''),
  };
}

interface Sniffed {
  readonly delimiter: string;
  readonly rows: string[][];
  readonly blank: boolean[];
  readonly first: number;
  readonly header: boolean;
  readonly columns: number[];
  readonly width: number;
}

function sniffWith(
  sample: string,
  final: boolean,
  delimiter: string,
  quote: string,
  o: CsvPlanOptions,
): Sniffed {
  const { fields: rows, blank } =
    delimiter.length === 1
      ? splitCsvSample(sample, delimiter, quote, 200, final)
      : naiveSplit(sample, delimiter, final);
  const first = Math.max(
    0,
    rows.findIndex((_, i) => blank[i] !== true),
  );
  const firstRow = (rows[first] ?? []).map(cellValue);
  const named = (o.columns ?? []).some(
    (c) => typeof c === 'string' && firstRow.includes(utf8AsBinary(c)),
  );
  const header = o.header ?? (named || !firstRow.some((v) => isAddressText(v)));
  const mode = modeWidth(rows, blank);
  const dataFrom = header ? first + 1 : first;
  const columns =
    o.columns !== undefined
      ? []
      : detectAddressColumns(rows, blank, dataFrom, mode === 1 ? 0.9 : 0.5);
  return {
    delimiter,
    rows,
    blank,
    first,
    header,
    columns,
    width: header ? firstRow.length : mode || firstRow.length,
  };
}

/**
 * Decides a CSV plan from the first rows of the input (binary string, BOM removed).
 * @returns the plan, or null when `format` is `auto` and the sample does not
 * look like a table with an address column.
 * @throws {TypeError} for a column name the header does not have, or a dialect
 * `csvEngine: 'fast'` cannot read.
 * @throws {RegistryError} `INPUT_MALFORMED` when no address column can be found.
 */
export function planCsv(
  sample: string,
  final: boolean,
  o: CsvPlanOptions,
): CsvPlan | null {
  const auto = o.format === 'auto';
  const quote = o.quote ?? '"';
  const bareCr = !sample.includes('\n') && sample.includes('\r');
  let text = bareCr ? sample.replaceAll('\r', '\n') : sample;
  if (o.comment !== undefined && o.comment !== '') {
    const c = o.comment;
    text = text
      .split('\n')
      .filter((line) => !line.startsWith(c))
      .join('\n');
  }
  const candidates =
    o.delimiter !== undefined
      ? [o.delimiter]
      : o.format === 'tsv'
        ? ['\t']
        : [...CSV_DELIMITERS];
  let chosen: Sniffed | undefined;
  for (const d of candidates) {
    // The sniffer scans one-character delimiters; a longer one is taken on trust.
    const sniffed = sniffWith(text, final, d, quote, o);
    // A table: an address column (or named columns) and, unless it is a
    // plain list of addresses, at least two fields in the header or most rows.
    const firstRow = (sniffed.rows[sniffed.first] ?? []).map(cellValue);
    const named =
      o.columns !== undefined &&
      o.columns.every(
        (c) => typeof c === 'string' && firstRow.includes(utf8AsBinary(c)),
      );
    const wide =
      d.length > 1 ||
      sniffed.width >= 2 ||
      modeWidth(sniffed.rows, sniffed.blank) >= 2;
    const ok =
      sniffed.rows.length > 0 &&
      (named ||
        (sniffed.columns.length > 0 &&
          (wide || modeWidth(sniffed.rows, sniffed.blank) === 1)) ||
        (o.columns !== undefined && wide));
    if (!ok) continue;
    if (chosen === undefined || sniffed.width > chosen.width)
      chosen = { ...sniffed, delimiter: d };
  }
  if (chosen === undefined) {
    if (auto) return null;
    chosen = sniffWith(text, final, candidates[0]!, quote, o);
  }
  const sniffed = chosen;
  const headerRow = sniffed.header
    ? (sniffed.rows[sniffed.first] ?? []).map(cellValue)
    : [];
  let columns: number[];
  if (o.columns !== undefined) {
    columns = o.columns.map((c) => {
      if (typeof c === 'number') return c;
      const idx = headerRow.indexOf(utf8AsBinary(c));
      if (idx >= 0) return idx;
      if (/^\d+$/.test(c) && Number(c) >= 1) return Number(c) - 1;
      throw new TypeError(
        `\`columns\`: no column ${JSON.stringify(c)} in the ` +
          (sniffed.header
            ? `header (${headerRow.map((h) => JSON.stringify(binaryAsUtf8(h))).join(', ')})`
            : 'input, which has no header row'),
      );
    });
  } else {
    columns = sniffed.columns;
    if (columns.length === 0)
      throw new RegistryError(
        'INPUT_MALFORMED',
        'no address column found in the first rows; name it with `columns` (--columns)',
      );
  }
  const names = columns.map((c) => headerRow[c] ?? `column${c + 1}`);
  const escape = o.escape ?? quote;
  const comment = o.comment ?? '';
  const fastOk =
    sniffed.delimiter.length === 1 &&
    !'\r\n'.includes(sniffed.delimiter) &&
    sniffed.delimiter !== quote &&
    quote.length <= 1 &&
    escape === quote &&
    comment === '' &&
    !bareCr;
  if (o.engine === 'fast' && !fastOk)
    throw new TypeError(
      '`csvEngine`: "fast" reads one-character delimiters, doubled quotes, no comment lines and LF or CRLF line ends only',
    );
  return {
    format:
      o.format === 'tsv' || (auto && sniffed.delimiter === '\t')
        ? 'tsv'
        : 'csv',
    engine: o.engine === 'csv-parse' || !fastOk ? 'csv-parse' : 'fast',
    delimiter: sniffed.delimiter,
    quote,
    escape,
    comment,
    recordDelimiter: bareCr ? ['\r'] : ['\r\n', '\n'],
    header: sniffed.header,
    columns,
    width: sniffed.width,
    names,
    labels: columns.map((c, k) =>
      sniffed.header ? binaryAsUtf8(names[k]!) : `column ${c + 1}`,
    ),
    fields: o.fields,
    rdapNeed: o.rdapNeed,
    strict: o.strict,
    collectIssues: o.collectIssues,
  };
}

/** Splits a record's text into its content and line terminator. */
export function splitTerminator(record: string): [string, string] {
  if (record.endsWith('\r\n')) return [record.slice(0, -2), '\r\n'];
  if (record.endsWith('\n') || record.endsWith('\r'))
    return [record.slice(0, -1), record.slice(-1)];
  return [record, ''];
}

/**
 * Where the header record of `s` (binary, BOM removed) ends, blank lines
 * before it included; -1 when more text is needed.
 */
export function csvHeaderEnd(s: string, plan: CsvPlan, final: boolean): number {
  if (plan.engine === 'csv-parse') return -1; // the csv-parse path reads its own header
  const st = createCsvScanState(plan.delimiter, plan.quote, [], 0);
  let pos = 0;
  for (;;) {
    if (pos >= s.length) return final ? s.length : -1;
    const next = scanCsvRecord(s, pos, s.length, final, st);
    if (next < 0) return -1;
    if (st.contentEnd > pos) return next;
    pos = next;
  }
}

/** A header or comment block the pipeline copies out as is. */
export interface ControlOutput {
  readonly control: string;
  readonly lines: number;
}

function countBreaks(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  if (n === 0 && s.endsWith('\r')) n = 1;
  return n;
}

/**
 * The csv-parse path: reads byte chunks (BOM removed) and yields
 * header output and segment results. One thread only.
 * @throws {RegistryError} `INPUT_MALFORMED` when csv-parse cannot read the input.
 */
export async function* enrichCsvWithCsvParse(
  chunks: AsyncIterable<Uint8Array>,
  plan: CsvPlan,
  enricher: AddressEnricher,
  maxRowBytes: number,
): AsyncGenerator<SegmentResult | ControlOutput> {
  const parser = parse({
    delimiter: plan.delimiter,
    quote: plan.quote === '' ? false : plan.quote,
    escape: plan.escape,
    ...(plan.comment !== '' ? { comment: plan.comment } : {}),
    record_delimiter: [...plan.recordDelimiter],
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: false,
    info: true,
    encoding: 'latin1',
    max_record_size: maxRowBytes,
  });
  let pending = '';
  let base = 0;
  const pump = (async () => {
    try {
      for await (const chunk of chunks) {
        const b = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        pending += b.toString('latin1', 0, b.length);
        if (!parser.write(Buffer.from(b))) await once(parser, 'drain');
      }
      parser.end();
    } catch (error) {
      parser.destroy(error as Error);
    }
  })();
  const cache = new RenderCache(
    enricher,
    csvStyle(
      plan.delimiter,
      plan.quote,
      enricher.rdapFields.length,
      enricher.rawCsv,
    ),
  );
  const wantIssues = plan.collectIssues || plan.strict;
  const codes = new Int32Array(plan.columns.length);
  let prevEnd = 0;
  let headerDone = !plan.header;
  let counters = createCounters();
  enricher.counters = counters;
  let out = '';
  let pieces = new OutputPieces();
  let issues: SegmentIssue[] = [];
  let lines = 0;
  let rows = 0;
  let blank = 0;
  const flush = (stopped: boolean): SegmentResult => {
    counters[C_ROWS] = rows;
    counters[C_BLANK] = blank;
    const { text, pieces: p } = pieces.finish(out);
    const result: SegmentResult = {
      text,
      pieces: p,
      counters,
      lines,
      issues,
      stopped,
    };
    counters = createCounters();
    enricher.counters = counters;
    out = '';
    pieces = new OutputPieces();
    issues = [];
    lines = 0;
    rows = 0;
    blank = 0;
    return result;
  };
  try {
    for await (const item of parser as AsyncIterable<{
      record: string[];
      info: { bytes: number };
    }>) {
      const endAbs = item.info.bytes;
      const raw = pending.slice(prevEnd - base, endAbs - base);
      prevEnd = endAbs;
      if (prevEnd - base > 1 << 16) {
        pending = pending.slice(prevEnd - base);
        base = prevEnd;
      }
      const [content, terminator] = splitTerminator(raw);
      const own = content.slice(content.lastIndexOf('\n') + 1);
      const record = item.record;
      const isBlank =
        record.length <= 1 && (record[0] ?? '') === '' && own === '';
      if (!headerDone) {
        if (isBlank) {
          yield { control: raw, lines: countBreaks(raw) };
          continue;
        }
        headerDone = true;
        yield {
          control: csvHeaderOutput(plan, content, terminator),
          lines: countBreaks(raw),
        };
        continue;
      }
      const lineAtStart =
        lines + countBreaks(content.slice(0, content.length - own.length));
      lines += countBreaks(raw);
      if (isBlank) {
        blank++;
        out += raw;
        continue;
      }
      let stopped = false;
      let holes = false;
      for (let k = 0; k < plan.columns.length; k++) {
        const v = record[plan.columns[k]!];
        let code: number;
        if (v === undefined) {
          enricher.countMissing();
          code = MISSING;
        } else code = enricher.lookup(v, 0, v.length);
        codes[k] = code;
        if (code === MISSING || code === INVALID) {
          if (wantIssues)
            issues.push({
              row: rows,
              line: lineAtStart,
              column: plan.labels[k]!,
              reason: code === MISSING ? 'missing' : 'invalid',
              value: (v ?? '').slice(0, 200),
            });
          if (plan.strict) stopped = true;
        } else if (enricher.needsRdap(code)) holes = true;
      }
      if (stopped) {
        yield flush(true);
        return;
      }
      rows++;
      out += content;
      if (record.length < plan.width)
        out += plan.delimiter.repeat(plan.width - record.length);
      for (let k = 0; k < plan.columns.length; k++) {
        const v = record[plan.columns[k]!] ?? '';
        const code = codes[k]!;
        if (holes && enricher.needsRdap(code)) {
          const [head, tail] = cache.holeParts(code);
          out = pieces.hole(out + head, { ip: v.trim(), id: code }) + tail;
        } else out += cache.text(code, v, 0, v.length);
      }
      out += terminator;
      if (out.length > 1 << 16 || pieces.pieces !== null) yield flush(false);
    }
    await pump;
    out += pending.slice(prevEnd - base);
    yield flush(false);
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('CSV_') === true)
      throw new RegistryError(
        'INPUT_MALFORMED',
        `CSV: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    throw error;
  } finally {
    parser.destroy();
    await pump;
  }
}
