/**
 * Threads give the same bytes as one thread. Worker threads run JavaScript,
 * not TypeScript, so this test first bundles src/enrich/worker-entry.ts with
 * tsup (as `npm run build` does for dist/enrich-worker.js) into a temporary
 * directory and points `workerUrl` at it.
 */

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Registry } from '../../src/types.js';
import {
  enrichBytes,
  fixtureRegistry,
  sharedPath,
} from '../unit/enrich-helpers.js';
import { loadRegistry } from '../../src/registry/load-registry.js';
import { enrichFile } from '../../src/enrich/enrich-file.js';

let dir: string;
let workerUrl: URL;
let registry: Registry;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rirmap-enrich-worker-'));
  await build({
    entry: {
      'enrich-worker': fileURLToPath(
        new URL('../../src/enrich/worker-entry.ts', import.meta.url),
      ),
    },
    format: ['esm'],
    outDir: dir,
    platform: 'node',
    target: 'node20',
    config: false,
    silent: true,
    noExternal: [/.*/],
    dts: false,
    sourcemap: false,
    clean: false,
    splitting: false,
  });
  workerUrl = pathToFileURL(join(dir, 'enrich-worker.js'));
  registry = await fixtureRegistry();
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function compare(
  input: Buffer,
  options: Record<string, unknown>,
  reg = registry,
  threadCounts = [2, 3],
) {
  const base = { registry: reg, segmentBytes: 4096, ...options };
  const one = await enrichBytes(input, { ...base, threads: 1 });
  for (const threads of threadCounts) {
    const many = await enrichBytes(input, { ...base, threads, workerUrl });
    expect(many.bytes.equals(one.bytes)).toBe(true);
    const { threads: t, elapsedMs: _a, ...rest } = many.summary;
    const { threads: _t1, elapsedMs: _b, ...restOne } = one.summary;
    expect(t).toBe(threads);
    expect(rest).toEqual(restOne);
  }
  return one;
}

describe('threads give the same bytes as one thread', () => {
  it('CSV with quotes, CRLF, blank lines and invalid values', async () => {
    const ips = [
      '1.1.1.1',
      '5.6.7.8',
      '8.8.8.8',
      '10.0.0.1',
      'bad',
      '',
      '2001:200::1',
    ];
    const rows = Array.from(
      { length: 6000 },
      (_, i) =>
        `${i},${ips[i % ips.length]},"note ${i}${i % 97 === 0 ? '\r\nsecond line' : ''}"${i % 13 === 0 ? '\r\n' : ''}`,
    );
    const one = await compare(
      Buffer.from(`n,ip,note\r\n${rows.join('\r\n')}\r\n`),
      { columns: ['ip'] },
    );
    expect(one.summary.rows).toBe(6000);
  });

  it('logs (jsonl and inline), Zeek and JSON lines from the real shared logs', async () => {
    const real = await loadRegistry({ data: [sharedPath('rir')] });
    const ufw = (
      await readFile(sharedPath('logs/ufw-kernel_ufw.log.1'))
    ).subarray(0, 400_000);
    await compare(ufw, { format: 'log' }, real, [2]);
    await compare(ufw, { format: 'log', annotate: 'inline' }, real, [2]);
    await compare(
      await readFile(sharedPath('logs/zeek-conn_trickbot_conn.log')),
      {},
      real,
      [2],
    );
    const cowrie = (
      await readFile(sharedPath('logs/cowrie-honeypot_cowrie.json.2018-05-20'))
    ).subarray(0, 300_000);
    await compare(
      cowrie.subarray(0, cowrie.lastIndexOf(10) + 1),
      {},
      real,
      [2],
    );
  }, 60_000);

  it('output slots lent by the workers: to a file, and held by a slow stream', async () => {
    // Segments of 16 KiB make outputs large enough to be lent (not copied);
    // a slow stream holds more of them than there are free slots.
    const real = await loadRegistry({ data: [sharedPath('rir')] });
    const raw = await readFile(sharedPath('logs/openssh-auth_OpenSSH_2k.log'));
    // The file (CRLF) has no final line break: add one so the copies stay apart.
    const text = Buffer.concat([raw, Buffer.from('\r\n')]);
    const input = join(dir, 'ssh.log');
    await writeFile(
      input,
      Buffer.concat(Array.from({ length: 12 }, () => text)),
    );
    const options = {
      registry: real,
      format: 'log' as const,
      workerUrl,
      segmentBytes: 16 * 1024,
    };
    const outputs: Buffer[] = [];
    for (const threads of [1, 2]) {
      const output = join(dir, `out-${threads}.jsonl`);
      const summary = await enrichFile(input, output, { ...options, threads });
      expect(summary.threads).toBe(threads);
      outputs.push(await readFile(output));
    }
    const lines = outputs[0]!.toString('utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(
      12 * text.toString('utf8').trimEnd().split('\n').length,
    );
    expect(JSON.parse(lines[0]!).line).toBe(
      text.toString('utf8').split('\r\n')[0],
    );
    expect(outputs[1]!.equals(outputs[0]!)).toBe(true);

    const parts: Buffer[] = [];
    const slow = new Writable({
      highWaterMark: 1 << 20,
      write(chunk: Buffer, _encoding, callback) {
        // Read the bytes only when done with them: a slot given back
        // before then would have been overwritten by a later segment.
        setTimeout(() => {
          parts.push(Buffer.from(chunk));
          callback();
        }, 1);
      },
    });
    await enrichFile(input, slow, { ...options, threads: 2 });
    expect(Buffer.concat(parts).equals(outputs[0]!)).toBe(true);
  }, 60_000);
});
