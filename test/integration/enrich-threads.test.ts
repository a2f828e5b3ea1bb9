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
import type { EnrichSummary } from '../../src/enrich/enrich-summary.js';
import type { EnrichIssue } from '../../src/formats/format-plan.js';
import type { RdapInfo, RdapResolver } from '../../src/rdap/rdap-types.js';
import {
  enrichBytes,
  fixtureRegistry,
  sharedPath,
} from '../unit/enrich-helpers.js';
import { loadRegistry } from '../../src/registry/load-registry.js';
import { enrichFile } from '../../src/enrich/enrich-file.js';
import {
  CLAIM_CALLER,
  DESC_WORDS,
  D_CLAIM,
  QUEUE,
  READY,
  SUBMITTED,
} from '../../src/enrich/worker-pool.js';

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

/**
 * Every worker took part (the calling thread's share depends on timing: it
 * takes a segment only when the workers have a full queue), and the rows of
 * all threads add up.
 */
function expectEveryThreadWorked(summary: EnrichSummary, threads: number) {
  expect(summary.threads).toBe(threads);
  expect(summary.rowsPerThread).toHaveLength(threads);
  for (const rows of summary.rowsPerThread.slice(1))
    expect(rows).toBeGreaterThan(0);
  expect(summary.rowsPerThread.reduce((a, b) => a + b, 0)).toBe(summary.rows);
}

/** The summary without what depends on the threads (their number, their shares, the time). */
function sameOnAnyThreads(summary: EnrichSummary) {
  const { threads: _t, rowsPerThread: _r, elapsedMs: _e, ...rest } = summary;
  return rest;
}

async function compare(
  input: Buffer,
  options: Record<string, unknown>,
  reg = registry,
  threadCounts = [2, 3],
) {
  const base = { registry: reg, segmentBytes: 4096, ...options };
  const one = await enrichBytes(input, { ...base, threads: 1 });
  expect(one.summary.rowsPerThread).toEqual([one.summary.rows]);
  for (const threads of threadCounts) {
    const many = await enrichBytes(input, {
      ...base,
      threads,
      workerUrl,
      waitForWorkers: true,
    });
    expect(many.bytes.equals(one.bytes)).toBe(true);
    expectEveryThreadWorked(many.summary, threads);
    expect(sameOnAnyThreads(many.summary)).toEqual(
      sameOnAnyThreads(one.summary),
    );
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

describe('what comes back from a worker besides its output', () => {
  const values = ['1.1.1.1', 'bad', '8.8.8.8', '', '10.0.0.1', '9.9.9.9'];
  /** `n,ip` rows; row i (1-based) holds values[(i - 1) % values.length]. */
  const rowsCsv = (n: number): Buffer =>
    Buffer.from(
      `n,ip\n${Array.from({ length: n }, (_, i) => `${i + 1},${values[i % values.length]}\n`).join('')}`,
    );

  it('issues in order, with their row and line numbers; a strict stop at the first', async () => {
    const input = rowsCsv(3000);
    // Worked out from the rows: a bad value is invalid, an empty one missing.
    const expected: EnrichIssue[] = [];
    for (let row = 1; row <= 3000; row++) {
      const v = values[(row - 1) % values.length]!;
      if (v === 'bad' || v === '')
        expected.push({
          row,
          line: row + 1,
          column: 'ip',
          reason: v === 'bad' ? 'invalid' : 'missing',
          value: v,
        });
    }
    for (const threads of [1, 2, 3]) {
      const issues: EnrichIssue[] = [];
      const { summary } = await enrichBytes(input, {
        registry,
        segmentBytes: 1024,
        threads,
        workerUrl,
        waitForWorkers: true,
        onIssue: (i) => issues.push(i),
      });
      expect(issues).toEqual(expected);
      expectEveryThreadWorked(summary, threads);
    }
    // Strict: the first issue stops the run, on any thread count.
    const late = Buffer.from(
      `n,ip\n${Array.from({ length: 2000 }, (_, i) => `${i + 1},${i === 1500 ? 'nope' : '1.1.1.1'}\n`).join('')}`,
    );
    for (const threads of [1, 2]) {
      await expect(
        enrichBytes(late, {
          registry,
          segmentBytes: 1024,
          threads,
          workerUrl,
          waitForWorkers: true,
          strict: true,
        }),
      ).rejects.toThrow(
        'invalid address "nope" in column "ip" at line 1502 (row 1501); strict mode stops here',
      );
    }
  });

  it('RDAP answers fill the holes a worker leaves, in order', async () => {
    const calls: string[] = [];
    const resolver: RdapResolver = {
      resolve: async (ip) => {
        calls.push(ip);
        await new Promise((r) => setTimeout(r, ip.endsWith('.8') ? 3 : 0));
        return { status: 'ok', name: `net of ${ip}` } as unknown as RdapInfo;
      },
      stats: () => ({
        calls: 0,
        cached: 0,
        waiting: 0,
        failures: 0,
        hosts: {},
      }),
      close: async () => undefined,
    };
    const input = rowsCsv(600);
    const options = {
      registry,
      segmentBytes: 1024,
      fields: 'rir,rdap.name',
      rdap: { resolver, mode: 'fallback' as const },
    };
    const one = await enrichBytes(input, { ...options, threads: 1 });
    const asked = calls.length;
    const two = await enrichBytes(input, {
      ...options,
      threads: 2,
      workerUrl,
      waitForWorkers: true,
    });
    expect(two.bytes.equals(one.bytes)).toBe(true);
    expectEveryThreadWorked(two.summary, 2);
    // Fallback asks only for what no file answers: 8.8.8.8 and 9.9.9.9, 100 rows each.
    expect(asked).toBe(200);
    expect(calls.length).toBe(400);
    const lines = two.bytes.toString('utf8').split('\n');
    expect(lines[0]).toBe('n,ip,ip_rir,ip_rdap.name,ip_error');
    expect(lines.slice(595, 601)).toEqual([
      '595,1.1.1.1,apnic,,',
      '596,bad,,,invalid',
      '597,8.8.8.8,,net of 8.8.8.8,',
      '598,,,,missing',
      '599,10.0.0.1,,,',
      '600,9.9.9.9,,net of 9.9.9.9,',
    ]);
  });

  it('a row larger than a shared slot travels in a message', async () => {
    // Slots hold twice segmentBytes (2 KiB here); this row is 20 KB.
    const long = `2,1.1.1.1,${'x'.repeat(20_000)}\n`;
    const rows = Array.from({ length: 400 }, (_, i) =>
      i === 200 ? long : `${i + 1},8.8.8.8,short\n`,
    );
    const input = Buffer.from(`n,ip,note\n${rows.join('')}`);
    const one = await compare(
      input,
      { segmentBytes: 1024, fields: 'rir' },
      registry,
      [2],
    );
    const out = one.bytes.toString('utf8').split('\n');
    expect(out[201]).toBe(`${long.trimEnd()},apnic,`);
  });
});

describe('a segment its worker has not started', () => {
  it('is taken back and done by the calling thread, and skipped by the worker', async () => {
    // A worker that says it is ready, then holds its first HELD segments
    // unstarted until the calling thread has taken every one of them back
    // (it fails the run if that does not happen), then runs as usual.
    const HELD = 4;
    const holding = join(dir, 'holding-worker.mjs');
    await writeFile(
      holding,
      `import { workerData } from 'node:worker_threads';
const control = new Int32Array(workerData.control);
const desc = new Int32Array(workerData.desc);
const base = workerData.base;
Atomics.store(control, base + ${READY}, 1);
Atomics.notify(control, base + ${READY});
const deadline = Date.now() + 20000;
for (;;) {
  const n = Atomics.load(control, base + ${SUBMITTED});
  let back = 0;
  for (let i = 0; i < Math.min(n, ${HELD}); i++) {
    const slot = control[base + ${QUEUE} + i];
    if (Atomics.load(desc, slot * ${DESC_WORDS} + ${D_CLAIM}) === ${CLAIM_CALLER}) back++;
  }
  if (back === ${HELD}) break;
  if (Date.now() > deadline) throw new Error('segments were not taken back');
  Atomics.wait(control, base + ${SUBMITTED}, n, 5);
}
await import(${JSON.stringify(workerUrl.href)});
`,
    );
    const input = Buffer.from(
      `n,ip\n${Array.from({ length: 6000 }, (_, i) => `${i},${['1.1.1.1', '5.6.7.8', 'bad', '2001:200::1'][i % 4]}\n`).join('')}`,
    );
    const base = { registry, segmentBytes: 1024, columns: ['ip'] };
    const one = await enrichBytes(input, { ...base, threads: 1 });
    const many = await enrichBytes(input, {
      ...base,
      threads: 2,
      workerUrl: pathToFileURL(holding),
      waitForWorkers: true,
    });
    expect(many.bytes.equals(one.bytes)).toBe(true);
    expect(sameOnAnyThreads(many.summary)).toEqual(
      sameOnAnyThreads(one.summary),
    );
    // The held segments' rows count as the calling thread's.
    expect(many.summary.rowsPerThread[0]).toBeGreaterThan(0);
    expect(
      many.summary.rowsPerThread[0]! + many.summary.rowsPerThread[1]!,
    ).toBe(6000);
  });
});

describe('a worker that fails', () => {
  it('fails the run, whether or not it was waited for', async () => {
    const broken = join(dir, 'broken-worker.js');
    await writeFile(broken, "throw new Error('worker did not start');\n");
    const input = Buffer.from(
      `ip\n${Array.from({ length: 5000 }, () => '1.1.1.1\n').join('')}`,
    );
    for (const waitForWorkers of [true, false])
      await expect(
        enrichBytes(input, {
          registry,
          segmentBytes: 1024,
          threads: 2,
          workerUrl: pathToFileURL(broken),
          waitForWorkers,
        }),
      ).rejects.toThrow('worker did not start');
  });
});
