/**
 * Reading delegated-statistics files from disk: plain, gzip (`1f 8b`) or bzip2
 * (`BZh`), told by magic bytes rather than by the file name. The bytes are
 * hashed (sha256 of the file as stored) while they are read.
 */

import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable, pipeline } from 'node:stream';
import { createGunzip, type Gunzip, type ZlibOptions } from 'node:zlib';
import { createDelegatedParser } from '../delegated/parse-delegated.js';
import type { DelegatedHeader } from '../delegated/delegated-record.js';
import { SourceError } from '../errors.js';
import {
  bunzip2,
  bunzip2Head,
  detectCompression,
} from '../sources/decompress.js';

/** A file opened for reading; nothing is read until `chunks` is iterated. */
export interface OpenedSource {
  /** Base name without a `.gz` or `.bz2` suffix, e.g. `delegated-apnic-extended-20160225`. */
  readonly name: string;
  /** The path as given. */
  readonly path: string;
  /** The decompressed bytes. Each iteration reads the file again. */
  readonly chunks: AsyncIterable<Uint8Array>;
  /**
   * Hex sha256 of the bytes as stored (the compressed bytes of a `.gz`). Free once
   * `chunks` has been read to the end; otherwise the file is read again to hash it.
   * @throws {SourceError} `SOURCE_READ_FAILED` when it has to read the file and cannot.
   */
  sha256(): string;
}

/** The version line of a file, with what its first lines say about its kind. */
export interface SourceHeader extends DelegatedHeader {
  /** Base name without a `.gz` or `.bz2` suffix. */
  readonly name: string;
  /**
   * `extended` when the file name has `-extended` or a record line among the
   * first 64 KiB has an 8th field (opaque-id); else `standard`. A hint: the
   * full parse decides (`DelegatedFileSummary.kind`).
   */
  readonly kind: 'standard' | 'extended';
}

/** Raw read size: a read ahead of this much keeps the parser from waiting on the disk thread (it decodes in 64 KiB pieces). */
const READ_CHUNK = 1 << 18;
/** Decompressed output chunk size. */
const INFLATE_CHUNK = 1 << 16;
/** Decompressed bzip2 output is handed on in slices of this size. */
const BZIP2_SLICE = 1 << 20;
/** Decompressed bytes looked at after the version line by {@link readHeaderOnly}. */
const HEAD_BYTES = 1 << 16;

/** Base name without `.gz` / `.bz2`. */
function sourceName(path: string): string {
  return basename(path).replace(/\.(?:gz|bz2)$/i, '');
}

function readFailed(path: string, error: unknown): SourceError {
  if (error instanceof SourceError && error.path === path) return error;
  const e = error as { code?: unknown; message?: unknown };
  const detail = typeof e.message === 'string' ? e.message : String(error);
  const message =
    typeof e.code === 'string' && e.code.startsWith('Z_')
      ? `cannot read ${path}: the gzip data is damaged or truncated (${detail})`
      : `cannot read ${path}: ${detail}`;
  return new SourceError('SOURCE_READ_FAILED', message, path, { cause: error });
}

/** Throws at once when the path does not name a readable regular file. */
function checkFile(path: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') {
      throw new SourceError('SOURCE_NOT_FOUND', `no such file: ${path}`, path, {
        cause: error,
      });
    }
    throw readFailed(path, error);
  }
  if (!isFile)
    throw new SourceError(
      'SOURCE_READ_FAILED',
      `not a regular file: ${path}`,
      path,
    );
}

/**
 * Reads, hashes and decompresses one file.
 * @param onDigest called with the hex sha256 once every stored byte was read.
 * @param headOnly bzip2 only: decode just the start of the first block.
 */
async function* readChunks(
  path: string,
  onDigest: (hex: string) => void,
  headOnly: boolean,
): AsyncGenerator<Uint8Array, void, undefined> {
  const hash = createHash('sha256');
  const raw = createReadStream(path, { highWaterMark: READ_CHUNK });
  let inflater: Gunzip | undefined;
  let rawDone = false;
  try {
    const rawIterator = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const head = await rawIterator.next();
    if (head.done === true) {
      onDigest(hash.digest('hex'));
      return;
    }
    const first = head.value;
    hash.update(first);
    const compression = detectCompression(first);
    // The stored bytes, `first` included, each hashed once.
    const stored = async function* (): AsyncGenerator<Buffer, void, undefined> {
      yield first;
      for (;;) {
        const next = await rawIterator.next();
        if (next.done === true) break;
        hash.update(next.value);
        yield next.value;
      }
      rawDone = true;
    };
    if (compression === 'none') {
      yield* stored();
    } else if (compression === 'gzip') {
      // Room for a few output chunks lets zlib inflate ahead while the consumer parses.
      const gunzip = createGunzip({
        chunkSize: INFLATE_CHUNK,
        highWaterMark: 4 * INFLATE_CHUNK,
      } as ZlibOptions);
      inflater = gunzip;
      // Errors reach the consumer through the iteration of `gunzip` below.
      pipeline(Readable.from(stored()), gunzip, () => {});
      for await (const out of gunzip) yield out as Buffer;
    } else {
      const parts: Buffer[] = [];
      for await (const part of stored()) parts.push(part);
      const bytes = Buffer.concat(parts);
      const name = basename(path);
      const text = headOnly
        ? bunzip2Head(bytes, 4 * HEAD_BYTES, name)
        : bunzip2(bytes, name);
      for (let i = 0; i < text.length; i += BZIP2_SLICE) {
        yield text.subarray(i, Math.min(text.length, i + BZIP2_SLICE));
      }
    }
    // Should the gzip data end before the stored bytes do, no digest is kept and
    // sha256() hashes the file itself.
    if (rawDone) onDigest(hash.digest('hex'));
  } catch (error) {
    throw readFailed(path, error);
  } finally {
    inflater?.destroy();
    raw.destroy();
  }
}

/**
 * Opens a delegated-statistics file for streaming. Plain, gzip and bzip2 files
 * are told apart by their first bytes (`1f 8b` gzip, `BZh` bzip2). bzip2 (used
 * only for historical archives) is decoded in one piece, in memory.
 *
 * @param path the file.
 * @returns the base name, the decompressed chunks (read lazily) and the hash.
 * @throws {SourceError} `SOURCE_NOT_FOUND` when the file does not exist,
 *   `SOURCE_READ_FAILED` when it is not a regular file; iterating `chunks`
 *   throws `SOURCE_READ_FAILED` when reading or decompressing fails.
 * @throws {TypeError} when `path` is not a non-empty string.
 */
export function openSource(path: string): OpenedSource {
  if (typeof path !== 'string' || path === '') {
    throw new TypeError('`path` must be a non-empty string');
  }
  checkFile(path);
  let digest: string | undefined;
  const remember = (hex: string): void => {
    digest = hex;
  };
  return {
    name: sourceName(path),
    path,
    chunks: { [Symbol.asyncIterator]: () => readChunks(path, remember, false) },
    sha256(): string {
      if (digest === undefined) {
        try {
          digest = createHash('sha256')
            .update(readFileSync(path))
            .digest('hex');
        } catch (error) {
          throw readFailed(path, error);
        }
      }
      return digest;
    },
  };
}

/**
 * Reads a delegated file only as far as its version line and the 64 KiB of text
 * after it: cheap enough to pick the newest file per registry in a directory.
 *
 * @param path the file (plain, gzip or bzip2).
 * @returns the version line, the base name and a `kind` hint.
 * @throws {DelegatedFileError} `DELEGATED_NO_HEADER`, `DELEGATED_BAD_VERSION` or
 *   `DELEGATED_BAD_HEADER` when the file does not start with a valid version line.
 * @throws {SourceError} `SOURCE_NOT_FOUND`, `SOURCE_READ_FAILED` as {@link openSource}.
 * @throws {TypeError} when `path` is not a non-empty string.
 */
export async function readHeaderOnly(path: string): Promise<SourceHeader> {
  if (typeof path !== 'string' || path === '') {
    throw new TypeError('`path` must be a non-empty string');
  }
  checkFile(path);
  const name = sourceName(path);
  let extended = /-extended(?:[-.]|$)/i.test(name);
  const parser = createDelegatedParser({ file: name, lenient: true }, (r) => {
    if (r.hasOpaqueField) extended = true;
  });
  let after = 0;
  let complete = true;
  for await (const chunk of readChunks(path, () => {}, true)) {
    const had = parser.header !== null;
    parser.push(chunk);
    if (had) after += chunk.length;
    if (parser.header !== null && (extended || after >= HEAD_BYTES)) {
      complete = false;
      break;
    }
  }
  // end() throws DELEGATED_NO_HEADER when the whole file held no version line.
  const header = complete ? parser.end().header : parser.header!;
  return { ...header, name, kind: extended ? 'extended' : 'standard' };
}
