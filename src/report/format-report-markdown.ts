/**
 * The report as Markdown (CommonMark with GitHub-flavoured tables): headings,
 * a summary, then one table per section. Every table has a header row, a
 * delimiter row and the same number of cells on every row; `|`, backslashes and
 * Markdown punctuation in cell text are escaped, and line breaks become spaces.
 */

import {
  REGISTRY_NAMES,
  addressCount,
  blockLabel,
  countryLabel,
  groupDigits,
  holderLabel,
  rdapLines,
  timeSentence,
} from './report-labels.js';
import type { Report, ReportCounts, ReportLinks } from './report-types.js';

/** Escapes text for a table cell or a paragraph. */
export function markdownText(text: string): string {
  return text
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`)
    .replace(/^([-=#+])/, '\\$1');
}

/** A code span (for addresses and hashes); pipes still escaped, as GFM tables need. */
function code(text: string): string {
  const t = text
    .replace(/[\r\n\t]+/g, ' ')
    .replaceAll('|', '\\|')
    .replaceAll('`', "'");
  return `\`${t}\``;
}

function link(label: string, url: string | null): string {
  if (url === null) return '';
  return `[${markdownText(label)}](<${url.replace(/[<>\s]/g, encodeURIComponent)}>)`;
}

function links(l: ReportLinks): string {
  return [link('RDAP', l.rdap), link('whois', l.whois)]
    .filter((x) => x !== '')
    .join(' ');
}

/** A table; `align` gives `r` for right-aligned (numeric) columns. */
function table(
  head: readonly string[],
  align: string,
  rows: readonly (readonly string[])[],
): string {
  const sep = head.map((_, i) => (align[i] === 'r' ? '---:' : '---'));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c) => (c === '' ? ' ' : c)).join(' | ')} |`;
  return [line(head), line(sep), ...rows.map((r) => line(r))].join('\n');
}

function counts(c: ReportCounts): string[] {
  return [
    addressCount(c.addresses, c.addressesExact),
    groupDigits(c.hits),
    groupDigits(c.rows),
    c.firstSeen ?? '',
    c.lastSeen ?? '',
  ];
}

const COUNT_HEAD = ['Addresses', 'Hits', 'Rows', 'First seen', 'Last seen'];

/**
 * Renders a report as Markdown.
 * @returns the Markdown text, ending with a newline.
 */
export function formatReportMarkdown(report: Report): string {
  const m = report.manifest;
  const t = report.totals;
  const out: string[] = [];
  out.push(`# Jurisdiction report: ${markdownText(m.input.name)}`);
  out.push(`> ${markdownText(report.note)}`);
  out.push(
    `Input ${code(m.input.name)} (${markdownText(m.format)}${m.columns.length > 0 ? `, ${m.columns.map((c) => code(c)).join(', ')}` : ''}), ` +
      `${groupDigits(m.input.bytes)} bytes, sha256 ${code(m.input.sha256)}. ` +
      `${m.mode === 'enriched' ? 'Read from a file `rirmap enrich` wrote. ' : ''}` +
      `rirmap ${markdownText(m.rirmap)}. ${markdownText(timeSentence(report.time))}`,
  );

  out.push('## Summary');
  out.push(
    table(['', 'Count'], '-r', [
      ['Rows read', groupDigits(t.rows)],
      ['Rows with addresses', groupDigits(t.rowsWithAddresses)],
      ['Address values (hits)', groupDigits(t.hits)],
      ['Distinct addresses', addressCount(t.addresses, t.addressesExact)],
      ['Found in registry data', groupDigits(t.found)],
      ['Not found (unallocated or not in the data)', groupDigits(t.notFound)],
      ['Special-purpose', groupDigits(t.special)],
      ['Invalid values', groupDigits(t.invalid)],
      ['Empty values', groupDigits(t.missing)],
      ['Registries', groupDigits(t.registries)],
      ['Countries', groupDigits(t.countries)],
      ['Holders', groupDigits(t.holders)],
      ['Delegated blocks', groupDigits(t.blocks)],
      ['First seen', markdownText(t.firstSeen ?? '—')],
      ['Last seen', markdownText(t.lastSeen ?? '—')],
    ]),
  );

  out.push('## By registry');
  out.push(
    report.registries.length === 0
      ? 'No address was found in the registry data.'
      : table(
          ['Registry', ...COUNT_HEAD, 'Countries', 'Holders', 'Blocks', 'Ask'],
          '-rrr--rrr-',
          report.registries.map((r) => [
            markdownText(REGISTRY_NAMES[r.rir]),
            ...counts(r),
            groupDigits(r.countries.length),
            groupDigits(r.holders),
            groupDigits(r.blocks),
            links(r.links),
          ]),
        ),
  );

  if (report.countries.length > 0) {
    out.push('## By country (registered country, all registries)');
    out.push(
      table(
        ['Country', 'Registries', ...COUNT_HEAD],
        '--rrr--',
        report.countries.map((c) => [
          markdownText(countryLabel(c.country)),
          c.registries.map((r) => markdownText(REGISTRY_NAMES[r])).join(', '),
          ...counts(c),
        ]),
      ),
    );
  }

  if (report.holders.length > 0) {
    out.push('## By holder');
    out.push(
      table(
        ['Registry', 'Holder', 'Countries', 'Blocks', ...COUNT_HEAD],
        '---rrrr--',
        report.holders.map((h) => [
          markdownText(REGISTRY_NAMES[h.rir]),
          markdownText(holderLabel(h.holder)),
          h.countries.map((c) => markdownText(countryLabel(c))).join(', '),
          groupDigits(h.blocks),
          ...counts(h),
        ]),
      ),
    );
  }

  for (const r of report.registries) {
    out.push(`## ${markdownText(REGISTRY_NAMES[r.rir])}: delegated blocks`);
    out.push(
      `${addressCount(r.addresses, r.addressesExact)} address(es) in ${groupDigits(r.blocks)} block(s) of ` +
        `${groupDigits(r.holders)} holder(s) in ${groupDigits(r.countries.length)} countr${r.countries.length === 1 ? 'y' : 'ies'}. ` +
        `Ask: ${links(r.links)}`,
    );
    const rows: string[][] = [];
    for (const c of r.countries)
      for (const h of c.holders)
        for (const b of h.blocks)
          rows.push([
            markdownText(countryLabel(c.country)),
            markdownText(holderLabel(h.holder)),
            code(blockLabel(b)),
            markdownText(b.status),
            markdownText(b.date ?? '—'),
            ...counts(b),
            b.topAddresses.map((a) => code(a.ip)).join(' '),
            rdapLines(b.rdap).map(markdownText).join('; '),
            links(b.links),
          ]);
    out.push(
      table(
        [
          'Country',
          'Holder',
          'Block',
          'Status',
          'Allocated',
          ...COUNT_HEAD,
          'Top addresses',
          'RDAP',
          'Ask',
        ],
        '-----rrr-----',
        rows,
      ),
    );
  }

  if (
    report.allocationYears.length > 0 ||
    report.allocationUndated.blocks > 0
  ) {
    out.push('## Allocation years');
    out.push(
      table(['Year', 'Blocks', 'Addresses'], '-rr', [
        ...report.allocationYears.map((y) => [
          String(y.year),
          groupDigits(y.blocks),
          groupDigits(y.addresses),
        ]),
        ...(report.allocationUndated.blocks > 0
          ? [
              [
                'no date',
                groupDigits(report.allocationUndated.blocks),
                groupDigits(report.allocationUndated.addresses),
              ],
            ]
          : []),
      ]),
    );
  }

  out.push('## Special-purpose addresses');
  out.push(
    report.special.length === 0
      ? 'None.'
      : table(
          ['Kind', ...COUNT_HEAD, 'Top addresses'],
          '-rrr---',
          report.special.map((s) => [
            markdownText(s.name),
            ...counts(s),
            s.topAddresses.map((a) => code(a.ip)).join(' '),
          ]),
        ),
  );

  const u = report.unallocated;
  out.push('## Not found in the registry data');
  out.push(
    u.hits === 0
      ? 'None.'
      : `${addressCount(u.addresses, u.addressesExact)} address(es), ${groupDigits(u.hits)} hit(s) in ${groupDigits(u.rows)} row(s): ` +
          'unallocated space, or space the loaded files do not cover.\n\n' +
          table(
            ['Address', 'Hits', 'First seen', 'Last seen'],
            '-r--',
            u.topAddresses.map((a) => [
              code(a.ip),
              groupDigits(a.hits),
              a.firstSeen ?? '',
              a.lastSeen ?? '',
            ]),
          ) +
          (u.rdap.length > 0
            ? `\n\nRDAP: ${rdapLines(u.rdap).map(markdownText).join('; ')}`
            : ''),
  );

  const inv = report.invalid;
  out.push('## Invalid values');
  out.push(
    inv.hits === 0 && inv.missing === 0
      ? 'None.'
      : `${groupDigits(inv.hits)} value(s) that are not addresses in ${groupDigits(inv.rows)} row(s); ` +
          `${groupDigits(inv.missing)} empty value(s).` +
          (inv.examples.length > 0
            ? '\n\n' +
              table(
                ['Column', 'Value', 'Hits'],
                '--r',
                inv.examples.map((e) => [
                  markdownText(e.column === '' ? '—' : e.column),
                  code(e.value),
                  groupDigits(e.hits),
                ]),
              ) +
              (inv.examplesComplete
                ? ''
                : '\n\nMore distinct values were met than are listed.')
            : ''),
  );

  if (report.warnings.length > 0) {
    out.push('## Warnings');
    out.push(report.warnings.map((w) => `- ${markdownText(w)}`).join('\n'));
  }

  out.push('## Provenance');
  out.push(
    m.data.length === 0
      ? 'No registry data files were loaded.'
      : table(
          ['Data file', 'Registry', 'Date', 'Records', 'sha256'],
          '---r-',
          m.data.map((d) => [
            code(d.file),
            markdownText(d.registry),
            markdownText(d.endDate ?? '—'),
            groupDigits(d.records),
            code(d.sha256),
          ]),
        ),
  );
  out.push(
    `RDAP: ${markdownText(m.rdap)}. Limits: ${groupDigits(m.limits.maxAddressesPerGroup)} distinct addresses per group, ` +
      `${groupDigits(m.limits.maxAddresses)} in all; counts past them are lower bounds (≥).`,
  );
  return `${out.join('\n\n')}\n`;
}
