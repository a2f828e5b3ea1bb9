/**
 * Freezes loaded records into the lookup tries, applying the precedence rule
 * between overlapping records:
 *   1. records of registries' files before IANA's (a fallback tier);
 *   2. the smallest range;
 *   3. allocated/assigned before available/reserved;
 *   4. the file with the later header end date;
 *   5. registry name order; then load order.
 */

import { specialIpv4Ranges, specialIpv6Prefixes } from '../ip/special.js';
import { buildTrie128, buildTrie32 } from '../trie/build-trie.js';
import { Scratch } from '../trie/scratch.js';
import type { Trie128Data, Trie32Data } from '../trie/interval-trie.js';
import {
  makeAllocator,
  type RecordColumns,
  type RecordStoreBuilder,
} from './record-store.js';

/** Everything the registry needs, as typed arrays (shareable, serialisable). */
export interface RegistryData {
  readonly columns: RecordColumns;
  readonly v4: Trie32Data;
  readonly v6: Trie128Data;
  readonly asn: Trie32Data;
  /** Overlap pairs [winner, loser, …]. */
  readonly conflicts: Int32Array;
}

/** Per-source ordering facts. */
export interface SourceOrder {
  /** Header end date yyyymmdd (0 when none). */
  readonly endDate: number;
  /** Registry name, for the name-order tie-break. */
  readonly registry: string;
}

const ID_BITS = 21;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const RANK_BITS = 8;

/**
 * Sorts the ids of one type best first.
 * @param size size of each record's range (count of keys, or 128 - prefix length for IPv6)
 */
function orderIds(
  ids: Int32Array,
  columns: RecordColumns,
  v6: boolean,
  tier: Uint8Array,
  rankOf: Uint16Array,
  maxRank: number,
  scratch: Scratch,
): Int32Array {
  const n = ids.length;
  if (n === 0) return ids;
  const { words, prefixLength, status, source } = columns;
  let maxId = 0;
  for (let i = 0; i < n; i++) if (ids[i]! > maxId) maxId = ids[i]!;
  if (maxId < 2 ** ID_BITS && maxRank < 2 ** RANK_BITS && LITTLE_ENDIAN) {
    // Pack the whole sort key into 64 bits and use the native typed-array sort:
    // tier(1) | size(33) | status(1) | source rank(8) | id(21).
    scratch.reset();
    const keys = scratch.u64(n);
    const view = new Uint32Array(keys.buffer);
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      const s = v6
        ? 128 - prefixLength[id]!
        : words[id * 4 + 1]! - words[id * 4]! + 1; // < 2^33
      const lowPart =
        (status[id]! <= 1 ? 0 : 2 ** 29) +
        rankOf[source[id]!]! * 2 ** ID_BITS +
        id; // < 2^30
      // size occupies bits 30..62, tier bit 63.
      view[i * 2 + 1] = tier[id]! * 2 ** 31 + Math.floor(s / 4);
      view[i * 2] = (s % 4) * 2 ** 30 + lowPart;
    }
    keys.sort();
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = view[i * 2]! & (2 ** ID_BITS - 1);
    return out;
  }
  const size = (id: number) =>
    v6 ? 128 - prefixLength[id]! : words[id * 4 + 1]! - words[id * 4]! + 1;
  const statusRank = (id: number) => (status[id]! <= 1 ? 0 : 1);
  const arr = Array.from(ids);
  arr.sort(
    (a, b) =>
      tier[a]! - tier[b]! ||
      size(a) - size(b) ||
      statusRank(a) - statusRank(b) ||
      rankOf[source[a]!]! - rankOf[source[b]!]! ||
      a - b,
  );
  return Int32Array.from(arr);
}

/**
 * Builds the tries over a builder's records.
 * @param tier per record id: 0 for registry files, 1 for IANA's fallback tier
 * @param shared place the arrays on SharedArrayBuffers
 * @param scratch memory for the builds' temporary arrays (free it after: see free-buffers.ts)
 */
export function buildRegistryData(
  builder: RecordStoreBuilder,
  sources: readonly SourceOrder[],
  tier: Uint8Array,
  shared: boolean,
  scratch: Scratch = new Scratch(),
): RegistryData {
  const columns = builder.freeze(shared);
  // Source rank: later end date first, then registry name, then load order.
  const byRank = sources
    .map((s, i) => ({ s, i }))
    .sort(
      (a, b) =>
        b.s.endDate - a.s.endDate ||
        (a.s.registry < b.s.registry
          ? -1
          : a.s.registry > b.s.registry
            ? 1
            : 0) ||
        a.i - b.i,
    );
  const rankOf = new Uint16Array(Math.max(1, sources.length));
  byRank.forEach((x, r) => (rankOf[x.i] = r));
  const n = columns.size;
  const counts = [0, 0, 0];
  for (let i = 0; i < n; i++) counts[columns.type[i]!]!++;
  const lists = counts.map((c) => new Int32Array(c));
  const fill = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const t = columns.type[i]!;
    lists[t]![fill[t]!++] = i;
  }
  const scan = (id: number) => tier[id] === 0;
  const alloc = makeAllocator(shared);
  // The sorts and the three builds take turns with the same temporary
  // memory (`scratch`).
  const v4Order = orderIds(
    lists[0]!,
    columns,
    false,
    tier,
    rankOf,
    sources.length,
    scratch,
  );
  const v6Order = orderIds(
    lists[1]!,
    columns,
    true,
    tier,
    rankOf,
    sources.length,
    scratch,
  );
  const asnOrder = orderIds(
    lists[2]!,
    columns,
    false,
    tier,
    rankOf,
    sources.length,
    scratch,
  );
  // Special-purpose space is painted first: it answers before any record.
  const buildV4 = () =>
    buildTrie32({
      order: v4Order,
      keys: columns.words,
      scan,
      totalIds: n,
      alloc,
      special: specialIpv4Ranges(),
      scratch,
    });
  const buildV6 = () =>
    buildTrie128({
      order: v6Order,
      words: columns.words,
      prefixLength: columns.prefixLength,
      scan,
      totalIds: n,
      alloc,
      special: specialIpv6Prefixes(),
      scratch,
    });
  const buildAsn = () =>
    buildTrie32({
      order: asnOrder,
      keys: columns.words,
      scan,
      totalIds: n,
      alloc,
      scratch,
    });
  // The family with the most records first: the temporary memory it leaves
  // is then large enough for the others.
  let v4: ReturnType<typeof buildV4>;
  let v6: ReturnType<typeof buildV6>;
  if (counts[1]! > counts[0]!) {
    v6 = buildV6();
    v4 = buildV4();
  } else {
    v4 = buildV4();
    v6 = buildV6();
  }
  const asn = buildAsn();
  const all = [...v4.conflicts, ...v6.conflicts, ...asn.conflicts];
  const conflicts = alloc.i32(all.length);
  conflicts.set(all);
  return { columns, v4: v4.trie, v6: v6.trie, asn: asn.trie, conflicts };
}
