/** `rirmap build`: compile the loaded data into one snapshot file. */

import { writeSnapshotFile } from '../../snapshot/snapshot-file.js';
import {
  CliUsageError,
  DATA_OPTIONS,
  stringOption,
  type CommandSpec,
} from '../command.js';
import { loadCliRegistry } from '../load-data.js';
import { VERSION } from '../version.js';

export const buildCommand: CommandSpec = {
  name: 'build',
  summary:
    'Compile delegated-stats files into a snapshot that loads in milliseconds',
  usage: '[--data PATH]... --out FILE',
  options: [
    ...DATA_OPTIONS,
    {
      name: 'out',
      short: 'o',
      type: 'string',
      arg: 'FILE',
      description: 'Snapshot file to write',
    },
  ],
  help: `The snapshot holds the record columns, tries, holder index, conflicts and provenance of
the loaded files, with a format version and a CRC-32 checksum. Use it with --data FILE
(or loadRegistry({ snapshot: FILE })). It is written to a temporary name and renamed.`,
  async run(args, io) {
    const out = stringOption(args, 'out');
    if (out === undefined) throw new CliUsageError('--out FILE is required');
    if (args.positionals.length > 0)
      throw new CliUsageError(
        `unexpected argument ${JSON.stringify(args.positionals[0])}`,
      );
    const registry = await loadCliRegistry(args, io);
    const bytes = await writeSnapshotFile(registry, out, VERSION);
    io.stderr.write(
      `rirmap build: wrote ${out} (${(bytes / 2 ** 20).toFixed(1)} MiB): ${registry.size} records from ${registry.sources.length} file(s)\n`,
    );
    return 0;
  },
};
