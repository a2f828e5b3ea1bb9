import { describe, expect, it } from 'vitest';
import { radixOrder64 } from '../../src/trie/radix-sort.js';
import { mulberry32 } from '../helpers/random-delegated.js';

describe('radixOrder64', () => {
  it('orders like a stable sort of the 64-bit keys, and returns them sorted', () => {
    const rand = mulberry32(5);
    for (const [n, spread] of [
      [0, 1],
      [1, 1],
      [5000, 2 ** 32], // all four passes
      [5000, 7], // few distinct values: equal keys keep index order
      [5000, 0], // every digit equal: every pass skipped
    ] as const) {
      const hi = new Uint32Array(n + 3); // longer than n on purpose
      const lo = new Uint32Array(n + 3);
      for (let i = 0; i < n; i++) {
        hi[i] = Math.floor(rand() * spread) >>> 0;
        lo[i] = rand() < 0.5 ? 0 : Math.floor(rand() * spread) >>> 0;
      }
      const key = (i: number) => (BigInt(hi[i]!) << 32n) | BigInt(lo[i]!);
      const want = Array.from({ length: n }, (_, i) => i).sort((a, b) =>
        key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a - b,
      );
      const wantKeys = want.map(key);
      const sortedHi = new Uint32Array(n);
      const sortedLo = new Uint32Array(n);
      const got = radixOrder64(hi.slice(), lo.slice(), n, sortedHi, sortedLo);
      expect([...got]).toEqual(want);
      expect(
        Array.from(
          { length: n },
          (_, i) => (BigInt(sortedHi[i]!) << 32n) | BigInt(sortedLo[i]!),
        ),
      ).toEqual(wantKeys);
    }
  });
});
