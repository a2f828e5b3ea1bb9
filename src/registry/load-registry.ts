/**
 * `loadRegistry`: chooses data files, parses them and builds the index.
 */

import { SourceError } from '../errors.js';
import { OpaqueIds, parseDelegated } from '../delegated/parse-delegated.js';
import type { DelegatedRecord } from '../delegated/delegated-record.js';
import { openSource } from '../io/read-source.js';
import { isSnapshotFile, readSnapshotFile } from '../snapshot/snapshot-file.js';
import { readDelegatedHead } from '../sources/read-header.js';
import { selectDataFiles } from '../sources/select-files.js';
import type {
  LoadRegistryOptions,
  LoadWarning,
  Registry,
  Rir,
  SourceInfo,
} from '../types.js';
import { Scratch } from '../trie/scratch.js';
import { buildRegistryData, type SourceOrder } from './build-registry.js';
import { freeBuffers } from './free-buffers.js';
import {
  RecordStoreBuilder,
  RIR_CODES,
  formatDate,
  packCountry,
} from './record-store.js';
import { RegistryIndex } from './registry-index.js';

const TYPE_CODE = { ipv4: 0, ipv6: 1, asn: 2 } as const;
/** Status column to code, or undefined for IANA's registry-name statuses. */
function statusCode(s: string): number | undefined {
  // Plain comparisons: parser strings are not internalised, so keyed lookups would hash them.
  if (s === 'allocated') return 0;
  if (s === 'assigned') return 1;
  if (s === 'available' || s === 'ianapool') return 2;
  if (s === 'reserved' || s === 'ietf') return 3;
  return undefined;
}
const RIR_CODE: Readonly<Record<string, number>> = Object.fromEntries(
  RIR_CODES.map((r, i) => [r, i]),
);
const IANA = RIR_CODE['iana']!;
const MAX_WARNINGS_KEPT = 1000;

function validateOptions(options: LoadRegistryOptions): void {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('`options` must be an object');
  if (options.data !== undefined) {
    if (
      !Array.isArray(options.data) ||
      options.data.some((p) => typeof p !== 'string' || p === '')
    )
      throw new TypeError('`data` must be an array of non-empty paths');
  }
  if (options.snapshot !== undefined && typeof options.snapshot !== 'string')
    throw new TypeError('`snapshot` must be a path');
  if (options.lenient !== undefined && typeof options.lenient !== 'boolean')
    throw new TypeError('`lenient` must be a boolean');
  if (options.asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.asOf))
    throw new TypeError('`asOf` must be a date written yyyy-mm-dd');
  if (
    options.onWarning !== undefined &&
    typeof options.onWarning !== 'function'
  )
    throw new TypeError('`onWarning` must be a function');
}

/**
 * Loads delegated-statistics files into a registry.
 *
 * `data` takes files and directories: every file named is loaded; a
 * directory contributes, per registry, its newest file by header end date
 * (extended over standard on a tie). Overlaps are resolved by precedence (see
 * README) and listed by `registry.conflicts()`.
 * @throws {TypeError} on invalid options.
 * @throws {SourceError} `SOURCE_NOT_FOUND`, `SOURCE_NO_DATA`, `SOURCE_READ_FAILED`.
 * @throws {DelegatedFileError} when a file is malformed or incomplete (unless `lenient`).
 */
export async function loadRegistry(
  options: LoadRegistryOptions = {},
): Promise<Registry> {
  validateOptions(options);
  if (options.snapshot !== undefined) {
    if (options.data !== undefined && options.data.length > 0)
      throw new TypeError(
        '`snapshot` and `data` cannot be combined: a snapshot holds all its data',
      );
    return readSnapshotFile(options.snapshot);
  }
  const data = options.data ?? [];
  // A compiled snapshot may be named as data too (`--data FILE`).
  const snapshots = data.filter((p) => isSnapshotFile(p));
  if (snapshots.length > 0) {
    if (data.length > 1)
      throw new SourceError(
        'SOURCE_NO_DATA',
        `${snapshots[0]} is a compiled snapshot: it cannot be combined with other data paths`,
        snapshots[0],
      );
    if (options.asOf !== undefined)
      throw new TypeError(
        '`asOf` cannot select from a snapshot: it holds the files it was built from',
      );
    return readSnapshotFile(snapshots[0]!);
  }
  if (data.length === 0)
    throw new SourceError(
      'SOURCE_NO_DATA',
      'no data given: pass `data` (files or directories of delegated-stats files)',
    );
  const selected = await selectDataFiles(
    data,
    options.asOf === undefined ? {} : { asOf: options.asOf },
  );
  if (selected.length === 0)
    throw new SourceError(
      'SOURCE_NO_DATA',
      `no delegated-stats files found in ${data.join(', ')}${options.asOf !== undefined ? ` dated on or before ${options.asOf}` : ''}`,
    );
  return loadFiles(
    selected.map((s) => s.path),
    options,
  );
}

/** Parses the given files (all of them) and builds the registry. */
export async function loadFiles(
  paths: readonly string[],
  options: Pick<LoadRegistryOptions, 'lenient' | 'onWarning'> = {},
): Promise<RegistryIndex> {
  // Size the columns from the headers, so that strict loads fill them exactly
  // and freezing needs no copy.
  let expected = 0;
  for (const path of paths) {
    const head = await readDelegatedHead(path).catch(() => null);
    expected += head?.records ?? 0;
  }
  const builder = new RecordStoreBuilder(Math.max(expected, 16), true);
  let tier = new Uint8Array(builder.capacity);
  const sources: SourceInfo[] = [];
  const orders: SourceOrder[] = [];
  const warnings: LoadWarning[] = [];
  // One numbering of opaque ids for all the files: the parsers intern them,
  // so a holder index per number is all the loader keeps (no map of ids).
  const ids = new OpaqueIds();
  const holderOf: number[] = [];
  for (const path of paths) {
    const opened = openSource(path);
    const sourceIndex = sources.length;
    const before = builder.size;
    let headerRegistry = '';
    let headerRir = IANA;
    let cap = builder.capacity;
    let T = builder.type;
    let S = builder.status;
    let R = builder.rir;
    let C = builder.country;
    let D = builder.date;
    let H = builder.holder;
    let F = builder.source;
    let L = builder.line;
    let W = builder.words;
    let P = builder.prefixLength;
    const onRecord = (r: DelegatedRecord): void => {
      const i = builder.size;
      if (i === cap) {
        builder.reserve(Math.max(1024, cap));
        cap = builder.capacity;
        const t = new Uint8Array(cap);
        t.set(tier);
        tier = t;
        T = builder.type;
        S = builder.status;
        R = builder.rir;
        C = builder.country;
        D = builder.date;
        H = builder.holder;
        F = builder.source;
        L = builder.line;
        W = builder.words;
        P = builder.prefixLength;
      }
      let rir: number;
      let status: number;
      let isIana: boolean;
      if (headerRegistry === '') {
        headerRegistry = r.registry;
        headerRir = RIR_CODE[r.registry] ?? IANA;
      }
      const st = statusCode(r.status);
      if (st !== undefined) {
        status = st;
        rir =
          r.registry === headerRegistry
            ? headerRir
            : (RIR_CODE[r.registry] ?? IANA);
        isIana = rir === IANA;
      } else {
        // IANA file: the status column names the registry the block went to.
        rir = RIR_CODE[r.status] ?? IANA;
        status = r.status === 'iana' ? 1 : 0;
        isIana = true;
      }
      T[i] = TYPE_CODE[r.type];
      S[i] = status;
      R[i] = rir;
      C[i] = packCountry(r.country);
      D[i] = r.date;
      // Holder index per distinct id, by the parsers' numbering.
      const k = r.opaqueIndex;
      while (holderOf.length <= k) {
        const o = ids.list[holderOf.length]!;
        // NRO files put a registry's name (or `ietf`) where reserved/available records have no holder.
        holderOf.push(
          o.length <= 7 && (RIR_CODE[o] !== undefined || o === 'ietf')
            ? -1
            : builder.addHolder(o),
        );
      }
      H[i] = k < 0 ? -1 : holderOf[k]!;
      F[i] = sourceIndex;
      L[i] = r.line;
      if (r.type === 'ipv6') {
        const v = r.v6;
        W[i * 4] = v[0]!;
        W[i * 4 + 1] = v[1]!;
        W[i * 4 + 2] = v[2]!;
        W[i * 4 + 3] = v[3]!;
        P[i] = r.prefixLength;
      } else {
        W[i * 4] = r.first;
        W[i * 4 + 1] = r.last;
      }
      tier[i] = isIana ? 1 : 0;
      builder.size = i + 1;
    };
    const summary = await parseDelegated(
      opened.chunks,
      {
        file: opened.name,
        lenient: options.lenient === true,
        ids,
        onWarning: (w) => {
          if (warnings.length < MAX_WARNINGS_KEPT) warnings.push(w);
          options.onWarning?.(w);
        },
      },
      onRecord,
    );
    const h = summary.header;
    const registry = h.registry as Rir | 'nro';
    sources.push(
      Object.freeze({
        file: opened.name,
        registry,
        serial: h.serial,
        endDate: formatDate(h.endDate),
        sha256: opened.sha256(),
        startDate: formatDate(h.startDate),
        version: h.version,
        kind: summary.kind,
        records: builder.size - before,
        warnings: summary.warningCount,
      }),
    );
    orders.push({ endDate: h.endDate, registry: h.registry });
  }
  const scratch = new Scratch();
  const data = buildRegistryData(
    builder,
    orders,
    tier.subarray(0, builder.size),
    true,
    scratch,
  );
  // The build's temporary memory goes back now, not at a later collection.
  await freeBuffers(scratch.drain());
  return new RegistryIndex(data, sources, warnings);
}
