import { describe, expect, it } from 'vitest';
import { ReportBuilder } from '../../src/report/report-builder.js';
import type { ReportObservation } from '../../src/report/report-types.js';
import type { RegistryRecord } from '../../src/types.js';

function record(
  rir: RegistryRecord['rir'],
  country: string | null,
  holder: string | null,
  start: string,
  end: string,
  cidr: string,
  date: string | null = '2011-04-12',
): RegistryRecord {
  return {
    found: true,
    type: start.includes(':') ? 'ipv6' : 'ipv4',
    rir,
    country,
    date,
    status: 'allocated',
    holder,
    range: { start, end, cidrs: [cidr] },
    source: {
      file: `delegated-${rir}-test`,
      registry: rir,
      serial: '1',
      endDate: '2024-01-01',
      sha256: 'x',
    },
  };
}

const JP1 = record(
  'apnic',
  'JP',
  'A92D9378',
  '1.0.16.0',
  '1.0.31.255',
  '1.0.16.0/20',
);
const JP2 = record(
  'apnic',
  'JP',
  'A92D9378',
  '1.0.64.0',
  '1.0.127.255',
  '1.0.64.0/18',
  '2011-04-13',
);
const CN = record(
  'apnic',
  'CN',
  'A92E1062',
  '1.0.32.0',
  '1.0.34.255',
  '1.0.32.0/22',
  '2011-04-14',
);
const NL = record(
  'ripencc',
  'NL',
  null,
  '2.56.0.0',
  '2.56.255.255',
  '2.56.0.0/16',
  '2019-01-01',
);
const V6 = record(
  'apnic',
  'JP',
  'A92D9378',
  '2001:200::',
  '2001:3ff:ffff:ffff:ffff:ffff:ffff:ffff',
  '2001:200::/23',
  '1999-08-13',
);

const MANIFEST = {
  rirmap: '0.0.0',
  mode: 'input' as const,
  input: { name: 'test', sha256: 'abc', bytes: 1 },
  format: 'log',
  columns: [],
  data: [],
  rdap: 'off',
};

const T = (h: number, m = 0): number => Date.UTC(2024, 0, 1, h, m);

/** A small hand-made input: each entry is one row's observations. */
const ROWS: Omit<ReportObservation, 'row'>[][] = [
  [
    { ip: '1.0.16.1', record: JP1, time: T(1) },
    { ip: '1.0.16.2', record: JP1, time: T(1) },
  ],
  [
    { ip: '1.0.16.1', record: JP1, time: T(3) },
    { ip: '1.0.64.9', record: JP2, time: T(3) },
  ],
  [{ ip: '1.0.32.5', record: CN, time: T(2) }],
  [{ ip: '2.56.1.1', record: NL, time: null }],
  [{ ip: '10.1.2.3', record: null, special: 'private', time: T(4) }],
  [
    { ip: '192.0.2.7', record: null, special: 'documentation', time: T(5) },
    { ip: '10.1.2.3', record: null, special: 'private', time: T(5) },
  ],
  [{ ip: '45.0.0.1', record: null, time: T(6) }],
  [
    { ip: 'not-an-ip', record: null, error: 'invalid', column: 'src|ip' },
    { ip: '', record: null, error: 'missing' },
  ],
  [
    { ip: '2001:0200:0000::0001', record: V6, time: T(7) },
    { ip: '2001:200::1', record: V6, time: T(8) },
  ],
  [{ ip: '::ffff:1.0.16.1', record: JP1, time: T(0, 30) }],
];

function build(limits = {}): ReturnType<ReportBuilder['finish']> {
  const b = new ReportBuilder(limits);
  ROWS.forEach((obs, i) => {
    for (const o of obs) b.add({ ...o, row: i + 1 });
  });
  b.addRows(ROWS.length + 2); // two rows without addresses
  return b.finish({ manifest: MANIFEST, timeSource: 'line' });
}

describe('ReportBuilder', () => {
  const r = build();

  it('totals', () => {
    expect(r.totals).toEqual({
      rows: 12,
      rowsWithAddresses: 10,
      hits: 14,
      found: 9,
      notFound: 1,
      special: 3,
      invalid: 1,
      missing: 1,
      // JP1: .1 .2 (the mapped ::ffff:1.0.16.1 is 1.0.16.1), JP2 1, CN 1, NL 1, V6 1 (two
      // spellings), private 1, documentation 1, unallocated 1
      addresses: 9,
      addressesExact: true,
      registries: 2,
      countries: 3,
      holders: 2,
      blocks: 5,
      firstSeen: '2024-01-01T00:30:00Z',
      lastSeen: '2024-01-01T08:00:00Z',
    });
    expect(r.time).toEqual({
      source: 'line',
      kind: 'utc',
      rowsWithTime: 8,
      rowsWithoutTime: 2,
    });
  });

  it('groups registry, country, holder, block, heaviest first', () => {
    expect(
      r.registries.map((x) => [
        x.rir,
        x.addresses,
        x.hits,
        x.rows,
        x.blocks,
        x.holders,
      ]),
    ).toEqual([
      // hits: JP1 4 (rows 1, 1, 2, 10), JP2 1, CN 1, V6 2; rows 1, 2, 3, 9, 10
      ['apnic', 5, 8, 5, 4, 2],
      ['ripencc', 1, 1, 1, 1, 0],
    ]);
    const apnic = r.registries[0]!;
    expect(
      apnic.countries.map((c) => [
        c.country,
        c.addresses,
        c.hits,
        c.rows,
        c.firstSeen,
        c.lastSeen,
      ]),
    ).toEqual([
      ['JP', 4, 7, 4, '2024-01-01T00:30:00Z', '2024-01-01T08:00:00Z'],
      ['CN', 1, 1, 1, '2024-01-01T02:00:00Z', '2024-01-01T02:00:00Z'],
    ]);
    const jp = apnic.countries[0]!.holders[0]!;
    expect([
      jp.holder,
      jp.addresses,
      jp.hits,
      jp.rows,
      jp.firstAllocated,
      jp.lastAllocated,
    ]).toEqual(['A92D9378', 4, 7, 4, '1999-08-13', '2011-04-13']);
    expect(
      jp.blocks.map((b) => [b.cidrs[0], b.addresses, b.hits, b.rows]),
    ).toEqual([
      ['1.0.16.0/20', 2, 4, 3],
      ['2001:200::/23', 1, 2, 1],
      ['1.0.64.0/18', 1, 1, 1],
    ]);
    const b = jp.blocks[0]!;
    expect(b.topAddresses).toEqual([
      {
        ip: '1.0.16.1',
        hits: 3,
        firstSeen: '2024-01-01T00:30:00Z',
        lastSeen: '2024-01-01T03:00:00Z',
      },
      {
        ip: '1.0.16.2',
        hits: 1,
        firstSeen: '2024-01-01T01:00:00Z',
        lastSeen: '2024-01-01T01:00:00Z',
      },
    ]);
    expect(b.links).toEqual({
      rdap: 'https://rdap.apnic.net/ip/1.0.16.0/20',
      whois: 'https://wq.apnic.net/static/search.html?query=1.0.16.0%2F20',
    });
    expect(jp.blocks[1]!.topAddresses.map((a) => a.ip)).toEqual([
      '2001:200::1',
    ]);
    const nl = r.registries[1]!.countries[0]!;
    expect(nl.holders[0]!.holder).toBeNull();
    expect(nl.firstSeen).toBeNull();
  });

  it('country and holder summaries, allocation years', () => {
    expect(
      r.countries.map((c) => [c.country, c.addresses, c.registries]),
    ).toEqual([
      ['JP', 4, ['apnic']],
      ['CN', 1, ['apnic']],
      ['NL', 1, ['ripencc']],
    ]);
    expect(
      r.holders.map((h) => [
        h.rir,
        h.holder,
        h.addresses,
        h.blocks,
        h.countries,
      ]),
    ).toEqual([
      ['apnic', 'A92D9378', 4, 3, ['JP']],
      ['apnic', 'A92E1062', 1, 1, ['CN']],
    ]);
    expect(r.allocationYears).toEqual([
      { year: 1999, blocks: 1, addresses: 1 },
      { year: 2011, blocks: 3, addresses: 4 },
      { year: 2019, blocks: 1, addresses: 1 },
    ]);
    expect(r.allocationUndated).toEqual({ blocks: 0, addresses: 0 });
  });

  it('special, unallocated and invalid sections', () => {
    expect(r.special.map((s) => [s.name, s.addresses, s.hits, s.rows])).toEqual(
      [
        ['private', 1, 2, 2],
        ['documentation', 1, 1, 1],
      ],
    );
    expect(r.unallocated.topAddresses).toEqual([
      {
        ip: '45.0.0.1',
        hits: 1,
        firstSeen: '2024-01-01T06:00:00Z',
        lastSeen: '2024-01-01T06:00:00Z',
      },
    ]);
    expect(r.invalid).toEqual({
      hits: 1,
      rows: 1,
      missing: 1,
      examples: [{ value: 'not-an-ip', column: 'src|ip', hits: 1 }],
      examplesComplete: true,
    });
  });

  it('gives the same report for the same observations', () => {
    expect(JSON.stringify(build())).toBe(JSON.stringify(r));
  });

  it('bounds distinct addresses per group and overall, then says "at least"', () => {
    const small = build({ maxAddressesPerGroup: 1 });
    const jp1 = small.registries[0]!.countries[0]!.holders[0]!.blocks.find(
      (b) => b.cidrs[0] === '1.0.16.0/20',
    )!;
    expect([jp1.addresses, jp1.addressesExact, jp1.hits]).toEqual([
      1,
      false,
      4,
    ]);
    expect(small.totals.addressesExact).toBe(false);
    expect(small.warnings.some((w) => w.includes('lower bounds'))).toBe(true);
    const none = build({ maxAddresses: 0 });
    expect(none.totals.addresses).toBe(0);
    expect(none.totals.hits).toBe(14);
    expect(none.registries[0]!.rows).toBe(5);
  });

  it('checks its input', () => {
    const b = new ReportBuilder();
    b.add({ ip: '1.0.16.1', record: JP1, row: 5 });
    expect(() => b.add({ ip: '1.0.16.1', record: JP1, row: 4 })).toThrow(
      RangeError,
    );
    expect(() => b.add({ ip: '1.0.16.1', record: JP1, row: 0 })).toThrow(
      RangeError,
    );
    expect(() => new ReportBuilder({ topAddresses: -1 })).toThrow(
      /`topAddresses`/,
    );
    expect(() => new ReportBuilder({ nope: 1 } as never)).toThrow(TypeError);
  });

  it('keeps RDAP networks per block and for unallocated addresses', () => {
    const b = new ReportBuilder();
    b.add({
      ip: '1.0.16.1',
      record: JP1,
      row: 1,
      rdap: {
        name: 'APNIC-LABS',
        org: 'APNIC',
        abuseEmail: 'abuse@example.net',
        handle: 'H1',
      },
    });
    b.add({
      ip: '1.0.16.2',
      record: JP1,
      row: 2,
      rdap: {
        name: 'APNIC-LABS',
        org: 'APNIC',
        abuseEmail: 'abuse@example.net',
        handle: 'H1',
      },
    });
    b.add({
      ip: '45.0.0.1',
      record: null,
      row: 3,
      rdap: { name: 'UNKNOWN-NET', handle: 'H2' },
    });
    const rep = b.finish({ manifest: MANIFEST, timeSource: null });
    expect(
      rep.registries[0]!.countries[0]!.holders[0]!.blocks[0]!.rdap,
    ).toEqual([
      {
        handle: 'H1',
        name: 'APNIC-LABS',
        org: 'APNIC',
        abuseEmail: 'abuse@example.net',
        country: null,
        start: null,
        end: null,
      },
    ]);
    expect(rep.unallocated.rdap.map((n) => n.name)).toEqual(['UNKNOWN-NET']);
    expect(rep.time.kind).toBeNull();
  });
});
