import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import {
  CliUsageError,
  parseCommandArgs,
  type CliIo,
} from '../../src/cli/command.js';
import { historyCommand } from '../../src/cli/commands/history.js';

const rir = (name: string) =>
  fileURLToPath(new URL(`../../../shared/data/rir/${name}`, import.meta.url));

async function cli(argv: string[]) {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const io: CliIo = {
    stdin: new PassThrough(),
    stdout,
    stderr,
    env: {},
    cwd: '/',
  };
  const code = await historyCommand.run(
    parseCommandArgs(historyCommand, argv),
    io,
    new AbortController().signal,
  );
  return {
    code,
    stdout: Buffer.concat(out).toString(),
    stderr: Buffer.concat(err).toString(),
  };
}

describe('rirmap history (command)', { timeout: 60_000 }, () => {
  const afrinic = ['20181013', '20230323', '20260505'].flatMap((d) => [
    '--data',
    rir(`delegated-afrinic-extended-${d}.gz`),
  ]);

  it('prints periods as a table (hand-checked, see history-shared.test.ts)', async () => {
    const r = await cli(['102.202.140.1', ...afrinic]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('History of 102.202.140.1 (ipv4) over 3 files:');
    expect(lines.slice(2).map((l) => l.split(/\s+/).slice(0, 8))).toEqual([
      [
        '2018-10-13',
        '2018-10-13',
        'afrinic',
        '-',
        'available',
        '-',
        '-',
        '102.192.0.0/11',
      ],
      [
        '2023-03-23',
        '2023-03-23',
        'afrinic',
        '-',
        'available',
        '-',
        '-',
        '102.192.0.0/12',
      ],
      [
        '2026-05-05',
        '2026-05-05',
        'afrinic',
        'MU',
        'allocated',
        'F36F33A1',
        '2026-05-04',
        '102.202.140.0/22',
      ],
    ]);
  });

  it('--json: one object per query', async () => {
    const r = await cli(['AS37100', '41.62.0.1', ...afrinic, '--json']);
    const [a, b] = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { query: string; periods: unknown[] });
    expect(a?.query).toBe('AS37100');
    expect(a?.periods).toHaveLength(1); // MU F365C741 in all three files
    expect(b?.query).toBe('41.62.0.1');
    expect(b?.periods).toHaveLength(2); // available in 2018, TN allocated from 2023
  });

  it('warns about files left out', async () => {
    const r = await cli([
      '200.1.1.1',
      '--data',
      rir('delegated-lacnic-20190910.gz'),
      '--data',
      rir('delegated-lacnic-extended-20210405.gz'),
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^rirmap history: warning: file left out: .*delegated-lacnic-20190910\.gz/,
    );
  });

  it('needs a query', async () => {
    await expect(cli(['--data', rir('')])).rejects.toBeInstanceOf(
      CliUsageError,
    );
  });
});
