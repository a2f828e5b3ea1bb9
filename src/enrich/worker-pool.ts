/**
 * The calling thread's side of `threads > 1`: starts workers with a shared
 * registry handle, hands segments to the least busy one, and reads each
 * segment's result back. Output order is the caller's job (it takes the
 * results in the order it submitted them).
 *
 * Nothing travels by message in the common case. Segment bytes go through a
 * ring of input slots on a SharedArrayBuffer; a worker writes the output in
 * the matching output slot and its counters in the slot's result words.
 * Each worker has a queue of slot numbers in shared memory with two counts,
 * submitted and done: the calling thread publishes a segment by raising
 * `submitted` (a worker waiting for work sleeps in Atomics.wait on it), the
 * worker raises `done` when the result is in place. A result the caller
 * takes after it is done is read at once, with no wake-up of either thread;
 * only a caller that has to wait sleeps on `done` (Atomics.waitAsync).
 * Per-segment messages cost both threads tens of microseconds each (the
 * structured clone, the event loop's wake-up), as much as a fifth of a
 * segment's work.
 *
 * What does not fit in shared memory goes through a message channel per
 * worker, read synchronously in order (receiveMessageOnPort): format plans,
 * a segment too large for its slot, and, from the worker, results with
 * issues, RDAP holes, output too large for its slot, or an error. The
 * message is posted before the queue count that announces it is raised, so
 * it is always there to be read.
 */

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  MessageChannel,
  Worker,
  receiveMessageOnPort,
  type MessagePort,
} from 'node:worker_threads';
import { SourceError } from '../errors.js';
import type { FormatPlan, SegmentIssue } from '../formats/format-plan.js';
import type { SharedRegistryHandle } from '../registry/share.js';
import type { RdapHole, RdapNeed } from './address-enricher.js';
import type { EnrichField } from './enrich-fields.js';
import { COUNTERS } from './enrich-summary.js';

/** Control words of a lane (Int32 indexes from the lane's base). */
export const SUBMITTED = 0;
export const DONE = 1;
/** Set by the calling thread to stop a worker waiting for work. */
export const STOP = 2;
/** Set by the worker once it is ready for segments (its registry and code loaded). */
export const READY = 3;
/** First word of the lane's queue of slot numbers. */
export const QUEUE = 4;

/** Queue entry: finish (send the per-record counts and stop). */
export const FINISH_ENTRY = -1;

/**
 * Per slot in the descriptor words (Int32): plan id, offset, length (-1:
 * bytes in a message), and who processes it (CLAIM_*, taken with a
 * compare-and-exchange: the worker, or the calling thread taking it back).
 */
export const DESC_WORDS = 4;
export const D_PLAN = 0;
export const D_OFFSET = 1;
export const D_LENGTH = 2;
export const D_CLAIM = 3;
export const CLAIM_NONE = 0;
export const CLAIM_WORKER = 1;
export const CLAIM_CALLER = 2;

/**
 * The bytes of a segment in an input slot (its length is not -1), copied
 * into `scratch` (this thread's memory, `slotBytes` long) at the same
 * alignment (a word-by-word copy), so a processor's own copies out of them
 * are plain memcpys. Valid until `scratch` is reused.
 */
export function slotInput(
  inRing: Buffer,
  desc: Int32Array,
  slot: number,
  slotBytes: number,
  scratch: Buffer,
): Buffer {
  const d = slot * DESC_WORDS;
  const offset = desc[d + D_OFFSET]!;
  const length = desc[d + D_LENGTH]!;
  const from = slot * slotBytes + offset;
  scratch.set(inRing.subarray(from, from + length), offset);
  return scratch.subarray(offset, offset + length);
}

/** Per slot in the result words (Float64): flags, output length, lines, then the counters. */
export const R_FLAGS = 0;
export const R_OUT_LENGTH = 1;
export const R_LINES = 2;
export const R_COUNTERS = 3;
export const RESULT_WORDS = R_COUNTERS + COUNTERS;

/** Result flags. */
export const F_EXTRAS = 1;
export const F_STOPPED = 2;
export const F_ERROR = 4;

/** What a worker is started with. */
export interface WorkerSetup {
  readonly handle: SharedRegistryHandle;
  readonly fields: readonly EnrichField[];
  readonly rdapNeed: RdapNeed;
  readonly rawCsv: boolean;
  readonly inRing: SharedArrayBuffer;
  readonly outRing: SharedArrayBuffer;
  readonly inSlotBytes: number;
  readonly outSlotBytes: number;
  /** Descriptor words (Int32, DESC_WORDS per slot). */
  readonly desc: SharedArrayBuffer;
  /** Result words (Float64, RESULT_WORDS per slot). */
  readonly results: SharedArrayBuffer;
  /** Control words of every lane (Int32). */
  readonly control: SharedArrayBuffer;
  /** Index of this worker's first control word. */
  readonly base: number;
  /** Entries in the lane's queue. */
  readonly queueLength: number;
  /** This worker's end of its message channel. */
  readonly port: MessagePort;
}

/** Messages to a worker (read in order, as the queue asks for them). */
export type ToWorker =
  | { readonly t: 'plan'; readonly id: number; readonly plan: FormatPlan }
  | { readonly t: 'bytes'; readonly bytes: Uint8Array };

/** Messages from a worker. */
export type FromWorker =
  | {
      readonly t: 'extras';
      readonly text: string;
      readonly pieces: readonly (string | RdapHole)[] | null;
      readonly issues: readonly SegmentIssue[];
    }
  | { readonly t: 'error'; readonly message: string; readonly stack: string }
  | { readonly t: 'counts'; readonly counts: Uint32Array };

/** A processed segment: output in the output slot, as text, or in pieces with RDAP holes. */
export interface WorkerResult {
  /** Bytes written in the output slot, or -1. */
  readonly outLength: number;
  readonly text: string;
  readonly pieces: readonly (string | RdapHole)[] | null;
  readonly counters: Float64Array;
  readonly lines: number;
  readonly issues: readonly SegmentIssue[];
  readonly stopped: boolean;
}

/** A segment handed to a worker. */
export interface WorkerTicket {
  readonly lane: number;
  /** Its place in the lane's queue (done once the lane's `done` count passes it). */
  readonly index: number;
  readonly slot: number;
}

/** Young generation of a worker's heap, in MB. */
const WORKER_YOUNG_GENERATION_MB = 12;

const NO_ISSUES: readonly SegmentIssue[] = [];

/** Where the worker script is: beside the built library, or dist/ when running from source. */
export function defaultWorkerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts')
    ? new URL('../../dist/enrich-worker.js', here)
    : new URL('./enrich-worker.js', here);
}

interface Lane {
  readonly worker: Worker;
  readonly port: MessagePort;
  /** Index of the lane's first control word. */
  readonly base: number;
  /** Entries published so far (the calling thread's copy of `submitted`). */
  submitted: number;
}

/** A fixed set of enrichment workers. */
export class WorkerPool {
  readonly #lanes: Lane[] = [];
  readonly #inRing: Buffer;
  readonly #outRing: Buffer;
  readonly #inSlotBytes: number;
  readonly #outSlotBytes: number;
  readonly #desc: Int32Array;
  readonly #results: Float64Array;
  readonly #control: Int32Array;
  readonly #queueLength: number;
  readonly #freeSlots: number[] = [];
  /** Slots taken back from a worker that has not passed them in its queue yet. */
  readonly #stolen: WorkerTicket[] = [];
  #scratch: Buffer | null = null;
  #failed: unknown = null;

  /**
   * @param size workers to start.
   * @param slots ring slots: at least the segments ever in flight at once.
   * @throws {SourceError} `SOURCE_NOT_FOUND` when the worker script does not exist.
   */
  constructor(
    size: number,
    url: URL,
    setup: {
      handle: SharedRegistryHandle;
      fields: readonly EnrichField[];
      rdapNeed: RdapNeed;
      rawCsv: boolean;
    },
    slots: number,
    inSlotBytes: number,
  ) {
    if (url.protocol === 'file:' && !existsSync(fileURLToPath(url)))
      throw new SourceError(
        'SOURCE_NOT_FOUND',
        `worker script not found: ${fileURLToPath(url)} (build the package with \`npm run build\`, or use threads: 1)`,
        fileURLToPath(url),
      );
    this.#inSlotBytes = inSlotBytes;
    this.#outSlotBytes = inSlotBytes * 3;
    const inRing = new SharedArrayBuffer(slots * this.#inSlotBytes);
    const outRing = new SharedArrayBuffer(slots * this.#outSlotBytes);
    const desc = new SharedArrayBuffer(4 * DESC_WORDS * slots);
    const results = new SharedArrayBuffer(8 * RESULT_WORDS * slots);
    // A lane holds at most every slot and its finish entry.
    this.#queueLength = slots + 2;
    const laneWords = QUEUE + this.#queueLength;
    const control = new SharedArrayBuffer(4 * laneWords * size);
    this.#inRing = Buffer.from(inRing);
    this.#outRing = Buffer.from(outRing);
    this.#desc = new Int32Array(desc);
    this.#results = new Float64Array(results);
    this.#control = new Int32Array(control);
    for (let i = slots - 1; i >= 0; i--) this.#freeSlots.push(i);
    for (let i = 0; i < size; i++) {
      const { port1, port2 } = new MessageChannel();
      const workerData: WorkerSetup = {
        ...setup,
        inRing,
        outRing,
        inSlotBytes: this.#inSlotBytes,
        outSlotBytes: this.#outSlotBytes,
        desc,
        results,
        control,
        base: i * laneWords,
        queueLength: this.#queueLength,
        port: port2,
      };
      // A smaller young generation than the default keeps each worker's heap
      // (short-lived segment strings) within a few MB; it costs a little more
      // scavenging, which is cheap when nearly everything is dead.
      const worker = new Worker(url, {
        workerData,
        transferList: [port2],
        resourceLimits: {
          maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB,
        },
      });
      worker.on('error', (e) => this.#fail(e));
      worker.on('exit', (code) => {
        if (this.#failed === null)
          this.#fail(new Error(`enrichment worker exited with code ${code}`));
      });
      this.#lanes.push({
        worker,
        port: port1,
        base: i * laneWords,
        submitted: 0,
      });
    }
  }

  #fail(error: unknown): void {
    if (this.#failed !== null) return;
    this.#failed = error;
    // Wake whoever waits for a worker: it finds the failure.
    for (const l of this.#lanes) {
      Atomics.notify(this.#control, l.base + DONE);
      Atomics.notify(this.#control, l.base + READY);
    }
  }

  /** Sends a plan to every worker (before segments that use it). */
  setPlan(id: number, plan: FormatPlan): void {
    for (const l of this.#lanes)
      l.port.postMessage({ t: 'plan', id, plan } satisfies ToWorker);
  }

  /** Segments a lane has yet to finish; Infinity while its worker is not ready. */
  #busy(l: Lane): number {
    if (Atomics.load(this.#control, l.base + READY) === 0) return Infinity;
    return l.submitted - Atomics.load(this.#control, l.base + DONE);
  }

  /**
   * Segments queued on the least busy worker that is ready (Infinity while
   * none is: until then the calling thread does the work itself).
   */
  minBusy(): number {
    let m = Infinity;
    for (const l of this.#lanes) m = Math.min(m, this.#busy(l));
    return m;
  }

  /**
   * Resolves once the control word `index` is above `past` (a worker raised
   * it); rejects when a worker fails.
   */
  async #waitPast(index: number, past: number): Promise<void> {
    for (;;) {
      if (this.#failed !== null) throw this.#failed;
      const v = Atomics.load(this.#control, index);
      if (v > past) return;
      const w = Atomics.waitAsync(this.#control, index, v);
      if (w.async) await w.value;
    }
  }

  /** Resolves once every worker is ready for segments; rejects when one fails. */
  async ready(): Promise<void> {
    for (const l of this.#lanes) await this.#waitPast(l.base + READY, 0);
  }

  /** True when a ring slot is free. */
  get hasSlot(): boolean {
    if (this.#freeSlots.length === 0 && this.#stolen.length > 0) {
      // Stolen slots come back once their worker has skipped them.
      for (let i = 0; i < this.#stolen.length;) {
        const t = this.#stolen[i]!;
        if (this.isDone(t)) {
          this.#freeSlots.push(t.slot);
          this.#stolen.splice(i, 1);
        } else i++;
      }
    }
    return this.#freeSlots.length > 0;
  }

  /** Publishes a queue entry on a lane and wakes its worker if it sleeps. */
  #publish(l: Lane, entry: number): number {
    const index = l.submitted++;
    this.#control[l.base + QUEUE + (index % this.#queueLength)] = entry;
    Atomics.store(this.#control, l.base + SUBMITTED, l.submitted);
    Atomics.notify(this.#control, l.base + SUBMITTED, 1);
    return index;
  }

  /**
   * Hands a segment to the least busy worker. The bytes are copied before
   * this returns. The result is read with {@link result} once
   * {@link isDone} (or {@link wait}); the output slot stays valid until
   * {@link release}.
   */
  submit(planId: number, bytes: Uint8Array): WorkerTicket {
    if (this.#failed !== null) throw this.#failed;
    const slot = this.#freeSlots.pop();
    if (slot === undefined) throw new Error('worker pool: no free slot');
    let lane = 0;
    let least = Infinity;
    this.#lanes.forEach((l, i) => {
      const q = this.#busy(l);
      if (q < least) {
        least = q;
        lane = i;
      }
    });
    const l = this.#lanes[lane]!;
    const d = slot * DESC_WORDS;
    this.#desc[d + D_PLAN] = planId;
    this.#desc[d + D_CLAIM] = CLAIM_NONE;
    if (bytes.length + 7 <= this.#inSlotBytes) {
      // Copied at the source's alignment: V8 copies into shared memory word
      // by word only when both sides share their alignment (else byte by
      // byte, about 7x slower).
      const offset = bytes.byteOffset & 7;
      this.#inRing.set(bytes, slot * this.#inSlotBytes + offset);
      this.#desc[d + D_OFFSET] = offset;
      this.#desc[d + D_LENGTH] = bytes.length;
    } else {
      this.#desc[d + D_OFFSET] = 0;
      this.#desc[d + D_LENGTH] = -1;
      l.port.postMessage({
        t: 'bytes',
        bytes: Uint8Array.prototype.slice.call(bytes),
      } satisfies ToWorker);
    }
    return { lane, index: this.#publish(l, slot), slot };
  }

  /** True once the worker has finished the segment. */
  isDone(t: WorkerTicket): boolean {
    const l = this.#lanes[t.lane]!;
    return Atomics.load(this.#control, l.base + DONE) > t.index;
  }

  /**
   * Takes a segment back from its worker if the worker has not started it:
   * returns a copy of its bytes (valid until the next steal), to be processed
   * by the caller, which then calls {@link releaseStolen} and not
   * {@link result}; the worker skips it. Returns null when the worker has it
   * (or its bytes went by message): wait for the result.
   */
  steal(t: WorkerTicket): Buffer | null {
    if (this.#failed !== null) throw this.#failed;
    const d = t.slot * DESC_WORDS;
    if (this.#desc[d + D_LENGTH]! < 0) return null;
    if (
      Atomics.compareExchange(
        this.#desc,
        d + D_CLAIM,
        CLAIM_NONE,
        CLAIM_CALLER,
      ) !== CLAIM_NONE
    )
      return null;
    return slotInput(
      this.#inRing,
      this.#desc,
      t.slot,
      this.#inSlotBytes,
      (this.#scratch ??= Buffer.allocUnsafeSlow(this.#inSlotBytes)),
    );
  }

  /** Gives back the slot of a stolen segment (free once its worker has skipped it: see hasSlot). */
  releaseStolen(t: WorkerTicket): void {
    this.#stolen.push(t);
  }

  /** Resolves once the worker has finished the segment; rejects when a worker fails. */
  wait(t: WorkerTicket): Promise<void> {
    return this.#waitPast(this.#lanes[t.lane]!.base + DONE, t.index);
  }

  /** The next message from a lane's worker (posted before its `done` count). */
  #receive(l: Lane): FromWorker {
    const m = receiveMessageOnPort(l.port);
    if (m === undefined)
      throw new Error('worker pool: a result message is missing');
    const msg = m.message as FromWorker;
    if (msg.t === 'error') {
      const e = new Error(msg.message);
      e.stack = msg.stack;
      throw e;
    }
    return msg;
  }

  /** The result of a finished segment (see {@link isDone}). Call once per ticket. */
  result(t: WorkerTicket): WorkerResult {
    if (this.#failed !== null) throw this.#failed;
    const l = this.#lanes[t.lane]!;
    const r = this.#results;
    const at = t.slot * RESULT_WORDS;
    const flags = r[at + R_FLAGS]!;
    const counters = r.slice(at + R_COUNTERS, at + R_COUNTERS + COUNTERS);
    let text = '';
    let pieces: readonly (string | RdapHole)[] | null = null;
    let issues = NO_ISSUES;
    if ((flags & F_EXTRAS) !== 0) {
      const m = this.#receive(l);
      if (m.t === 'extras') ({ text, pieces, issues } = m);
    }
    return {
      outLength: r[at + R_OUT_LENGTH]!,
      text,
      pieces,
      counters,
      lines: r[at + R_LINES]!,
      issues,
      stopped: (flags & F_STOPPED) !== 0,
    };
  }

  /** The output a worker left in a slot. Valid until release(slot). */
  output(slot: number, length: number): Buffer {
    const start = slot * this.#outSlotBytes;
    return this.#outRing.subarray(start, start + length);
  }

  /** Gives a slot back once its output has been consumed. */
  release(slot: number): void {
    this.#freeSlots.push(slot);
  }

  /** Collects every worker's per-record hit counts (after every result was taken). */
  async finish(): Promise<Uint32Array[]> {
    if (this.#failed !== null) throw this.#failed;
    const tickets = this.#lanes.map((l, lane) => ({
      lane,
      index: this.#publish(l, FINISH_ENTRY),
      slot: -1,
    }));
    const counts: Uint32Array[] = [];
    for (const t of tickets) {
      await this.wait(t);
      const m = this.#receive(this.#lanes[t.lane]!);
      if (m.t !== 'counts') throw new Error('worker pool: counts expected');
      counts.push(m.counts);
    }
    return counts;
  }

  /** Stops every worker. */
  async terminate(): Promise<void> {
    this.#failed ??= new Error('enrichment workers stopped');
    for (const l of this.#lanes) {
      Atomics.store(this.#control, l.base + STOP, 1);
      Atomics.notify(this.#control, l.base + SUBMITTED);
    }
    await Promise.all(
      this.#lanes.map(async (l) => {
        await l.worker.terminate();
        l.port.close();
      }),
    );
  }
}
