/**
 * The compiled snapshot: a loaded registry (record columns, tries, holder
 * strings, conflicts and provenance) as one binary file that loads with no
 * parsing. The arrays are used in place: the file's bytes go into one
 * SharedArrayBuffer at their file offsets and every column is a typed-array
 * view on it, so worker threads share the same memory.
 *
 * Layout (format 2, little-endian):
 *
 *   offset  size  field
 *   0       8     magic "RIRMAPSN"
 *   8       4     format version (SNAPSHOT_FORMAT)
 *   12      4     header length H (bytes of UTF-8 JSON, space-padded to a multiple of 8)
 *   16      8     total file length (float64, exact below 2^53)
 *   24      4     chunk size C
 *   28      4     chunk count K
 *   32      4     data start D = align8(40 + H + 4K)
 *   36      4     header CRC-32: of bytes [0, 36) then [40, D)
 *   40      H     header JSON: rirmap version, sources, warnings, record count,
 *                 section table (name, element kind, offset from D, length)
 *   40+H    4K    CRC-32 of each C-byte chunk of the data region [D, end-8)
 *   D       …     sections, each starting on an 8-byte boundary: the IPv4
 *                 trie first, then the record columns, the ASN and IPv6
 *                 tries, the conflict pairs; each of these five groups
 *                 starts on a chunk boundary (offset from D a multiple of C)
 *   end-8   4     header CRC-32 again
 *   end-4   4     "END."
 *
 * Loading reads and checks the header (with the chunk checksums) and the IPv4
 * trie; every other chunk is read and checked the first time something needs
 * it (see snapshot-sections.ts), so a corrupt chunk is refused when first
 * used and never answers. Nothing time-dependent is written, so the same data
 * gives the same bytes.
 *
 * Format 1 (one CRC over the whole file, read in full at load) is refused
 * with `SNAPSHOT_VERSION`: rebuild it with `rirmap build`.
 */

import { crc32 } from 'node:zlib';
import { SourceError } from '../errors.js';
import type { RegistryData } from '../registry/build-registry.js';
import { COLUMN_NAMES } from '../registry/record-store.js';
import { RegistryIndex } from '../registry/registry-index.js';
import { plainRegistryData } from '../registry/share.js';
import type { LoadWarning, Registry, SourceInfo } from '../types.js';
import {
  KIND_WIDTH,
  SnapshotSections,
  lazyRegistryData,
  snapshotInvalid,
  type AnyArray,
  type ArrayKind,
  type ReadAt,
  type SectionEntry,
} from './snapshot-sections.js';

/** The snapshot format version this rirmap writes and reads. */
export const SNAPSHOT_FORMAT = 2;
const MAGIC = 'RIRMAPSN';
const TRAILER = 'END.';
/** Bytes before the header JSON. */
export const SNAPSHOT_FIXED_BYTES = 40;
const TRAILER_BYTES = 8;
/** Chunk size: the unit read and checked on first use. */
const CHUNK_SIZE = 16384;
const TABLE_LENGTH = 65537;

interface SnapshotHeader {
  readonly rirmap: string;
  readonly sources: readonly SourceInfo[];
  readonly warnings: readonly LoadWarning[];
  readonly size: number;
  readonly sections: readonly SectionEntry[];
}

/** The fixed fields at the start of a snapshot. */
export interface SnapshotFixedHeader {
  readonly headerLength: number;
  readonly total: number;
  readonly chunkSize: number;
  readonly chunkCount: number;
  readonly dataStart: number;
  readonly headerCrc: number;
}

const COLUMN_KINDS: Readonly<Record<(typeof COLUMN_NAMES)[number], ArrayKind>> =
  {
    type: 'u8',
    status: 'u8',
    rir: 'u8',
    country: 'u16',
    date: 'u32',
    holder: 'i32',
    source: 'u16',
    line: 'u32',
    words: 'u32',
    prefixLength: 'u8',
    holderBytes: 'u8',
    holderOffsets: 'u32',
  };
const TRIE_PARTS = [
  ['table', 'u32'],
  ['starts', 'u32'],
  ['ids', 'i32'],
] as const;

/** Section names and kinds, in file order. */
const SECTIONS: readonly (readonly [string, ArrayKind])[] = [
  ...TRIE_PARTS.map(([p, k]) => [`v4.${p}`, k] as const),
  ...COLUMN_NAMES.map((n) => [`columns.${n}`, COLUMN_KINDS[n]] as const),
  ...TRIE_PARTS.map(([p, k]) => [`asn.${p}`, k] as const),
  ...TRIE_PARTS.map(([p, k]) => [`v6.${p}`, k] as const),
  ['conflicts', 'i32'],
];

function namedArrays(d: RegistryData): AnyArray[] {
  return SECTIONS.map(([name]) => {
    const [group, part] = name.split('.') as [string, string | undefined];
    if (part === undefined) return d.conflicts;
    if (group === 'columns')
      return d.columns[part as (typeof COLUMN_NAMES)[number]];
    return d[group as 'v4' | 'v6' | 'asn'][part as 'table' | 'starts' | 'ids'];
  });
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

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
  const arrays = namedArrays(plainRegistryData(registry.data));
  let offset = 0;
  const sections: SectionEntry[] = arrays.map((a, i) => {
    // Each group (a trie, the columns, the conflicts) starts a chunk of its
    // own, so damage to one group never stops another from answering.
    const group = SECTIONS[i]![0].split('.')[0];
    if (i > 0 && group !== SECTIONS[i - 1]![0].split('.')[0])
      offset = Math.ceil(offset / CHUNK_SIZE) * CHUNK_SIZE;
    const e = {
      name: SECTIONS[i]![0],
      kind: SECTIONS[i]![1],
      offset,
      length: a.length,
    };
    offset = align8(offset + a.byteLength);
    return e;
  });
  const dataLength = offset;
  const header: SnapshotHeader = {
    rirmap: version,
    sources: registry.sources,
    warnings: registry.warnings(),
    size: registry.size,
    sections,
  };
  const json = Buffer.from(JSON.stringify(header));
  const headerLength = align8(json.length);
  const chunkCount = Math.ceil(dataLength / CHUNK_SIZE);
  const dataStart = align8(
    SNAPSHOT_FIXED_BYTES + headerLength + 4 * chunkCount,
  );
  const total = dataStart + dataLength + TRAILER_BYTES;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(Buffer.from(MAGIC, 'latin1'), 0);
  view.setUint32(8, SNAPSHOT_FORMAT, true);
  view.setUint32(12, headerLength, true);
  view.setFloat64(16, total, true);
  view.setUint32(24, CHUNK_SIZE, true);
  view.setUint32(28, chunkCount, true);
  view.setUint32(32, dataStart, true);
  out.set(json, SNAPSHOT_FIXED_BYTES);
  out.fill(
    0x20,
    SNAPSHOT_FIXED_BYTES + json.length,
    SNAPSHOT_FIXED_BYTES + headerLength,
  );
  arrays.forEach((a, i) => {
    out.set(
      new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
      dataStart + sections[i]!.offset,
    );
  });
  const crcAt = SNAPSHOT_FIXED_BYTES + headerLength;
  for (let k = 0; k < chunkCount; k++) {
    const s = dataStart + k * CHUNK_SIZE;
    const e = Math.min(s + CHUNK_SIZE, dataStart + dataLength);
    view.setUint32(crcAt + 4 * k, crc32(out.subarray(s, e)), true);
  }
  const headerCrc = crc32(
    out.subarray(SNAPSHOT_FIXED_BYTES, dataStart),
    crc32(out.subarray(0, 36)),
  );
  view.setUint32(36, headerCrc, true);
  view.setUint32(total - 8, headerCrc, true);
  out.set(Buffer.from(TRAILER, 'latin1'), total - 4);
  return out;
}

/** True when the bytes start like a snapshot (magic check only). */
export function looksLikeSnapshot(head: Uint8Array): boolean {
  return (
    head.length >= 8 &&
    Buffer.from(head.buffer, head.byteOffset, 8).toString('latin1') === MAGIC
  );
}

/**
 * Checks a snapshot's fixed header against the file's size.
 * @param head at least the first SNAPSHOT_FIXED_BYTES bytes (fewer: the file is too short)
 * @throws {SourceError} `SNAPSHOT_INVALID` or `SNAPSHOT_VERSION`.
 */
export function readFixedHeader(
  head: Uint8Array,
  fileSize: number,
  name: string,
): SnapshotFixedHeader {
  if (
    fileSize < SNAPSHOT_FIXED_BYTES + TRAILER_BYTES ||
    head.length < SNAPSHOT_FIXED_BYTES
  )
    throw snapshotInvalid(name, `only ${fileSize} bytes`);
  if (!looksLikeSnapshot(head))
    throw snapshotInvalid(name, 'wrong magic bytes');
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const format = view.getUint32(8, true);
  if (format > SNAPSHOT_FORMAT)
    throw new SourceError(
      'SNAPSHOT_VERSION',
      `${name} was written in snapshot format ${format} by a newer rirmap; this rirmap reads format ${SNAPSHOT_FORMAT}. Upgrade rirmap or rebuild the snapshot with \`rirmap build\`.`,
      name,
    );
  if (format < 1) throw snapshotInvalid(name, `unknown format ${format}`);
  if (format < SNAPSHOT_FORMAT)
    throw new SourceError(
      'SNAPSHOT_VERSION',
      `${name} was written in snapshot format ${format} by an older rirmap; this rirmap reads format ${SNAPSHOT_FORMAT}. Rebuild the snapshot with \`rirmap build\`.`,
      name,
    );
  const total = view.getFloat64(16, true);
  if (total !== fileSize)
    throw snapshotInvalid(
      name,
      `truncated or padded: header says ${total} bytes, file has ${fileSize}`,
    );
  const fixed: SnapshotFixedHeader = {
    headerLength: view.getUint32(12, true),
    total,
    chunkSize: view.getUint32(24, true),
    chunkCount: view.getUint32(28, true),
    dataStart: view.getUint32(32, true),
    headerCrc: view.getUint32(36, true),
  };
  const { headerLength, chunkSize, chunkCount, dataStart } = fixed;
  const dataLength = total - TRAILER_BYTES - dataStart;
  if (
    headerLength % 8 !== 0 ||
    chunkSize === 0 ||
    chunkSize % 8 !== 0 ||
    dataStart !==
      align8(SNAPSHOT_FIXED_BYTES + headerLength + 4 * chunkCount) ||
    dataLength < 0 ||
    chunkCount !== Math.ceil(dataLength / chunkSize)
  )
    throw snapshotInvalid(
      name,
      'inconsistent header fields (checksum mismatch in the header; the file is corrupt)',
    );
  return fixed;
}

/**
 * Opens a snapshot whose header (bytes [0, dataStart)) and last 8 bytes are
 * in `bytes`: checks them and reads the IPv4 trie; `read` fetches the rest on
 * first use (null when `bytes` holds the whole file).
 * @param bytes the whole file's buffer, its byteOffset a multiple of 8
 * @throws {SourceError} `SNAPSHOT_INVALID`.
 */
export function openSnapshot(
  bytes: Uint8Array,
  fixed: SnapshotFixedHeader,
  name: string,
  read: ReadAt | null,
  onComplete: (() => void) | null = null,
): Registry {
  const { total, headerLength, chunkCount, dataStart, chunkSize } = fixed;
  if (
    Buffer.from(bytes.buffer, bytes.byteOffset + total - 4, 4).toString(
      'latin1',
    ) !== TRAILER
  )
    throw snapshotInvalid(name, 'missing end marker');
  const view = new DataView(bytes.buffer, bytes.byteOffset, total);
  const crc = crc32(
    bytes.subarray(SNAPSHOT_FIXED_BYTES, dataStart),
    crc32(bytes.subarray(0, 36)),
  );
  if (crc !== fixed.headerCrc || crc !== view.getUint32(total - 8, true))
    throw snapshotInvalid(
      name,
      'checksum mismatch in the header (the file is corrupt)',
    );
  let header: SnapshotHeader;
  try {
    header = JSON.parse(
      Buffer.from(
        bytes.buffer,
        bytes.byteOffset + SNAPSHOT_FIXED_BYTES,
        headerLength,
      ).toString('utf8'),
    );
  } catch (error) {
    throw snapshotInvalid(
      name,
      `unreadable header (${(error as Error).message})`,
    );
  }
  const dataEnd = total - TRAILER_BYTES;
  checkSections(header, dataEnd - dataStart, name);
  const crcAt = SNAPSHOT_FIXED_BYTES + headerLength;
  const chunkCrcs = new Uint32Array(chunkCount);
  for (let k = 0; k < chunkCount; k++)
    chunkCrcs[k] = view.getUint32(crcAt + 4 * k, true);
  const sections = new SnapshotSections(
    bytes,
    name,
    { dataStart, dataEnd, chunkSize, chunkCrcs, sections: header.sections },
    read,
    onComplete,
  );
  const { data, records } = lazyRegistryData(sections, header.size);
  return new RegistryIndex(data, header.sources, header.warnings, records);
}

/** Checks the section table: every section present once, of its kind and size, inside the data. */
function checkSections(
  header: SnapshotHeader,
  dataLength: number,
  name: string,
): void {
  const bad = (why: string) => snapshotInvalid(name, why);
  const size = header.size;
  if (!Number.isInteger(size) || size < 0 || !Array.isArray(header.sections))
    throw bad('header without a record count or section table');
  const byName = new Map(header.sections.map((e) => [e.name, e]));
  const lengthOf = (n: string) => byName.get(n)?.length ?? -1;
  for (const [n, kind] of SECTIONS) {
    const e = byName.get(n);
    if (e === undefined) throw bad(`section ${n} missing`);
    if (
      e.kind !== kind ||
      !Number.isInteger(e.offset) ||
      !Number.isInteger(e.length) ||
      e.offset % 8 !== 0 ||
      e.offset < 0 ||
      e.length < 0 ||
      e.offset + e.length * KIND_WIDTH[kind] > dataLength
    )
      throw bad(`section ${n} out of bounds`);
  }
  const expect: [string, number][] = [
    ...COLUMN_NAMES.filter(
      (c) => c !== 'holderBytes' && c !== 'holderOffsets',
    ).map((c): [string, number] => [
      `columns.${c}`,
      c === 'words' ? size * 4 : size,
    ]),
    ['v4.table', TABLE_LENGTH],
    ['asn.table', TABLE_LENGTH],
    ['v6.table', TABLE_LENGTH],
    ['v4.starts', lengthOf('v4.ids')],
    ['asn.starts', lengthOf('asn.ids')],
    ['v6.starts', lengthOf('v6.ids') * 4],
  ];
  for (const [n, length] of expect)
    if (lengthOf(n) !== length)
      throw bad(`section ${n} has ${lengthOf(n)} entries, expected ${length}`);
  if (lengthOf('columns.holderOffsets') < 1 || lengthOf('conflicts') % 2 !== 0)
    throw bad('holder or conflict table malformed');
}

/**
 * Decodes snapshot bytes into a registry; the arrays are views on `bytes`
 * (pass bytes on a SharedArrayBuffer to share them with workers). The header
 * and the IPv4 trie are checked now, every other chunk when first used.
 * @param name file name used in error messages
 * @throws {SourceError} `SNAPSHOT_INVALID` (truncated, corrupt, not a snapshot) or
 *   `SNAPSHOT_VERSION` (written in another snapshot format); later, on first
 *   use of a damaged section, `SNAPSHOT_INVALID`.
 */
export function decodeSnapshot(bytes: Uint8Array, name: string): Registry {
  const fixed = readFixedHeader(bytes, bytes.length, name);
  // Typed-array views need aligned offsets: copy bytes that are not.
  let b = bytes;
  if (b.byteOffset % 8 !== 0) {
    const shared =
      typeof SharedArrayBuffer !== 'undefined' &&
      b.buffer instanceof SharedArrayBuffer;
    b = new Uint8Array(
      shared ? new SharedArrayBuffer(b.length) : new ArrayBuffer(b.length),
    );
    b.set(bytes);
  }
  return openSnapshot(b, fixed, name, null);
}
