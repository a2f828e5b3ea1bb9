/**
 * IANA special-purpose address blocks (the IPv4 and IPv6 Special-Purpose
 * Address Registries, RFC 6890 and successors) that are not globally routable
 * unicast space a registry would delegate. Addresses inside them are answered
 * locally as `special`, before any lookup, and never sent to RDAP.
 */

import { parseIpv4, parseIpv6 } from './parse-ip.js';

/** Names used in `special`. */
export type SpecialPurpose =
  | 'this-network'
  | 'private'
  | 'shared-address-space'
  | 'loopback'
  | 'link-local'
  | 'ietf-protocol'
  | 'documentation'
  | '6to4-relay'
  | 'benchmarking'
  | 'multicast'
  | 'reserved'
  | 'broadcast'
  | 'unspecified'
  | 'nat64'
  | 'discard'
  | 'teredo'
  | 'orchid'
  | '6to4'
  | 'segment-routing'
  | 'unique-local';

/** The IPv4 table: [cidr, name]. Most specific entries are listed before their parents. */
export const SPECIAL_IPV4: readonly (readonly [string, SpecialPurpose])[] = [
  ['0.0.0.0/8', 'this-network'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'shared-address-space'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'ietf-protocol'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', '6to4-relay'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
  ['240.0.0.0/4', 'reserved'],
];

/** The IPv6 table: [cidr, name]. */
export const SPECIAL_IPV6: readonly (readonly [string, SpecialPurpose])[] = [
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['64:ff9b::/96', 'nat64'],
  ['64:ff9b:1::/48', 'nat64'],
  ['100::/64', 'discard'],
  ['2001::/32', 'teredo'],
  ['2001:2::/48', 'benchmarking'],
  ['2001:db8::/32', 'documentation'],
  ['2001:10::/28', 'orchid'],
  ['2001:20::/28', 'orchid'],
  ['2002::/16', '6to4'],
  ['3fff::/20', 'documentation'],
  ['5f00::/16', 'segment-routing'],
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['ff00::/8', 'multicast'],
];

interface V4Entry {
  readonly start: number;
  readonly end: number;
  readonly name: SpecialPurpose;
}
interface V6Entry {
  readonly words: Uint32Array;
  readonly mask: Uint32Array;
  readonly name: SpecialPurpose;
}

function prefixMask(len: number, out: Uint32Array): void {
  for (let w = 0; w < 4; w++) {
    const bits = Math.max(0, Math.min(32, len - w * 32));
    out[w] =
      bits === 0
        ? 0
        : bits === 32
          ? 0xffffffff
          : (0xffffffff << (32 - bits)) >>> 0;
  }
}

const V4: V4Entry[] = SPECIAL_IPV4.map(([cidr, name]) => {
  const [addr, len] = cidr.split('/') as [string, string];
  const start = parseIpv4(addr);
  const size = 2 ** (32 - Number(len));
  return { start, end: start + size - 1, name };
});

const V6: V6Entry[] = SPECIAL_IPV6.map(([cidr, name]) => {
  const [addr, len] = cidr.split('/') as [string, string];
  const words = new Uint32Array(4);
  parseIpv6(addr, words);
  const mask = new Uint32Array(4);
  prefixMask(Number(len), mask);
  return { words, mask, name };
});

// A 256-entry first-octet table keeps the common IPv4 case to one array read.
const V4_BY_OCTET: (V4Entry[] | null)[] = Array.from(
  { length: 256 },
  (_, octet) => {
    const lo = octet * 2 ** 24;
    const hi = lo + 2 ** 24 - 1;
    const hits = V4.filter((e) => e.start <= hi && e.end >= lo);
    return hits.length > 0 ? hits : null;
  },
);

/** The special-purpose name of an IPv4 address (as uint32), or null. */
export function specialIpv4(value: number): SpecialPurpose | null {
  const list = V4_BY_OCTET[value >>> 24];
  if (list === null || list === undefined) return null;
  for (const e of list) if (value >= e.start && value <= e.end) return e.name;
  return null;
}

/** The special-purpose name of an IPv6 address (four words), or null. */
export function specialIpv6(words: ArrayLike<number>): SpecialPurpose | null {
  const top = words[0]! >>> 16;
  // Fast exit for global unicast outside the listed 2001::/23, 2002::/16 and 3fff::/20.
  if (top >= 0x2003 && top < 0x3fff) return null;
  for (const e of V6) {
    if (
      (words[0]! & e.mask[0]!) >>> 0 === e.words[0] &&
      (words[1]! & e.mask[1]!) >>> 0 === e.words[1] &&
      (words[2]! & e.mask[2]!) >>> 0 === e.words[2] &&
      (words[3]! & e.mask[3]!) >>> 0 === e.words[3]
    )
      return e.name;
  }
  return null;
}

/** The IPv4 table as numeric ranges (for building lookup structures). */
export function specialIpv4Ranges(): { first: number[]; last: number[] } {
  return { first: V4.map((e) => e.start), last: V4.map((e) => e.end) };
}

/**
 * The IPv6 table as four-word prefixes (for building lookup structures), up
 * to /64 only: the longer ones (`::/128`, `::1/128`, `64:ff9b::/96`) sit where
 * {@link mayBeLongSpecialIpv6} says and are checked in code, which keeps
 * every trie key within its top 64 bits.
 */
export function specialIpv6Prefixes(): {
  words: Uint32Array;
  prefixLength: Uint8Array;
} {
  const short = SPECIAL_IPV6.map(([cidr], i) => ({
    len: Number(cidr.split('/')[1]),
    i,
  })).filter((x) => x.len <= 64);
  const words = new Uint32Array(short.length * 4);
  const prefixLength = new Uint8Array(short.length);
  short.forEach((x, k) => {
    words.set(V6[x.i]!.words, k * 4);
    prefixLength[k] = x.len;
  });
  return { words, prefixLength };
}

/** True when an address could lie in a special block longer than /64 (`::/96`-ish or `64:ff9b::/96`). */
export function mayBeLongSpecialIpv6(w0: number, w1: number): boolean {
  return w1 === 0 && (w0 === 0 || w0 === 0x0064ff9b);
}
