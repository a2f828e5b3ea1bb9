/**
 * The report as one self-contained HTML page: inline CSS, inline SVG charts
 * and a few lines of plain script (table sorting and filtering). The page
 * makes no network request: a Content-Security-Policy forbids every fetch, and
 * links to registries are plain links. It prints well (`@media print`).
 */

import { parseIpv4, parseIpv6 } from '../ip/parse-ip.js';
import type { Rir } from '../types.js';
import {
  columnChart,
  escapeHtml,
  horizontalBarChart,
  type ChartBar,
} from './report-charts.js';
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

/** Colours of the registries in charts and badges. */
export const REGISTRY_COLORS: Readonly<Record<Rir, string>> = {
  afrinic: '#3a7d44',
  apnic: '#c77c0e',
  arin: '#2f6db5',
  lacnic: '#8e44ad',
  ripencc: '#c0392b',
  iana: '#6b7780',
};

/** How many countries and holders the charts show. */
export const TOP_COUNTRIES = 20;
export const TOP_HOLDERS = 20;

const CSS = `
:root{--fg:#1d232a;--muted:#5b6670;--line:#d8dee4;--band:#f5f7f9;--accent:#2f6db5}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1280px;padding:24px 28px 48px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--fg);background:#fff}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 10px;padding-bottom:4px;border-bottom:2px solid var(--line)}
.subtitle{color:var(--muted);margin:0 0 10px;overflow-wrap:anywhere}
.note{border-left:4px solid var(--accent);background:#eef4fb;padding:8px 12px;margin:12px 0}
nav.toc{display:flex;flex-wrap:wrap;gap:6px 14px;margin:12px 0;font-size:13px}
a{color:var(--accent)}code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px;margin:0}
.kpi{border:1px solid var(--line);border-radius:6px;padding:8px 10px;background:var(--band)}
.kpi dt{color:var(--muted);font-size:12px}.kpi dd{margin:2px 0 0;font-size:20px;font-weight:600}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:16px;align-items:start}
figure{margin:0;border:1px solid var(--line);border-radius:6px;padding:10px 12px;break-inside:avoid}
figcaption{font-weight:600;margin-bottom:6px}
.chart-svg{width:100%;height:auto;display:block}
.chart-svg text{font:11px system-ui,sans-serif;fill:var(--fg)}.chart-svg .value{fill:var(--muted)}
.chart-svg .axis{stroke:var(--line)}
.tools{display:flex;align-items:center;gap:10px;margin:6px 0}
input.filter{padding:5px 8px;border:1px solid var(--line);border-radius:4px;min-width:260px;font:inherit}
.count{color:var(--muted);font-size:12px}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--band);position:sticky;top:0;white-space:nowrap}
table.sortable th{cursor:pointer;user-select:none}
table.sortable th::after{content:" \\2195";color:#aab3bb;font-size:11px}
table.sortable th[aria-sort=ascending]::after{content:" \\25B2";color:var(--fg)}
table.sortable th[aria-sort=descending]::after{content:" \\25BC";color:var(--fg)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td .mono{white-space:nowrap}
tbody tr:nth-child(even){background:#fafbfc}
.badge{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;font-size:12px;font-weight:600;white-space:nowrap;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.small{font-size:12px;color:var(--muted)}
ul.warnings li{margin:4px 0}
@media print{
 body{max-width:none;padding:0;font-size:10pt}
 nav.toc,.tools,.np{display:none}
 td,th{padding:2px 4px}
 td code{font-size:7.5pt;white-space:nowrap}
 .table-wrap{overflow:visible}
 h2{break-after:avoid}
 .charts{grid-template-columns:1fr 1fr}
 figure,.kpi{break-inside:avoid}
 th{position:static}
 thead{display:table-header-group}
 tr{break-inside:avoid}
 table{font-size:8.5pt}
 a{color:inherit;text-decoration:none}
 .note{background:none}
 @page{size:A4 landscape;margin:12mm}
}
`;

/** Table sorting (click or Enter on a header) and filtering (text box). */
const SCRIPT = `
(function () {
  function key(cell, num) {
    var v = cell.getAttribute('data-v');
    if (v === null) v = cell.textContent.trim();
    if (!num) return v.toLowerCase();
    var n = parseFloat(v.replace(/[^0-9.eE+-]/g, ''));
    return isNaN(n) ? -Infinity : n;
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, i) {
      th.tabIndex = 0;
      function sort() {
        var num = th.getAttribute('data-type') === 'num';
        var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[i], num), y = key(b.cells[i], num);
          return (x < y ? -1 : x > y ? 1 : 0) * dir;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener('click', sort);
      th.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sort(); }
      });
    });
  });
  document.querySelectorAll('input.filter').forEach(function (input) {
    var table = document.getElementById(input.getAttribute('data-for'));
    var count = document.getElementById(input.getAttribute('data-for') + '-count');
    input.addEventListener('input', function () {
      var words = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
      var rows = table.tBodies[0].rows, shown = 0;
      Array.prototype.forEach.call(rows, function (r) {
        var text = r.textContent.toLowerCase();
        var ok = words.every(function (w) { return text.indexOf(w) >= 0; });
        r.hidden = !ok;
        if (ok) shown++;
      });
      if (count) count.textContent = shown + ' of ' + rows.length + ' rows';
    });
  });
})();
`;

/** A cell: `text` (escaped HTML given as is), with an optional sort value. */
interface Cell {
  readonly html: string;
  readonly num?: boolean;
  readonly sort?: string | number;
}

const WORDS = new Uint32Array(4);

/** A sort key that orders addresses numerically (IPv4 before IPv6). */
function addressSortKey(ip: string): string {
  const v4 = parseIpv4(ip);
  if (v4 >= 0) return `4${v4.toString(16).padStart(8, '0')}`;
  if (parseIpv6(ip, WORDS))
    return `6${[...WORDS].map((w) => w.toString(16).padStart(8, '0')).join('')}`;
  return `9${ip}`;
}

function text(s: string): Cell {
  return { html: escapeHtml(s) };
}

function num(n: number, shown = groupDigits(n)): Cell {
  return { html: escapeHtml(shown), num: true, sort: n };
}

function countCells(c: ReportCounts): Cell[] {
  return [
    num(c.addresses, addressCount(c.addresses, c.addressesExact)),
    num(c.hits),
    num(c.rows),
    { html: escapeHtml(c.firstSeen ?? ''), sort: c.firstSeen ?? '' },
    { html: escapeHtml(c.lastSeen ?? ''), sort: c.lastSeen ?? '' },
  ];
}

const COUNT_HEADS: readonly [string, boolean, boolean?][] = [
  ['Addresses', true],
  ['Hits', true],
  ['Rows', true],
  ['First seen', false],
  ['Last seen', false],
];

function badge(rir: Rir): string {
  return `<span class="badge" style="background:${REGISTRY_COLORS[rir]}">${escapeHtml(REGISTRY_NAMES[rir])}</span>`;
}

function linksHtml(l: ReportLinks): string {
  const a = (label: string, url: string | null): string =>
    url === null
      ? ''
      : `<a href="${escapeHtml(url)}" rel="noreferrer noopener">${label}</a>`;
  return [a('RDAP', l.rdap), a('whois', l.whois)]
    .filter((x) => x !== '')
    .join(' · ');
}

/** A sortable (and optionally filterable) table. */
function table(
  id: string,
  heads: readonly (readonly [string, boolean, boolean?])[],
  rows: readonly (readonly Cell[])[],
  filter: boolean,
): string {
  // A third `true` in a head marks a column left out when printing.
  const classes = heads.map(([, isNum, noPrint]) =>
    [isNum ? 'num' : '', noPrint === true ? 'np' : '']
      .filter((c) => c !== '')
      .join(' '),
  );
  const attr = (i: number): string =>
    classes[i] === '' ? '' : ` class="${classes[i]}"`;
  const head = heads
    .map(
      ([h, isNum], i) =>
        `<th scope="col"${attr(i)}${isNum ? ' data-type="num"' : ''}>${escapeHtml(h)}</th>`,
    )
    .join('');
  const body = rows
    .map(
      (r) =>
        `<tr>${r
          .map(
            (c, i) =>
              `<td${attr(i)}${c.sort !== undefined ? ` data-v="${escapeHtml(String(c.sort))}"` : ''}>${c.html}</td>`,
          )
          .join('')}</tr>`,
    )
    .join('\n');
  const tools = filter
    ? `<div class="tools"><input type="search" class="filter" data-for="${id}" placeholder="Filter rows (all words must match)…" aria-label="Filter table"> <span class="count" id="${id}-count">${rows.length} of ${rows.length} rows</span></div>`
    : '';
  return `${tools}<div class="table-wrap"><table id="${id}" class="sortable"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

function section(id: string, title: string, inner: string): string {
  return `<section id="${id}"><h2>${escapeHtml(title)}</h2>\n${inner}\n</section>`;
}

function addresses(list: readonly { ip: string }[]): string {
  return list.map((a) => `<code>${escapeHtml(a.ip)}</code>`).join(' ');
}

/** The four charts. */
function charts(report: Report): string {
  const registryBars: ChartBar[] = report.registries.map((r) => ({
    label: REGISTRY_NAMES[r.rir],
    value: r.addresses,
    valueText: addressCount(r.addresses, r.addressesExact),
    title: `${REGISTRY_NAMES[r.rir]}: ${addressCount(r.addresses, r.addressesExact)} addresses, ${groupDigits(r.hits)} hits, ${r.countries.length} countries`,
    color: REGISTRY_COLORS[r.rir],
  }));
  const countryBars: ChartBar[] = report.countries
    .slice(0, TOP_COUNTRIES)
    .map((c) => ({
      label: countryLabel(c.country),
      value: c.addresses,
      valueText: addressCount(c.addresses, c.addressesExact),
      title: `${countryLabel(c.country)} (${c.registries.map((r) => REGISTRY_NAMES[r]).join(', ')}): ${addressCount(c.addresses, c.addressesExact)} addresses, ${groupDigits(c.hits)} hits`,
      color:
        c.registries.length === 1
          ? REGISTRY_COLORS[c.registries[0]!]
          : '#2f6db5',
    }));
  const years = report.allocationYears;
  const yearBars: ChartBar[] = [];
  if (years.length > 0) {
    const byYear = new Map(years.map((y) => [y.year, y]));
    for (let y = years[0]!.year; y <= years[years.length - 1]!.year; y++) {
      const e = byYear.get(y);
      yearBars.push({
        label: String(y),
        value: e?.blocks ?? 0,
        title: `${y}: ${groupDigits(e?.blocks ?? 0)} blocks, ${groupDigits(e?.addresses ?? 0)} addresses`,
      });
    }
  }
  const holderBars: ChartBar[] = report.holders
    .slice(0, TOP_HOLDERS)
    .map((h) => ({
      label: `${holderLabel(h.holder)} · ${h.countries.map(countryLabel).join(',')}`,
      value: h.addresses,
      valueText: addressCount(h.addresses, h.addressesExact),
      title: `${REGISTRY_NAMES[h.rir]} holder ${holderLabel(h.holder)} (${h.countries.map(countryLabel).join(', ')}): ${addressCount(h.addresses, h.addressesExact)} addresses in ${h.blocks} blocks`,
      color: REGISTRY_COLORS[h.rir],
    }));
  const fig = (id: string, caption: string, svg: string, note = ''): string =>
    `<figure id="${id}"><figcaption>${escapeHtml(caption)}</figcaption>${svg}${note === '' ? '' : `<p class="small">${escapeHtml(note)}</p>`}</figure>`;
  return [
    fig(
      'fig-registries',
      'Addresses per registry',
      horizontalBarChart(
        'chart-registries',
        'Distinct addresses per registry',
        registryBars,
      ),
    ),
    fig(
      'fig-countries',
      `Top ${Math.min(TOP_COUNTRIES, report.countries.length)} registered countries`,
      horizontalBarChart(
        'chart-countries',
        'Distinct addresses per registered country',
        countryBars,
      ),
      report.countries.some((c) => c.country === null)
        ? '— : the registry gives no country (available or reserved space, or IANA data).'
        : '',
    ),
    fig(
      'fig-years',
      'Allocation years of the blocks met',
      columnChart('chart-years', 'Blocks per allocation year', yearBars),
      report.allocationUndated.blocks > 0
        ? `${groupDigits(report.allocationUndated.blocks)} block(s) without a date are not shown.`
        : '',
    ),
    fig(
      'fig-holders',
      `Top ${Math.min(TOP_HOLDERS, report.holders.length)} holders`,
      horizontalBarChart(
        'chart-holders',
        'Distinct addresses per holder',
        holderBars,
      ),
    ),
  ].join('\n');
}

/**
 * Renders a report as one self-contained HTML page.
 * @returns the HTML text, ending with a newline.
 */
export function formatReportHtml(report: Report): string {
  const m = report.manifest;
  const t = report.totals;
  const kpi = (label: string, value: string): string =>
    `<div class="kpi"><dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd></div>`;
  const parts: string[] = [];
  parts.push(
    `<header><h1>Jurisdiction report</h1>` +
      `<p class="subtitle"><code>${escapeHtml(m.input.name)}</code> · ${escapeHtml(m.format)}` +
      `${m.columns.length > 0 ? ` (${m.columns.map((c) => `<code>${escapeHtml(c)}</code>`).join(', ')})` : ''}` +
      ` · ${escapeHtml(groupDigits(m.input.bytes))} bytes · sha256 <code>${escapeHtml(m.input.sha256)}</code>` +
      `${m.mode === 'enriched' ? ' · read from an enriched file' : ''} · rirmap ${escapeHtml(m.rirmap)}</p>` +
      `<p class="note">${escapeHtml(report.note)}</p><p class="small">${escapeHtml(timeSentence(report.time))}</p></header>`,
  );
  parts.push(
    `<nav class="toc">${[
      ['summary', 'Summary'],
      ['charts', 'Charts'],
      ['registries', 'Registries'],
      ['countries', 'Countries'],
      ['holders', 'Holders'],
      ['blocks', 'Blocks'],
      ['special', 'Special-purpose'],
      ['unallocated', 'Not found'],
      ['invalid', 'Invalid'],
      ['provenance', 'Provenance'],
    ]
      .map(([id, label]) => `<a href="#${id}">${label}</a>`)
      .join('')}</nav>`,
  );
  parts.push(
    section(
      'summary',
      'Summary',
      `<dl class="kpis">${[
        kpi('Rows read', groupDigits(t.rows)),
        kpi('Rows with addresses', groupDigits(t.rowsWithAddresses)),
        kpi('Distinct addresses', addressCount(t.addresses, t.addressesExact)),
        kpi('Address values (hits)', groupDigits(t.hits)),
        kpi('Found', groupDigits(t.found)),
        kpi('Not found', groupDigits(t.notFound)),
        kpi('Special-purpose', groupDigits(t.special)),
        kpi('Invalid', groupDigits(t.invalid)),
        kpi('Registries', groupDigits(t.registries)),
        kpi('Countries', groupDigits(t.countries)),
        kpi('Holders', groupDigits(t.holders)),
        kpi('Blocks', groupDigits(t.blocks)),
        kpi('First seen', t.firstSeen ?? '—'),
        kpi('Last seen', t.lastSeen ?? '—'),
      ].join('')}</dl>`,
    ),
  );
  parts.push(
    section('charts', 'Charts', `<div class="charts">${charts(report)}</div>`),
  );
  parts.push(
    section(
      'registries',
      'By registry',
      table(
        't-registries',
        [
          ['Registry', false],
          ...COUNT_HEADS,
          ['Countries', true],
          ['Holders', true],
          ['Blocks', true],
          ['Ask', false, true],
        ],
        report.registries.map((r) => [
          { html: badge(r.rir), sort: r.rir },
          ...countCells(r),
          num(r.countries.length),
          num(r.holders),
          num(r.blocks),
          { html: linksHtml(r.links) },
        ]),
        false,
      ),
    ),
  );
  parts.push(
    section(
      'countries',
      'By registered country',
      `<p class="small">The country a registry records for the holder of a block, not where an address is used.</p>` +
        table(
          't-countries',
          [['Country', false], ['Registries', false], ...COUNT_HEADS],
          report.countries.map((c) => [
            text(countryLabel(c.country)),
            {
              html: c.registries.map(badge).join(' '),
              sort: c.registries.join(','),
            },
            ...countCells(c),
          ]),
          true,
        ),
    ),
  );
  parts.push(
    section(
      'holders',
      'By holder',
      `<p class="small">Holders are the registries' opaque ids (extended files); an id is meaningful within its registry only.</p>` +
        table(
          't-holders',
          [
            ['Registry', false],
            ['Holder', false],
            ['Countries', false],
            ['Blocks', true],
            ...COUNT_HEADS,
          ],
          report.holders.map((h) => [
            { html: badge(h.rir), sort: h.rir },
            {
              html: `<span class="mono">${escapeHtml(holderLabel(h.holder))}</span>`,
            },
            text(h.countries.map(countryLabel).join(', ')),
            num(h.blocks),
            ...countCells(h),
          ]),
          true,
        ),
    ),
  );
  const withRdap = report.registries.some((r) =>
    r.countries.some((c) =>
      c.holders.some((h) => h.blocks.some((b) => b.rdap.length > 0)),
    ),
  );
  const blockRows: Cell[][] = [];
  for (const r of report.registries)
    for (const c of r.countries)
      for (const h of c.holders)
        for (const b of h.blocks)
          blockRows.push([
            { html: badge(r.rir), sort: r.rir },
            text(countryLabel(c.country)),
            {
              html: `<span class="mono">${escapeHtml(holderLabel(h.holder))}</span>`,
            },
            {
              html: `<code>${escapeHtml(blockLabel(b))}</code>`,
              sort: addressSortKey(b.start),
            },
            text(b.status),
            { html: escapeHtml(b.date ?? '—'), sort: b.date ?? '' },
            ...countCells(b),
            { html: addresses(b.topAddresses) },
            ...(withRdap
              ? [{ html: rdapLines(b.rdap).map(escapeHtml).join('<br>') }]
              : []),
            { html: linksHtml(b.links) },
          ]);
  parts.push(
    section(
      'blocks',
      'Delegated blocks, by registry, country and holder',
      `<p class="small">Each block is one record of a registry's delegated statistics. Ask: its RDAP record ` +
        `(<code>ip/&lt;block&gt;</code> at the registry's RDAP service) and the registry's whois page.</p>` +
        table(
          't-blocks',
          [
            ['Registry', false],
            ['Country', false],
            ['Holder', false],
            ['Block', false],
            ['Status', false, true],
            ['Allocated', false],
            ...COUNT_HEADS,
            ['Top addresses', false],
            ...(withRdap ? ([['RDAP', false]] as const) : []),
            ['Ask', false, true],
          ],
          blockRows,
          true,
        ),
    ),
  );
  parts.push(
    section(
      'special',
      'Special-purpose addresses',
      report.special.length === 0
        ? '<p>None.</p>'
        : table(
            't-special',
            [['Kind', false], ...COUNT_HEADS, ['Top addresses', false]],
            report.special.map((s) => [
              text(s.name),
              ...countCells(s),
              { html: addresses(s.topAddresses) },
            ]),
            false,
          ),
    ),
  );
  const u = report.unallocated;
  parts.push(
    section(
      'unallocated',
      'Not found in the registry data',
      u.hits === 0
        ? '<p>None.</p>'
        : `<p>${escapeHtml(addressCount(u.addresses, u.addressesExact))} address(es), ${escapeHtml(groupDigits(u.hits))} hit(s): unallocated space, or space the loaded files do not cover.</p>` +
            table(
              't-unallocated',
              [
                ['Address', false],
                ['Hits', true],
                ['First seen', false],
                ['Last seen', false],
              ],
              u.topAddresses.map((a) => [
                {
                  html: `<code>${escapeHtml(a.ip)}</code>`,
                  sort: addressSortKey(a.ip),
                },
                num(a.hits),
                text(a.firstSeen ?? ''),
                text(a.lastSeen ?? ''),
              ]),
              false,
            ) +
            (u.rdap.length > 0
              ? `<p>RDAP: ${rdapLines(u.rdap).map(escapeHtml).join('; ')}</p>`
              : ''),
    ),
  );
  const inv = report.invalid;
  parts.push(
    section(
      'invalid',
      'Invalid values',
      inv.hits === 0 && inv.missing === 0
        ? '<p>None.</p>'
        : `<p>${escapeHtml(groupDigits(inv.hits))} value(s) that are not addresses in ${escapeHtml(groupDigits(inv.rows))} row(s); ${escapeHtml(groupDigits(inv.missing))} empty value(s).</p>` +
            (inv.examples.length > 0
              ? table(
                  't-invalid',
                  [
                    ['Column', false],
                    ['Value', false],
                    ['Hits', true],
                  ],
                  inv.examples.map((e) => [
                    text(e.column === '' ? '—' : e.column),
                    { html: `<code>${escapeHtml(e.value)}</code>` },
                    num(e.hits),
                  ]),
                  false,
                )
              : ''),
    ),
  );
  if (report.warnings.length > 0)
    parts.push(
      section(
        'warnings',
        'Warnings',
        `<ul class="warnings">${report.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`,
      ),
    );
  parts.push(
    section(
      'provenance',
      'Provenance',
      (m.data.length === 0
        ? '<p>No registry data files were loaded.</p>'
        : table(
            't-data',
            [
              ['Data file', false],
              ['Registry', false],
              ['Date', false],
              ['Records', true],
              ['sha256', false],
            ],
            m.data.map((d) => [
              { html: `<code>${escapeHtml(d.file)}</code>` },
              text(d.registry),
              text(d.endDate ?? '—'),
              num(d.records),
              { html: `<code>${escapeHtml(d.sha256)}</code>` },
            ]),
            false,
          )) +
        `<p class="small">RDAP: ${escapeHtml(m.rdap)}. Memory bounds: ${escapeHtml(groupDigits(m.limits.maxAddressesPerGroup))} distinct addresses per group, ${escapeHtml(groupDigits(m.limits.maxAddresses))} in all; counts past them are lower bounds (≥).</p>`,
    ),
  );
  return (
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">\n` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `<meta name="generator" content="rirmap ${escapeHtml(m.rirmap)}">\n` +
    `<title>Jurisdiction report: ${escapeHtml(m.input.name)}</title>\n<style>${CSS}</style>\n</head>\n<body>\n` +
    parts.join('\n') +
    `\n<script>${SCRIPT}</script>\n</body>\n</html>\n`
  );
}
