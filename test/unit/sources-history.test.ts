import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { history, type HistoryPeriod } from '../../src/sources/history.js';
import { QueryError, SourceError } from '../../src/errors.js';

/** Writes a small delegated file with a correct header and summary. */
async function file(
  dir: string,
  registry: string,
  endDate: string,
  records: string[],
) {
  const counts = { asn: 0, ipv4: 0, ipv6: 0 } as Record<string, number>;
  for (const r of records) counts[r.split('|')[2]!]!++;
  const lines = [
    `2.3|${registry}|${endDate}|${records.length}|19700101|${endDate}|+0000`,
  ];
  for (const t of ['asn', 'ipv4', 'ipv6'])
    lines.push(`${registry}|*|${t}|*|${counts[t]}|summary`);
  await writeFile(
    join(dir, `delegated-${registry}-extended-${endDate}`),
    `${[...lines, ...records].join('\n')}\n`,
  );
}

let root: string;
let dir: string;

// A hand-made timeline. Dates in force (newest per registry not later than the date):
//   2019-12-31  afrinic-20191231
//   2020-01-01  afrinic-20191231, apnic-20200101, ripencc-20200101, arin, lacnic, iana (all 20200101)
//   2021-01-01  as above, with apnic-20210101
//   2021-06-01  as above, with ripencc-20210601
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rirmap-history-'));
  dir = join(root, 'data');
  await mkdir(dir);
  await file(dir, 'afrinic', '20191231', [
    'afrinic|ZA|ipv4|10.2.0.0|256|20050101|allocated|F1',
  ]);
  await file(dir, 'apnic', '20200101', [
    'apnic|JP|ipv4|10.0.0.0|65536|20000101|allocated|A1',
    'apnic|CN|ipv4|10.5.0.0|256|20010101|allocated|A5',
    'apnic|JP|asn|64500|10|20000101|allocated|A1',
    'apnic|JP|ipv6|2001:db8::|32|20000101|allocated|A1',
  ]);
  await file(dir, 'apnic', '20210101', [
    'apnic|JP|ipv4|10.0.0.0|65536|20000101|allocated|A1',
    'apnic|JP|asn|64500|10|20000101|allocated|A1',
    'apnic|JP|ipv6|2001:db8::|32|20000101|allocated|A1',
  ]);
  const ripe = [
    'ripencc|NL|ipv4|10.0.0.0|256|20010101|assigned|R1',
    'ripencc|DE|ipv4|10.2.0.0|256|20060101|allocated|R2',
    'ripencc|NL|ipv6|2001:db8:8000::|33|20150101|allocated|R3',
  ];
  await file(dir, 'ripencc', '20200101', ripe);
  await file(dir, 'ripencc', '20210601', [
    ...ripe,
    'ripencc|NL|ipv4|10.5.0.0|256|20010101|allocated|R5',
  ]);
  await file(dir, 'arin', '20200101', [
    'arin||ipv4|10.1.0.0|256||available|',
    'arin|US|ipv4|10.3.0.0|256|19990101|allocated|X',
    'arin|US|asn|64503|1|19990101|allocated|X',
  ]);
  await file(dir, 'lacnic', '20200101', [
    'lacnic|BR|ipv4|10.1.0.0|256|20050101|allocated|L1',
    'lacnic|MX|ipv4|10.3.0.0|256|20000101|allocated|Y',
  ]);
  await file(dir, 'iana', '20200101', [
    'iana|ZZ|ipv4|10.0.0.0|16777216|19950101|apnic',
    'iana|ZZ|ipv4|10.1.0.0|16|19950101|ripencc',
  ]);
  await writeFile(join(dir, 'delegated-arin-extended-20990101.md5'), 'ignored');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const MISS = {
  found: false,
  rir: null,
  country: null,
  status: null,
  holder: null,
  date: null,
  range: null,
  files: [],
};

function brief(p: HistoryPeriod) {
  return [p.from, p.to, p.rir, p.country, p.status, p.holder];
}

describe('history over a hand-made timeline', { timeout: 60_000 }, () => {
  it('smallest range wins across registries; one period over several files', async () => {
    const r = await history('10.0.0.1', { data: dir });
    expect(r.type).toBe('ipv4');
    expect(r.periods).toEqual([
      { from: '2019-12-31', to: '2019-12-31', ...MISS },
      {
        from: '2020-01-01',
        to: '2021-06-01',
        found: true,
        rir: 'ripencc',
        country: 'NL',
        status: 'assigned',
        holder: 'R1',
        date: '2001-01-01',
        range: { start: '10.0.0.0', end: '10.0.0.255', cidrs: ['10.0.0.0/24'] },
        files: [
          'delegated-ripencc-extended-20200101',
          'delegated-ripencc-extended-20210601',
        ],
      },
    ]);
  });

  it('outside the small block, the larger block of another registry answers', async () => {
    const r = await history('10.0.1.1', { data: [dir] });
    expect(r.periods.map(brief)).toEqual([
      ['2019-12-31', '2019-12-31', null, null, null, null],
      ['2020-01-01', '2021-06-01', 'apnic', 'JP', 'allocated', 'A1'],
    ]);
    expect(r.periods[1]!.files).toEqual([
      'delegated-apnic-extended-20200101',
      'delegated-apnic-extended-20210101',
    ]);
  });

  it('allocated beats available on equal ranges; the IANA file is only a fallback', async () => {
    const r = await history('10.1.0.5', { data: dir });
    expect(r.periods.map(brief)).toEqual([
      ['2019-12-31', '2019-12-31', null, null, null, null],
      ['2020-01-01', '2021-06-01', 'lacnic', 'BR', 'allocated', 'L1'],
    ]);
  });

  it('the later end date wins on equal range and status', async () => {
    const r = await history('10.2.0.1', { data: dir });
    expect(r.periods.map(brief)).toEqual([
      ['2019-12-31', '2019-12-31', 'afrinic', 'ZA', 'allocated', 'F1'],
      ['2020-01-01', '2021-06-01', 'ripencc', 'DE', 'allocated', 'R2'],
    ]);
  });

  it('registry name order settles the rest', async () => {
    const r = await history('10.3.0.1', { data: dir });
    expect(r.periods.map(brief)).toEqual([
      ['2019-12-31', '2019-12-31', null, null, null, null],
      ['2020-01-01', '2021-06-01', 'arin', 'US', 'allocated', 'X'],
    ]);
  });

  it('IANA answers where no registry file does', async () => {
    const r = await history('10.9.9.9', { data: dir });
    expect(r.periods[1]).toEqual({
      from: '2020-01-01',
      to: '2021-06-01',
      found: true,
      rir: 'apnic',
      country: null,
      status: 'allocated',
      holder: null,
      date: '1995-01-01',
      range: {
        start: '10.0.0.0',
        end: '10.255.255.255',
        cidrs: ['10.0.0.0/8'],
      },
      files: ['delegated-iana-extended-20200101'],
    });
  });

  it('a transfer: listed, then gone, then listed by another registry', async () => {
    const r = await history('10.5.0.1', { data: dir });
    expect(r.periods.map(brief)).toEqual([
      ['2019-12-31', '2019-12-31', null, null, null, null],
      ['2020-01-01', '2020-01-01', 'apnic', 'CN', 'allocated', 'A5'],
      // apnic no longer lists it: only IANA's file answers (the /8 it gave to APNIC).
      ['2021-01-01', '2021-01-01', 'apnic', null, 'allocated', null],
      ['2021-06-01', '2021-06-01', 'ripencc', 'NL', 'allocated', 'R5'],
    ]);
    expect(r.periods[2]!.files).toEqual(['delegated-iana-extended-20200101']);
    // Each file's own answer is listed too, oldest first.
    expect(r.files.map((f) => [f.file, f.answer?.rir ?? null])).toEqual([
      ['delegated-afrinic-extended-20191231', null],
      ['delegated-apnic-extended-20200101', 'apnic'],
      ['delegated-arin-extended-20200101', null],
      ['delegated-iana-extended-20200101', 'apnic'],
      ['delegated-lacnic-extended-20200101', null],
      ['delegated-ripencc-extended-20200101', null],
      ['delegated-apnic-extended-20210101', null],
      ['delegated-ripencc-extended-20210601', 'ripencc'],
    ]);
  });

  it('AS numbers, in ranges, with or without AS', async () => {
    const r = await history('AS64505', { data: dir });
    expect(r.type).toBe('asn');
    expect(r.periods[1]).toMatchObject({
      rir: 'apnic',
      range: { start: 64500, end: 64509 },
      from: '2020-01-01',
      to: '2021-06-01',
    });
    // APNIC's 64500-64509 and ARIN's single 64503 overlap: the smaller range (ARIN's) wins.
    const arin = await history('64503', { data: dir });
    expect(arin.periods[1]).toMatchObject({
      rir: 'arin',
      country: 'US',
      range: { start: 64503, end: 64503 },
    });
  });

  it('IPv6: the longest prefix wins', async () => {
    const a = await history('2001:db8:8000::1', { data: dir });
    expect(a.type).toBe('ipv6');
    expect(a.periods[1]).toMatchObject({
      rir: 'ripencc',
      range: {
        start: '2001:db8:8000::',
        end: '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff',
        cidrs: ['2001:db8:8000::/33'],
      },
    });
    const b = await history('2001:db8:7fff::1', { data: dir });
    expect(b.periods[1]).toMatchObject({
      rir: 'apnic',
      range: { cidrs: ['2001:db8::/32'] },
    });
  });

  it('refuses what is neither an address nor an AS number', async () => {
    await expect(history('10.0.0', { data: dir })).rejects.toSatisfy(
      (e) => e instanceof QueryError && e.code === 'INPUT_INVALID_QUERY',
    );
    await expect(history('ASX', { data: dir })).rejects.toBeInstanceOf(
      QueryError,
    );
  });

  it('refuses missing paths and empty data', async () => {
    await expect(
      history('10.0.0.1', { data: join(root, 'nope') }),
    ).rejects.toSatisfy(
      (e) => e instanceof SourceError && e.code === 'SOURCE_NOT_FOUND',
    );
    const empty = join(root, 'empty');
    await mkdir(empty, { recursive: true });
    await expect(history('10.0.0.1', { data: empty })).rejects.toSatisfy(
      (e) => e instanceof SourceError && e.code === 'SOURCE_NO_DATA',
    );
    await expect(history('10.0.0.1', { data: [] })).rejects.toThrow(/`data`/);
  });

  it('a damaged file is left out and reported, or read with lenient', async () => {
    const d = join(root, 'damaged');
    await mkdir(d, { recursive: true });
    await file(d, 'apnic', '20200101', [
      'apnic|JP|ipv4|10.0.0.0|65536|20000101|allocated|A1',
    ]);
    // Header announces 2 records, only 1 follows: a truncated file.
    await writeFile(
      join(d, 'delegated-apnic-extended-20210101'),
      '2.3|apnic|20210101|2|19700101|20210101|+0000\napnic|*|ipv4|*|2|summary\n' +
        'apnic|KR|ipv4|10.0.0.0|65536|20000101|allocated|A2\n',
    );
    const strict = await history('10.0.0.1', { data: d });
    expect(strict.periods.map(brief)).toEqual([
      ['2020-01-01', '2020-01-01', 'apnic', 'JP', 'allocated', 'A1'],
      ['2021-01-01', '2021-01-01', null, null, null, null],
    ]);
    expect(strict.skipped).toHaveLength(1);
    expect(strict.skipped[0]!.message).toMatch(/expected 2 ipv4 records/);
    const lenient = await history('10.0.0.1', { data: d, lenient: true });
    expect(lenient.periods.map(brief)).toEqual([
      ['2020-01-01', '2020-01-01', 'apnic', 'JP', 'allocated', 'A1'],
      ['2021-01-01', '2021-01-01', 'apnic', 'KR', 'allocated', 'A2'],
    ]);
  });
});
