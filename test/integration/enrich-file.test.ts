import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import {
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Registry } from '../../src/types.js';
import { enrichFile } from '../../src/enrich/enrich-file.js';
import { enrichBytes, fixtureRegistry } from '../unit/enrich-helpers.js';

let registry: Registry;
let dir: string;
beforeAll(async () => {
  registry = await fixtureRegistry();
  dir = await mkdtemp(join(tmpdir(), 'rirmap-enrich-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const CSV = 'ip,n\n1.1.1.1,1\n5.6.7.8,2\n8.8.8.8,3\n';
const EXPECTED =
  'ip,n,ip_rir,ip_error\n1.1.1.1,1,apnic,\n5.6.7.8,2,ripencc,\n8.8.8.8,3,,\n';

describe('enrichFile', () => {
  it('plain and gzip files give the same output; the summary counts input bytes as read', async () => {
    await writeFile(join(dir, 'in.csv'), CSV);
    await writeFile(join(dir, 'in.csv.gz'), gzipSync(CSV));
    const a = await enrichFile(join(dir, 'in.csv'), join(dir, 'a.csv'), {
      registry,
      fields: 'rir',
    });
    const b = await enrichFile(join(dir, 'in.csv.gz'), join(dir, 'b.csv'), {
      registry,
      fields: 'rir',
    });
    expect(await readFile(join(dir, 'a.csv'), 'utf8')).toBe(EXPECTED);
    expect(await readFile(join(dir, 'b.csv'), 'utf8')).toBe(EXPECTED);
    expect(a.bytesIn).toBe(CSV.length);
    expect(b.bytesIn).toBe((await stat(join(dir, 'in.csv.gz'))).size);
    expect(a.bytesOut).toBe(EXPECTED.length);
    expect(a.rows).toBe(3);
  });

  it('streams in and out (gzip detected on a stream too)', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const input = new PassThrough();
    input.end(gzipSync(CSV));
    await enrichFile(input, out, { registry, fields: 'rir' });
    expect(Buffer.concat(chunks).toString()).toBe(EXPECTED);
  });

  it('a missing input is a SourceError', async () => {
    await expect(
      enrichFile(join(dir, 'nope.csv'), join(dir, 'x.csv'), { registry }),
    ).rejects.toMatchObject({
      code: 'SOURCE_NOT_FOUND',
    });
    expect(existsSync(join(dir, 'x.csv'))).toBe(false);
  });

  it('a failed run leaves an existing output untouched and no temporary file', async () => {
    const target = join(dir, 'keep.csv');
    await writeFile(target, 'old content\n');
    await writeFile(join(dir, 'bad.csv'), 'ip\n1.1.1.1\nbad\n');
    await expect(
      enrichFile(join(dir, 'bad.csv'), target, {
        registry,
        columns: ['ip'],
        strict: true,
      }),
    ).rejects.toMatchObject({ code: 'ENRICH_ROW' });
    expect(await readFile(target, 'utf8')).toBe('old content\n');
    expect((await readdir(dir)).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('an aborted run leaves no partial file under the final name', async () => {
    const big = join(dir, 'big.log');
    const line =
      'Dec 10 06:55:46 sshd[1]: Failed password for root from 1.1.1.1 port 22 ssh2\n';
    await writeFile(big, line.repeat(200_000)); // 15 MB
    const target = join(dir, 'aborted.jsonl');
    const controller = new AbortController();
    let progressCalls = 0;
    const err = await enrichFile(big, target, {
      registry,
      signal: controller.signal,
      onProgress: () => {
        if (++progressCalls === 5)
          controller.abort(new DOMException('interrupted', 'AbortError'));
      },
    }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    expect(progressCalls).toBeGreaterThanOrEqual(5);
    expect(existsSync(target)).toBe(false);
    expect((await readdir(dir)).filter((f) => f.includes('aborted'))).toEqual(
      [],
    );
  });

  it('a FIFO or device is written in place, never replaced', async () => {
    const fifo = join(dir, 'pipe');
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      return; // no mkfifo here
    }
    const reader = new Promise<string>((resolve, reject) => {
      const parts: Buffer[] = [];
      createReadStream(fifo)
        .on('data', (c) => parts.push(c as Buffer))
        .on('end', () => resolve(Buffer.concat(parts).toString()))
        .on('error', reject);
    });
    await writeFile(join(dir, 'in2.csv'), CSV);
    await enrichFile(join(dir, 'in2.csv'), fifo, { registry, fields: 'rir' });
    expect(await reader).toBe(EXPECTED);
    expect((await stat(fifo)).isFIFO()).toBe(true);
  });

  it('the output of a big input equals enrichText over the same bytes', async () => {
    const rows = Array.from(
      { length: 30_000 },
      (_, i) => `${i},1.${i % 4}.${i % 7}.${i % 250},x`,
    ).join('\n');
    const input = `n,ip,z\n${rows}\n`;
    await writeFile(join(dir, 'rows.csv'), input);
    const ws = createWriteStream(join(dir, 'ignored'));
    ws.close();
    await enrichFile(join(dir, 'rows.csv'), join(dir, 'rows.out.csv'), {
      registry,
    });
    const direct = await enrichBytes(Buffer.from(input), { registry });
    expect(
      (await readFile(join(dir, 'rows.out.csv'))).equals(direct.bytes),
    ).toBe(true);
  });
});
