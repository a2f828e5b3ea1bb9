import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../../src/registry/load-registry.js';
import { QueryError } from '../../src/errors.js';
import type { Registry } from '../../src/types.js';
import type { RegistryIndex } from '../../src/registry/registry-index.js';
import {
  APNIC_FIXTURE,
  IANA_FIXTURE,
  RIPE_FIXTURE,
} from '../helpers/registry-fixtures.js';

/** Writes an APNIC file of `lines` into a new temporary directory. */
function writeApnicFile(
  lines: readonly string[],
  name = 'delegated-apnic-extended-20240101',
): {
  file: string;
  remove: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'rirmap-registry-'));
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const APNIC = APNIC_FIXTURE;
const RIPE = RIPE_FIXTURE;
const IANA = IANA_FIXTURE;

// Every expectation below was worked out by hand from the fixture lines.
describe('registry over hand-written fixtures', async () => {
  const registry: Registry = await loadRegistry({ data: [APNIC, RIPE, IANA] });
  const brief = (q: string) => {
    const r = registry.query(q);
    if (!r.found) return r;
    return {
      rir: r.rir,
      country: r.country,
      date: r.date,
      status: r.status,
      holder: r.holder,
      start: r.range.start,
      end: r.range.end,
      file: r.source.file,
    };
  };

  it('answers the smallest covering range', () => {
    expect(brief('1.0.16.1')).toEqual({
      rir: 'ripencc',
      country: 'NL',
      date: '2020-01-01',
      status: 'assigned',
      holder: '2f1d9a2e-0000-4000-8000-000000000001',
      start: '1.0.16.0',
      end: '1.0.16.255',
      file: 'delegated-ripencc-extended-20240301',
    });
    expect(brief('1.0.17.1')).toMatchObject({
      rir: 'apnic',
      country: 'JP',
      start: '1.0.16.0',
      end: '1.0.31.255',
    });
    expect(brief('1.0.31.255')).toMatchObject({ rir: 'apnic', country: 'JP' });
    expect(brief('2001:200:100::5')).toMatchObject({
      rir: 'ripencc',
      country: 'DE',
      start: '2001:200:100::',
    });
    expect(brief('2001:200::1')).toMatchObject({
      rir: 'apnic',
      country: 'JP',
      start: '2001:200::',
      end: '2001:3ff:ffff:ffff:ffff:ffff:ffff:ffff',
    });
  });

  it('matches non-CIDR ranges exactly', () => {
    const r = registry.lookup('1.0.32.0');
    expect(r?.range).toEqual({
      start: '1.0.32.0',
      end: '1.0.34.255',
      cidrs: ['1.0.32.0/23', '1.0.34.0/24'],
    });
    expect(registry.lookup('1.0.34.255')?.country).toBe('CN');
    // Just past the range: IANA's fallback record for 1/8, not the CN block.
    expect(brief('1.0.35.0')).toEqual({
      rir: 'apnic',
      country: null,
      date: '2010-01-01',
      status: 'allocated',
      holder: null,
      start: '1.0.0.0',
      end: '1.255.255.255',
      file: 'delegated-iana-20240101',
    });
    expect(registry.lookup('1.0.64.0')?.range.cidrs).toEqual(['1.0.64.0/18']);
    expect(registry.lookup('1.0.128.0')?.source.registry).toBe('iana');
  });

  it('prefers allocated/assigned over available/reserved on equal ranges', () => {
    expect(brief('1.0.0.5')).toMatchObject({
      rir: 'apnic',
      country: 'AU',
      status: 'assigned',
    });
  });

  it('answers from the IANA file where no registry file covers', () => {
    expect(brief('2.1.1.1')).toMatchObject({
      rir: 'ripencc',
      country: null,
      status: 'allocated',
    });
    expect(brief('192.12.109.5')).toMatchObject({
      rir: 'iana',
      status: 'assigned',
    });
    expect(registry.query('3.0.0.1')).toEqual({
      query: '3.0.0.1',
      found: false,
    });
    expect(registry.query('2001:400::1')).toEqual({
      query: '2001:400::1',
      found: false,
    });
  });

  it('classifies special-purpose addresses before lookup', () => {
    expect(registry.query('10.1.1.1')).toEqual({
      query: '10.1.1.1',
      found: false,
      special: 'private',
    });
    expect(registry.query('2001:db8::1')).toEqual({
      query: '2001:db8::1',
      found: false,
      special: 'documentation',
    });
    expect(registry.lookup('127.0.0.1')).toBeNull();
    // Special blocks longer than /64 are checked outside the trie.
    expect(registry.special('::1')).toBe('loopback');
    expect(registry.query('::1')).toEqual({
      query: '::1',
      found: false,
      special: 'loopback',
    });
    expect(registry.query('::')).toEqual({
      query: '::',
      found: false,
      special: 'unspecified',
    });
    expect(registry.query('64:ff9b::8.8.8.8')).toEqual({
      query: '64:ff9b::8.8.8.8',
      found: false,
      special: 'nat64',
    });
    expect(registry.query('::2')).toEqual({ query: '::2', found: false });
  });

  it('folds IPv4-mapped IPv6 to IPv4', () => {
    expect(registry.lookup('::ffff:1.0.16.1')).toBe(
      registry.lookup('1.0.16.1'),
    );
  });

  it('looks up AS numbers and ranges', () => {
    expect(registry.lookupAsn(173)).toMatchObject({
      rir: 'apnic',
      country: 'AU',
      range: { start: 173, end: 175 },
    });
    expect(registry.lookupAsn('AS174')).toMatchObject({
      rir: 'ripencc',
      country: 'EU',
      date: null,
    });
    expect(registry.lookupAsn(175)?.rir).toBe('apnic');
    expect(registry.lookupAsn(176)).toBeNull();
    expect(registry.lookupAsn('as4200000000')?.country).toBe('CN');
    expect(registry.lookupAsn(3)).toMatchObject({
      rir: 'arin',
      source: { registry: 'iana' },
    });
    expect(registry.lookupAsn(7)).toBeNull();
    expect(registry.lookupAsn(173)?.range.cidrs).toBeUndefined();
  });

  it('throws typed errors for invalid queries and has a non-throwing twin', () => {
    expect(() => registry.lookup('1.2.3')).toThrow(QueryError);
    try {
      registry.lookup('not an ip');
    } catch (e) {
      expect((e as QueryError).code).toBe('INPUT_INVALID_IP');
    }
    expect(() => registry.lookupAsn('AS-x')).toThrow(/not an AS number/);
    expect(registry.query('1.2.3')).toMatchObject({
      found: false,
      code: 'INPUT_INVALID_QUERY',
    });
  });

  it('lists every overlap as a conflict', () => {
    const c = registry.conflicts();
    const summary = c
      .map(
        (x) =>
          `${x.type} ${String(x.start)}-${String(x.end)} ${x.winner.rir}>${x.loser.rir}`,
      )
      .sort();
    expect(summary).toEqual([
      'asn 174-174 ripencc>apnic',
      'ipv4 1.0.0.0-1.0.0.255 apnic>ripencc',
      'ipv4 1.0.16.0-1.0.16.255 ripencc>apnic',
      'ipv6 2001:200:100::-2001:200:1ff:ffff:ffff:ffff:ffff:ffff ripencc>apnic',
    ]);
    const s = registry.stats();
    expect(s.conflicts).toBe(4);
    expect(s.conflictsDisagreeing).toBe(4);
    expect(
      c.find((x) => x.type === 'ipv4' && x.winner.rir === 'apnic')?.loser.line,
    ).toBe(6);
  });

  it('finds every block of a holder', () => {
    const blocks = registry.holder('A92D9378').map((r) => r.range.start);
    expect(blocks.sort()).toEqual(['1.0.16.0', '1.0.64.0', '2001:200::']);
    expect(registry.holder('nope')).toEqual([]);
  });

  it('records provenance of each file', () => {
    expect(
      registry.sources.map((s) => [
        s.file,
        s.registry,
        s.serial,
        s.endDate,
        s.records,
      ]),
    ).toEqual([
      [
        'delegated-apnic-extended-20240101',
        'apnic',
        '20240102',
        '2024-01-01',
        8,
      ],
      [
        'delegated-ripencc-extended-20240301',
        'ripencc',
        '1709333999',
        '2024-03-01',
        4,
      ],
      ['delegated-iana-20240101', 'iana', '20240101', '2024-01-01', 6],
    ]);
    expect(registry.sources[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a directory contributes the newest file per registry', async () => {
    const dir = fileURLToPath(
      new URL('../../fixtures/registry/', import.meta.url),
    );
    const r = await loadRegistry({ data: [dir] });
    expect(r.sources.map((s) => s.registry).sort()).toEqual([
      'apnic',
      'iana',
      'ripencc',
    ]);
  });
});

describe('CIDR queries', async () => {
  const registry = await loadRegistry({ data: [APNIC, RIPE] });
  it('answers with the record that holds the whole block', () => {
    // 1.0.16.0/20 is apnic JP (fixture line 5); 1.0.24.0/21 lies inside it.
    expect(registry.query('1.0.24.0/21')).toMatchObject({
      query: '1.0.24.0/21',
      found: true,
      rir: 'apnic',
      country: 'JP',
    });
    expect(registry.query('1.0.17.0/24')).toMatchObject({
      found: true,
      range: { start: '1.0.16.0' },
    });
    // 1.0.32.0/22 runs past the CN block's end (1.0.34.255): only partly covered.
    expect(registry.query('1.0.32.0/22')).toEqual({
      query: '1.0.32.0/22',
      found: false,
      partial: true,
    });
    expect(registry.query('2001:200:100::/48')).toMatchObject({
      found: true,
      rir: 'ripencc',
      country: 'DE',
    });
    expect(registry.query('10.1.0.0/16')).toEqual({
      query: '10.1.0.0/16',
      found: false,
      special: 'private',
    });
    expect(registry.query('9.0.0.0/8')).toEqual({
      query: '9.0.0.0/8',
      found: false,
    });
    expect(registry.query('1.0.16.0/33')).toMatchObject({
      found: false,
      code: 'INPUT_INVALID_QUERY',
    });
  });
});

// IPv6 records longer than /64 (not in the registries' files, but allowed by
// the format) take the trie's four-word path; answers worked out by hand.
describe('IPv6 prefixes longer than /64', async () => {
  const { file, remove } = writeApnicFile([
    '2.3|apnic|20240101|4|19830101|20240101|+1000',
    'apnic|*|ipv6|*|4|summary',
    'apnic|JP|ipv6|2400:1000::|32|20100101|allocated|A1',
    'apnic|AU|ipv6|2400:1000::|96|20110101|assigned|A2',
    'apnic|NZ|ipv6|2400:1000::1:0:0|112|20120101|assigned|A3',
    'apnic|SG|ipv6|2400:1000::1:0:5|128|20130101|assigned|A4',
  ]);
  const registry = await loadRegistry({ data: [file] });
  remove();
  const cc = (q: string) => registry.lookup(q)?.country ?? null;

  it('answers the smallest covering prefix at every edge', () => {
    expect(cc('2400:1000::')).toBe('AU');
    expect(cc('2400:1000::ffff:ffff')).toBe('AU'); // last of the /96
    expect(cc('2400:1000::1:0:0')).toBe('NZ'); // first past the /96, first of the /112
    expect(cc('2400:1000::1:0:4')).toBe('NZ');
    expect(cc('2400:1000::1:0:5')).toBe('SG');
    expect(cc('2400:1000::1:0:6')).toBe('NZ');
    expect(cc('2400:1000::1:0:ffff')).toBe('NZ'); // last of the /112
    expect(cc('2400:1000::1:1:0')).toBe('JP');
    expect(cc('2400:1000:ffff:ffff:ffff:ffff:ffff:ffff')).toBe('JP');
    expect(cc('2400:1001::')).toBeNull();
    expect(registry.lookup('2400:1000::1:0:5')?.range).toEqual({
      start: '2400:1000::1:0:5',
      end: '2400:1000::1:0:5',
      cidrs: ['2400:1000::1:0:5/128'],
    });
  });
});

// A /16 that several records share is answered by runs of /24s, one answer
// per run; a /24 split between records is searched. Answers worked out by
// hand from the lines below; every query is also the first lookup of a fresh
// registry, so the runs are built from every starting point.
describe('IPv4 in a /16 several records share', async () => {
  const { file, remove } = writeApnicFile([
    '2.3|apnic|20240101|7|19830101|20240101|+1000',
    'apnic|*|ipv4|*|7|summary',
    'apnic|JP|ipv4|20.5.0.0|512|20100101|allocated|A1', // .0.0 - .1.255
    'apnic|KR|ipv4|20.5.2.0|100|20100101|assigned|B1', // .2.0 - .2.99
    'apnic|CN|ipv4|20.5.2.100|412|20100101|assigned|C1', // .2.100 - .3.255
    'apnic|AU|ipv4|20.5.10.0|256|20100101|assigned|D1',
    'apnic|JP|ipv4|20.5.11.0|256|20110101|assigned|A1', // another record, same holder
    'apnic|TW|ipv4|20.5.12.0|62464|20100101|allocated|E1', // to .255.255
    'apnic|NZ|ipv4|20.6.0.0|65536|20100101|allocated|F1',
  ]);
  const load = () => loadRegistry({ data: [file] });
  const expected: [string, string | null, string | null][] = [
    // query, country, first address of the answering record
    ['20.5.0.0', 'JP', '20.5.0.0'],
    ['20.5.1.255', 'JP', '20.5.0.0'],
    ['20.5.2.0', 'KR', '20.5.2.0'],
    ['20.5.2.99', 'KR', '20.5.2.0'],
    ['20.5.2.100', 'CN', '20.5.2.100'],
    ['20.5.2.255', 'CN', '20.5.2.100'],
    ['20.5.3.0', 'CN', '20.5.2.100'],
    ['20.5.3.255', 'CN', '20.5.2.100'],
    ['20.5.4.0', null, null],
    ['20.5.9.255', null, null],
    ['20.5.10.7', 'AU', '20.5.10.0'],
    ['20.5.11.0', 'JP', '20.5.11.0'],
    ['20.5.11.255', 'JP', '20.5.11.0'],
    ['20.5.12.0', 'TW', '20.5.12.0'],
    ['20.5.255.255', 'TW', '20.5.12.0'],
    ['20.6.1.2', 'NZ', '20.6.0.0'],
    ['20.4.255.255', null, null],
    ['20.7.0.0', null, null],
  ];
  const registries = await Promise.all(expected.map(() => load()));
  remove();
  const answer = (r: Registry, q: string) => {
    const x = r.lookup(q);
    return [q, x?.country ?? null, (x?.range.start as string) ?? null];
  };

  it.each(expected.map(([q], i) => ({ q, i })))(
    'first lookup $q, then every query twice',
    ({ q, i }) => {
      const registry = registries[i]!;
      expect(answer(registry, q)).toEqual(expected[i]);
      for (let pass = 0; pass < 2; pass++)
        for (const [query] of expected)
          expect(answer(registry, query)).toEqual(
            expected.find(([x]) => x === query),
          );
    },
  );
});

// Holders are numbered once for all the files of a load: the same opaque-id
// in two files is one holder. Worked out by hand from the lines below.
describe('a holder across files', async () => {
  const a = writeApnicFile([
    '2.3|apnic|20240101|2|19830101|20240101|+1000',
    'apnic|*|ipv4|*|2|summary',
    'apnic|JP|ipv4|20.1.0.0|65536|20100101|allocated|H1',
    'apnic|KR|ipv4|20.2.0.0|65536|20100101|allocated|H2',
  ]);
  const b = writeApnicFile(
    [
      '2.3|apnic|20240201|3|19830101|20240201|+1000',
      'apnic|*|ipv4|*|3|summary',
      'apnic|KR|ipv4|20.3.0.0|65536|20110101|allocated|H2',
      'apnic|JP|ipv4|20.4.0.0|65536|20110101|allocated|H1',
      'apnic||ipv4|20.5.0.0|65536||available|apnic', // a registry's name: no holder
    ],
    'delegated-apnic-extended-20240201',
  );
  const registry = await loadRegistry({ data: [a.file, b.file] });
  a.remove();
  b.remove();
  const starts = (h: string) =>
    registry
      .holder(h)
      .map((r) => r.range.start)
      .sort();

  it('lists the blocks of both files under one holder', () => {
    expect(starts('H1')).toEqual(['20.1.0.0', '20.4.0.0']);
    expect(starts('H2')).toEqual(['20.2.0.0', '20.3.0.0']);
    expect(registry.lookup('20.4.0.1')?.holder).toBe('H1');
    expect(registry.lookup('20.3.0.1')?.holder).toBe('H2');
    // Stored once each: two holders in the table, the same index for both files.
    const columns = (registry as RegistryIndex).data.columns;
    expect(columns.holderOffsets.length - 1).toBe(2);
    const holderOf = (ip: string) => columns.holder[registry.lookupId(ip)];
    expect(holderOf('20.1.0.1')).toBe(holderOf('20.4.0.1'));
    expect(holderOf('20.2.0.1')).toBe(holderOf('20.3.0.1'));
  });

  it('gives no holder to a registry name in the opaque-id field', () => {
    expect(registry.lookup('20.5.0.1')?.holder).toBeNull();
    expect(registry.holder('apnic')).toEqual([]);
  });
});
