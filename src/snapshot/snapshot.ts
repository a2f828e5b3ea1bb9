/**
 * The compiled snapshot: a loaded registry (record columns, tries, holder
 * strings, conflicts and provenance) as one binary file that loads with one
 * read and no parsing. The arrays are used in place: the file is read into a
 * SharedArrayBuffer and every column is a typed-array view on it, so worker
 * threads share the same memory.
 *
 * Layout (little-endian):
 *
 *   offset  size  field
 *   0       8     magic "RIRMAPSN"
 *   8       4     format version (SNAPSHOT_FORMAT)
 *   12      4     header length H (bytes of UTF-8 JSON)
 *   16      8     total file length (float64, exact below 2^53)
 *   24      H     header JSON: rirmap version, sources, warnings, array table
 *   …             arrays, each starting on an 8-byte boundary
 *   end-8   4     CRC-32 of bytes [0, end-8)
 *   end-4   4     "END."
 *
 * Nothing time-dependent is written, so the same data gives the same bytes.
 */

import { crc32 } from 'node:zlib';
import { SourceError } from '../errors.js';
import type { RegistryData } from '../registry/build-registry.js';
import type { RecordColumns } from '../registry/record-store.js';
import { RegistryIndex } from '../registry/registry-index.js';
import type { LoadWarning, Registry, SourceInfo } from '../types.js';

/** The snapshot format version this rirmap writes and reads. */
export const SNAPSHOT_FORMAT = 1;
const MAGIC = 'RIRMAPSN';
const TRAILER = 'END.';
const FIXED = 24;

type ArrayKind = 'u8' | 'u16' | 'u32' | 'i32';
type AnyArray = Uint8Array | Uint16Array | Uint32Array | Int32Array;

interface ArrayEntry {
  readonly name: string;
  readonly kind: ArrayKind;
  readonly offset: number;
  readonly length: number;
}

interface SnapshotHeader {
  readonly rirmap: string;
  readonly sources: readonly SourceInfo[];
  readonly warnings: readonly LoadWarning[];
  readonly size: number;
  readonly arrays: readonly ArrayEntry[];
}

const COLUMN_NAMES = [
  'type',
  'status',
  'rir',
  'country',
  'date',
  'holder',
  'source',
  'line',
  'words',
  'prefixLength',
  'holderBytes',
  'holderOffsets',
] as const;

function kindOf(a: AnyArray): ArrayKind {
  if (a instanceof Uint8Array) return 'u8';
  if (a instanceof Uint16Array) return 'u16';
  if (a instanceof Int32Array) return 'i32';
  return 'u32';
}

function namedArrays(d: RegistryData): [string, AnyArray][] {
  const out: [string, AnyArray][] = COLUMN_NAMES.map((n) => [
    `columns.${n}`,
    d.columns[n],
  ]);
  for (const t of ['v4', 'v6', 'asn'] as const) {
    out.push(
      [`${t}.starts`, d[t].starts],
      [`${t}.ids`, d[t].ids],
      [`${t}.table`, d[t].table],
    );
  }
  out.push(['conflicts', d.conflicts]);
  return out;
}

const align8 = (n: number) => (n + 7) & ~7;

/**
 * Encodes a registry as snapshot bytes.
 * @param version rirmap's version, recorded in the header
 * @throws {TypeError} when the registry was not built by rirmap.
 */
export function encodeSnapshot(
  registry: Registry,
  version: string,
): Uint8Array {
  if (!(registry instanceof RegistryIndex))
    throw new TypeError(
      '`registry` must be a registry returned by loadRegistry',
    );
  const arrays = namedArrays(registry.data);
  // The header holds the offsets, whose values depend on the header's length:
  // lay out with a placeholder, then fix the point once the length is stable.
  let headerLength = 256;
  let entries: ArrayEntry[] = [];
  let json = '';
  for (;;) {
    let offset = align8(FIXED + headerLength);
    entries = arrays.map(([name, a]) => {
      const e = { name, kind: kindOf(a), offset, length: a.length };
      offset = align8(offset + a.byteLength);
      return e;
    });
    const header: SnapshotHeader = {
      rirmap: version,
      sources: registry.sources,
      warnings: registry.warnings(),
      size: registry.size,
      arrays: entries,
    };
    json = JSON.stringify(header);
    const len = Buffer.byteLength(json);
    if (len <= headerLength) break;
    headerLength = len + 64; // room for offsets growing by a digit or two
  }
  const jsonBytes = Buffer.from(json.padEnd(headerLength, ' '));
  const last = entries[entries.length - 1]!;
  const lastArray = arrays[arrays.length - 1]![1];
  const total = align8(last.offset + lastArray.byteLength) + 8;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(Buffer.from(MAGIC, 'latin1'), 0);
  view.setUint32(8, SNAPSHOT_FORMAT, true);
  view.setUint32(12, headerLength, true);
  view.setFloat64(16, total, true);
  out.set(jsonBytes, FIXED);
  arrays.forEach(([, a], i) => {
    out.set(
      new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
      entries[i]!.offset,
    );
  });
  view.setUint32(total - 8, crc32(out.subarray(0, total - 8)), true);
  out.set(Buffer.from(TRAILER, 'latin1'), total - 4);
  return out;
}

function invalid(path: string, why: string): SourceError {
  return new SourceError(
    'SNAPSHOT_INVALID',
    `${path} is not a usable rirmap snapshot: ${why}`,
    path,
  );
}

/** True when the bytes start like a snapshot (magic check only). */
export function looksLikeSnapshot(head: Uint8Array): boolean {
  return (
    head.length >= 8 &&
    Buffer.from(head.subarray(0, 8)).toString('latin1') === MAGIC
  );
}

/**
 * Decodes snapshot bytes into a registry; the arrays are views on `bytes`
 * (pass bytes on a SharedArrayBuffer to share them with workers).
 * @param name file name used in error messages
 * @throws {SourceError} `SNAPSHOT_INVALID` (truncated, corrupt, not a snapshot) or
 *   `SNAPSHOT_VERSION` (written by a newer rirmap).
 */
export function decodeSnapshot(bytes: Uint8Array, name: string): Registry {
  if (bytes.length < FIXED + 8)
    throw invalid(name, `only ${bytes.length} bytes`);
  if (!looksLikeSnapshot(bytes)) throw invalid(name, 'wrong magic bytes');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const format = view.getUint32(8, true);
  if (format > SNAPSHOT_FORMAT)
    throw new SourceError(
      'SNAPSHOT_VERSION',
      `${name} was written in snapshot format ${format} by a newer rirmap; this rirmap reads format ${SNAPSHOT_FORMAT}. Upgrade rirmap or rebuild the snapshot with \`rirmap build\`.`,
      name,
    );
  if (format < 1) throw invalid(name, `unknown format ${format}`);
  const total = view.getFloat64(16, true);
  if (total !== bytes.length)
    throw invalid(
      name,
      `truncated or padded: header says ${total} bytes, file has ${bytes.length}`,
    );
  if (Buffer.from(bytes.subarray(total - 4)).toString('latin1') !== TRAILER)
    throw invalid(name, 'missing end marker');
  const stored = view.getUint32(total - 8, true);
  const actual = crc32(bytes.subarray(0, total - 8));
  if (stored !== actual)
    throw invalid(name, 'checksum mismatch (the file is corrupt)');
  const headerLength = view.getUint32(12, true);
  let header: SnapshotHeader;
  try {
    header = JSON.parse(
      Buffer.from(bytes.subarray(FIXED, FIXED + headerLength)).toString('utf8'),
    );
  } catch (error) {
    throw invalid(name, `unreadable header (${(error as Error).message})`);
  }
  const get = (n: string): AnyArray => {
    const e = header.arrays.find((x) => x.name === n);
    if (e === undefined) throw invalid(name, `array ${n} missing`);
    const off = bytes.byteOffset + e.offset;
    const width = e.kind === 'u8' ? 1 : e.kind === 'u16' ? 2 : 4;
    if (e.offset % 8 !== 0 || e.offset + e.length * width > total - 8)
      throw invalid(name, `array ${n} out of bounds`);
    const buf = bytes.buffer;
    switch (e.kind) {
      case 'u8':
        return new Uint8Array(buf, off, e.length);
      case 'u16':
        return new Uint16Array(buf, off, e.length);
      case 'i32':
        return new Int32Array(buf, off, e.length);
      default:
        return new Uint32Array(buf, off, e.length);
    }
  };
  const columns = Object.fromEntries(
    COLUMN_NAMES.map((n) => [n, get(`columns.${n}`)]),
  );
  const data: RegistryData = {
    columns: { ...columns, size: header.size } as unknown as RecordColumns,
    v4: {
      starts: get('v4.starts') as Uint32Array,
      ids: get('v4.ids') as Int32Array,
      table: get('v4.table') as Uint32Array,
    },
    v6: {
      starts: get('v6.starts') as Uint32Array,
      ids: get('v6.ids') as Int32Array,
      table: get('v6.table') as Uint32Array,
    },
    asn: {
      starts: get('asn.starts') as Uint32Array,
      ids: get('asn.ids') as Int32Array,
      table: get('asn.table') as Uint32Array,
    },
    conflicts: get('conflicts') as Int32Array,
  };
  return new RegistryIndex(data, header.sources, header.warnings);
}
