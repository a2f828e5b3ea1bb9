/**
 * `rirmap report` run in-process: output formats, files, gzip input,
 * --from-enriched, usage errors.
 */

import {
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
  existsSync,
  readdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { CliUsageError, parseCommandArgs } from '../../src/cli/command.js';
import { reportCommand } from '../../src/cli/commands/report.js';
import { memoryIo } from '../helpers/cli-io.js';
import { checkMarkdownTables } from '../helpers/report-markdown-check.js';

const shared = (p: string): string =>
  fileURLToPath(new URL(`../../../shared/data/${p}`, import.meta.url));
const FIXTURES = fileURLToPath(
  new URL('../../fixtures/registry/', import.meta.url),
);
const dir = mkdtempSync(join(tmpdir(), 'rirmap-report-cli-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function report(
  argv: string[],
  stdin = '',
): Promise<{ code: number; out: string; err: string }> {
  const io = { ...memoryIo(stdin), cwd: dir };
  const code = await reportCommand.run(
    parseCommandArgs(reportCommand, argv),
    io,
    new AbortController().signal,
  );
  return { code, out: io.out(), err: io.err() };
}

// Addresses in the hand-written fixtures: 1.0.16.5 is in RIPE NCC's 1.0.16.0/24 (NL), which
// overlaps APNIC's 1.0.16.0/20 and wins as the smaller range; 1.0.0.9 in APNIC's 1.0.0.0/24 (AU).
const LOG = [
  'Jan 10 10:00:00 host sshd[1]: Failed password for root from 1.0.16.5 port 22',
  'Jan 10 10:00:05 host sshd[1]: Failed password for root from 1.0.16.5 port 22',
  'Jan 10 10:01:00 host sshd[2]: Invalid user admin from 1.0.0.9 port 4242',
  'Jan 10 10:02:00 host sshd[3]: Connection from 192.168.1.10 port 5000',
  'Jan 10 10:03:00 host kernel: nothing here',
].join('\n');

describe('rirmap report', () => {
  it('writes JSON to standard output by default, from standard input', async () => {
    const { code, out } = await report(['--data', FIXTURES], `${LOG}\n`);
    expect(code).toBe(0);
    const r = JSON.parse(out);
    expect(r.totals).toMatchObject({
      rows: 5,
      rowsWithAddresses: 4,
      hits: 4,
      found: 3,
      special: 1,
      addresses: 3,
    });
    expect(
      r.registries.map(
        (g: { rir: string; addresses: number; hits: number }) => [
          g.rir,
          g.addresses,
          g.hits,
        ],
      ),
    ).toEqual([
      ['ripencc', 1, 2],
      ['apnic', 1, 1],
    ]);
    expect(r.manifest.input.name).toBe('-');
    expect(r.manifest.data.map((d: { file: string }) => d.file)).toContain(
      'delegated-apnic-extended-20240101',
    );
    expect(r.totals.firstSeen).toBe('01-10 10:00:00');
  });

  it('picks the format from --out, writes the file atomically, reads .gz input', async () => {
    const input = join(dir, 'auth.log.gz');
    writeFileSync(input, gzipSync(Buffer.from(LOG)));
    const { code, err } = await report([
      input,
      '--data',
      FIXTURES,
      '--out',
      'r.md',
      '--year',
      '2024',
    ]);
    expect(code).toBe(0);
    expect(err).toMatch(/wrote r\.md: 5 rows/);
    const md = readFileSync(join(dir, 'r.md'), 'utf8');
    expect(checkMarkdownTables(md).problems).toEqual([]);
    expect(md).toContain('2024-01-10 10:00:00');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    const html = await report([input, '--data', FIXTURES, '-o', 'r.html']);
    expect(html.code).toBe(0);
    expect(readFileSync(join(dir, 'r.html'), 'utf8')).toMatch(
      /^<!doctype html>/,
    );
    // The manifest hashes the .gz bytes as stored.
    const json = await report([input, '--data', FIXTURES, '--format', 'json']);
    const { createHash } = await import('node:crypto');
    expect(JSON.parse(json.out).manifest.input).toEqual({
      name: 'auth.log.gz',
      sha256: createHash('sha256').update(readFileSync(input)).digest('hex'),
      bytes: readFileSync(input).length,
    });
  });

  it('reads a CSV with the enrich-style options', async () => {
    const csv = join(dir, 'flows.csv');
    writeFileSync(
      csv,
      'when;who\n2024-01-01T00:00:00Z;1.0.16.1\n2024-01-01T00:00:09Z;1.0.0.1\n',
    );
    const { code, out } = await report([
      csv,
      '--data',
      FIXTURES,
      '--format-in',
      'csv',
      '--delimiter',
      ';',
      '--columns',
      'who',
      '--time-column',
      'when',
    ]);
    expect(code).toBe(0);
    const r = JSON.parse(out);
    expect(r.manifest.columns).toEqual(['who']);
    expect(r.time).toMatchObject({ source: 'when', kind: 'utc' });
    expect(r.totals.lastSeen).toBe('2024-01-01T00:00:09Z');
  });

  it('reports on a file `rirmap enrich` wrote', async () => {
    const { enrichText } = await import('../../src/enrich/enrich-text.js');
    const { loadRegistry } =
      await import('../../src/registry/load-registry.js');
    const registry = await loadRegistry({ data: [FIXTURES] });
    const parts: Uint8Array[] = [];
    for await (const c of enrichText([LOG], { registry })) parts.push(c);
    const enriched = join(dir, 'auth.enriched.jsonl');
    writeFileSync(enriched, Buffer.concat(parts));
    const a = JSON.parse((await report(['--data', FIXTURES], LOG)).out);
    const b = JSON.parse(
      (await report([enriched, '--from-enriched', '--data', FIXTURES])).out,
    );
    expect(b.manifest.mode).toBe('enriched');
    expect(b.registries).toEqual(a.registries);
    expect(b.totals).toEqual(a.totals);
  });

  it('usage errors', async () => {
    await expect(
      report(['--data', FIXTURES, '--format', 'pdf']),
    ).rejects.toThrow(CliUsageError);
    await expect(
      report(['--data', FIXTURES, '--format-in', 'xml']),
    ).rejects.toThrow(/--format-in/);
    await expect(report(['--data', FIXTURES, '--year', '24'])).rejects.toThrow(
      /--year/,
    );
    await expect(report(['a', 'b', '--data', FIXTURES])).rejects.toThrow(
      /unexpected argument/,
    );
    await expect(
      report([join(dir, 'nope.log'), '--data', FIXTURES]),
    ).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
    await expect(
      report([
        '--data',
        FIXTURES,
        '--rdap',
        'always',
        '--from-enriched',
        '--contact',
        'a@b.c',
      ]),
    ).rejects.toThrow(/--from-enriched/);
    expect(existsSync(join(dir, 'nope.log'))).toBe(false);
  });

  it('--help lists the options', () => {
    const names = reportCommand.options.map((o) => o.name);
    for (const n of [
      'format',
      'out',
      'from-enriched',
      'format-in',
      'columns',
      'time-column',
      'data',
      'rdap',
    ])
      expect(names).toContain(n);
    expect(shared('')).toBeTruthy();
  });
});
