import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  updateRegistries,
  updateExitCode,
  UPDATE_STATE_FILE,
} from '../../src/sources/update.js';
import { selectDataFiles } from '../../src/sources/select-files.js';
import { parseDelegated } from '../../src/delegated/parse-delegated.js';
import { SourceError } from '../../src/errors.js';
import {
  FOLDERS,
  startRirServer,
  type RirServer,
} from '../helpers/rir-server.js';

// sha256 of the uncompressed shared files, copied from shared/data/SOURCES.md section 2.
const SHA256 = {
  afrinic: '977bc1edaf95c0d14e22dba15350bac1d80a4bfa5bef4bce5f54f152ef811df4',
  apnic: 'c298abbb3c36c78d24b6ad60258b6e57cd6565c178ce5ae8c0ab93d79dcc2c7a',
  arin: '3a3db2beab2af17b97807120d1cf76113efa4b37560f1696756d829c37ff7173',
  lacnic: '673c0a7cc76a669ff025f16e3137ca06f0499e309fd01db15023af82fc8a65a4',
  ripencc: '05521d634a0308f1be55911370680b11f9314416bbbc7dfb2b08f7bead957318',
};

let server: RirServer;
let root: string;

beforeAll(async () => {
  server = await startRirServer();
  root = await mkdtemp(join(tmpdir(), 'rirmap-update-fresh-'));
});

afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

async function strictParse(path: string): Promise<number> {
  const raw = await readFile(path);
  const text = path.endsWith('.gz') ? gunzipSync(raw) : raw;
  const s = await parseDelegated([text], { file: path }, () => {});
  return s.read.asn + s.read.ipv4 + s.read.ipv6;
}

describe(
  'rirmap update against a loopback server in the registries’ layouts',
  { timeout: 60_000 },
  () => {
    const dir = () => join(root, 'data');

    it('a fresh update saves each registry under its dated name', async () => {
      const summary = await updateRegistries({
        dir: dir(),
        baseUrls: server.baseUrls,
        retryDelayMs: 0,
      });
      expect(summary.failed).toBe(0);
      expect(summary.updated).toBe(5);
      expect(updateExitCode(summary)).toBe(0);
      // Names from the header end dates (SOURCES.md section 1); ARIN's and RIPE's shared files
      // are standard (7-field) files, so their names have no `-extended`.
      expect(
        summary.results.map((r) => [r.rir, r.status, r.endDate, r.records]),
      ).toEqual([
        ['afrinic', 'updated', 20260505, 19286],
        ['apnic', 'updated', 20160224, 74492],
        ['arin', 'updated', 20130812, 72419],
        ['lacnic', 'updated', 20230322, 86237],
        ['ripencc', 'updated', 20140520, 85536],
      ]);
      const names = (await readdir(dir())).sort();
      expect(names).toEqual([
        'delegated-afrinic-extended-20260505.gz',
        'delegated-apnic-extended-20160224.gz',
        'delegated-arin-20130812.gz',
        'delegated-lacnic-extended-20230322.gz',
        'delegated-ripencc-20140520.gz',
        UPDATE_STATE_FILE,
      ]);
      // The bytes are the registry's, exactly (checked against SOURCES.md's hashes).
      for (const [rir, sha] of Object.entries(SHA256)) {
        const name = names.find((n) => n.startsWith(`delegated-${rir}-`))!;
        const content = gunzipSync(await readFile(join(dir(), name)));
        expect(createHash('sha256').update(content).digest('hex'), rir).toBe(
          sha,
        );
      }
      // The loader's selection picks exactly these.
      const selected = await selectDataFiles([dir()]);
      expect(selected.map((f) => f.path.slice(dir().length + 1))).toEqual(
        names.slice(0, 5),
      );
    });

    it('a second run sends conditional requests and downloads nothing (304)', async () => {
      const before = new Map<string, number>();
      for (const n of await readdir(dir()))
        before.set(n, (await stat(join(dir(), n))).mtimeMs);
      const from = server.requests.length;
      const summary = await updateRegistries({
        dir: dir(),
        baseUrls: server.baseUrls,
      });
      expect(summary.results.map((r) => r.status)).toEqual(
        Array(5).fill('unchanged'),
      );
      expect(updateExitCode(summary)).toBe(0);
      const seen = server.requests.slice(from);
      expect(seen).toHaveLength(5); // one request per registry, no .md5 needed
      expect(
        seen.every((r) => r.status === 304 && r.conditional && r.bytes === 0),
      ).toBe(true);
      for (const n of await readdir(dir()))
        if (n.startsWith('delegated-'))
          expect((await stat(join(dir(), n))).mtimeMs, n).toBe(before.get(n));
    });

    it('a server that ignores conditional requests: same content, file not rewritten', async () => {
      const path = `${FOLDERS.apnic}delegated-apnic-extended-latest`;
      server.queue(path, { kind: 'ignore-conditional' });
      const file = join(dir(), 'delegated-apnic-extended-20160224.gz');
      const { mtimeMs } = await stat(file);
      const summary = await updateRegistries({
        dir: dir(),
        baseUrls: server.baseUrls,
        rirs: ['apnic'],
      });
      expect(summary.results[0]).toMatchObject({ status: 'unchanged', file });
      expect((await stat(file)).mtimeMs).toBe(mtimeMs);
    });

    it('every saved file still parses strictly', async () => {
      for (const n of await readdir(dir()))
        if (n.startsWith('delegated-'))
          expect(await strictParse(join(dir(), n))).toBeGreaterThan(0);
    });

    it('--mirror: one base for all registries', async () => {
      const other = join(root, 'mirrored');
      const summary = await updateRegistries({
        dir: other,
        mirror: server.mirror,
        rirs: ['afrinic', 'ripencc'],
        compress: false,
      });
      expect(summary.results.map((r) => [r.rir, r.status, r.url])).toEqual([
        [
          'afrinic',
          'updated',
          `${server.mirror}/afrinic/delegated-afrinic-extended-latest`,
        ],
        [
          'ripencc',
          'updated',
          `${server.mirror}/ripencc/delegated-ripencc-extended-latest`,
        ],
      ]);
      // Not compressed on request: the files are byte-identical to the registries'.
      const plain = await readFile(join(other, 'delegated-ripencc-20140520'));
      expect(createHash('sha256').update(plain).digest('hex')).toBe(
        SHA256.ripencc,
      );
    });

    it('offline mode refuses before any request', async () => {
      const from = server.requests.length;
      await expect(
        updateRegistries({
          dir: join(root, 'offline'),
          baseUrls: server.baseUrls,
          offline: true,
        }),
      ).rejects.toSatisfy(
        (e) => e instanceof SourceError && e.code === 'SOURCE_OFFLINE',
      );
      expect(server.requests.length).toBe(from);
    });

    it('checks options, naming them', async () => {
      await expect(updateRegistries({ dir: '' })).rejects.toThrow(/`dir`/);
      await expect(
        updateRegistries({ dir: root, rirs: ['nro' as 'apnic'] }),
      ).rejects.toThrow(/`rirs`/);
      await expect(
        updateRegistries({ dir: root, attempts: 0 }),
      ).rejects.toThrow(/`attempts`/);
      await expect(
        updateRegistries({ dir: root, date: '2023-02-30' }),
      ).rejects.toThrow(/`date`/);
      await expect(
        updateRegistries({ dir: root, mirror: 'ftp://x' }),
      ).rejects.toThrow(/`mirror`/);
    });
  },
);
