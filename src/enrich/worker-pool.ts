/**
 * The calling thread's side of `threads > 1`: starts workers with a shared
 * registry handle, hands segments to the least busy one, and resolves each
 * segment's promise with its result. Output order is the caller's job (it
 * awaits the promises in order).
 *
 * Segment bytes travel through two rings of slots on SharedArrayBuffers, one
 * for input and one for output: the calling thread copies a segment into a
 * slot and posts only its slot number; the worker writes its output into the
 * matching output slot. Nothing is allocated per segment (fresh ArrayBuffers
 * would cost page faults and garbage collections on both sides). A segment or
 * an output too large for its slot travels in the message instead.
 */

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SourceError } from '../errors.js';
import type { FormatPlan, SegmentIssue } from '../formats/format-plan.js';
import type { SharedRegistryHandle } from '../registry/share.js';
import type { RdapHole, RdapNeed } from './address-enricher.js';
import type { EnrichField } from './enrich-fields.js';

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
  /** Segments finished, one Int32 per worker, counted as soon as one is done. */
  readonly done: SharedArrayBuffer;
  /** This worker's index in `done`. */
  readonly lane: number;
}

/** Messages to a worker. */
export type ToWorker =
  | { readonly t: 'plan'; readonly id: number; readonly plan: FormatPlan }
  | {
      readonly t: 'seg';
      readonly seq: number;
      readonly planId: number;
      readonly slot: number;
      /** Where the segment starts in the input slot (0 to 7). */
      readonly offset: number;
      /** Bytes in the input slot, or -1 when `bytes` holds the segment. */
      readonly length: number;
      readonly bytes: Uint8Array | null;
    }
  | { readonly t: 'finish' };

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

type FromWorker =
  | ({ readonly t: 'res'; readonly seq: number } & WorkerResult)
  | { readonly t: 'counts'; readonly counts: Uint32Array }
  | { readonly t: 'error'; readonly message: string; readonly stack: string };

/** Young generation of a worker's heap, in MB. */
const WORKER_YOUNG_GENERATION_MB = 12;

/** Where the worker script is: beside the built library, or dist/ when running from source. */
export function defaultWorkerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts')
    ? new URL('../../dist/enrich-worker.js', here)
    : new URL('./enrich-worker.js', here);
}

interface Lane {
  readonly worker: Worker;
  /** Segments submitted in all. */
  submitted: number;
  readonly index: number;
  counts: ((c: Uint32Array) => void) | null;
}

/** A fixed set of enrichment workers. */
export class WorkerPool {
  readonly #lanes: Lane[] = [];
  readonly #pending = new Map<
    number,
    {
      resolve: (r: WorkerResult) => void;
      reject: (e: unknown) => void;
      lane: Lane;
    }
  >();
  readonly #inRing: Buffer;
  readonly #outRing: Buffer;
  readonly #inSlotBytes: number;
  readonly #outSlotBytes: number;
  readonly #freeSlots: number[] = [];
  /** Per worker, segments finished (written by the workers, read atomically). */
  readonly #done: Int32Array;
  #seq = 0;
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
    this.#inRing = Buffer.from(inRing);
    this.#outRing = Buffer.from(outRing);
    for (let i = slots - 1; i >= 0; i--) this.#freeSlots.push(i);
    const done = new SharedArrayBuffer(4 * size);
    this.#done = new Int32Array(done);
    for (let i = 0; i < size; i++) {
      const workerData: WorkerSetup = {
        ...setup,
        inRing,
        outRing,
        inSlotBytes: this.#inSlotBytes,
        outSlotBytes: this.#outSlotBytes,
        done,
        lane: i,
      };
      // A smaller young generation than the default keeps each worker's heap
      // (short-lived segment strings) within a few MB; it costs a little more
      // scavenging, which is cheap when nearly everything is dead.
      const worker = new Worker(url, {
        workerData,
        resourceLimits: {
          maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB,
        },
      });
      const lane: Lane = {
        worker,
        submitted: 0,
        index: i,
        counts: null,
      };
      worker.on('message', (m: FromWorker) => this.#onMessage(lane, m));
      worker.on('error', (e) => this.#fail(e));
      worker.on('exit', (code) => {
        if (code !== 0 && this.#failed === null)
          this.#fail(new Error(`enrichment worker exited with code ${code}`));
      });
      this.#lanes.push(lane);
    }
  }

  #onMessage(lane: Lane, m: FromWorker): void {
    if (m.t === 'res') {
      const p = this.#pending.get(m.seq);
      if (p === undefined) return;
      this.#pending.delete(m.seq);
      p.resolve(m);
    } else if (m.t === 'counts') {
      lane.counts?.(m.counts);
    } else {
      const e = new Error(m.message);
      e.stack = m.stack;
      this.#fail(e);
    }
  }

  #fail(error: unknown): void {
    if (this.#failed !== null) return;
    this.#failed = error;
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
  }

  /** Sends a plan to every worker (before segments that use it). */
  setPlan(id: number, plan: FormatPlan): void {
    for (const l of this.#lanes)
      l.worker.postMessage({ t: 'plan', id, plan } satisfies ToWorker);
  }

  /**
   * Segments a worker has yet to finish, from its own tally: a segment it
   * finished while this thread was busy frees its place at once, before its
   * message is handled, so the worker is fed without waiting for this thread.
   */
  #queued(l: Lane): number {
    return l.submitted - Atomics.load(this.#done, l.index);
  }

  /** Segments queued on the least busy worker. */
  minBusy(): number {
    let m = Infinity;
    for (const l of this.#lanes) {
      const q = this.#queued(l);
      if (q < m) m = q;
    }
    return m;
  }

  /** True when a ring slot is free. */
  get hasSlot(): boolean {
    return this.#freeSlots.length > 0;
  }

  /**
   * Processes a segment on the least busy worker. The bytes are copied before
   * this returns. Resolves with the result and its slot; the slot's output
   * stays valid until {@link release}.
   */
  submit(
    planId: number,
    bytes: Uint8Array,
  ): Promise<{ result: WorkerResult; slot: number }> {
    if (this.#failed !== null) return Promise.reject(this.#failed);
    const slot = this.#freeSlots.pop();
    if (slot === undefined)
      return Promise.reject(new Error('worker pool: no free slot'));
    let lane = this.#lanes[0]!;
    for (const l of this.#lanes)
      if (this.#queued(l) < this.#queued(lane)) lane = l;
    lane.submitted++;
    const seq = this.#seq++;
    let message: ToWorker;
    if (bytes.length + 7 <= this.#inSlotBytes) {
      // Copied at the source's alignment: V8 copies into shared memory word
      // by word only when both sides share their alignment (else byte by
      // byte, about 7x slower).
      const offset = bytes.byteOffset & 7;
      this.#inRing.set(bytes, slot * this.#inSlotBytes + offset);
      message = {
        t: 'seg',
        seq,
        planId,
        slot,
        offset,
        length: bytes.length,
        bytes: null,
      };
    } else {
      message = {
        t: 'seg',
        seq,
        planId,
        slot,
        offset: 0,
        length: -1,
        bytes: Uint8Array.prototype.slice.call(bytes),
      };
    }
    return new Promise((resolve, reject) => {
      this.#pending.set(seq, {
        resolve: (result) => resolve({ result, slot }),
        reject,
        lane,
      });
      lane.worker.postMessage(message);
    });
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

  /** Collects every worker's per-record hit counts. */
  async finish(): Promise<Uint32Array[]> {
    if (this.#failed !== null) throw this.#failed;
    return Promise.all(
      this.#lanes.map(
        (lane) =>
          new Promise<Uint32Array>((resolve, reject) => {
            lane.counts = resolve;
            lane.worker.once('error', reject);
            lane.worker.postMessage({ t: 'finish' } satisfies ToWorker);
          }),
      ),
    );
  }

  /** Stops every worker. */
  async terminate(): Promise<void> {
    this.#failed ??= new Error('enrichment workers stopped');
    await Promise.all(this.#lanes.map((l) => l.worker.terminate()));
  }
}
