/**
 * Worker thread of `threads > 1`: rebuilds the registry over the shared
 * memory it is handed (no copy), then processes segments with the same code
 * as the calling thread. Input comes from a slot of the input ring; output
 * goes to the same slot of the output ring (see worker-pool.ts).
 */

import { parentPort, workerData } from 'node:worker_threads';
import { registryFromShared } from '../registry/share.js';
import {
  inputEncoding,
  outputEncoding,
  type FormatPlan,
  type SegmentProcessor,
  type SegmentResult,
} from '../formats/format-plan.js';
import { AddressEnricher } from './address-enricher.js';
import { createCounters } from './enrich-summary.js';
import { createSegmentProcessor, hasBytesPath } from './segment-processor.js';
import type { ToWorker, WorkerSetup } from './worker-pool.js';

interface Prepared {
  readonly proc: SegmentProcessor;
  readonly input: 'latin1' | 'utf8';
  readonly output: 'latin1' | 'utf8';
}

function start(): void {
  const port = parentPort;
  if (port === null) return;
  const setup = workerData as WorkerSetup;
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
  const done = new Int32Array(setup.done);
  const scratch = Buffer.allocUnsafeSlow(setup.inSlotBytes);
  const prepared = new Map<number, Prepared>();
  /** Counts the segment as finished (in shared memory first), then posts its result. */
  const reply = (
    seq: number,
    r: SegmentResult,
    outLength: number,
    text: string,
  ): void => {
    Atomics.add(done, setup.lane, 1);
    port.postMessage(
      {
        t: 'res',
        seq,
        outLength,
        text,
        pieces: r.pieces,
        counters: r.counters,
        lines: r.lines,
        issues: r.issues,
        stopped: r.stopped,
      },
      [r.counters.buffer as ArrayBuffer],
    );
  };
  port.on('message', (m: ToWorker) => {
    try {
      if (m.t === 'plan') {
        const plan: FormatPlan = m.plan;
        prepared.set(m.id, {
          proc: createSegmentProcessor(plan, enricher),
          input: inputEncoding(plan),
          output: outputEncoding(plan),
        });
      } else if (m.t === 'seg') {
        const p = prepared.get(m.planId);
        if (p === undefined)
          throw new Error(`worker: unknown plan ${m.planId}`);
        if (hasBytesPath(p.proc)) {
          // The format writes its output as bytes: copy them into the slot
          // (or, larger than the slot, send them as text in the message).
          let input: Uint8Array;
          if (m.bytes !== null) input = m.bytes;
          else {
            // Into this thread's memory at the same alignment (a word-by-word
            // copy), so the processor's own copy is a plain memcpy.
            const from = m.slot * setup.inSlotBytes + m.offset;
            scratch.set(inRing.subarray(from, from + m.length), m.offset);
            input = scratch.subarray(m.offset, m.offset + m.length);
          }
          const r = p.proc.processBytes(input);
          let outLength = -1;
          let text = r.text;
          if (r.bytes !== null && r.bytes.length <= setup.outSlotBytes) {
            outRing.set(r.bytes, m.slot * setup.outSlotBytes);
            outLength = r.bytes.length;
          } else if (r.bytes !== null)
            text = Buffer.from(
              r.bytes.buffer,
              r.bytes.byteOffset,
              r.bytes.length,
            ).toString(p.output);
          r.release();
          reply(m.seq, r, outLength, text);
          return;
        }
        const text =
          m.bytes !== null
            ? Buffer.from(
                m.bytes.buffer,
                m.bytes.byteOffset,
                m.bytes.length,
              ).toString(p.input)
            : inRing.toString(
                p.input,
                m.slot * setup.inSlotBytes + m.offset,
                m.slot * setup.inSlotBytes + m.offset + m.length,
              );
        const r = p.proc.process(text);
        let outLength = -1;
        let outText = r.text;
        if (r.pieces === null) {
          const size =
            p.output === 'latin1'
              ? r.text.length
              : Buffer.byteLength(r.text, 'utf8');
          if (size <= setup.outSlotBytes) {
            outLength = outRing.write(
              r.text,
              m.slot * setup.outSlotBytes,
              size,
              p.output,
            );
            outText = '';
          }
        }
        reply(m.seq, r, outLength, outText);
      } else if (m.t === 'finish') {
        const counts = enricher.idCounts;
        port.postMessage({ t: 'counts', counts }, [
          counts.buffer as ArrayBuffer,
        ]);
      }
    } catch (error) {
      port.postMessage({
        t: 'error',
        message: (error as Error).message,
        stack: (error as Error).stack ?? '',
      });
    }
  });
}

start();
