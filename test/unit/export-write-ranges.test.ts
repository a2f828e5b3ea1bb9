/**
 * writeRanges (CSV / JSON Lines) on the hand-written registry, against rows
 * worked out by hand: special-purpose blocks cut out, more specific blocks
 * splitting larger ones, CIDR covers of non-CIDR ranges.
 */

import { describe, expect, it } from 'vitest';
import {
  writeRanges,
  type WriteRangesOptions,
} from '../../src/export/write-ranges.js';
import { parseIpv6 } from '../../src/ip/parse-ip.js';
import { wordsToBigInt } from '../../src/ip/format-ip.js';
import type { Registry } from '../../src/types.js';
import {
  createFakeRegistry,
  FAKE_BLOCKS,
} from '../helpers/export-fake-registry.js';

async function text(
  reg: Registry,
  options: WriteRangesOptions,
): Promise<string> {
  const chunks: Uint8Array[] = [];
  await writeRanges(reg, (c) => void chunks.push(c), options);
  return Buffer.concat(chunks).toString('utf8');
}

// Without ::/8, whose pieces have long CIDR covers (tested apart below).
const registry = createFakeRegistry(
  FAKE_BLOCKS.filter((b) => b.start !== '::'),
);
const full = createFakeRegistry();

const APNIC = 'delegated-apnic-extended-20240101';
const RIPE = 'delegated-ripencc-extended-20240102';
const ARIN = 'delegated-arin-extended-20240103';
const AFRINIC = 'delegated-afrinic-extended-20240104';
const LACNIC = 'delegated-lacnic-extended-20240105';
const IANA = 'delegated-iana-20240106';

const EXPECTED_CSV = [
  'start,end,cidr,rir,country,date,status,holder,source',
  `1.0.0.0,1.0.2.255,1.0.0.0/23 1.0.2.0/24,apnic,AU,2011-08-11,assigned,A91872ED,${APNIC}`,
  `1.0.3.0,1.0.3.255,1.0.3.0/24,apnic,CN,2011-04-14,allocated,A92E1062,${APNIC}`,
  `1.0.4.0,1.0.7.255,1.0.4.0/22,apnic,AU,2011-08-11,assigned,A91872ED,${APNIC}`,
  `2.0.0.0,2.0.255.255,2.0.0.0/16,ripencc,FR,2010-07-12,allocated,,${RIPE}`,
  `2.1.0.0,2.1.0.255,2.1.0.0/24,ripencc,DE,2012-01-02,assigned,,${RIPE}`,
  '2.1.1.0,2.15.255.255,' +
    '2.1.1.0/24 2.1.2.0/23 2.1.4.0/22 2.1.8.0/21 2.1.16.0/20 2.1.32.0/19 2.1.64.0/18 2.1.128.0/17 ' +
    `2.2.0.0/15 2.4.0.0/14 2.8.0.0/13,ripencc,FR,2010-07-12,allocated,,${RIPE}`,
  `41.0.0.0,41.0.0.99,41.0.0.0/26 41.0.0.64/27 41.0.0.96/30,afrinic,ZA,,allocated,,${AFRINIC}`,
  `100.0.0.0,100.63.255.255,100.0.0.0/10,arin,US,2010-11-15,allocated,0b0e7e7c,${ARIN}`,
  `100.128.0.0,100.255.255.255,100.128.0.0/9,arin,US,2010-11-15,allocated,0b0e7e7c,${ARIN}`,
  `200.0.0.0,200.0.0.0,200.0.0.0/32,lacnic,BR,1998-01-01,assigned,"x,""y""",${LACNIC}`,
  `223.255.255.0,223.255.255.255,223.255.255.0/24,apnic,AU,2013-06-06,assigned,A9173591,${APNIC}`,
  `2001:200::,2001:3ff:ffff:ffff:ffff:ffff:ffff:ffff,2001:200::/23,apnic,JP,1999-08-13,allocated,A9193D8A,${APNIC}`,
  '2001:d00::,2001:db7:ffff:ffff:ffff:ffff:ffff:ffff,' +
    `2001:d00::/25 2001:d80::/27 2001:da0::/28 2001:db0::/29,apnic,KR,2005-03-03,allocated,,${APNIC}`,
  '2001:db9::,2001:dff:ffff:ffff:ffff:ffff:ffff:ffff,' +
    `2001:db9::/32 2001:dba::/31 2001:dbc::/30 2001:dc0::/26,apnic,KR,2005-03-03,allocated,,${APNIC}`,
  '2a00::,2a01:110:ffff:ffff:ffff:ffff:ffff:ffff,' +
    `2a00::/16 2a01::/24 2a01:100::/28 2a01:110::/32,ripencc,,,available,,${RIPE}`,
  `2a01:111::,2a01:111:ffff:ffff:ffff:ffff:ffff:ffff,2a01:111::/32,ripencc,GB,2006-12-01,allocated,,${RIPE}`,
  '2a01:112::,2a0f:ffff:ffff:ffff:ffff:ffff:ffff:ffff,' +
    '2a01:112::/31 2a01:114::/30 2a01:118::/29 2a01:120::/27 2a01:140::/26 2a01:180::/25 ' +
    '2a01:200::/23 2a01:400::/22 2a01:800::/21 2a01:1000::/20 2a01:2000::/19 2a01:4000::/18 ' +
    `2a01:8000::/17 2a02::/15 2a04::/14 2a08::/13,ripencc,,,available,,${RIPE}`,
  `2c0f:f000::,2c0f:f000:ffff:ffff:ffff:ffff:ffff:ffff,2c0f:f000::/32,afrinic,ZA,2008-01-01,allocated,F1,${AFRINIC}`,
  `2c0f:f001::,2c0f:f001:ffff:ffff:ffff:ffff:ffff:ffff,2c0f:f001::/32,afrinic,ZA,2008-01-01,allocated,F1,${AFRINIC}`,
  `fec0::,feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,fec0::/10,iana,,,reserved,,${IANA}`,
  '',
].join('\n');

describe('writeRanges', () => {
  it('writes one CSV row per disjoint range, specials cut out', async () => {
    expect(await text(registry, { format: 'csv' })).toBe(EXPECTED_CSV);
  });

  it('cuts the special-purpose blocks out of ::/8', async () => {
    const rows = (await text(full, { format: 'csv', fields: ['rir'] }))
      .split('\n')
      .filter((l) => l.includes(',iana'));
    const ends = rows.map((r) => r.split(',').slice(0, 2).join(' '));
    expect(ends).toEqual([
      // ::/128 and ::1/128 (unspecified, loopback), 64:ff9b::/96 and 64:ff9b:1::/48 (NAT64) are cut.
      '::2 64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff',
      '64:ff9b::1:0:0 64:ff9b:0:ffff:ffff:ffff:ffff:ffff',
      '64:ff9b:2:: ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      'fec0:: feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    ]);
    // Each row's CIDRs tile its range exactly, in order.
    const big = (t: string): bigint => {
      const w = new Uint32Array(4);
      expect(parseIpv6(t, w), t).toBe(true);
      return wordsToBigInt(w);
    };
    for (const row of rows) {
      const [start, end, cidr] = row.split(',') as [string, string, string];
      let next = big(start);
      for (const c of cidr.split(' ')) {
        const [addr, len] = c.split('/') as [string, string];
        const size = 1n << BigInt(128 - Number(len));
        expect(big(addr), c).toBe(next);
        expect(next % size, `${c} aligned`).toBe(0n);
        next += size;
      }
      expect(next - 1n).toBe(big(end));
    }
  });

  it('splits rows into CIDRs with `cidr`', async () => {
    const lines = (
      await text(registry, { format: 'csv', cidr: true, fields: ['country'] })
    ).split('\n');
    expect(lines[0]).toBe('start,end,cidr,country');
    expect(lines.slice(1, 4)).toEqual([
      '1.0.0.0,1.0.1.255,1.0.0.0/23,AU',
      '1.0.2.0,1.0.2.255,1.0.2.0/24,AU',
      '1.0.3.0,1.0.3.255,1.0.3.0/24,CN',
    ]);
    expect(lines).toContain('41.0.0.96,41.0.0.99,41.0.0.96/30,ZA');
    expect(lines).toContain(
      '2a08::,2a0f:ffff:ffff:ffff:ffff:ffff:ffff:ffff,2a08::/13,',
    );
    // One row per CIDR of the range rows: 20 ranges holding 61 CIDRs, plus header and final newline.
    const cidrCount = EXPECTED_CSV.split('\n')
      .slice(1, -1)
      .reduce((n, row) => n + row.split(',')[2]!.split(' ').length, 0);
    expect(lines.length).toBe(cidrCount + 2);
  });

  it('writes JSON Lines with nulls for unknown fields', async () => {
    const rows = (await text(registry, { format: 'jsonl' }))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.length).toBe(EXPECTED_CSV.split('\n').length - 2);
    expect(rows[6]).toEqual({
      start: '41.0.0.0',
      end: '41.0.0.99',
      cidr: ['41.0.0.0/26', '41.0.0.64/27', '41.0.0.96/30'],
      rir: 'afrinic',
      country: 'ZA',
      date: null,
      status: 'allocated',
      holder: null,
      source: AFRINIC,
    });
    const perCidr = (
      await text(registry, {
        format: 'jsonl',
        cidr: true,
        fields: ['rir', 'range'],
      })
    )
      .split('\n')
      .filter((l) => l.includes('"41.0.0.64/27"'));
    expect(perCidr.map((l) => JSON.parse(l) as unknown)).toEqual([
      {
        start: '41.0.0.64',
        end: '41.0.0.95',
        cidr: '41.0.0.64/27',
        rir: 'afrinic',
        range: '41.0.0.0-41.0.0.99',
      },
    ]);
  });

  it('writes the whole block in the `range` column, IPv4 only and no header on request', async () => {
    const out = await text(registry, {
      format: 'csv',
      fields: ['range'],
      ipv4Only: true,
      header: false,
    });
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe(
      '1.0.0.0,1.0.2.255,1.0.0.0/23 1.0.2.0/24,1.0.0.0-1.0.2.255',
    );
    expect(lines).toContain(
      '2.1.1.0,2.15.255.255,2.1.1.0/24 2.1.2.0/23 2.1.4.0/22 2.1.8.0/21 2.1.16.0/20 2.1.32.0/19 2.1.64.0/18 2.1.128.0/17 2.2.0.0/15 2.4.0.0/14 2.8.0.0/13,2.0.0.0/12',
    );
    expect(lines.every((l) => !l.includes(':'))).toBe(true);
    expect(lines.length).toBe(11);
  });

  it('returns counts', async () => {
    const summary = await writeRanges(registry, () => {}, { format: 'csv' });
    expect(summary).toMatchObject({ rows: 20, ranges: 20 });
    expect(summary.bytes).toBe(Buffer.byteLength(EXPECTED_CSV));
  });

  it('rejects bad options synchronously', () => {
    const sink = (): void => {};
    expect(() =>
      writeRanges(registry, sink, { format: 'xml' as never }),
    ).toThrow(/`format`/);
    expect(() =>
      writeRanges(registry, sink, { format: 'csv', cidr: 1 as never }),
    ).toThrow(/`cidr`/);
    expect(() =>
      writeRanges(registry, sink, { format: 'csv', fields: ['x' as never] }),
    ).toThrow(RangeError);
    expect(() => writeRanges(registry, 42 as never, { format: 'csv' })).toThrow(
      /`stream`/,
    );
  });
});
