/**
 * The RDAP answer cache on disk (`--rdap-cache FILE`): JSON Lines, one answer
 * per line, appended as answers arrive, so a second run over the same data
 * asks nothing again. Append-only and crash-safe: a run killed mid-write
 * leaves at most a torn last line, which the next load skips (and the next
 * append starts on a fresh line). Lines are self-describing:
 *
 *   {"v":1,"t":"net","scope":"…","q":"8.8.8.8","fetchedAt":"…Z","info":{…}}
 *   {"v":1,"t":"miss","scope":"…","q":"192.0.0.9","fetchedAt":"…Z"}
 *
 * Later lines win over earlier ones when loaded.
 */

import { open, readFile, type FileHandle } from 'node:fs/promises';
import { SourceError } from '../errors.js';
import type { RdapInfo } from './rdap-types.js';

/** One cached answer as stored. */
export type RdapDiskRecord =
  | {
      readonly v: 1;
      readonly t: 'net';
      readonly scope: string;
      readonly q: string;
      readonly fetchedAt: string;
      readonly info: Omit<RdapInfo, 'status'>;
    }
  | {
      readonly v: 1;
      readonly t: 'miss';
      readonly scope: string;
      readonly q: string;
      readonly fetchedAt: string;
    };

function isRecord(x: unknown): x is RdapDiskRecord {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  if (
    r['v'] !== 1 ||
    typeof r['scope'] !== 'string' ||
    typeof r['q'] !== 'string'
  )
    return false;
  if (
    typeof r['fetchedAt'] !== 'string' ||
    !Number.isFinite(Date.parse(r['fetchedAt']))
  )
    return false;
  if (r['t'] === 'miss') return true;
  if (r['t'] !== 'net' || typeof r['info'] !== 'object' || r['info'] === null)
    return false;
  const info = r['info'] as Record<string, unknown>;
  return (
    typeof info['start'] === 'string' &&
    typeof info['end'] === 'string' &&
    Array.isArray(info['cidrs'])
  );
}

/** Append-only JSON Lines cache file. */
export class RdapDiskCache {
  readonly path: string;
  private handle: FileHandle | null = null;
  private needsNewline = false;
  private queue: string[] = [];
  private writing: Promise<void> | null = null;
  private closed = false;
  /** The first write error; writing stops after it. */
  error: unknown = null;
  private readonly onWriteError: (error: SourceError) => void;

  /** @param onWriteError called once, with the first write error. */
  constructor(
    path: string,
    onWriteError: (error: SourceError) => void = () => undefined,
  ) {
    this.path = path;
    this.onWriteError = onWriteError;
  }

  /**
   * Reads every valid line. A missing file is an empty cache.
   * @returns counts of records read and lines skipped (torn or invalid).
   * @throws {SourceError} `SOURCE_READ_FAILED` when the file exists but cannot be read.
   */
  async load(
    onRecord: (record: RdapDiskRecord) => void,
  ): Promise<{ records: number; skipped: number }> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.path);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT')
        return { records: 0, skipped: 0 };
      throw new SourceError(
        'SOURCE_READ_FAILED',
        `cannot read RDAP cache ${this.path}`,
        this.path,
        {
          cause: error,
        },
      );
    }
    this.needsNewline = bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a;
    let records = 0;
    let skipped = 0;
    for (const line of bytes.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line) as unknown;
      } catch {
        skipped++;
        continue;
      }
      if (!isRecord(parsed)) {
        skipped++;
        continue;
      }
      records++;
      onRecord(parsed);
    }
    return { records, skipped };
  }

  /** Queues a record; lines are written in order, in batches. */
  append(record: RdapDiskRecord): void {
    if (this.closed || this.error !== null) return;
    this.queue.push(`${JSON.stringify(record)}\n`);
    if (this.writing === null) this.writing = this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0 && this.error === null) {
        if (this.handle === null) {
          this.handle = await open(this.path, 'a');
          const { size } = await this.handle.stat();
          // The file may have changed since load: only its last byte matters.
          if (size > 0) {
            const last = Buffer.alloc(1);
            const probe = await open(this.path, 'r');
            try {
              await probe.read(last, 0, 1, size - 1);
            } finally {
              await probe.close();
            }
            this.needsNewline = last[0] !== 0x0a;
          }
          if (this.needsNewline) await this.handle.write('\n');
          this.needsNewline = false;
        }
        const batch = this.queue.join('');
        this.queue = [];
        await this.handle.write(batch);
      }
    } catch (error) {
      this.error = error;
      this.queue = [];
      this.onWriteError(
        new SourceError(
          'SOURCE_READ_FAILED',
          `cannot write RDAP cache ${this.path}`,
          this.path,
          {
            cause: error,
          },
        ),
      );
    } finally {
      this.writing = null;
    }
  }

  /** Resolves when every queued line is written (or writing failed). */
  async flush(): Promise<void> {
    while (this.writing !== null) await this.writing;
  }

  /** Flushes and closes the file. Further appends are ignored. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    const h = this.handle;
    this.handle = null;
    if (h !== null) await h.close();
  }
}
