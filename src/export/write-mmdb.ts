/**
 * Writes the registry as a MaxMind DB file (format 2.0) that MMDB readers —
 * libmaxminddb, the `maxmind` npm package, Python's `maxminddb`, Logstash,
 * Elasticsearch, Vector — can open.
 *
 * Layout of the file:
 *   search tree | 16 zero bytes | data section | "\xAB\xCD\xEFMaxMind.com" | metadata map
 *
 * IPv4 in an IPv6 database: IPv4 addresses live at `::/96` (`::a.b.c.d`), as
 * the specification lays down, and `::ffff:0:0/96` points at the same subtree
 * (MaxMind's own strategy), so an IPv4-mapped address answers as its IPv4
 * address, as `lookup` does. `2002::/16` (6to4) is not linked: it is an IANA
 * special-purpose block, which `lookup` answers as a miss. IPv6 records inside
 * the two /96 blocks cannot be stored (the space holds IPv4) and are left out.
 */

import type { Registry } from '../types.js';
import {
  type BlockedRange,
  exportIntervals,
  ipv6Prefixes,
} from './export-intervals.js';
import { type ExportField, normalizeFields } from './export-fields.js';
import { createMmdbRecordEncoder } from './mmdb-record.js';
import { type ExportSink, SinkWriter } from './export-sink.js';
import {
  ByteBuffer,
  MmdbDataSection,
  MmdbUint,
  writeValue,
} from './mmdb-data-section.js';
import {
  type MmdbRecordSize,
  MMDB_SEPARATOR_SIZE,
  MmdbTreeBuilder,
} from './mmdb-tree.js';

/** Default `database_type`: ends in `-Country` so GeoIP2 tools read `country.iso_code` from it. */
export const DEFAULT_MMDB_DATABASE_TYPE = 'rirmap-Registry-Country';

/** The bytes that open the metadata section. */
export const MMDB_METADATA_MARKER = new Uint8Array([
  0xab,
  0xcd,
  0xef,
  ...new TextEncoder().encode('MaxMind.com'),
]);

/** Options of {@link writeMmdb}. */
export interface WriteMmdbOptions {
  /** Record fields to include. Default: all of `EXPORT_FIELDS`. */
  readonly fields?: readonly ExportField[];
  /** Write an IPv4 database (`ip_version` 4, 32-bit tree) without IPv6. Default false. */
  readonly ipv4Only?: boolean;
  /** Metadata `database_type`. Default {@link DEFAULT_MMDB_DATABASE_TYPE}. */
  readonly databaseType?: string;
  /** English metadata `description`. Default: names rirmap and the loaded files. */
  readonly description?: string;
  /** Metadata `build_epoch`, Unix seconds. Default: the current time. */
  readonly buildEpoch?: number;
  /** Search-tree record size in bits. Default: the smallest of 24, 28, 32 that fits. */
  readonly recordSize?: MmdbRecordSize;
  /** Stops the export with an `ABORTED` error. */
  readonly signal?: AbortSignal;
}

/** What {@link writeMmdb} wrote. */
export interface MmdbSummary {
  /** 6, or 4 with `ipv4Only`. */
  readonly ipVersion: 4 | 6;
  readonly nodeCount: number;
  readonly recordSize: MmdbRecordSize;
  /** Ranges stored (after special-purpose blocks are cut out and touching equal ranges joined). */
  readonly ranges: number;
  /** CIDR prefixes those ranges took in the tree. */
  readonly prefixes: number;
  /** Distinct record values in the data section. */
  readonly values: number;
  readonly dataSectionBytes: number;
  /** Total file size. */
  readonly bytes: number;
}

/** `::/96` and `::ffff:0:0/96`: IPv4 space inside the IPv6 tree. */
const IPV4_IN_IPV6: readonly BlockedRange[] = [
  [0n, 0xffff_ffffn],
  [0xffffn << 32n, (0xffffn << 32n) | 0xffff_ffffn],
];

interface CheckedOptions {
  readonly fields: ReadonlySet<ExportField>;
  readonly ipv4Only: boolean;
  readonly databaseType: string;
  readonly description: string | undefined;
  readonly buildEpoch: number;
  readonly recordSize: MmdbRecordSize | undefined;
  readonly signal: AbortSignal | undefined;
}

function checkOptions(options: WriteMmdbOptions): CheckedOptions {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('Expected `options` to be an object');
  const fields = new Set(normalizeFields(options.fields));
  if (options.ipv4Only !== undefined && typeof options.ipv4Only !== 'boolean')
    throw new TypeError('Expected `ipv4Only` to be a boolean');
  const databaseType = options.databaseType ?? DEFAULT_MMDB_DATABASE_TYPE;
  if (typeof databaseType !== 'string' || databaseType === '')
    throw new TypeError('Expected `databaseType` to be a non-empty string');
  if (
    options.description !== undefined &&
    typeof options.description !== 'string'
  )
    throw new TypeError('Expected `description` to be a string');
  const buildEpoch = options.buildEpoch ?? Math.floor(Date.now() / 1000);
  if (!Number.isSafeInteger(buildEpoch) || buildEpoch < 0)
    throw new RangeError(
      'Expected `buildEpoch` to be a non-negative integer (Unix seconds)',
    );
  const recordSize = options.recordSize;
  if (
    recordSize !== undefined &&
    recordSize !== 24 &&
    recordSize !== 28 &&
    recordSize !== 32
  )
    throw new RangeError('Expected `recordSize` to be 24, 28 or 32');
  return {
    fields,
    ipv4Only: options.ipv4Only ?? false,
    databaseType,
    description: options.description,
    buildEpoch,
    recordSize,
    signal: options.signal,
  };
}

function defaultDescription(registry: Registry): string {
  const files = registry.sources.map((s) => s.file).join(', ');
  return (
    'Registry data from the RIR delegated-statistics files, written by rirmap: ' +
    'the registry, registered country (not a geolocation), allocation date, status, holder ' +
    `and source of each delegated block. Files: ${files === '' ? 'none' : files}.`
  );
}

/** Builds the search tree and data section in memory. */
function build(
  registry: Registry,
  opts: CheckedOptions,
): {
  tree: MmdbTreeBuilder;
  data: MmdbDataSection;
  values: number;
  ranges: number;
  prefixes: number;
} {
  const tree = new MmdbTreeBuilder(opts.ipv4Only ? 32 : 128, 1 << 16);
  const data = new MmdbDataSection();
  // A record's data key in the tree is its value's offset in the data section;
  // records with equal values share one offset.
  let values = 0;
  const encode = createMmdbRecordEncoder(data, opts.fields);
  const keyOfRecord = new Float64Array(registry.size).fill(-1);
  const keyFor = (id: number): number => {
    const known = keyOfRecord[id];
    if (known !== undefined && known >= 0) return known;
    const before = data.length;
    const offset = encode(registry.record(id));
    if (data.length !== before) values++;
    if (offset >= 2 ** 31)
      throw new RangeError('MMDB data section exceeds 2 GiB');
    if (known !== undefined) keyOfRecord[id] = offset;
    return offset;
  };

  let ranges = 0;
  let prefixes = 0;
  const words = new Uint32Array(4);

  // IPv4: joined runs of equal data become prefixes under ::/96 (or at the root).
  const v4Shift = opts.ipv4Only ? 0 : 96;
  const v4Word = opts.ipv4Only ? 0 : 3;
  let v4Root = -1;
  const insertV4 = (start: bigint, end: bigint, key: number): void => {
    ranges++;
    if (v4Root < 0) v4Root = tree.nodeAt([0, 0, 0, 0], v4Shift);
    words.fill(0);
    // The minimal CIDR cover, as ipv4Prefixes computes it, without a generator.
    const last = Number(end);
    for (let cur = Number(start); cur <= last;) {
      let tz = cur === 0 ? 32 : 31 - Math.clz32((cur & -cur) >>> 0);
      while (2 ** tz > last - cur + 1) tz--;
      words[v4Word] = cur;
      tree.insertBelow(v4Root, v4Shift, words, v4Shift + 32 - tz, key);
      prefixes++;
      cur += 2 ** tz;
    }
  };
  const insertV6 = (start: bigint, end: bigint, key: number): void => {
    ranges++;
    for (const [s, len] of ipv6Prefixes(start, end)) {
      words[0] = Number((s >> 96n) & 0xffff_ffffn);
      words[1] = Number((s >> 64n) & 0xffff_ffffn);
      words[2] = Number((s >> 32n) & 0xffff_ffffn);
      words[3] = Number(s & 0xffff_ffffn);
      tree.insert(words, len, key);
      prefixes++;
    }
  };

  const runs = (
    type: 'ipv4' | 'ipv6',
    blocked: readonly BlockedRange[],
    insert: (s: bigint, e: bigint, k: number) => void,
  ): void => {
    let run: { start: bigint; end: bigint; key: number } | null = null;
    let n = 0;
    for (const iv of exportIntervals(registry, type, blocked)) {
      if ((++n & 0xfff) === 0 && opts.signal?.aborted === true) return;
      const key = keyFor(iv.id);
      if (run !== null && run.key === key && run.end + 1n === iv.start) {
        run.end = iv.end;
        continue;
      }
      if (run !== null) insert(run.start, run.end, run.key);
      run = { start: iv.start, end: iv.end, key };
    }
    if (run !== null) insert(run.start, run.end, run.key);
  };

  runs('ipv4', [], insertV4);
  if (!opts.ipv4Only) {
    runs('ipv6', IPV4_IN_IPV6, insertV6);
    // ::ffff:0:0/96 answers as ::/96, the IPv4 subtree.
    tree.alias([0, 0, 0xffff, 0], 96, [0, 0, 0, 0], 96);
  }
  return { tree, data, values, ranges, prefixes };
}

function metadataBytes(
  opts: CheckedOptions,
  registry: Registry,
  nodeCount: number,
  recordSize: MmdbRecordSize,
): Uint8Array {
  const out = new ByteBuffer(1024);
  out.bytes(MMDB_METADATA_MARKER);
  writeValue(out, {
    binary_format_major_version: new MmdbUint(16, 2),
    binary_format_minor_version: new MmdbUint(16, 0),
    build_epoch: new MmdbUint(64, opts.buildEpoch),
    database_type: opts.databaseType,
    description: { en: opts.description ?? defaultDescription(registry) },
    ip_version: new MmdbUint(16, opts.ipv4Only ? 4 : 6),
    languages: ['en'],
    node_count: new MmdbUint(32, nodeCount),
    record_size: new MmdbUint(16, recordSize),
  });
  if (out.length > 128 * 1024)
    throw new RangeError(
      'MMDB metadata exceeds 128 KiB; shorten `description`',
    );
  return out.toUint8Array();
}

const DATA_CHUNK = 1 << 20;

/**
 * Writes the registry's IPv4 and IPv6 blocks as a MaxMind DB file.
 *
 * Each address answers with the record `lookup` returns for it (see
 * `createMmdbRecordEncoder` for the keys); addresses `lookup` misses, special-purpose
 * blocks included, have no data. The whole database is built in memory, then
 * written in chunks; the stream is not ended.
 *
 * @param registry the loaded registry
 * @param stream a Node Writable, or a function called with each chunk (awaited)
 * @param options see {@link WriteMmdbOptions}
 * @returns what was written
 * @throws {TypeError|RangeError} synchronously, for bad options
 * @throws {RegistryError} `ABORTED` when `signal` fires; the stream's own errors as they come
 */
export function writeMmdb(
  registry: Registry,
  stream: ExportSink,
  options: WriteMmdbOptions = {},
): Promise<MmdbSummary> {
  const opts = checkOptions(options);
  const sink = new SinkWriter(stream, opts.signal);
  return (async () => {
    try {
      sink.checkAborted();
      const { tree, data, values, ranges, prefixes } = build(registry, opts);
      sink.checkAborted();
      const dataBytes = data.bytes();
      const layout = tree.layout(dataBytes.length, opts.recordSize);
      const meta = metadataBytes(
        opts,
        registry,
        layout.nodeCount,
        layout.recordSize,
      );
      for (const chunk of tree.serialize(layout, (offset) => offset))
        await sink.write(chunk);
      await sink.write(new Uint8Array(MMDB_SEPARATOR_SIZE));
      for (let i = 0; i < dataBytes.length; i += DATA_CHUNK)
        await sink.write(dataBytes.subarray(i, i + DATA_CHUNK));
      await sink.write(meta);
      return {
        ipVersion: opts.ipv4Only ? 4 : 6,
        nodeCount: layout.nodeCount,
        recordSize: layout.recordSize,
        ranges,
        prefixes,
        values,
        dataSectionBytes: dataBytes.length,
        bytes: sink.bytes,
      };
    } finally {
      sink.release();
    }
  })();
}
