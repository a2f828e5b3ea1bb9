import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { memoryIo } from '../helpers/cli-io.js';
import { APNIC_FIXTURE, RIPE_FIXTURE } from '../helpers/registry-fixtures.js';

const APNIC = APNIC_FIXTURE;
const RIPE = RIPE_FIXTURE;

describe('rirmap lookup', () => {
  const empty = mkdtempSync(join(tmpdir(), 'rirmap-empty-'));
  afterAll(() => rmSync(empty, { recursive: true, force: true }));

  it('prints one JSON object per query in input order, errors inline, exit 1 at the end', async () => {
    const io = memoryIo();
    const code = await run(
      [
        'lookup',
        '--data',
        APNIC,
        '--data',
        RIPE,
        '--json',
        '1.0.17.1',
        'bogus',
        '10.0.0.1',
        'AS174',
        '9.9.9.9',
      ],
      io,
    );
    expect(code).toBe(1);
    const lines = io
      .out()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.query)).toEqual([
      '1.0.17.1',
      'bogus',
      '10.0.0.1',
      'AS174',
      '9.9.9.9',
    ]);
    expect(lines[0]).toMatchObject({
      found: true,
      rir: 'apnic',
      country: 'JP',
      date: '2011-04-12',
      holder: 'A92D9378',
    });
    expect(lines[1]).toMatchObject({
      found: false,
      code: 'INPUT_INVALID_QUERY',
    });
    expect(lines[1].error).toMatch(/bogus/);
    expect(lines[2]).toEqual({
      query: '10.0.0.1',
      found: false,
      special: 'private',
    });
    expect(lines[3]).toMatchObject({
      found: true,
      type: 'asn',
      rir: 'ripencc',
      country: 'EU',
    });
    expect(lines[4]).toEqual({ query: '9.9.9.9', found: false });
  });

  it('reads queries from stdin, one per line, and prints a table', async () => {
    const io = memoryIo('1.0.32.7\n\n# comment\n2001:200::1\n');
    const code = await run(['lookup', '--data', APNIC], io);
    expect(code).toBe(0);
    const out = io.out().split('\n');
    expect(out[0]).toMatch(
      /^QUERY\s+RIR\s+CC\s+DATE\s+STATUS\s+HOLDER\s+RANGE$/,
    );
    expect(out[1]).toMatch(
      /^1\.0\.32\.7\s+apnic\s+CN\s+2011-04-14\s+allocated\s+A92E1062\s+1\.0\.32\.0-1\.0\.34\.255/,
    );
    expect(out[2]).toMatch(
      /^2001:200::1\s+apnic\s+JP\s+1999-08-13\s+allocated\s+A92D9378\s+2001:200::\/23/,
    );
    expect(out).toHaveLength(4);
  });

  it('says how to get data when there is none', async () => {
    const io = memoryIo('', { RIRMAP_DATA: empty });
    const code = await run(['lookup', '8.8.8.8'], io);
    expect(code).toBe(1);
    expect(io.err()).toMatch(
      /no registry data in .*RIRMAP_DATA.*rirmap update/s,
    );
  });

  it('usage errors exit 2 with the usage line; --help and --version work everywhere', async () => {
    let io = memoryIo();
    expect(await run(['lookup', '--bogus'], io)).toBe(2);
    expect(io.err()).toMatch(
      /Unknown option '--bogus'[\s\S]*Usage: rirmap lookup/,
    );
    io = memoryIo();
    expect(await run(['lookup', '--help'], io)).toBe(0);
    expect(io.out()).toMatch(/--data PATH/);
    io = memoryIo();
    expect(await run(['--version'], io)).toBe(0);
    expect(io.out()).toMatch(/^\d+\.\d+\.\d+\n$/);
    io = memoryIo();
    expect(await run(['info', '--version'], io)).toBe(0);
    io = memoryIo();
    expect(await run(['frobnicate'], io)).toBe(2);
    expect(io.err()).toMatch(/unknown command/);
  });
});

describe('rirmap info', () => {
  it('lists files with provenance, counts and conflicts', async () => {
    const io = memoryIo();
    expect(await run(['info', '--data', APNIC, '--data', RIPE], io)).toBe(0);
    const out = io.out();
    expect(out).toMatch(
      /delegated-apnic-extended-20240101\s+registry=apnic kind=extended version=2\.3 serial=20240102 end=2024-01-01 records=8/,
    );
    expect(out).toMatch(/ipv4\s+3\s+2\s+0\s+1/); // apnic 3 allocated + 1 assigned; ripencc 1 assigned + 1 reserved
    expect(out).toMatch(
      /Conflicts \(overlapping records across files\): 4, of which disagreeing: 4/,
    );
    const j = memoryIo();
    await run(['info', '--data', APNIC, '--json'], j);
    expect(JSON.parse(j.out()).stats.records).toBe(8);
    const c = memoryIo();
    await run(['info', '--data', APNIC, '--data', RIPE, '--conflicts'], c);
    expect(c.out().trimEnd().split('\n')).toHaveLength(4);
  });
});

describe('rirmap lookup --manifest', () => {
  it('records data files, input and output hashes and rows', async () => {
    const { createHash } = await import('node:crypto');
    const { readFileSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'rirmap-manifest-'));
    try {
      const path = join(dir, 'm.json');
      const io = memoryIo('1.0.16.1\n8.8.8.8\n');
      expect(
        await run(
          ['lookup', '--data', APNIC, '--json', '--manifest', path],
          io,
        ),
      ).toBe(0);
      const m = JSON.parse(readFileSync(path, 'utf8'));
      const sha = (s: string | Buffer) =>
        createHash('sha256').update(s).digest('hex');
      expect(m.command).toBe('lookup');
      expect(m.options).toEqual({ data: [APNIC], json: true });
      expect(m.data).toEqual([
        expect.objectContaining({
          file: 'delegated-apnic-extended-20240101',
          registry: 'apnic',
          serial: '20240102',
          endDate: '2024-01-01',
          records: 8,
          sha256: sha(readFileSync(APNIC)),
        }),
      ]);
      expect(m.input).toEqual({
        path: '-',
        sha256: sha('1.0.16.1\n8.8.8.8\n'),
        bytes: 17,
        rows: 2,
      });
      expect(m.output).toMatchObject({
        path: '-',
        sha256: sha(io.out()),
        rows: 2,
      });
      expect(Date.parse(m.endedAt)).toBeGreaterThanOrEqual(
        Date.parse(m.startedAt),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
