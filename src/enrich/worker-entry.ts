/**
 * Worker thread of `threads > 1`: rebuilds the registry over the shared
 * memory it is handed (no copy), then processes segments with the same code
 * as the calling thread. It takes slot numbers from its queue in shared
 * memory, sleeping in Atomics.wait while the queue is empty; input comes from
 * a slot of the input ring, output goes to the same slot of the output ring
 * and the counters to the slot's result words (see worker-pool.ts).
 */

import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { registryFromShared } from '../registry/share.js';
import {
  inputEncoding,
  outputEncoding,
  type FormatPlan,
  type SegmentProcessor,
  type SegmentResult,
} from '../formats/format-plan.js';
import { AddressEnricher } from './address-enricher.js';
import { COUNTERS, createCounters } from './enrich-summary.js';
import { createSegmentProcessor, hasBytesPath } from './segment-processor.js';
import {
  CLAIM_NONE,
  CLAIM_WORKER,
  DESC_WORDS,
  D_CLAIM,
  DONE,
  D_LENGTH,
  D_PLAN,
  FINISH_ENTRY,
  F_ERROR,
  F_EXTRAS,
  F_STOPPED,
  QUEUE,
  READY,
  RESULT_WORDS,
  R_COUNTERS,
  R_FLAGS,
  R_LINES,
  R_OUT_LENGTH,
  STOP,
  SUBMITTED,
  type FromWorker,
  type ToWorker,
  slotInput,
  type WorkerSetup,
} from './worker-pool.js';

interface Prepared {
  readonly proc: SegmentProcessor;
  readonly input: 'latin1' | 'utf8';
  readonly output: 'latin1' | 'utf8';
}

/** A segment's output: bytes in the output slot (`outLength`), or text. */
interface Output {
  readonly result: SegmentResult;
  readonly outLength: number;
  readonly text: string;
}

function start(): void {
  const setup = workerData as WorkerSetup | null;
  if (setup === null || typeof setup !== 'object') return;
  const port = setup.port;
  const registry = registryFromShared(setup.handle);
  const enricher = new AddressEnricher(
    registry,
    setup.fields,
    setup.rdapNeed,
    createCounters(),
  );
  enricher.rawCsv = setup.rawCsv;
  const inRing = Buffer.from(setup.inRing);
  const outRing = Buffer.from(setup.outRing);
  const desc = new Int32Array(setup.desc);
  const results = new Float64Array(setup.results);
  const control = new Int32Array(setup.control);
  const base = setup.base;
  const scratch = Buffer.allocUnsafeSlow(setup.inSlotBytes);
  const prepared = new Map<number, Prepared>();
  const post = (m: FromWorker, transfer: ArrayBuffer[] = []): void =>
    port.postMessage(m, transfer);

  /** The next message from the calling thread; plans are kept on the way. */
  const receive = (): ToWorker => {
    const m = receiveMessageOnPort(port);
    if (m === undefined) throw new Error('worker: a message is missing');
    const msg = m.message as ToWorker;
    if (msg.t === 'plan') {
      const plan: FormatPlan = msg.plan;
      prepared.set(msg.id, {
        proc: createSegmentProcessor(plan, enricher),
        input: inputEncoding(plan),
        output: outputEncoding(plan),
      });
    }
    return msg;
  };

  /** The segment's bytes: from its slot, or from its message. */
  const segmentBytes = (slot: number): Uint8Array => {
    const d = slot * DESC_WORDS;
    const length = desc[d + D_LENGTH]!;
    if (length < 0) {
      for (;;) {
        const m = receive();
        if (m.t === 'bytes') return m.bytes;
      }
    }
    return slotInput(inRing, desc, slot, setup.inSlotBytes, scratch);
  };

  const processSlot = (slot: number): Output => {
    const planId = desc[slot * DESC_WORDS + D_PLAN]!;
    const input = segmentBytes(slot);
    let p = prepared.get(planId);
    while (p === undefined) {
      receive();
      p = prepared.get(planId);
    }
    const outAt = slot * setup.outSlotBytes;
    if (hasBytesPath(p.proc)) {
      // The format writes its output as bytes: copy them into the slot (or,
      // larger than the slot, send them as text).
      const r = p.proc.processBytes(input);
      let outLength = -1;
      let text = r.text;
      if (r.bytes !== null && r.bytes.length <= setup.outSlotBytes) {
        outRing.set(r.bytes, outAt);
        outLength = r.bytes.length;
      } else if (r.bytes !== null)
        text = Buffer.from(
          r.bytes.buffer,
          r.bytes.byteOffset,
          r.bytes.length,
        ).toString(p.output);
      r.release();
      return { result: r, outLength, text };
    }
    const r = p.proc.process(
      Buffer.from(input.buffer, input.byteOffset, input.length).toString(
        p.input,
      ),
    );
    if (r.pieces === null) {
      const size =
        p.output === 'latin1'
          ? r.text.length
          : Buffer.byteLength(r.text, 'utf8');
      if (size <= setup.outSlotBytes)
        return {
          result: r,
          outLength: outRing.write(r.text, outAt, size, p.output),
          text: '',
        };
    }
    return { result: r, outLength: -1, text: r.text };
  };

  /** Writes a segment's result words (and its message, if any), then counts it done. */
  const finishSlot = (slot: number): void => {
    const at = slot * RESULT_WORDS;
    let flags = 0;
    try {
      const { result: r, outLength, text } = processSlot(slot);
      if (r.stopped) flags |= F_STOPPED;
      if (text !== '' || r.pieces !== null || r.issues.length > 0) {
        flags |= F_EXTRAS;
        post({ t: 'extras', text, pieces: r.pieces, issues: r.issues });
      }
      results[at + R_OUT_LENGTH] = outLength;
      results[at + R_LINES] = r.lines;
      for (let i = 0; i < COUNTERS; i++)
        results[at + R_COUNTERS + i] = r.counters[i] ?? 0;
    } catch (error) {
      flags = F_EXTRAS | F_ERROR;
      post({
        t: 'error',
        message: (error as Error).message,
        stack: (error as Error).stack ?? '',
      });
    }
    results[at + R_FLAGS] = flags;
  };

  Atomics.store(control, base + READY, 1);
  Atomics.notify(control, base + READY);
  let done = 0;
  for (;;) {
    let submitted = Atomics.load(control, base + SUBMITTED);
    while (submitted === done) {
      if (Atomics.load(control, base + STOP) !== 0) return;
      Atomics.wait(control, base + SUBMITTED, submitted);
      submitted = Atomics.load(control, base + SUBMITTED);
    }
    for (; done < submitted;) {
      const entry = control[base + QUEUE + (done % setup.queueLength)]!;
      if (entry === FINISH_ENTRY) {
        // Plans posted after the last segment are read and dropped.
        while (receiveMessageOnPort(port) !== undefined);
        const counts = enricher.idCounts;
        post({ t: 'counts', counts }, [counts.buffer as ArrayBuffer]);
      } else if (
        // The calling thread may have taken the segment back: then skip it.
        Atomics.compareExchange(
          desc,
          entry * DESC_WORDS + D_CLAIM,
          CLAIM_NONE,
          CLAIM_WORKER,
        ) === CLAIM_NONE
      )
        finishSlot(entry);
      done++;
      Atomics.store(control, base + DONE, done);
      Atomics.notify(control, base + DONE);
    }
  }
}

start();
