/**
 * The JSON report of real shared logs, checked against counts computed in the
 * test by a plain second implementation (test/helpers/report-independent.ts):
 * regex extraction, a linear scan of the delegated records with the README's
 * precedence, syslog times read by regex. Also cross-checked with the counts
 * and hashes shared/data/SOURCES.md gives for these files.
 */

import { createReadStream, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRegistry } from '../../src/registry/load-registry.js';
import { buildReport } from '../../src/report/build-report.js';
import { formatReportJson } from '../../src/report/format-report-json.js';
import type { Report, ReportBlock } from '../../src/report/report-types.js';
import type { Registry } from '../../src/types.js';
import {
  ipText,
  plainReport,
  readPlainRecords,
  type PlainRecord,
  type PlainReport,
} from '../helpers/report-independent.js';

const shared = (p: string): string =>
  fileURLToPath(new URL(`../../../shared/data/${p}`, import.meta.url));
/** The newest file per registry in shared/data/rir (what a directory load picks). */
const DATA = [
  'rir/delegated-afrinic-extended-20260505.gz',
  'rir/delegated-apnic-20190912.gz',
  'rir/delegated-arin-20130813.gz',
  'rir/delegated-iana-20170730.gz',
  'rir/delegated-lacnic-extended-20230323.gz',
  'rir/delegated-ripencc-20140520.gz',
].map(shared);

let registry: Registry;
let records: PlainRecord[];

beforeAll(async () => {
  registry = await loadRegistry({ data: DATA });
  records = readPlainRecords(DATA);
}, 120_000);

function blocksOf(
  report: Report,
): Map<
  string,
  ReportBlock & { rir: string; holder: string | null; country: string | null }
> {
  const out = new Map<
    string,
    ReportBlock & { rir: string; holder: string | null; country: string | null }
  >();
  for (const r of report.registries)
    for (const c of r.countries)
      for (const h of c.holders)
        for (const b of h.blocks)
          out.set(`${r.rir} ${b.start}-${b.end}`, {
            ...b,
            rir: r.rir,
            holder: h.holder,
            country: c.country,
          });
  return out;
}

function checkAgainstPlain(report: Report, plain: PlainReport): void {
  const t = report.totals;
  expect(t.rows).toBe(plain.lines);
  expect(t.hits).toBe(plain.hits);
  expect(t.found).toBe(plain.found);
  expect(t.notFound).toBe(plain.notFound);
  expect(t.special).toBe(plain.special);
  expect(t.invalid).toBe(0);
  expect(t.rowsWithAddresses).toBe(plain.rowsWithAddresses);
  expect(t.addresses).toBe(plain.distinct);
  expect(t.addressesExact).toBe(true);
  expect(t.firstSeen).toBe(plain.total.first);
  expect(t.lastSeen).toBe(plain.total.last);

  // Registries: distinct addresses, hits, rows, countries, blocks, first/last.
  expect(new Set(report.registries.map((r) => r.rir))).toEqual(
    new Set(plain.registries.keys()),
  );
  for (const r of report.registries) {
    const p = plain.registries.get(r.rir)!;
    expect({
      rir: r.rir,
      addresses: r.addresses,
      hits: r.hits,
      rows: r.rows,
      countries: r.countries.length,
      blocks: r.blocks,
    }).toEqual({
      rir: r.rir,
      addresses: p.addresses.size,
      hits: p.hits,
      rows: p.rows.size,
      countries: p.countries.size,
      blocks: p.blocks.size,
    });
    expect([r.firstSeen, r.lastSeen]).toEqual([p.first, p.last]);
  }

  // Countries over all registries.
  expect(report.countries.length).toBe(plain.countries.size);
  for (const c of report.countries) {
    const p = plain.countries.get(c.country)!;
    expect({
      cc: c.country,
      addresses: c.addresses,
      hits: c.hits,
      rows: c.rows,
    }).toEqual({
      cc: c.country,
      addresses: p.addresses.size,
      hits: p.hits,
      rows: p.rows.size,
    });
  }

  // Every block: range, registry, country, holder, status, date, counts.
  const blocks = blocksOf(report);
  expect(blocks.size).toBe(plain.blocks.size);
  for (const [key, p] of plain.blocks) {
    const b = blocks.get(
      `${p.record.rir} ${ipText(p.record.start)}-${ipText(p.record.end)}`,
    );
    expect(b, key).toBeDefined();
    expect({
      country: b!.country,
      holder: b!.holder,
      status: b!.status,
      date: b!.date,
      addresses: b!.addresses,
      hits: b!.hits,
      rows: b!.rows,
      first: b!.firstSeen,
      last: b!.lastSeen,
    }).toEqual({
      country: p.record.country,
      holder: p.record.holder,
      status: p.record.status,
      date: p.record.date,
      addresses: p.addresses.size,
      hits: p.hits,
      rows: p.rows.size,
      first: p.first,
      last: p.last,
    });
    // The listed addresses are the block's most seen ones.
    const top = [...p.addresses];
    for (const a of b!.topAddresses) expect(top).toContain(a.ip);
  }

  // Holders with an id.
  expect(report.holders.length).toBe(plain.holders.size);
  for (const h of report.holders) {
    const p = plain.holders.get(`${h.rir} ${h.holder}`)!;
    expect({
      holder: h.holder,
      addresses: h.addresses,
      hits: h.hits,
      rows: h.rows,
    }).toEqual({
      holder: h.holder,
      addresses: p.addresses.size,
      hits: p.hits,
      rows: p.rows.size,
    });
  }
}

describe('report of the shared OpenSSH log', () => {
  const path = shared('logs/openssh-auth_OpenSSH_2k.log');
  let report: Report;
  let plain: PlainReport;

  beforeAll(async () => {
    report = await buildReport(createReadStream(path), {
      registry,
      inputName: 'openssh-auth_OpenSSH_2k.log',
    });
    plain = plainReport(readFileSync(path, 'latin1'), records);
  }, 120_000);

  it('matches SOURCES.md: 2000 lines, 1732 address occurrences, 30 distinct, input sha256', () => {
    expect(plain.lines).toBe(2000);
    expect(plain.hits).toBe(1732);
    expect(plain.distinct).toBe(30);
    expect(report.manifest.input).toEqual({
      name: 'openssh-auth_OpenSSH_2k.log',
      sha256:
        '1e4912727fa88245113d41b16a0cd25ceadba7f931e1c406542885b91254264f',
      bytes: 225216,
    });
  });

  it('matches the plain implementation, group by group', () => {
    checkAgainstPlain(report, plain);
  });

  it('reads syslog times, without a year', () => {
    expect(report.time).toEqual({
      source: 'line',
      kind: 'yearless',
      rowsWithTime: 1732,
      rowsWithoutTime: 0,
    });
    expect(report.totals.firstSeen).toBe('12-10 06:55:46');
  });

  it('embeds the data files with the sha256 SOURCES.md gives', () => {
    const data = new Map(report.manifest.data.map((d) => [d.file, d]));
    expect(data.get('delegated-apnic-20190912')?.sha256).toBe(
      '98d1f9317f9dcd865da2616a5e8bc028d5ecccecb87bee431a2603661eaf7fb5',
    );
    expect(data.get('delegated-arin-20130813')?.sha256).toBe(
      '0566b9da39cc98d8fa567121a32c6cbd51ad062affff841d86c6674478ebfa27',
    );
    expect(data.get('delegated-arin-20130813')?.records).toBe(72419);
    expect(report.manifest.rirmap).toMatch(/^\d+\.\d+\.\d+/);
    expect(report.manifest.mode).toBe('input');
  });

  it('is byte-identical for the same input and data, and says nothing of the clock', async () => {
    const again = await buildReport(createReadStream(path), {
      registry,
      inputName: 'openssh-auth_OpenSSH_2k.log',
    });
    const a = formatReportJson(report);
    expect(formatReportJson(again)).toBe(a);
    expect(JSON.parse(a)).toEqual(report);
    const today = new Date().toISOString().slice(0, 10);
    expect(a.includes(today)).toBe(false);
  });

  it('links each registry and block to its RDAP and whois pages', () => {
    for (const r of report.registries) {
      expect(r.links.rdap).toMatch(/^https:\/\/rdap\./);
      expect(r.links.whois).toMatch(/^https:\/\//);
      for (const c of r.countries)
        for (const h of c.holders)
          for (const b of h.blocks) {
            expect(b.links.rdap).toBe(
              `${r.links.rdap}ip/${b.cidrs.length === 1 ? b.cidrs[0] : b.start}`,
            );
            expect(b.links.whois).toContain(
              encodeURIComponent(b.cidrs.length === 1 ? b.cidrs[0]! : b.start),
            );
          }
    }
    expect(report.note).toMatch(/not the location/);
  });
});

describe('report of the shared UFW log', () => {
  const path = shared('logs/ufw-kernel_ufw.log.1');
  let report: Report;
  let plain: PlainReport;

  beforeAll(async () => {
    report = await buildReport(createReadStream(path), {
      registry,
      inputName: 'ufw.log',
    });
    plain = plainReport(readFileSync(path, 'latin1'), records);
  }, 120_000);

  it('matches SOURCES.md: 8351 lines, 16702 occurrences, 1143 distinct, all public', () => {
    expect(plain.lines).toBe(8351);
    expect(plain.hits).toBe(16702);
    expect(plain.distinct).toBe(1143);
    expect(plain.special).toBe(0);
    expect(report.manifest.input.sha256).toBe(
      '39c77c3672d03eccc663fe7f5ae58291e4f924ff232fbbe44241a3e16d1c7933',
    );
  });

  it('matches the plain implementation, group by group', () => {
    checkAgainstPlain(report, plain);
  });

  it('counts the scanned server once per line in its block', () => {
    // DST=194.58.102.129 is on every line: its block has a hit and a row per line.
    const blocks = blocksOf(report);
    const dst = [...blocks.values()].find((b) =>
      b.topAddresses.some((a) => a.ip === '194.58.102.129'),
    )!;
    const entry = dst.topAddresses.find((a) => a.ip === '194.58.102.129')!;
    expect(entry.hits).toBe(8351);
    expect(dst.rows).toBe(8351);
    expect(entry.firstSeen).toBe('05-19 00:00:52');
  });
});

describe('memory bounds', () => {
  it('turns distinct counts into lower bounds past the limits, and says so', async () => {
    const path = shared('logs/ufw-kernel_ufw.log.1');
    const report = await buildReport(createReadStream(path), {
      registry,
      limits: { maxAddressesPerGroup: 3, maxAddresses: 50 },
    });
    const plain = plainReport(readFileSync(path, 'latin1'), records);
    expect(report.totals.hits).toBe(plain.hits);
    expect(report.totals.addressesExact).toBe(false);
    expect(report.totals.addresses).toBeLessThanOrEqual(50);
    const blocks = blocksOf(report);
    for (const [key, p] of plain.blocks) {
      const b = blocks.get(
        `${p.record.rir} ${ipText(p.record.start)}-${ipText(p.record.end)}`,
      )!;
      expect(b.hits, key).toBe(p.hits);
      expect(b.rows, key).toBe(p.rows.size);
      expect(b.addresses).toBeLessThanOrEqual(Math.min(3, p.addresses.size));
      if (p.addresses.size > 3) expect(b.addressesExact).toBe(false);
    }
    expect(report.warnings.some((w) => /lower bounds/.test(w))).toBe(true);
  }, 120_000);
});
