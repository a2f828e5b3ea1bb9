/** `rirmap update`: download, check and save the registries' delegated-stats files. */

import { isAbsolute, resolve } from 'node:path';
import { defaultDataDir } from '../../sources/data-dir.js';
import { UPDATE_RIRS, type UpdateRir } from '../../sources/rir-urls.js';
import {
  updateExitCode,
  updateRegistries,
  type UpdateOptions,
  type UpdateProgress,
  type UpdateSummary,
} from '../../sources/update.js';
import {
  CliUsageError,
  flagOption,
  intOption,
  isOffline,
  stringListOption,
  stringOption,
  type CliIo,
  type CommandSpec,
} from '../command.js';

/** A one-line progress display on stderr, redrawn at most ten times a second. */
function progressLine(
  io: CliIo,
  rirs: readonly UpdateRir[],
): {
  onProgress: (e: UpdateProgress) => void;
  clear: () => void;
} {
  const state = new Map<UpdateRir, string>(rirs.map((r) => [r, 'waiting']));
  let last = 0;
  let drawn = false;
  const mb = (n: number) => (n / 1048576).toFixed(1);
  const draw = (force: boolean): void => {
    const now = Date.now();
    if (!force && now - last < 100) return;
    last = now;
    const text = [...state].map(([r, s]) => `${r} ${s}`).join(' · ');
    const width = Math.max(20, (io.stderr.columns ?? 80) - 1);
    io.stderr.write(
      `\r\x1b[K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`,
    );
    drawn = true;
  };
  return {
    onProgress(e) {
      const s =
        e.phase === 'download'
          ? e.total !== null
            ? `${Math.floor((100 * e.received) / e.total)}% of ${mb(e.total)} MB`
            : `${mb(e.received)} MB`
          : e.phase === 'retry'
            ? `retrying (attempt ${e.attempt + 1})`
            : e.phase === 'request'
              ? 'connecting'
              : e.phase === 'verify'
                ? 'checking'
                : e.phase === 'write'
                  ? 'saving'
                  : 'done';
      state.set(e.rir, s);
      draw(e.phase !== 'download');
    },
    clear() {
      if (drawn) io.stderr.write('\r\x1b[K');
    },
  };
}

function parseRirs(values: readonly string[]): UpdateRir[] {
  const out: UpdateRir[] = [];
  for (const v of values.flatMap((x) => x.split(','))) {
    const r = v.trim().toLowerCase();
    if (r === '') continue;
    if (!(UPDATE_RIRS as readonly string[]).includes(r))
      throw new CliUsageError(
        `--rir must be one of ${UPDATE_RIRS.join(', ')}, got ${JSON.stringify(v)}`,
      );
    if (!out.includes(r as UpdateRir)) out.push(r as UpdateRir);
  }
  return out;
}

function parseBaseUrls(
  values: readonly string[],
): Partial<Record<UpdateRir, string>> {
  const out: Partial<Record<UpdateRir, string>> = {};
  for (const v of values) {
    const m = /^([a-z]+)=(.+)$/i.exec(v);
    const rir = m?.[1]?.toLowerCase();
    if (
      m === null ||
      rir === undefined ||
      !(UPDATE_RIRS as readonly string[]).includes(rir)
    )
      throw new CliUsageError(
        `--base-url must be RIR=URL with RIR one of ${UPDATE_RIRS.join(', ')}, got ${JSON.stringify(v)}`,
      );
    out[rir as UpdateRir] = m[2]!;
  }
  return out;
}

/** The JSON form of a summary (errors as `{ code, message }`). */
export function updateSummaryJson(summary: UpdateSummary): unknown {
  return {
    dir: summary.dir,
    updated: summary.updated,
    unchanged: summary.unchanged,
    failed: summary.failed,
    results: summary.results.map((r) => {
      const { error, ...rest } = r;
      return error === undefined
        ? rest
        : { ...rest, error: { code: error.code, message: error.message } };
    }),
    warnings: summary.warnings,
  };
}

export const updateCommand: CommandSpec = {
  name: 'update',
  summary:
    "Download, verify and save the registries' current (or dated) extended delegated-stats files",
  usage:
    '[--dir DIR] [--rir RIR]... [--date yyyy-mm-dd] [--mirror URL] [--json]',
  options: [
    {
      name: 'dir',
      type: 'string',
      arg: 'DIR',
      description:
        'Data directory to save into. Default: $RIRMAP_DATA, else the cache directory',
    },
    {
      name: 'rir',
      type: 'string',
      multiple: true,
      arg: 'RIR',
      description:
        'Registry to update: afrinic, apnic, arin, lacnic, ripencc (repeatable or comma-separated)',
      default: 'all five',
    },
    {
      name: 'date',
      type: 'string',
      arg: 'DATE',
      description:
        "Fetch the archived file of this date (yyyy-mm-dd, the date in the registries' file names)",
    },
    {
      name: 'mirror',
      type: 'string',
      arg: 'URL',
      description:
        'One base URL for all: <URL>/<rir>/delegated-<rir>-extended-latest and its .md5',
    },
    {
      name: 'base-url',
      type: 'string',
      multiple: true,
      arg: 'RIR=URL',
      description:
        "Replace one registry's folder URL, e.g. apnic=https://ftp.apnic.net/stats/apnic/",
    },
    {
      name: 'timeout',
      type: 'string',
      arg: 'SECONDS',
      description: 'Fail a download when no data arrives for this long',
      default: '60',
    },
    {
      name: 'attempts',
      type: 'string',
      arg: 'N',
      description: 'Attempts per registry',
      default: '4',
    },
    {
      name: 'allow-missing-md5',
      type: 'boolean',
      description:
        'Accept a file whose .md5 is not published (counts and parse are still checked)',
    },
    {
      name: 'plain',
      type: 'boolean',
      description: 'Save files uncompressed (default: gzip)',
    },
    {
      name: 'json',
      type: 'boolean',
      description: 'Print the outcome as one JSON object',
    },
    {
      name: 'quiet',
      short: 'q',
      type: 'boolean',
      description: 'No progress display',
    },
  ],
  help: [
    'Each file is checked before it replaces anything: the published MD5 (.md5, BSD or GNU form),',
    'the header and summary counts against the records, and a full strict parse. It is saved as',
    'delegated-<rir>[-extended]-<end date>.gz beside the earlier ones (kept as history); the',
    'newest file of each registry is what lookup, enrich and info use. Unchanged files are not',
    'downloaded again (ETag / If-Modified-Since, remembered in rirmap-update-state.json).',
    '',
    'Exit codes: 0 every registry updated or unchanged; 1 some failed; 3 all failed;',
    '2 usage error. A failure keeps the previous file; "try again later" marks transient ones',
    "(APNIC's .md5 is published about 9 minutes after its file).",
  ].join('\n'),
  async run(args, io, signal) {
    if (args.positionals.length > 0)
      throw new CliUsageError(
        `unexpected argument ${JSON.stringify(args.positionals[0])}`,
      );
    const dirOption = stringOption(args, 'dir');
    const dir =
      dirOption !== undefined
        ? isAbsolute(dirOption)
          ? dirOption
          : resolve(io.cwd, dirOption)
        : defaultDataDir(io.env);
    const rirList = parseRirs(stringListOption(args, 'rir'));
    const rirs = rirList.length > 0 ? rirList : [...UPDATE_RIRS];
    const date = stringOption(args, 'date');
    if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date))
      throw new CliUsageError(
        `--date must be a date written yyyy-mm-dd, got ${JSON.stringify(date)}`,
      );
    const timeout = intOption(args, 'timeout', 1, 86400) ?? 60;
    const attempts = intOption(args, 'attempts', 1, 20) ?? 4;
    const baseUrls = parseBaseUrls(stringListOption(args, 'base-url'));
    const mirror = stringOption(args, 'mirror');
    const tty =
      io.stderr.isTTY === true &&
      !flagOption(args, 'quiet') &&
      !flagOption(args, 'json');
    const progress = tty ? progressLine(io, rirs) : undefined;

    const options: {
      -readonly [K in keyof UpdateOptions]: UpdateOptions[K];
    } = {
      dir,
      rirs,
      baseUrls,
      timeoutMs: timeout * 1000,
      attempts,
      compress: !flagOption(args, 'plain'),
      allowMissingMd5: flagOption(args, 'allow-missing-md5'),
      // --offline becomes a global option; honour it when present.
      offline: isOffline(args, io.env),
      signal,
    };
    if (date !== undefined) options.date = date;
    if (mirror !== undefined) options.mirror = mirror;
    if (progress !== undefined) options.onProgress = progress.onProgress;
    let summary: UpdateSummary;
    try {
      summary = await updateRegistries(options);
    } catch (error) {
      if (error instanceof TypeError || error instanceof RangeError)
        throw new CliUsageError(
          error.message
            .replace(/`baseUrls\.(\w+)`/, '--base-url $1=URL')
            .replace(
              /`(\w+)`/,
              (_, n: string) =>
                `--${n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
            ),
        );
      throw error;
    } finally {
      progress?.clear();
    }
    if (flagOption(args, 'json')) {
      io.stdout.write(
        `${JSON.stringify(updateSummaryJson(summary), null, 2)}\n`,
      );
    } else {
      for (const r of summary.results)
        if (r.status === 'failed')
          io.stderr.write(`rirmap update: ${r.message}\n`);
        else io.stdout.write(`${r.message}\n`);
      for (const w of summary.warnings)
        io.stderr.write(`rirmap update: warning: ${w}\n`);
    }
    return updateExitCode(summary);
  },
};
