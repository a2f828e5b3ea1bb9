import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../../src/registry/load-registry.js';
import { createFieldReader } from '../../src/enrich/record-fields.js';
import {
  REGISTRY_FIELDS,
  parseFields,
  recordFieldText,
} from '../../src/enrich/enrich-fields.js';
import { fakeRegistry, fixtureRegistry, sharedPath } from './enrich-helpers.js';
import { COLUMN_FIELDS } from '../helpers/registry-fixtures.js';

describe('field reader', () => {
  it('reads the same text as the record objects (fixture registry, every record)', async () => {
    const registry = await fixtureRegistry();
    const read = createFieldReader(registry);
    for (let id = 0; id < registry.size; id++)
      for (const f of REGISTRY_FIELDS)
        expect(read(id, f)).toBe(recordFieldText(registry.record(id), f));
  });

  it('same on the real shared files (every 97th record)', async () => {
    const registry = await loadRegistry({ data: [sharedPath('rir')] });
    const read = createFieldReader(registry);
    for (let id = 0; id < registry.size; id += 97)
      for (const f of COLUMN_FIELDS)
        expect(read(id, f)).toBe(recordFieldText(registry.record(id), f));
  }, 30_000);

  it('falls back to record() for other registries', () => {
    const registry = fakeRegistry({
      '1.2.3.4': { country: 'JP', holder: 'h1' },
    });
    const read = createFieldReader(registry);
    expect(read(0, 'country')).toBe('JP');
    expect(read(0, 'holder')).toBe('h1');
    expect(read(0, 'range')).toBe('1.2.3.4-1.2.3.4');
  });
});

describe('parseFields', () => {
  it('accepts a list or a comma-separated string', () => {
    expect(parseFields('rir, country,rdap.org')).toEqual([
      'rir',
      'country',
      'rdap.org',
    ]);
    expect(parseFields(['holder'])).toEqual(['holder']);
  });
  it.each([[''], ['rdap.nope'], ['rir,rir'], [[]]])('rejects %o', (f) => {
    expect(() => parseFields(f as string)).toThrow(TypeError);
  });
});
