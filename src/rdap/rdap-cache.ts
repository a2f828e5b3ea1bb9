/**
 * The RDAP answer cache, keyed by network. The only importer of lru-cache.
 *
 * One answer serves every address in the returned network, but only within
 * the *scope* it was asked under: the offline delegated record that routed
 * the query (or the bootstrap entry when there was none). A network is stored
 * as the CIDR blocks of its range, each under `scope|family|block`; a lookup
 * probes the block lengths used in its scope, longest first, so the most
 * specific cached network wins and nothing outside the network matches.
 *
 * Policy `exact` stores only the part of the network inside the queried
 * address's /24 (IPv4) or /48 (IPv6), for callers who worry about more
 * specific child networks a parent answer cannot rule out (REFERENCE B9.10).
 *
 * Negative answers (404) are kept per /24 or /48 slice within the scope.
 * Ages are checked by the caller; entries are evicted least recently used
 * when `max` keys are held.
 */

import { LRUCache } from 'lru-cache';
import type { RdapInfo } from './rdap-types.js';
import {
  blockOf,
  compareIp,
  maskedKey,
  parseCidrValue,
  rangeCover,
  type IpValue,
} from './rdap-ip.js';

/** How far one answer is reused within its scope. */
export type RdapCachePolicy = 'coverage' | 'exact';

/** A cached network answer. */
export interface CachedNetwork {
  /** The answer, status `ok`. */
  readonly info: RdapInfo;
  /** The same answer with status `cached`. */
  readonly cachedInfo: RdapInfo;
  readonly fetchedAtMs: number;
}

/** A cached "not found". */
export interface CachedMiss {
  readonly notFound: true;
  readonly fetchedAtMs: number;
}

type Entry = CachedNetwork | CachedMiss;

/** Slice length for negative answers and the `exact` policy. */
export function sliceLength(family: 4 | 6): number {
  return family === 4 ? 24 : 48;
}

/** Bounded range cache. */
export class RdapRangeCache {
  private readonly lru: LRUCache<string, Entry>;
  /** Per `scope|family`: the block lengths stored, longest first. */
  private readonly lengths = new Map<string, number[]>();
  private readonly policy: RdapCachePolicy;

  constructor(options: {
    readonly max: number;
    readonly policy: RdapCachePolicy;
  }) {
    this.lru = new LRUCache<string, Entry>({ max: options.max });
    this.policy = options.policy;
  }

  private noteLength(scopeFamily: string, length: number): void {
    let list = this.lengths.get(scopeFamily);
    if (list === undefined) {
      list = [];
      this.lengths.set(scopeFamily, list);
    }
    if (!list.includes(length)) {
      list.push(length);
      list.sort((a, b) => b - a);
    }
  }

  /** The most specific cached network holding `ip` in `scope`, whatever its age. */
  getNetwork(scope: string, ip: IpValue): CachedNetwork | undefined {
    const sf = `${scope}|${ip.family}`;
    const list = this.lengths.get(sf);
    if (list === undefined) return undefined;
    for (const length of list) {
      const e = this.lru.get(`${sf}|${maskedKey(ip, length)}`);
      if (e !== undefined && !('notFound' in e)) return e;
    }
    return undefined;
  }

  /**
   * Stores a network answer for the query `ip` (which must lie in
   * `[start, end]`). Returns the number of keys written.
   */
  setNetwork(
    scope: string,
    ip: IpValue,
    start: IpValue,
    end: IpValue,
    entry: CachedNetwork,
  ): number {
    const sf = `${scope}|${ip.family}`;
    let lo = start;
    let hi = end;
    if (this.policy === 'exact') {
      const [s, e] = blockOf(ip, sliceLength(ip.family));
      if (compareIp(s, lo) > 0) lo = s;
      if (compareIp(e, hi) < 0) hi = e;
    }
    const blocks = rangeCover(lo, hi);
    for (const block of blocks) {
      const parsed = parseCidrValue(block);
      if (parsed === null) continue;
      this.noteLength(sf, parsed.length);
      this.lru.set(`${sf}|${maskedKey(parsed.ip, parsed.length)}`, entry);
    }
    return blocks.length;
  }

  /** A cached "not found" for the slice of `ip` in `scope`, whatever its age. */
  getMiss(scope: string, ip: IpValue): CachedMiss | undefined {
    const e = this.lru.get(
      `${scope}|${ip.family}|neg|${maskedKey(ip, sliceLength(ip.family))}`,
    );
    return e !== undefined && 'notFound' in e ? e : undefined;
  }

  /** Stores a "not found" for the slice of `ip` in `scope`. */
  setMiss(scope: string, ip: IpValue, fetchedAtMs: number): void {
    this.lru.set(
      `${scope}|${ip.family}|neg|${maskedKey(ip, sliceLength(ip.family))}`,
      {
        notFound: true,
        fetchedAtMs,
      },
    );
  }

  /** Drops a "not found" (a network answer replaced it). */
  deleteMiss(scope: string, ip: IpValue): void {
    this.lru.delete(
      `${scope}|${ip.family}|neg|${maskedKey(ip, sliceLength(ip.family))}`,
    );
  }

  /** Number of keys held. */
  get size(): number {
    return this.lru.size;
  }
}
