/**
 * The sections of a compiled snapshot, read and verified on first use.
 *
 * A snapshot's data region is cut into fixed-size chunks, each with its own
 * CRC-32 in the (checksummed) header. The file's bytes go into one buffer at
 * their file offsets, but a chunk is read and checked only when something
 * needs it: loading costs the header and the IPv4 trie, not the whole file
 * (on machines where first-touch page faults dominate, that is the difference
 * between tens and hundreds of milliseconds). Nothing is handed out before its
 * chunks passed their checksum:
 *
 * - tries and whole columns go out through getters that load their section
 *   first (`LazyTrie`, `LazyColumns`, the `conflicts` getter), so code that
 *   reads `registry.data` directly is always served verified bytes;
 * - the registry's own record builder reads raw views, but only after
 *   `load(id)` verified the chunks holding record `id` and its holder string.
 *
 * A corrupt chunk therefore fails (SNAPSHOT_INVALID, "checksum mismatch") the
 * first time it is needed, and never yields an answer.
 */

import { crc32 } from 'node:zlib';
import { SourceError } from '../errors.js';
import type { RegistryData } from '../registry/build-registry.js';
import {
  COLUMN_NAMES,
  type LazyRecordColumns,
  type RecordColumns,
} from '../registry/record-store.js';
import type { Trie32Data } from '../trie/interval-trie.js';

/** Element type of a section. */
export type ArrayKind = 'u8' | 'u16' | 'u32' | 'i32';
/** The typed arrays a section can be. */
export type AnyArray = Uint8Array | Uint16Array | Uint32Array | Int32Array;

/** Bytes per element of each kind. */
export const KIND_WIDTH: Readonly<Record<ArrayKind, number>> = {
  u8: 1,
  u16: 2,
  u32: 4,
  i32: 4,
};

/** A section of the data region: `offset` is relative to the region's start. */
export interface SectionEntry {
  readonly name: string;
  readonly kind: ArrayKind;
  readonly offset: number;
  readonly length: number;
}

/** Where the data region and its chunks are. */
export interface SectionLayout {
  /** File offset of the data region (a multiple of 8). */
  readonly dataStart: number;
  /** File offset just past the data region. */
  readonly dataEnd: number;
  readonly chunkSize: number;
  /** CRC-32 of each chunk, in order. */
  readonly chunkCrcs: Uint32Array;
  readonly sections: readonly SectionEntry[];
}

/** Fills `target` with the file's bytes from `position` on, or throws. */
export type ReadAt = (target: Uint8Array, position: number) => void;

/** The error for a file that is not a usable snapshot. */
export function snapshotInvalid(name: string, why: string): SourceError {
  return new SourceError(
    'SNAPSHOT_INVALID',
    `${name} is not a usable rirmap snapshot: ${why}`,
    name,
  );
}

/** Loads and verifies chunks of one snapshot into its buffer. */
export class SnapshotSections {
  readonly #bytes: Uint8Array;
  readonly #name: string;
  readonly #layout: SectionLayout;
  readonly #loaded: Uint8Array;
  readonly #index = new Map<string, number>();
  readonly #raw: AnyArray[];
  readonly #ready: (AnyArray | undefined)[];
  #read: ReadAt | null;
  #missing: number;
  #onComplete: (() => void) | null;

  /**
   * @param bytes the whole file's buffer (only the header need be filled)
   * @param read fills missing bytes; null when `bytes` already holds the file
   * @param onComplete called once every chunk is loaded (to close the file)
   */
  constructor(
    bytes: Uint8Array,
    name: string,
    layout: SectionLayout,
    read: ReadAt | null,
    onComplete: (() => void) | null = null,
  ) {
    this.#bytes = bytes;
    this.#name = name;
    this.#layout = layout;
    this.#read = read;
    this.#onComplete = onComplete;
    this.#loaded = new Uint8Array(layout.chunkCrcs.length);
    this.#missing = layout.chunkCrcs.length;
    const buf = bytes.buffer;
    this.#raw = layout.sections.map((e, i) => {
      this.#index.set(e.name, i);
      const off = bytes.byteOffset + layout.dataStart + e.offset;
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
    });
    this.#ready = this.#raw.map(() => undefined);
  }

  /** The file name used in error messages. */
  get name(): string {
    return this.#name;
  }

  /** Index of a section by name (the layout was validated: it exists). */
  indexOf(name: string): number {
    return this.#index.get(name)!;
  }

  /** A section's view, NOT verified: read a slot only after `slots` covered it. */
  raw(i: number): AnyArray {
    return this.#raw[i]!;
  }

  /** A section's view, read and verified in full. */
  get(i: number): AnyArray {
    let a = this.#ready[i];
    if (a === undefined) {
      a = this.#raw[i]!;
      this.slots(i, 0, a.length);
      this.#ready[i] = a;
    }
    return a;
  }

  /** Reads and verifies the elements [first, first + count) of section `i`. */
  slots(i: number, first: number, count: number): void {
    const e = this.#layout.sections[i]!;
    if (first < 0 || count < 0 || first + count > e.length)
      throw snapshotInvalid(
        this.#name,
        `an index points outside ${e.name} (the file is corrupt)`,
      );
    const w = KIND_WIDTH[e.kind];
    const from = this.#layout.dataStart + e.offset + first * w;
    this.#ensure(from, from + count * w);
  }

  /** Makes the file bytes [from, to) readable: reads and checks their chunks. */
  #ensure(from: number, to: number): void {
    if (from >= to) return;
    const { dataStart, dataEnd, chunkSize, chunkCrcs } = this.#layout;
    const loaded = this.#loaded;
    const last = Math.floor((to - 1 - dataStart) / chunkSize);
    for (let k = Math.floor((from - dataStart) / chunkSize); k <= last; k++) {
      if (loaded[k] === 1) continue;
      // One read for each run of missing chunks, then a checksum per chunk.
      let j = k;
      while (j < last && loaded[j + 1] === 0) j++;
      const a = dataStart + k * chunkSize;
      const b = Math.min(dataStart + (j + 1) * chunkSize, dataEnd);
      if (this.#read !== null) this.#read(this.#bytes.subarray(a, b), a);
      for (let x = k; x <= j; x++) {
        const s = dataStart + x * chunkSize;
        const t = Math.min(s + chunkSize, dataEnd);
        if (crc32(this.#bytes.subarray(s, t)) !== chunkCrcs[x])
          throw snapshotInvalid(
            this.#name,
            `checksum mismatch in ${this.#sectionAt(s, t)} (bytes ${s}-${t - 1}; the file is corrupt)`,
          );
        loaded[x] = 1;
        this.#missing--;
      }
      k = j;
    }
    if (this.#missing === 0 && this.#onComplete !== null) {
      const done = this.#onComplete;
      this.#onComplete = null;
      this.#read = null;
      done();
    }
  }

  /** The names of the sections overlapping file bytes [s, t), for messages. */
  #sectionAt(s: number, t: number): string {
    const { dataStart, sections } = this.#layout;
    const names = sections
      .filter((e) => {
        const a = dataStart + e.offset;
        const b = a + e.length * KIND_WIDTH[e.kind];
        return a < t && b > s;
      })
      .map((e) => e.name);
    return names.length > 0 ? `section ${names.join(', ')}` : 'padding';
  }
}

/** A trie whose arrays are read on first use. */
class LazyTrie implements Trie32Data {
  readonly #sections: SnapshotSections;
  readonly #prefix: string;
  #arrays: Trie32Data | undefined;

  constructor(sections: SnapshotSections, prefix: string) {
    this.#sections = sections;
    this.#prefix = prefix;
  }

  #load(): Trie32Data {
    const s = this.#sections;
    const p = this.#prefix;
    const table = s.get(s.indexOf(`${p}.table`)) as Uint32Array;
    const starts = s.get(s.indexOf(`${p}.starts`)) as Uint32Array;
    const ids = s.get(s.indexOf(`${p}.ids`)) as Int32Array;
    this.#arrays = { starts, ids, table };
    return this.#arrays;
  }

  get starts(): Uint32Array {
    return (this.#arrays ?? this.#load()).starts;
  }

  get ids(): Int32Array {
    return (this.#arrays ?? this.#load()).ids;
  }

  get table(): Uint32Array {
    return (this.#arrays ?? this.#load()).table;
  }
}

/** Record columns whose arrays are each read in full on first use. */
class LazyColumns implements RecordColumns {
  readonly size: number;
  readonly #sections: SnapshotSections;
  /** Section index of each column, in COLUMN_NAMES order. */
  readonly #at: number[];

  constructor(sections: SnapshotSections, size: number) {
    this.size = size;
    this.#sections = sections;
    this.#at = COLUMN_NAMES.map((n) => sections.indexOf(`columns.${n}`));
  }

  #col(k: number): AnyArray {
    return this.#sections.get(this.#at[k]!);
  }

  get type(): Uint8Array {
    return this.#col(0) as Uint8Array;
  }
  get status(): Uint8Array {
    return this.#col(1) as Uint8Array;
  }
  get rir(): Uint8Array {
    return this.#col(2) as Uint8Array;
  }
  get country(): Uint16Array {
    return this.#col(3) as Uint16Array;
  }
  get date(): Uint32Array {
    return this.#col(4) as Uint32Array;
  }
  get holder(): Int32Array {
    return this.#col(5) as Int32Array;
  }
  get source(): Uint16Array {
    return this.#col(6) as Uint16Array;
  }
  get line(): Uint32Array {
    return this.#col(7) as Uint32Array;
  }
  get words(): Uint32Array {
    return this.#col(8) as Uint32Array;
  }
  get prefixLength(): Uint8Array {
    return this.#col(9) as Uint8Array;
  }
  get holderBytes(): Uint8Array {
    return this.#col(10) as Uint8Array;
  }
  get holderOffsets(): Uint32Array {
    return this.#col(11) as Uint32Array;
  }
}

/** Registry data of a snapshot: IPv4 trie ready, the rest on first use. */
class LazyRegistryData implements RegistryData {
  readonly columns: RecordColumns;
  readonly v4: Trie32Data;
  readonly v6: Trie32Data;
  readonly asn: Trie32Data;
  readonly #sections: SnapshotSections;

  constructor(sections: SnapshotSections, size: number) {
    this.#sections = sections;
    this.columns = new LazyColumns(sections, size);
    const s = sections;
    this.v4 = {
      table: s.get(s.indexOf('v4.table')) as Uint32Array,
      starts: s.get(s.indexOf('v4.starts')) as Uint32Array,
      ids: s.get(s.indexOf('v4.ids')) as Int32Array,
    };
    this.v6 = new LazyTrie(sections, 'v6');
    this.asn = new LazyTrie(sections, 'asn');
  }

  get conflicts(): Int32Array {
    const s = this.#sections;
    return s.get(s.indexOf('conflicts')) as Int32Array;
  }
}

/** Records per block: a block's slots are read together (its words: 32 KiB). */
const BLOCK = 2048;

/** Per-record slot loading for the registry's record builder. */
class RecordSlots implements LazyRecordColumns {
  readonly columns: RecordColumns;
  readonly #sections: SnapshotSections;
  readonly #size: number;
  /** Slots read for a record: every column (`words`: four) but the holder strings. */
  readonly #perRecord: { i: number; n: number }[];
  /** 1 once a block's column slots are read. */
  readonly #blocks: Uint8Array;
  readonly #holder: Int32Array;
  readonly #offsets: Uint32Array;
  readonly #offsetsAt: number;
  readonly #bytesAt: number;

  constructor(sections: SnapshotSections, size: number) {
    this.#sections = sections;
    this.#size = size;
    const raw = Object.fromEntries(
      COLUMN_NAMES.map((n) => [
        n,
        sections.raw(sections.indexOf(`columns.${n}`)),
      ]),
    );
    this.columns = { ...raw, size } as unknown as RecordColumns;
    this.#perRecord = COLUMN_NAMES.filter(
      (n) => n !== 'holderBytes' && n !== 'holderOffsets',
    ).map((n) => ({
      i: sections.indexOf(`columns.${n}`),
      n: n === 'words' ? 4 : 1,
    }));
    this.#blocks = new Uint8Array(Math.ceil(size / BLOCK));
    this.#holder = this.columns.holder;
    this.#offsets = this.columns.holderOffsets;
    this.#offsetsAt = sections.indexOf('columns.holderOffsets');
    this.#bytesAt = sections.indexOf('columns.holderBytes');
  }

  load(id: number): void {
    const s = this.#sections;
    const b = Math.floor(id / BLOCK);
    if (this.#blocks[b] !== 1) {
      const first = b * BLOCK;
      const count = Math.min(BLOCK, this.#size - first);
      for (const { i, n } of this.#perRecord) s.slots(i, first * n, count * n);
      this.#blocks[b] = 1;
    }
    const h = this.#holder[id]!;
    if (h < 0) return;
    s.slots(this.#offsetsAt, h, 2);
    const from = this.#offsets[h]!;
    const to = this.#offsets[h + 1]!;
    if (to < from)
      throw snapshotInvalid(
        s.name,
        `holder string ${h} has a negative length (the file is corrupt)`,
      );
    s.slots(this.#bytesAt, from, to - from);
  }
}

/**
 * The registry data over a snapshot's sections: the IPv4 trie is read and
 * verified now, everything else on first use.
 * @throws {SourceError} `SNAPSHOT_INVALID` when the IPv4 trie is corrupt.
 */
export function lazyRegistryData(
  sections: SnapshotSections,
  size: number,
): { data: RegistryData; records: LazyRecordColumns } {
  return {
    data: new LazyRegistryData(sections, size),
    records: new RecordSlots(sections, size),
  };
}
