/**
 * What an exported MMDB should answer, derived from `registry.lookup` and the
 * documented record layout (written here independently of src/export), and a
 * deterministic sampler of random and edge addresses.
 */

import {
  formatIpv4,
  formatIpv6BigInt,
  wordsToBigInt,
} from '../../src/ip/format-ip.js';
import { parseIpv4, parseIpv6 } from '../../src/ip/parse-ip.js';
import type { Registry, RegistryRecord } from '../../src/types.js';
import { mulberry32 } from './random-delegated.js';

/** Every field name of an export. */
export const ALL_FIELDS = [
  'rir',
  'country',
  'date',
  'status',
  'holder',
  'range',
  'source',
];

/**
 * The documented MMDB value of a record: keys in order, null fields left out,
 * the country under `country.iso_code`, `registered_country.iso_code` and
 * `country_code`, the range as its single CIDR or `start-end`.
 */
export function expectedMmdbValue(
  record: RegistryRecord | null,
  fields: readonly string[] = ALL_FIELDS,
): Record<string, unknown> | null {
  if (record === null) return null;
  const has = (f: string): boolean => fields.includes(f);
  const o: Record<string, unknown> = {};
  if (has('rir')) o['rir'] = record.rir;
  if (has('country') && record.country !== null) {
    o['country'] = { iso_code: record.country };
    o['registered_country'] = { iso_code: record.country };
    o['country_code'] = record.country;
  }
  if (has('date') && record.date !== null) o['date'] = record.date;
  if (has('status')) o['status'] = record.status;
  if (has('holder') && record.holder !== null) o['holder'] = record.holder;
  if (has('range')) {
    const cidrs = record.range.cidrs ?? [];
    o['range'] =
      cidrs.length === 1
        ? cidrs[0]
        : `${String(record.range.start)}-${String(record.range.end)}`;
  }
  if (has('source'))
    o['source'] = { file: record.source.file, serial: record.source.serial };
  return o;
}

const WORDS = new Uint32Array(4);

/**
 * What `rirmap lookup` answers for an address, as an MMDB built by rirmap must
 * answer it. One documented exception: an IPv4-compatible address `::a.b.c.d`
 * (in `::/96`, deprecated by RFC 4291) answers as `a.b.c.d` in any MMDB,
 * because the format keeps the IPv4 tree there.
 */
export function expectedLookup(
  registry: Registry,
  ip: string,
): RegistryRecord | null {
  if (parseIpv4(ip) < 0 && parseIpv6(ip, WORDS)) {
    const v = wordsToBigInt(WORDS);
    if (v <= 0xffff_ffffn) return registry.lookup(formatIpv4(Number(v)));
  }
  return registry.lookup(ip);
}

function randomBig(rand: () => number, bits: number): bigint {
  let v = 0n;
  for (let i = 0; i < bits; i += 32)
    v = (v << 32n) | BigInt(Math.floor(rand() * 2 ** 32));
  return v & ((1n << BigInt(bits)) - 1n);
}

/** Addresses everyone should test: the ends of each family, mapped and compatible forms. */
export const FIXED_ADDRESSES: readonly string[] = [
  '0.0.0.0',
  '0.255.255.255',
  '1.0.0.0',
  '255.255.255.255',
  '223.255.255.255',
  '224.0.0.0',
  '::',
  '::1',
  '::2',
  '::ffff:0.0.0.0',
  '::ffff:1.0.0.1',
  '::ffff:255.255.255.255',
  '::fffe:1.0.0.1',
  '::1:0:0:1',
  '::1.0.0.1',
  '::0.0.1.0',
  '64:ff9b::1.0.0.1',
  '2001:db8::1',
  '2002:100:1::1',
  '2001::1',
  'fe80::1',
  'ff02::1',
  'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
];

export interface SampleOptions {
  /** Edge addresses: first, last, first - 1 and last + 1 of random intervals. */
  readonly edges: number;
  readonly randomV4: number;
  readonly randomV6: number;
  /** IPv4 addresses written IPv4-mapped (`::ffff:a.b.c.d`). */
  readonly mapped: number;
  readonly seed: number;
}

/** A deterministic list of random and edge addresses over a registry's intervals. */
export function sampleAddresses(
  registry: Registry,
  options: SampleOptions,
): string[] {
  const rand = mulberry32(options.seed);
  const v4 = [...registry.intervals('ipv4')];
  const v6 = [...registry.intervals('ipv6')];
  const out: string[] = [...FIXED_ADDRESSES];
  const fmt4 = (v: bigint): string => formatIpv4(Number(v));
  const pick = <T>(list: readonly T[]): T =>
    list[Math.floor(rand() * list.length)]!;

  // Edges, split between the families in proportion (at least a quarter each when present).
  const total = v4.length + v6.length;
  if (total > 0) {
    const v6Share = v6.length === 0 ? 0 : Math.max(0.25, v6.length / total);
    const want = Math.ceil(options.edges / 4);
    const all = total * 4 <= options.edges;
    const addEdges = (
      iv: { start: bigint; end: bigint },
      family: 4 | 6,
    ): void => {
      const max = family === 4 ? 0xffff_ffffn : (1n << 128n) - 1n;
      const f = family === 4 ? fmt4 : formatIpv6BigInt;
      out.push(f(iv.start), f(iv.end));
      if (iv.start > 0n) out.push(f(iv.start - 1n));
      if (iv.end < max) out.push(f(iv.end + 1n));
    };
    if (all) {
      for (const iv of v4) addEdges(iv, 4);
      for (const iv of v6) addEdges(iv, 6);
    } else {
      for (let i = 0; i < want; i++) {
        if (v6.length > 0 && (v4.length === 0 || rand() < v6Share))
          addEdges(pick(v6), 6);
        else addEdges(pick(v4), 4);
      }
    }
  }
  for (let i = 0; i < options.randomV4; i++) {
    if (v4.length > 0 && rand() < 0.5) {
      const iv = pick(v4);
      out.push(
        fmt4(
          iv.start +
            BigInt(Math.floor(rand() * Number(iv.end - iv.start + 1n))),
        ),
      );
    } else {
      out.push(fmt4(BigInt(Math.floor(rand() * 2 ** 32))));
    }
  }
  for (let i = 0; i < options.randomV6; i++) {
    const r = rand();
    if (v6.length > 0 && r < 0.4) {
      const iv = pick(v6);
      const span = iv.end - iv.start + 1n;
      out.push(formatIpv6BigInt(iv.start + (randomBig(rand, 128) % span)));
    } else if (r < 0.8) {
      out.push(formatIpv6BigInt((1n << 125n) | randomBig(rand, 125))); // 2000::/3
    } else {
      out.push(formatIpv6BigInt(randomBig(rand, 128)));
    }
  }
  for (let i = 0; i < options.mapped; i++) {
    const v =
      v4.length > 0 && rand() < 0.7
        ? pick(v4).start + BigInt(Math.floor(rand() * 256))
        : BigInt(Math.floor(rand() * 2 ** 32));
    out.push(`::ffff:${fmt4(v & 0xffff_ffffn)}`);
  }
  return out;
}
