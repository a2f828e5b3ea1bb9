/**
 * The file adapter: enriches a file (plain or gzip), stdin or a stream into a
 * file, stdout or a stream. A file is written under a temporary name in the
 * same directory and renamed over the final name only when the run succeeds;
 * an error or an abort (Ctrl-C) removes the temporary file, so a half-written
 * output never appears under the final name.
 */

import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { SourceError } from '../errors.js';
import { resolveEnrichOptions, type EnrichOptions } from './enrich-options.js';
import type { EnrichSummary } from './enrich-summary.js';
import { createChunkRun, type EnrichInput } from './enrich-text.js';
import { OutputWriter, fdSink, streamSink } from './output-writer.js';

/** Input of enrichFile: a path (`-` for stdin), a readable stream or bytes. */
export type EnrichFileInput = string | NodeJS.ReadableStream | EnrichInput;

/** Output of enrichFile: a path (`-` for stdout) or a writable stream. */
export type EnrichFileOutput = string | NodeJS.WritableStream;

const READ_SIZE = 512 * 1024;
/** Reads in flight ahead of the consumer. */
const READ_AHEAD = 4;

/**
 * Reads a plain file through a ring of reused buffers, several reads ahead of
 * the consumer (positional reads, so they may overlap). A chunk is valid until
 * the next one is asked for (see Framer.push on reuse).
 */
async function* readFd(
  handle: FileHandle,
  counter: { bytes: number },
): AsyncGenerator<Buffer> {
  const ring = Array.from({ length: READ_AHEAD + 1 }, () =>
    Buffer.allocUnsafeSlow(READ_SIZE),
  );
  let position = 0;
  const reads: Promise<number>[] = [];
  const issue = (k: number): void => {
    const p = handle
      .read(ring[k]!, 0, READ_SIZE, position)
      .then((r) => r.bytesRead);
    p.catch(() => undefined);
    reads.push(p);
    position += READ_SIZE;
  };
  for (let k = 0; k < READ_AHEAD; k++) issue(k);
  for (let k = 0; ; k = (k + 1) % ring.length) {
    const n = await reads.shift()!;
    if (n === 0) return;
    counter.bytes += n;
    // The buffer read next is the one the consumer has just finished with.
    issue((k + READ_AHEAD) % ring.length);
    yield ring[k]!.subarray(0, n);
    if (n < READ_SIZE) {
      // A short positional read is the end of the file; later reads give 0.
      await Promise.allSettled(reads);
      return;
    }
  }
}

async function* gunzipFile(
  path: string,
  counter: { bytes: number },
): AsyncGenerator<Buffer> {
  const file = createReadStream(path, { highWaterMark: READ_SIZE });
  file.on('data', (c: Buffer | string) => {
    counter.bytes += c.length;
  });
  const gunzip = createGunzip({ chunkSize: READ_SIZE });
  file.on('error', (e) => gunzip.destroy(e));
  file.pipe(gunzip);
  try {
    for await (const c of gunzip) yield c as Buffer;
  } finally {
    file.destroy();
    gunzip.destroy();
  }
}

async function* gunzipIfNeeded(
  source: AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  const it = source[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done === true) return;
  const head = first.value;
  const rest = {
    async *[Symbol.asyncIterator]() {
      yield head;
      for (;;) {
        const r = await it.next();
        if (r.done === true) return;
        yield r.value;
      }
    },
  };
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip({ chunkSize: READ_SIZE });
    const feed = (async () => {
      try {
        for await (const c of rest)
          if (!gunzip.write(c))
            await new Promise((r) => gunzip.once('drain', r));
        gunzip.end();
      } catch (e) {
        gunzip.destroy(e as Error);
      }
    })();
    try {
      for await (const c of gunzip) yield c as Buffer;
    } finally {
      gunzip.destroy();
      await feed;
    }
  } else yield* rest;
}

/**
 * Enriches a file or stream into a file or stream, and returns the summary.
 * Gzip input (by its magic bytes) is decompressed. A file output appears under
 * its name only once complete.
 *
 * @param input a path (`-`: standard input), a readable stream or an iterable of bytes.
 * @param output a path (`-`: standard output) or a writable stream (not ended by this function).
 * @param options see EnrichOptions; `registry` is required.
 * @throws {TypeError | RangeError} for bad options (at once, before reading).
 * @throws {SourceError} `SOURCE_NOT_FOUND` / `SOURCE_READ_FAILED` when the input cannot be read.
 * @throws {RegistryError} `INPUT_MALFORMED`, `ENRICH_ROW` (strict); the signal's reason when aborted.
 */
export async function enrichFile(
  input: EnrichFileInput,
  output: EnrichFileOutput,
  options: EnrichOptions,
): Promise<EnrichSummary> {
  const o = resolveEnrichOptions(options);
  if (
    typeof input !== 'string' &&
    (typeof input !== 'object' || input === null)
  )
    throw new TypeError('`input` must be a path or a readable stream');
  if (
    typeof output !== 'string' &&
    (typeof output !== 'object' || output === null)
  )
    throw new TypeError('`output` must be a path or a writable stream');
  const counter = { bytes: 0 };
  let source: EnrichInput;
  let closeInput: (() => Promise<void>) | null = null;
  if (typeof input === 'string' && input !== '-') {
    let handle: FileHandle;
    try {
      handle = await open(input, 'r');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new SourceError(
        code === 'ENOENT' ? 'SOURCE_NOT_FOUND' : 'SOURCE_READ_FAILED',
        `cannot read ${input}: ${(error as Error).message}`,
        input,
        { cause: error },
      );
    }
    const magic = Buffer.alloc(2);
    await handle.read(magic, 0, 2, 0);
    if (magic[0] === 0x1f && magic[1] === 0x8b) {
      await handle.close();
      source = gunzipFile(input, counter);
    } else {
      source = readFd(handle, counter);
      closeInput = () => handle.close();
    }
  } else {
    const stream = (
      input === '-' ? process.stdin : input
    ) as AsyncIterable<Uint8Array>;
    source = gunzipIfNeeded(
      (async function* () {
        for await (const c of stream) {
          const b = typeof c === 'string' ? Buffer.from(c) : c;
          counter.bytes += b.length;
          yield b;
        }
      })(),
    );
  }

  let tmp: string | null = null;
  let fileHandle: FileHandle | null = null;
  let writer: OutputWriter;
  if (typeof output === 'string' && output !== '-') {
    // A device, FIFO or socket (/dev/null, a named pipe) is written in place:
    // renaming a temporary file over it would replace it.
    const existing = await stat(output).catch(() => null);
    if (existing !== null && !existing.isFile()) {
      fileHandle = await open(output, 'w');
    } else {
      tmp = join(
        dirname(output),
        `.${basename(output)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
      );
      fileHandle = await open(tmp, 'wx');
    }
    writer = new OutputWriter(fdSink(fileHandle.fd));
  } else {
    writer = new OutputWriter(
      streamSink(
        output === '-' ? process.stdout : (output as NodeJS.WritableStream),
      ),
    );
  }
  const run = createChunkRun(source, o, { bytesIn: () => counter.bytes });
  try {
    for await (const chunk of run) await writer.write(chunk);
    await writer.end();
    if (fileHandle !== null) {
      await fileHandle.close();
      fileHandle = null;
    }
    if (tmp !== null) {
      await rename(tmp, output as string);
      tmp = null;
    }
    const summary = run.summary!;
    return { ...summary, bytesOut: writer.bytes };
  } finally {
    await writer.settle();
    if (fileHandle !== null) await fileHandle.close().catch(() => undefined);
    if (tmp !== null) await unlink(tmp).catch(() => undefined);
    if (closeInput !== null) await closeInput().catch(() => undefined);
  }
}
