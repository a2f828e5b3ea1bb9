/**
 * The HTML report in a real headless browser (Debian's chromium, driven by
 * playwright-core): no console errors, no request but the page itself, the
 * charts with the expected number of bars, sorting and filtering, print
 * styles. A screenshot and a PDF go to test-artifacts/ (not committed).
 * Skipped, with a message, when /usr/bin/chromium is not installed.
 */

import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRegistry } from '../../src/registry/load-registry.js';
import { buildReport } from '../../src/report/build-report.js';
import { formatReportHtml } from '../../src/report/format-report-html.js';
import {
  plainReport,
  readPlainRecords,
  type PlainReport,
} from '../helpers/report-independent.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(
    `report-html: skipped: ${CHROMIUM} is not installed (apt-get install chromium; .ci/run installs it)`,
  );

const shared = (p: string): string =>
  fileURLToPath(new URL(`../../../shared/data/${p}`, import.meta.url));
const ARTIFACTS = fileURLToPath(
  new URL('../../test-artifacts/', import.meta.url),
);
const DATA = [
  'rir/delegated-afrinic-extended-20260505.gz',
  'rir/delegated-apnic-20190912.gz',
  'rir/delegated-arin-20130813.gz',
  'rir/delegated-iana-20170730.gz',
  'rir/delegated-lacnic-extended-20230323.gz',
  'rir/delegated-ripencc-20140520.gz',
].map(shared);
const LOG = shared('logs/ufw-kernel_ufw.log.1');

/** The DOM bits the page functions read (the project compiles without the DOM library). */
interface Row {
  readonly hidden: boolean;
  readonly cells: ArrayLike<{
    readonly textContent: string | null;
    getAttribute(name: string): string | null;
  }>;
}

describe.skipIf(!hasChromium)('HTML report in headless Chromium', () => {
  let dir: string;
  let context: BrowserContext;
  let page: Page;
  let pageUrl: string;
  let plain: PlainReport;
  const problems: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    const registry = await loadRegistry({ data: DATA });
    const report = await buildReport([readFileSync(LOG)], {
      registry,
      inputName: 'ufw-kernel_ufw.log.1',
    });
    plain = plainReport(readFileSync(LOG, 'latin1'), readPlainRecords(DATA));
    dir = mkdtempSync(join(tmpdir(), 'rirmap-report-html-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, formatReportHtml(report));
    pageUrl = pathToFileURL(file).href;
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 1800 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning')
        problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pageUrl, { waitUntil: 'load' });
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('loads with no console error and no request but the page', () => {
    expect(problems).toEqual([]);
    expect(requests).toEqual([pageUrl]);
  });

  it('draws the charts with one bar per registry, top country, allocation year and top holder', async () => {
    const bars = (id: string): Promise<number> =>
      page.locator(`#${id} rect.bar`).count();
    expect(await bars('chart-registries')).toBe(plain.registries.size);
    expect(await bars('chart-countries')).toBe(
      Math.min(20, plain.countries.size),
    );
    expect(await bars('chart-holders')).toBe(Math.min(20, plain.holders.size));
    const years = [...plain.blocks.values()]
      .map((b) => b.record.date)
      .filter((d): d is string => d !== null)
      .map((d) => Number(d.slice(0, 4)));
    expect(await bars('chart-years')).toBe(
      Math.max(...years) - Math.min(...years) + 1,
    );
    // Bar lengths follow the values: the registry with most addresses has the longest bar.
    const widths = await page.$$eval('#chart-registries rect.bar', (rs) =>
      rs.map((r) => Number(r.getAttribute('width'))),
    );
    expect(widths[0]).toBe(Math.max(...widths));
  });

  it('sorts a table by a column, both ways', async () => {
    const values = (): Promise<number[]> =>
      page.$$eval('#t-countries tbody tr', (rows) =>
        (rows as unknown as Row[]).map((r) =>
          Number(r.cells[2]!.getAttribute('data-v')),
        ),
      );
    const header = page.locator('#t-countries thead th', {
      hasText: 'Addresses',
    });
    await header.click();
    const up = await values();
    expect(up).toEqual([...up].sort((a, b) => a - b));
    expect(await header.getAttribute('aria-sort')).toBe('ascending');
    await header.click();
    const down = await values();
    expect(down).toEqual([...down].sort((a, b) => b - a));
    expect(down.length).toBe(plain.countries.size);
    // A text column, from the keyboard.
    const country = page.locator('#t-countries thead th', {
      hasText: 'Country',
    });
    await country.focus();
    await page.keyboard.press('Enter');
    const names = await page.$$eval('#t-countries tbody tr', (rows) =>
      (rows as unknown as Row[]).map((r) =>
        r.cells[0]!.textContent!.toLowerCase(),
      ),
    );
    expect(names).toEqual([...names].sort());
  });

  it('filters a table with the text box', async () => {
    const expected = [...plain.blocks.values()].filter(
      (b) => b.record.rir === 'ripencc' && b.record.country === 'RU',
    ).length;
    expect(expected).toBeGreaterThan(0);
    await page.fill('input.filter[data-for="t-blocks"]', 'ripe ncc RU');
    const visible = await page.$$eval('#t-blocks tbody tr', (rows) =>
      (rows as unknown as Row[])
        .filter((r) => !r.hidden)
        .map((r) => [r.cells[0]!.textContent, r.cells[1]!.textContent]),
    );
    expect(visible.length).toBe(expected);
    for (const [rir, cc] of visible)
      expect([rir, cc]).toEqual(['RIPE NCC', 'RU']);
    expect(await page.textContent('#t-blocks-count')).toBe(
      `${expected} of ${plain.blocks.size} rows`,
    );
    await page.fill('input.filter[data-for="t-blocks"]', '');
    expect(await page.textContent('#t-blocks-count')).toBe(
      `${plain.blocks.size} of ${plain.blocks.size} rows`,
    );
  });

  it('prints: tools hidden, charts kept; screenshot and PDF into test-artifacts/', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(ARTIFACTS, 'report-ufw.png') });
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('input.filter').first().isVisible()).toBe(false);
    expect(await page.locator('#chart-countries').isVisible()).toBe(true);
    const pdf = await page.pdf({
      path: join(ARTIFACTS, 'report-ufw.pdf'),
      preferCSSPageSize: true,
    });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await page.emulateMedia({ media: 'screen' });
    expect(existsSync(join(ARTIFACTS, 'report-ufw.png'))).toBe(true);
    expect(requests).toEqual([pageUrl]);
  });
});
