import { PassThrough, Readable } from 'node:stream';
import type { CliIo } from '../../src/cli/command.js';

/** An in-memory CliIo: feed stdin text, read what the command wrote. */
export function memoryIo(
  stdinText = '',
  env: Record<string, string | undefined> = {},
): CliIo & { out(): string; err(): string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const outChunks: Buffer[] = [];
  const errChunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => outChunks.push(c));
  stderr.on('data', (c: Buffer) => errChunks.push(c));
  return {
    stdin: Readable.from([Buffer.from(stdinText)]),
    stdout,
    stderr,
    env,
    cwd: process.cwd(),
    out: () => Buffer.concat(outChunks).toString('utf8'),
    err: () => Buffer.concat(errChunks).toString('utf8'),
  };
}
