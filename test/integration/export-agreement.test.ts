/**
 * Agreement on the real shared RIR files: the exported MMDB is read by three
 * independent readers (the `maxmind` npm package, Python's maxminddb in pure
 * Python and through its libmaxminddb C extension, and libmaxminddb's
 * `mmdblookup`) on over 100,000 random and edge addresses, and each answers
 * exactly what `registry.lookup` answers. The whole tree is also flattened and
 * compared range by range with the registry's index, and the CSV export is
 * checked row by row against lookup.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Reader } from 'maxmind';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeMmdb } from '../../src/export/write-mmdb.js';
import { writeRanges } from '../../src/export/write-ranges.js';
import { wordsToBigInt } from '../../src/ip/format-ip.js';
import { parseIpv4, parseIpv6 } from '../../src/ip/parse-ip.js';
import { SPECIAL_IPV4, SPECIAL_IPV6 } from '../../src/ip/special.js';
import { loadRegistry } from '../../src/registry/load-registry.js';
import type { Registry } from '../../src/types.js';
import {
  expectedLookup,
  expectedMmdbValue,
  sampleAddresses,
} from '../helpers/export-expected.js';
import {
  verifyMmdb,
  type VerifyResult,
} from '../helpers/export-mmdb-verify.js';
import {
  findPython,
  hasMmdblookup,
  mmdblookupMany,
  pythonLookups,
} from '../helpers/export-readers.js';

const DATA_DIR = fileURLToPath(
  new URL('../../../shared/data/rir/', import.meta.url),
);
const MMDBLOOKUP_SAMPLE = Number(
  process.env['RIRMAP_MMDBLOOKUP_SAMPLE'] ?? 400,
);
const IN_CI = process.env['CI'] === 'true';

// The machine may be shared: generous timeouts, no timed assertions.
vi.setConfig({ testTimeout: 60_000 });

const json = (v: unknown): string => JSON.stringify(v) ?? 'undefined';

let registry: Registry;
let buf: Buffer;
let file: string;
let dir: string;
let ips: string[];
let expected: string[];
let verified: VerifyResult;

beforeAll(async () => {
  registry = await loadRegistry({ data: [DATA_DIR] });
  const chunks: Uint8Array[] = [];
  await writeMmdb(registry, (c) => void chunks.push(c), {
    buildEpoch: 1_700_000_000,
  });
  buf = Buffer.concat(chunks);
  dir = mkdtempSync(join(tmpdir(), 'rirmap-export-'));
  file = join(dir, 'rirmap.mmdb');
  writeFileSync(file, buf);
  ips = sampleAddresses(registry, {
    edges: 60_000,
    randomV4: 20_000,
    randomV6: 15_000,
    mapped: 5_000,
    seed: 20_240_601,
  });
  expected = ips.map((ip) =>
    json(expectedMmdbValue(expectedLookup(registry, ip))),
  );
  verified = verifyMmdb(buf);
}, 180_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** Mismatches, at most 10, as readable lines. */
function mismatches(answer: (i: number) => unknown): string[] {
  const out: string[] = [];
  for (let i = 0; i < ips.length && out.length < 10; i++) {
    const got = json(answer(i));
    if (got !== expected[i])
      out.push(`${ips[i]}: got ${got}, expected ${expected[i]}`);
  }
  return out;
}

describe('MMDB export of the shared RIR files', () => {
  it('tests over 100,000 addresses, hits and misses, IPv4 and IPv6', () => {
    expect(ips.length).toBeGreaterThanOrEqual(100_000);
    const hits = expected.filter((e) => e !== 'null').length;
    expect(hits).toBeGreaterThan(30_000);
    // Misses: the IANA file answers for most unallocated space, so misses are mostly special-purpose.
    expect(ips.length - hits).toBeGreaterThan(5_000);
    expect(
      ips.filter((ip) => ip.includes(':') && !ip.startsWith('::ffff:')).length,
    ).toBeGreaterThan(30_000);
  });

  it('passes the structural verifier', () => {
    const v = verified;
    expect(v.metadata).toMatchObject({
      binary_format_major_version: 2,
      binary_format_minor_version: 0,
      ip_version: 6,
      database_type: 'rirmap-Registry-Country',
      languages: ['en'],
    });
    expect([24, 28, 32]).toContain(v.metadata.record_size);
    // The smallest record size that fits was chosen.
    const maxValue = v.metadata.node_count + 16 + v.dataSectionBytes - 1;
    const smallest = [24, 28, 32].find((s) => maxValue < 2 ** s);
    expect(v.metadata.record_size).toBe(smallest);
    for (const s of registry.sources)
      expect(v.metadata.description['en']).toContain(s.file);
  });

  it('the maxmind npm reader agrees with lookup', () => {
    const reader = new Reader(buf);
    expect(mismatches((i) => reader.get(ips[i]!))).toEqual([]);
  });

  describe.skipIf(findPython() === null && !IN_CI)('python maxminddb', () => {
    it('pure-Python reader agrees with lookup', () => {
      const { metadata, answers } = pythonLookups(file, ips, 'pure');
      expect(metadata).toMatchObject({
        ip_version: 6,
        binary_format_major_version: 2,
      });
      expect(mismatches((i) => answers[i]![0])).toEqual([]);
    }, 120_000);

    it('C extension (libmaxminddb) agrees with lookup', () => {
      const { metadata, answers } = pythonLookups(file, ips, 'ext');
      expect(metadata['node_count']).toBe(verified.metadata.node_count);
      expect(mismatches((i) => answers[i]![0])).toEqual([]);
    }, 120_000);
  });

  describe.skipIf(!hasMmdblookup() && !IN_CI)('mmdblookup', () => {
    it(`agrees with lookup on ${MMDBLOOKUP_SAMPLE} sampled addresses`, () => {
      // Every k-th address: a mix of edges, random, mapped and fixed addresses.
      const step = Math.max(1, Math.floor(ips.length / MMDBLOOKUP_SAMPLE));
      const picked: number[] = [];
      for (
        let i = 0;
        i < ips.length && picked.length < MMDBLOOKUP_SAMPLE;
        i += step
      )
        picked.push(i);
      const got = mmdblookupMany(
        file,
        picked.map((i) => ips[i]!),
      );
      const wrong = picked
        .map((i, k) => [ips[i], json(got[k]), expected[i]] as const)
        .filter(([, g, e]) => g !== e);
      expect(wrong.slice(0, 10)).toEqual([]);
    }, 120_000);

    // Its metadata output (--verbose) is checked on the small database of the unit tests.
  });

  it('the whole tree equals the registry index, less special-purpose blocks', () => {
    const got = flattenTree(verified);
    const want = expectedTree(registry);
    let first = -1;
    for (let i = 0; i < Math.max(got.length, want.length) && first < 0; i++) {
      const g = got[i];
      const w = want[i];
      if (g?.start !== w?.start || g?.end !== w?.end || g?.value !== w?.value)
        first = i;
    }
    const show = (x: Span | undefined): string =>
      x === undefined
        ? 'none'
        : `${x.start.toString(16)}-${x.end.toString(16)} ${x.value}`;
    expect(
      first < 0
        ? 'equal'
        : `span ${first}: tree ${show(got[first])}, index ${show(want[first])}`,
    ).toBe('equal');
    expect(got.length).toBeGreaterThan(100_000);
    // ::ffff:0:0/96 is one record pointing at the IPv4 subtree, the node at ::/96.
    expect(verified.aliases).toEqual([
      {
        start: 0xffffn << 32n,
        prefixLength: 96,
        node: verified.nodeAt(0n, 96),
      },
    ]);
  }, 120_000);

  it('an IPv4-only export with some fields agrees with lookup', async () => {
    const chunks: Uint8Array[] = [];
    const fields = ['rir', 'country', 'status'] as const;
    await writeMmdb(registry, (c) => void chunks.push(c), {
      ipv4Only: true,
      fields: [...fields],
    });
    const small = Buffer.concat(chunks);
    expect(verifyMmdb(small).metadata.ip_version).toBe(4);
    const reader = new Reader(small);
    const v4 = ips.filter((ip) => parseIpv4(ip) >= 0);
    const wrong = v4
      .filter(
        (ip) =>
          json(reader.get(ip)) !==
          json(expectedMmdbValue(registry.lookup(ip), fields)),
      )
      .slice(0, 10);
    expect(wrong).toEqual([]);
    expect(small.length).toBeLessThan(buf.length);
  });
});

describe('CSV export of the shared RIR files', () => {
  it('rows are sorted, disjoint, and answer what lookup answers at both ends', async () => {
    const chunks: Uint8Array[] = [];
    await writeRanges(registry, (c) => void chunks.push(c), { format: 'csv' });
    const lines = Buffer.concat(chunks).toString('utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(
      'start,end,cidr,rir,country,date,status,holder,source',
    );
    let prev = { family: 4, end: -1n };
    const wrong: string[] = [];
    for (const line of lines.slice(1)) {
      const cells = line.split(',');
      if (cells.length !== 9) wrong.push(`${line}: ${cells.length} cells`);
      const [start, end, , rir, country, date, status, holder, source] =
        cells as [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
        ];
      const family = start.includes(':') ? 6 : 4;
      const s = value(start);
      const e = value(end);
      if ((family === prev.family && s <= prev.end) || e < s)
        wrong.push(`${line}: out of order`);
      prev = { family, end: e };
      for (const ip of [start, end]) {
        const r = registry.lookup(ip);
        const got = [rir, country, date, status, holder, source].join(',');
        const want =
          r === null
            ? 'miss'
            : [
                r.rir,
                r.country ?? '',
                r.date ?? '',
                r.status,
                r.holder ?? '',
                r.source.file,
              ].join(',');
        if (got !== want && wrong.length < 10)
          wrong.push(`${ip}: row ${got}, lookup ${want}`);
      }
    }
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(lines.length).toBeGreaterThan(100_000);
  }, 120_000);
});

// ---------------------------------------------------------------------------
// Exhaustive comparison, written independently of src/export.

interface Span {
  readonly start: bigint;
  readonly end: bigint;
  readonly value: string;
}

function value(text: string): bigint {
  const v4 = parseIpv4(text);
  if (v4 >= 0) return BigInt(v4);
  const w = new Uint32Array(4);
  if (!parseIpv6(text, w)) throw new Error(text);
  return wordsToBigInt(w);
}

/** Joins touching spans with the same value. */
function joinSpans(spans: Span[]): Span[] {
  const out: Span[] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (
      last !== undefined &&
      last.value === s.value &&
      last.end + 1n === s.start
    )
      out[out.length - 1] = { start: last.start, end: s.end, value: s.value };
    else out.push(s);
  }
  return out;
}

/** The tree's networks in the 128-bit space, as joined spans of decoded values. */
function flattenTree(v: VerifyResult): Span[] {
  const text = new Map<number, string>();
  return joinSpans(
    v.networks.map((n) => {
      let t = text.get(n.offset);
      if (t === undefined) text.set(n.offset, (t = json(v.decode(n.offset))));
      return {
        start: n.start,
        end: n.start + (1n << BigInt(128 - n.prefixLength)) - 1n,
        value: t,
      };
    }),
  );
}

function blocks(
  table: readonly (readonly [string, string])[],
): [bigint, bigint][] {
  return table.map(([cidr]) => {
    const [addr, len] = cidr.split('/') as [string, string];
    const bits = addr.includes(':') ? 128 : 32;
    const s = value(addr);
    return [s, s + (1n << BigInt(bits - Number(len))) - 1n];
  });
}

/** Cuts `cut` ranges out of [start, end]. */
function subtract(
  start: bigint,
  end: bigint,
  cut: readonly [bigint, bigint][],
): [bigint, bigint][] {
  let parts: [bigint, bigint][] = [[start, end]];
  for (const [cs, ce] of cut) {
    if (ce < start || cs > end) continue;
    const next: [bigint, bigint][] = [];
    for (const [s, e] of parts) {
      if (ce < s || cs > e) next.push([s, e]);
      else {
        if (cs > s) next.push([s, cs - 1n]);
        if (ce < e) next.push([ce + 1n, e]);
      }
    }
    parts = next;
  }
  return parts;
}

/** What the tree must hold: IPv4 at ::/96, IPv6 elsewhere (::ffff:0:0/96 is an alias, checked apart). */
function expectedTree(reg: Registry): Span[] {
  const special4 = blocks(SPECIAL_IPV4);
  const special6 = [
    ...blocks(SPECIAL_IPV6),
    [0n, 0xffff_ffffn] as [bigint, bigint],
    [0xffffn << 32n, (0xffffn << 32n) | 0xffff_ffffn] as [bigint, bigint],
  ];
  const text = new Map<number, string>();
  const valueOf = (id: number): string => {
    let t = text.get(id);
    if (t === undefined)
      text.set(id, (t = json(expectedMmdbValue(reg.record(id)))));
    return t;
  };
  const v4: Span[] = [];
  for (const iv of reg.intervals('ipv4'))
    for (const [s, e] of subtract(iv.start, iv.end, special4))
      v4.push({ start: s, end: e, value: valueOf(iv.id) });
  const v6: Span[] = [];
  for (const iv of reg.intervals('ipv6'))
    for (const [s, e] of subtract(iv.start, iv.end, special6))
      v6.push({ start: s, end: e, value: valueOf(iv.id) });
  return joinSpans([...v4, ...v6]);
}
