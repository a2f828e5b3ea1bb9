/**
 * Seeded generator of delegated-stats text for differential tests, plus a
 * deliberately simple reference lookup (a linear scan applying the precedence
 * rule literally), independent of the trie code.
 */

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RefRecord {
  file: string;
  fileIndex: number;
  registry: string;
  endDate: number;
  tier: number;
  type: 'ipv4' | 'ipv6' | 'asn';
  first: bigint;
  last: bigint;
  status: string;
  country: string;
  order: number;
}

export interface GeneratedFile {
  name: string;
  text: string;
  records: RefRecord[];
}

const STATUSES = ['allocated', 'assigned', 'available', 'reserved'];
const CCS = ['JP', 'AU', 'NL', 'DE', 'US', 'BR', 'ZA', ''];

function v4text(n: bigint): string {
  const x = Number(n);
  return [x >>> 24, (x >>> 16) & 255, (x >>> 8) & 255, x & 255].join('.');
}

/** Full-length, non-compressed IPv6 text (an independent formatter). */
export function v6text(n: bigint): string {
  const parts: string[] = [];
  for (let i = 7; i >= 0; i--)
    parts.push(((n >> BigInt(i * 16)) & 0xffffn).toString(16));
  return parts.join(':');
}

/**
 * Generates one registry file with `n` records of each type. IPv4 inside
 * 20.0.0.0-99.255.255.255, IPv6 inside 2400::/6-ish space, ASN 1-400000:
 * no special-purpose space.
 */
export function generateFile(
  rand: () => number,
  registry: string,
  date: number,
  n: number,
  fileIndex: number,
  orderBase: number,
): GeneratedFile {
  const name = `delegated-${registry}-extended-${date}`;
  const lines: string[] = [];
  const records: RefRecord[] = [];
  let order = orderBase;
  const push = (
    type: 'ipv4' | 'ipv6' | 'asn',
    startText: string,
    value: number,
    first: bigint,
    last: bigint,
  ) => {
    const status = STATUSES[Math.floor(rand() * 4)]!;
    const cc =
      status === 'available' || status === 'reserved'
        ? ''
        : CCS[Math.floor(rand() * 7)]!;
    const d = status === 'allocated' || status === 'assigned' ? '20100101' : '';
    lines.push(
      `${registry}|${cc}|${type}|${startText}|${value}|${d}|${status}|h${Math.floor(rand() * 50)}`,
    );
    records.push({
      file: name,
      fileIndex,
      registry,
      endDate: date,
      tier: 0,
      type,
      first,
      last,
      status,
      country: cc,
      order: order++,
    });
  };
  for (let i = 0; i < n; i++) {
    // IPv4: aligned CIDR blocks, arbitrary counts, unaligned starts.
    const kind = rand();
    const start = 20 * 2 ** 24 + Math.floor(rand() * 80 * 2 ** 24);
    let s: number;
    let count: number;
    if (kind < 0.5) {
      const len = 8 + Math.floor(rand() * 21); // /8 .. /28
      const size = 2 ** (32 - len);
      s = Math.floor(start / size) * size;
      count = size;
    } else {
      s = start;
      count = 1 + Math.floor(rand() * (kind < 0.8 ? 5000 : 300000));
    }
    if (s < 20 * 2 ** 24) s = 20 * 2 ** 24;
    if (s + count - 1 > 100 * 2 ** 24 - 1) count = 100 * 2 ** 24 - s;
    push('ipv4', v4text(BigInt(s)), count, BigInt(s), BigInt(s + count - 1));
    // IPv6 prefixes /16 .. /64 in 2400::/6.
    const len = 16 + Math.floor(rand() * 49);
    const hi =
      (0x2400n << 48n) +
      (BigInt(Math.floor(rand() * 2 ** 26)) << 32n) +
      BigInt(Math.floor(rand() * 2 ** 32));
    const top = hi & ~((1n << BigInt(64 - len)) - 1n);
    const v6first = top << 64n;
    const v6last = v6first + (1n << BigInt(128 - len)) - 1n;
    // Write some starts non-canonically (leading zeros, no compression).
    const text =
      rand() < 0.5
        ? v6text(v6first)
        : v6text(v6first).replace(
            /^([0-9a-f]+):/,
            (_m, g: string) => `${g.padStart(4, '0')}:`,
          );
    push('ipv6', text, len, v6first, v6last);
    // ASN ranges.
    const a = 1 + Math.floor(rand() * 400000);
    const c = rand() < 0.7 ? 1 : 1 + Math.floor(rand() * 3000);
    push('asn', String(a), c, BigInt(a), BigInt(a + c - 1));
  }
  const header = `2.3|${registry}|${date}|${lines.length}|19700101|${date}|+0000`;
  const summaries = [
    `${registry}|*|asn|*|${n}|summary`,
    `${registry}|*|ipv4|*|${n}|summary`,
    `${registry}|*|ipv6|*|${n}|summary`,
  ];
  return {
    name,
    text: [header, ...summaries, ...lines].join('\n') + '\n',
    records,
  };
}

/** An IANA-style file of /8s (IPv4) pointing at registries: the fallback tier. */
export function generateIana(
  fileIndex: number,
  orderBase: number,
): GeneratedFile {
  const name = 'delegated-iana-20240101';
  const lines: string[] = [];
  const records: RefRecord[] = [];
  const rirs = ['apnic', 'arin', 'ripencc', 'lacnic', 'afrinic'];
  let order = orderBase;
  for (let o = 20; o < 100; o += 3) {
    const rir = rirs[o % 5]!;
    lines.push(`iana|ZZ|ipv4|${o}.0.0.0|16777216|19930101|${rir}`);
    records.push({
      file: name,
      fileIndex,
      registry: 'iana',
      endDate: 20240101,
      tier: 1,
      type: 'ipv4',
      first: BigInt(o * 2 ** 24),
      last: BigInt((o + 1) * 2 ** 24 - 1),
      status: 'allocated',
      country: '',
      order: order++,
    });
  }
  const header = `2|iana|20240101|${lines.length}|19830101|20240101|+0000`;
  return {
    name,
    text:
      [header, `iana|*|ipv4|*|${lines.length}|summary`, ...lines].join('\n') +
      '\n',
    records,
  };
}

/** The reference answer: a linear scan applying the precedence rule literally. */
export function referenceLookup(
  all: readonly RefRecord[],
  type: 'ipv4' | 'ipv6' | 'asn',
  key: bigint,
): RefRecord | null {
  let best: RefRecord | null = null;
  const better = (a: RefRecord, b: RefRecord): boolean => {
    if (a.tier !== b.tier) return a.tier < b.tier;
    const sa = a.last - a.first;
    const sb = b.last - b.first;
    if (sa !== sb) return sa < sb;
    const ra = a.status === 'allocated' || a.status === 'assigned' ? 0 : 1;
    const rb = b.status === 'allocated' || b.status === 'assigned' ? 0 : 1;
    if (ra !== rb) return ra < rb;
    if (a.endDate !== b.endDate) return a.endDate > b.endDate;
    if (a.registry !== b.registry) return a.registry < b.registry;
    if (a.fileIndex !== b.fileIndex) return a.fileIndex < b.fileIndex;
    return a.order < b.order;
  };
  for (const r of all) {
    if (r.type !== type || key < r.first || key > r.last) continue;
    if (best === null || better(r, best)) best = r;
  }
  return best;
}
