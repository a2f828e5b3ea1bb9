/**
 * A Node Transform over the enrichment core: input bytes in, output bytes
 * out. A thin adapter: each written chunk is handed to enrichText when it asks
 * for more, so backpressure flows both ways.
 */

import { Transform, type TransformCallback } from 'node:stream';
import { resolveEnrichOptions, type EnrichOptions } from './enrich-options.js';
import type { EnrichSummary } from './enrich-summary.js';
import {
  createChunkRun,
  outChunkBytes,
  type EnrichChunkRun,
} from './enrich-text.js';

/** The Transform returned by createEnrichStream. */
export interface EnrichStream extends Transform {
  /** The run's summary, once the stream has finished (undefined before). */
  readonly summary: EnrichSummary | undefined;
}

class EnrichTransform extends Transform implements EnrichStream {
  readonly #run: EnrichChunkRun;
  readonly #queue: { chunk: Buffer; done: () => void }[] = [];
  #ended = false;
  #wake: (() => void) | null = null;
  #loop: Promise<void> | null = null;

  constructor(options: EnrichOptions) {
    super();
    const o = resolveEnrichOptions(options);
    const queue = this.#queue;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    const input = {
      [Symbol.asyncIterator]: async function* (this: void) {
        for (;;) {
          const next = queue.shift();
          if (next !== undefined) {
            yield next.chunk;
            next.done();
            continue;
          }
          if (self.#ended) return;
          await new Promise<void>((resolve) => {
            self.#wake = resolve;
          });
        }
      },
    };
    this.#run = createChunkRun(input, o, {});
  }

  get summary(): EnrichSummary | undefined {
    return this.#run.summary;
  }

  #start(): Promise<void> {
    this.#loop ??= (async () => {
      for await (const c of this.#run) this.push(outChunkBytes(c));
    })();
    return this.#loop;
  }

  #poke(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  override _transform(
    chunk: Buffer | string,
    encoding: BufferEncoding,
    callback: TransformCallback,
  ): void {
    const b = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
    this.#queue.push({ chunk: b, done: () => callback() });
    this.#start().catch((error: unknown) => this.destroy(error as Error));
    this.#poke();
  }

  override _flush(callback: TransformCallback): void {
    this.#ended = true;
    this.#poke();
    this.#start().then(
      () => callback(),
      (error: unknown) => callback(error as Error),
    );
  }
}

/**
 * Creates a Transform that enriches the bytes written to it (same formats and
 * options as enrichText). Pipe a file or socket through it.
 * @throws {TypeError | RangeError} at once for bad options.
 */
export function createEnrichStream(options: EnrichOptions): EnrichStream {
  return new EnrichTransform(options);
}
