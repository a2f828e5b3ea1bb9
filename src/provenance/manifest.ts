/**
 * The run manifest: what a run used and produced, so that an answer can be
 * traced to the exact files behind it and the run repeated later.
 */

import { createHash, type Hash } from 'node:crypto';
import type { SourceInfo } from '../types.js';

/** One data file used by a run. */
export interface ManifestDataFile {
  readonly file: string;
  readonly registry: string;
  readonly serial: string;
  readonly endDate: string | null;
  readonly sha256: string;
  readonly records: number;
  readonly kind: 'standard' | 'extended';
  readonly warnings: number;
}

/** One side (input or output) of a run. */
export interface ManifestStream {
  /** File path as given, or `-` for standard input/output, or `arguments` for CLI queries. */
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly rows: number;
}

/** The manifest written by `--manifest FILE`. */
export interface RunManifest {
  readonly rirmap: string;
  readonly command: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly data: readonly ManifestDataFile[];
  readonly input: ManifestStream;
  readonly output: ManifestStream;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly node: string;
}

/** The data-file part of a manifest, from a registry's sources. */
export function manifestDataFiles(
  sources: readonly SourceInfo[],
): ManifestDataFile[] {
  return sources.map((s) => ({
    file: s.file,
    registry: s.registry,
    serial: s.serial,
    endDate: s.endDate,
    sha256: s.sha256,
    records: s.records,
    kind: s.kind,
    warnings: s.warnings,
  }));
}

/** Counts bytes and rows (newlines) and hashes what passes through. */
export class StreamTally {
  readonly #hash: Hash = createHash('sha256');
  bytes = 0;
  newlines = 0;
  #last = 10;

  /** Adds a chunk. */
  update(chunk: Uint8Array | string): void {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.#hash.update(b);
    this.bytes += b.length;
    let i = -1;
    const buf = Buffer.isBuffer(b)
      ? b
      : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    while ((i = buf.indexOf(10, i + 1)) !== -1) this.newlines++;
    if (b.length > 0) this.#last = b[b.length - 1]!;
  }

  /** Rows: lines, counting a last line without a newline. */
  get rows(): number {
    return this.newlines + (this.bytes > 0 && this.#last !== 10 ? 1 : 0);
  }

  /** The sha256 (hex) of everything added. Call once. */
  digest(): string {
    return this.#hash.digest('hex');
  }
}

/** Builds a manifest object (key order fixed). */
export function buildManifest(m: RunManifest): RunManifest {
  return {
    rirmap: m.rirmap,
    command: m.command,
    options: m.options,
    data: m.data,
    input: m.input,
    output: m.output,
    startedAt: m.startedAt,
    endedAt: m.endedAt,
    node: m.node,
  };
}
