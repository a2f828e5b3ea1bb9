/** `rirmap report`: the jurisdiction report of an input, as JSON, Markdown or HTML. */

import { createReadStream } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, extname, isAbsolute, resolve } from 'node:path';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { SourceError, isRegistryError } from '../../errors.js';
import type { EnrichFormat } from '../../formats/format-plan.js';
import { StreamTally } from '../../provenance/manifest.js';
import {
  RDAP_OPTIONS,
  rdapOptionsFromCli,
} from '../../rdap/rdap-cli-options.js';
import { openRdapResolver } from '../../rdap/rdap-resolver.js';
import {
  buildReport,
  type BuildReportOptions,
} from '../../report/build-report.js';
import { formatReportHtml } from '../../report/format-report-html.js';
import { formatReportJson } from '../../report/format-report-json.js';
import { formatReportMarkdown } from '../../report/format-report-markdown.js';
import type { Report, ReportLimits } from '../../report/report-types.js';
import type { Registry } from '../../types.js';
import {
  CliUsageError,
  DATA_OPTIONS,
  flagOption,
  intOption,
  isOffline,
  stringListOption,
  stringOption,
  type CliIo,
  type CommandSpec,
  type ParsedCommandArgs,
} from '../command.js';
import { loadCliRegistry } from '../load-data.js';

/** Output formats and their renderers. */
const RENDERERS: Readonly<
  Record<'json' | 'md' | 'html', (r: Report) => string>
> = {
  json: formatReportJson,
  md: formatReportMarkdown,
  html: formatReportHtml,
};

const EXTENSIONS: Readonly<Record<string, 'json' | 'md' | 'html'>> = {
  '.json': 'json',
  '.md': 'md',
  '.markdown': 'md',
  '.html': 'html',
  '.htm': 'html',
};

const INPUT_FORMATS = ['auto', 'csv', 'tsv', 'log', 'jsonl', 'zeek'];

function outputFormat(
  args: ParsedCommandArgs,
  out: string | undefined,
): 'json' | 'md' | 'html' {
  const given = stringOption(args, 'format');
  if (given !== undefined) {
    const f = given === 'markdown' ? 'md' : given;
    if (f !== 'json' && f !== 'md' && f !== 'html')
      throw new CliUsageError(
        `--format must be json, md or html, got ${JSON.stringify(given)}`,
      );
    return f;
  }
  return (
    (out !== undefined ? EXTENSIONS[extname(out).toLowerCase()] : undefined) ??
    'json'
  );
}

/** Input bytes: a file or standard input, gunzipped when gzip; the tally sees the bytes as stored. */
async function* inputBytes(
  path: string | null,
  io: CliIo,
  tally: StreamTally,
): AsyncGenerator<Uint8Array> {
  const source: AsyncIterable<Buffer | string> =
    path === null
      ? (io.stdin as AsyncIterable<Buffer>)
      : createReadStream(path);
  const it = source[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done === true) return;
  const head = Buffer.from(first.value);
  async function* raw(): AsyncGenerator<Buffer> {
    tally.update(head);
    yield head;
    for (;;) {
      const r = await it.next();
      if (r.done === true) return;
      const b = Buffer.from(r.value);
      tally.update(b);
      yield b;
    }
  }
  if (head[0] !== 0x1f || head[1] !== 0x8b) {
    yield* raw();
    return;
  }
  const gunzip = createGunzip();
  // Errors (a damaged .gz) destroy `gunzip`, so iterating it throws them.
  pipeline(Readable.from(raw()), gunzip, () => undefined);
  for await (const chunk of gunzip as AsyncIterable<Buffer>) yield chunk;
}

function limitsFromArgs(args: ParsedCommandArgs): Partial<ReportLimits> {
  const limits: { -readonly [K in keyof ReportLimits]?: number } = {};
  const perGroup = intOption(args, 'max-addresses-per-group', 1, 1e7);
  const all = intOption(args, 'max-addresses', 1, 1e8);
  const top = intOption(args, 'top-addresses', 0, 1000);
  if (perGroup !== undefined) limits.maxAddressesPerGroup = perGroup;
  if (all !== undefined) limits.maxAddresses = all;
  if (top !== undefined) limits.topAddresses = top;
  return limits;
}

/** Loads data for `--from-enriched`: optional unless `--data` is given. */
async function optionalRegistry(
  args: ParsedCommandArgs,
  io: CliIo,
): Promise<Registry | null> {
  try {
    return await loadCliRegistry(args, io);
  } catch (error) {
    if (
      isRegistryError(error) &&
      error.code === 'SOURCE_NO_DATA' &&
      stringListOption(args, 'data').length === 0
    ) {
      io.stderr.write(
        'rirmap report: no registry data found; holders and blocks come only from the enriched fields\n',
      );
      return null;
    }
    throw error;
  }
}

export const reportCommand: CommandSpec = {
  name: 'report',
  summary:
    'Jurisdiction report of a log or table: addresses per registry, country, holder and block, with whom to ask (JSON, Markdown, HTML)',
  usage:
    '[INPUT] [--format json|md|html] [--out FILE] [--from-enriched] [--data PATH]...',
  options: [
    {
      name: 'format',
      short: 'f',
      type: 'string',
      arg: 'FORMAT',
      description:
        'Report format: json, md or html (default: from the --out extension, else json)',
    },
    {
      name: 'out',
      short: 'o',
      type: 'string',
      arg: 'FILE',
      description:
        'Write the report to FILE (temporary name, renamed on success). Default: standard output',
    },
    {
      name: 'from-enriched',
      type: 'boolean',
      description:
        'INPUT is a file `rirmap enrich` wrote: read its added columns or objects instead of looking addresses up',
    },
    {
      name: 'format-in',
      type: 'string',
      arg: 'FORMAT',
      description:
        'Input format: auto, csv, tsv, log, jsonl or zeek (as `rirmap enrich --format`)',
      default: 'auto',
    },
    {
      name: 'columns',
      type: 'string',
      arg: 'LIST',
      description:
        'Address columns or JSON keys, comma-separated names or 1-based numbers (default: detected)',
    },
    {
      name: 'header',
      type: 'boolean',
      description: 'CSV: the first row is a header (default: detected)',
    },
    {
      name: 'no-header',
      type: 'boolean',
      description: 'CSV: the first row is data',
    },
    {
      name: 'delimiter',
      type: 'string',
      arg: 'CHAR',
      description:
        'CSV: field delimiter (`tab` or `\\t` for a tab; default: detected)',
    },
    {
      name: 'quote',
      type: 'string',
      arg: 'CHAR',
      description: 'CSV: quote character (default ")',
    },
    {
      name: 'time-column',
      type: 'string',
      arg: 'NAME',
      description:
        'Column or JSON key with the time of a row, or "none" (default: timestamp, ts, time…; logs: the line\'s time)',
    },
    {
      name: 'year',
      type: 'string',
      arg: 'YYYY',
      description:
        'Year of syslog times, which have none (default: times are written without a year)',
    },
    {
      name: 'max-addresses-per-group',
      type: 'string',
      arg: 'N',
      description:
        'Distinct addresses counted exactly per block (past it: "at least")',
      default: '1000',
    },
    {
      name: 'max-addresses',
      type: 'string',
      arg: 'N',
      description: 'Distinct addresses counted exactly over the whole report',
      default: '200000',
    },
    {
      name: 'top-addresses',
      type: 'string',
      arg: 'N',
      description: 'Addresses listed per block, most seen first',
      default: '5',
    },
    ...DATA_OPTIONS,
    ...RDAP_OPTIONS,
  ],
  help: `INPUT is a file (a .gz file is read through gunzip) or standard input when absent or "-".
Without --from-enriched, the input is read as \`rirmap enrich\` reads it (same format detection,
columns and address extraction) and every address is looked up in the loaded data. With
--from-enriched, INPUT is the output of \`rirmap enrich\` (any format, any --fields); holder and
block come from its holder/range fields, else from the loaded data when available.

Groups: registry, then registered country, then holder (opaque id), then delegated block; plus
special-purpose, not-found and invalid sections, links to each registry's RDAP and whois pages, and
the run manifest (data files with sha256, input sha256, rirmap version). The same input and data
give the same bytes. The country is the registrant's country in the registry, not a location.

--rdap fallback asks RDAP about the addresses not found; --rdap always also about the most seen
address of every block (names, organisations, abuse contacts).

Exit codes: 0 report written; 1 input or data could not be read; 2 usage error.`,
  async run(args, io, signal) {
    if (args.positionals.length > 1)
      throw new CliUsageError(
        `unexpected argument ${JSON.stringify(args.positionals[1])}`,
      );
    const inputArg = args.positionals[0];
    const inputPath =
      inputArg === undefined || inputArg === '-'
        ? null
        : isAbsolute(inputArg)
          ? inputArg
          : resolve(io.cwd, inputArg);
    const outArg = stringOption(args, 'out');
    const out =
      outArg === undefined
        ? undefined
        : isAbsolute(outArg)
          ? outArg
          : resolve(io.cwd, outArg);
    const render = RENDERERS[outputFormat(args, outArg)];
    const formatIn = stringOption(args, 'format-in') ?? 'auto';
    if (!INPUT_FORMATS.includes(formatIn))
      throw new CliUsageError(
        `--format-in must be one of ${INPUT_FORMATS.join(', ')}, got ${JSON.stringify(formatIn)}`,
      );
    if (flagOption(args, 'header') && flagOption(args, 'no-header'))
      throw new CliUsageError('--header and --no-header cannot be combined');
    const yearText = stringOption(args, 'year');
    if (yearText !== undefined && !/^\d{4}$/.test(yearText))
      throw new CliUsageError(
        `--year must be a year written yyyy, got ${JSON.stringify(yearText)}`,
      );
    const timeColumn = stringOption(args, 'time-column');
    const columns = stringOption(args, 'columns');
    const limits = limitsFromArgs(args);
    const fromEnriched = flagOption(args, 'from-enriched');
    const rdapSettings = rdapOptionsFromCli(args, io);
    if (rdapSettings.mode !== 'off' && isOffline(args, io.env))
      throw new SourceError(
        'SOURCE_OFFLINE',
        `--rdap ${rdapSettings.mode} needs the network, and --offline refuses every network access`,
      );
    if (rdapSettings.mode !== 'off' && fromEnriched)
      throw new CliUsageError(
        '--rdap cannot be combined with --from-enriched: RDAP fields come from the enriched file',
      );

    const registry = fromEnriched
      ? await optionalRegistry(args, io)
      : await loadCliRegistry(args, io);
    const resolver =
      rdapSettings.mode === 'off'
        ? null
        : await openRdapResolver(rdapSettings.options);
    const tally = new StreamTally();
    const options: BuildReportOptions = {
      from: fromEnriched ? 'enriched' : 'input',
      registry,
      format: formatIn as EnrichFormat | 'auto',
      ...(columns !== undefined
        ? {
            columns: columns
              .split(',')
              .map((c) => c.trim())
              .filter((c) => c !== ''),
          }
        : {}),
      ...(flagOption(args, 'header')
        ? { header: true }
        : flagOption(args, 'no-header')
          ? { header: false }
          : {}),
      ...(stringOption(args, 'delimiter') !== undefined
        ? {
            delimiter: /^(tab|\\t)$/.test(stringOption(args, 'delimiter')!)
              ? '\t'
              : stringOption(args, 'delimiter')!,
          }
        : {}),
      ...(stringOption(args, 'quote') !== undefined
        ? { quote: stringOption(args, 'quote')! }
        : {}),
      ...(timeColumn !== undefined
        ? { timeColumn: timeColumn === 'none' ? false : timeColumn }
        : {}),
      ...(yearText !== undefined ? { year: Number(yearText) } : {}),
      ...(resolver !== null
        ? {
            rdap: {
              resolver,
              mode: rdapSettings.mode as 'fallback' | 'always',
            },
          }
        : {}),
      limits,
      inputName: inputPath === null ? '-' : basename(inputPath),
      inputDigest: () => ({ sha256: tally.digest(), bytes: tally.bytes }),
      signal,
    };
    let report: Report;
    try {
      report = await buildReport(inputBytes(inputPath, io, tally), options);
    } catch (error) {
      if (
        error instanceof TypeError &&
        /^`(columns|timeColumn|delimiter|quote)`/.test(error.message)
      )
        throw new CliUsageError(
          error.message.replace(
            /`(\w+)`/,
            (_, n: string) =>
              `--${n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
          ),
        );
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new SourceError(
          'SOURCE_NOT_FOUND',
          `input not found: ${inputArg ?? ''}`,
          inputArg ?? '-',
        );
      throw error;
    } finally {
      await resolver?.close();
    }
    const text = render(report);
    if (out === undefined) {
      await new Promise<void>((res, rej) =>
        io.stdout.write(text, (e) => (e ? rej(e) : res())),
      );
    } else {
      const tmp = `${out}.tmp-${process.pid}`;
      try {
        await writeFile(tmp, text);
        await rename(tmp, out);
      } catch (error) {
        await rm(tmp, { force: true });
        throw error;
      }
      const t = report.totals;
      io.stderr.write(
        `rirmap report: wrote ${outArg}: ${t.rows} rows, ${t.addresses}${t.addressesExact ? '' : '+'} addresses ` +
          `in ${t.registries} registries, ${t.countries} countries, ${t.blocks} blocks\n`,
      );
    }
    return 0;
  },
};
