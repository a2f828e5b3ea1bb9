/**
 * Writes output chunks through a few reused buffers. Encoding each segment
 * into a fresh Buffer costs more than the enrichment itself on large runs
 * (every new ArrayBuffer is fresh memory: a page fault per 4 KiB); a small
 * ring of buffers, handed back when the destination is done with them, keeps
 * memory constant and warm. Chunks a producer lends (OutChunk `release`, the
 * jsonl log path's own buffers) are written as they are, several in one
 * go, and given back once written. Everything reaches the destination in
 * the order it was written.
 */

import { writev as fsWritev } from 'node:fs';
import type { OutChunk } from './enrich-text.js';

/** Where bytes go: resolves when the destination no longer needs `bytes`. */
export type ByteSink = (bytes: Uint8Array) => Promise<void>;

/** Bytes waiting for an fd sink's next write, and who waits for them. */
interface Pending {
  readonly bytes: Uint8Array;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Buffers handed to one writev at most (well under IOV_MAX). */
const MAX_IOV = 64;

/**
 * A sink writing to a file descriptor, one write at a time, in order. The
 * writes go to the current position (pipes and devices have no other), and
 * two of those running together on the thread pool land in either order: an
 * output file would come out shuffled. What arrives while a write runs goes
 * out in the next one, all together (writev): one trip to the thread pool for
 * many chunks. After a failed write the waiting ones fail with its error.
 */
export function fdSink(fd: number): ByteSink {
  const queue: Pending[] = [];
  let writing = false;
  let failed: unknown = null;

  const pump = (): void => {
    if (writing || queue.length === 0) return;
    if (failed !== null) {
      for (const p of queue.splice(0)) p.reject(failed);
      return;
    }
    writing = true;
    const batch = queue.splice(0, MAX_IOV);
    let buffers = batch.map((p) => p.bytes);
    const finish = (error: unknown): void => {
      writing = false;
      if (error !== null) failed = error;
      for (const p of batch) {
        if (error !== null) p.reject(error);
        else p.resolve();
      }
      schedule();
    };
    const step = (): void => {
      fsWritev(fd, buffers, null, (error, written) => {
        if (error !== null) return finish(error);
        // A short write: drop what went out and write the rest.
        let k = 0;
        while (k < buffers.length && written >= buffers[k]!.length)
          written -= buffers[k++]!.length;
        if (k === buffers.length) return finish(null);
        buffers = buffers.slice(k);
        buffers[0] = buffers[0]!.subarray(written);
        step();
      });
    };
    step();
  };

  // The write starts in a microtask, so chunks handed over together go in one writev.
  let scheduled = false;
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      pump();
    });
  };

  return (bytes) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ bytes, resolve, reject });
      schedule();
    });
}

/** A sink writing to a Writable (its write callback says when the bytes are consumed). */
export function streamSink(stream: NodeJS.WritableStream): ByteSink {
  return (bytes) =>
    new Promise<void>((resolve, reject) => {
      stream.write(bytes, (error) => {
        if (error !== null && error !== undefined) reject(error);
        else resolve();
      });
    });
}

/** Lent bytes shorter than this are copied into the buffer rather than written alone. */
const LEND_MIN = 16 * 1024;
/** Lent chunks wait until they add up to this many bytes, then go out together. */
const LENT_BATCH = 512 * 1024;
/** Writes of lent bytes in flight at most (a sink may take several in one go). */
const LENT_IN_FLIGHT = 12;

/** Buffers output into a ring of reused buffers and writes them in order. */
export class OutputWriter {
  readonly #sink: ByteSink;
  readonly #size: number;
  readonly #free: Buffer[] = [];
  readonly #inFlight: Promise<void>[] = [];
  readonly #maxInFlight: number;
  #current: Buffer | null = null;
  #used = 0;
  /** Lent chunks not sent yet (then `#current` is empty: order is kept). */
  #lent: { readonly bytes: Uint8Array; readonly release: () => void }[] = [];
  #lentBytes = 0;
  #failed: unknown = null;
  /** Bytes accepted so far. */
  bytes = 0;

  constructor(sink: ByteSink, bufferSize = 256 * 1024, buffers = 4) {
    this.#sink = sink;
    this.#size = bufferSize;
    this.#maxInFlight = buffers - 1;
  }

  async #take(): Promise<Buffer> {
    while (
      this.#free.length === 0 &&
      this.#inFlight.length >= this.#maxInFlight
    )
      await this.#inFlight[0];
    if (this.#failed !== null) throw this.#failed;
    return this.#free.pop() ?? Buffer.allocUnsafeSlow(this.#size);
  }

  /** Writes `bytes`; then `done` (also after a failure). */
  #send(bytes: Uint8Array, done: (() => void) | null): void {
    const p: Promise<void> = this.#sink(bytes).then(
      () => {
        done?.();
        this.#inFlight.splice(this.#inFlight.indexOf(p), 1);
      },
      (error: unknown) => {
        this.#failed ??= error;
        done?.();
        this.#inFlight.splice(this.#inFlight.indexOf(p), 1);
      },
    );
    this.#inFlight.push(p);
  }

  /** Sends a buffer of the ring, which comes back to the ring once written. */
  #sendBuffer(buf: Buffer, length: number): void {
    this.#send(buf.subarray(0, length), () => this.#free.push(buf));
  }

  /** Sends the lent chunks waiting, together (a sink may write them in one go). */
  #sendLent(): void {
    for (const { bytes, release } of this.#lent) this.#send(bytes, release);
    this.#lent = [];
    this.#lentBytes = 0;
  }

  /** Queues the current buffer (or the lent chunks waiting) for writing. */
  async flush(): Promise<void> {
    if (this.#lent.length > 0) this.#sendLent();
    if (this.#current !== null && this.#used > 0) {
      this.#sendBuffer(this.#current, this.#used);
      this.#current = null;
      this.#used = 0;
    }
    if (this.#failed !== null) throw this.#failed;
  }

  /** Adds a chunk (waits when every buffer is being written). */
  async write(chunk: OutChunk): Promise<void> {
    if (this.#failed !== null) throw this.#failed;
    if ('bytes' in chunk) {
      if (chunk.release !== undefined)
        await this.#writeLent(chunk.bytes, chunk.release);
      else await this.#writeBytes(chunk.bytes);
      return;
    }
    const { text, encoding } = chunk;
    if (text.length === 0) return;
    if (this.#lent.length > 0) this.#sendLent();
    const length =
      encoding === 'latin1' ? text.length : Buffer.byteLength(text, 'utf8');
    this.bytes += length;
    if (length > this.#size) {
      await this.flush();
      await this.#waitSlot();
      this.#send(Buffer.from(text, encoding), null);
      return;
    }
    if (this.#current !== null && this.#used + length > this.#size)
      await this.flush();
    this.#current ??= await this.#take();
    this.#used += this.#current.write(text, this.#used, encoding);
  }

  /**
   * Bytes lent by the producer: written as they are (after what is
   * buffered), then given back; small ones are copied into the buffer.
   */
  async #writeLent(bytes: Uint8Array, release: () => void): Promise<void> {
    if (bytes.length < LEND_MIN) {
      try {
        await this.#writeBytes(bytes);
      } finally {
        release();
      }
      return;
    }
    this.bytes += bytes.length;
    if (this.#current !== null && this.#used > 0) await this.flush();
    this.#lent.push({ bytes, release });
    this.#lentBytes += bytes.length;
    if (this.#lentBytes < LENT_BATCH) return;
    this.#sendLent();
    await this.#waitSlot(LENT_IN_FLIGHT);
  }

  async #writeBytes(bytes: Uint8Array): Promise<void> {
    if (bytes.length === 0) return;
    if (this.#lent.length > 0) this.#sendLent();
    this.bytes += bytes.length;
    if (bytes.length > this.#size) {
      await this.flush();
      await this.#waitSlot();
      this.#send(Buffer.from(bytes), null);
      return;
    }
    if (this.#current !== null && this.#used + bytes.length > this.#size)
      await this.flush();
    this.#current ??= await this.#take();
    this.#current.set(bytes, this.#used);
    this.#used += bytes.length;
  }

  async #waitSlot(max = this.#maxInFlight): Promise<void> {
    while (this.#inFlight.length >= max) await this.#inFlight[0];
    if (this.#failed !== null) throw this.#failed;
  }

  /** Writes what is buffered and waits for every write to finish. */
  async end(): Promise<void> {
    await this.flush();
    while (this.#inFlight.length > 0) await this.#inFlight[0];
    if (this.#failed !== null) throw this.#failed;
  }

  /** Waits for writes in flight, ignoring errors (cleanup after a failure). */
  async settle(): Promise<void> {
    for (const { release } of this.#lent) release();
    this.#lent = [];
    this.#lentBytes = 0;
    while (this.#inFlight.length > 0)
      await this.#inFlight[0]!.catch(() => undefined);
  }
}
