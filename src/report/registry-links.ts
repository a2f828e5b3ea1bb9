/**
 * Where a reader of a report asks a registry about an address block: its RDAP
 * service (machine-readable JSON, RFC 9082 `ip/` queries) and its web whois or
 * search page (for people). Links only: a report never fetches them.
 */

import { RIR_RDAP_SERVERS } from '../rdap/rdap-hosts.js';
import type { Rir } from '../types.js';
import type { ReportLinks } from './report-types.js';

/** Each registry's web whois / search page, with `{q}` for the query. */
export const WHOIS_QUERY_PAGES: Readonly<Record<Rir, string>> = {
  afrinic: 'https://afrinic.net/whois?searchtext={q}',
  apnic: 'https://wq.apnic.net/static/search.html?query={q}',
  arin: 'https://search.arin.net/rdap/?query={q}',
  lacnic: 'https://query.milacnic.lacnic.net/search?id={q}',
  ripencc: 'https://apps.db.ripe.net/db-web-ui/query?searchtext={q}',
  iana: 'https://www.iana.org/whois?q={q}',
};

/** Each registry's home page for its whois service (no query). */
export const WHOIS_HOME_PAGES: Readonly<Record<Rir, string>> = {
  afrinic: 'https://afrinic.net/whois',
  apnic: 'https://wq.apnic.net/static/search.html',
  arin: 'https://search.arin.net/rdap/',
  lacnic: 'https://query.milacnic.lacnic.net/home',
  ripencc: 'https://apps.db.ripe.net/db-web-ui/query',
  iana: 'https://www.iana.org/whois',
};

function rdapBase(rir: Rir): string | null {
  return rir === 'iana' ? null : RIR_RDAP_SERVERS[rir];
}

/** Links to a registry's services (no particular resource). */
export function registryLinks(rir: Rir): ReportLinks {
  return { rdap: rdapBase(rir), whois: WHOIS_HOME_PAGES[rir] };
}

/**
 * Links for one block (or address): RDAP `ip/<prefix>` for a CIDR, `ip/<address>`
 * otherwise; the whois page queried with the same text.
 */
export function resourceLinks(rir: Rir, query: string): ReportLinks {
  const base = rdapBase(rir);
  // Addresses and prefixes need no escaping in a path; anything else is encoded.
  const plain = /^[0-9A-Fa-f.:/]+$/.test(query);
  const path = plain ? query : encodeURIComponent(query);
  const q = plain
    ? query.replaceAll('/', '%2F').replaceAll(':', '%3A')
    : encodeURIComponent(query);
  return {
    rdap: base === null ? null : `${base}ip/${path}`,
    whois: WHOIS_QUERY_PAGES[rir].replace('{q}', q),
  };
}
