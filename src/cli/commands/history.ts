/** `rirmap history`: what the dated files say about an address or AS number over time. */

import { isAbsolute, resolve } from 'node:path';
import {
  history,
  type HistoryPeriod,
  type HistoryResult,
} from '../../sources/history.js';
import { CliUsageError, flagOption, type CommandSpec } from '../command.js';
import { resolveDataPaths } from '../load-data.js';

const COLUMNS = [11, 11, 8, 3, 10, 34, 11, 0] as const;

function row(cells: readonly string[]): string {
  return (
    cells
      .map((c, i) => {
        const w = COLUMNS[i] ?? 0;
        return w === 0 ? c : c.length >= w ? `${c} ` : c.padEnd(w);
      })
      .join(' ')
      .trimEnd() + '\n'
  );
}

function rangeText(p: HistoryPeriod): string {
  const r = p.range;
  if (r === null) return '-';
  return r.cidrs !== undefined && r.cidrs.length === 1
    ? r.cidrs[0]!
    : `${String(r.start)}-${String(r.end)}`;
}

/** The human-readable history of one query. */
export function formatHistory(result: HistoryResult): string {
  const out = [
    `History of ${result.query} (${result.type}) over ${result.files.length} file${result.files.length === 1 ? '' : 's'}:\n`,
    row([
      'FROM',
      'TO',
      'RIR',
      'CC',
      'STATUS',
      'HOLDER',
      'DATE',
      'RANGE  (FILES)',
    ]),
  ];
  for (const p of result.periods) {
    if (!p.found) {
      out.push(row([p.from, p.to, 'not listed']));
      continue;
    }
    out.push(
      row([
        p.from,
        p.to,
        p.rir ?? '-',
        p.country ?? '-',
        p.status ?? '-',
        p.holder ?? '-',
        p.date ?? '-',
        `${rangeText(p)}  (${p.files.join(', ')})`,
      ]),
    );
  }
  return out.join('');
}

export const historyCommand: CommandSpec = {
  name: 'history',
  summary:
    'What every dated file says about an address or AS number, as periods over time',
  usage: 'QUERY... [--data PATH]... [--json] [--lenient]',
  options: [
    {
      name: 'data',
      type: 'string',
      multiple: true,
      arg: 'PATH',
      description:
        'Delegated-stats file or directory; every dated file of a directory is read (repeatable). Default: $RIRMAP_DATA, else the cache directory',
    },
    {
      name: 'json',
      type: 'boolean',
      description: 'Print one JSON object per query',
    },
    {
      name: 'lenient',
      type: 'boolean',
      description:
        'Read damaged files, skipping bad lines, instead of leaving them out',
    },
  ],
  help: [
    'At each end date found among the files, the answer is what `lookup --as-of DATE` gives over',
    'them: per registry its newest file not later than the date, the smallest covering record',
    'winning. Consecutive dates with the same answer form one period; FROM and TO are the end',
    'dates of its first and last snapshot. Files that fail a strict parse are left out and named',
    'on stderr (--lenient reads them).',
    '',
    'Exit codes: 0 done (a query nobody lists is not an error); 1 error; 2 usage error.',
  ].join('\n'),
  async run(args, io) {
    if (args.positionals.length === 0)
      throw new CliUsageError('give an IP address or AS number');
    const { paths } = resolveDataPaths(args, io);
    const data = paths.map((p) => (isAbsolute(p) ? p : resolve(io.cwd, p)));
    const lenient = flagOption(args, 'lenient');
    const json = flagOption(args, 'json');
    let warned = false;
    for (const query of args.positionals) {
      const result = await history(query, { data, lenient });
      if (!warned)
        for (const s of result.skipped)
          io.stderr.write(
            `rirmap history: warning: file left out: ${s.message}\n`,
          );
      warned = true;
      io.stdout.write(
        json ? `${JSON.stringify(result)}\n` : formatHistory(result),
      );
    }
    return 0;
  },
};
