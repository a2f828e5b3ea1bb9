/**
 * Where an export's bytes go: a Node Writable (backpressure through `drain`)
 * or a callback that may return a promise. Structural, so the export code
 * imports nothing from Node.
 */

import { RegistryError } from '../errors.js';

/** A Node Writable, or a function called with each chunk (awaited when it returns a promise). */
export type ExportSink =
  NodeJS.WritableStream | ((chunk: Uint8Array) => void | Promise<void>);

/** Writes chunks to a sink in order, honouring backpressure and an abort signal. */
export class SinkWriter {
  readonly #write: (chunk: Uint8Array) => void | Promise<void>;
  readonly #release: () => void;
  readonly #signal: AbortSignal | undefined;
  #bytes = 0;

  /**
   * @throws {TypeError} when `sink` is neither a function nor a writable stream
   */
  constructor(sink: unknown, signal?: AbortSignal, option = 'stream') {
    this.#signal = signal;
    if (typeof sink === 'function') {
      const fn = sink as (chunk: Uint8Array) => void | Promise<void>;
      this.#write = (chunk) => fn(chunk);
      this.#release = () => {};
      return;
    }
    if (
      typeof sink !== 'object' ||
      sink === null ||
      typeof (sink as { write?: unknown }).write !== 'function' ||
      typeof (sink as { once?: unknown }).once !== 'function'
    )
      throw new TypeError(
        `Expected \`${option}\` to be a Writable stream or a function`,
      );
    const stream = sink as NodeJS.WritableStream;
    let failure: unknown = null;
    const onError = (error: unknown): void => {
      failure ??= error;
    };
    stream.on('error', onError);
    this.#release = () => {
      stream.removeListener('error', onError);
    };
    this.#write = (chunk) => {
      if (failure !== null) throw failure;
      if (stream.write(chunk)) return undefined;
      return new Promise<void>((resolve, reject) => {
        const done = (error?: unknown): void => {
          stream.removeListener('drain', onDrain);
          stream.removeListener('error', onFail);
          stream.removeListener('close', onClose);
          if (error === undefined) resolve();
          else reject(error);
        };
        const onDrain = (): void => done();
        const onFail = (error: unknown): void => done(error);
        const onClose = (): void =>
          done(new Error('the output stream closed before the export ended'));
        stream.once('drain', onDrain);
        stream.once('error', onFail);
        stream.once('close', onClose);
      });
    };
  }

  /** Bytes handed to the sink so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Throws `ABORTED` when the signal has fired. */
  checkAborted(): void {
    if (this.#signal?.aborted === true)
      throw new RegistryError('ABORTED', 'export aborted', {
        cause: this.#signal.reason,
      });
  }

  /** Writes one chunk (empty chunks are skipped). */
  async write(chunk: Uint8Array): Promise<void> {
    this.checkAborted();
    if (chunk.length === 0) return;
    this.#bytes += chunk.length;
    const pending = this.#write(chunk);
    if (pending !== undefined) await pending;
  }

  /** Stops listening to the stream (does not end it). */
  release(): void {
    this.#release();
  }
}
