import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  updateRegistries,
  type UpdateOptions,
} from '../../src/sources/update.js';
import { selectDataFiles } from '../../src/sources/select-files.js';
import {
  RIPE_SMALL_TEXT,
  startRirServer,
  type RirServer,
} from '../helpers/rir-server.js';

// `--date` fetches archived files from each registry's archive layout (see the helper's header
// comment for what is where). Expected names come from the header end dates in SOURCES.md.
let server: RirServer;
let root: string;
let dir: string;

beforeAll(async () => {
  server = await startRirServer();
  root = await mkdtemp(join(tmpdir(), 'rirmap-update-dated-'));
  dir = join(root, 'data');
});

afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

function options(
  date: string,
  rirs: NonNullable<UpdateOptions['rirs']>,
): UpdateOptions {
  return {
    dir,
    date,
    rirs,
    baseUrls: server.baseUrls,
    attempts: 1,
    retryDelayMs: 0,
  };
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('update --date', { timeout: 60_000 }, () => {
  it('2023-03-23: AFRINIC from YYYY/, LACNIC from the folder (its end date is the 22nd)', async () => {
    const s = await updateRegistries(
      options('2023-03-23', ['afrinic', 'lacnic']),
    );
    expect(
      s.results.map((r) => [
        r.rir,
        r.status,
        r.url.slice(server.origin.length),
        r.endDate,
      ]),
    ).toEqual([
      [
        'afrinic',
        'updated',
        '/afrinic/pub/stats/afrinic/2023/delegated-afrinic-extended-20230323',
        20230323,
      ],
      [
        'lacnic',
        'updated',
        '/lacnic/pub/stats/lacnic/delegated-lacnic-extended-20230323',
        20230322,
      ],
    ]);
    const lacnic = gunzipSync(
      await readFile(join(dir, 'delegated-lacnic-extended-20230322.gz')),
    );
    expect(sha256(lacnic)).toBe(
      '673c0a7cc76a669ff025f16e3137ca06f0499e309fd01db15023af82fc8a65a4',
    );
  });

  it('2016-02-25: APNIC .gz archive whose .md5 hashes the compressed bytes', async () => {
    const s = await updateRegistries(options('2016-02-25', ['apnic']));
    expect(s.results[0]).toMatchObject({
      status: 'updated',
      endDate: 20160224,
      records: 74492,
    });
    const text = gunzipSync(
      await readFile(join(dir, 'delegated-apnic-extended-20160224.gz')),
    );
    expect(sha256(text)).toBe(
      'c298abbb3c36c78d24b6ad60258b6e57cd6565c178ce5ae8c0ab93d79dcc2c7a',
    );
  });

  it('2016-01-31: APNIC .gz archive whose .md5 (plain name) hashes the text', async () => {
    const s = await updateRegistries(options('2016-01-31', ['apnic']));
    expect(s.results[0]).toMatchObject({
      status: 'updated',
      endDate: 20160130,
      records: 73407,
    });
  });

  it('2013-08-13: ARIN, old archive naming found after two 404s', async () => {
    const from = server.requests.length;
    const s = await updateRegistries(options('2013-08-13', ['arin']));
    expect(s.results[0]).toMatchObject({
      status: 'updated',
      endDate: 20130812,
      records: 72419,
    });
    expect(server.requests.slice(from).map((r) => [r.path, r.status])).toEqual([
      ['/arin/pub/stats/arin/delegated-arin-extended-20130813', 404],
      [
        '/arin/pub/stats/arin/archive/2013/delegated-arin-extended-20130813',
        404,
      ],
      ['/arin/pub/stats/arin/archive/2013/delegated-arin-20130813', 200],
      ['/arin/pub/stats/arin/archive/2013/delegated-arin-20130813.md5', 200],
    ]);
  });

  it('2014-05-20: RIPE NCC .bz2 archive, .md5 of the decompressed file', async () => {
    const s = await updateRegistries(options('2014-05-20', ['ripencc']));
    expect(s.results[0]).toMatchObject({
      status: 'updated',
      endDate: 20140520,
      records: 2,
    });
    const text = gunzipSync(
      await readFile(join(dir, 'delegated-ripencc-extended-20140520.gz')),
    );
    expect(text.toString()).toBe(RIPE_SMALL_TEXT);
  });

  it('a date with no archived file fails with every place tried', async () => {
    const s = await updateRegistries(options('2001-01-01', ['lacnic']));
    expect(s.results[0]?.status).toBe('failed');
    expect(s.results[0]?.error?.message).toMatch(
      /no file at .*delegated-lacnic-extended-20010101, .*archive\/2001\/delegated-lacnic-extended-20010101/,
    );
  });

  it('the directory now keeps history; as-of picks among the dated files', async () => {
    expect(
      (await readdir(dir)).filter((n) => n.startsWith('delegated-')).sort(),
    ).toEqual([
      'delegated-afrinic-extended-20230323.gz',
      'delegated-apnic-extended-20160130.gz',
      'delegated-apnic-extended-20160224.gz',
      'delegated-arin-20130812.gz',
      'delegated-lacnic-extended-20230322.gz',
      'delegated-ripencc-extended-20140520.gz',
    ]);
    const pick = async (asOf: string) =>
      (await selectDataFiles([dir], { asOf })).map((f) => basename(f.path));
    expect(await pick('2016-02-23')).toEqual([
      'delegated-apnic-extended-20160130.gz',
      'delegated-arin-20130812.gz',
      'delegated-ripencc-extended-20140520.gz',
    ]);
    expect(await pick('2023-03-22')).toEqual([
      'delegated-apnic-extended-20160224.gz',
      'delegated-arin-20130812.gz',
      'delegated-lacnic-extended-20230322.gz',
      'delegated-ripencc-extended-20140520.gz',
    ]);
  });
});
