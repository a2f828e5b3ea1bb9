import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createFieldReader } from '../../src/enrich/record-fields.js';
import { loadRegistry } from '../../src/registry/load-registry.js';
import { registryFromShared, shareRegistry } from '../../src/registry/share.js';
import { writeSnapshotFile } from '../../src/snapshot/snapshot-file.js';
import type { Registry } from '../../src/types.js';
import { sampleAddresses } from '../helpers/export-expected.js';
import { COLUMN_FIELDS } from '../helpers/registry-fixtures.js';

// Real files with holders (extended), IPv6, ASNs and IANA overlaps: about
// 108,000 records, so every column spans many checksum chunks.
const RIR = (name: string) =>
  fileURLToPath(new URL(`../../../shared/data/rir/${name}`, import.meta.url));
const FILES = [
  RIR('delegated-afrinic-extended-20260505.gz'),
  RIR('delegated-lacnic-extended-20230323.gz'),
  RIR('delegated-iana-20170730.gz'),
];
const FIELDS = COLUMN_FIELDS;

describe('compiled snapshot of real registry files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rirmap-snapshared-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const text = await loadRegistry({ data: FILES });
  const path = join(dir, 'real.rirmap');
  await writeSnapshotFile(text, path, '0.0.0-test');
  const bytes = readFileSync(path);
  const addresses = sampleAddresses(text, {
    edges: 2000,
    randomV4: 2000,
    randomV6: 2000,
    mapped: 200,
    seed: 7,
  });
  const ids = Array.from({ length: text.size }, (_, i) => i).filter(
    (i) => i % 29 === 0 || i === text.size - 1,
  );
  const holders = [
    ...new Set(ids.map((i) => text.record(i).holder).filter((h) => h !== null)),
  ].slice(0, 300) as string[];

  it('answers like the text files: lookups, records, holders, fields, conflicts, stats', async () => {
    expect(text.size).toBe(19286 + 86237 + 2804); // SOURCES.md record counts
    const snap = await loadRegistry({ snapshot: path });
    for (const a of addresses) {
      expect(snap.lookupId(a), a).toBe(text.lookupId(a));
      expect(snap.query(a), a).toEqual(text.query(a));
    }
    for (const id of ids) expect(snap.record(id)).toEqual(text.record(id));
    for (const h of holders) expect(snap.holder(h)).toEqual(text.holder(h));
    const a = createFieldReader(snap);
    const b = createFieldReader(text);
    for (const id of ids)
      for (const f of FIELDS) expect(a(id, f)).toBe(b(id, f));
    expect(snap.conflicts()).toEqual(text.conflicts());
    expect(snap.stats()).toEqual(text.stats());
    expect([...snap.intervals('asn')]).toEqual([...text.intervals('asn')]);
  });

  it('keeps one record object per id, before and after the id-indexed cache is made', async () => {
    for (const r of [text, await loadRegistry({ snapshot: path })]) {
      const early = r.record(5);
      const ip = String(early.range.start);
      // More distinct records than the first-records Map holds (4096).
      for (let id = 0; id < 6000; id++) r.record(id);
      expect(r.record(5)).toBe(early);
      const last = r.record(r.size - 1);
      expect(r.record(r.size - 1)).toBe(last);
      if (early.type !== 'asn')
        expect(r.lookup(ip)).toBe(r.record(r.lookupId(ip)));
    }
  });

  it('shares with workers: the handle survives structured cloning', async () => {
    const snap = await loadRegistry({ snapshot: path });
    snap.lookup('200.1.0.1');
    const worker = registryFromShared(structuredClone(shareRegistry(snap)));
    for (const id of ids) expect(worker.record(id)).toEqual(text.record(id));
    for (const a of addresses.slice(0, 2000))
      expect(worker.lookupId(a), a).toBe(text.lookupId(a));
  });

  it('a corrupt chunk in a column fails the records around it, never answers wrongly', async () => {
    const headerLength = bytes.readUInt32LE(12);
    const dataStart = bytes.readUInt32LE(32);
    const chunkSize = bytes.readUInt32LE(24);
    const header = JSON.parse(
      bytes.subarray(40, 40 + headerLength).toString('utf8'),
    ) as {
      sections: {
        name: string;
        kind: string;
        offset: number;
        length: number;
      }[];
    };
    const width: Record<string, number> = { u8: 1, u16: 2, u32: 4, i32: 4 };
    for (const name of [
      'columns.words',
      'columns.date',
      'columns.holder',
      'columns.holderBytes',
      'columns.holderOffsets',
    ]) {
      const e = header.sections.find((s) => s.name === name)!;
      const size = e.length * width[e.kind]!;
      const at = dataStart + e.offset + Math.floor(size / 2);
      const c = Buffer.from(bytes);
      c[at] = c[at]! ^ 0x3c;
      const file = join(dir, `bad-${name}.rirmap`);
      writeFileSync(file, c);
      const r: Registry = await loadRegistry({ snapshot: file });
      // The tries are intact: every id lookup still answers.
      for (const a of addresses.slice(0, 1500))
        expect(r.lookupId(a), `${name}: ${a}`).toBe(text.lookupId(a));
      let refused = 0;
      let answered = 0;
      const badChunk = Math.floor((at - dataStart) / chunkSize);
      for (let id = 0; id < text.size; id += 23) {
        let rec;
        try {
          rec = r.record(id);
        } catch (error) {
          expect(error, `${name}: record ${id}`).toMatchObject({
            code: 'SNAPSHOT_INVALID',
            message: expect.stringMatching(/checksum mismatch/),
          });
          refused++;
          continue;
        }
        expect(rec, `${name}: record ${id}`).toEqual(text.record(id));
        answered++;
      }
      expect(refused, name).toBeGreaterThan(0);
      expect(answered, name).toBeGreaterThan(0);
      if (name === 'columns.words') {
        // The record whose words hold the damaged byte is refused; one far
        // from it (its words in another chunk) answers.
        const id = Math.floor((at - dataStart - e.offset) / 16);
        expect(() => r.record(id)).toThrow(/checksum mismatch/);
        const far = id > text.size / 2 ? 0 : text.size - 1;
        expect(Math.floor((e.offset + far * 16) / chunkSize)).not.toBe(
          badChunk,
        );
        expect(r.record(far)).toEqual(text.record(far));
      } else {
        // Code reading whole columns (enrichment's field reader) is refused too.
        const fields = createFieldReader(r);
        expect(() => {
          for (let id = 0; id < text.size; id++)
            for (const f of FIELDS) fields(id, f);
        }, name).toThrow(/checksum mismatch/);
      }
    }
  });
});
