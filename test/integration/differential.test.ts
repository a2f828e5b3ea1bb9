import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRegistry } from '../../src/registry/load-registry.js';
import {
  generateFile,
  generateIana,
  mulberry32,
  referenceLookup,
  v6text,
  type RefRecord,
} from '../helpers/random-delegated.js';

function v4text(n: bigint): string {
  const x = Number(n);
  return [x >>> 24, (x >>> 16) & 255, (x >>> 8) & 255, x & 255].join('.');
}

describe('differential test: interval trie versus a linear scan', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rirmap-diff-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const rand = mulberry32(20261128);
  const files = [
    generateFile(rand, 'apnic', 20240101, 700, 0, 0),
    generateFile(rand, 'ripencc', 20240301, 700, 1, 10000),
    generateFile(rand, 'arin', 20240301, 700, 2, 20000),
    generateIana(3, 30000),
  ];
  const paths = files.map((f) => {
    const p = join(dir, f.name);
    writeFileSync(p, f.text);
    return p;
  });
  const all: RefRecord[] = files.flatMap((f) => f.records);
  const registry = await loadRegistry({ data: paths });
  // The linear scan is slow: its answer per query is kept for the later passes.
  const reference = new Map<object, RefRecord | null>();
  const idToRecord = (id: number) => (id >= 0 ? registry.record(id) : null);

  // Queries: first, last, last + 1 and first - 1 of every record, plus random keys.
  const queries: { type: 'ipv4' | 'ipv6' | 'asn'; key: bigint }[] = [];
  for (const r of all) {
    const max = r.type === 'ipv6' ? (1n << 128n) - 1n : 0xffffffffn;
    for (const k of [r.first, r.last, r.last + 1n, r.first - 1n])
      if (k >= 0n && k <= max) queries.push({ type: r.type, key: k });
  }
  const rq = mulberry32(7);
  while (queries.length < 120_000) {
    const t = rq();
    if (t < 0.45)
      queries.push({
        type: 'ipv4',
        key: BigInt(20 * 2 ** 24 + Math.floor(rq() * 80 * 2 ** 24)),
      });
    else if (t < 0.9)
      queries.push({
        type: 'ipv6',
        key:
          ((0x2400n << 112n) +
            (BigInt(Math.floor(rq() * 2 ** 26)) << 96n) +
            (BigInt(Math.floor(rq() * 2 ** 32)) << 64n)) |
          BigInt(Math.floor(rq() * 2 ** 32)),
      });
    else queries.push({ type: 'asn', key: BigInt(Math.floor(rq() * 420000)) });
  }

  // Three passes: lookup() cold, lookup() again in reverse order (answers
  // cached per /16 and /24 by the first pass), and lookupId() then record().
  const passes = [
    { name: 'lookup, cold', order: queries, byId: false },
    { name: 'lookup, cached', order: [...queries].reverse(), byId: false },
    { name: 'lookupId', order: queries, byId: true },
  ];
  it.each(passes)(
    `agrees on ${queries.length} addresses and ASNs: $name`,
    ({ order, byId }) => {
      expect(queries.length).toBeGreaterThanOrEqual(100_000);
      let mismatches = 0;
      const examples: string[] = [];
      let found = 0;
      for (const q of order) {
        // Keys outside the generated space (first - 1 of the lowest range) may be special-purpose; skip those.
        const text =
          q.type === 'ipv4'
            ? v4text(q.key)
            : q.type === 'ipv6'
              ? v6text(q.key)
              : `AS${q.key}`;
        if (
          q.type === 'ipv4' &&
          (q.key < 20n * 2n ** 24n || q.key >= 100n * 2n ** 24n)
        )
          continue;
        let expected = reference.get(q);
        if (expected === undefined) {
          expected = referenceLookup(all, q.type, q.key);
          reference.set(q, expected);
        }
        const got =
          q.type === 'asn'
            ? registry.lookupAsn(Number(q.key))
            : byId
              ? idToRecord(registry.lookupId(text))
              : registry.lookup(text);
        const e =
          expected === null
            ? null
            : `${expected.file} ${expected.first}-${expected.last}`;
        let g: string | null = null;
        if (got !== null) {
          const key = (v: string | number): bigint =>
            q.type === 'asn'
              ? BigInt(v as number)
              : q.type === 'ipv4'
                ? BigInt(ipv4ToNumber(v as string))
                : ipv6ToBig(v as string);
          g = `${got.source.file} ${key(got.range.start)}-${key(got.range.end)}`;
          found++;
        }
        if (e !== g) {
          mismatches++;
          if (examples.length < 5)
            examples.push(`${text}: expected ${e}, got ${g}`);
        }
      }
      expect(examples).toEqual([]);
      expect(mismatches).toBe(0);
      expect(found).toBeGreaterThan(10_000);
    },
  );
});

function ipv4ToNumber(s: string): number {
  return s.split('.').reduce((a, o) => a * 256 + Number(o), 0);
}

/** Independent IPv6 text parser (BigInt, split-based) for the test. */
function ipv6ToBig(s: string): bigint {
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head === '' || head === undefined ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined
      ? h
      : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((a, g) => (a << 16n) | BigInt(parseInt(g, 16)), 0n);
}
