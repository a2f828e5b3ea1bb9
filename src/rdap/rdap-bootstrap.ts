/**
 * The IANA RDAP bootstrap registries (RFC 9224): which server answers for
 * which address block. rirmap ships a copy (`bootstrap/*.json`, taken
 * unchanged in content from data.iana.org as recorded in 2024: ipv4.json
 * published 2019-06-07T19:00:02Z, ipv6.json 2019-11-06T19:00:04Z, asn.json
 * 2024-04-10T20:00:01Z) and can load a newer one with `loadRdapBootstrap`.
 *
 * The bootstrap is only a fallback: a query the offline data answers goes
 * straight to the registry the delegated record names, which reflects
 * inter-RIR transfers that the bootstrap does not.
 */

import embeddedAsn from './bootstrap/asn.json' with { type: 'json' };
import embeddedIpv4 from './bootstrap/ipv4.json' with { type: 'json' };
import embeddedIpv6 from './bootstrap/ipv6.json' with { type: 'json' };
import { familyBits, parseCidrValue, type IpValue } from './rdap-ip.js';

/** A bootstrap answer: the chosen base URL and the bootstrap entry that matched. */
export interface RdapBootstrapMatch {
  /** The https base URL (ends with `/`). */
  readonly baseUrl: string;
  /** The matching entry: a prefix (`8.0.0.0/8`) or an ASN range (`1-1876`). */
  readonly entry: string;
}

/** A parsed bootstrap. Build one with {@link createRdapBootstrap} or {@link loadRdapBootstrap}. */
export interface RdapBootstrap {
  /** Publication time of each registry file (RFC 3339 text), or null when not loaded. */
  readonly publication: Readonly<{
    ipv4: string | null;
    ipv6: string | null;
    asn: string | null;
  }>;
  /** Longest-prefix match for an address. */
  serverForIp(ip: IpValue): RdapBootstrapMatch | null;
  /** The range holding an AS number. */
  serverForAsn(asn: number): RdapBootstrapMatch | null;
  /** Every host (`host[:port]`) of an https base URL in the bootstrap. */
  hosts(): readonly string[];
}

/** The three registry files, as parsed JSON (any may be absent). */
export interface RdapBootstrapFiles {
  readonly ipv4?: unknown;
  readonly ipv6?: unknown;
  readonly asn?: unknown;
}

interface PrefixEntry {
  readonly start: bigint;
  readonly end: bigint;
  readonly length: number;
  readonly match: RdapBootstrapMatch;
}

interface AsnEntry {
  readonly first: number;
  readonly last: number;
  readonly match: RdapBootstrapMatch;
}

interface ServiceList {
  readonly publication: string | null;
  readonly services: { readonly entries: string[]; readonly baseUrl: string }[];
}

/**
 * Reads `{publication, services: [[entries], [urls]], …}` leniently: unknown
 * members are ignored, service items with three arrays (object-tags style)
 * use the last two, and only https base URLs are kept.
 */
function readServices(json: unknown, name: string): ServiceList {
  if (
    typeof json !== 'object' ||
    json === null ||
    !Array.isArray((json as { services?: unknown }).services)
  )
    throw new TypeError(
      `\`bootstrap.${name}\` is not an RDAP bootstrap registry (no \`services\` array)`,
    );
  const raw = json as { services: unknown[]; publication?: unknown };
  const services: { entries: string[]; baseUrl: string }[] = [];
  for (const item of raw.services) {
    if (!Array.isArray(item) || item.length < 2) continue;
    const entries = item[item.length - 2] as unknown;
    const urls = item[item.length - 1] as unknown;
    if (!Array.isArray(entries) || !Array.isArray(urls)) continue;
    const https = urls.find(
      (u): u is string =>
        typeof u === 'string' && /^https:\/\/[^/]/i.test(u.trim()),
    );
    if (https === undefined) continue;
    let baseUrl: string;
    try {
      const url = new URL(https.trim());
      if (!url.pathname.endsWith('/')) url.pathname += '/';
      baseUrl = url.href;
    } catch {
      continue;
    }
    services.push({
      entries: entries
        .filter((e): e is string => typeof e === 'string')
        .map((e) => e.trim()),
      baseUrl,
    });
  }
  return {
    publication: typeof raw.publication === 'string' ? raw.publication : null,
    services,
  };
}

function prefixEntries(
  list: ServiceList | null,
  family: 4 | 6,
): PrefixEntry[][] {
  // Bucketed by the first 8 bits, so a lookup scans only the entries that can match.
  const buckets: PrefixEntry[][] = Array.from({ length: 256 }, () => []);
  if (list === null) return buckets;
  const bits = familyBits(family);
  for (const service of list.services) {
    for (const entry of service.entries) {
      const cidr = parseCidrValue(entry);
      if (cidr === null || cidr.ip.family !== family) continue;
      const shift = BigInt(bits - cidr.length);
      const start = (BigInt(cidr.ip.value) >> shift) << shift;
      const end = start + (1n << shift) - 1n;
      const e: PrefixEntry = {
        start,
        end,
        length: cidr.length,
        match: { baseUrl: service.baseUrl, entry },
      };
      const top = BigInt(bits - 8);
      const first = Number(start >> top);
      const last = Number(end >> top);
      for (let b = first; b <= last; b++) buckets[b]!.push(e);
    }
  }
  for (const b of buckets) b.sort((x, y) => y.length - x.length);
  return buckets;
}

/**
 * Builds a bootstrap from the registry files (parsed JSON). Missing files
 * leave that kind of query without a bootstrap answer.
 * @throws {TypeError} when a given file is not a bootstrap registry.
 */
export function createRdapBootstrap(files: RdapBootstrapFiles): RdapBootstrap {
  const v4 = files.ipv4 === undefined ? null : readServices(files.ipv4, 'ipv4');
  const v6 = files.ipv6 === undefined ? null : readServices(files.ipv6, 'ipv6');
  const asn = files.asn === undefined ? null : readServices(files.asn, 'asn');
  const v4Buckets = prefixEntries(v4, 4);
  const v6Buckets = prefixEntries(v6, 6);
  const asnEntries: AsnEntry[] = [];
  for (const service of asn?.services ?? []) {
    for (const entry of service.entries) {
      const m = /^(\d+)(?:-(\d+))?$/.exec(entry);
      if (m === null) continue;
      const first = Number(m[1]);
      const last = m[2] === undefined ? first : Number(m[2]);
      if (first <= last)
        asnEntries.push({
          first,
          last,
          match: { baseUrl: service.baseUrl, entry },
        });
    }
  }
  const hosts = new Set<string>();
  for (const list of [v4, v6, asn])
    for (const s of list?.services ?? []) hosts.add(new URL(s.baseUrl).host);
  const hostList = [...hosts].sort();
  return {
    publication: {
      ipv4: v4?.publication ?? null,
      ipv6: v6?.publication ?? null,
      asn: asn?.publication ?? null,
    },
    serverForIp(ip: IpValue): RdapBootstrapMatch | null {
      const value = BigInt(ip.value);
      const top =
        ip.family === 4 ? Number(value >> 24n) : Number(value >> 120n);
      const bucket = (ip.family === 4 ? v4Buckets : v6Buckets)[top]!;
      for (const e of bucket)
        if (e.start <= value && value <= e.end) return e.match;
      return null;
    },
    serverForAsn(n: number): RdapBootstrapMatch | null {
      for (const e of asnEntries)
        if (e.first <= n && n <= e.last) return e.match;
      return null;
    },
    hosts: () => hostList,
  };
}

/** The bootstrap rirmap ships (see the module comment for its publication dates). */
export const EMBEDDED_RDAP_BOOTSTRAP: RdapBootstrap = createRdapBootstrap({
  ipv4: embeddedIpv4,
  ipv6: embeddedIpv6,
  asn: embeddedAsn,
});
