/**
 * Reads the text of a registry field for a record id. For a registry built by
 * loadRegistry the common fields are read straight from its typed-array
 * columns: `registry.record(id)` would build and keep a full record object
 * (range, CIDRs…) per id, and a run over millions of varied addresses touches
 * most of the registry's records (hundreds of MB). Other registries, and the
 * fields that need the whole record (range, cidr), go through `record(id)`.
 */

import { RegistryIndex } from '../registry/registry-index.js';
import {
  RIR_CODES,
  STATUS_CODES,
  formatDate,
  holderText,
  unpackCountry,
} from '../registry/record-store.js';
import type { Registry } from '../types.js';
import { recordFieldText, type RegistryField } from './enrich-fields.js';

/** Text of a field of a record ('' when the record has no value). */
export type FieldReader = (id: number, field: RegistryField) => string;

/** A field reader for a registry. */
export function createFieldReader(registry: Registry): FieldReader {
  if (!(registry instanceof RegistryIndex))
    return (id, field) => recordFieldText(registry.record(id), field);
  const c = registry.data.columns;
  const sources = registry.sources;
  return (id, field) => {
    switch (field) {
      case 'rir':
        return RIR_CODES[c.rir[id]!]!;
      case 'country':
        return unpackCountry(c.country[id]!) ?? '';
      case 'date':
        return formatDate(c.date[id]!) ?? '';
      case 'status':
        return STATUS_CODES[c.status[id]!]!;
      case 'holder': {
        const h = c.holder[id]!;
        return h < 0 ? '' : holderText(c, h);
      }
      case 'source':
        return sources[c.source[id]!]?.file ?? '';
      default:
        return recordFieldText(registry.record(id), field);
    }
  };
}
