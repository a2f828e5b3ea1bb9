import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import {
  CliUsageError,
  parseCommandArgs,
  type CliIo,
} from '../../src/cli/command.js';
import { updateCommand } from '../../src/cli/commands/update.js';
import { SourceError } from '../../src/errors.js';
import {
  FOLDERS,
  startRirServer,
  type RirServer,
} from '../helpers/rir-server.js';

let server: RirServer;
let root: string;

beforeAll(async () => {
  server = await startRirServer();
  root = await mkdtemp(join(tmpdir(), 'rirmap-update-cli-'));
});

afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString() };
}

async function cli(argv: string[], env: Record<string, string> = {}) {
  const out = capture();
  const err = capture();
  const io: CliIo = {
    stdin: new PassThrough(),
    stdout: out.stream,
    stderr: err.stream,
    env,
    cwd: root,
  };
  const code = await updateCommand.run(
    parseCommandArgs(updateCommand, argv),
    io,
    new AbortController().signal,
  );
  return { code, stdout: out.text(), stderr: err.text() };
}

const bases = () =>
  (['afrinic', 'ripencc'] as const).flatMap((r) => [
    '--base-url',
    `${r}=${server.baseUrls[r]}`,
  ]);

describe('rirmap update (command)', { timeout: 60_000 }, () => {
  it('updates into a relative --dir and prints one line per registry', async () => {
    const r = await cli([
      '--dir',
      'data',
      '--rir',
      'afrinic,ripencc',
      ...bases(),
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'afrinic: updated delegated-afrinic-extended-20260505.gz (19286 records, end date 2026-05-05)\n' +
        'ripencc: updated delegated-ripencc-20140520.gz (85536 records, end date 2014-05-20)\n',
    );
    expect(r.stderr).toBe('');
    expect(
      (await readdir(join(root, 'data')))
        .filter((n) => n.startsWith('delegated-'))
        .sort(),
    ).toEqual([
      'delegated-afrinic-extended-20260505.gz',
      'delegated-ripencc-20140520.gz',
    ]);
  });

  it('--json, unchanged, exit 0', async () => {
    const r = await cli([
      '--dir',
      join(root, 'data'),
      '--rir',
      'afrinic',
      '--rir',
      'ripencc',
      ...bases(),
      '--json',
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as {
      unchanged: number;
      results: { status: string }[];
    };
    expect(j.unchanged).toBe(2);
    expect(j.results.map((x) => x.status)).toEqual(['unchanged', 'unchanged']);
  });

  it('uses $RIRMAP_DATA without --dir; all failed gives exit 3 and a line on stderr', async () => {
    server.queue(`${FOLDERS.afrinic}delegated-afrinic-extended-latest`, {
      kind: 'status',
      status: 404,
    });
    const env = { RIRMAP_DATA: join(root, 'env-data') };
    const r = await cli(
      ['--rir', 'afrinic', '--base-url', `afrinic=${server.baseUrls.afrinic}`],
      env,
    );
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^rirmap update: afrinic: failed after 1 attempt: GET .* HTTP 404; no previous file\n$/,
    );
  });

  it('some failed: exit 1, and --json carries the error code', async () => {
    server.queue(`${FOLDERS.afrinic}delegated-afrinic-extended-latest.md5`, {
      kind: 'status',
      status: 404,
    });
    const r = await cli([
      '--dir',
      join(root, 'mixed'),
      '--rir',
      'afrinic,ripencc',
      '--attempts',
      '1',
      ...bases(),
      '--json',
    ]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as {
      results: { rir: string; status: string; error?: { code: string } }[];
    };
    expect(j.results.map((x) => [x.rir, x.status, x.error?.code])).toEqual([
      ['afrinic', 'failed', 'SOURCE_CHECKSUM_MISMATCH'],
      ['ripencc', 'updated', undefined],
    ]);
  });

  it('usage errors', async () => {
    await expect(cli(['--rir', 'nro'])).rejects.toBeInstanceOf(CliUsageError);
    await expect(cli(['--date', '23-03-2023'])).rejects.toBeInstanceOf(
      CliUsageError,
    );
    await expect(cli(['--base-url', 'apnic'])).rejects.toBeInstanceOf(
      CliUsageError,
    );
    await expect(cli(['--mirror', 'not a url', '--dir', root])).rejects.toThrow(
      /--mirror/,
    );
    await expect(cli(['--timeout', '0'])).rejects.toBeInstanceOf(CliUsageError);
    await expect(cli(['extra'])).rejects.toBeInstanceOf(CliUsageError);
  });

  it('refuses when --offline is set', async () => {
    const io: CliIo = {
      stdin: new PassThrough(),
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      env: {},
      cwd: root,
    };
    const args = {
      values: { offline: true, dir: join(root, 'off') },
      positionals: [],
    };
    await expect(
      updateCommand.run(args, io, new AbortController().signal),
    ).rejects.toSatisfy(
      (e) => e instanceof SourceError && e.code === 'SOURCE_OFFLINE',
    );
  });
});
