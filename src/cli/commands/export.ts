/** `rirmap export`: the registry as an MMDB file or a CSV / JSON Lines range table. */

import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { parseFieldList } from '../../export/export-fields.js';
import { writeMmdb } from '../../export/write-mmdb.js';
import { writeRanges } from '../../export/write-ranges.js';
import type { Registry } from '../../types.js';
import {
  CliUsageError,
  DATA_OPTIONS,
  flagOption,
  stringListOption,
  stringOption,
  type CliIo,
  type CommandSpec,
  type ParsedCommandArgs,
} from '../command.js';
import { loadCliRegistry } from '../load-data.js';

type ExportFormat = 'mmdb' | 'csv' | 'jsonl';

const FORMATS: readonly ExportFormat[] = ['mmdb', 'csv', 'jsonl'];

/** The format named by `--format`, else by the output file's extension. */
function chooseFormat(args: ParsedCommandArgs, out: string): ExportFormat {
  const given = stringOption(args, 'format');
  if (given !== undefined) {
    if (!(FORMATS as readonly string[]).includes(given))
      throw new CliUsageError(
        `--format must be mmdb, csv or jsonl, got ${JSON.stringify(given)}`,
      );
    return given as ExportFormat;
  }
  const ext = /\.([a-z]+)$/i.exec(out)?.[1]?.toLowerCase();
  if (ext === 'mmdb' || ext === 'csv' || ext === 'jsonl') return ext;
  if (ext === 'ndjson') return 'jsonl';
  throw new CliUsageError(
    '--format is required (mmdb, csv or jsonl) when --out does not end in one',
  );
}

/** A Unix-seconds build time from SOURCE_DATE_EPOCH (reproducible builds), else undefined. */
function sourceDateEpoch(io: CliIo): number | undefined {
  const v = io.env['SOURCE_DATE_EPOCH'];
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v)))
    throw new CliUsageError(
      `SOURCE_DATE_EPOCH must be Unix seconds, got ${JSON.stringify(v)}`,
    );
  return Number(v);
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

async function writeTo(
  out: string,
  io: CliIo,
  write: (stream: NodeJS.WritableStream) => Promise<void>,
): Promise<void> {
  if (out === '-') {
    await write(io.stdout);
    return;
  }
  // Write beside the target, then rename: a reader watching FILE never sees half a file.
  const tmp = `${out}.tmp-${process.pid}`;
  const stream = createWriteStream(tmp);
  const closed = new Promise<void>((resolve, reject) => {
    stream.once('close', resolve);
    stream.once('error', reject);
  });
  closed.catch(() => {}); // awaited below; a failure surfaces through the writes too
  try {
    await write(stream);
    stream.end();
    await closed;
    await rename(tmp, out);
  } catch (error) {
    stream.destroy();
    await closed.catch(() => {});
    await unlink(tmp).catch(() => {});
    throw error;
  }
}

async function runExport(
  registry: Registry,
  args: ParsedCommandArgs,
  io: CliIo,
  signal: AbortSignal,
  format: ExportFormat,
  out: string,
): Promise<string> {
  const fieldsText = stringListOption(args, 'fields').join(',');
  const fields =
    fieldsText === '' ? undefined : parseFieldList(fieldsText, '--fields');
  const ipv4Only = flagOption(args, 'ipv4-only');
  if (format === 'mmdb') {
    const databaseType = stringOption(args, 'database-type');
    const buildEpoch = sourceDateEpoch(io);
    let summary = '';
    await writeTo(out, io, async (stream) => {
      const s = await writeMmdb(registry, stream, {
        ipv4Only,
        signal,
        ...(fields !== undefined ? { fields } : {}),
        ...(databaseType !== undefined ? { databaseType } : {}),
        ...(buildEpoch !== undefined ? { buildEpoch } : {}),
      });
      summary =
        `${s.ranges} ranges as ${s.prefixes} prefixes, ${s.nodeCount} nodes ` +
        `(${s.recordSize}-bit records, IPv${s.ipVersion}), ${formatBytes(s.bytes)}`;
    });
    return summary;
  }
  let summary = '';
  await writeTo(out, io, async (stream) => {
    const s = await writeRanges(registry, stream, {
      format,
      cidr: flagOption(args, 'cidr'),
      ipv4Only,
      header: !flagOption(args, 'no-header'),
      signal,
      ...(fields !== undefined ? { fields } : {}),
    });
    summary = `${s.rows} rows from ${s.ranges} ranges, ${formatBytes(s.bytes)}`;
  });
  return summary;
}

/** The `export` command. */
export const exportCommand: CommandSpec = {
  name: 'export',
  summary:
    'Write the registry as an MMDB file (GeoIP tools) or a CSV / JSON Lines range table',
  usage:
    '--out FILE [--format mmdb|csv|jsonl] [--cidr] [--fields LIST] [--ipv4-only] [--data PATH]...',
  options: [
    {
      name: 'out',
      short: 'o',
      type: 'string',
      arg: 'FILE',
      description:
        'Output file (written to FILE.tmp-PID, then renamed); - for standard output',
    },
    {
      name: 'format',
      short: 'f',
      type: 'string',
      arg: 'FORMAT',
      description: 'mmdb, csv or jsonl',
      default: 'from the --out extension',
    },
    {
      name: 'fields',
      type: 'string',
      multiple: true,
      arg: 'LIST',
      description:
        'Comma-separated record fields: rir,country,date,status,holder,range,source',
      default: 'all for mmdb; all but range for csv/jsonl',
    },
    {
      name: 'ipv4-only',
      type: 'boolean',
      description: 'Leave IPv6 out (mmdb: an ip_version 4 database)',
    },
    {
      name: 'cidr',
      type: 'boolean',
      description:
        'csv/jsonl: one row per CIDR instead of one per range (ClickHouse ip_trie)',
    },
    {
      name: 'no-header',
      type: 'boolean',
      description: 'csv: no header line',
    },
    {
      name: 'database-type',
      type: 'string',
      arg: 'TYPE',
      description: 'mmdb: metadata database_type',
      default: 'rirmap-Registry-Country',
    },
    ...DATA_OPTIONS,
  ],
  help: `Every export answers what \`rirmap lookup\` answers: special-purpose blocks are
left out, and where a more specific block overrides part of a larger one, the larger one
is split. The country is the registered country, not a geolocation.

MMDB records hold rir, country.iso_code (also registered_country.iso_code and
country_code), date, status, holder, range and source {file, serial}; unknown fields
are absent. IPv4 lives at ::/96 and ::ffff:0:0/96 of the IPv6 tree. build_epoch is
$SOURCE_DATE_EPOCH when set (identical files from identical data), else now.

CSV columns: start,end,cidr,rir,country,date,status,holder,source (cidr lists the
range's CIDRs separated by spaces; with --cidr each row is one CIDR).

Exit codes: 0 written; 1 data could not be loaded or the file not written; 2 usage error.`,
  async run(args, io, signal) {
    const out = stringOption(args, 'out');
    if (out === undefined || out === '')
      throw new CliUsageError('--out FILE is required (- for standard output)');
    if (args.positionals.length > 0)
      throw new CliUsageError(
        `unexpected argument ${JSON.stringify(args.positionals[0])}`,
      );
    const format = chooseFormat(args, out);
    if (format === 'mmdb') {
      if (flagOption(args, 'cidr'))
        throw new CliUsageError('--cidr applies to csv and jsonl only');
      if (flagOption(args, 'no-header'))
        throw new CliUsageError('--no-header applies to csv only');
      if (out === '-' && io.stdout.isTTY === true)
        throw new CliUsageError(
          'refusing to write a binary MMDB to a terminal; use --out FILE',
        );
    } else if (stringOption(args, 'database-type') !== undefined) {
      throw new CliUsageError('--database-type applies to mmdb only');
    }
    // Check --fields before loading data.
    const fieldsText = stringListOption(args, 'fields').join(',');
    if (fieldsText !== '') {
      try {
        parseFieldList(fieldsText, '--fields');
      } catch (error) {
        throw new CliUsageError((error as Error).message.replaceAll('`', ''));
      }
    }
    sourceDateEpoch(io);
    const started = performance.now();
    const registry = await loadCliRegistry(args, io);
    const summary = await runExport(registry, args, io, signal, format, out);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    io.stderr.write(
      `rirmap export: wrote ${format} to ${out === '-' ? 'standard output' : out}: ${summary} in ${seconds} s\n`,
    );
    return 0;
  },
};
