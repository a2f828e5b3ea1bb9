/**
 * Reports read back from files `rirmap enrich` wrote (--from-enriched) agree
 * with reports built from the raw input, for every output form enrichment
 * has; and a table input agrees with the plain second implementation.
 */

import { createReadStream, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { enrichText } from '../../src/enrich/enrich-text.js';
import { loadRegistry } from '../../src/registry/load-registry.js';
import { buildReport } from '../../src/report/build-report.js';
import type { Report } from '../../src/report/report-types.js';
import type { Registry } from '../../src/types.js';
import {
  plainReport,
  readPlainRecords,
  syslogTime,
  type PlainReport,
} from '../helpers/report-independent.js';

const shared = (p: string): string =>
  fileURLToPath(new URL(`../../../shared/data/${p}`, import.meta.url));
const DATA = [
  'rir/delegated-afrinic-extended-20260505.gz',
  'rir/delegated-apnic-20190912.gz',
  'rir/delegated-arin-20130813.gz',
  'rir/delegated-iana-20170730.gz',
  'rir/delegated-lacnic-extended-20230323.gz',
  'rir/delegated-ripencc-20140520.gz',
].map(shared);

let registry: Registry;

beforeAll(async () => {
  registry = await loadRegistry({ data: DATA });
}, 120_000);

async function enrich(
  input: string | Buffer,
  options: Record<string, unknown> = {},
): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of enrichText([input], { registry, ...options }))
    parts.push(chunk);
  return Buffer.concat(parts);
}

/** Everything but the manifest (input hash, mode) and warnings. */
function body(r: Report): Omit<Report, 'manifest' | 'warnings'> {
  const { manifest: _m, warnings: _w, ...rest } = r;
  return rest;
}

describe('reports from enriched logs equal reports from the raw log', () => {
  const ufw = readFileSync(shared('logs/ufw-kernel_ufw.log.1'));
  let raw: Report;

  beforeAll(async () => {
    raw = await buildReport([ufw], { registry });
  }, 120_000);

  it('--annotate jsonl (default)', async () => {
    const enriched = await enrich(ufw);
    expect(enriched.subarray(0, 9).toString()).toBe('{"line":"');
    const r = await buildReport([enriched], { registry, from: 'enriched' });
    expect(body(r)).toEqual(body(raw));
    expect(r.manifest.mode).toBe('enriched');
    expect(r.manifest.rdap).toBe('file');
    expect(r.warnings).toEqual([]);
  }, 120_000);

  it('--annotate inline', async () => {
    const enriched = await enrich(ufw, { annotate: 'inline' });
    expect(enriched.toString('latin1', 0, 400)).toMatch(/SRC=[\d.]+ \[rir=/);
    const r = await buildReport([enriched], { registry, from: 'enriched' });
    expect(body(r)).toEqual(body(raw));
  }, 120_000);

  it('without registry data, from the holder and range fields', async () => {
    const enriched = await enrich(ufw, {
      fields: 'rir,country,date,status,holder,range,cidr',
    });
    const r = await buildReport([enriched], { from: 'enriched' });
    expect(r.manifest.data).toEqual([]);
    expect(r.warnings.some((w) => /no registry data/.test(w))).toBe(true);
    expect(r.totals).toEqual(raw.totals);
    expect(r.countries).toEqual(raw.countries);
    expect(r.holders).toEqual(raw.holders);
    const strip = (rep: Report) =>
      rep.registries.map((g) => ({
        rir: g.rir,
        addresses: g.addresses,
        hits: g.hits,
        rows: g.rows,
        blocks: g.countries.flatMap((c) =>
          c.holders.flatMap((h) =>
            h.blocks.map((b) => [
              c.country,
              h.holder,
              b.start,
              b.end,
              b.cidrs,
              b.date,
              b.status,
              b.hits,
              b.addresses,
            ]),
          ),
        ),
      }));
    expect(strip(r)).toEqual(strip(raw));
  }, 120_000);

  it('refuses a file enrichment did not write', async () => {
    await expect(
      buildReport([Buffer.from('{"a":1}\n{"b":2}\n')], {
        registry,
        from: 'enriched',
      }),
    ).rejects.toMatchObject({
      code: 'INPUT_MALFORMED',
    });
  });
});

describe('a CSV of flows', () => {
  // Built from the UFW log: one row per line, time in ISO form, the two addresses.
  const lines = readFileSync(shared('logs/ufw-kernel_ufw.log.1'), 'latin1')
    .split('\n')
    .filter((l) => l !== '');
  const csv =
    'timestamp,src_ip,dst_ip,proto\n' +
    lines
      .map((l) => {
        const t = syslogTime(l)!; // mm-dd hh:mm:ss
        return `2024-${t.slice(0, 5)}T${t.slice(6)}Z,${/SRC=(\S+)/.exec(l)![1]},${/DST=(\S+)/.exec(l)![1]},${/PROTO=(\S+)/.exec(l)![1]}`;
      })
      .join('\n') +
    '\n';
  let raw: Report;
  let plain: PlainReport;

  beforeAll(async () => {
    raw = await buildReport([csv], { registry });
    plain = plainReport(
      readFileSync(shared('logs/ufw-kernel_ufw.log.1'), 'latin1'),
      readPlainRecords(DATA),
    );
  }, 120_000);

  it('reads the address columns and the time column', () => {
    expect(raw.manifest.format).toBe('csv');
    expect(raw.manifest.columns).toEqual(['src_ip', 'dst_ip']);
    expect(raw.time).toEqual({
      source: 'timestamp',
      kind: 'utc',
      rowsWithTime: 8351,
      rowsWithoutTime: 0,
    });
    expect(raw.totals.firstSeen).toBe(
      `2024-${plain.total.first!.replace(' ', 'T')}Z`,
    );
    expect(raw.totals.lastSeen).toBe(
      `2024-${plain.total.last!.replace(' ', 'T')}Z`,
    );
  });

  it('counts as the plain implementation does', () => {
    expect([
      raw.totals.rows,
      raw.totals.hits,
      raw.totals.found,
      raw.totals.addresses,
    ]).toEqual([plain.lines, plain.hits, plain.found, plain.distinct]);
    for (const r of raw.registries) {
      const p = plain.registries.get(r.rir)!;
      expect([r.rir, r.addresses, r.hits, r.rows, r.blocks]).toEqual([
        r.rir,
        p.addresses.size,
        p.hits,
        p.rows.size,
        p.blocks.size,
      ]);
    }
  });

  it('gives the same report from the enriched CSV', async () => {
    const enriched = await enrich(csv);
    expect(enriched.toString('latin1', 0, 200)).toContain('src_ip_rir');
    const r = await buildReport([enriched], { registry, from: 'enriched' });
    expect(body(r)).toEqual(body(raw));
  }, 120_000);

  it('counts empty and invalid cells', async () => {
    const r = await buildReport(
      ['src_ip,dst_ip\n1.0.16.1,\nnot-an-ip,8.8.8.8\n'],
      { registry, format: 'csv' },
    );
    expect([r.totals.invalid, r.totals.missing, r.invalid.examples]).toEqual([
      1,
      1,
      [{ value: 'not-an-ip', column: 'src_ip', hits: 1 }],
    ]);
    const enriched = await enrich(
      'src_ip,dst_ip\n1.0.16.1,\nnot-an-ip,8.8.8.8\n',
      { format: 'csv' },
    );
    const e = await buildReport([enriched], { registry, from: 'enriched' });
    expect(body(e)).toEqual(body(r));
  }, 60_000);
});

describe('JSON lines and Zeek', () => {
  it('Cowrie JSON: raw and enriched agree; times from "timestamp"', async () => {
    const input = readFileSync(
      shared('logs/cowrie-honeypot_cowrie.json.2018-05-20'),
    );
    const raw = await buildReport([input], { registry });
    expect(raw.manifest.columns).toEqual(['src_ip', 'dst_ip']);
    expect(raw.time.source).toBe('timestamp');
    expect(raw.totals.firstSeen).toBe('2018-05-20T00:05:32.496Z');
    // dst_ip is the honeypot's own private address (SOURCES.md): special, never found.
    expect(raw.special.map((s) => s.name)).toEqual(['private']);
    expect(raw.special[0]!.topAddresses.map((a) => a.ip)).toEqual([
      '172.17.0.3',
    ]);
    // Distinct values of the two keys, read here with JSON.parse: 65 attackers (SOURCES.md)
    // plus the destinations of proxied connections (some IPv6), plus the honeypot itself.
    const src = new Set<string>();
    const all = new Set<string>();
    for (const line of input.toString('utf8').split('\n')) {
      if (line === '') continue;
      const o = JSON.parse(line) as { src_ip?: string; dst_ip?: string };
      if (o.src_ip !== undefined) src.add(o.src_ip);
      for (const v of [o.src_ip, o.dst_ip]) if (v !== undefined) all.add(v);
    }
    expect(src.size).toBe(65);
    expect(raw.totals.addresses).toBe(all.size);
    expect(
      raw.registries.reduce((n, r) => n + r.addresses, 0) +
        raw.unallocated.addresses,
    ).toBe(all.size - 1);
    const enriched = await enrich(input);
    const r = await buildReport([enriched], { registry, from: 'enriched' });
    expect(body(r)).toEqual(body(raw));
  }, 120_000);

  it('Zeek conn.log: raw and enriched agree; times from "ts"', async () => {
    const input = readFileSync(shared('logs/zeek-conn_trickbot_conn.log'));
    const raw = await buildReport([input], { registry });
    expect(raw.manifest.format).toBe('zeek');
    expect(raw.manifest.columns).toEqual(['id.orig_h', 'id.resp_h']);
    expect(raw.time.source).toBe('ts');
    expect(raw.time.kind).toBe('utc');
    // 348 distinct addresses (SOURCES.md).
    expect(raw.totals.addresses).toBe(348);
    const enriched = await enrich(input);
    const r = await buildReport([enriched], { registry, from: 'enriched' });
    expect(body(r)).toEqual(body(raw));
  }, 120_000);
});

describe('input handling', () => {
  it('reads a stream, hashes it, and stops on abort', async () => {
    const path = shared('logs/openssh-auth_OpenSSH_2k.log');
    const r = await buildReport(createReadStream(path), { registry });
    expect(r.manifest.input.bytes).toBe(225216);
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(
      buildReport(createReadStream(path), { registry, signal: ac.signal }),
    ).rejects.toThrow('stop');
  });

  it('checks options at once', async () => {
    await expect(buildReport([''], {} as never)).rejects.toThrow(
      /`registry` is required/,
    );
    await expect(
      buildReport([''], { registry, format: 'xml' as never }),
    ).rejects.toThrow(/`format`/);
    await expect(buildReport([''], { registry, year: 1800 })).rejects.toThrow(
      RangeError,
    );
  });
});
