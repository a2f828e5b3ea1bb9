/**
 * Reads an input for a report: bytes in, observations into a ReportBuilder.
 * Streaming: the input is cut into segments of whole rows and each segment is
 * read and dropped, so memory does not grow with the input.
 *
 * A raw input is read the way `rirmap enrich` reads it: the same format
 * detection (planFormat), the same row framing (Framer), the same address
 * scanner for logs (scanAddresses) and the same CSV record scanner, so the
 * report sees the rows, columns and addresses enrichment would. Instead of
 * writing fields, each address is looked up and handed to the builder.
 * (Seam: when the enrichment core offers a per-address observer hook, this
 * module can become a thin consumer of it.)
 *
 * An enriched input (a file `rirmap enrich` wrote) is read back by
 * enriched-processors.ts.
 */

import { RegistryError } from '../errors.js';
import { DEFAULT_FIELDS } from '../enrich/enrich-fields.js';
import {
  MATCH_DEFANGED,
  refang,
  scanAddresses,
} from '../enrich/extract-addresses.js';
import { Framer, type Frame } from '../enrich/framer.js';
import {
  createCsvScanState,
  scanCsvRecord,
  splitCsvSample,
} from '../formats/csv-scan.js';
import { planFormat, type PlanOptions } from '../formats/detect-format.js';
import type {
  CsvPlan,
  EnrichFormat,
  FormatPlan,
  JsonlPlan,
  ZeekPlan,
} from '../formats/format-plan.js';
import { binaryAsUtf8 } from '../formats/text-encoding.js';
import { parseZeekHeader, planZeek, type ZeekHeader } from '../formats/zeek.js';
import { AddressObserver } from './address-observer.js';
import {
  isObject,
  jsonTime,
  sampleObjects,
  valueAt,
  type ProcessorContext,
  type ReportSourceOptions,
  type RowProcessor,
} from './row-processor.js';
import { createEnrichedProcessor } from './enriched-processors.js';
import type { ReportBuilder } from './report-builder.js';
import { pickTimeColumn, pickTimeKey } from './time-columns.js';
import { TimestampReader, type TimeKind } from './timestamp-reader.js';

export type { ReportSourceOptions, RowProcessor, ProcessorContext };

/** Bytes read before deciding the format (as enrichment does). */
const SNIFF_BYTES = 64 * 1024;
/** Segment size: whole rows of about this many bytes are read at a time. */
const SEGMENT_BYTES = 64 * 1024;
/** Addresses scanned per call in a log line. */
const MATCHES = 1024;

/** What reading found out. */
export interface ReportSourceResult {
  readonly format: string;
  readonly columns: readonly string[];
  readonly timeSource: string | null;
  readonly timeKind: TimeKind | null;
  /** Enriched values that disagreed with the loaded registry (enriched inputs only). */
  readonly mismatches: number;
}

function planOptions(
  o: ReportSourceOptions,
  format: EnrichFormat | 'auto' = o.format,
): PlanOptions {
  return {
    format,
    columns: o.columns,
    fields: DEFAULT_FIELDS,
    header: o.header,
    delimiter: o.delimiter,
    quote: o.quote,
    escape: undefined,
    comment: undefined,
    csvEngine: 'auto',
    annotate: 'jsonl',
    rdapNeed: 'off',
    strict: false,
    collectIssues: false,
  };
}

/** Plans a raw input exactly as enrichment would (same detection, same columns). */
export function planRawInput(
  sample: string,
  final: boolean,
  o: ReportSourceOptions,
): FormatPlan {
  const plan = planFormat(sample, final, planOptions(o));
  if (
    (plan.format === 'csv' || plan.format === 'tsv') &&
    plan.engine === 'csv-parse'
  )
    throw new RegistryError(
      'INPUT_MALFORMED',
      'report: this CSV dialect (a multi-character delimiter, an escape character, comment lines or bare CR line ends) ' +
        'is not read by the report yet; convert it to plain CSV first',
    );
  return plan;
}

/** Where the line at `pos` ends (its `\n`, or -1) and where its content ends (before `\r\n`). */
let contentEnd = 0;
function lineEnd(s: string, pos: number, end: number): number {
  const nl = s.indexOf('\n', pos);
  const e = nl < 0 ? end : nl;
  contentEnd = e > pos && s.charCodeAt(e - 1) === 13 ? e - 1 : e;
  return nl;
}

/** Free-text logs: every address of every line. */
export function createLogProcessor(
  plan: FormatPlan,
  ctx: ProcessorContext,
): RowProcessor {
  const { observer, builder, times } = ctx;
  const found = new Int32Array(MATCHES * 3);
  let row = 0;
  return {
    plan,
    format: 'log',
    columns: [],
    timeSource: 'line',
    control() {},
    body(s) {
      const end = s.length;
      let pos = 0;
      const firstRow = row;
      while (pos < end) {
        const nl = lineEnd(s, pos, end);
        const stop = contentEnd;
        row++;
        let from = pos;
        let time = NaN;
        let timed = false;
        for (;;) {
          const n = scanAddresses(s, from, stop, found);
          if (n > 0 && !timed) {
            timed = true;
            time = times.fromLine(s, pos, stop);
          }
          for (let k = 0; k < n; k++) {
            const a = found[k * 3]!;
            const b = found[k * 3 + 1]!;
            if ((found[k * 3 + 2]! & MATCH_DEFANGED) !== 0) {
              const t = refang(s.slice(a, b));
              observer.lookupAt(t, 0, t.length, row, time, '');
            } else observer.lookupAt(s, a, b, row, time, '');
          }
          if (n < MATCHES) break;
          from = found[(n - 1) * 3 + 1]!;
        }
        if (nl < 0) break;
        pos = nl + 1;
      }
      builder.addRows(row - firstRow);
    },
  };
}

/** CSV and TSV: the address columns of every record. */
function createCsvProcessor(
  plan: CsvPlan,
  sample: string,
  final: boolean,
  ctx: ProcessorContext,
): RowProcessor {
  const { observer, builder, times } = ctx;
  const { fields } = splitCsvSample(
    sample,
    plan.delimiter,
    plan.quote,
    50,
    final,
  );
  const firstIndex = fields.findIndex(
    (r) => r.length > 1 || (r[0] ?? '') !== '',
  );
  const names =
    plan.header && firstIndex >= 0
      ? fields[firstIndex]!.map((n) => n.trim())
      : [];
  const dataRows = fields.slice(
    plan.header ? firstIndex + 1 : Math.max(0, firstIndex),
  );
  const timeCol = pickTimeColumn(
    names,
    dataRows,
    plan.columns,
    ctx.options.timeColumn,
  );
  const slots = plan.columns.length;
  const st = createCsvScanState(
    plan.delimiter,
    plan.quote,
    timeCol >= 0 ? [...plan.columns, timeCol] : plan.columns,
    plan.width,
  );
  const spans = st.spans;
  const labels = plan.labels;
  let row = 0;
  return {
    plan,
    format: plan.format,
    columns: labels,
    timeSource:
      timeCol < 0
        ? null
        : names[timeCol] !== undefined
          ? binaryAsUtf8(names[timeCol]!)
          : `column ${timeCol + 1}`,
    control() {},
    body(s) {
      st.nextQuote = -2;
      const end = s.length;
      let pos = 0;
      const firstRow = row;
      while (pos < end) {
        const next = scanCsvRecord(s, pos, end, true, st);
        if (st.contentEnd === pos) {
          pos = next;
          continue;
        }
        row++;
        let time = NaN;
        let timed = false;
        for (let k = 0; k < slots; k++) {
          const a = spans[k * 2]!;
          if (a < 0) {
            builder.addMissing(row);
            continue;
          }
          if (!timed) {
            timed = true;
            const ta = timeCol >= 0 ? spans[slots * 2]! : -1;
            if (ta >= 0) time = times.fromValue(s, ta, spans[slots * 2 + 1]!);
          }
          observer.lookupAt(s, a, spans[k * 2 + 1]!, row, time, labels[k]!);
        }
        pos = next;
      }
      builder.addRows(row - firstRow);
    },
  };
}

/** Zeek TSV: the address fields of every row; `ts` is the time. */
function createZeekProcessor(
  plan0: ZeekPlan,
  ctx: ProcessorContext,
): RowProcessor {
  const { observer, builder, times, options } = ctx;
  let header: ZeekHeader | undefined;
  let plan = plan0;
  let timeCol = -1;
  let names: readonly string[] = [];
  const replan = (block: string): void => {
    header = parseZeekHeader(block, header);
    if (header.fields === null) return;
    plan = planZeek(header, {
      columns: options.columns,
      fields: DEFAULT_FIELDS,
      rdapNeed: 'off',
      strict: false,
      collectIssues: false,
    });
    names = header.fields;
    timeCol = pickTimeColumn(names, [], plan.columns, options.timeColumn);
  };
  let row = 0;
  const result: RowProcessor = {
    plan: plan0,
    format: 'zeek',
    get columns() {
      return plan.labels;
    },
    get timeSource() {
      return timeCol >= 0 ? binaryAsUtf8(names[timeCol] ?? '') : null;
    },
    control(text) {
      replan(text);
    },
    body(s) {
      const sep = plan.separator;
      const cols = plan.columns;
      const labels = plan.labels;
      const unset = plan.unset;
      const empty = plan.empty;
      const end = s.length;
      let pos = 0;
      const firstRow = row;
      const starts: number[] = [];
      const ends: number[] = [];
      while (pos < end) {
        const nl = lineEnd(s, pos, end);
        const stop = contentEnd;
        if (stop > pos && s.charCodeAt(pos) !== 35) {
          row++;
          // Field spans of the line.
          starts.length = 0;
          ends.length = 0;
          let f = pos;
          for (;;) {
            const d = s.indexOf(sep, f);
            if (d < 0 || d >= stop) {
              starts.push(f);
              ends.push(stop);
              break;
            }
            starts.push(f);
            ends.push(d);
            f = d + sep.length;
          }
          let time = NaN;
          let timed = false;
          for (let k = 0; k < cols.length; k++) {
            const c = cols[k]!;
            const a = starts[c];
            const b = ends[c];
            if (
              a === undefined ||
              b === undefined ||
              a === b ||
              (s.startsWith(unset, a) && b - a === unset.length) ||
              (s.startsWith(empty, a) && b - a === empty.length)
            ) {
              builder.addMissing(row);
              continue;
            }
            if (!timed) {
              timed = true;
              if (timeCol >= 0 && starts[timeCol] !== undefined)
                time = times.fromValue(s, starts[timeCol]!, ends[timeCol]!);
            }
            observer.lookupAt(s, a, b, row, time, labels[k]!);
          }
        }
        if (nl < 0) break;
        pos = nl + 1;
      }
      builder.addRows(row - firstRow);
    },
  };
  return result;
}

/** JSON lines: the address keys of every object. */
function createJsonlProcessor(
  plan: JsonlPlan,
  sample: string,
  final: boolean,
  ctx: ProcessorContext,
): RowProcessor {
  const { observer, builder, times } = ctx;
  const keys = plan.labels;
  const timeKey = pickTimeKey(
    sampleObjects(sample, final),
    ctx.options.timeColumn,
  );
  let row = 0;
  return {
    plan,
    format: 'jsonl',
    columns: keys,
    timeSource: timeKey,
    control() {},
    body(s) {
      const end = s.length;
      let pos = 0;
      const firstRow = row;
      while (pos < end) {
        const nl = lineEnd(s, pos, end);
        const line = s.slice(pos, contentEnd);
        if (line.trim() !== '') {
          row++;
          let obj: unknown;
          try {
            obj = JSON.parse(binaryAsUtf8(line));
          } catch {
            obj = undefined;
          }
          if (isObject(obj)) {
            let time = NaN;
            let timed = false;
            for (const key of keys) {
              const v = valueAt(obj, key);
              if (v === undefined || v === null || v === '') {
                builder.addMissing(row);
                continue;
              }
              if (!timed) {
                timed = true;
                if (timeKey !== null)
                  time = jsonTime(times, valueAt(obj, timeKey));
              }
              if (typeof v === 'string')
                observer.lookupAt(v, 0, v.length, row, time, key, false);
              else observer.invalidValue(JSON.stringify(v), key, row);
            }
          }
        }
        if (nl < 0) break;
        pos = nl + 1;
      }
      builder.addRows(row - firstRow);
    },
  };
}

/** The processor of a raw input. */
function createRawProcessor(
  sample: string,
  final: boolean,
  ctx: ProcessorContext,
): RowProcessor {
  if (ctx.options.registry === null)
    throw new TypeError('`registry` is required to report on a raw input');
  const plan = planRawInput(sample, final, ctx.options);
  switch (plan.format) {
    case 'log':
      return createLogProcessor(plan, ctx);
    case 'csv':
    case 'tsv':
      return createCsvProcessor(plan, sample, final, ctx);
    case 'jsonl':
      return createJsonlProcessor(plan, sample, final, ctx);
    case 'zeek':
      return createZeekProcessor(plan, ctx);
  }
}

function abortError(signal: AbortSignal): unknown {
  return (
    signal.reason ??
    new DOMException('This operation was aborted', 'AbortError')
  );
}

/**
 * Reads `input` into `builder`.
 * @throws {RegistryError} `INPUT_MALFORMED` when the input cannot be read
 * (no address column, a row longer than `maxRowBytes`, not an enriched file).
 */
export async function readReportSource(
  input: AsyncIterable<Uint8Array>,
  builder: ReportBuilder,
  options: ReportSourceOptions,
): Promise<ReportSourceResult> {
  const signal = options.signal;
  const it = input[Symbol.asyncIterator]();
  try {
    const head: Buffer[] = [];
    let headLength = 0;
    let eof = false;
    while (!eof && headLength < SNIFF_BYTES) {
      signal?.throwIfAborted();
      const r = await it.next();
      if (r.done === true) eof = true;
      else {
        const b = Buffer.from(
          r.value.buffer,
          r.value.byteOffset,
          r.value.byteLength,
        );
        head.push(b);
        headLength += b.length;
      }
    }
    let headBytes = Buffer.concat(head, headLength);
    if (headBytes[0] === 0xef && headBytes[1] === 0xbb && headBytes[2] === 0xbf)
      headBytes = headBytes.subarray(3);
    const text = headBytes.toString('latin1');
    const cut = text.lastIndexOf('\n');
    const sample = eof || cut < 0 ? text : text.slice(0, cut + 1);
    const observer = new AddressObserver(builder, options.registry);
    const times = new TimestampReader(options.year);
    const ctx: ProcessorContext = { observer, builder, times, options };
    const processor =
      options.from === 'enriched'
        ? createEnrichedProcessor(sample, eof, ctx)
        : createRawProcessor(sample, eof, ctx);
    const framer = new Framer(
      processor.plan,
      SEGMENT_BYTES,
      options.maxRowBytes,
    );
    const frames: Frame[] = [];
    const handle = (): void => {
      for (const f of frames) {
        if (f.kind === 'control') processor.control(f.text);
        else processor.body(f.bytes.toString('latin1'));
      }
      frames.length = 0;
    };
    if (headBytes.length > 0) framer.push(headBytes, frames);
    handle();
    while (!eof) {
      if (signal?.aborted === true) throw abortError(signal);
      const r = await it.next();
      if (r.done === true) break;
      framer.push(
        Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength),
        frames,
      );
      handle();
    }
    signal?.throwIfAborted();
    framer.end(frames);
    handle();
    return {
      format: processor.format,
      columns: [...processor.columns],
      timeSource: processor.timeSource,
      timeKind: times.kind,
      mismatches: observer.mismatches,
    };
  } finally {
    await it.return?.(undefined);
  }
}
