/**
 * The RDAP resolver: composes routing (offline record, else bootstrap), the
 * range cache (memory and disk), request coalescing, the per-host limiter,
 * the circuit breaker and the client. `resolve(ip, record)` never rejects for
 * HTTP or network trouble; the returned RdapInfo's status says what happened.
 *
 * Coalescing: while a query for an address in scope S (the delegated record,
 * or the bootstrap entry) is in flight, other queries for S wait for it; when
 * it lands, those inside the returned network are answered from the cache and
 * the rest go on, one new request at a time. Identical queries share one
 * request. So the calls made equal the distinct networks asked about, plus
 * retries and redirect hops.
 */

import { isRegistryError, RdapError, type RegistryError } from '../errors.js';
import type { RegistryRecord } from '../types.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { extractRdapNetwork } from './extract-rdap-network.js';
import { RateLimiter, type RdapHostLimits } from './rate-limiter.js';
import {
  EMBEDDED_RDAP_BOOTSTRAP,
  type RdapBootstrap,
} from './rdap-bootstrap.js';
import {
  RdapRangeCache,
  type CachedNetwork,
  type RdapCachePolicy,
} from './rdap-cache.js';
import { RdapClient } from './rdap-client.js';
import {
  isAbortError,
  raceAbort,
  SYSTEM_CLOCK,
  type RdapClock,
} from './rdap-clock.js';
import { RdapDiskCache, type RdapDiskRecord } from './rdap-disk-cache.js';
import {
  baseUrlOfQuery,
  parseRdapBaseUrl,
  RDAP_RIRS,
  RedirectPolicy,
  RIR_RDAP_SERVERS,
  rirOfKnownHost,
  type RdapRir,
} from './rdap-hosts.js';
import {
  formatIpValue,
  ipInRange,
  parseCidrValue,
  parseLenientIp,
  parseQueryIp,
  rangeCover,
  specialOf,
  type IpValue,
} from './rdap-ip.js';
import {
  resolveRdapLimits,
  tighterLimits,
  type RdapLimitKey,
} from './rdap-limits.js';
import type {
  RdapInfo,
  RdapResolver,
  RdapStats,
  RdapStatus,
} from './rdap-types.js';
import { buildUserAgent, checkContact } from './rdap-user-agent.js';
import {
  DEFAULT_MAX_FIELD_LENGTH,
  sanitizeRdapText,
} from './sanitize-rdap-text.js';

/** Options of {@link createRdapResolver}. Every duration is in milliseconds. */
export interface RdapResolverOptions {
  /**
   * Base URL per registry, replacing the registry's own (e.g. a loopback test
   * server, a mirror). https only; plain http only to a loopback address.
   */
  readonly rdapServers?: Partial<Record<RdapRir, string>>;
  /** The IANA bootstrap used when no offline record routes a query. Default: the embedded copy. */
  readonly bootstrap?: RdapBootstrap;
  /**
   * Pacing per registry (and `other` for any other host); see
   * `DEFAULT_RDAP_LIMITS`. Values may only tighten the published limits.
   */
  readonly limits?: Partial<Record<RdapLimitKey, Partial<RdapHostLimits>>>;
  /** Allows `limits` above what the registries publish (bulk-access agreements, tests). Default false. */
  readonly allowExceedingPublishedLimits?: boolean;
  /** Requests in flight across all hosts. Default 8. */
  readonly maxConcurrent?: number;
  /** Attempts per request (1 to 3). Default 3. */
  readonly maxAttempts?: number;
  /** Per-request timeout. Default 15 000 (30 000 for AFRINIC). */
  readonly timeoutMs?: number;
  /** Largest response body accepted. Default 2 MiB. */
  readonly maxResponseBytes?: number;
  /** Redirect hops followed (0 to 3). Default 3. */
  readonly maxRedirects?: number;
  /**
   * Extra hosts (`host[:port]`) redirects may lead to, besides the registries,
   * the NIRs, the bootstrap hosts and the configured servers. A loopback host
   * is only ever allowed when listed here or configured in `rdapServers`.
   */
  readonly allowedRedirectHosts?: readonly string[];
  /** Longest wait accepted for a Retry-After or a block; longer gives `rate-limited`. Default 900 000. */
  readonly maxWaitMs?: number;
  /** How long a 429 halves a host's rate. Default 300 000. */
  readonly penaltyMs?: number;
  /** Consecutive failures that open a host's circuit. Default 5. */
  readonly circuitFailureThreshold?: number;
  /** First open period of a circuit; doubles per trip up to `circuitMaxOpenMs`. Default 60 000. */
  readonly circuitOpenMs?: number;
  /** Default 600 000. */
  readonly circuitMaxOpenMs?: number;
  /** `coverage` (default): one answer serves its whole network; `exact`: only the query's /24 or /48. */
  readonly cachePolicy?: RdapCachePolicy;
  /** Cache keys held in memory (a network takes one per CIDR block). Default 100 000. */
  readonly cacheMax?: number;
  /** Age up to which a cached answer is used without asking. Default 24 h. */
  readonly cacheTtlMs?: number;
  /** Age up to which a cached answer is still shown when the server fails. Default 7 days. */
  readonly staleTtlMs?: number;
  /** Age up to which a cached "not found" is used. Default 1 h. */
  readonly negativeTtlMs?: number;
  /** JSON Lines file keeping answers between runs (see `rdap-disk-cache.ts`). */
  readonly cacheFile?: string;
  /** Operator contact (e-mail or URL) for the User-Agent. */
  readonly contact?: string;
  /** Cap on each text field taken from a response. Default 256. */
  readonly maxFieldLength?: number;
  /** Default: `globalThis.fetch`. */
  readonly fetch?: typeof fetch;
  /** Default: the system clock. */
  readonly clock?: RdapClock;
  /** Random numbers in [0, 1) for backoff jitter. Default `Math.random`. */
  readonly random?: () => number;
  /** Called with every failed request's error and disk-cache trouble (never throws into the resolver). */
  readonly onError?: (error: RegistryError) => void;
}

/** The resolver with the extra members `openRdapResolver` callers may use. */
export interface RdapResolverHandle extends RdapResolver {
  /** Resolves when the disk cache is loaded; rejects with a SourceError when it cannot be read. */
  ready(): Promise<void>;
  /** Milliseconds requests spent waiting for pacing slots, summed over requests. */
  waitedMs(): number;
}

const HOUR = 3_600_000;
const EMPTY: Omit<RdapInfo, 'status'> = Object.freeze({
  handle: null,
  name: null,
  type: null,
  country: null,
  start: null,
  end: null,
  cidrs: Object.freeze([]) as readonly string[],
  org: null,
  abuseEmail: null,
  registered: null,
  lastChanged: null,
  parentHandle: null,
  server: null,
  fetchedAt: null,
});

/** Stored CIDRs when each parses and lies in the range, else the computed cover. */
function rangeCoverChecked(
  stored: readonly unknown[],
  start: IpValue,
  end: IpValue,
): string[] {
  const out: string[] = [];
  for (const c of stored) {
    const p = typeof c === 'string' ? parseCidrValue(c) : null;
    if (p === null || !ipInRange(p.ip, start, end))
      return rangeCover(start, end);
    out.push(`${formatIpValue(p.ip)}/${p.length}`);
  }
  return out.length > 0 ? out : rangeCover(start, end);
}

function emptyInfo(
  status: RdapStatus,
  extra: Partial<RdapInfo> = {},
): RdapInfo {
  return Object.freeze({ ...EMPTY, ...extra, status });
}

function isoOf(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function optInt(
  o: Record<string, unknown>,
  name: string,
  def: number,
  min: number,
  max: number,
): number {
  const v = o[name];
  if (v === undefined) return def;
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new TypeError(`\`${name}\` must be an integer, got ${String(v)}`);
  if (v < min || v > max)
    throw new RangeError(`\`${name}\` must be from ${min} to ${max}, got ${v}`);
  return v;
}

function optMs(
  o: Record<string, unknown>,
  name: string,
  def: number,
  min = 0,
): number {
  const v = o[name];
  if (v === undefined) return def;
  if (typeof v !== 'number' || Number.isNaN(v))
    throw new TypeError(`\`${name}\` must be a number, got ${String(v)}`);
  if (v < min)
    throw new RangeError(`\`${name}\` must be at least ${min}, got ${v}`);
  return v;
}

function optFunction<T>(
  o: Record<string, unknown>,
  name: string,
): T | undefined {
  const v = o[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'function')
    throw new TypeError(`\`${name}\` must be a function`);
  return v as T;
}

interface Outcome {
  readonly info: RdapInfo;
  /** A failure of the host (not of this query) that waiting queries share instead of asking again. */
  readonly shareable: boolean;
}

interface Route {
  readonly baseUrl: string;
  readonly scope: string;
}

/**
 * Creates an RDAP resolver. Options are checked at once; the disk cache (if
 * any) loads in the background and the first `resolve` waits for it (a file
 * that cannot be read is reported through `onError` and ignored; use
 * {@link openRdapResolver} to fail instead).
 * @throws {TypeError} or {RangeError} naming the bad option.
 */
export function createRdapResolver(
  options: RdapResolverOptions = {},
): RdapResolverHandle {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('`options` must be an object');
  const o = options as unknown as Record<string, unknown>;

  // Servers
  const servers: Record<RdapRir, string> = { ...RIR_RDAP_SERVERS };
  const explicitHosts: string[] = [];
  if (options.rdapServers !== undefined) {
    if (typeof options.rdapServers !== 'object' || options.rdapServers === null)
      throw new TypeError('`rdapServers` must be an object keyed by registry');
    for (const [rir, url] of Object.entries(options.rdapServers)) {
      if (!(RDAP_RIRS as readonly string[]).includes(rir))
        throw new TypeError(
          `\`rdapServers.${rir}\` is not a registry (one of ${RDAP_RIRS.join(', ')})`,
        );
      if (url === undefined) continue;
      if (typeof url !== 'string')
        throw new TypeError(`\`rdapServers.${rir}\` must be a URL string`);
      const base = parseRdapBaseUrl(url, `rdapServers.${rir}`);
      servers[rir as RdapRir] = base;
      explicitHosts.push(new URL(base).host);
    }
  }
  const bootstrap = options.bootstrap ?? EMBEDDED_RDAP_BOOTSTRAP;
  if (
    typeof bootstrap !== 'object' ||
    bootstrap === null ||
    typeof bootstrap.serverForIp !== 'function'
  )
    throw new TypeError(
      '`bootstrap` must come from createRdapBootstrap() or loadRdapBootstrap()',
    );
  if (options.allowedRedirectHosts !== undefined) {
    if (!Array.isArray(options.allowedRedirectHosts))
      throw new TypeError(
        '`allowedRedirectHosts` must be an array of host names',
      );
    for (const h of options.allowedRedirectHosts) {
      if (typeof h !== 'string' || !/^[A-Za-z0-9.\-[\]:]+$/.test(h))
        throw new TypeError(
          `\`allowedRedirectHosts\` has an invalid host ${JSON.stringify(h)}`,
        );
      explicitHosts.push(h.toLowerCase());
    }
  }
  const allowExceeding = options.allowExceedingPublishedLimits ?? false;
  if (typeof allowExceeding !== 'boolean')
    throw new TypeError('`allowExceedingPublishedLimits` must be a boolean');
  const limits = resolveRdapLimits(options.limits, allowExceeding);
  const maxConcurrent = optInt(o, 'maxConcurrent', 8, 1, 10_000);
  const maxAttempts = optInt(o, 'maxAttempts', 3, 1, 3);
  const timeoutMs =
    o['timeoutMs'] === undefined ? null : optMs(o, 'timeoutMs', 15_000, 1);
  const maxResponseBytes = optInt(
    o,
    'maxResponseBytes',
    2 * 1024 * 1024,
    1024,
    1 << 30,
  );
  const maxRedirects = optInt(o, 'maxRedirects', 3, 0, 3);
  const maxWaitMs = optMs(o, 'maxWaitMs', 900_000);
  const penaltyMs = optMs(o, 'penaltyMs', 300_000);
  const circuitFailureThreshold = optInt(
    o,
    'circuitFailureThreshold',
    5,
    1,
    1000,
  );
  const circuitOpenMs = optMs(o, 'circuitOpenMs', 60_000, 1);
  const circuitMaxOpenMs = optMs(o, 'circuitMaxOpenMs', 600_000, 1);
  const cachePolicy = options.cachePolicy ?? 'coverage';
  if (cachePolicy !== 'coverage' && cachePolicy !== 'exact')
    throw new TypeError(
      `\`cachePolicy\` must be 'coverage' or 'exact', got ${String(cachePolicy)}`,
    );
  const cacheMax = optInt(o, 'cacheMax', 100_000, 1, 100_000_000);
  const cacheTtlMs = optMs(o, 'cacheTtlMs', 24 * HOUR);
  const staleTtlMs = optMs(o, 'staleTtlMs', 7 * 24 * HOUR);
  const negativeTtlMs = optMs(o, 'negativeTtlMs', HOUR);
  const maxFieldLength = optInt(
    o,
    'maxFieldLength',
    DEFAULT_MAX_FIELD_LENGTH,
    16,
    65_536,
  );
  if (
    options.cacheFile !== undefined &&
    (typeof options.cacheFile !== 'string' || options.cacheFile === '')
  )
    throw new TypeError('`cacheFile` must be a non-empty path');
  if (options.contact !== undefined && typeof options.contact !== 'string')
    throw new TypeError('`contact` must be a string');
  const contact =
    options.contact === undefined ? null : checkContact(options.contact);
  const doFetch = optFunction<typeof fetch>(o, 'fetch') ?? globalThis.fetch;
  if (typeof doFetch !== 'function')
    throw new TypeError('`fetch` is required where no global fetch exists');
  const clock = options.clock ?? SYSTEM_CLOCK;
  if (
    typeof clock !== 'object' ||
    typeof clock.now !== 'function' ||
    typeof clock.sleep !== 'function'
  )
    throw new TypeError('`clock` must have now() and sleep(ms, signal)');
  const random = optFunction<() => number>(o, 'random') ?? Math.random;
  const onError = optFunction<(e: RegistryError) => void>(o, 'onError');

  // Which registry's limits a host gets: configured servers first, then known hosts.
  const hostRir = new Map<string, RdapRir[]>();
  for (const rir of RDAP_RIRS) {
    const host = new URL(servers[rir]).host;
    hostRir.set(host, [...(hostRir.get(host) ?? []), rir]);
  }
  const rirsOfHost = (host: string): RdapRir[] => {
    const configured = hostRir.get(host);
    if (configured !== undefined) return configured;
    const known = rirOfKnownHost(host);
    return known === null ? [] : [known];
  };
  const limitsFor = (host: string): RdapHostLimits => {
    const rirs = rirsOfHost(host);
    if (rirs.length === 0) return limits.other;
    return rirs.map((r) => limits[r]).reduce(tighterLimits);
  };

  const report = (error: RegistryError): void => {
    if (onError === undefined) return;
    try {
      onError(error);
    } catch {
      // A throwing callback must not break resolution.
    }
  };

  let calls = 0;
  let cachedCount = 0;
  let failures = 0;
  let parked = 0;
  const limiter = new RateLimiter({
    clock,
    limitsFor,
    maxConcurrent,
    maxWaitMs,
    penaltyMs,
  });
  const breaker = new CircuitBreaker({
    clock,
    failureThreshold: circuitFailureThreshold,
    openMs: circuitOpenMs,
    maxOpenMs: circuitMaxOpenMs,
  });
  const client = new RdapClient({
    fetch: doFetch,
    clock,
    random,
    limiter,
    breaker,
    redirects: new RedirectPolicy(bootstrap.hosts(), explicitHosts),
    userAgent: buildUserAgent(contact),
    maxAttempts,
    maxRedirects,
    maxResponseBytes,
    maxWaitMs,
    timeoutFor: (host) =>
      timeoutMs ?? (rirsOfHost(host).includes('afrinic') ? 30_000 : 15_000),
    rateLimitBackoffFor: (host) =>
      rirsOfHost(host).includes('lacnic') ? 30_000 : 5_000,
    errorBackoffMs: 1_000,
    backoffCapMs: Math.min(maxWaitMs, 900_000),
    onRequest: () => {
      calls++;
    },
  });
  const cache = new RdapRangeCache({ max: cacheMax, policy: cachePolicy });
  const inflightExact = new Map<string, Promise<Outcome>>();
  const pendingScope = new Map<string, Promise<Outcome>>();

  const freezeNetwork = (info: RdapInfo, fetchedAtMs: number): CachedNetwork =>
    Object.freeze({
      info: Object.freeze(info),
      cachedInfo: Object.freeze({ ...info, status: 'cached' as const }),
      fetchedAtMs,
    });

  // Disk cache
  const disk =
    options.cacheFile === undefined
      ? null
      : new RdapDiskCache(options.cacheFile, report);
  let loadError: unknown = null;
  let loaded = disk === null;
  const loading: Promise<void> =
    disk === null
      ? Promise.resolve()
      : disk
          .load((rec: RdapDiskRecord) => {
            const q = parseQueryIp(rec.q);
            const at = Date.parse(rec.fetchedAt);
            if (q === null) return;
            if (rec.t === 'miss') {
              cache.setMiss(rec.scope, q, at);
              return;
            }
            const start = parseLenientIp(rec.info.start);
            const end = parseLenientIp(rec.info.end);
            if (start === null || end === null || !ipInRange(q, start, end))
              return;
            // The file is input like any other: take known fields only, cleaned again.
            const t = (v: unknown, max = maxFieldLength): string | null =>
              sanitizeRdapText(v, max);
            const i = rec.info as unknown as Record<string, unknown>;
            const info: RdapInfo = {
              status: 'ok',
              handle: t(i['handle']),
              name: t(i['name']),
              type: t(i['type']),
              country: t(i['country'], 2),
              start: formatIpValue(start),
              end: formatIpValue(end),
              cidrs: Object.freeze(
                rangeCoverChecked(rec.info.cidrs, start, end),
              ),
              org: t(i['org']),
              abuseEmail: t(i['abuseEmail'], 254),
              registered: t(i['registered'], 32),
              lastChanged: t(i['lastChanged'], 32),
              parentHandle: t(i['parentHandle']),
              server: t(i['server'], 2048),
              fetchedAt: isoOf(at),
            };
            cache.setNetwork(rec.scope, q, start, end, freezeNetwork(info, at));
          })
          .then(
            () => {
              loaded = true;
            },
            (error: unknown) => {
              loadError = error;
              loaded = true;
              if (isRegistryError(error)) report(error);
            },
          );

  // The registry hands out one object per record, so routes are memoised per object.
  const recordRoutes = new WeakMap<RegistryRecord, Route>();
  const bootstrapRoutes = new Map<string, Route>();
  const scopeOf = (record: RegistryRecord): string =>
    `${record.rir}:${String(record.range.start)}-${String(record.range.end)}`;
  const route = (ip: IpValue, record: RegistryRecord | null): Route | null => {
    if (record !== null && record.rir !== 'iana') {
      let r = recordRoutes.get(record);
      if (r === undefined) {
        r = { baseUrl: servers[record.rir], scope: scopeOf(record) };
        recordRoutes.set(record, r);
      }
      return r;
    }
    const match = bootstrap.serverForIp(ip);
    if (match === null) return null;
    let viaBootstrap = bootstrapRoutes.get(match.entry);
    if (viaBootstrap === undefined) {
      const rir = rirOfKnownHost(new URL(match.baseUrl).host);
      viaBootstrap = {
        baseUrl: rir === null ? match.baseUrl : servers[rir],
        scope: `bootstrap:${match.entry}`,
      };
      bootstrapRoutes.set(match.entry, viaBootstrap);
    }
    return record === null
      ? viaBootstrap
      : { baseUrl: viaBootstrap.baseUrl, scope: scopeOf(record) };
  };

  /** A failure status with the freshest stale answer's fields, when one is young enough. */
  const withStale = (
    status: RdapStatus,
    scope: string,
    ip: IpValue,
  ): RdapInfo => {
    const hit = cache.getNetwork(scope, ip);
    if (hit !== undefined && clock.now() - hit.fetchedAtMs <= staleTtlMs)
      return Object.freeze({ ...hit.info, status });
    return emptyInfo(status);
  };

  const fetchAndStore = async (
    ip: IpValue,
    text: string,
    r: Route,
    signal: AbortSignal | undefined,
  ): Promise<Outcome> => {
    const outcome = await client.query(`${r.baseUrl}ip/${text}`, signal);
    const now = clock.now();
    const fetchedAt = isoOf(now);
    if (outcome.kind === 'ok') {
      const ex = extractRdapNetwork(outcome.body, { maxFieldLength });
      let problem: string | null = null;
      if ('error' in ex) problem = ex.error;
      else if (!ipInRange(ip, ex.startIp, ex.endIp))
        problem = `answer ${ex.start} - ${ex.end} does not hold ${text}`;
      if (problem !== null || 'error' in ex) {
        failures++;
        report(
          new RdapError(
            'RDAP_INVALID_RESPONSE',
            `invalid RDAP answer for GET ${outcome.url}: ${problem}`,
            {
              url: outcome.url,
            },
          ),
        );
        return {
          info: withStale('error: invalid response', r.scope, ip),
          shareable: false,
        };
      }
      const info: RdapInfo = {
        status: 'ok',
        handle: ex.handle,
        name: ex.name,
        type: ex.type,
        country: ex.country,
        start: ex.start,
        end: ex.end,
        cidrs: Object.freeze([...ex.cidrs]),
        org: ex.org,
        abuseEmail: ex.abuseEmail,
        registered: ex.registered,
        lastChanged: ex.lastChanged,
        parentHandle: ex.parentHandle,
        server: baseUrlOfQuery(outcome.url),
        fetchedAt,
      };
      const entry = freezeNetwork(info, now);
      cache.setNetwork(r.scope, ip, ex.startIp, ex.endIp, entry);
      cache.deleteMiss(r.scope, ip);
      if (disk !== null) {
        const { status: _status, ...stored } = info;
        disk.append({
          v: 1,
          t: 'net',
          scope: r.scope,
          q: text,
          fetchedAt,
          info: stored,
        });
      }
      return { info: entry.info, shareable: false };
    }
    if (outcome.kind === 'not-found') {
      cache.setMiss(r.scope, ip, now);
      disk?.append({ v: 1, t: 'miss', scope: r.scope, q: text, fetchedAt });
      return {
        info: emptyInfo('not-found', {
          server: baseUrlOfQuery(outcome.url),
          fetchedAt,
        }),
        shareable: false,
      };
    }
    failures++;
    report(outcome.error);
    return {
      info: withStale(outcome.status, r.scope, ip),
      shareable: outcome.transient,
    };
  };

  const resolveParsed = async (
    ip: IpValue,
    record: RegistryRecord | null,
    signal: AbortSignal | undefined,
  ): Promise<RdapInfo> => {
    if (specialOf(ip) !== null) return emptyInfo('not-found');
    if (record !== null) {
      if (record.type === 'asn')
        return emptyInfo('error: record is not an address block');
      if (record.status === 'available' || record.status === 'reserved')
        return emptyInfo('not-found');
    }
    const r = route(ip, record);
    if (r === null) return emptyInfo('error: no RDAP server for this address');
    let text: string | null = null;
    let key: string | null = null;
    let shared: RdapStatus | null = null;
    for (;;) {
      const now = clock.now();
      const hit = cache.getNetwork(r.scope, ip);
      if (hit !== undefined && now - hit.fetchedAtMs <= cacheTtlMs) {
        cachedCount++;
        return hit.cachedInfo;
      }
      const miss = cache.getMiss(r.scope, ip);
      if (miss !== undefined && now - miss.fetchedAtMs <= negativeTtlMs) {
        cachedCount++;
        return emptyInfo('not-found', { fetchedAt: isoOf(miss.fetchedAtMs) });
      }
      if (shared !== null) {
        failures++;
        return withStale(shared, r.scope, ip);
      }
      text ??= formatIpValue(ip);
      key ??= `${r.scope}|${text}`;
      const waitFor = inflightExact.get(key) ?? pendingScope.get(r.scope);
      if (waitFor !== undefined) {
        const identical = inflightExact.get(key) === waitFor;
        parked++;
        let out: Outcome | null;
        try {
          out = await raceAbort(waitFor, signal);
        } catch (error) {
          if (signal?.aborted === true) throw error;
          out = null; // the leader was aborted: try again
        } finally {
          parked--;
        }
        if (out !== null && identical) return out.info;
        if (out !== null && out.shareable) shared = out.info.status;
        continue;
      }
      const p = fetchAndStore(ip, text, r, signal);
      inflightExact.set(key, p);
      pendingScope.set(r.scope, p);
      try {
        return (await p).info;
      } finally {
        if (inflightExact.get(key) === p) inflightExact.delete(key);
        if (pendingScope.get(r.scope) === p) pendingScope.delete(r.scope);
      }
    }
  };

  return {
    async resolve(
      ipText: string,
      record: RegistryRecord | null,
      signal?: AbortSignal,
    ): Promise<RdapInfo> {
      signal?.throwIfAborted();
      if (!loaded) await raceAbort(loading, signal);
      const ip = typeof ipText === 'string' ? parseQueryIp(ipText) : null;
      if (ip === null) return emptyInfo('error: not an IP address');
      try {
        return await resolveParsed(ip, record ?? null, signal);
      } catch (error) {
        if (signal?.aborted === true || isAbortError(error)) throw error;
        failures++;
        return emptyInfo(
          `error: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    },
    stats(): RdapStats {
      const hosts: Record<
        string,
        { calls: number; perMinute: number; open: boolean }
      > = {};
      for (const [host, s] of limiter.stats())
        hosts[host] = {
          calls: s.calls,
          perMinute: s.perMinute,
          open: breaker.isOpen(host),
        };
      return {
        calls,
        cached: cachedCount,
        waiting: parked + limiter.waiting(),
        failures,
        hosts,
      };
    },
    async close(): Promise<void> {
      await loading;
      await disk?.close();
    },
    async ready(): Promise<void> {
      await loading;
      if (loadError !== null) throw loadError;
    },
    waitedMs: () => limiter.waitedMs,
  };
}

/**
 * Creates a resolver and waits for its disk cache to load.
 * @throws {TypeError} or {RangeError} naming a bad option.
 * @throws {SourceError} `SOURCE_READ_FAILED` when the cache file exists but cannot be read.
 */
export async function openRdapResolver(
  options: RdapResolverOptions = {},
): Promise<RdapResolverHandle> {
  const resolver = createRdapResolver(options);
  await resolver.ready();
  return resolver;
}
