import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { history, type HistoryPeriod } from '../../src/sources/history.js';

// History over the real dated files of ../shared/data/rir/. Every expected period was worked
// out by hand from the raw lines (zcat | grep) and the header end dates in SOURCES.md:
//
// 24.230.0.0/19, an ARIN block transferred to APNIC:
//   arin-20130813 (end 2013-08-12)          arin|US|ipv4|24.230.0.0|8192|19971009|allocated
//   apnic-20141009 (end 2014-10-08)         apnic|JP|ipv4|24.230.0.0|8192|19971009|allocated
//   apnic-extended-20160131 (end 01-30)     apnic|HK|ipv4|24.230.0.0|8192|19971009|allocated|A91ADED5
//   apnic-extended-20160225 (end 02-24)     (same line)
//   apnic-20190912 (end 2019-09-11)         apnic|HK|ipv4|24.230.0.0|8192|19971009|allocated
//   The ARIN file stays in force after 2014 (no newer ARIN file); on equal range and status the
//   APNIC file, with the later end date, wins.
// 67.159.224.0/19, an ARIN block that LACNIC lists from 2023:
//   arin-20130813                           arin|US|ipv4|67.159.224.0|8192|20070102|allocated
//   lacnic-extended-20230323 (end 03-22)    lacnic|BR|ipv4|67.159.224.0|8192|20211007|allocated|141654
//   (absent from the LACNIC files of 2018-10-12 and 2021-04-05)
// 102.202.140.0/22 in AFRINIC:
//   afrinic-extended-20181013               afrinic|ZZ|ipv4|102.192.0.0|2097152||available|
//   afrinic-extended-20230323               afrinic|ZZ|ipv4|102.192.0.0|1048576||available|
//   afrinic-extended-20260505               afrinic|MU|ipv4|102.202.140.0|1024|20260504|allocated|F36F33A1
// 41.62.0.0/16 in AFRINIC:
//   afrinic-extended-20181013               afrinic|ZZ|ipv4|41.62.0.0|65536||available|
//   afrinic-20190911 (standard file)        (absent: standard files list no available space)
//   afrinic-extended-20230323 and 20260505  afrinic|TN|ipv4|41.62.0.0|65536|20200106|allocated|F364D661
const rir = (name: string) =>
  fileURLToPath(new URL(`../../../shared/data/rir/${name}`, import.meta.url));

const brief = (p: HistoryPeriod) => [
  p.from,
  p.to,
  p.rir,
  p.country,
  p.status,
  p.holder,
  p.date,
];

describe('history against the shared dated files', { timeout: 60_000 }, () => {
  it('shows an ARIN to APNIC transfer and the country change at APNIC', async () => {
    const r = await history('24.230.1.1', {
      data: [
        rir('delegated-arin-20130813.gz'),
        rir('delegated-apnic-20141009.gz'),
        rir('delegated-apnic-extended-20160131.gz'),
        rir('delegated-apnic-extended-20160225.gz'),
        rir('delegated-apnic-20190912.gz'),
      ],
    });
    expect(r.periods.map(brief)).toEqual([
      [
        '2013-08-12',
        '2013-08-12',
        'arin',
        'US',
        'allocated',
        null,
        '1997-10-09',
      ],
      [
        '2014-10-08',
        '2014-10-08',
        'apnic',
        'JP',
        'allocated',
        null,
        '1997-10-09',
      ],
      [
        '2016-01-30',
        '2016-02-24',
        'apnic',
        'HK',
        'allocated',
        'A91ADED5',
        '1997-10-09',
      ],
      [
        '2019-09-11',
        '2019-09-11',
        'apnic',
        'HK',
        'allocated',
        null,
        '1997-10-09',
      ],
    ]);
    expect(
      r.periods.every((p) => p.range?.cidrs?.join() === '24.230.0.0/19'),
    ).toBe(true);
    expect(r.periods[2]!.files).toEqual([
      'delegated-apnic-extended-20160131.gz',
      'delegated-apnic-extended-20160225.gz',
    ]);
  });

  it('shows an ARIN block appearing at LACNIC', async () => {
    const r = await history('67.159.225.1', {
      data: [
        rir('delegated-arin-20130813.gz'),
        rir('delegated-lacnic-extended-20181012.gz'),
        rir('delegated-lacnic-extended-20210405.gz'),
        rir('delegated-lacnic-extended-20230323.gz'),
      ],
    });
    expect(r.periods.map(brief)).toEqual([
      [
        '2013-08-12',
        '2021-04-05',
        'arin',
        'US',
        'allocated',
        null,
        '2007-01-02',
      ],
      [
        '2023-03-22',
        '2023-03-22',
        'lacnic',
        'BR',
        'allocated',
        '141654',
        '2021-10-07',
      ],
    ]);
    expect(r.periods[1]!.files).toEqual([
      'delegated-lacnic-extended-20230323.gz',
    ]);
  });

  it('AFRINIC 2018, 2023, 2026: available space shrinks, then a /22 is allocated', async () => {
    const r = await history('102.202.140.1', {
      data: [
        rir('delegated-afrinic-extended-20181013.gz'),
        rir('delegated-afrinic-extended-20230323.gz'),
        rir('delegated-afrinic-extended-20260505.gz'),
      ],
    });
    expect(r.periods.map((p) => [...brief(p), p.range?.cidrs])).toEqual([
      [
        '2018-10-13',
        '2018-10-13',
        'afrinic',
        null,
        'available',
        null,
        null,
        ['102.192.0.0/11'],
      ],
      [
        '2023-03-23',
        '2023-03-23',
        'afrinic',
        null,
        'available',
        null,
        null,
        ['102.192.0.0/12'],
      ],
      [
        '2026-05-05',
        '2026-05-05',
        'afrinic',
        'MU',
        'allocated',
        'F36F33A1',
        '2026-05-04',
        ['102.202.140.0/22'],
      ],
    ]);
  });

  it('AFRINIC with the 2019 standard file: a gap where available space is not listed', async () => {
    const r = await history('41.62.0.1', {
      data: [
        rir('delegated-afrinic-extended-20181013.gz'),
        rir('delegated-afrinic-20190911.gz'),
        rir('delegated-afrinic-extended-20230323.gz'),
        rir('delegated-afrinic-extended-20260505.gz'),
      ],
    });
    expect(r.periods.map(brief)).toEqual([
      ['2018-10-13', '2018-10-13', 'afrinic', null, 'available', null, null],
      ['2019-09-11', '2019-09-11', null, null, null, null, null],
      [
        '2023-03-23',
        '2026-05-05',
        'afrinic',
        'TN',
        'allocated',
        'F364D661',
        '2020-01-06',
      ],
    ]);
    expect(r.files.map((f) => [f.file, f.kind])).toEqual([
      ['delegated-afrinic-extended-20181013.gz', 'extended'],
      ['delegated-afrinic-20190911.gz', 'standard'],
      ['delegated-afrinic-extended-20230323.gz', 'extended'],
      ['delegated-afrinic-extended-20260505.gz', 'extended'],
    ]);
  });

  it('a whole directory: the LACNIC file with inconsistent counts is reported, not used', async () => {
    const r = await history('AS37100', { data: rir('') });
    // AS37100: afrinic|MU|asn|37100|1|20090528|allocated|F365C741 in the AFRINIC files;
    // the IANA file (end 2017-07-22) gives 36864-37887 to AFRINIC.
    expect(r.periods.map(brief)).toEqual([
      ['2013-08-12', '2016-02-24', null, null, null, null, null],
      [
        '2017-07-22',
        '2018-10-12',
        'afrinic',
        null,
        'allocated',
        null,
        '2005-04-14',
      ],
      [
        '2018-10-13',
        '2019-09-10',
        'afrinic',
        'MU',
        'allocated',
        'F365C741',
        '2009-05-28',
      ],
      [
        '2019-09-11',
        '2023-03-22',
        'afrinic',
        'MU',
        'allocated',
        null,
        '2009-05-28',
      ],
      [
        '2023-03-23',
        '2026-05-05',
        'afrinic',
        'MU',
        'allocated',
        'F365C741',
        '2009-05-28',
      ],
    ]);
    expect(r.skipped.map((s) => s.message)).toEqual([
      expect.stringMatching(
        /expected 10197 asn records .* but found 9984 .*delegated-lacnic-20190910\.gz/,
      ),
    ]);
  });
});
