/**
 * OutputWriter and its sinks: what reaches the file is the chunks in order,
 * whatever order the thread pool finishes writes in, and lent bytes are given
 * back only once written. node:fs `writev` is replaced by a fake that keeps
 * each write pending for a random while and sometimes writes only a part.
 */

import { beforeEach, describe, expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => ({
  file: [] as number[],
  inFlight: 0,
  maxInFlight: 0,
  calls: 0,
  seed: 1,
}));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    writev: (
      _fd: number,
      buffers: readonly Uint8Array[],
      _position: number | null,
      cb: (error: Error | null, written: number) => void,
    ): void => {
      fake.calls++;
      fake.inFlight++;
      fake.maxInFlight = Math.max(fake.maxInFlight, fake.inFlight);
      fake.seed = (fake.seed * 1103515245 + 12345) >>> 0;
      const total = buffers.reduce((n, b) => n + b.length, 0);
      // Every third write is short: it stops in the middle of its bytes.
      const written = fake.seed % 3 === 0 ? Math.floor(total / 2) : total;
      setTimeout(() => {
        let left = written;
        for (const b of buffers) {
          const n = Math.min(left, b.length);
          fake.file.push(...b.subarray(0, n));
          left -= n;
        }
        fake.inFlight--;
        cb(null, written);
      }, fake.seed % 5);
    },
  };
});

const { OutputWriter, fdSink } =
  await import('../../src/enrich/output-writer.js');

beforeEach(() => {
  fake.file = [];
  fake.inFlight = 0;
  fake.maxInFlight = 0;
  fake.calls = 0;
});

/** Chunk k: `size` bytes of value k % 251. */
function chunk(k: number, size: number): Uint8Array {
  return new Uint8Array(size).fill(k % 251);
}

describe('fdSink', () => {
  it('one write at a time, in order, short writes completed', async () => {
    const sink = fdSink(99);
    const sizes = Array.from({ length: 40 }, (_, k) => 1 + ((k * 7919) % 5000));
    await Promise.all(sizes.map((n, k) => sink(chunk(k, n))));
    expect(fake.maxInFlight).toBe(1);
    expect(fake.calls).toBeLessThan(80); // queued chunks go out together
    const want: number[] = [];
    sizes.forEach((n, k) => want.push(...chunk(k, n)));
    expect(fake.file).toEqual(want);
  });
});

describe('OutputWriter', () => {
  it('text, copied bytes and lent bytes come out in order; lent bytes given back once written', async () => {
    const writer = new OutputWriter(fdSink(99), 4096, 3);
    const want: number[] = [];
    const released: number[] = [];
    for (let k = 0; k < 60; k++) {
      if (k % 3 === 0) {
        const text = `line ${k}\n`;
        await writer.write({ text, encoding: 'latin1' });
        want.push(...Buffer.from(text, 'latin1'));
      } else {
        // Lent: large ones are written as they are, small ones copied.
        const bytes = chunk(k, k % 3 === 1 ? 20_000 + k : 100 + k);
        const end = want.length + bytes.length;
        await writer.write({
          bytes,
          release: () => {
            // A large one is given back once all of it is in the file.
            if (bytes.length >= 16 * 1024)
              expect(fake.file.length).toBeGreaterThanOrEqual(end);
            released.push(k);
          },
        });
        want.push(...bytes);
      }
    }
    await writer.end();
    expect(fake.file).toEqual(want);
    expect(writer.bytes).toBe(want.length);
    expect(released.sort((a, b) => a - b)).toEqual(
      Array.from({ length: 60 }, (_, k) => k).filter((k) => k % 3 !== 0),
    );
  });
});
