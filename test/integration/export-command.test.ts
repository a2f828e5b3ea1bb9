/**
 * `rirmap export` run in-process on a real shared file: MMDB, CSV and JSON
 * Lines outputs, atomic writes, reproducible MMDB bytes under
 * SOURCE_DATE_EPOCH, and usage errors.
 */

import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Reader } from 'maxmind';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { exportCommand } from '../../src/cli/commands/export.js';
import {
  CliUsageError,
  parseCommandArgs,
  type CliIo,
} from '../../src/cli/command.js';
import { loadRegistry } from '../../src/registry/load-registry.js';
import type { Registry } from '../../src/types.js';
import {
  expectedLookup,
  expectedMmdbValue,
  sampleAddresses,
} from '../helpers/export-expected.js';
import { verifyMmdb } from '../helpers/export-mmdb-verify.js';

const DATA = fileURLToPath(
  new URL(
    '../../../shared/data/rir/delegated-afrinic-extended-20260505.gz',
    import.meta.url,
  ),
);

// The machine may be shared: generous timeouts, no timed assertions.
vi.setConfig({ testTimeout: 60_000 });

let dir: string;
let registry: Registry;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rirmap-export-cli-'));
  registry = await loadRegistry({ data: [DATA] });
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function makeIo(
  env: Record<string, string> = {},
): CliIo & { out: () => Buffer; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  stdout.on('data', (c: Buffer) => o.push(c));
  stderr.on('data', (c: Buffer) => e.push(c));
  return {
    stdin: new PassThrough(),
    stdout,
    stderr,
    env,
    cwd: dir,
    out: () => Buffer.concat(o),
    err: () => Buffer.concat(e).toString('utf8'),
  };
}

async function exportRun(argv: string[], env: Record<string, string> = {}) {
  const io = makeIo(env);
  const code = await exportCommand.run(
    parseCommandArgs(exportCommand, ['--data', DATA, ...argv]),
    io,
    new AbortController().signal,
  );
  return { code, io };
}

const json = (v: unknown): string => JSON.stringify(v) ?? 'undefined';

describe('rirmap export', () => {
  it('writes an MMDB file that answers what lookup answers, atomically', async () => {
    const out = join(dir, 'afrinic.mmdb');
    const { code, io } = await exportRun(['--out', out], {
      SOURCE_DATE_EPOCH: '1700000000',
    });
    expect(code).toBe(0);
    expect(io.err()).toMatch(
      /^rirmap export: wrote mmdb to .*afrinic\.mmdb: \d+ ranges as \d+ prefixes/,
    );
    expect(io.out().length).toBe(0);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    const buf = readFileSync(out);
    const v = verifyMmdb(buf);
    expect(v.metadata.build_epoch).toBe(1_700_000_000n);
    expect(v.metadata.database_type).toBe('rirmap-Registry-Country');
    const reader = new Reader(buf);
    const ips = sampleAddresses(registry, {
      edges: 4000,
      randomV4: 1000,
      randomV6: 1000,
      mapped: 200,
      seed: 3,
    });
    const wrong = ips.filter(
      (ip) =>
        json(reader.get(ip)) !==
        json(expectedMmdbValue(expectedLookup(registry, ip))),
    );
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it('writes identical MMDB bytes twice under SOURCE_DATE_EPOCH', async () => {
    const a = join(dir, 'a.mmdb');
    const b = join(dir, 'b.mmdb');
    await exportRun(['--out', a, '--format', 'mmdb'], {
      SOURCE_DATE_EPOCH: '42',
    });
    await exportRun(['-o', b], { SOURCE_DATE_EPOCH: '42' });
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
  });

  it('writes an IPv4-only MMDB with chosen fields and database type', async () => {
    const out = join(dir, 'v4-Country.mmdb');
    const { code } = await exportRun([
      '--out',
      out,
      '--ipv4-only',
      '--fields',
      'rir,country',
      '--fields',
      'date',
      '--database-type',
      'Afrinic-Country',
    ]);
    expect(code).toBe(0);
    const buf = readFileSync(out);
    expect(verifyMmdb(buf).metadata).toMatchObject({
      ip_version: 4,
      database_type: 'Afrinic-Country',
    });
    const r = registry.lookup('41.0.0.1');
    expect(new Reader(buf).get('41.0.0.1')).toEqual(
      expectedMmdbValue(r, ['rir', 'country', 'date']),
    );
  });

  it('writes a CSV range table, one row per CIDR with --cidr', async () => {
    const out = join(dir, 'afrinic.csv');
    const { code, io } = await exportRun([
      '--out',
      out,
      '--cidr',
      '--fields',
      'rir,country',
    ]);
    expect(code).toBe(0);
    expect(io.err()).toMatch(/wrote csv to .*: \d+ rows from \d+ ranges/);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('start,end,cidr,rir,country');
    for (const line of lines.slice(1)) {
      const [start, end, cidr, rir] = line.split(',') as [
        string,
        string,
        string,
        string,
      ];
      expect(cidr.includes(' ')).toBe(false);
      expect(cidr.startsWith(`${start}/`), line).toBe(true);
      expect(registry.lookup(start)?.rir, line).toBe(rir);
      expect(registry.lookup(end)?.rir, line).toBe(rir);
    }
    expect(lines.length).toBeGreaterThan(1000);
  });

  it('writes JSON Lines to standard output with --out -', async () => {
    const { code, io } = await exportRun(['--out', '-', '--format', 'jsonl']);
    expect(code).toBe(0);
    const rows = io
      .out()
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(Object.keys(rows[0]!)).toEqual([
      'start',
      'end',
      'cidr',
      'rir',
      'country',
      'date',
      'status',
      'holder',
      'source',
    ]);
    expect(
      rows.every((r) => r['source'] === 'delegated-afrinic-extended-20260505'),
    ).toBe(true);
    expect(io.err()).toContain('standard output');
  });

  it('writes CSV without a header with --no-header, format from the extension', async () => {
    const out = join(dir, 'plain.csv');
    await exportRun(['--out', out, '--no-header', '--ipv4-only']);
    const first = readFileSync(out, 'utf8').split('\n')[0]!;
    expect(first).toMatch(/^\d+\.\d+\.\d+\.\d+,/);
  });

  it('leaves no file behind when the output cannot be written', async () => {
    const out = join(dir, 'missing-dir', 'x.mmdb');
    await expect(exportRun(['--out', out])).rejects.toThrow();
    expect(existsSync(join(dir, 'missing-dir'))).toBe(false);
  });

  it('reports usage errors before loading data', async () => {
    const cases: string[][] = [
      [],
      ['--out', join(dir, 'x.txt')],
      ['--out', join(dir, 'x.mmdb'), '--format', 'xml'],
      ['--out', join(dir, 'x.mmdb'), '--cidr'],
      ['--out', join(dir, 'x.mmdb'), '--no-header'],
      ['--out', join(dir, 'x.csv'), '--database-type', 'X'],
      ['--out', join(dir, 'x.csv'), '--fields', 'rir,nope'],
      ['--out', join(dir, 'x.csv'), 'extra'],
    ];
    for (const argv of cases)
      await expect(exportRun(argv), argv.join(' ')).rejects.toBeInstanceOf(
        CliUsageError,
      );
    await expect(
      exportRun(['--out', join(dir, 'x.mmdb')], {
        SOURCE_DATE_EPOCH: 'yesterday',
      }),
    ).rejects.toBeInstanceOf(CliUsageError);
    const tty = makeIo();
    (tty.stdout as PassThrough & { isTTY?: boolean }).isTTY = true;
    await expect(
      exportCommand.run(
        parseCommandArgs(exportCommand, [
          '--data',
          DATA,
          '--out',
          '-',
          '--format',
          'mmdb',
        ]),
        tty,
        new AbortController().signal,
      ),
    ).rejects.toBeInstanceOf(CliUsageError);
  });
});
