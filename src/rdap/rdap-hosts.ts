/**
 * Which RDAP servers rirmap talks to: the five registries' base URLs, the
 * national registries (NIRs) they refer to, base-URL validation (https only,
 * plain http only to a loopback address) and the redirect allow-list.
 */

import type { Rir } from '../types.js';

/** A Regional Internet Registry (not `iana`). */
export type RdapRir = Exclude<Rir, 'iana'>;

/** The five registries, in name order. */
export const RDAP_RIRS: readonly RdapRir[] = [
  'afrinic',
  'apnic',
  'arin',
  'lacnic',
  'ripencc',
];

/** Each registry's RDAP base URL (REFERENCE B7). Base URLs end with `/`. */
export const RIR_RDAP_SERVERS: Readonly<Record<RdapRir, string>> = {
  afrinic: 'https://rdap.afrinic.net/rdap/',
  apnic: 'https://rdap.apnic.net/',
  arin: 'https://rdap.arin.net/registry/',
  lacnic: 'https://rdap.lacnic.net/rdap/',
  ripencc: 'https://rdap.db.ripe.net/',
};

/**
 * RDAP hosts of national registries a registry may redirect to, and the
 * registry whose published limits apply to them.
 */
export const NIR_RDAP_HOSTS: Readonly<Record<string, RdapRir>> = {
  'jpnic.rdap.apnic.net': 'apnic',
  'krnic.rdap.apnic.net': 'apnic',
  'twnic.rdap.apnic.net': 'apnic',
  'idnic.rdap.apnic.net': 'apnic',
  'rdap.registro.br': 'lacnic',
};

/** True for `localhost`, `127.0.0.0/8` and `::1` (as URL hostnames write them). */
export function isLoopbackHostname(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (h === 'localhost' || h === '[::1]' || h === '::1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Validates an RDAP base URL: `https:`, or `http:` to a loopback host; no
 * credentials, query or fragment. Adds the trailing `/` when missing.
 * @returns the normalised base URL.
 * @throws {TypeError} naming `option` when the text is not an acceptable URL.
 */
export function parseRdapBaseUrl(text: string, option: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError(
      `\`${option}\` must be an absolute URL, got ${JSON.stringify(text)}`,
    );
  }
  if (
    url.protocol !== 'https:' &&
    !(url.protocol === 'http:' && isLoopbackHostname(url.hostname))
  )
    throw new TypeError(
      `\`${option}\` must be an https URL (plain http only to a loopback address), got ${JSON.stringify(text)}`,
    );
  if (
    url.username !== '' ||
    url.password !== '' ||
    url.search !== '' ||
    url.hash !== ''
  )
    throw new TypeError(
      `\`${option}\` must not carry credentials, a query or a fragment, got ${JSON.stringify(text)}`,
    );
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.href;
}

/** The registry whose default limits apply to a host, or null for an unknown host. */
export function rirOfKnownHost(host: string): RdapRir | null {
  const h = host.toLowerCase();
  for (const rir of RDAP_RIRS)
    if (new URL(RIR_RDAP_SERVERS[rir]).host === h) return rir;
  return NIR_RDAP_HOSTS[h] ?? null;
}

/**
 * The redirect allow-list: https targets on the registries' and NIRs' hosts,
 * hosts named in the bootstrap, and hosts given explicitly (configured
 * servers, `allowedRedirectHosts`). A loopback host is allowed only when given
 * explicitly, and only then may it be reached over plain http.
 */
export class RedirectPolicy {
  private readonly https = new Set<string>();
  private readonly explicit = new Set<string>();

  constructor(
    bootstrapHosts: Iterable<string>,
    explicitHosts: Iterable<string>,
  ) {
    for (const rir of RDAP_RIRS)
      this.https.add(new URL(RIR_RDAP_SERVERS[rir]).host);
    for (const h of Object.keys(NIR_RDAP_HOSTS)) this.https.add(h);
    for (const h of bootstrapHosts)
      if (!isLoopbackHostname(hostnameOf(h))) this.https.add(h);
    for (const h of explicitHosts) this.explicit.add(h.toLowerCase());
  }

  /** Null when the redirect target may be followed, else the reason it may not. */
  check(url: URL): string | null {
    const host = url.host.toLowerCase();
    if (url.username !== '' || url.password !== '')
      return 'redirect target carries credentials';
    if (this.explicit.has(host)) {
      if (url.protocol === 'https:') return null;
      if (url.protocol === 'http:' && isLoopbackHostname(url.hostname))
        return null;
      return `redirect to a non-https URL (${url.protocol})`;
    }
    if (url.protocol !== 'https:')
      return `redirect to a non-https URL (${url.protocol})`;
    if (isLoopbackHostname(url.hostname))
      return `redirect to loopback host ${host} not allowed`;
    if (!this.https.has(host))
      return `redirect to ${host} is not on the allow-list`;
    return null;
  }
}

function hostnameOf(host: string): string {
  const i = host.lastIndexOf(':');
  return i > 0 && !host.endsWith(']') ? host.slice(0, i) : host;
}

/**
 * The base URL of the server that answered a query URL: everything up to the
 * `ip/` path segment; the origin when the path has none.
 */
export function baseUrlOfQuery(queryUrl: string): string {
  const url = new URL(queryUrl);
  const i = url.pathname.lastIndexOf('/ip/');
  const path = i >= 0 ? url.pathname.slice(0, i + 1) : '/';
  return `${url.origin}${path}`;
}
