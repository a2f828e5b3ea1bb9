import {
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { createFieldReader } from '../../src/enrich/record-fields.js';
import { loadRegistry } from '../../src/registry/load-registry.js';
import { RegistryIndex } from '../../src/registry/registry-index.js';
import { registryFromShared, shareRegistry } from '../../src/registry/share.js';
import {
  decodeSnapshot,
  encodeSnapshot,
  SNAPSHOT_FORMAT,
} from '../../src/snapshot/snapshot.js';
import { writeSnapshotFile } from '../../src/snapshot/snapshot-file.js';
import type { Registry } from '../../src/types.js';
import {
  COLUMN_FIELDS,
  REGISTRY_FIXTURES,
} from '../helpers/registry-fixtures.js';

const FILES = REGISTRY_FIXTURES;

/**
 * The documented layout (src/snapshot/snapshot.ts), read here without the
 * library's code: fixed fields, header JSON, chunk checksums, sections.
 */
interface Layout {
  format: number;
  headerLength: number;
  total: number;
  chunkSize: number;
  chunkCount: number;
  dataStart: number;
  headerCrc: number;
  header: {
    size: number;
    sections: { name: string; kind: string; offset: number; length: number }[];
  };
}

function readLayout(b: Buffer): Layout {
  const headerLength = b.readUInt32LE(12);
  return {
    format: b.readUInt32LE(8),
    headerLength,
    total: b.readDoubleLE(16),
    chunkSize: b.readUInt32LE(24),
    chunkCount: b.readUInt32LE(28),
    dataStart: b.readUInt32LE(32),
    headerCrc: b.readUInt32LE(36),
    header: JSON.parse(b.subarray(40, 40 + headerLength).toString('utf8')),
  };
}

const WIDTH: Record<string, number> = { u8: 1, u16: 2, u32: 4, i32: 4 };

/** Every answer a registry gives, each as a thunk (so one can throw alone). */
function operations(
  r: Registry,
  reference: Registry,
): [string, () => unknown][] {
  const ops: [string, () => unknown][] = [];
  const queries = new Set([
    '1.0.16.1',
    '1.0.0.5',
    '10.1.1.1',
    '2001:200:100::5',
    '2001:db8::1',
    '3.0.0.1',
    'AS7',
    '1.0.16.0/20',
    '2001:200::/23',
    '::ffff:1.0.16.9',
    'bogus',
  ]);
  for (let id = 0; id < reference.size; id++) {
    const rec = reference.record(id);
    const { start, end } = rec.range;
    queries.add(String(start));
    queries.add(String(end));
    ops.push([`record(${id})`, () => r.record(id)]);
    if (rec.holder !== null)
      ops.push([`holder(${rec.holder})`, () => r.holder(rec.holder!)]);
    if (rec.type === 'asn')
      ops.push([`lookupAsn(${start})`, () => r.lookupAsn(start as number)]);
    else {
      ops.push([`lookup(${start})`, () => r.lookup(start as string)]);
      ops.push([`lookupId(${end})`, () => r.lookupId(end as string)]);
    }
  }
  for (const q of queries) ops.push([`query(${q})`, () => r.query(q)]);
  for (const t of ['ipv4', 'ipv6', 'asn'] as const)
    ops.push([`intervals(${t})`, () => [...r.intervals(t)]]);
  ops.push(['conflicts()', () => r.conflicts()]);
  ops.push(['stats()', () => r.stats()]);
  ops.push(['sources', () => r.sources]);
  ops.push(['warnings()', () => r.warnings()]);
  ops.push([
    'field reader',
    () => {
      const read = createFieldReader(r);
      const out: string[] = [];
      for (let id = 0; id < reference.size; id++)
        for (const f of COLUMN_FIELDS) out.push(read(id, f));
      return out;
    },
  ]);
  ops.push([
    'shared handle (structured clone)',
    () => {
      const w = registryFromShared(structuredClone(shareRegistry(r)));
      return Array.from({ length: reference.size }, (_, id) => w.record(id));
    },
  ]);
  return ops;
}

describe('snapshot format 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rirmap-snapfmt-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const text = await loadRegistry({ data: FILES });
  const path = join(dir, 'registry.rirmap');
  await writeSnapshotFile(text, path, '0.0.0-test');
  const bytes = readFileSync(path);
  const layout = readLayout(bytes);
  const sectionBytes = (name: string): [number, number] => {
    const e = layout.header.sections.find((s) => s.name === name)!;
    const a = layout.dataStart + e.offset;
    return [a, a + e.length * WIDTH[e.kind]!];
  };

  it('follows the documented layout: fixed fields, checksums, sections', () => {
    expect(bytes.subarray(0, 8).toString('latin1')).toBe('RIRMAPSN');
    expect(layout.format).toBe(2);
    expect(SNAPSHOT_FORMAT).toBe(2);
    expect(layout.total).toBe(bytes.length);
    expect(layout.headerLength % 8).toBe(0);
    const dataEnd = bytes.length - 8;
    expect(layout.chunkCount).toBe(
      Math.ceil((dataEnd - layout.dataStart) / layout.chunkSize),
    );
    expect(layout.dataStart).toBe(
      Math.ceil((40 + layout.headerLength + 4 * layout.chunkCount) / 8) * 8,
    );
    const headerCrc = crc32(
      bytes.subarray(40, layout.dataStart),
      crc32(bytes.subarray(0, 36)),
    );
    expect(layout.headerCrc).toBe(headerCrc);
    expect(bytes.readUInt32LE(dataEnd)).toBe(headerCrc);
    expect(bytes.subarray(dataEnd + 4).toString('latin1')).toBe('END.');
    for (let k = 0; k < layout.chunkCount; k++) {
      const s = layout.dataStart + k * layout.chunkSize;
      const e = Math.min(s + layout.chunkSize, dataEnd);
      expect(
        bytes.readUInt32LE(40 + layout.headerLength + 4 * k),
        `chunk ${k}`,
      ).toBe(crc32(bytes.subarray(s, e)));
    }
    // Every section holds the text-loaded registry's array, byte for byte,
    // the IPv4 trie first (it is what loading reads).
    const d = (text as RegistryIndex).data;
    const arrays: Record<string, ArrayBufferView> = {
      'v4.table': d.v4.table,
      'v4.starts': d.v4.starts,
      'v4.ids': d.v4.ids,
      'v6.table': d.v6.table,
      'v6.starts': d.v6.starts,
      'v6.ids': d.v6.ids,
      'asn.table': d.asn.table,
      'asn.starts': d.asn.starts,
      'asn.ids': d.asn.ids,
      conflicts: d.conflicts,
    };
    for (const [k, v] of Object.entries(d.columns))
      if (k !== 'size') arrays[`columns.${k}`] = v as ArrayBufferView;
    expect(layout.header.sections.map((s) => s.name).sort()).toEqual(
      Object.keys(arrays).sort(),
    );
    expect(layout.header.sections.slice(0, 3).map((s) => s.name)).toEqual([
      'v4.table',
      'v4.starts',
      'v4.ids',
    ]);
    expect(layout.header.size).toBe(18);
    let group = '';
    for (const { name } of layout.header.sections) {
      // Each group of sections starts a chunk of its own.
      const g = name.split('.')[0]!;
      const [s] = sectionBytes(name);
      if (g !== group)
        expect((s - layout.dataStart) % layout.chunkSize, name).toBe(0);
      group = g;
    }
    for (const [name, a] of Object.entries(arrays)) {
      const [s, e] = sectionBytes(name);
      expect(s % 8, name).toBe(0);
      expect(
        Buffer.from(bytes.subarray(s, e)).equals(
          Buffer.from(a.buffer, a.byteOffset, a.byteLength),
        ),
        name,
      ).toBe(true);
    }
  });

  it('answers every query exactly like the text files, from a file and from bytes', async () => {
    const fromFile = await loadRegistry({ snapshot: path });
    const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
    shared.set(bytes);
    const fromBytes = decodeSnapshot(shared, 'x.rirmap');
    // Bytes at an odd offset are copied into aligned (shared) memory.
    const odd = new Uint8Array(new SharedArrayBuffer(bytes.length + 1));
    odd.set(bytes, 1);
    const fromOdd = decodeSnapshot(odd.subarray(1), 'odd.rirmap');
    const expected = operations(text, text).map(([, op]) => op());
    for (const r of [fromFile, fromBytes, fromOdd]) {
      const ops = operations(r, text);
      expect(ops.map(([, op]) => op())).toEqual(expected);
    }
    // A registry read lazily re-encodes to the same bytes.
    const again = await loadRegistry({ snapshot: path });
    again.lookup('1.0.16.1');
    expect(Buffer.from(encodeSnapshot(again, '0.0.0-test')).equals(bytes)).toBe(
      true,
    );
  });

  it('a corrupt byte in any section is refused when that section is first used, never answered', async () => {
    const expected = new Map(
      operations(text, text).map(([name, op]) => [name, op()]),
    );
    for (const s of layout.header.sections) {
      const [a, e] = sectionBytes(s.name);
      if (e === a) continue;
      const c = Buffer.from(bytes);
      const at = a + Math.floor((e - a) / 2);
      c[at] = c[at]! ^ 0x5a;
      const file = join(dir, `corrupt-${s.name}.rirmap`);
      writeFileSync(file, c);
      if (s.name.startsWith('v4.')) {
        // The IPv4 trie is read and checked at load.
        await expect(
          loadRegistry({ snapshot: file }),
          s.name,
        ).rejects.toMatchObject({
          code: 'SNAPSHOT_INVALID',
          message: expect.stringMatching(/checksum mismatch in section .*v4\./),
        });
        continue;
      }
      const r = await loadRegistry({ snapshot: file });
      let refused = 0;
      for (const [name, op] of operations(r, text)) {
        let value: unknown;
        try {
          value = op();
        } catch (error) {
          expect(error, `${s.name}: ${name}`).toMatchObject({
            code: 'SNAPSHOT_INVALID',
            message: expect.stringMatching(/checksum mismatch/),
          });
          refused++;
          continue;
        }
        expect(value, `${s.name}: ${name}`).toEqual(expected.get(name));
      }
      expect(refused, s.name).toBeGreaterThan(0);
      // Materialising everything (as sharing and re-encoding do) always notices.
      expect(() => encodeSnapshot(r, 'x'), s.name).toThrow(/checksum/);
    }
  });

  it('refuses a damaged header, chunk table or trailer at load', async () => {
    const cases: [string, number][] = [
      ['header JSON', 60],
      ['chunk checksum table', 40 + layout.headerLength + 4],
      ['chunk size field', 24],
      ['data start field', 32],
      ['header checksum', 37],
      ['trailer checksum', bytes.length - 6],
      ['end marker', bytes.length - 2],
    ];
    for (const [what, at] of cases) {
      const c = Buffer.from(bytes);
      c[at] = c[at]! ^ 0x01;
      const file = join(dir, 'damaged.rirmap');
      writeFileSync(file, c);
      await expect(
        loadRegistry({ snapshot: file }),
        what,
      ).rejects.toMatchObject({ code: 'SNAPSHOT_INVALID' });
      expect(() => decodeSnapshot(c, 'damaged.rirmap'), what).toThrow(
        /not a usable rirmap snapshot/,
      );
    }
    const short = join(dir, 'short.rirmap');
    writeFileSync(short, bytes.subarray(0, 20));
    await expect(loadRegistry({ snapshot: short })).rejects.toMatchObject({
      code: 'SNAPSHOT_INVALID',
      message: expect.stringMatching(/only 20 bytes/),
    });
  });

  it('refuses format 1 (older rirmap) with a rebuild hint', async () => {
    const old = Buffer.from(bytes);
    old.writeUInt32LE(1, 8);
    const file = join(dir, 'format1.rirmap');
    writeFileSync(file, old);
    await expect(loadRegistry({ snapshot: file })).rejects.toMatchObject({
      code: 'SNAPSHOT_VERSION',
      message: expect.stringMatching(
        /format 1 by an older rirmap.*rirmap build/,
      ),
    });
  });

  it('keeps answering from the file it opened when the path is replaced by a rename', async () => {
    const file = join(dir, 'replaced.rirmap');
    writeFileSync(file, bytes);
    const r = await loadRegistry({ snapshot: file });
    // rirmap build writes a temporary file and renames it over the old one.
    const other = await loadRegistry({ data: [FILES[0]!] });
    await writeSnapshotFile(other, file, '0.0.0-test');
    expect(r.lookup('2001:200:100::5')).toEqual(text.lookup('2001:200:100::5'));
    expect(r.conflicts()).toEqual(text.conflicts());
    expect(r.stats()).toEqual(text.stats());
  });

  it('refuses sections of a file changed or cut in place after loading', async () => {
    const [v6] = sectionBytes('v6.table');
    const changed = join(dir, 'changed.rirmap');
    writeFileSync(changed, bytes);
    const r1 = await loadRegistry({ snapshot: changed });
    const fd = openSync(changed, 'r+');
    writeSync(fd, Buffer.from([bytes[v6 + 100]! ^ 0xff]), 0, 1, v6 + 100);
    closeSync(fd);
    expect(r1.lookup('1.0.16.1')).toEqual(text.lookup('1.0.16.1'));
    expect(() => r1.lookup('2001:200:100::5')).toThrow(/checksum mismatch/);

    const cut = join(dir, 'cut.rirmap');
    writeFileSync(cut, bytes);
    const r2 = await loadRegistry({ snapshot: cut });
    truncateSync(cut, v6);
    expect(() => r2.lookup('2001:200:100::5')).toThrow(
      expect.objectContaining({
        code: 'SNAPSHOT_INVALID',
        message: expect.stringMatching(/truncated/),
      }),
    );
    // Sections already read keep answering.
    expect(r2.lookup('1.0.16.1')).toEqual(text.lookup('1.0.16.1'));
  });
});
