/**
 * The contract between the RDAP resolver and its users (lookup, enrichment,
 * report). Everything a server sent is untrusted text: the resolver strips
 * control characters and caps lengths before it lands here.
 */

import type { RegistryRecord } from '../types.js';

/** When RDAP is asked. `off`: never; `fallback`: only where offline data has no answer; `always`: every found address. */
export type RdapMode = 'off' | 'fallback' | 'always';

/** How an RDAP answer was obtained. */
export type RdapStatus =
  | 'ok'
  | 'cached'
  | 'not-found'
  | 'rate-limited'
  | 'unavailable'
  | `error: ${string}`;

/** RDAP fields of one network (RFC 9083 `ip network`), or the reason there are none. */
export interface RdapInfo {
  readonly status: RdapStatus;
  readonly handle: string | null;
  readonly name: string | null;
  readonly type: string | null;
  readonly country: string | null;
  readonly start: string | null;
  readonly end: string | null;
  readonly cidrs: readonly string[];
  /** Registrant organisation name. */
  readonly org: string | null;
  readonly abuseEmail: string | null;
  /** ISO 8601 UTC. */
  readonly registered: string | null;
  readonly lastChanged: string | null;
  readonly parentHandle: string | null;
  /** Base URL of the server that answered (after redirects). */
  readonly server: string | null;
  /** ISO 8601 UTC time of the fetch. */
  readonly fetchedAt: string | null;
}

/** The names of RdapInfo fields, as selectable enrichment fields `rdap.<name>`. */
export const RDAP_FIELDS = [
  'handle',
  'name',
  'type',
  'country',
  'start',
  'end',
  'cidrs',
  'org',
  'abuseEmail',
  'registered',
  'lastChanged',
  'parentHandle',
  'server',
  'fetchedAt',
  'status',
] as const;

/** One of {@link RDAP_FIELDS}. */
export type RdapField = (typeof RDAP_FIELDS)[number];

/** Live counters, for progress lines and summaries. */
export interface RdapStats {
  /** HTTP requests sent (including retries and redirect hops). */
  readonly calls: number;
  /** Answers served from the memory or disk cache. */
  readonly cached: number;
  /** Queries waiting for a rate limit or a coalesced request. */
  readonly waiting: number;
  readonly failures: number;
  /** Per host: requests sent and the current pacing in requests per minute. */
  readonly hosts: Readonly<
    Record<
      string,
      {
        readonly calls: number;
        readonly perMinute: number;
        readonly open: boolean;
      }
    >
  >;
}

/**
 * Resolves addresses over RDAP. `record` is the offline answer (or null): it
 * routes the query to the right registry and bounds how far a cached network
 * answer may be reused. Never rejects for HTTP or network trouble: the
 * returned RdapInfo's status says what happened. Rejects only when `signal` aborts.
 */
export interface RdapResolver {
  resolve(
    ip: string,
    record: RegistryRecord | null,
    signal?: AbortSignal,
  ): Promise<RdapInfo>;
  stats(): RdapStats;
  /** Flushes the disk cache and stops timers. */
  close(): Promise<void>;
}
