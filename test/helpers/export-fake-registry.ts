/**
 * A small hand-written Registry for export tests: a handful of blocks with
 * non-CIDR ranges, adjacent ranges, a more specific block inside a larger one,
 * blocks over special-purpose space, and IPv6 (including `::/8`, which covers
 * the IPv4 space of an MMDB). Lookups are a plain linear scan, smallest block
 * first: a second, simple implementation of what the real registry answers.
 */

import {
  formatIpv4,
  formatIpv6BigInt,
  wordsToBigInt,
} from '../../src/ip/format-ip.js';
import { parseIp, parseIpv4, parseIpv6 } from '../../src/ip/parse-ip.js';
import {
  ipv4RangeToCidrs,
  ipv6RangeToCidrs,
} from '../../src/ip/range-to-prefixes.js';
import { specialIpv4, specialIpv6 } from '../../src/ip/special.js';
import type {
  AllocationStatus,
  IndexInterval,
  Registry,
  RegistryRecord,
  ResourceType,
  Rir,
  SourceInfo,
} from '../../src/types.js';

/** One hand-written block. */
export interface FakeBlock {
  readonly type: 'ipv4' | 'ipv6';
  /** First address (IPv4: dotted quad; IPv6: text). */
  readonly start: string;
  /** Last address, inclusive. */
  readonly end: string;
  readonly rir: Rir;
  readonly country: string | null;
  readonly date: string | null;
  readonly status: AllocationStatus;
  readonly holder: string | null;
  /** Index into FAKE_SOURCES. */
  readonly source: number;
}

function source(file: string, registry: Rir, serial: string): SourceInfo {
  return {
    file,
    registry,
    serial,
    endDate: null,
    startDate: null,
    version: '2.3',
    kind: 'extended',
    sha256: '0'.repeat(64),
    records: 0,
    warnings: 0,
  };
}

export const FAKE_SOURCES: readonly SourceInfo[] = [
  source('delegated-apnic-extended-20240101', 'apnic', '20240101'),
  source('delegated-ripencc-extended-20240102', 'ripencc', '1704153599'),
  source('delegated-arin-extended-20240103', 'arin', '1704240000000'),
  source('delegated-afrinic-extended-20240104', 'afrinic', '20240104'),
  source('delegated-lacnic-extended-20240105', 'lacnic', '20240105'),
  source('delegated-iana-20240106', 'iana', '20240106'),
];

/** The default blocks. Ranges and their expected pieces are worked out in the tests. */
export const FAKE_BLOCKS: readonly FakeBlock[] = [
  // Non-CIDR (768 addresses = /23 + /24), then an adjacent block, then one equal in every field but the range.
  {
    type: 'ipv4',
    start: '1.0.0.0',
    end: '1.0.2.255',
    rir: 'apnic',
    country: 'AU',
    date: '2011-08-11',
    status: 'assigned',
    holder: 'A91872ED',
    source: 0,
  },
  {
    type: 'ipv4',
    start: '1.0.3.0',
    end: '1.0.3.255',
    rir: 'apnic',
    country: 'CN',
    date: '2011-04-14',
    status: 'allocated',
    holder: 'A92E1062',
    source: 0,
  },
  {
    type: 'ipv4',
    start: '1.0.4.0',
    end: '1.0.7.255',
    rir: 'apnic',
    country: 'AU',
    date: '2011-08-11',
    status: 'assigned',
    holder: 'A91872ED',
    source: 0,
  },
  // A /12 with a more specific /24 inside it.
  {
    type: 'ipv4',
    start: '2.0.0.0',
    end: '2.15.255.255',
    rir: 'ripencc',
    country: 'FR',
    date: '2010-07-12',
    status: 'allocated',
    holder: null,
    source: 1,
  },
  {
    type: 'ipv4',
    start: '2.1.0.0',
    end: '2.1.0.255',
    rir: 'ripencc',
    country: 'DE',
    date: '2012-01-02',
    status: 'assigned',
    holder: null,
    source: 1,
  },
  // Wholly special-purpose (10/8): never exported.
  {
    type: 'ipv4',
    start: '10.0.0.0',
    end: '10.255.255.255',
    rir: 'iana',
    country: null,
    date: null,
    status: 'reserved',
    holder: null,
    source: 5,
  },
  // Odd size, no date, no holder.
  {
    type: 'ipv4',
    start: '41.0.0.0',
    end: '41.0.0.99',
    rir: 'afrinic',
    country: 'ZA',
    date: null,
    status: 'allocated',
    holder: null,
    source: 3,
  },
  // A /8 around 100.64.0.0/10 (shared address space): exported as two pieces.
  {
    type: 'ipv4',
    start: '100.0.0.0',
    end: '100.255.255.255',
    rir: 'arin',
    country: 'US',
    date: '2010-11-15',
    status: 'allocated',
    holder: '0b0e7e7c',
    source: 2,
  },
  // A single address; quotes and a comma in the holder id (CSV quoting).
  {
    type: 'ipv4',
    start: '200.0.0.0',
    end: '200.0.0.0',
    rir: 'lacnic',
    country: 'BR',
    date: '1998-01-01',
    status: 'assigned',
    holder: 'x,"y"',
    source: 4,
  },
  // Just below multicast (224.0.0.0/4).
  {
    type: 'ipv4',
    start: '223.255.255.0',
    end: '223.255.255.255',
    rir: 'apnic',
    country: 'AU',
    date: '2013-06-06',
    status: 'assigned',
    holder: 'A9173591',
    source: 0,
  },
  // IPv6.
  {
    type: 'ipv6',
    start: '2001:200::',
    end: '2001:3ff:ffff:ffff:ffff:ffff:ffff:ffff',
    rir: 'apnic',
    country: 'JP',
    date: '1999-08-13',
    status: 'allocated',
    holder: 'A9193D8A',
    source: 0,
  },
  // 2001:d00::/24 holds 2001:db8::/32 (documentation): cut out.
  {
    type: 'ipv6',
    start: '2001:d00::',
    end: '2001:dff:ffff:ffff:ffff:ffff:ffff:ffff',
    rir: 'apnic',
    country: 'KR',
    date: '2005-03-03',
    status: 'allocated',
    holder: null,
    source: 0,
  },
  {
    type: 'ipv6',
    start: '2a00::',
    end: '2a0f:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    rir: 'ripencc',
    country: null,
    date: null,
    status: 'available',
    holder: null,
    source: 1,
  },
  {
    type: 'ipv6',
    start: '2a01:111::',
    end: '2a01:111:ffff:ffff:ffff:ffff:ffff:ffff',
    rir: 'ripencc',
    country: 'GB',
    date: '2006-12-01',
    status: 'allocated',
    holder: null,
    source: 1,
  },
  // Adjacent IPv6 blocks with equal fields.
  {
    type: 'ipv6',
    start: '2c0f:f000::',
    end: '2c0f:f000:ffff:ffff:ffff:ffff:ffff:ffff',
    rir: 'afrinic',
    country: 'ZA',
    date: '2008-01-01',
    status: 'allocated',
    holder: 'F1',
    source: 3,
  },
  {
    type: 'ipv6',
    start: '2c0f:f001::',
    end: '2c0f:f001:ffff:ffff:ffff:ffff:ffff:ffff',
    rir: 'afrinic',
    country: 'ZA',
    date: '2008-01-01',
    status: 'allocated',
    holder: 'F1',
    source: 3,
  },
  // ::/8, IETF reserved: covers ::/96 (IPv4 space in an MMDB), ::ffff:0:0/96, ::1 and 64:ff9b::/96.
  {
    type: 'ipv6',
    start: '::',
    end: 'ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    rir: 'iana',
    country: null,
    date: null,
    status: 'reserved',
    holder: null,
    source: 5,
  },
  {
    type: 'ipv6',
    start: 'fec0::',
    end: 'feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    rir: 'iana',
    country: null,
    date: null,
    status: 'reserved',
    holder: null,
    source: 5,
  },
];

function addressValue(text: string): bigint {
  const v4 = parseIpv4(text);
  if (v4 >= 0) return BigInt(v4);
  const w = new Uint32Array(4);
  if (!parseIpv6(text, w)) throw new Error(`bad address ${text}`);
  return wordsToBigInt(w);
}

interface Block {
  readonly type: 'ipv4' | 'ipv6';
  readonly start: bigint;
  readonly end: bigint;
  readonly record: RegistryRecord;
}

/** A Registry over `blocks`; overlapping blocks: the smallest answers. */
export function createFakeRegistry(
  blocks: readonly FakeBlock[] = FAKE_BLOCKS,
  sources: readonly SourceInfo[] = FAKE_SOURCES,
): Registry {
  const list: Block[] = blocks.map((b) => {
    const start = addressValue(b.start);
    const end = addressValue(b.end);
    const cidrs =
      b.type === 'ipv4'
        ? ipv4RangeToCidrs(Number(start), Number(end))
        : ipv6RangeToCidrs(start, end);
    const record: RegistryRecord = {
      found: true,
      type: b.type,
      rir: b.rir,
      country: b.country,
      date: b.date,
      status: b.status,
      holder: b.holder,
      range: {
        start:
          b.type === 'ipv4'
            ? formatIpv4(Number(start))
            : formatIpv6BigInt(start),
        end:
          b.type === 'ipv4' ? formatIpv4(Number(end)) : formatIpv6BigInt(end),
        cidrs,
      },
      source: sources[b.source]!,
    };
    return { type: b.type, start, end, record };
  });

  const answer = (type: 'ipv4' | 'ipv6', v: bigint): number => {
    let best = -1;
    for (let i = 0; i < list.length; i++) {
      const b = list[i]!;
      if (b.type !== type || v < b.start || v > b.end) continue;
      if (best < 0 || b.end - b.start < list[best]!.end - list[best]!.start)
        best = i;
    }
    return best;
  };

  function* intervals(type: ResourceType): Generator<IndexInterval> {
    if (type === 'asn') return;
    // Elementary segments between all block boundaries; each takes its smallest covering block.
    const cuts = new Set<bigint>();
    for (const b of list) {
      if (b.type !== type) continue;
      cuts.add(b.start);
      cuts.add(b.end + 1n);
    }
    const points = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    let cur: { start: bigint; end: bigint; id: number } | null = null;
    for (let i = 0; i + 1 < points.length; i++) {
      const s = points[i]!;
      const e = points[i + 1]! - 1n;
      const id = answer(type, s);
      if (id < 0) {
        if (cur) yield cur;
        cur = null;
        continue;
      }
      if (cur && cur.id === id && cur.end + 1n === s) cur.end = e;
      else {
        if (cur) yield cur;
        cur = { start: s, end: e, id };
      }
    }
    if (cur) yield cur;
  }

  const lookup = (ip: string): RegistryRecord | null => {
    const p = parseIp(ip);
    if (p.family === 4) {
      if (specialIpv4(p.value) !== null) return null;
      const id = answer('ipv4', BigInt(p.value));
      return id < 0 ? null : list[id]!.record;
    }
    if (specialIpv6(p.words) !== null) return null;
    const id = answer('ipv6', wordsToBigInt(p.words));
    return id < 0 ? null : list[id]!.record;
  };

  const notNeeded = (): never => {
    throw new Error('not implemented by the fake registry');
  };

  return {
    sources,
    size: list.length,
    lookup,
    lookupAsn: notNeeded,
    query: notNeeded,
    lookupId: notNeeded,
    lookupIdIn: notNeeded,
    record: (id: number) => list[id]!.record,
    special: notNeeded,
    holder: notNeeded,
    conflicts: notNeeded,
    warnings: () => [],
    stats: notNeeded,
    intervals,
  };
}
