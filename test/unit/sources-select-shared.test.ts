import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { basename } from 'node:path';
import {
  selectDataFiles,
  selectDataFilesDetailed,
} from '../../src/sources/select-files.js';

// As-of selection over the real dated files of ../shared/data/rir/. The expected choices were
// worked out by hand from the header lines listed in shared/data/SOURCES.md (section 1):
//   afrinic: ext 20181013, std 20190911, ext 20230323, ext 20260505
//   apnic:   std 20141008, ext 20160130, ext 20160224, std 20190911   (end date = name - 1 day)
//   lacnic:  ext 20181012, std 20190910, ext 20210405, ext 20230322   (file named 20230323)
//   arin std 20130812, ripencc std 20140520, iana 20170722
const RIR = fileURLToPath(
  new URL('../../../shared/data/rir/', import.meta.url),
);

async function chosen(asOf?: string): Promise<Record<string, string>> {
  const files = await selectDataFiles(
    [RIR],
    asOf === undefined ? {} : { asOf },
  );
  return Object.fromEntries(files.map((f) => [f.registry, basename(f.path)]));
}

describe(
  'as-of selection over the shared dated files',
  { timeout: 60_000 },
  () => {
    it('without a date takes the newest of each registry', async () => {
      expect(await chosen()).toEqual({
        afrinic: 'delegated-afrinic-extended-20260505.gz',
        apnic: 'delegated-apnic-20190912.gz',
        arin: 'delegated-arin-20130813.gz',
        iana: 'delegated-iana-20170730.gz',
        lacnic: 'delegated-lacnic-extended-20230323.gz',
        ripencc: 'delegated-ripencc-20140520.gz',
      });
    });

    it('2023-03-22: LACNIC file named 0323 ends on 0322 and counts; AFRINIC 0323 does not', async () => {
      expect(await chosen('2023-03-22')).toEqual({
        afrinic: 'delegated-afrinic-20190911.gz',
        apnic: 'delegated-apnic-20190912.gz',
        arin: 'delegated-arin-20130813.gz',
        iana: 'delegated-iana-20170730.gz',
        lacnic: 'delegated-lacnic-extended-20230323.gz',
        ripencc: 'delegated-ripencc-20140520.gz',
      });
    });

    it('2023-03-23 takes the AFRINIC file of that day', async () => {
      expect((await chosen('2023-03-23'))['afrinic']).toBe(
        'delegated-afrinic-extended-20230323.gz',
      );
    });

    it('2019-01-01', async () => {
      expect(await chosen('2019-01-01')).toEqual({
        afrinic: 'delegated-afrinic-extended-20181013.gz',
        apnic: 'delegated-apnic-extended-20160225.gz',
        arin: 'delegated-arin-20130813.gz',
        iana: 'delegated-iana-20170730.gz',
        lacnic: 'delegated-lacnic-extended-20181012.gz',
        ripencc: 'delegated-ripencc-20140520.gz',
      });
    });

    it('2016-02-24 vs 2016-02-23: APNIC names are one day after the end date', async () => {
      expect((await chosen('2016-02-24'))['apnic']).toBe(
        'delegated-apnic-extended-20160225.gz',
      );
      expect((await chosen('2016-02-23'))['apnic']).toBe(
        'delegated-apnic-extended-20160131.gz',
      );
      expect((await chosen('2016-01-29'))['apnic']).toBe(
        'delegated-apnic-20141009.gz',
      );
    });

    it('2014-01-01 leaves only ARIN; 2013-08-11 nothing', async () => {
      expect(await chosen('2014-01-01')).toEqual({
        arin: 'delegated-arin-20130813.gz',
      });
      const { selected, skipped } = await selectDataFilesDetailed([RIR], {
        asOf: '2013-08-11',
      });
      expect(selected).toEqual([]);
      expect(skipped).toHaveLength(15);
      expect(skipped.every((s) => s.reason === 'after-as-of')).toBe(true);
    });

    it('reads the kind from the records: the 2019 files are standard', async () => {
      const files = await selectDataFiles([RIR], { asOf: '2019-12-31' });
      const kinds = Object.fromEntries(files.map((f) => [f.registry, f.kind]));
      expect(kinds).toEqual({
        afrinic: 'standard',
        apnic: 'standard',
        arin: 'standard',
        iana: 'extended', // 8-field reserved lines near the top of the IANA file
        lacnic: 'standard',
        ripencc: 'standard',
      });
    });
  },
);
