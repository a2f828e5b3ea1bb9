/** `rirmap info`: what is loaded, from where, and how it overlaps. */

import type { Registry } from '../../types.js';
import { DATA_OPTIONS, flagOption, type CommandSpec } from '../command.js';
import { loadCliRegistry } from '../load-data.js';

/** The human-readable report of `rirmap info`. */
export function formatInfo(registry: Registry): string {
  const lines: string[] = [];
  lines.push('Files loaded:');
  for (const s of registry.sources) {
    lines.push(
      `  ${s.file}  registry=${s.registry} kind=${s.kind} version=${s.version} serial=${s.serial} ` +
        `end=${s.endDate ?? '-'} records=${s.records}${s.warnings > 0 ? ` skipped=${s.warnings}` : ''}`,
    );
    lines.push(`    sha256 ${s.sha256}`);
  }
  const st = registry.stats();
  lines.push('', `Records: ${st.records}`);
  lines.push('  type    allocated   assigned  available   reserved');
  for (const t of ['ipv4', 'ipv6', 'asn'] as const) {
    const b = st.byType[t];
    lines.push(
      `  ${t.padEnd(5)} ${String(b.allocated).padStart(10)} ${String(b.assigned).padStart(10)} ${String(b.available).padStart(10)} ${String(b.reserved).padStart(10)}`,
    );
  }
  lines.push('', 'Records per answering registry:');
  for (const [rir, n] of Object.entries(st.byRir))
    lines.push(`  ${rir.padEnd(8)} ${n}`);
  lines.push(
    '',
    `Conflicts (overlapping records across files): ${st.conflicts}, of which disagreeing: ${st.conflictsDisagreeing}` +
      (st.conflicts > 0 ? '  (list them with `rirmap info --conflicts`)' : ''),
  );
  if (st.warnings > 0) {
    lines.push('', `Problems skipped under --lenient: ${st.warnings}`);
    for (const w of registry.warnings().slice(0, 20))
      lines.push(`  ${w.file}:${w.line} ${w.code} ${w.message}`);
  }
  return `${lines.join('\n')}\n`;
}

export const infoCommand: CommandSpec = {
  name: 'info',
  summary:
    'Loaded files with provenance, counts per type and status, and conflicts',
  usage: '[--data PATH]... [--json] [--conflicts]',
  options: [
    ...DATA_OPTIONS,
    {
      name: 'json',
      type: 'boolean',
      description: 'Print the information as one JSON object',
    },
    {
      name: 'conflicts',
      type: 'boolean',
      description:
        'List every overlap between loaded records, one JSON object per line',
    },
  ],
  async run(args, io) {
    const registry = await loadCliRegistry(args, io);
    if (flagOption(args, 'conflicts')) {
      for (const c of registry.conflicts())
        io.stdout.write(`${JSON.stringify(c)}\n`);
      return 0;
    }
    if (flagOption(args, 'json')) {
      io.stdout.write(
        `${JSON.stringify({ sources: registry.sources, stats: registry.stats(), warnings: registry.warnings() }, null, 2)}\n`,
      );
      return 0;
    }
    io.stdout.write(formatInfo(registry));
    return 0;
  },
};
