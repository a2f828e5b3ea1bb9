/**
 * The CLI dispatcher. `run(argv, io)` takes its inputs, so tests call it
 * in-process; `bin.ts` only wires the real process to it.
 */

import { isRegistryError } from '../errors.js';
import {
  CliUsageError,
  formatCommandHelp,
  parseCommandArgs,
  type CliIo,
  type CommandSpec,
} from './command.js';
import { infoCommand } from './commands/info.js';
import { lookupCommand } from './commands/lookup.js';
import { buildCommand } from './commands/build.js';
import { exportCommand } from './commands/export.js';
import { enrichCommand } from './commands/enrich.js';
import { reportCommand } from './commands/report.js';
import { historyCommand } from './commands/history.js';
import { updateCommand } from './commands/update.js';
import { VERSION } from './version.js';

export { VERSION };

/** Every command, in help order. */
export const COMMANDS: readonly CommandSpec[] = [
  lookupCommand,
  enrichCommand,
  reportCommand,
  infoCommand,
  updateCommand,
  historyCommand,
  buildCommand,
  exportCommand,
];

function generalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    `rirmap ${VERSION}: bulk IP-to-registry enrichment from the RIRs' delegated statistics`,
    '',
    'Usage: rirmap <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Run `rirmap <command> --help` for the options of a command.',
    'Options everywhere: --help, --version, --debug.',
    '',
  ].join('\n');
}

/**
 * Runs the CLI.
 * @returns the exit code (the caller sets process.exitCode).
 */
export async function run(
  argv: readonly string[],
  io: CliIo,
  signal: AbortSignal = new AbortController().signal,
): Promise<number> {
  const [name, ...rest] = argv;
  if (
    name === undefined ||
    name === '--help' ||
    name === '-h' ||
    name === 'help'
  ) {
    io[name === undefined ? 'stderr' : 'stdout'].write(generalHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    io.stderr.write(
      `rirmap: unknown command ${JSON.stringify(name)}\n\n${generalHelp()}`,
    );
    return 2;
  }
  const debug = rest.includes('--debug');
  try {
    if (rest.includes('--version')) {
      io.stdout.write(`${VERSION}\n`);
      return 0;
    }
    const args = parseCommandArgs(command, rest);
    if (args.values['help'] === true) {
      io.stdout.write(formatCommandHelp(command));
      return 0;
    }
    return await command.run(args, io, signal);
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.stderr.write(
        `rirmap ${command.name}: ${error.message}\nUsage: rirmap ${command.name} ${command.usage}\n` +
          `Run \`rirmap ${command.name} --help\` for details.\n`,
      );
      return 2;
    }
    if (
      isRegistryError(error) ||
      (error as { name?: string }).name === 'AbortError'
    ) {
      io.stderr.write(`rirmap ${command.name}: ${(error as Error).message}\n`);
      if (debug) io.stderr.write(`${(error as Error).stack ?? ''}\n`);
      return (error as { name?: string }).name === 'AbortError' ? 130 : 1;
    }
    io.stderr.write(
      `rirmap ${command.name}: unexpected error\n${(error as Error)?.stack ?? String(error)}\n`,
    );
    return 1;
  }
}
