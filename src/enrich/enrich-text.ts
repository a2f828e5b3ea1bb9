/**
 * The enrichment core for text input: AsyncIterable of input bytes in,
 * AsyncIterable of output bytes out, one output row per input row, in input
 * order. The Node Transform (enrich-stream.ts), the file adapter
 * (enrich-file.ts) and the CLI are thin wrappers around it.
 *
 * Pipeline: the head of the input decides the plan (format, dialect,
 * columns); the framer cuts the rest into segments of whole rows; each
 * segment is processed on this thread or on a worker (the same code, so the
 * bytes are the same); results are emitted strictly in order. A segment with
 * RDAP holes is filled (at most `windowSize` lookups in flight) before it is
 * emitted. Memory stays bounded: a few segments in flight, and iteration
 * itself is the backpressure.
 */

import { RegistryError } from '../errors.js';
import { planFormat } from '../formats/detect-format.js';
import {
  csvHeaderOutput,
  enrichCsvWithCsvParse,
  splitTerminator,
} from '../formats/csv.js';
import {
  inputEncoding,
  outputEncoding,
  type EnrichIssue,
  type FormatPlan,
  type SegmentIssue,
  type SegmentProcessor,
  type SegmentResult,
} from '../formats/format-plan.js';
import { BINARY_BOM, binaryAsUtf8 } from '../formats/text-encoding.js';
import {
  parseZeekHeader,
  planZeek,
  zeekHeaderOutput,
  type ZeekHeader,
} from '../formats/zeek.js';
import { NOT_FOUND, type Registry } from '../types.js';
import {
  AddressEnricher,
  type FieldStyle,
  type RdapHole,
} from './address-enricher.js';
import { rdapFieldText } from './enrich-fields.js';
import {
  resolveEnrichOptions,
  type EnrichOptions,
  type ResolvedEnrichOptions,
} from './enrich-options.js';
import {
  C_CONTROL,
  C_ROWS,
  addCounters,
  buildSummary,
  createCounters,
  type EnrichSummary,
} from './enrich-summary.js';
import { Framer, type Frame } from './framer.js';
import {
  createSegmentProcessor,
  hasBytesPath,
  styleForPlan,
} from './segment-processor.js';
import {
  WorkerPool,
  defaultWorkerUrl,
  type WorkerResult,
  type WorkerTicket,
} from './worker-pool.js';

/**
 * Segments queued per worker before this thread processes one itself: deep
 * enough that a worker still has work while this thread reads, writes or
 * processes a segment of its own.
 */
const WORKER_DEPTH = 8;

/**
 * Segments in flight per thread when there are workers: enough for this
 * thread to keep working while a worker is slow (its code is still being
 * compiled in the first tenth of a second or so), as results leave in order.
 */
const IN_FLIGHT_PER_THREAD = 16;

/** Worker output slots lent to the consumer at once, beyond those in flight. */
const WRITER_SLOTS = 16;

/** Bytes read before deciding the plan. */
const SNIFF_BYTES = 64 * 1024;

/** Input accepted by the enrichment core: bytes, or text (written out as UTF-8). */
export type EnrichInput =
  AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/** The output of enrichText: bytes, plus the summary once iteration is done. */
export interface EnrichTextRun extends AsyncIterable<Uint8Array> {
  /** The run's summary, set when iteration completes (undefined before, or after an error). */
  readonly summary: EnrichSummary | undefined;
}

/** Hooks for adapters. */
export interface RunHooks {
  /** Input bytes read, when the adapter counts them itself (e.g. before gunzip). */
  readonly bytesIn?: () => number;
}

/** A piece of output: text to encode (latin1 = one byte per char), or bytes. */
export type OutChunk =
  | { readonly text: string; readonly encoding: 'latin1' | 'utf8' }
  | {
      readonly bytes: Uint8Array;
      /**
       * When set, the bytes stay valid (and the consumer owns them) until
       * it calls this, once: a file writer hands them to the file without a
       * copy. A consumer that copies the bytes calls it right away.
       */
      readonly release?: () => void;
    };

/** Byte length of an output chunk. */
export function outChunkLength(c: OutChunk): number {
  if ('bytes' in c) return c.bytes.length;
  return c.encoding === 'latin1'
    ? c.text.length
    : Buffer.byteLength(c.text, 'utf8');
}

/** An output chunk as bytes (a new Buffer for text; a copy of lent bytes). */
export function outChunkBytes(c: OutChunk): Uint8Array {
  if (!('bytes' in c)) return Buffer.from(c.text, c.encoding);
  if (c.release !== undefined) {
    const copy = Buffer.from(c.bytes);
    c.release();
    return copy;
  }
  return c.bytes;
}

/** A segment on its way: processed here (a promise), or on a worker. */
type Pending =
  Promise<Done> | { readonly ticket: WorkerTicket; readonly planId: number };

interface Done {
  readonly out: OutChunk;
  readonly counters: Float64Array;
  readonly lines: number;
  readonly issues: readonly SegmentIssue[];
  readonly stopped: boolean;
}

function countBreaks(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

function countContentLines(s: string): number {
  let n = 0;
  for (const line of s.split('\n')) if (line.trim() !== '') n++;
  return n;
}

function abortError(signal: AbortSignal): unknown {
  return (
    signal.reason ??
    new DOMException('This operation was aborted', 'AbortError')
  );
}

async function nextChunk<T>(
  it: AsyncIterator<T>,
  signal: AbortSignal | undefined,
): Promise<IteratorResult<T>> {
  if (signal === undefined) return it.next();
  signal.throwIfAborted();
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      it.next(),
      new Promise<never>((_, reject) => {
        onAbort = () => reject(abortError(signal));
        signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
}

/** A counting semaphore for RDAP lookups. */
function createLimiter(max: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= max) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/**
 * Enriches text input. The first rows decide the format (`format: 'auto'`),
 * dialect and address columns; every row then comes out once, in order, with
 * the added fields.
 *
 * @param input bytes (a file stream, `fs.createReadStream`, chunks) or strings
 * (text, written out as UTF-8).
 * @param options see {@link EnrichOptions}; `registry` is required.
 * @returns an async iterable of output bytes, with `summary` set once done.
 * @throws {TypeError | RangeError} at once for bad options.
 * Iteration rejects with a RegistryError: `INPUT_MALFORMED` (no address
 * column, a row longer than `maxRowBytes`, a CSV csv-parse cannot read),
 * `ENRICH_ROW` (strict mode); or with the signal's reason when aborted.
 */
export function enrichText(
  input: EnrichInput,
  options: EnrichOptions,
): EnrichTextRun {
  const o = resolveEnrichOptions(options);
  return createRun(input, o, {});
}

/** A run whose output is {@link OutChunk}s (for adapters that encode into their own buffers). */
export interface EnrichChunkRun extends AsyncIterable<OutChunk> {
  readonly summary: EnrichSummary | undefined;
}

/** Builds a run over validated options, yielding output chunks (for adapters). */
export function createChunkRun(
  input: EnrichInput,
  o: ResolvedEnrichOptions,
  hooks: RunHooks,
): EnrichChunkRun {
  const state: { summary: EnrichSummary | undefined; started: boolean } = {
    summary: undefined,
    started: false,
  };
  return {
    get summary() {
      return state.summary;
    },
    [Symbol.asyncIterator]() {
      if (state.started)
        throw new TypeError('an enrichment run can be iterated once');
      state.started = true;
      return runPipeline(input, o, hooks, (s) => {
        state.summary = s;
      })[Symbol.asyncIterator]();
    },
  };
}

/** Builds the public run object over validated options. */
export function createRun(
  input: EnrichInput,
  o: ResolvedEnrichOptions,
  hooks: RunHooks,
): EnrichTextRun {
  const run = createChunkRun(input, o, hooks);
  return {
    get summary() {
      return run.summary;
    },
    [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
      const inner = run[Symbol.asyncIterator]();
      return {
        next: async () => {
          const r = await inner.next();
          return r.done === true
            ? r
            : { value: outChunkBytes(r.value), done: false };
        },
        return: async () => {
          await inner.return?.();
          return { value: undefined, done: true };
        },
      };
    },
  };
}

async function* byteChunks(
  input: EnrichInput,
  count: (n: number) => void,
): AsyncGenerator<Buffer> {
  for await (const c of input as AsyncIterable<Uint8Array | string>) {
    const b =
      typeof c === 'string'
        ? Buffer.from(c, 'utf8')
        : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
    count(b.length);
    if (b.length > 0) yield b;
  }
}

async function* runPipeline(
  input: EnrichInput,
  o: ResolvedEnrichOptions,
  hooks: RunHooks,
  setSummary: (s: EnrichSummary) => void,
): AsyncGenerator<OutChunk> {
  const t0 = performance.now();
  const signal = o.signal;
  signal?.throwIfAborted();
  let bytesRead = 0;
  let bytesOut = 0;
  const bytesIn = hooks.bytesIn ?? (() => bytesRead);
  const it = byteChunks(input, (n) => {
    bytesRead += n;
  })[Symbol.asyncIterator]();
  let pool: WorkerPool | null = null;
  try {
    // 1. The head decides the plan.
    const headParts: Buffer[] = [];
    let headLength = 0;
    let eof = false;
    while (!eof && headLength < SNIFF_BYTES) {
      const r = await nextChunk(it, signal);
      if (r.done === true) eof = true;
      else {
        headParts.push(Buffer.from(r.value)); // a copy: the source may reuse its buffer
        headLength += r.value.length;
      }
    }
    let headBytes: Buffer = Buffer.concat(headParts, headLength);
    let bom = '';
    if (
      headBytes[0] === 0xef &&
      headBytes[1] === 0xbb &&
      headBytes[2] === 0xbf
    ) {
      bom = BINARY_BOM;
      headBytes = headBytes.subarray(3);
    }
    const head = headBytes.toString('latin1', 0, headBytes.length);
    const cut = head.lastIndexOf('\n');
    const sample = eof || cut < 0 ? head : head.slice(0, cut + 1);
    const plan0 = planFormat(sample, eof, o.plan);
    const encoding = outputEncoding(plan0);
    const registry = o.registry;
    const enricher = new AddressEnricher(
      registry,
      o.fields,
      o.rdapNeed,
      createCounters(),
    );
    enricher.rawCsv = o.rawCsv;
    const totals = createCounters();
    const rowsPerThread = Array.from({ length: o.threads }, () => 0);
    const rdapStatus = o.rdap !== null ? new Map<string, number>() : undefined;
    const limit = createLimiter(o.windowSize);
    const plans: FormatPlan[] = [plan0];
    const styles = new Map<number, FieldStyle>();
    const processors = new Map<number, SegmentProcessor>();
    let zeekHeader: ZeekHeader | undefined;
    let rowBase = 0;
    let lineBase = 0;

    async function* rest(): AsyncGenerator<Buffer> {
      if (headBytes.length > 0) yield headBytes;
      headBytes = Buffer.alloc(0);
      for (;;) {
        const r = await nextChunk(it, signal);
        if (r.done === true) return;
        yield r.value;
      }
    }

    const fillHoles = async (
      planId: number,
      pieces: readonly (string | RdapHole)[],
    ): Promise<string> => {
      const plan = plans[planId]!;
      let style = styles.get(planId);
      if (style === undefined) {
        style = styleForPlan(plan, enricher);
        styles.set(planId, style);
      }
      const st = style;
      const rdap = o.rdap!;
      const texts = await Promise.all(
        pieces.map(async (p) => {
          if (typeof p === 'string') return p;
          const record =
            p.id === NOT_FOUND || p.id < 0 ? null : registry.record(p.id);
          const info = await limit(() =>
            rdap.resolver.resolve(p.ip, record, signal),
          );
          const status = info.status.startsWith('error')
            ? 'error'
            : info.status;
          rdapStatus!.set(status, (rdapStatus!.get(status) ?? 0) + 1);
          return st.rdap(
            enricher.rdapFields.map((f) => rdapFieldText(info, f)),
          );
        }),
      );
      return texts.join('');
    };

    const fromResult = async (
      planId: number,
      r: { pieces: readonly (string | RdapHole)[] | null; text: string } & Omit<
        SegmentResult,
        'text' | 'pieces'
      >,
    ): Promise<Done> => {
      const enc = outputEncoding(plans[planId]!);
      const text =
        r.pieces !== null ? await fillHoles(planId, r.pieces) : r.text;
      return {
        out: { text, encoding: enc },
        counters: r.counters,
        lines: r.lines,
        issues: r.issues,
        stopped: r.stopped,
      };
    };

    const fromWorker = async (
      planId: number,
      result: WorkerResult,
      slot: number,
    ): Promise<Done> => {
      const p = pool!;
      if (result.outLength < 0) {
        p.release(slot);
        return fromResult(planId, result);
      }
      return {
        // Lent like this thread's own output: the slot comes back once written.
        out: {
          bytes: p.output(slot, result.outLength),
          release: () => p.release(slot),
        },
        counters: result.counters,
        lines: result.lines,
        issues: result.issues,
        stopped: result.stopped,
      };
    };

    const control = (text: string, lines = countBreaks(text)): Done => {
      const counters = createCounters();
      counters[C_CONTROL] = countContentLines(text);
      return {
        out: { text, encoding },
        counters,
        lines,
        issues: [],
        stopped: false,
      };
    };

    const planIdOf = (plan: FormatPlan): number => {
      plans.push(plan);
      const id = plans.length - 1;
      pool?.setPlan(id, plan);
      return id;
    };
    let currentPlan = 0;

    const dispatch = (f: Frame): Pending => {
      if (f.kind === 'control') {
        if (plan0.format === 'zeek') {
          const header = parseZeekHeader(f.text, zeekHeader);
          zeekHeader = header;
          if (header.fields !== null) {
            const plan = planZeek(header, {
              ...o.plan,
              columns: o.plan.columns,
            });
            currentPlan = planIdOf(plan);
            return Promise.resolve(control(zeekHeaderOutput(f.text, plan)));
          }
          return Promise.resolve(control(f.text));
        }
        const [content, terminator] = splitTerminator(f.text);
        return Promise.resolve(
          control(
            csvHeaderOutput(
              plan0 as Extract<FormatPlan, { format: 'csv' | 'tsv' }>,
              content,
              terminator,
            ),
            countBreaks(f.text),
          ),
        );
      }
      const planId = currentPlan;
      // Workers first (kept WORKER_DEPTH segments deep, once they are
      // ready); this thread takes the overflow.
      if (pool !== null && pool.minBusy() < WORKER_DEPTH && pool.hasSlot)
        return { ticket: pool.submit(planId, f.bytes), planId };
      return processHere(planId, f.bytes);
    };

    /** Processes a segment on this thread. */
    const processHere = (planId: number, bytes: Buffer): Promise<Done> => {
      let proc = processors.get(planId);
      if (proc === undefined) {
        proc = createSegmentProcessor(plans[planId]!, enricher);
        processors.set(planId, proc);
      }
      if (hasBytesPath(proc)) {
        const r = proc.processBytes(bytes);
        if (r.bytes !== null)
          return Promise.resolve({
            // Lent to the consumer, which releases the memory once written.
            out: { bytes: r.bytes, release: r.release },
            counters: r.counters,
            lines: r.lines,
            issues: r.issues,
            stopped: r.stopped,
          });
        return fromResult(planId, r);
      }
      return fromResult(
        planId,
        proc.process(
          bytes.toString(inputEncoding(plans[planId]!), 0, bytes.length),
        ),
      );
    };

    const queue: Pending[] = [];
    // Keep rejections of queued promises from surfacing before they are awaited.
    const enqueue = (p: Pending): void => {
      if (p instanceof Promise) p.catch(() => undefined);
      queue.push(p);
    };
    const maxInFlight = Math.max(
      2,
      o.threads > 1 ? o.threads * IN_FLIGHT_PER_THREAD : 0,
      o.rdap !== null ? 8 : 0,
    );
    // Small segments with RDAP, so one slow answer holds few rows back.
    const segmentBytes =
      o.rdap !== null ? Math.min(o.segmentBytes, 16 * 1024) : o.segmentBytes;

    /** Emits the oldest result: bookkeeping, then its bytes (and a strict stop). */
    const take = async (): Promise<{
      out: OutChunk;
      error: RegistryError | null;
    }> => {
      const head = queue.shift()!;
      let d: Done;
      if (head instanceof Promise) {
        d = await head;
        rowsPerThread[0]! += d.counters[C_ROWS]!;
      } else {
        const p = pool!;
        // A segment its worker has not started yet is taken back and done
        // here: waiting would leave this thread idle (a worker still
        // warming up is several times slower than this thread).
        const stolen = p.isDone(head.ticket) ? null : p.steal(head.ticket);
        if (stolen !== null) {
          try {
            d = await processHere(head.planId, stolen);
          } finally {
            p.releaseStolen(head.ticket);
          }
          rowsPerThread[0]! += d.counters[C_ROWS]!;
        } else {
          if (!p.isDone(head.ticket)) await p.wait(head.ticket);
          d = await fromWorker(
            head.planId,
            p.result(head.ticket),
            head.ticket.slot,
          );
          rowsPerThread[1 + head.ticket.lane]! += d.counters[C_ROWS]!;
        }
      }
      addCounters(totals, d.counters);
      let error: RegistryError | null = null;
      for (const issue of d.issues) {
        const full: EnrichIssue = {
          row: rowBase + issue.row + 1,
          line: lineBase + issue.line + 1,
          column: issue.column,
          reason: issue.reason,
          value: binaryAsUtf8(issue.value),
        };
        o.onIssue?.(full);
        if (d.stopped && issue === d.issues[d.issues.length - 1])
          error = new RegistryError(
            'ENRICH_ROW',
            full.reason === 'malformed'
              ? `row ${full.row} (line ${full.line}) is not a JSON object`
              : `${full.reason === 'missing' ? 'missing' : `invalid address ${JSON.stringify(full.value)}`} in column ${JSON.stringify(full.column)} at line ${full.line} (row ${full.row}); strict mode stops here`,
          );
      }
      rowBase += d.counters[C_ROWS]!;
      lineBase += d.lines;
      bytesOut += outChunkLength(d.out);
      o.onProgress?.({
        rows: totals[C_ROWS]!,
        bytesIn: bytesIn(),
        bytesOut,
        elapsedMs: performance.now() - t0,
      });
      return { out: d.out, error };
    };

    if (bom !== '' && encoding === 'latin1') {
      bytesOut += 3;
      yield { text: bom, encoding: 'latin1' };
    }

    if (
      plan0.format !== 'log' &&
      plan0.format !== 'jsonl' &&
      plan0.format !== 'zeek' &&
      plan0.engine === 'csv-parse'
    ) {
      for await (const r of enrichCsvWithCsvParse(
        rest(),
        plan0,
        enricher,
        o.maxRowBytes,
      )) {
        signal?.throwIfAborted();
        enqueue(
          'control' in r
            ? Promise.resolve(control(r.control, r.lines))
            : fromResult(0, r),
        );
        while (queue.length >= maxInFlight) {
          const { out, error } = await take();
          yield out;
          if (error !== null) throw error;
        }
      }
    } else {
      // Workers only for input longer than one segment.
      if (o.threads > 1 && (!eof || headBytes.length > segmentBytes)) {
        // threads = this thread + (threads - 1) workers. They start now and
        // take segments once ready; this thread works alone until then.
        pool = new WorkerPool(
          o.threads - 1,
          o.workerUrl ?? defaultWorkerUrl(),
          {
            handle: o.shared!,
            fields: o.fields,
            rdapNeed: o.rdapNeed,
            rawCsv: o.rawCsv,
          },
          // Slots in flight, plus the outputs a file writer holds while it
          // writes them (it batches lent chunks).
          maxInFlight + 2 + WRITER_SLOTS,
          segmentBytes * 2,
        );
        plans.forEach((p, id) => pool!.setPlan(id, p));
        if (o.waitForWorkers) await pool.ready();
      }
      const framer = new Framer(plan0, segmentBytes, o.maxRowBytes);
      const frames: Frame[] = [];
      const source = rest();
      for (;;) {
        const r = await source.next();
        if (r.done === true) framer.end(frames);
        else framer.push(r.value, frames);
        for (const f of frames) {
          signal?.throwIfAborted();
          enqueue(dispatch(f));
          while (queue.length >= maxInFlight) {
            const { out, error } = await take();
            yield out;
            if (error !== null) throw error;
          }
        }
        frames.length = 0;
        framer.linesSeen = lineBase;
        if (r.done === true) break;
      }
    }
    while (queue.length > 0) {
      signal?.throwIfAborted();
      const { out, error } = await take();
      yield out;
      if (error !== null) throw error;
    }
    const idCounts = [enricher.idCounts];
    if (pool !== null) idCounts.push(...(await (pool as WorkerPool).finish()));
    setSummary(
      buildSummary({
        registry: registry as Registry,
        format: plan0.format,
        columns: plan0.labels,
        fields: o.fields,
        counters: totals,
        idCounts,
        rdapStatus,
        threads: pool !== null ? o.threads : 1,
        rowsPerThread: pool !== null ? rowsPerThread : undefined,
        bytesIn: bytesIn(),
        bytesOut,
        elapsedMs: performance.now() - t0,
      }),
    );
  } finally {
    if (pool !== null) await (pool as WorkerPool).terminate();
    await it.return?.(undefined);
  }
}
