import { describe, expect, it } from 'vitest';
import { formatReportHtml } from '../../src/report/format-report-html.js';
import { formatReportJson } from '../../src/report/format-report-json.js';
import { formatReportMarkdown } from '../../src/report/format-report-markdown.js';
import { ReportBuilder } from '../../src/report/report-builder.js';
import type { Report } from '../../src/report/report-types.js';
import type { RegistryRecord } from '../../src/types.js';
import {
  checkMarkdownTables,
  tableCells,
} from '../helpers/report-markdown-check.js';

function record(
  rir: RegistryRecord['rir'],
  country: string | null,
  holder: string | null,
  cidr: string,
  start: string,
  end: string,
): RegistryRecord {
  return {
    found: true,
    type: 'ipv4',
    rir,
    country,
    date: '2010-01-02',
    status: 'assigned',
    holder,
    range: { start, end, cidrs: [cidr] },
    source: {
      file: 'delegated-test',
      registry: rir,
      serial: '1',
      endDate: null,
      sha256: 'x',
    },
  };
}

/** A report whose texts hold pipes, backslashes, Markdown and HTML specials. */
function nastyReport(): Report {
  const b = new ReportBuilder();
  const a = record(
    'lacnic',
    'BR',
    'H|1\\x',
    '200.1.0.0/16',
    '200.1.0.0',
    '200.1.255.255',
  );
  const c = record('arin', null, null, '8.0.0.0/8', '8.0.0.0', '8.255.255.255');
  b.add({
    ip: '200.1.2.3',
    row: 1,
    record: a,
    rdap: {
      name: 'NET|<b>x</b>\nnext',
      org: 'Org *bold* _it_',
      abuseEmail: 'abuse@example.org',
    },
  });
  b.add({ ip: '8.8.8.8', row: 2, record: c, time: Date.UTC(2020, 0, 1) });
  b.add({
    ip: 'a|b`c<script>',
    row: 3,
    record: null,
    error: 'invalid',
    column: 'src|ip',
  });
  b.add({ ip: '10.0.0.1', row: 4, record: null, special: 'private' });
  b.add({
    ip: '45.1.1.1',
    row: 5,
    record: null,
    rdap: { name: 'UNALLOC|NET' },
  });
  return b.finish({
    manifest: {
      rirmap: '9.9.9',
      mode: 'input',
      input: { name: 'in|put <1>.log', sha256: 'f'.repeat(64), bytes: 10 },
      format: 'csv',
      columns: ['src|ip'],
      data: [
        {
          file: 'delegated-test',
          registry: 'lacnic',
          serial: '1',
          endDate: '2024-01-01',
          sha256: 'e'.repeat(64),
          records: 3,
          kind: 'extended',
          warnings: 0,
        },
      ],
      rdap: 'off',
    },
    timeSource: 'ts',
  });
}

describe('Markdown', () => {
  const report = nastyReport();
  const md = formatReportMarkdown(report);

  it('has only valid GFM tables, pipes escaped', () => {
    const { tables, problems } = checkMarkdownTables(md);
    expect(problems).toEqual([]);
    expect(tables.length).toBeGreaterThanOrEqual(8);
    const lacnic = tables.find(
      (t) =>
        t.header.includes('Holder') &&
        t.rows.some((r) => r.some((c) => c.includes('200.1.0.0'))),
    )!;
    expect(lacnic.rows[0]![1]).toBe('H\\|1\\\\x');
    expect(lacnic.rows[0]!.join(' ')).toContain('NET\\|\\<b\\>x\\</b\\> next');
    const invalid = tables.find((t) => t.header[0] === 'Column')!;
    expect(invalid.rows[0]!.slice(0, 2)).toEqual([
      'src\\|ip',
      "`a\\|b'c<script>`",
    ]);
  });

  it('states the country note and the manifest', () => {
    expect(md).toContain("registrant's country");
    expect(md).toContain('f'.repeat(64));
    expect(md).toContain('e'.repeat(64));
    expect(md.endsWith('\n')).toBe(true);
  });

  it('table checker catches broken tables', () => {
    expect(
      checkMarkdownTables('| a | b |\n| --- |\n| 1 | 2 |\n').problems.length,
    ).toBeGreaterThan(0);
    expect(
      checkMarkdownTables('| a | b |\n| --- | --- |\n| 1 | 2 | 3 |\n').problems
        .length,
    ).toBe(1);
    expect(checkMarkdownTables('text\n| a |\n| --- |\n').problems).toEqual([
      'line 2: no blank line before the table',
    ]);
    expect(tableCells('| a \\| b | c |')).toEqual(['a \\| b', 'c']);
  });
});

describe('JSON', () => {
  it('parses back to the report, with keys in the builder order', () => {
    const report = nastyReport();
    const text = formatReportJson(report);
    expect(JSON.parse(text)).toEqual(report);
    expect(Object.keys(JSON.parse(text) as object)).toEqual([
      'report',
      'schema',
      'note',
      'manifest',
      'time',
      'totals',
      'registries',
      'countries',
      'holders',
      'allocationYears',
      'allocationUndated',
      'special',
      'unallocated',
      'invalid',
      'warnings',
    ]);
    expect(formatReportJson(nastyReport())).toBe(text);
  });

  it('writes one delegated block per line', () => {
    const text = formatReportJson(nastyReport());
    const blockLines = text.split('\n').filter((l) => l.includes('"cidrs":'));
    expect(blockLines.length).toBe(2);
    for (const l of blockLines)
      expect(() => JSON.parse(l.trim().replace(/,$/, ''))).not.toThrow();
  });
});

describe('HTML', () => {
  const html = formatReportHtml(nastyReport());

  it('escapes every text and holds no external reference', () => {
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('a|b`c<script>');
    expect(html).toContain('a|b`c&lt;script&gt;');
    expect(html).toContain('NET|&lt;b&gt;x&lt;/b&gt;');
    expect(html.match(/<script>/g)?.length).toBe(1);
    // Links go out only as <a href>; nothing is loaded from anywhere.
    expect(html).not.toMatch(/<(img|link|iframe|object|embed)\b/i);
    expect(html).not.toMatch(/\bsrc=/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).toContain("default-src 'none'");
  });

  it('draws one bar per registry, country, holder and allocation year', () => {
    const svg = (id: string): string =>
      html.slice(
        html.indexOf(`id="${id}"`),
        html.indexOf('</svg>', html.indexOf(`id="${id}"`)),
      );
    const bars = (id: string): number =>
      (svg(id).match(/<rect class="bar"/g) ?? []).length;
    expect(bars('chart-registries')).toBe(2);
    expect(bars('chart-countries')).toBe(2);
    expect(bars('chart-holders')).toBe(1);
    expect(bars('chart-years')).toBe(1);
  });
});
