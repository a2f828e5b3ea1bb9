/**
 * Compression detection and bzip2 decoding for registry files. gzip goes
 * through node:zlib; bzip2 (RIPE NCC's archive) through the seek-bzip package,
 * which ships no types, so it is loaded with `createRequire` and typed here.
 */

import { createRequire } from 'node:module';
import { SourceError } from '../errors.js';

/** Compression of a file, told by its first bytes. */
export type Compression = 'gzip' | 'bzip2' | 'none';

/** Tells the compression from magic bytes: `1f 8b` gzip, `BZh` bzip2. */
export function detectCompression(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (
    head.length >= 3 &&
    head[0] === 0x42 &&
    head[1] === 0x5a &&
    head[2] === 0x68
  )
    return 'bzip2';
  return 'none';
}

interface BzInput {
  readByte(): number;
  read(buffer: Uint8Array, offset: number, length: number): number;
  seek(pos: number): void;
  eof(): boolean;
}
interface BzOutput {
  writeByte(byte: number): void;
}
interface SeekBzip {
  decode(input: BzInput, output: BzOutput, multistream?: boolean): unknown;
  decodeBlock(input: BzInput, pos: number, output: BzOutput): unknown;
}

let bunzip: SeekBzip | undefined;
function seekBzip(): SeekBzip {
  bunzip ??= createRequire(import.meta.url)('seek-bzip') as SeekBzip;
  return bunzip;
}

/** Thrown by the output sink to stop decoding once enough bytes are out. */
const ENOUGH = Symbol('enough');

function inputOf(bytes: Uint8Array): BzInput {
  let pos = 0;
  return {
    readByte() {
      if (pos >= bytes.length) throw new Error('unexpected end of bzip2 data');
      return bytes[pos++]!;
    },
    read(buffer: Uint8Array, offset: number, length: number) {
      const n = Math.min(length, bytes.length - pos);
      if (n <= 0) return -1;
      buffer.set(bytes.subarray(pos, pos + n), offset);
      pos += n;
      return n;
    },
    seek(p: number) {
      pos = p;
    },
    eof() {
      return pos >= bytes.length;
    },
  };
}

class GrowingSink implements BzOutput {
  buf: Buffer;
  length = 0;
  readonly limit: number;

  constructor(initial: number, limit: number) {
    this.buf = Buffer.allocUnsafe(initial);
    this.limit = limit;
  }

  writeByte(byte: number): void {
    if (this.length >= this.limit) throw ENOUGH;
    if (this.length === this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.length);
      this.buf = bigger;
    }
    this.buf[this.length++] = byte;
  }

  result(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

/**
 * Decodes a whole bzip2 stream (multistream files too).
 * @param name used in error messages
 * @throws {SourceError} `SOURCE_READ_FAILED` when the data is not valid bzip2.
 */
export function bunzip2(bytes: Uint8Array, name: string): Buffer {
  const sink = new GrowingSink(
    Math.max(1 << 16, bytes.length * 6),
    Number.MAX_SAFE_INTEGER,
  );
  try {
    seekBzip().decode(inputOf(bytes), sink, true);
  } catch (error) {
    throw new SourceError(
      'SOURCE_READ_FAILED',
      `${name}: bad bzip2 data`,
      name,
      {
        cause: error,
      },
    );
  }
  return sink.result();
}

/**
 * Decodes the start of a bzip2 stream: at most `maxBytes` bytes of the first block.
 * @throws {SourceError} `SOURCE_READ_FAILED` when the first block cannot be decoded.
 */
export function bunzip2Head(
  bytes: Uint8Array,
  maxBytes: number,
  name: string,
): Buffer {
  const sink = new GrowingSink(Math.min(maxBytes, 1 << 16), maxBytes);
  try {
    // The first block starts after the 4-byte stream header `BZh1`..`BZh9`.
    seekBzip().decodeBlock(inputOf(bytes), 32, sink);
  } catch (error) {
    if (error !== ENOUGH)
      throw new SourceError(
        'SOURCE_READ_FAILED',
        `${name}: bad bzip2 data`,
        name,
        {
          cause: error,
        },
      );
  }
  return sink.result();
}
