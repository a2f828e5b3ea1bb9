import { describe, expect, it } from 'vitest';
import { freeBuffers } from '../../src/registry/free-buffers.js';
import { Scratch } from '../../src/trie/scratch.js';

describe('Scratch: reused memory for build temporaries', () => {
  it('hands out zeroed arrays of the asked length, never the same memory twice before a reset', () => {
    const s = new Scratch();
    const a = s.i32(100).fill(7);
    const b = s.u32(50).fill(9);
    expect(a.length).toBe(100);
    expect(b.length).toBe(50);
    expect(a.buffer).not.toBe(b.buffer);
    expect([...a].every((x) => x === 7)).toBe(true); // b did not overwrite a
  });

  it('after a reset, reuses the smallest buffer large enough, zeroed again', () => {
    const s = new Scratch();
    const big = s.f64(1000).fill(1.5);
    const small = s.i32(10).fill(-1);
    s.reset();
    const again = s.i32(8); // fits in small's 40 bytes
    expect(again.buffer).toBe(small.buffer);
    expect([...again]).toEqual(new Array(8).fill(0));
    const larger = s.u32(500); // 2000 bytes: only big's buffer fits
    expect(larger.buffer).toBe(big.buffer);
    expect(larger.every((x) => x === 0)).toBe(true);
    const fresh = s.i32(4); // both taken: a new buffer
    expect(fresh.buffer).not.toBe(big.buffer);
    expect(fresh.buffer).not.toBe(small.buffer);
  });

  it('drain() hands over its buffers, and freeBuffers frees them at once: the arrays handed out are detached', async () => {
    const s = new Scratch();
    const a = s.i32(1000).fill(3);
    const b = s.u64(10);
    const buffers = s.drain();
    expect(buffers).toHaveLength(2);
    expect(s.drain()).toEqual([]); // the pool is empty
    await freeBuffers(buffers);
    expect(a.buffer.byteLength).toBe(0);
    expect(a.length).toBe(0);
    expect(b.length).toBe(0);
    const c = s.i32(1000); // a new buffer, zeroed
    expect(c.length).toBe(1000);
    expect(c.every((x) => x === 0)).toBe(true);
    await freeBuffers([]); // nothing to free
  });
});
