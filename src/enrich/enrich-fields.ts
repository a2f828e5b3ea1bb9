/**
 * The fields enrichment can add, and how each is read from a registry record
 * or an RDAP answer. Pure.
 */

import {
  RDAP_FIELDS,
  type RdapField,
  type RdapInfo,
} from '../rdap/rdap-types.js';
import type { RegistryRecord } from '../types.js';

/** Registry fields, in the order `--fields` lists them in help. */
export const REGISTRY_FIELDS = [
  'rir',
  'country',
  'date',
  'status',
  'holder',
  'range',
  'cidr',
  'source',
  'special',
] as const;

/** A field answered by the offline registry. */
export type RegistryField = (typeof REGISTRY_FIELDS)[number];

/** A field of an enriched row: a registry field or `rdap.<name>`. */
export type EnrichField = RegistryField | `rdap.${RdapField}`;

/** The fields added when none are selected. */
export const DEFAULT_FIELDS: readonly EnrichField[] = [
  'rir',
  'country',
  'date',
  'status',
];

const REGISTRY_SET: ReadonlySet<string> = new Set(REGISTRY_FIELDS);
const RDAP_SET: ReadonlySet<string> = new Set(RDAP_FIELDS);

/** True when `name` is a selectable field. */
export function isEnrichField(name: string): name is EnrichField {
  return (
    REGISTRY_SET.has(name) ||
    (name.startsWith('rdap.') && RDAP_SET.has(name.slice(5)))
  );
}

/** True for `rdap.*` fields. */
export function isRdapField(field: EnrichField): field is `rdap.${RdapField}` {
  return field.startsWith('rdap.');
}

/**
 * Validates a field list (names, or one comma-separated string).
 * @throws {TypeError} naming `fields` for an unknown or repeated field, or an empty list.
 */
export function parseFields(fields: readonly string[] | string): EnrichField[] {
  const list =
    typeof fields === 'string'
      ? fields.split(',').map((f) => f.trim())
      : [...fields];
  if (list.length === 0 || list.some((f) => typeof f !== 'string'))
    throw new TypeError('`fields` must be a non-empty list of field names');
  const seen = new Set<string>();
  for (const f of list) {
    if (!isEnrichField(f))
      throw new TypeError(
        `\`fields\`: unknown field ${JSON.stringify(f)}; known: ${REGISTRY_FIELDS.join(', ')}, ` +
          `rdap.<${RDAP_FIELDS.join('|')}>`,
      );
    if (seen.has(f))
      throw new TypeError(`\`fields\`: ${JSON.stringify(f)} is listed twice`);
    seen.add(f);
  }
  return list as EnrichField[];
}

/** The text of a registry field of a found record ('' when the record has no value). */
export function recordFieldText(
  record: RegistryRecord,
  field: RegistryField,
): string {
  switch (field) {
    case 'rir':
      return record.rir;
    case 'country':
      return record.country ?? '';
    case 'date':
      return record.date ?? '';
    case 'status':
      return record.status;
    case 'holder':
      return record.holder ?? '';
    case 'range':
      return `${record.range.start}-${record.range.end}`;
    case 'cidr':
      return record.range.cidrs?.join(' ') ?? '';
    case 'source':
      return record.source.file;
    case 'special':
      return '';
  }
}

/** The text of an RDAP field ('' when null; CIDRs joined with a space). */
export function rdapFieldText(info: RdapInfo, name: RdapField): string {
  const v = info[name];
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  return v.join(' ');
}

/** Short keys of the `--annotate inline` form. */
export const INLINE_KEYS: Readonly<Record<RegistryField, string>> = {
  rir: 'rir',
  country: 'cc',
  date: 'date',
  status: 'status',
  holder: 'holder',
  range: 'range',
  cidr: 'cidr',
  source: 'source',
  special: 'special',
};
