/** Snapshot files on disk: atomic writes, reads into shared memory. */

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { SourceError } from '../errors.js';
import type { Registry } from '../types.js';
import {
  decodeSnapshot,
  encodeSnapshot,
  looksLikeSnapshot,
} from './snapshot.js';

/**
 * Writes a registry as a snapshot file: to a temporary name, then renamed, so
 * the final name never holds a partial file.
 * @returns the number of bytes written.
 */
export async function writeSnapshotFile(
  registry: Registry,
  path: string,
  version: string,
): Promise<number> {
  const bytes = encodeSnapshot(registry, version);
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw new SourceError(
      'SOURCE_READ_FAILED',
      `cannot write snapshot ${path}: ${(error as Error).message}`,
      path,
      {
        cause: error,
      },
    );
  }
  return bytes.length;
}

/** True when the file at `path` starts with the snapshot magic bytes. */
export function isSnapshotFile(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    if (!fstatSync(fd).isFile()) return false;
    const head = new Uint8Array(8);
    const n = readSync(fd, head, 0, 8, 0);
    return n === 8 && looksLikeSnapshot(head);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a snapshot file into a SharedArrayBuffer and decodes it in place.
 * @throws {SourceError} `SOURCE_NOT_FOUND`, `SNAPSHOT_INVALID`, `SNAPSHOT_VERSION`.
 */
export function readSnapshotFile(path: string): Registry {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new SourceError(
      'SOURCE_NOT_FOUND',
      `cannot open snapshot ${path}: ${(error as Error).message}`,
      path,
      {
        cause: error,
      },
    );
  }
  try {
    const size = fstatSync(fd).size;
    const bytes = new Uint8Array(
      new SharedArrayBuffer(Math.max(size, 8)),
      0,
      size,
    );
    let off = 0;
    while (off < size) {
      const n = readSync(fd, bytes, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    return decodeSnapshot(bytes.subarray(0, off), basename(path));
  } finally {
    closeSync(fd);
  }
}
