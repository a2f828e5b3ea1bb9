/**
 * Wording and number formats shared by the Markdown and HTML renderers.
 * Nothing here depends on the locale, so output bytes do not either.
 */

import type { Rir } from '../types.js';
import type {
  ReportBlock,
  ReportRdapNetwork,
  ReportTime,
} from './report-types.js';

/** Display names of the registries. */
export const REGISTRY_NAMES: Readonly<Record<Rir, string>> = {
  afrinic: 'AFRINIC',
  apnic: 'APNIC',
  arin: 'ARIN',
  lacnic: 'LACNIC',
  ripencc: 'RIPE NCC',
  iana: 'IANA',
};

/** `1234567` → `1,234,567`. */
export function groupDigits(n: number): string {
  const s = String(Math.trunc(Math.abs(n)));
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && (s.length - i) % 3 === 0) out += ',';
    out += s[i];
  }
  return n < 0 ? `-${out}` : out;
}

/** A distinct-address count: `1,000`, or `≥ 1,000` when it is a lower bound. */
export function addressCount(n: number, exact: boolean): string {
  return exact ? groupDigits(n) : `≥ ${groupDigits(n)}`;
}

/** A country cell: the code, or a dash when the registry gives none. */
export function countryLabel(cc: string | null): string {
  return cc ?? '—';
}

/** A holder cell: the opaque id, or `(none)` when the file has none (standard files). */
export function holderLabel(holder: string | null): string {
  return holder ?? '(none)';
}

/** A block: its CIDR when it is one, else `start – end`. */
export function blockLabel(
  b: Pick<ReportBlock, 'start' | 'end' | 'cidrs'>,
): string {
  if (b.cidrs.length === 1) return b.cidrs[0]!;
  if (b.start === '') return '(block not known)';
  if (b.end === '' || b.end === b.start) return b.start;
  return `${b.start} – ${b.end}`;
}

/** One line per RDAP network: `name · org · abuse@…`. */
export function rdapLines(networks: readonly ReportRdapNetwork[]): string[] {
  return networks.map((n) =>
    [n.name ?? n.handle, n.org, n.abuseEmail]
      .filter((x): x is string => x !== null && x !== '')
      .join(' · '),
  );
}

/** A sentence saying how times were read. */
export function timeSentence(t: ReportTime): string {
  if (t.kind === null)
    return 'No timestamps were recognised in the input; first/last seen are empty.';
  const where =
    t.source === 'line'
      ? 'read from each line'
      : `read from the column or key "${t.source ?? ''}"`;
  const kind =
    t.kind === 'utc'
      ? 'written in UTC'
      : t.kind === 'local'
        ? 'written as in the input (no time zone given)'
        : 'syslog times without a year, written month-day (give the year, --year, to place them)';
  const missing =
    t.rowsWithoutTime > 0
      ? `; ${groupDigits(t.rowsWithoutTime)} row(s) with addresses had no readable time`
      : '';
  return `Times ${where}, ${kind}${missing}.`;
}
