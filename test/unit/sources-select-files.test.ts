import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  isCandidateName,
  parseAsOf,
  selectDataFiles,
  selectDataFilesDetailed,
} from '../../src/sources/select-files.js';
import { SourceError } from '../../src/errors.js';

/** A small delegated file: header with the given registry and end date. */
function delegated(
  registry: string,
  endDate: string,
  extended: boolean,
  banner = false,
): string {
  const lines: string[] = [];
  if (banner) lines.push('# a comment banner', '#\twith a tab   ', '');
  lines.push(`2.3|${registry}|${endDate}|1|19700101|${endDate}|+0000`);
  lines.push(`${registry}|*|ipv4|*|1|summary`);
  lines.push(
    `${registry}|ZZ|ipv4|10.0.0.0|256|20100101|allocated${extended ? '|ABCDEF01' : ''}`,
  );
  return `${lines.join('\n')}\n`;
}

// `bzip2 -9` of a two-record RIPE NCC file whose header ends on 20140520 (written by hand, see the
// plain text in the test below).
const RIPE_BZ2 =
  'QlpoOTFBWSZTWSATbuoAABrdgEAQABl/4AAFPiffJCAAiQ1PU0RkNNAABpoJJKeifqZRpoephNNGno7H5y1zUGMU8VxgxIXi1GtcEcjyQGFaiCRG5cWyTwIzHqMWzgR5DA1C0Wox3MTI2NkRRqfz8jdFxcbkyo6KkSqWQ7DhAYsJEil95QprnL2QSnZ7xMNFEyakH4u5IpwoSBAJt3UA';

let root: string;
let dir: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rirmap-select-'));
  dir = join(root, 'data');
  await mkdir(dir);
  const put = (name: string, body: string | Buffer) =>
    writeFile(join(dir, name), body);
  // apnic: three dates; the newest is gzip, the middle one has a standard and an extended copy.
  await put(
    'delegated-apnic-20150101',
    delegated('apnic', '20150101', false, true),
  );
  await put(
    'delegated-apnic-20160101',
    delegated('apnic', '20160101', false, true),
  );
  await put(
    'delegated-apnic-extended-20160101',
    delegated('apnic', '20160101', true, true),
  );
  await put(
    'delegated-apnic-extended-20170101.gz',
    gzipSync(delegated('apnic', '20170101', true)),
  );
  // lacnic: the name says 0323 but the header's end date is 0322 (the LACNIC lag).
  await put(
    'delegated-lacnic-extended-20230323',
    delegated('lacnic', '20230322', true),
  );
  await put(
    'delegated-lacnic-extended-20210405',
    delegated('lacnic', '20210405', true),
  );
  // iana is a registry of its own.
  await put('delegated-iana-20170730', delegated('iana', '20170722', false));
  // ripencc only as bzip2.
  await put(
    'delegated-ripencc-extended-20140520.bz2',
    Buffer.from(RIPE_BZ2, 'base64'),
  );
  // Not considered at all: companions, temp files, snapshots, other names, subdirectories.
  await put('delegated-apnic-extended-20170101.md5', 'MD5 (x) = 0123\n');
  await put(
    'delegated-apnic-extended-29990101.tmp',
    delegated('apnic', '29990101', true),
  );
  await put(
    '.delegated-apnic-extended-29990101',
    delegated('apnic', '29990101', true),
  );
  await put('delegated.rirmap', 'RIRMAP');
  await put('registry-apnic-29990101', delegated('apnic', '29990101', true));
  await mkdir(join(dir, 'delegated-arin-extended-29990101'));
  // Considered, but no header: skipped and reported.
  await put('delegated-arin-extended-20250101', '<html>not found</html>\n');
  await put(
    'delegated-afrinic-extended-20250101.gz',
    Buffer.from('not gzip at all'),
  );
  await put('notes.txt', 'hello\n');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('selectDataFiles: directories', () => {
  it('takes per registry the newest file by header end date, extended over standard', async () => {
    const got = await selectDataFiles([dir]);
    expect(got.map((f) => [f.registry, f.endDate, f.kind, f.explicit])).toEqual(
      [
        ['apnic', 20170101, 'extended', false],
        ['iana', 20170722, 'standard', false],
        ['lacnic', 20230322, 'extended', false],
        ['ripencc', 20140520, 'extended', false],
      ],
    );
    expect(got.map((f) => f.path)).toEqual([
      join(dir, 'delegated-apnic-extended-20170101.gz'),
      join(dir, 'delegated-iana-20170730'),
      join(dir, 'delegated-lacnic-extended-20230323'),
      join(dir, 'delegated-ripencc-extended-20140520.bz2'),
    ]);
  });

  it('with asOf takes the newest not later than the date', async () => {
    const got = await selectDataFiles([dir], { asOf: '2016-06-30' });
    expect(got.map((f) => [f.registry, f.endDate, f.kind])).toEqual([
      ['apnic', 20160101, 'extended'], // extended wins the tie with the standard copy
      ['ripencc', 20140520, 'extended'],
    ]);
  });

  it('compares asOf with the header end date, not the file name', async () => {
    const on22 = await selectDataFiles([dir], { asOf: '2023-03-22' });
    expect(on22.find((f) => f.registry === 'lacnic')?.path).toBe(
      join(dir, 'delegated-lacnic-extended-20230323'),
    );
    const on21 = await selectDataFiles([dir], { asOf: '20230321' });
    expect(on21.find((f) => f.registry === 'lacnic')?.path).toBe(
      join(dir, 'delegated-lacnic-extended-20210405'),
    );
  });

  it('on the exact end date the file is selected', async () => {
    const got = await selectDataFiles([dir], { asOf: '2015-01-01' });
    expect(got.map((f) => [f.registry, f.endDate])).toEqual([
      ['apnic', 20150101],
      ['ripencc', 20140520],
    ]);
  });

  it('reports what it skipped and why', async () => {
    const { skipped, asOf } = await selectDataFilesDetailed([dir], {
      asOf: '2016-06-30',
    });
    expect(asOf).toBe(20160630);
    const byName = new Map(
      skipped.map((s) => [s.path.slice(dir.length + 1), s]),
    );
    expect([...byName.keys()].sort()).toEqual([
      'delegated-afrinic-extended-20250101.gz',
      'delegated-apnic-20150101',
      'delegated-apnic-20160101',
      'delegated-apnic-extended-20170101.gz',
      'delegated-arin-extended-20250101',
      'delegated-iana-20170730',
      'delegated-lacnic-extended-20210405',
      'delegated-lacnic-extended-20230323',
    ]);
    expect(byName.get('delegated-apnic-20160101')).toMatchObject({
      reason: 'superseded',
      registry: 'apnic',
      endDate: 20160101,
      instead: join(dir, 'delegated-apnic-extended-20160101'),
    });
    expect(byName.get('delegated-apnic-extended-20170101.gz')).toMatchObject({
      reason: 'after-as-of',
      endDate: 20170101,
    });
    expect(byName.get('delegated-iana-20170730')?.reason).toBe('after-as-of');
    expect(byName.get('delegated-arin-extended-20250101')).toMatchObject({
      reason: 'not-delegated',
      registry: null,
    });
    expect(byName.get('delegated-afrinic-extended-20250101.gz')?.reason).toBe(
      'not-delegated',
    );
    expect(byName.get('delegated-apnic-extended-20160101')).toBeUndefined();
  });
});

describe('selectDataFiles: named files', () => {
  it('selects every named file, even old ones and several of one registry', async () => {
    const a = join(dir, 'delegated-apnic-20150101');
    const b = join(dir, 'delegated-apnic-20160101');
    const got = await selectDataFiles([a, b]);
    expect(got).toEqual([
      {
        path: a,
        registry: 'apnic',
        endDate: 20150101,
        kind: 'standard',
        explicit: true,
      },
      {
        path: b,
        registry: 'apnic',
        endDate: 20160101,
        kind: 'standard',
        explicit: true,
      },
    ]);
  });

  it('skips a named file later than asOf and says so', async () => {
    const a = join(dir, 'delegated-apnic-20150101');
    const b = join(dir, 'delegated-apnic-20160101');
    const { selected, skipped } = await selectDataFilesDetailed([a, b], {
      asOf: '2015-12-31',
    });
    expect(selected.map((f) => f.path)).toEqual([a]);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({
      path: b,
      reason: 'after-as-of',
      endDate: 20160101,
    });
    expect(skipped[0]!.message).toContain('2016-01-01');
    expect(skipped[0]!.message).toContain('2015-12-31');
  });

  it('selects the same file once', async () => {
    const a = join(dir, 'delegated-apnic-extended-20170101.gz');
    const { selected, skipped } = await selectDataFilesDetailed([a, dir, a]);
    expect(selected.filter((f) => f.registry === 'apnic')).toEqual([
      {
        path: a,
        registry: 'apnic',
        endDate: 20170101,
        kind: 'extended',
        explicit: true,
      },
    ]);
    expect(skipped.filter((s) => s.reason === 'duplicate')).toHaveLength(2);
  });

  it('reads a bzip2 file and a plain name with any name', async () => {
    const plain = join(root, 'my-ripe-copy.txt');
    await writeFile(
      plain,
      '2|ripencc|1400623199|2|19700101|20140520|+0200\nripencc|*|ipv4|*|1|summary\n' +
        'ripencc|*|asn|*|1|summary\nripencc|NL|ipv4|193.0.0.0|2048|19930901|allocated|abc\n' +
        'ripencc|NL|asn|3333|1|19930901|allocated|abc\n',
    );
    const [one] = await selectDataFiles([plain]);
    const [two] = await selectDataFiles([
      join(dir, 'delegated-ripencc-extended-20140520.bz2'),
    ]);
    expect(one).toMatchObject({
      registry: 'ripencc',
      endDate: 20140520,
      kind: 'extended',
    });
    expect(two).toMatchObject({
      registry: 'ripencc',
      endDate: 20140520,
      kind: 'extended',
    });
  });

  it('refuses a named file that is not a delegated file', async () => {
    const bad = join(dir, 'notes.txt');
    await expect(selectDataFiles([bad])).rejects.toSatisfy(
      (e) =>
        e instanceof SourceError &&
        e.code === 'SOURCE_READ_FAILED' &&
        e.path === bad,
    );
    await expect(
      selectDataFiles([join(dir, 'delegated-afrinic-extended-20250101.gz')]),
    ).rejects.toSatisfy(
      (e) => e instanceof SourceError && e.code === 'SOURCE_READ_FAILED',
    );
  });

  it('refuses a path that does not exist', async () => {
    const missing = join(root, 'nope');
    await expect(selectDataFiles([missing])).rejects.toSatisfy(
      (e) =>
        e instanceof SourceError &&
        e.code === 'SOURCE_NOT_FOUND' &&
        e.path === missing,
    );
  });

  it('returns nothing for an empty directory or an as-of before every file', async () => {
    const empty = join(root, 'empty');
    await mkdir(empty, { recursive: true });
    expect(await selectDataFiles([empty])).toEqual([]);
    expect(await selectDataFiles([dir], { asOf: '2000-01-01' })).toEqual([]);
  });
});

describe('option checks and helpers', () => {
  it('parses as-of dates and rejects others naming the option', () => {
    expect(parseAsOf('2023-03-23')).toBe(20230323);
    expect(parseAsOf('20230323')).toBe(20230323);
    expect(parseAsOf('2024-02-29')).toBe(20240229);
    for (const bad of [
      '2023-02-29',
      '2023-13-01',
      '23-03-23',
      'yesterday',
      '2023-3-23',
      '',
    ])
      expect(() => parseAsOf(bad)).toThrow(/`asOf`/);
  });

  it('rejects a bad asOf before touching the file system', async () => {
    await expect(
      selectDataFiles([join(root, 'nope')], { asOf: '2023-02-30' }),
    ).rejects.toThrow(RangeError);
  });

  it('knows which names a directory scan considers', () => {
    for (const yes of [
      'delegated-apnic-extended-latest',
      'delegated-ripencc-extended-latest.txt',
      'delegated-ripencc-extended-20140520.bz2',
      'delegated-apnic-20141009.gz',
      'delegated-iana-latest',
    ])
      expect(isCandidateName(yes), yes).toBe(true);
    for (const no of [
      'delegated-apnic-extended-latest.md5',
      'delegated-apnic-extended-latest.asc',
      'delegated-apnic-extended-latest.gz.tmp',
      '.delegated-apnic-extended-latest.tmp',
      'registry.rirmap',
      'nro-delegated-stats',
      'README',
    ])
      expect(isCandidateName(no), no).toBe(false);
  });
});
