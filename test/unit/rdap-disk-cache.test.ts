/** The append-only JSON Lines cache file. */

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  RdapDiskCache,
  type RdapDiskRecord,
} from '../../src/rdap/rdap-disk-cache.js';
import { openRdapResolver } from '../../src/rdap/rdap-resolver.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rirmap-disk-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const MISS: RdapDiskRecord = {
  v: 1,
  t: 'miss',
  scope: 's',
  q: '23.1.2.3',
  fetchedAt: '2026-01-01T00:00:00Z',
};

describe('RdapDiskCache', () => {
  it('treats a missing file as empty and creates it on the first append', async () => {
    const file = join(dir, 'c.jsonl');
    const c = new RdapDiskCache(file);
    expect(await c.load(() => undefined)).toEqual({ records: 0, skipped: 0 });
    c.append(MISS);
    c.append({ ...MISS, q: '23.1.2.4' });
    await c.close();
    expect(await readFile(file, 'utf8')).toBe(
      `${JSON.stringify(MISS)}\n${JSON.stringify({ ...MISS, q: '23.1.2.4' })}\n`,
    );
  });

  it('skips a torn last line and invalid lines, and appends on a new line', async () => {
    const file = join(dir, 'c.jsonl');
    await writeFile(
      file,
      `${JSON.stringify(MISS)}\n{"v":2,"t":"miss"}\nnot json\n{"v":1,"t":"mi`,
    );
    const c = new RdapDiskCache(file);
    const seen: RdapDiskRecord[] = [];
    expect(await c.load((r) => seen.push(r))).toEqual({
      records: 1,
      skipped: 3,
    });
    expect(seen).toEqual([MISS]);
    c.append(MISS);
    await c.close();
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(lines.slice(-3)).toEqual([
      '{"v":1,"t":"mi',
      JSON.stringify(MISS),
      '',
    ]);
  });

  it('reports a file that exists but cannot be read', async () => {
    const c = new RdapDiskCache(dir); // a directory
    await expect(c.load(() => undefined)).rejects.toMatchObject({
      code: 'SOURCE_READ_FAILED',
    });
    await expect(openRdapResolver({ cacheFile: dir })).rejects.toMatchObject({
      code: 'SOURCE_READ_FAILED',
    });
  });

  it('reports a write error once and stops writing', async () => {
    const errors: unknown[] = [];
    const c = new RdapDiskCache(
      join(dir, 'no', 'such', 'dir', 'c.jsonl'),
      (e) => errors.push(e),
    );
    c.append(MISS);
    c.append(MISS);
    await c.close();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ name: 'SourceError' });
  });
});
