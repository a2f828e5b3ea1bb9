import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
} from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtemp, open, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  NODE_UPDATE_FS,
  updateExitCode,
  updateRegistries,
  type UpdateFileSystem,
  type UpdateOptions,
} from '../../src/sources/update.js';
import { selectDataFiles } from '../../src/sources/select-files.js';
import { parseDelegated } from '../../src/delegated/parse-delegated.js';
import {
  FOLDERS,
  md5,
  md5Text,
  sharedFile,
  startRirServer,
  type RirServer,
} from '../helpers/rir-server.js';

// The scenario of every test: yesterday's update saved AFRINIC's 2023-03-23 file (the last good
// file); today the server publishes the 2026-05-05 file, and something goes wrong.
const LATEST = `${FOLDERS.afrinic}delegated-afrinic-extended-latest`;
const MD5 = `${LATEST}.md5`;
const GOOD = 'delegated-afrinic-extended-20230323.gz';
const NEW = 'delegated-afrinic-extended-20260505.gz';
const OLD_CONTENT = sharedFile('delegated-afrinic-extended-20230323.gz');
const NEW_CONTENT = sharedFile('delegated-afrinic-extended-20260505.gz');

let server: RirServer;
let root: string;
let dir: string;
let n = 0;
let goodSha = '';

function options(extra: Partial<UpdateOptions> = {}): UpdateOptions {
  return {
    dir,
    rirs: ['afrinic'],
    baseUrls: server.baseUrls,
    attempts: 2,
    retryDelayMs: 0,
    timeoutMs: 20_000,
    ...extra,
  };
}

async function sha(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/** The last good file is there, untouched, still selected, and parses strictly with the right counts. */
async function expectLastGoodIntact(): Promise<void> {
  const names = (await readdir(dir)).filter(
    (x) => x.startsWith('delegated-') || x.includes('.tmp'),
  );
  expect(names).toEqual([GOOD]);
  expect(await sha(join(dir, GOOD))).toBe(goodSha);
  const [chosen] = await selectDataFiles([dir]);
  expect(chosen?.path).toBe(join(dir, GOOD));
  const summary = await parseDelegated(
    [gunzipSync(await readFile(join(dir, GOOD)))],
    { file: GOOD },
    () => {},
  );
  expect(summary.read.asn + summary.read.ipv4 + summary.read.ipv6).toBe(15019);
}

beforeAll(async () => {
  server = await startRirServer();
  root = await mkdtemp(join(tmpdir(), 'rirmap-update-fail-'));
});

afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

beforeEach(async () => {
  dir = join(root, `d${++n}`);
  server.setLatest(
    'afrinic',
    OLD_CONTENT,
    'delegated-afrinic-extended-20230323',
  );
  const first = await updateRegistries(options());
  expect(first.results[0]?.status).toBe('updated');
  goodSha = await sha(join(dir, GOOD));
  server.setLatest(
    'afrinic',
    NEW_CONTENT,
    'delegated-afrinic-extended-20260505',
  );
}, 60_000);

afterEach(() => {
  // Drop unused scripted behaviours.
  server.queue(LATEST);
});

describe('update failures keep the last good file', { timeout: 60_000 }, () => {
  it('control: without trouble the new file is added beside the old one', async () => {
    const s = await updateRegistries(options());
    expect(s.results[0]).toMatchObject({
      status: 'updated',
      endDate: 20260505,
      records: 19286,
    });
    expect(
      (await readdir(dir)).filter((x) => x.startsWith('delegated-')).sort(),
    ).toEqual([GOOD, NEW]);
    expect(await sha(join(dir, GOOD))).toBe(goodSha);
  });

  it('a truncated body (the transfer ends cleanly, early) fails the MD5 check', async () => {
    server.queue(
      LATEST,
      { kind: 'truncate', fraction: 0.6 },
      { kind: 'truncate', fraction: 0.6 },
    );
    const s = await updateRegistries(options());
    const r = s.results[0]!;
    expect(r.status).toBe('failed');
    expect(r.attempts).toBe(2);
    expect(r.error?.code).toBe('SOURCE_CHECKSUM_MISMATCH');
    expect(r.file).toBe(join(dir, GOOD));
    expect(r.message).toContain(`kept ${GOOD}`);
    expect(updateExitCode(s)).toBe(3);
    await expectLastGoodIntact();
  });

  it('a truncated body without a .md5 fails the count check', async () => {
    server.remove(MD5);
    server.queue(LATEST, { kind: 'truncate', fraction: 0.6 });
    const r = (
      await updateRegistries(options({ attempts: 1, allowMissingMd5: true }))
    ).results[0]!;
    expect(r.status).toBe('failed');
    // Cut at 60% of the bytes: either a cut line or a count short of the summary lines.
    expect(r.error?.code).toMatch(
      /^DELEGATED_(COUNT_MISMATCH|BAD_LINE|BAD_FIELD)$/,
    );
    await expectLastGoodIntact();
  });

  it('a damaged file whose .md5 matches it (the real partial overwrite) fails the parse', async () => {
    const damaged = gunzipSync(
      await readFile(
        new URL(
          '../../../shared/data/rir/defective/delegated-afrinic-extended-latest.gz',
          import.meta.url,
        ),
      ),
    );
    server.setLatest('afrinic', damaged, 'delegated-afrinic-extended-20181013');
    const r = (await updateRegistries(options({ attempts: 1 }))).results[0]!;
    expect(r.status).toBe('failed');
    // Line 9378 of that file is the fragment `|F367FC8B` (SOURCES.md).
    expect(r.error?.code).toMatch(/^DELEGATED_/);
    expect(r.error?.message).toMatch(/line 9378/);
    await expectLastGoodIntact();
  });

  it('an interrupted transfer (socket closed before Content-Length) fails', async () => {
    server.queue(
      LATEST,
      { kind: 'interrupt', fraction: 0.5 },
      { kind: 'interrupt', fraction: 0.5 },
    );
    const r = (await updateRegistries(options())).results[0]!;
    expect(r.status).toBe('failed');
    expect(r.error?.code).toBe('SOURCE_DOWNLOAD_FAILED');
    expect(r.retryLater).toBe(true);
    await expectLastGoodIntact();
  });

  it('an interrupted transfer that succeeds on the retry', async () => {
    server.queue(LATEST, { kind: 'interrupt', fraction: 0.3 });
    const delays: number[] = [];
    const s = await updateRegistries(
      options({
        attempts: 3,
        retryDelayMs: 1000,
        sleep: async (ms) => void delays.push(ms),
      }),
    );
    expect(s.results[0]).toMatchObject({ status: 'updated', attempts: 2 });
    expect(delays).toEqual([1000]);
  });

  it('a server that stalls fails after the idle timeout', async () => {
    server.queue(
      LATEST,
      { kind: 'stall', fraction: 0.2 },
      { kind: 'stall', fraction: 0.2 },
    );
    const r = (await updateRegistries(options({ timeoutMs: 300 }))).results[0]!;
    expect(r.status).toBe('failed');
    expect(r.error?.message).toMatch(/stalled/);
    await expectLastGoodIntact();
  });

  it('a wrong MD5 is retried, then fails', async () => {
    const wrong = `MD5 (delegated-afrinic-extended-latest) = ${'0'.repeat(32)}`;
    server.queue(
      MD5,
      { kind: 'body', body: wrong },
      { kind: 'body', body: wrong },
    );
    const r = (await updateRegistries(options())).results[0]!;
    expect(r.status).toBe('failed');
    expect(r.attempts).toBe(2);
    expect(r.error?.code).toBe('SOURCE_CHECKSUM_MISMATCH');
    expect(r.error?.message).toContain(md5(NEW_CONTENT));
    expect(r.retryLater).toBe(true);
    await expectLastGoodIntact();
  });

  it('ARIN-style mismatching mirrors: a wrong MD5 once, right on the retry', async () => {
    server.queue(MD5, {
      kind: 'body',
      body: `${'f'.repeat(32)}  delegated-afrinic-extended-20260505\n`,
    });
    const r = (await updateRegistries(options())).results[0]!;
    expect(r).toMatchObject({
      status: 'updated',
      attempts: 2,
      endDate: 20260505,
    });
  });

  it('APNIC-style late .md5: the old digest is recognised as stale and said so', async () => {
    const stale = md5Text(
      'afrinic',
      OLD_CONTENT,
      'delegated-afrinic-extended-latest',
      '',
    );
    server.queue(
      MD5,
      { kind: 'body', body: stale },
      { kind: 'body', body: stale },
    );
    const r = (await updateRegistries(options())).results[0]!;
    expect(r.status).toBe('failed');
    expect(r.error?.message).toMatch(/still describes the previous file/);
    expect(r.message).toMatch(/try again later/);
    await expectLastGoodIntact();
  });

  it('a missing .md5 is refused unless allowed', async () => {
    server.remove(MD5);
    const r = (await updateRegistries(options())).results[0]!;
    expect(r.status).toBe('failed');
    expect(r.error?.code).toBe('SOURCE_CHECKSUM_MISMATCH');
    expect(r.error?.message).toMatch(/no checksum published/);
    await expectLastGoodIntact();
    const ok = (await updateRegistries(options({ allowMissingMd5: true })))
      .results[0]!;
    expect(ok).toMatchObject({ status: 'updated', endDate: 20260505 });
  });

  it('a 404 fails at once, without retrying', async () => {
    server.queue(LATEST, { kind: 'status', status: 404 });
    const from = server.requests.length;
    const r = (await updateRegistries(options({ attempts: 4 }))).results[0]!;
    expect(r).toMatchObject({
      status: 'failed',
      attempts: 1,
      retryLater: false,
    });
    expect(r.error?.message).toMatch(/HTTP 404/);
    expect(server.requests.length - from).toBe(1);
    await expectLastGoodIntact();
  });

  it('HTTP 503 is retried', async () => {
    server.queue(LATEST, { kind: 'status', status: 503 });
    const r = (await updateRegistries(options())).results[0]!;
    expect(r).toMatchObject({ status: 'updated', attempts: 2 });
  });

  it('a file of another registry is refused', async () => {
    server.queue(LATEST, {
      kind: 'body',
      body: sharedFile('delegated-lacnic-extended-20181012.gz'),
    });
    server.queue(MD5, {
      kind: 'body',
      body: md5Text(
        'afrinic',
        sharedFile('delegated-lacnic-extended-20181012.gz'),
        'x',
        'x',
      ),
    });
    const r = (await updateRegistries(options())).results[0]!;
    expect(r.status).toBe('failed');
    expect(r.error?.code).toBe('DELEGATED_REGISTRY_MISMATCH');
    await expectLastGoodIntact();
  });

  it('a disk that fills: the partial file is removed, the state file is not written', async () => {
    const full: UpdateFileSystem = {
      ...NODE_UPDATE_FS,
      async writeFile(path, data) {
        // Writes part of the data, as a full disk would, then fails.
        const h = await open(path, 'wx');
        await h.write(data, 0, Math.floor(data.length / 3));
        await h.close();
        throw Object.assign(
          new Error('ENOSPC: no space left on device, write'),
          { code: 'ENOSPC' },
        );
      },
    };
    const stateBefore = await readFile(
      join(dir, 'rirmap-update-state.json'),
      'utf8',
    );
    const s = await updateRegistries(options({ fs: full }));
    const r = s.results[0]!;
    expect(r.status).toBe('failed');
    expect(r.attempts).toBe(1); // not retried
    expect(r.error?.message).toMatch(/ENOSPC/);
    expect(s.warnings.join('\n')).toMatch(/ENOSPC/);
    expect(await readFile(join(dir, 'rirmap-update-state.json'), 'utf8')).toBe(
      stateBefore,
    );
    await expectLastGoodIntact();
  });

  it('an abort signal stops the update', async () => {
    server.queue(LATEST, { kind: 'stall', fraction: 0.1 });
    const controller = new AbortController();
    const s = updateRegistries(
      options({
        timeoutMs: 60_000,
        signal: controller.signal,
        onProgress: (e) => {
          if (e.phase === 'download') controller.abort();
        },
      }),
    );
    const r = (await s).results[0]!;
    expect(r.status).toBe('failed');
    expect(r.error?.code).toBe('ABORTED');
    await expectLastGoodIntact();
  });

  it('some failed, some updated: exit code 1', async () => {
    server.queue(LATEST, { kind: 'status', status: 404 });
    const s = await updateRegistries(options({ rirs: ['afrinic', 'ripencc'] }));
    expect(s.results.map((r) => r.status)).toEqual(['failed', 'updated']);
    expect(updateExitCode(s)).toBe(1);
  });
});
