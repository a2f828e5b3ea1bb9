/**
 * Search-tree layout checked against node bytes worked out by hand from the
 * MaxMind DB format 2.0 specification ("Binary Search Tree Section").
 */

import { describe, expect, it } from 'vitest';
import {
  MmdbTreeBuilder,
  type MmdbTreeLayout,
} from '../../src/export/mmdb-tree.js';

function bytesOf(
  tree: MmdbTreeBuilder,
  layout: MmdbTreeLayout,
  offsets: number[],
): number[] {
  const out: number[] = [];
  for (const chunk of tree.serialize(layout, (k) => offsets[k]!, 1))
    out.push(...chunk);
  return out;
}

/** 0.0.0.0/1 → key 0, 128.0.0.0/2 → key 1, 192.0.0.0/2 empty: root and one child node. */
function smallTree(): MmdbTreeBuilder {
  const t = new MmdbTreeBuilder(32, 2);
  t.insert([0, 0, 0, 0], 1, 0);
  t.insert([0x8000_0000, 0, 0, 0], 2, 1);
  return t;
}

describe('MmdbTreeBuilder', () => {
  it('lays out 24-bit records: node numbers, node_count for empty, node_count + 16 + offset for data', () => {
    const t = smallTree();
    expect(t.nodeCount).toBe(2);
    const layout = t.layout(10);
    expect(layout).toEqual({ nodeCount: 2, recordSize: 24, treeBytes: 12 });
    // node 0: left = data at 0 → 2 + 16 + 0 = 18; right = node 1.
    // node 1: left = data at 5 → 23; right = empty → 2.
    expect(bytesOf(t, layout, [0, 5])).toEqual([
      0, 0, 18, 0, 0, 1, 0, 0, 23, 0, 0, 2,
    ]);
  });

  it('lays out 28-bit records with the high nibbles in the middle byte', () => {
    const t = smallTree();
    const layout: MmdbTreeLayout = {
      nodeCount: 2,
      recordSize: 28,
      treeBytes: 14,
    };
    // Record values 0xA123456 and 0x5ABCDEF for the two data keys.
    const offsets = [0xa12_3456 - 18, 0x5ab_cdef - 18];
    expect(bytesOf(t, layout, offsets)).toEqual([
      0x12, 0x34, 0x56, 0xa0, 0x00, 0x00, 0x01, 0xab, 0xcd, 0xef, 0x50, 0x00,
      0x00, 0x02,
    ]);
  });

  it('lays out 32-bit records', () => {
    const t = smallTree();
    const layout: MmdbTreeLayout = {
      nodeCount: 2,
      recordSize: 32,
      treeBytes: 16,
    };
    const offsets = [0xfa12_3456 - 18, 5];
    expect(bytesOf(t, layout, offsets)).toEqual([
      0xfa, 0x12, 0x34, 0x56, 0, 0, 0, 1, 0, 0, 0, 23, 0, 0, 0, 2,
    ]);
  });

  it('picks the smallest record size that holds node_count + 16 + the last data offset', () => {
    const t = smallTree(); // 2 nodes
    expect(t.layout(2 ** 24 - 18).recordSize).toBe(24); // largest value 2^24 - 1
    expect(t.layout(2 ** 24 - 17).recordSize).toBe(28);
    expect(t.layout(2 ** 28 - 18).recordSize).toBe(28);
    expect(t.layout(2 ** 28 - 17).recordSize).toBe(32);
    expect(t.layout(2 ** 32 - 18).recordSize).toBe(32);
    expect(() => t.layout(2 ** 32 - 17)).toThrow(RangeError);
    expect(t.layout(10, 32)).toEqual({
      nodeCount: 2,
      recordSize: 32,
      treeBytes: 16,
    });
    expect(() => t.layout(2 ** 24, 24)).toThrow(/`recordSize`/);
  });

  it('refuses overlapping prefixes', () => {
    const a = new MmdbTreeBuilder(32);
    a.insert([0x0100_0000, 0, 0, 0], 8, 0);
    expect(() => a.insert([0x0102_0000, 0, 0, 0], 16, 1)).toThrow(RangeError);
    expect(() => a.insert([0x0100_0000, 0, 0, 0], 8, 1)).toThrow(RangeError);
    const b = new MmdbTreeBuilder(32);
    b.insert([0x0102_0000, 0, 0, 0], 16, 0);
    expect(() => b.insert([0x0100_0000, 0, 0, 0], 8, 1)).toThrow(RangeError);
  });

  it('keeps the root a node for a prefix of length 0', () => {
    const t = new MmdbTreeBuilder(32);
    t.insert([0, 0, 0, 0], 0, 0);
    const layout = t.layout(1);
    expect(bytesOf(t, layout, [0])).toEqual([0, 0, 17, 0, 0, 17]);
  });

  it('aliases ::ffff:0:0/96 to the IPv4 subtree at ::/96', () => {
    const t = new MmdbTreeBuilder(128);
    // 1.0.0.0/8 as ::1.0.0.0/104: a prefix of length L takes the nodes at depths 0..L-1.
    t.insert([0, 0, 0, 0x0100_0000], 104, 0);
    expect(t.nodeCount).toBe(104);
    t.alias([0, 0, 0xffff, 0], 96, [0, 0, 0, 0], 96);
    // The mapped path shares the nodes at depths 0..80 and adds those at depths 81..95.
    expect(t.nodeCount).toBe(119);
    // Walk ::ffff:1.2.3.4 and ::1.2.3.4 through the serialised tree: both reach the data.
    const layout = t.layout(1);
    const bytes = Uint8Array.from(bytesOf(t, layout, [0]));
    const walk = (w: number[]): number => {
      let node = 0;
      for (let i = 0; i < 128; i++) {
        const bit = (w[i >>> 5]! >>> (31 - (i & 31))) & 1;
        const p = node * 6 + bit * 3;
        const rec = (bytes[p]! << 16) | (bytes[p + 1]! << 8) | bytes[p + 2]!;
        if (rec >= layout.nodeCount) return rec;
        node = rec;
      }
      throw new Error('no leaf');
    };
    expect(walk([0, 0, 0xffff, 0x0102_0304])).toBe(119 + 16);
    expect(walk([0, 0, 0, 0x0102_0304])).toBe(119 + 16);
    expect(walk([0, 0, 0xffff, 0x0202_0304])).toBe(119); // 2.2.3.4: no data
    expect(walk([0, 0, 0xfffe, 0x0102_0304])).toBe(119);
  });

  it('links no alias when the IPv4 space is empty', () => {
    const t = new MmdbTreeBuilder(128);
    t.insert([0x2001_0200, 0, 0, 0], 23, 0);
    const before = t.nodeCount;
    t.alias([0, 0, 0xffff, 0], 96, [0, 0, 0, 0], 96);
    expect(t.nodeCount).toBe(before);
  });
});
