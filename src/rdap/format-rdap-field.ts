/**
 * RDAP fields as cell text for enrichment output (`--fields rdap.name,…`).
 * The text is already sanitised by the resolver; CSV writers should still
 * pass it through `neutralizeCsvFormula` unless `--raw-csv` is given.
 */

import { RDAP_FIELDS, type RdapField, type RdapInfo } from './rdap-types.js';

/** True when `name` is an RDAP field name (`abuseEmail`, …) without the `rdap.` prefix. */
export function isRdapField(name: string): name is RdapField {
  return (RDAP_FIELDS as readonly string[]).includes(name);
}

/**
 * One field as text: '' for null or a missing answer; `cidrs` joined with spaces.
 * @param info the answer, or null when RDAP was not asked.
 * @param field one of RDAP_FIELDS.
 */
export function formatRdapField(
  info: RdapInfo | null,
  field: RdapField,
): string {
  if (info === null) return '';
  if (field === 'cidrs') return info.cidrs.join(' ');
  return info[field] ?? '';
}
