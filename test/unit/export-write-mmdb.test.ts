/**
 * writeMmdb on a small hand-written registry: the file is checked by an
 * independent structural verifier, and read back by the `maxmind` npm reader,
 * Python's maxminddb (pure and C/libmaxminddb) and `mmdblookup`, each of which
 * must answer what the registry's lookup answers.
 */

import { PassThrough } from 'node:stream';
import { Reader } from 'maxmind';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  writeMmdb,
  type WriteMmdbOptions,
} from '../../src/export/write-mmdb.js';
import { formatIpv4, formatIpv6BigInt } from '../../src/ip/format-ip.js';
import type { Registry } from '../../src/types.js';
import {
  createFakeRegistry,
  FAKE_BLOCKS,
} from '../helpers/export-fake-registry.js';
import {
  expectedLookup,
  expectedMmdbValue,
  FIXED_ADDRESSES,
  sampleAddresses,
} from '../helpers/export-expected.js';
import { verifyMmdb } from '../helpers/export-mmdb-verify.js';
import {
  findPython,
  hasMmdblookup,
  mmdblookupMany,
  mmdblookupMetadata,
  pythonLookups,
} from '../helpers/export-readers.js';

// The machine may be shared: generous timeouts, no timed assertions.
vi.setConfig({ testTimeout: 60_000 });

const registry = createFakeRegistry();
const dir = mkdtempSync(join(tmpdir(), 'rirmap-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function build(
  reg: Registry,
  options: WriteMmdbOptions = {},
): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  await writeMmdb(reg, (c) => void chunks.push(c), {
    buildEpoch: 1_700_000_000,
    ...options,
  });
  return Buffer.concat(chunks);
}

function toFile(name: string, buf: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, buf);
  return path;
}

/** Edges of every fake block and piece, plus fixed and random addresses. */
function testAddresses(reg: Registry): string[] {
  const out = sampleAddresses(reg, {
    edges: 10_000,
    randomV4: 1500,
    randomV6: 1500,
    mapped: 300,
    seed: 7,
  });
  for (const b of FAKE_BLOCKS) out.push(b.start, b.end);
  return out;
}

const json = (v: unknown): string => JSON.stringify(v) ?? 'undefined';

describe('writeMmdb (fake registry)', async () => {
  const buf = await build(registry);
  const file = toFile('fake.mmdb', buf);
  const ips = testAddresses(registry);
  const expected = ips.map((ip) =>
    json(expectedMmdbValue(expectedLookup(registry, ip))),
  );

  it('passes the structural verifier, with the documented metadata', () => {
    const v = verifyMmdb(buf);
    expect(v.metadata).toMatchObject({
      binary_format_major_version: 2,
      binary_format_minor_version: 0,
      build_epoch: 1_700_000_000n,
      database_type: 'rirmap-Registry-Country',
      ip_version: 6,
      languages: ['en'],
      record_size: 24,
    });
    expect(v.metadata.description['en']).toContain(
      'registered country (not a geolocation)',
    );
    expect(v.metadata.description['en']).toContain(
      'delegated-apnic-extended-20240101',
    );
    // The IPv4 subtree is reached from ::/96 and from ::ffff:0:0/96.
    expect(v.sharedNodes).toBe(1);
    expect(v.aliases).toEqual([
      { start: 0xffffn << 32n, prefixLength: 96, node: v.nodeAt(0n, 96) },
    ]);
    expect(v.nodeAt(0n, 96)).toBeGreaterThan(0);
  });

  it('stores the documented value for a record (hand-written)', () => {
    const reader = new Reader(buf);
    expect(reader.get('1.0.1.5')).toEqual({
      rir: 'apnic',
      country: { iso_code: 'AU' },
      registered_country: { iso_code: 'AU' },
      country_code: 'AU',
      date: '2011-08-11',
      status: 'assigned',
      holder: 'A91872ED',
      range: '1.0.0.0-1.0.2.255',
      source: { file: 'delegated-apnic-extended-20240101', serial: '20240101' },
    });
    // No country, date or holder: the keys are absent (MMDB has no null).
    expect(reader.get('2a00::1')).toEqual({
      rir: 'ripencc',
      status: 'available',
      range: '2a00::/12',
      source: {
        file: 'delegated-ripencc-extended-20240102',
        serial: '1704153599',
      },
    });
    expect(reader.get('2.1.0.9')?.['range' as never]).toBe('2.1.0.0/24');
    expect(reader.get('2.1.1.0')?.['range' as never]).toBe('2.0.0.0/12');
    expect(reader.get('200.0.0.0')?.['holder' as never]).toBe('x,"y"');
  });

  it('answers misses for special-purpose space, whatever a file says', () => {
    const reader = new Reader(buf);
    for (const ip of [
      '10.1.2.3',
      '100.64.0.1',
      '100.127.255.255',
      '2001:db8::1',
      '::1',
      '64:ff9b::1',
    ])
      expect(reader.get(ip), ip).toBeNull();
    expect(reader.get('100.63.255.255')?.['rir' as never]).toBe('arin');
    expect(reader.get('100.128.0.0')?.['rir' as never]).toBe('arin');
    expect(reader.get('2001:d00::')?.['country' as never]).toEqual({
      iso_code: 'KR',
    });
    expect(reader.get('2001:db9::')?.['country' as never]).toEqual({
      iso_code: 'KR',
    });
  });

  it('maps IPv4-mapped addresses onto IPv4, and ::/96 onto IPv4 as the format does', () => {
    const reader = new Reader(buf);
    expect(reader.get('::ffff:1.0.3.1')).toEqual(reader.get('1.0.3.1'));
    expect(reader.get('::1.0.3.1')).toEqual(reader.get('1.0.3.1'));
    expect(reader.get('::ffff:10.0.0.1')).toBeNull();
    // ::/8 (iana, reserved) still answers outside the two /96 blocks.
    expect(reader.get('::1:0:0:1')?.['rir' as never]).toBe('iana');
  });

  it('every network of the tree carries what lookup answers at its ends', () => {
    const v = verifyMmdb(buf);
    let checked = 0;
    // The aliased IPv4 subtree, as seen from ::ffff:0:0/96, is the same nodes.
    const mapped = v.networks
      .filter((n) => n.start >> 32n === 0n)
      .map((n) => ({ ...n, start: n.start | (0xffffn << 32n) }));
    for (const n of [...v.networks, ...mapped]) {
      const size = 1n << BigInt(128 - n.prefixLength);
      for (const addr of [n.start, n.start + size - 1n]) {
        const ip =
          addr >> 32n === 0n
            ? formatIpv4(Number(addr))
            : addr >> 32n === 0xffffn
              ? `::ffff:${formatIpv4(Number(addr & 0xffff_ffffn))}`
              : formatIpv6BigInt(addr);
        expect(json(v.decode(n.offset)), ip).toBe(
          json(expectedMmdbValue(expectedLookup(registry, ip))),
        );
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(200);
  });

  it('the maxmind npm reader agrees with lookup on every test address', () => {
    const reader = new Reader(buf);
    const wrong = ips.filter((ip, i) => json(reader.get(ip)) !== expected[i]);
    expect(wrong).toEqual([]);
    expect(ips.length).toBeGreaterThan(3000);
  });

  describe.skipIf(findPython() === null)('python maxminddb', () => {
    for (const mode of ['pure', 'ext'] as const)
      it(`agrees with lookup (${mode === 'pure' ? 'pure Python' : 'C extension, libmaxminddb'})`, () => {
        const { metadata, answers } = pythonLookups(file, ips, mode);
        expect(metadata).toMatchObject({
          ip_version: 6,
          record_size: 24,
          database_type: 'rirmap-Registry-Country',
        });
        const wrong = ips.filter(
          (_ip, i) => json(answers[i]![0]) !== expected[i],
        );
        expect(wrong).toEqual([]);
      });
  });

  describe.skipIf(!hasMmdblookup())('mmdblookup', () => {
    it('agrees with lookup on fixed and edge addresses', () => {
      const sample = [
        ...FIXED_ADDRESSES,
        ...FAKE_BLOCKS.flatMap((b) => [b.start, b.end]),
      ];
      const got = mmdblookupMany(file, sample);
      const wrong = sample.filter(
        (ip, i) =>
          json(got[i]) !==
          json(expectedMmdbValue(expectedLookup(registry, ip))),
      );
      expect(wrong).toEqual([]);
    });

    it('prints the metadata', () => {
      const meta = mmdblookupMetadata(file, '1.0.0.1');
      expect(meta).toMatchObject({
        'Record size': '24 bits',
        'IP version': 'IPv6',
        'Binary format': '2.0',
        Type: 'rirmap-Registry-Country',
        Languages: 'en',
      });
      expect(meta['Build epoch']).toMatch(/^1700000000 /);
      expect(Number(meta['Node count'])).toBe(
        verifyMmdb(buf).metadata.node_count,
      );
    });
  });
});

describe('writeMmdb options', () => {
  it('writes only the chosen fields, and joins touching ranges that became equal', async () => {
    const buf = await build(registry, { fields: ['rir'] });
    const v = verifyMmdb(buf);
    const reader = new Reader(buf);
    expect(reader.get('1.0.3.1')).toEqual({ rir: 'apnic' });
    // 1.0.0.0-1.0.7.255 (three apnic blocks) is now one /21 network.
    expect(reader.getWithPrefixLength('1.0.6.1')).toEqual([
      { rir: 'apnic' },
      21,
    ]);
    expect(
      v.networks.filter(
        (n) => json(v.decode(n.offset)) === json({ rir: 'apnic' }),
      ).length,
    ).toBeGreaterThan(0);
    const wrong = testAddresses(registry).filter(
      (ip) =>
        json(reader.get(ip)) !==
        json(expectedMmdbValue(expectedLookup(registry, ip), ['rir'])),
    );
    expect(wrong).toEqual([]);
  });

  it('writes an IPv4-only database with a 32-bit tree', async () => {
    const buf = await build(registry, {
      ipv4Only: true,
      fields: ['rir', 'country'],
    });
    const v = verifyMmdb(buf);
    expect(v.metadata.ip_version).toBe(4);
    expect(v.sharedNodes).toBe(0);
    const reader = new Reader(buf);
    expect(reader.getWithPrefixLength('41.0.0.99')).toEqual([
      {
        rir: 'afrinic',
        country: { iso_code: 'ZA' },
        registered_country: { iso_code: 'ZA' },
        country_code: 'ZA',
      },
      30, // 41.0.0.96/30 ends the 100-address block
    ]);
    const ips = testAddresses(registry).filter((ip) => !ip.includes(':'));
    const wrong = ips.filter(
      (ip) =>
        json(reader.get(ip)) !==
        json(expectedMmdbValue(registry.lookup(ip), ['rir', 'country'])),
    );
    expect(wrong).toEqual([]);
    if (findPython() !== null) {
      const { answers } = pythonLookups(toFile('v4.mmdb', buf), ips, 'ext');
      expect(
        ips.filter((ip, i) => json(answers[i]![0]) !== json(reader.get(ip))),
      ).toEqual([]);
    }
  });

  it('forces a record size, and sets type, description and epoch', async () => {
    for (const recordSize of [28, 32] as const) {
      const buf = await build(registry, {
        recordSize,
        databaseType: 'Test-Country',
        description: 'ünïcode',
        buildEpoch: 5,
      });
      const v = verifyMmdb(buf);
      expect(v.metadata).toMatchObject({
        record_size: recordSize,
        database_type: 'Test-Country',
        build_epoch: 5n,
      });
      expect(v.metadata.description).toEqual({ en: 'ünïcode' });
      const reader = new Reader(buf);
      expect(reader.get('2c0f:f001::1')?.['holder' as never]).toBe('F1');
    }
  });

  it('moves to 28-bit records past 16 MiB of data, and readers follow the high nibbles', async () => {
    // 2,000 /24 blocks with 9 KB holder ids: about 18 MB of data, so record values pass 2^24.
    // Every other /24 is empty, so nodes pair a data record with an empty one.
    const blocks = Array.from({ length: 2000 }, (_, i) => ({
      type: 'ipv4' as const,
      start: formatIpv4(0x0500_0000 + i * 512),
      end: formatIpv4(0x0500_0000 + i * 512 + 255),
      rir: 'ripencc' as const,
      country: 'NL',
      date: '2020-01-01',
      status: 'allocated' as const,
      holder: `H${i}:${'x'.repeat(9000)}`,
      source: 1,
    }));
    const big = createFakeRegistry(blocks);
    const buf = await build(big, { fields: ['holder'] });
    const v = verifyMmdb(buf);
    expect(v.metadata.record_size).toBe(28);
    expect(v.dataSectionBytes).toBeGreaterThan(2 ** 24);
    const reader = new Reader(buf);
    const ips = blocks.flatMap((b) => [b.start, b.end]);
    expect(
      ips.filter(
        (ip, i) =>
          reader.get(ip)?.['holder' as never] !== blocks[i >> 1]!.holder,
      ),
    ).toEqual([]);
    if (findPython() !== null) {
      const { answers } = pythonLookups(toFile('big.mmdb', buf), ips, 'ext');
      expect(
        ips.filter(
          (_ip, i) =>
            (answers[i]![0] as { holder?: string })?.holder !==
            blocks[i >> 1]!.holder,
        ),
      ).toEqual([]);
    }
  }, 60_000);

  it('is deterministic for a fixed build epoch', async () => {
    expect((await build(registry)).equals(await build(registry))).toBe(true);
  });

  it('writes the same bytes to a Writable, honouring backpressure, and leaves it open', async () => {
    const expected = await build(registry);
    const stream = new PassThrough({ highWaterMark: 64 });
    const parts: Buffer[] = [];
    const reading = (async () => {
      for await (const chunk of stream) {
        parts.push(chunk as Buffer);
        await new Promise((r) => setTimeout(r, 0));
      }
    })();
    const summary = await writeMmdb(registry, stream, {
      buildEpoch: 1_700_000_000,
    });
    expect(stream.writableEnded).toBe(false);
    stream.end();
    await reading;
    const got = Buffer.concat(parts);
    expect(got.equals(expected)).toBe(true);
    expect(summary.bytes).toBe(expected.length);
    expect(summary).toMatchObject({ ipVersion: 6, recordSize: 24 });
  });

  it('rejects bad options synchronously, naming the option', () => {
    const sink = (): void => {};
    expect(() =>
      writeMmdb(registry, sink, { fields: ['rir', 'nope' as never] }),
    ).toThrow(RangeError);
    expect(() => writeMmdb(registry, sink, { fields: 'rir' as never })).toThrow(
      /`fields`/,
    );
    expect(() => writeMmdb(registry, sink, { fields: [] })).toThrow(/`fields`/);
    expect(() =>
      writeMmdb(registry, sink, { recordSize: 20 as never }),
    ).toThrow(/`recordSize`/);
    expect(() => writeMmdb(registry, sink, { buildEpoch: -1 })).toThrow(
      /`buildEpoch`/,
    );
    expect(() =>
      writeMmdb(registry, sink, { ipv4Only: 'yes' as never }),
    ).toThrow(/`ipv4Only`/);
    expect(() => writeMmdb(registry, sink, { databaseType: '' })).toThrow(
      /`databaseType`/,
    );
    expect(() => writeMmdb(registry, {} as never)).toThrow(/`stream`/);
  });

  it('stops with ABORTED when the signal fires', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      writeMmdb(registry, () => {}, { signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('passes a sink error on', async () => {
    await expect(
      writeMmdb(registry, () => Promise.reject(new Error('disk full'))),
    ).rejects.toThrow('disk full');
  });

  it('writes a valid empty database', async () => {
    const empty = createFakeRegistry([]);
    const buf = await build(empty);
    const v = verifyMmdb(buf);
    expect(v.metadata.node_count).toBe(1);
    expect(new Reader(buf).get('1.2.3.4')).toBeNull();
    expect(new Reader(buf).get('2a00::1')).toBeNull();
  });
});
