import { describe, expect, it } from 'vitest';
import {
  buildDirectory128,
  buildDirectory32,
  buildKeys128,
  buildTable128,
  buildTable32,
  find128,
  find32,
  find32Dir,
  MIXED,
  SLOTS,
} from '../../src/trie/interval-trie.js';
import { mulberry32 } from '../helpers/random-delegated.js';

// The tries are built here straight from sorted interval starts, and every
// answer is checked against a linear scan for the last start not above the key.

function refFind(starts: bigint[], ids: number[], key: bigint): number {
  let answer = -1;
  for (let i = 0; i < starts.length; i++)
    if (starts[i]! <= key) answer = ids[i]!;
  return answer;
}

/** Random interval starts: a few dense /16s, boundaries on slot edges, and sparse ones. */
function startsFor(
  rand: () => number,
  bits: 32 | 128,
  dense: readonly number[],
): bigint[] {
  const shift = BigInt(bits - 16);
  const set = new Set<bigint>([0n]);
  const low = (n: number) =>
    bits === 32
      ? BigInt(Math.floor(rand() * 65536))
      : // Mostly /64-aligned starts, some with low bits set, some equal in their top 53 bits.
        (BigInt(Math.floor(rand() * 65536)) << 96n) |
        (BigInt(Math.floor(rand() * 4)) << 64n) |
        (rand() < 0.2 ? BigInt(Math.floor(rand() * 2 ** 32)) : 0n) |
        (BigInt(n) & 0n);
  for (const slot of dense)
    for (let k = 0; k < 600; k++) set.add((BigInt(slot) << shift) | low(k));
  for (let k = 0; k < 300; k++) {
    const slot = BigInt(Math.floor(rand() * SLOTS));
    set.add(slot << shift); // a start exactly on a slot edge
    set.add((slot << shift) | low(k));
  }
  set.add(BigInt(SLOTS - 1) << shift);
  return [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function idsFor(rand: () => number, n: number): number[] {
  // Runs of equal ids too, so that some slots are covered by one id across intervals.
  const ids: number[] = [];
  for (let i = 0; i < n; i++)
    ids.push(i > 0 && rand() < 0.3 ? ids[i - 1]! : Math.floor(rand() * 50) - 3);
  return ids;
}

describe('interval trie directory', () => {
  it('answers 32-bit keys like a linear scan, through the directory and without', () => {
    const rand = mulberry32(41);
    const starts = startsFor(rand, 32, [0x1234, 0x1235, 0xfffe]);
    const ids = idsFor(rand, starts.length);
    const t = {
      starts: Uint32Array.from(starts.map(Number)),
      ids: Int32Array.from(ids),
      table: new Uint32Array(SLOTS + 1),
    };
    buildTable32(t.starts, t.table);
    const d = buildDirectory32(t);
    // Dense slots got a sub-table; a slot inside one interval has its id.
    expect(d.dir[2 * 0x1234 + 1]!).toBeLessThan(0);
    const keys: number[] = [0, 0xffffffff];
    for (const s of starts) {
      const x = Number(s);
      keys.push(x, Math.max(0, x - 1), Math.min(0xffffffff, x + 1));
    }
    for (let k = 0; k < 20000; k++)
      keys.push(
        rand() < 0.5
          ? Math.floor(rand() * 2 ** 32)
          : 0x12340000 + Math.floor(rand() * 0x20000),
      );
    let bad = 0;
    for (const key of keys) {
      const want = refFind(starts, ids, BigInt(key));
      if (find32Dir(t, d, key) !== want || find32(t, key) !== want) bad++;
    }
    expect(bad).toBe(0);
    // Whole-slot answers agree with the intervals inside the slot.
    for (let s = 0; s < SLOTS; s += 97) {
      const sole = d.dir[2 * s]!;
      if (sole === MIXED) continue;
      expect(refFind(starts, ids, BigInt(s) << 16n)).toBe(sole);
      expect(refFind(starts, ids, (BigInt(s) << 16n) | 0xffffn)).toBe(sole);
    }
  });

  it('answers 128-bit keys like a linear scan, including starts equal in their top 53 bits', () => {
    const rand = mulberry32(43);
    const starts = startsFor(rand, 128, [0x2001, 0x2a02, 0x2c0f]);
    const ids = idsFor(rand, starts.length);
    const words = new Uint32Array(starts.length * 4);
    starts.forEach((s, i) => {
      for (let w = 0; w < 4; w++)
        words[i * 4 + w] = Number((s >> BigInt(96 - 32 * w)) & 0xffffffffn);
    });
    const t = {
      starts: words,
      ids: Int32Array.from(ids),
      table: new Uint32Array(SLOTS + 1),
    };
    buildTable128(t.starts, t.table);
    const d = buildDirectory128(t);
    const keys = buildKeys128(t.starts);
    expect(d.dir[2 * 0x2a02 + 1]!).toBeLessThan(0);
    const queries: bigint[] = [0n, (1n << 128n) - 1n];
    for (const s of starts)
      queries.push(s, s > 0n ? s - 1n : s, s + 1n < 1n << 128n ? s + 1n : s);
    for (let k = 0; k < 20000; k++) {
      const top = [0x2001, 0x2a02, 0x2c0f][k % 3]!;
      queries.push(
        (BigInt(top) << 112n) |
          (BigInt(Math.floor(rand() * 65536)) << 96n) |
          (BigInt(Math.floor(rand() * 4)) << 64n) |
          BigInt(Math.floor(rand() * 2 ** 32)),
      );
    }
    let bad = 0;
    for (const q of queries) {
      const w = [96n, 64n, 32n, 0n].map((s) => Number((q >> s) & 0xffffffffn));
      const got = find128(t, d, keys, w[0]!, w[1]!, w[2]!, w[3]!);
      if (got !== refFind(starts, ids, q)) bad++;
    }
    expect(bad).toBe(0);
  });
});
