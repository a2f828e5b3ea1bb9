/** Snapshot files on disk: atomic writes, reads into shared memory. */

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { SourceError } from '../errors.js';
import type { Registry } from '../types.js';
import {
  encodeSnapshot,
  looksLikeSnapshot,
  openSnapshot,
  readFixedHeader,
  SNAPSHOT_FIXED_BYTES,
} from './snapshot.js';
import { snapshotInvalid, type ReadAt } from './snapshot-sections.js';

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

/** Closes the files of snapshots dropped before they were read in full. */
const openFiles = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // already closed: nothing to release
  }
});

/** Reads exactly target.length bytes at `position`, or throws. */
function readFully(
  fd: number,
  target: Uint8Array,
  position: number,
  name: string,
): void {
  let off = 0;
  while (off < target.length) {
    let n: number;
    try {
      n = readSync(fd, target, off, target.length - off, position + off);
    } catch (error) {
      throw new SourceError(
        'SOURCE_READ_FAILED',
        `cannot read snapshot ${name}: ${(error as Error).message}`,
        name,
        { cause: error },
      );
    }
    if (n === 0)
      throw snapshotInvalid(
        name,
        `truncated: the file ended at byte ${position + off} while reading it`,
      );
    off += n;
  }
}

/**
 * Opens a snapshot file: reads and checks its header and IPv4 trie into a
 * SharedArrayBuffer the size of the file; the other sections are read into
 * the same buffer, and checked, the first time they are needed. The file
 * stays open until then (it is closed when every section has been read, or
 * when the registry is garbage-collected), so replacing the file by a rename
 * (as `rirmap build` does) does not disturb a loaded registry.
 * @throws {SourceError} `SOURCE_NOT_FOUND`, `SNAPSHOT_INVALID`, `SNAPSHOT_VERSION`;
 *   later, on first use of a section: `SNAPSHOT_INVALID` or `SOURCE_READ_FAILED`.
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
  const name = basename(path);
  let isOpen = true;
  const token = {};
  const close = (): void => {
    if (!isOpen) return;
    isOpen = false;
    openFiles.unregister(token);
    closeSync(fd);
  };
  const read: ReadAt = (target, position) =>
    readFully(fd, target, position, name);
  try {
    const size = fstatSync(fd).size;
    const head = new Uint8Array(SNAPSHOT_FIXED_BYTES);
    readFully(fd, head.subarray(0, Math.min(size, head.length)), 0, name);
    const fixed = readFixedHeader(head, size, name);
    const bytes = new Uint8Array(new SharedArrayBuffer(size));
    bytes.set(head);
    readFully(
      fd,
      bytes.subarray(SNAPSHOT_FIXED_BYTES, fixed.dataStart),
      SNAPSHOT_FIXED_BYTES,
      name,
    );
    readFully(fd, bytes.subarray(size - 8), size - 8, name);
    // The registry's sections hold `read` until they have read everything
    // (then they call `close`); if the registry is dropped first, its
    // collection closes the file.
    openFiles.register(read, fd, token);
    return openSnapshot(bytes, fixed, name, read, close);
  } catch (error) {
    close();
    throw error;
  }
}
