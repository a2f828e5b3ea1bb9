/**
 * A registry record as an MMDB data record. The map's keys, in order (a null
 * field is left out, as the format has no null):
 * - `rir`: the registry that answers (`apnic`, …, `iana`);
 * - `country`, `registered_country`: `{ iso_code }`, the registered country
 *   under the paths GeoIP2 readers know (it is not a geolocation), and
 *   `country_code`: the same code as a plain string;
 * - `date`: allocation date `yyyy-mm-dd`; `status`; `holder`: opaque holder id;
 * - `range`: the whole delegated block, `a.b.c.d/n` when it is one CIDR, else
 *   `start-end` (the network a reader matched may be a part of it);
 * - `source`: `{ file, serial }` of the delegated file.
 *
 * Written straight into the data section (no intermediate objects): strings
 * through pointers to one stored copy (two-byte codes inline), `{ iso_code }`
 * and `{ file, serial }` maps stored once each, the range, almost always
 * unique, inline.
 */

import type { RecordSource, RegistryRecord } from '../types.js';
import { type ExportField, recordRangeLabel } from './export-fields.js';
import {
  type ByteBuffer,
  MMDB_TYPE,
  type MmdbDataSection,
  writeControl,
  writePointer,
} from './mmdb-data-section.js';

/** Returns a function that stores a record's value (deduplicated) and gives its offset. */
export function createMmdbRecordEncoder(
  data: MmdbDataSection,
  fields: ReadonlySet<ExportField>,
): (record: RegistryRecord) => number {
  const withRir = fields.has('rir');
  const withCountry = fields.has('country');
  const withDate = fields.has('date');
  const withStatus = fields.has('status');
  const withHolder = fields.has('holder');
  const withRange = fields.has('range');
  const withSource = fields.has('source');
  const key = (name: string): number => data.addString(name);
  const countries = new Map<string, number>();
  const sources = new Map<string, number>();
  let lastSource: RecordSource | null = null;
  let lastSourceOffset = -1;
  const countryMap = (cc: string): number => {
    let offset = countries.get(cc);
    if (offset === undefined) {
      offset = data.add({ iso_code: cc });
      countries.set(cc, offset);
    }
    return offset;
  };
  const sourceMap = (s: RecordSource): number => {
    if (s === lastSource) return lastSourceOffset;
    const id = `${s.file}\n${s.serial}`;
    let offset = sources.get(id);
    if (offset === undefined) {
      offset = data.add({ file: s.file, serial: s.serial });
      sources.set(id, offset);
    }
    lastSource = s;
    lastSourceOffset = offset;
    return offset;
  };
  // Keys are stored first, in field order, so their pointers stay short.
  const K = {
    rir: key('rir'),
    country: key('country'),
    registered: key('registered_country'),
    countryCode: key('country_code'),
    date: key('date'),
    status: key('status'),
    holder: key('holder'),
    range: key('range'),
    source: key('source'),
  };

  return (record) => {
    const country = withCountry ? record.country : null;
    const date = withDate ? record.date : null;
    const holder = withHolder ? record.holder : null;
    const pairs =
      (withRir ? 1 : 0) +
      (country !== null ? 3 : 0) +
      (date !== null ? 1 : 0) +
      (withStatus ? 1 : 0) +
      (holder !== null ? 1 : 0) +
      (withRange ? 1 : 0) +
      (withSource ? 1 : 0);
    const countryOffset = country !== null ? countryMap(country) : -1;
    const sourceOffset = withSource ? sourceMap(record.source) : -1;
    return data.addEncoded((buf: ByteBuffer) => {
      writeControl(buf, MMDB_TYPE.map, pairs);
      if (withRir) {
        writePointer(buf, K.rir);
        data.writeStringRef(buf, record.rir);
      }
      if (country !== null) {
        writePointer(buf, K.country);
        writePointer(buf, countryOffset);
        writePointer(buf, K.registered);
        writePointer(buf, countryOffset);
        writePointer(buf, K.countryCode);
        data.writeStringRef(buf, country);
      }
      if (date !== null) {
        writePointer(buf, K.date);
        data.writeStringRef(buf, date);
      }
      if (withStatus) {
        writePointer(buf, K.status);
        data.writeStringRef(buf, record.status);
      }
      if (holder !== null) {
        writePointer(buf, K.holder);
        data.writeStringRef(buf, holder);
      }
      if (withRange) {
        writePointer(buf, K.range);
        buf.utf8String(recordRangeLabel(record));
      }
      if (withSource) {
        writePointer(buf, K.source);
        writePointer(buf, sourceOffset);
      }
    });
  };
}
