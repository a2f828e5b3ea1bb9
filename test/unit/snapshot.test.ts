import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRegistry } from '../../src/registry/load-registry.js';
import {
  encodeSnapshot,
  SNAPSHOT_FORMAT,
} from '../../src/snapshot/snapshot.js';
import { writeSnapshotFile } from '../../src/snapshot/snapshot-file.js';
import { run } from '../../src/cli/run.js';
import { memoryIo } from '../helpers/cli-io.js';
import { REGISTRY_FIXTURES } from '../helpers/registry-fixtures.js';

const FILES = REGISTRY_FIXTURES;
const QUERIES = [
  '1.0.16.1',
  '1.0.17.1',
  '1.0.32.0',
  '1.0.35.0',
  '1.0.0.5',
  '10.1.1.1',
  '2001:200:100::5',
  '2001:db8::1',
  '3.0.0.1',
  'AS173',
  'AS174',
  'AS7',
  'bogus',
];

describe('compiled snapshot', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rirmap-snap-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const text = await loadRegistry({ data: FILES });
  const path = join(dir, 'registry.rirmap');
  await writeSnapshotFile(text, path, '0.0.0-test');

  it('answers exactly like the text files it was built from', async () => {
    const snap = await loadRegistry({ snapshot: path });
    for (const q of QUERIES) expect(snap.query(q)).toEqual(text.query(q));
    expect(snap.sources).toEqual(text.sources);
    expect(snap.conflicts()).toEqual(text.conflicts());
    expect(snap.holder('A92D9378')).toEqual(text.holder('A92D9378'));
    expect(snap.stats()).toEqual(text.stats());
    expect([...snap.intervals('ipv6')]).toEqual([...text.intervals('ipv6')]);
  });

  it('loads through --data FILE too, and is byte-identical when rebuilt', async () => {
    const viaData = await loadRegistry({ data: [path] });
    expect(viaData.query('1.0.16.1')).toEqual(text.query('1.0.16.1'));
    const again = await loadRegistry({ data: FILES });
    expect(
      Buffer.from(encodeSnapshot(again, '0.0.0-test')).equals(
        readFileSync(path),
      ),
    ).toBe(true);
  });

  it('refuses truncated, corrupt, foreign and newer-format files with clear errors', async () => {
    const bytes = readFileSync(path);
    const truncated = join(dir, 'truncated.rirmap');
    writeFileSync(truncated, bytes.subarray(0, bytes.length - 100));
    await expect(loadRegistry({ snapshot: truncated })).rejects.toMatchObject({
      code: 'SNAPSHOT_INVALID',
      message: expect.stringMatching(/truncated/),
    });
    // Each chunk is checked when first read: the IPv4 trie at load, the rest
    // on first use (snapshot-format.test.ts corrupts every section).
    const corrupt = join(dir, 'corrupt.rirmap');
    const c = Buffer.from(bytes);
    c[c.length - 200] = c[c.length - 200]! ^ 0xff;
    writeFileSync(corrupt, c);
    const late = await loadRegistry({ snapshot: corrupt });
    expect(() => encodeSnapshot(late, '0.0.0-test')).toThrow(
      expect.objectContaining({
        code: 'SNAPSHOT_INVALID',
        message: expect.stringMatching(/checksum/),
      }),
    );
    const v4 = Buffer.from(bytes);
    const at = v4.readUInt32LE(32) + 1000;
    v4[at] = v4[at]! ^ 0xff;
    writeFileSync(corrupt, v4);
    await expect(loadRegistry({ snapshot: corrupt })).rejects.toMatchObject({
      code: 'SNAPSHOT_INVALID',
      message: expect.stringMatching(/checksum/),
    });
    const newer = join(dir, 'newer.rirmap');
    const n = Buffer.from(bytes);
    n.writeUInt32LE(SNAPSHOT_FORMAT + 1, 8);
    writeFileSync(newer, n);
    await expect(loadRegistry({ snapshot: newer })).rejects.toMatchObject({
      code: 'SNAPSHOT_VERSION',
      message: expect.stringMatching(/newer rirmap/),
    });
    await expect(loadRegistry({ snapshot: FILES[0]! })).rejects.toMatchObject({
      code: 'SNAPSHOT_INVALID',
    });
    await expect(loadRegistry({ snapshot: path, data: FILES })).rejects.toThrow(
      TypeError,
    );
    await expect(
      loadRegistry({ data: [path, FILES[0]!] }),
    ).rejects.toMatchObject({ code: 'SOURCE_NO_DATA' });
  });

  it('rirmap build writes a snapshot that rirmap lookup reads', async () => {
    const out = join(dir, 'cli.rirmap');
    const io = memoryIo();
    expect(
      await run(
        ['build', ...FILES.flatMap((f) => ['--data', f]), '--out', out],
        io,
      ),
    ).toBe(0);
    expect(io.err()).toMatch(/wrote .*cli\.rirmap .*: 18 records from 3 file/);
    const l = memoryIo();
    expect(await run(['lookup', '--data', out, '--json', '1.0.16.1'], l)).toBe(
      0,
    );
    expect(JSON.parse(l.out())).toEqual(text.query('1.0.16.1'));
    const bad = memoryIo();
    expect(await run(['build', '--data', FILES[0]!], bad)).toBe(2);
  });
});
