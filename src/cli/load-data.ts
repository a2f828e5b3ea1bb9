/**
 * How CLI commands find and load registry data: `--data` paths, else
 * `$RIRMAP_DATA`, else the user's cache directory.
 */

import { existsSync, readdirSync } from 'node:fs';
import { loadRegistry } from '../registry/load-registry.js';
import { defaultDataDir } from '../sources/data-dir.js';
import { SourceError } from '../errors.js';
import type { LoadRegistryOptions, LoadWarning, Registry } from '../types.js';
import {
  CliUsageError,
  flagOption,
  stringListOption,
  stringOption,
  type CliIo,
  type ParsedCommandArgs,
} from './command.js';

/** The data paths a command will use, and where they came from. */
export function resolveDataPaths(
  args: ParsedCommandArgs,
  io: CliIo,
): { paths: string[]; origin: 'option' | 'env' | 'default' } {
  const given = stringListOption(args, 'data');
  if (given.length > 0) return { paths: given, origin: 'option' };
  const env = io.env['RIRMAP_DATA'];
  if (env !== undefined && env !== '') return { paths: [env], origin: 'env' };
  return { paths: [defaultDataDir(io.env)], origin: 'default' };
}

/** Builds loadRegistry options from the common data flags. */
export function registryOptionsFromArgs(
  args: ParsedCommandArgs,
  io: CliIo,
  onWarning?: (w: LoadWarning) => void,
): LoadRegistryOptions {
  const { paths, origin } = resolveDataPaths(args, io);
  const asOf = stringOption(args, 'as-of');
  if (asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(asOf))
    throw new CliUsageError(
      `--as-of must be a date written yyyy-mm-dd, got ${JSON.stringify(asOf)}`,
    );
  if (origin !== 'option') {
    const dir = paths[0]!;
    let empty = !existsSync(dir);
    if (!empty) {
      try {
        empty =
          readdirSync(dir).filter(
            (f) => f.startsWith('delegated-') || f.endsWith('.rirmap'),
          ).length === 0;
      } catch {
        empty = false; // a file: let the loader say what it is
      }
    }
    if (empty)
      throw new SourceError(
        'SOURCE_NO_DATA',
        `no registry data in ${dir}${origin === 'env' ? ' ($RIRMAP_DATA)' : ''}. ` +
          "Run `rirmap update` to download the five registries' delegated-stats files there, " +
          'or pass --data PATH (a file, a directory or a compiled snapshot).',
        dir,
      );
  }
  const options: {
    data: string[];
    lenient: boolean;
    asOf?: string;
    onWarning?: (w: LoadWarning) => void;
  } = { data: paths, lenient: flagOption(args, 'lenient') };
  if (asOf !== undefined) options.asOf = asOf;
  if (onWarning !== undefined) options.onWarning = onWarning;
  return options;
}

/** Loads the registry for a command; lenient warnings are summarised on stderr. */
export async function loadCliRegistry(
  args: ParsedCommandArgs,
  io: CliIo,
): Promise<Registry> {
  const registry = await loadRegistry(registryOptionsFromArgs(args, io));
  const skipped = registry.sources.reduce((s, x) => s + x.warnings, 0);
  if (skipped > 0) {
    const first = registry.warnings()[0];
    io.stderr.write(
      `rirmap: warning: --lenient skipped ${skipped} problem(s) while loading` +
        (first !== undefined ? `; first: ${first.message}` : '') +
        ' (see `rirmap info --lenient`)\n',
    );
  }
  return registry;
}
