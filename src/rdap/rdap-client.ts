/**
 * One RDAP query, over as many HTTP requests as it takes: redirects followed
 * by hand (allow-list, loop detection, at most `maxRedirects` hops), each
 * request paced by the target host's limiter and guarded by its circuit
 * breaker, retried (network errors, timeouts, 408, 429, 5xx only; at most
 * `maxAttempts`) with `Retry-After` or exponential backoff with full jitter,
 * timed out through the injected clock and cut off at `maxResponseBytes`.
 */

import { RdapError, type RegistryErrorCode } from '../errors.js';
import type { RdapStatus } from './rdap-types.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { noticeSignal } from './extract-rdap-network.js';
import type { RateLimiter } from './rate-limiter.js';
import { onAbort, type RdapClock } from './rdap-clock.js';
import type { RedirectPolicy } from './rdap-hosts.js';

/** What the client needs. */
export interface RdapClientOptions {
  readonly fetch: typeof fetch;
  readonly clock: RdapClock;
  readonly random: () => number;
  readonly limiter: RateLimiter;
  readonly breaker: CircuitBreaker;
  readonly redirects: RedirectPolicy;
  readonly userAgent: string;
  readonly maxAttempts: number;
  readonly maxRedirects: number;
  readonly maxResponseBytes: number;
  /** Longest wait accepted for one retry (Retry-After or backoff). */
  readonly maxWaitMs: number;
  /** Per-request timeout for a host. */
  readonly timeoutFor: (host: string) => number;
  /** Backoff base after a 429 without Retry-After, for a host. */
  readonly rateLimitBackoffFor: (host: string) => number;
  /** Backoff base after a timeout, network error, 408 or 5xx. */
  readonly errorBackoffMs: number;
  /** Cap of any backoff. */
  readonly backoffCapMs: number;
  /** Called for every HTTP request sent. */
  readonly onRequest: (host: string) => void;
}

/** The outcome of a query. */
export type RdapFetchOutcome =
  | { readonly kind: 'ok'; readonly body: unknown; readonly url: string }
  | { readonly kind: 'not-found'; readonly url: string }
  | {
      readonly kind: 'failed';
      readonly status: RdapStatus;
      readonly error: RdapError;
      /** True for trouble of the host (rate limit, timeouts, 5xx, circuit open), not of the query. */
      readonly transient: boolean;
    };

type Attempt =
  | {
      readonly type: 'response';
      readonly status: number;
      readonly headers: Headers;
      readonly text: string;
    }
  | {
      readonly type: 'redirect';
      readonly status: number;
      readonly location: string;
    }
  | { readonly type: 'timeout' }
  | { readonly type: 'network'; readonly error: unknown }
  | { readonly type: 'too-large' };

const QUOTA_TEXT =
  /rate[\s-]*limit|quota|too many|exceeded|limit exceeded|throttl/i;

/**
 * Parses `Retry-After`: delta-seconds or an HTTP date.
 * @returns milliseconds to wait (>= 0), or null when absent or unparsable.
 */
export function parseRetryAfter(
  value: string | null,
  nowMs: number,
): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (!Number.isFinite(at)) return null;
  return Math.max(0, at - nowMs);
}

function fail(
  status: RdapStatus,
  code: RegistryErrorCode,
  message: string,
  transient: boolean,
  details: {
    url?: string;
    status?: number;
    retryAfterMs?: number;
    cause?: unknown;
  } = {},
): RdapFetchOutcome {
  return {
    kind: 'failed',
    status,
    error: new RdapError(code, message, details),
    transient,
  };
}

/** Sends one query URL and follows it to an answer. Never rejects except on abort. */
export class RdapClient {
  private readonly o: RdapClientOptions;

  constructor(options: RdapClientOptions) {
    this.o = options;
  }

  /** One HTTP request, body read up to the cap. */
  private async attempt(
    url: string,
    host: string,
    signal: AbortSignal | undefined,
  ): Promise<Attempt> {
    const { clock } = this.o;
    const controller = new AbortController();
    const stopWatching =
      signal === undefined
        ? undefined
        : onAbort(signal, () => controller.abort(signal.reason));
    const timer = new AbortController();
    let timedOut = false;
    clock.sleep(this.o.timeoutFor(host), timer.signal).then(
      () => {
        timedOut = true;
        controller.abort(
          new DOMException('RDAP request timed out', 'TimeoutError'),
        );
      },
      () => undefined,
    );
    try {
      const response = await this.o.fetch(url, {
        method: 'GET',
        redirect: 'manual',
        signal: controller.signal,
        headers: {
          accept: 'application/rdap+json, application/json;q=0.9',
          'user-agent': this.o.userAgent,
        },
      });
      if (response.status >= 300 && response.status < 400) {
        const location = response.headers.get('location');
        await response.body?.cancel().catch(() => undefined);
        if (location !== null)
          return { type: 'redirect', status: response.status, location };
        return {
          type: 'response',
          status: response.status,
          headers: response.headers,
          text: '',
        };
      }
      const declared = Number(response.headers.get('content-length') ?? NaN);
      if (declared > this.o.maxResponseBytes) {
        await response.body?.cancel().catch(() => undefined);
        return { type: 'too-large' };
      }
      const chunks: Uint8Array[] = [];
      let total = 0;
      if (response.body !== null) {
        const reader = response.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          total += value.byteLength;
          if (total > this.o.maxResponseBytes) {
            await reader.cancel().catch(() => undefined);
            return { type: 'too-large' };
          }
          chunks.push(value);
        }
      }
      const bytes = new Uint8Array(total);
      let at = 0;
      for (const c of chunks) {
        bytes.set(c, at);
        at += c.byteLength;
      }
      return {
        type: 'response',
        status: response.status,
        headers: response.headers,
        text: new TextDecoder().decode(bytes),
      };
    } catch (error) {
      if (signal?.aborted === true) throw signal.reason;
      if (timedOut) return { type: 'timeout' };
      return { type: 'network', error };
    } finally {
      timer.abort();
      stopWatching?.();
    }
  }

  private backoff(base: number, failures: number): number {
    const ceiling = Math.min(this.o.backoffCapMs, base * 2 ** (failures - 1));
    return Math.floor(this.o.random() * ceiling);
  }

  /**
   * Fetches `url` (an `…/ip/<address>` URL), following redirects.
   * @throws only the signal's reason when it aborts.
   */
  async query(
    startUrl: string,
    signal?: AbortSignal,
  ): Promise<RdapFetchOutcome> {
    const { limiter, breaker, clock } = this.o;
    const visited = new Set<string>();
    let url = startUrl;
    for (let hop = 0; ; hop++) {
      visited.add(url);
      const host = new URL(url).host.toLowerCase();
      let last: RdapFetchOutcome | null = null;
      let redirect: string | null = null;
      for (let attemptNo = 1; attemptNo <= this.o.maxAttempts; attemptNo++) {
        if (!breaker.allow(host))
          return fail(
            'unavailable',
            'RDAP_CIRCUIT_OPEN',
            `RDAP host ${host} is failing; not asking it for a while`,
            true,
            { url },
          );
        let result: Attempt;
        try {
          result = await limiter.schedule(
            host,
            () => {
              this.o.onRequest(host);
              return this.attempt(url, host, signal);
            },
            signal,
          );
        } catch (error) {
          breaker.release(host);
          if (signal?.aborted === true) throw signal.reason;
          if (error instanceof RdapError)
            return {
              kind: 'failed',
              status: 'rate-limited',
              error,
              transient: true,
            };
          throw error;
        }
        const lastAttempt = attemptNo === this.o.maxAttempts;
        let retryAfter: number | null = null;
        let rateLimited = false;
        if (result.type === 'redirect') {
          breaker.success(host);
          redirect = result.location;
          break;
        }
        if (result.type === 'too-large') {
          breaker.success(host);
          return fail(
            'error: response too large',
            'RDAP_INVALID_RESPONSE',
            `RDAP response larger than ${this.o.maxResponseBytes} bytes for GET ${url}`,
            false,
            { url },
          );
        }
        if (result.type === 'timeout') {
          last = fail(
            'error: timeout',
            'RDAP_TIMEOUT',
            `RDAP timeout for GET ${url}`,
            true,
            { url },
          );
        } else if (result.type === 'network') {
          last = fail(
            'error: network',
            'RDAP_NETWORK',
            `RDAP network error for GET ${url}`,
            true,
            {
              url,
              cause: result.error,
            },
          );
        } else {
          const { status, text, headers } = result;
          if (status === 200) {
            let body: unknown;
            try {
              body = JSON.parse(text) as unknown;
            } catch (error) {
              breaker.success(host);
              return fail(
                'error: invalid json',
                'RDAP_INVALID_RESPONSE',
                `RDAP body is not JSON for GET ${url}`,
                false,
                {
                  url,
                  status,
                  cause: error,
                },
              );
            }
            const signalled = noticeSignal(body);
            if (signalled === 'rate-limited') {
              rateLimited = true;
            } else if (signalled === 'overloaded' && !lastAttempt) {
              last = fail(
                'error: http 503',
                'RDAP_HTTP',
                `RDAP answer truncated (excessive load) for GET ${url}`,
                true,
                {
                  url,
                  status,
                },
              );
            } else {
              breaker.success(host);
              return { kind: 'ok', body, url };
            }
          } else if (status === 404) {
            breaker.success(host);
            return { kind: 'not-found', url };
          } else if (
            status === 429 ||
            ((status === 403 || status === 422) &&
              QUOTA_TEXT.test(text.slice(0, 4096)))
          ) {
            rateLimited = true;
            retryAfter = parseRetryAfter(
              headers.get('retry-after'),
              clock.now(),
            );
          } else if (status === 408 || (status >= 500 && status !== 501)) {
            // 501 (query type not implemented) is final, like 400 and 404.
            last = fail(
              `error: http ${status}`,
              'RDAP_HTTP',
              `RDAP ${status} for GET ${url}`,
              true,
              {
                url,
                status,
              },
            );
          } else {
            if (status === 403) breaker.failure(host);
            else breaker.success(host);
            return fail(
              `error: http ${status}`,
              'RDAP_HTTP',
              `RDAP ${status} for GET ${url}`,
              false,
              {
                url,
                status,
              },
            );
          }
        }
        if (rateLimited) {
          limiter.penalize(host, retryAfter);
          last = fail(
            'rate-limited',
            'RDAP_RATE_LIMITED',
            `RDAP 429 for GET ${url}`,
            true,
            retryAfter === null
              ? { url, status: 429 }
              : { url, status: 429, retryAfterMs: retryAfter },
          );
        }
        breaker.failure(host);
        if (lastAttempt) break;
        // Wait before the next attempt: a Retry-After blocks the host in the limiter;
        // otherwise back off with full jitter.
        if (retryAfter !== null) {
          if (retryAfter > this.o.maxWaitMs) break;
        } else {
          const base = rateLimited
            ? this.o.rateLimitBackoffFor(host)
            : this.o.errorBackoffMs;
          const delay = this.backoff(base, attemptNo);
          if (delay > 0) await clock.sleep(delay, signal);
        }
      }
      if (redirect === null) return last!;
      let next: URL;
      try {
        next = new URL(redirect, url);
      } catch (error) {
        return fail(
          'error: bad redirect',
          'RDAP_REDIRECT',
          `RDAP redirect to an invalid URL from GET ${url}`,
          false,
          {
            url,
            cause: error,
          },
        );
      }
      const refused = this.o.redirects.check(next);
      if (refused !== null)
        return fail(
          'error: redirect not allowed',
          'RDAP_REDIRECT',
          `${refused} (from GET ${url})`,
          false,
          {
            url,
          },
        );
      if (visited.has(next.href))
        return fail(
          'error: redirect loop',
          'RDAP_REDIRECT',
          `RDAP redirect loop at ${next.href}`,
          false,
          {
            url,
          },
        );
      if (hop + 1 > this.o.maxRedirects)
        return fail(
          'error: too many redirects',
          'RDAP_REDIRECT',
          `RDAP query needed more than ${this.o.maxRedirects} redirects (from ${startUrl})`,
          false,
          { url },
        );
      url = next.href;
    }
  }
}
