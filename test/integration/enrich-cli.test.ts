import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrichCommand } from '../../src/cli/commands/enrich.js';
import {
  CliUsageError,
  parseCommandArgs,
  type CliIo,
} from '../../src/cli/command.js';
import { FIXTURE_REGISTRY_DIR } from '../unit/enrich-helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rirmap-enrich-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function makeIo(
  stdin = '',
  tty = false,
): CliIo & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: tty, columns: 80 });
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  stdout.on('data', (c: Buffer) => o.push(c));
  stderr.on('data', (c: Buffer) => e.push(c));
  const input = new PassThrough();
  input.end(stdin);
  return {
    stdin: input,
    stdout,
    stderr,
    env: {},
    cwd: dir,
    out: () => Buffer.concat(o).toString(),
    err: () => Buffer.concat(e).toString(),
  };
}

async function cli(argv: string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs(enrichCommand, [
    '--data',
    FIXTURE_REGISTRY_DIR,
    '--threads',
    '1',
    ...argv,
  ]);
  return enrichCommand.run(args, io, new AbortController().signal);
}

describe('rirmap enrich', () => {
  it('stdin to stdout, summary on stderr', async () => {
    const io = makeIo('ip,n\n1.1.1.1,1\n10.0.0.1,2\n');
    expect(await cli(['--fields', 'rir,country'], io)).toBe(0);
    expect(io.out()).toBe(
      'ip,n,ip_rir,ip_country,ip_error\n1.1.1.1,1,apnic,AU,\n10.0.0.1,2,,,\n',
    );
    expect(io.err()).toMatch(/rirmap enrich: 2 rows \(csv\)/);
    expect(io.err()).toMatch(
      /addresses 2: found 1 \(50\.0%\), not found 0 \(0\.0%\), special 1 \(50\.0%\)/,
    );
    expect(io.err()).toMatch(/by registry: apnic 1/);
    expect(io.err()).toMatch(/top countries: AU 1/);
  });

  it('file to file (relative paths), --summary JSON, --quiet', async () => {
    await writeFile(join(dir, 'in.log'), 'from 5.6.7.8 port 22\nnothing\n');
    const io = makeIo();
    expect(
      await cli(
        [
          'in.log',
          '-o',
          'out.jsonl',
          '--summary',
          'sum.json',
          '--quiet',
          '--annotate',
          'inline',
        ],
        io,
      ),
    ).toBe(0);
    expect(await readFile(join(dir, 'out.jsonl'), 'utf8')).toBe(
      'from 5.6.7.8 [rir=ripencc cc=NL date=2012-01-01 status=allocated] port 22\nnothing\n',
    );
    expect(io.err()).toBe('');
    const summary = JSON.parse(await readFile(join(dir, 'sum.json'), 'utf8'));
    expect(summary).toMatchObject({
      format: 'log',
      rows: 2,
      found: 1,
      byRir: { ripencc: 1 },
      byCountry: { NL: 1 },
    });
  });

  it('--strict stops with an error', async () => {
    const io = makeIo('ip\n1.1.1.1\nnope\n');
    await expect(
      cli(['--strict', '--format', 'csv', '--columns', 'ip'], io),
    ).rejects.toMatchObject({
      code: 'ENRICH_ROW',
    });
  });

  it('a progress bar only on a terminal', async () => {
    await writeFile(join(dir, 'p.csv'), `ip\n${'1.1.1.1\n'.repeat(100)}`);
    const tty = makeIo('', true);
    expect(await cli(['p.csv', '-o', 'p.out.csv'], tty)).toBe(0);
    expect(tty.err()).toMatch(/rows/);
  });

  it.each([
    [['--format', 'xml'], /--format must be one of/],
    [['--header', '--no-header'], /contradict/],
    [['--fields', 'rir,nope'], /unknown field "nope"/],
    [['--fields', 'rdap.name'], /--rdap/],
    [['--threads', '0'], /--threads must be an integer from 1/],
    [['a', 'b'], /at most one INPUT/],
    [['--columns', 'a,,b'], /empty name/],
  ])('usage error: %o', async (argv, message) => {
    const err = await cli(argv, makeIo('ip\n1.1.1.1\n')).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CliUsageError);
    expect((err as Error).message).toMatch(message);
  });

  it('--delimiter tab and --no-header', async () => {
    const io = makeIo('1.1.1.1\tx\n');
    expect(
      await cli(
        ['--delimiter', 'tab', '--no-header', '--fields', 'rir', '-q'],
        io,
      ),
    ).toBe(0);
    expect(io.out()).toBe('1.1.1.1\tx\tapnic\t\n');
  });
});
