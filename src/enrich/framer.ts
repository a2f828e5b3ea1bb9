/**
 * Cuts the input bytes into segments of whole rows, so each segment can be
 * processed on its own, on any thread. Header rows of a CSV and the `#` blocks
 * of a Zeek log come out as control frames, handled by the calling thread.
 *
 * It works on Buffers and looks only at line breaks (and, for CSV with
 * quotes, quote positions), with native indexOf/lastIndexOf: cheap, so the
 * calling thread stays free to feed workers. Segments are kept small (tens of
 * KiB): strings and buffers that size are recycled by V8 and malloc, where
 * larger ones cost a page fault per 4 KiB on every allocation.
 */

import { RegistryError } from '../errors.js';
import { csvHeaderEnd } from '../formats/csv.js';
import { lastCsvBoundary } from '../formats/csv-scan.js';
import type { FormatPlan } from '../formats/format-plan.js';
import { zeekHeaderBlock } from '../formats/detect-format.js';

/** A piece of input: rows to process (bytes), or header/comment lines (binary string). */
export type Frame =
  | { readonly kind: 'body'; readonly bytes: Buffer }
  | { readonly kind: 'control'; readonly text: string };

const LF = 10;
const HASH_LINE = Buffer.from('\n#', 'latin1');

/** Splits input bytes into frames. */
export class Framer {
  readonly #plan: FormatPlan;
  readonly #segmentBytes: number;
  readonly #maxRowBytes: number;
  readonly #csvQuote: number;
  #parts: Buffer[] = [];
  #scratch: Buffer = Buffer.alloc(0);
  #length = 0;
  #headerPending: boolean;
  /** Don't look for a boundary again before this many bytes are pending. */
  #retryAt: number;
  /** Lines emitted so far (for error messages). */
  linesSeen = 0;

  constructor(plan: FormatPlan, segmentBytes: number, maxRowBytes: number) {
    this.#plan = plan;
    this.#segmentBytes = segmentBytes;
    this.#maxRowBytes = maxRowBytes;
    const csv = plan.format === 'csv' || plan.format === 'tsv';
    this.#headerPending = csv && plan.header;
    this.#csvQuote = csv && plan.quote !== '' ? plan.quote.charCodeAt(0) : -1;
    this.#retryAt =
      this.#headerPending || plan.format === 'zeek' ? 0 : segmentBytes;
  }

  /**
   * Adds a chunk; complete frames are appended to `out`. Body frames are
   * views of the chunk: use them before the chunk's memory is reused. What
   * the framer keeps for later is copied, so a reader may reuse its buffer.
   */
  push(chunk: Buffer, out: Frame[]): void {
    if (chunk.length === 0) return;
    this.#length += chunk.length;
    if (this.#length >= this.#retryAt) {
      this.#parts.push(chunk);
      this.#cut(false, out);
    } else this.#parts.push(Buffer.from(chunk));
  }

  /** Ends the input; the remaining frames are appended to `out`. */
  end(out: Frame[]): void {
    this.#cut(true, out);
  }

  /** The last row boundary at or before `limit` (else the first after it), or 0. */
  #boundary(b: Buffer, from: number, limit: number): number {
    const quote = this.#csvQuote;
    if (quote >= 0) {
      const q = b.indexOf(quote, from);
      if (q >= 0) {
        // Quotes present: read the records (as text) to find where one ends.
        const plan = this.#plan as Extract<
          FormatPlan,
          { format: 'csv' | 'tsv' }
        >;
        const text = b.toString('latin1', from, b.length);
        let e = lastCsvBoundary(text, limit - from, plan.delimiter, plan.quote);
        if (e === 0 && limit < b.length)
          e = lastCsvBoundary(text, text.length, plan.delimiter, plan.quote);
        return e === 0 ? 0 : from + e;
      }
    }
    const nl = b.lastIndexOf(LF, limit - 1);
    if (nl >= from) return nl + 1;
    if (limit >= b.length) return 0;
    const after = b.indexOf(LF, limit);
    return after < 0 ? 0 : after + 1;
  }

  /**
   * The pending parts as one buffer, copied into a reused scratch buffer (a
   * fresh one per chunk would cost page faults): frames are views of it, used
   * before the next push.
   */
  #join(): Buffer {
    if (this.#scratch.length < this.#length)
      this.#scratch = Buffer.allocUnsafeSlow(
        Math.max(this.#length, this.#scratch.length * 2),
      );
    let o = 0;
    for (const p of this.#parts) {
      this.#scratch.set(p, o);
      o += p.length;
    }
    return this.#scratch.subarray(0, this.#length);
  }

  #cut(final: boolean, out: Frame[]): void {
    if (this.#length === 0) return;
    const b = this.#parts.length === 1 ? this.#parts[0]! : this.#join();
    const plan = this.#plan;
    const zeek = plan.format === 'zeek';
    const seg = this.#segmentBytes;
    let pos = 0;
    let wait = false;
    while (pos < b.length) {
      if (this.#headerPending) {
        const text = b.toString(
          'latin1',
          pos,
          Math.min(b.length, pos + this.#maxRowBytes + 1),
        );
        const e = csvHeaderEnd(
          text,
          plan as Extract<FormatPlan, { format: 'csv' | 'tsv' }>,
          final,
        );
        if (e < 0) {
          wait = true;
          break;
        }
        out.push({ kind: 'control', text: text.slice(0, e) });
        pos += e;
        this.#headerPending = false;
        continue;
      }
      if (zeek && b[pos] === 35) {
        const text = b.toString('latin1', pos, b.length);
        const block = zeekHeaderBlock(text, final);
        if (block === null || (block.length === text.length && !final)) {
          wait = true;
          break;
        }
        out.push({ kind: 'control', text: block });
        pos += block.length;
        continue;
      }
      let limit = Math.min(b.length, pos + seg);
      if (zeek) {
        const hash = b.indexOf(HASH_LINE, pos);
        if (hash >= 0 && hash < limit) {
          out.push({ kind: 'body', bytes: b.subarray(pos, hash + 1) });
          pos = hash + 1;
          continue;
        }
        if (hash >= 0) limit = Math.min(limit, hash + 1);
      }
      if (!final && b.length - pos < seg) break;
      let e =
        final && limit >= b.length ? b.length : this.#boundary(b, pos, limit);
      if (e <= pos) {
        if (!final) {
          wait = true;
          break;
        }
        e = b.length; // the last row, unterminated (an unclosed quote runs to the end)
      }
      out.push({ kind: 'body', bytes: b.subarray(pos, e) });
      pos = e;
    }
    const rest = b.length - pos;
    this.#parts = rest > 0 ? [Buffer.from(b.subarray(pos))] : [];
    this.#length = rest;
    if (wait) {
      if (rest > this.#maxRowBytes)
        throw new RegistryError(
          'INPUT_MALFORMED',
          `a row of more than ${this.#maxRowBytes} bytes (maxRowBytes) after line ${this.linesSeen}` +
            (this.#csvQuote >= 0 ? '; an unclosed quote?' : ''),
        );
      this.#retryAt = Math.max(rest * 2, seg);
    } else {
      this.#retryAt = this.#headerPending || zeek ? 0 : seg;
    }
  }
}
