/**
 * Writes output chunks through a few reused buffers. Encoding each segment
 * into a fresh Buffer costs more than the enrichment itself on large runs
 * (every new ArrayBuffer is fresh memory: a page fault per 4 KiB); a small
 * ring of buffers, handed back when the destination is done with them, keeps
 * memory constant and warm.
 */

import { write as fsWrite } from 'node:fs';
import type { OutChunk } from './enrich-text.js';

/** Where bytes go: resolves when the destination no longer needs `bytes`. */
export type ByteSink = (bytes: Uint8Array) => Promise<void>;

/** A sink writing to a file descriptor. */
export function fdSink(fd: number): ByteSink {
  return (bytes) =>
    new Promise<void>((resolve, reject) => {
      const loop = (offset: number): void => {
        fsWrite(
          fd,
          bytes,
          offset,
          bytes.length - offset,
          null,
          (error, written) => {
            if (error !== null) reject(error);
            else if (offset + written < bytes.length) loop(offset + written);
            else resolve();
          },
        );
      };
      loop(0);
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

/** Buffers output into a ring of reused buffers and writes them in order. */
export class OutputWriter {
  readonly #sink: ByteSink;
  readonly #size: number;
  readonly #free: Buffer[] = [];
  readonly #inFlight: Promise<void>[] = [];
  readonly #maxInFlight: number;
  #current: Buffer | null = null;
  #used = 0;
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

  #send(buf: Buffer, length: number, recycle: boolean): void {
    const p: Promise<void> = this.#sink(buf.subarray(0, length)).then(
      () => {
        if (recycle) this.#free.push(buf);
        this.#inFlight.splice(this.#inFlight.indexOf(p), 1);
      },
      (error: unknown) => {
        this.#failed ??= error;
        this.#inFlight.splice(this.#inFlight.indexOf(p), 1);
      },
    );
    this.#inFlight.push(p);
  }

  /** Queues the current buffer for writing. */
  async flush(): Promise<void> {
    if (this.#current !== null && this.#used > 0) {
      this.#send(this.#current, this.#used, true);
      this.#current = null;
      this.#used = 0;
    }
    if (this.#failed !== null) throw this.#failed;
  }

  /** Adds a chunk (waits when every buffer is being written). */
  async write(chunk: OutChunk): Promise<void> {
    if (this.#failed !== null) throw this.#failed;
    if ('bytes' in chunk) {
      await this.#writeBytes(chunk.bytes);
      return;
    }
    const { text, encoding } = chunk;
    if (text.length === 0) return;
    const length =
      encoding === 'latin1' ? text.length : Buffer.byteLength(text, 'utf8');
    this.bytes += length;
    if (length > this.#size) {
      await this.flush();
      await this.#waitSlot();
      this.#send(Buffer.from(text, encoding), length, false);
      return;
    }
    if (this.#current !== null && this.#used + length > this.#size)
      await this.flush();
    this.#current ??= await this.#take();
    this.#used += this.#current.write(text, this.#used, encoding);
  }

  async #writeBytes(bytes: Uint8Array): Promise<void> {
    if (bytes.length === 0) return;
    this.bytes += bytes.length;
    if (bytes.length > this.#size) {
      await this.flush();
      await this.#waitSlot();
      this.#send(Buffer.from(bytes), bytes.length, false);
      return;
    }
    if (this.#current !== null && this.#used + bytes.length > this.#size)
      await this.flush();
    this.#current ??= await this.#take();
    this.#current.set(bytes, this.#used);
    this.#used += bytes.length;
  }

  async #waitSlot(): Promise<void> {
    while (this.#inFlight.length >= this.#maxInFlight) await this.#inFlight[0];
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
    while (this.#inFlight.length > 0)
      await this.#inFlight[0]!.catch(() => undefined);
  }
}
