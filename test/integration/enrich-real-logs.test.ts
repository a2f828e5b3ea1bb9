/**
 * The whole real shared logs against the real shared registry files. The
 * oracle for every added value is `registry.query()` (the registry's own
 * answer, independent of the enrichment's rendering and caching); the oracle
 * for the input side is the input itself.
 */

import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRegistry } from '../../src/registry/load-registry.js';
import type { Registry } from '../../src/types.js';
import { extractAddresses } from '../../src/enrich/extract-addresses.js';
import { enrichBytes, sharedPath } from '../unit/enrich-helpers.js';

let registry: Registry;
beforeAll(async () => {
  registry = await loadRegistry({ data: [sharedPath('rir')] });
}, 60_000);

/** rir, country, date, status as registry.query answers them (nulls for no answer). */
function expectedFields(address: string): Record<string, string | null> {
  const r = registry.query(address);
  if ('error' in r || !r.found)
    return { rir: null, country: null, date: null, status: null };
  return { rir: r.rir, country: r.country, date: r.date, status: r.status };
}

function lines(text: string): string[] {
  const l = text.split('\n');
  if (l[l.length - 1] === '') l.pop();
  return l;
}

describe('real logs, jsonl annotation', () => {
  it.each([
    'openssh-auth_OpenSSH_2k.log',
    'linux-syslog_Linux_2k.log',
    'apache-error_Apache_2k.log',
    'apache-access-combined_apache_logs.log',
    'ufw-kernel_ufw.log.1',
    'iptables-kernel_iptables.log',
  ])(
    '%s: one object per line, the line unchanged, every value as the registry answers',
    async (file) => {
      const input = await readFile(sharedPath(`logs/${file}`));
      const { bytes, summary } = await enrichBytes(input, { registry });
      const inLines = lines(input.toString('latin1'));
      const outLines = lines(bytes.toString('utf8'));
      expect(outLines).toHaveLength(inLines.length);
      expect(summary.rows).toBe(inLines.length);
      let addresses = 0;
      outLines.forEach((o, i) => {
        const obj = JSON.parse(o) as {
          line: string;
          ips: Record<string, unknown>[];
        };
        const line = inLines[i]!.replace(/\r$/, '');
        expect(obj.line).toBe(line);
        const found = extractAddresses(line);
        expect(obj.ips.map((e) => [e['ip'], e['offset']])).toEqual(
          found.map((a) => [a.ip, a.offset]),
        );
        for (const e of obj.ips) {
          const { ip: _ip, offset: _o, ...fields } = e;
          expect(fields).toEqual(expectedFields(e['ip'] as string));
        }
        addresses += obj.ips.length;
      });
      expect(summary.addresses).toBe(addresses);
      expect(
        summary.found + summary.notFound + summary.special + summary.invalid,
      ).toBe(addresses);
    },
  );
});

describe('real JSON lines and Zeek', () => {
  it.each([
    ['cowrie-honeypot_cowrie.json.2018-05-20', ['src_ip', 'dst_ip']],
    ['suricata-eve_zeus_eve.json', ['src_ip', 'dest_ip']],
  ] as const)(
    '%s: every object kept as it was, plus the registry objects',
    async (file, columns) => {
      const input = await readFile(sharedPath(`logs/${file}`));
      const { bytes, summary } = await enrichBytes(input, { registry });
      expect(summary.columns).toEqual(columns);
      const inLines = lines(input.toString('utf8'));
      const outLines = lines(bytes.toString('utf8'));
      expect(outLines).toHaveLength(inLines.length);
      outLines.forEach((o, i) => {
        const original = JSON.parse(inLines[i]!) as Record<string, unknown>;
        const enriched = JSON.parse(o) as Record<string, unknown>;
        const added = columns.map((c) => `${c}_registry`);
        expect(Object.keys(enriched)).toEqual([
          ...Object.keys(original),
          ...added,
        ]);
        for (const [k, v] of Object.entries(original))
          expect(enriched[k]).toEqual(v);
        // The input bytes up to the closing brace are unchanged.
        const close = inLines[i]!.lastIndexOf('}');
        expect(o.startsWith(inLines[i]!.slice(0, close))).toBe(true);
        columns.forEach((c, k) => {
          const v = original[c];
          const reg = enriched[added[k]!] as Record<string, unknown>;
          if (typeof v !== 'string')
            expect(reg).toEqual({
              rir: null,
              country: null,
              date: null,
              status: null,
              error: 'missing',
            });
          else expect(reg).toEqual(expectedFields(v));
        });
      });
    },
  );

  it('zeek conn.log: every row keeps its bytes; header lines extended', async () => {
    const input = await readFile(
      sharedPath('logs/zeek-conn_trickbot_conn.log'),
    );
    const { bytes, summary } = await enrichBytes(input, { registry });
    const inLines = lines(input.toString('latin1'));
    const outLines = lines(bytes.toString('latin1'));
    expect(outLines).toHaveLength(inLines.length);
    expect(summary).toMatchObject({
      format: 'zeek',
      columns: ['id.orig_h', 'id.resp_h'],
      rows: 13001,
    });
    const fields = ['rir', 'country', 'date', 'status'] as const;
    outLines.forEach((o, i) => {
      const line = inLines[i]!;
      if (line.startsWith('#fields') || line.startsWith('#types')) {
        expect(o.startsWith(`${line}\t`)).toBe(true);
        return;
      }
      if (line.startsWith('#')) {
        expect(o).toBe(line);
        return;
      }
      expect(o.startsWith(`${line}\t`)).toBe(true);
      const cells = line.split('\t');
      const added = o.slice(line.length + 1).split('\t');
      expect(added).toHaveLength(10);
      [cells[2]!, cells[4]!].forEach((ip, k) => {
        const want = expectedFields(ip);
        expect(added.slice(k * 5, k * 5 + 4)).toEqual(
          fields.map((f) => want[f] ?? '-'),
        );
        expect(added[k * 5 + 4]).toBe('-');
      });
    });
    // SOURCES.md: 8108 public + 17894 private occurrences; multicast and
    // broadcast are special-purpose here, so special + found + not found = 26002.
    expect(summary.found + summary.notFound + summary.special).toBe(26002);
  });
});

describe('a flow CSV from the whole UFW log', () => {
  it('every row: the input bytes, then cells as the registry answers', async () => {
    const ufw = lines(
      await readFile(sharedPath('logs/ufw-kernel_ufw.log.1'), 'latin1'),
    );
    const rows = ufw.map((l) => {
      const get = (k: string): string =>
        l.match(new RegExp(`\\b${k}=(\\S*)`))?.[1] ?? '';
      return `${l.slice(0, 15)},${get('SRC')},${get('DST')},${get('SPT')},${get('DPT')},${get('PROTO')}`;
    });
    const input = `time,src_ip,dst_ip,spt,dpt,proto\r\n${rows.join('\r\n')}\r\n`;
    const { bytes, summary } = await enrichBytes(Buffer.from(input, 'latin1'), {
      registry,
    });
    expect(summary).toMatchObject({
      format: 'csv',
      columns: ['src_ip', 'dst_ip'],
      rows: rows.length,
    });
    const out = bytes.toString('latin1').split('\r\n');
    rows.forEach((row, i) => {
      const o = out[i + 1]!;
      expect(o.startsWith(`${row},`)).toBe(true);
      const cells = o.slice(row.length + 1).split(',');
      const [, src, dst] = row.split(',');
      const want = [src!, dst!].flatMap((ip) => {
        const f = expectedFields(ip);
        return [
          f['rir'] ?? '',
          f['country'] ?? '',
          f['date'] ?? '',
          f['status'] ?? '',
          '',
        ];
      });
      expect(cells).toEqual(want);
    });
  });
});
