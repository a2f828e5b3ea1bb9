/**
 * Per-host pacing for RDAP requests. The only importer of p-limit.
 *
 * Every request to a host passes, in order:
 * 1. the host's concurrency cap (p-limit, `maxInFlight`);
 * 2. its pacing: a token bucket (GCRA form: `requestsPerMinute` with bursts
 *    of `burst`) AND sliding windows (at most `requestsPerMinute` in any 60 s
 *    and `requestsPerHour` in any hour), so a published "10 a minute" holds
 *    over every minute, bursts included;
 * 3. any block set by a `Retry-After`;
 * 4. the global concurrency cap.
 * Slots are reserved in order when a request starts waiting, so concurrent
 * waiters never share a slot. After a 429 the host's rate is halved for
 * `penaltyMs`. Waiting goes through the injected clock.
 */

import pLimit, { type LimitFunction } from 'p-limit';
import { RdapError } from '../errors.js';
import { raceAbort, type RdapClock } from './rdap-clock.js';

/** Pacing of one RDAP host. */
export interface RdapHostLimits {
  /** Sustained rate, and the most requests in any 60 s window. */
  readonly requestsPerMinute: number;
  /** Most requests in any hour, or null for no hourly cap. */
  readonly requestsPerHour: number | null;
  /** Requests that may go back to back after an idle period. */
  readonly burst: number;
  /** Requests in flight at once. */
  readonly maxInFlight: number;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;

interface HostState {
  readonly host: string;
  readonly limits: RdapHostLimits;
  readonly limit: LimitFunction;
  /** GCRA theoretical arrival time. */
  tat: number;
  /** Last reserved send time (reservations never go backwards). */
  last: number;
  /** Reserved send times within the last hour, oldest first (from `logStart`). */
  readonly log: number[];
  logStart: number;
  penaltyUntil: number;
  blockedUntil: number;
  calls: number;
  waiting: number;
}

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  readonly clock: RdapClock;
  /** Limits for a host (`host[:port]`), asked once per host. */
  readonly limitsFor: (host: string) => RdapHostLimits;
  /** Requests in flight across all hosts. */
  readonly maxConcurrent: number;
  /** A request that would wait longer than this for a block fails with `RDAP_RATE_LIMITED`. */
  readonly maxWaitMs: number;
  /** How long a 429 halves the host's rate. */
  readonly penaltyMs: number;
}

/** Live figures of one host. */
export interface HostLimiterStats {
  readonly calls: number;
  /** Current pacing in requests per minute (halved while penalised). */
  readonly perMinute: number;
  /** Requests waiting for a slot on this host. */
  readonly waiting: number;
  /** Time until which the host is blocked by a Retry-After (0 when not). */
  readonly blockedUntil: number;
}

/** Per-host concurrency and pacing. */
export class RateLimiter {
  private readonly hosts = new Map<string, HostState>();
  private readonly global: LimitFunction;
  private readonly options: RateLimiterOptions;
  /** Total milliseconds requests spent waiting for a pacing slot (summed over requests). */
  waitedMs = 0;

  constructor(options: RateLimiterOptions) {
    this.options = options;
    this.global = pLimit(options.maxConcurrent);
  }

  private state(host: string): HostState {
    let s = this.hosts.get(host);
    if (s === undefined) {
      const limits = this.options.limitsFor(host);
      s = {
        host,
        limits,
        limit: pLimit(limits.maxInFlight),
        tat: -Infinity,
        last: -Infinity,
        log: [],
        logStart: 0,
        penaltyUntil: -Infinity,
        blockedUntil: -Infinity,
        calls: 0,
        waiting: 0,
      };
      this.hosts.set(host, s);
    }
    return s;
  }

  private penalised(s: HostState, now: number): boolean {
    return now < s.penaltyUntil;
  }

  /** Reserves the earliest send time allowed by the bucket and the windows. */
  private reserve(s: HostState, now: number): number {
    const slow = this.penalised(s, now);
    const perMinute = slow
      ? s.limits.requestsPerMinute / 2
      : s.limits.requestsPerMinute;
    const interval = MINUTE / perMinute;
    const tolerance = (Math.max(1, s.limits.burst) - 1) * interval;
    let t = Math.max(now, s.blockedUntil, s.last, s.tat - tolerance);
    const windows: [number, number | null][] = [
      [MINUTE, s.limits.requestsPerMinute],
      [HOUR, s.limits.requestsPerHour],
    ];
    for (const [span, cap] of windows) {
      if (cap === null) continue;
      const c = Math.max(1, Math.floor(slow ? cap / 2 : cap));
      const n = s.log.length - s.logStart;
      // At most c sends in any window (x - span, x]: the c-th latest must be at or before t - span.
      if (n >= c) t = Math.max(t, s.log[s.log.length - c]! + span);
    }
    s.tat = Math.max(s.tat, t) + interval;
    s.last = t;
    s.log.push(t);
    // Forget sends older than an hour before now.
    while (s.logStart < s.log.length && s.log[s.logStart]! <= now - HOUR)
      s.logStart++;
    if (s.logStart > 1024 && s.logStart * 2 > s.log.length) {
      s.log.splice(0, s.logStart);
      s.logStart = 0;
    }
    return t;
  }

  /**
   * Runs `send` when the host allows it. `send` runs inside the host's and the
   * global concurrency caps; the caps are released when it settles.
   * @throws {RdapError} `RDAP_RATE_LIMITED` when the host is blocked for longer than `maxWaitMs`.
   * @throws the signal's reason when it aborts.
   */
  async schedule<T>(
    host: string,
    send: () => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const s = this.state(host);
    const { clock } = this.options;
    s.waiting++;
    let waitingCounted = true;
    const stopWaiting = (): void => {
      if (waitingCounted) {
        waitingCounted = false;
        s.waiting--;
      }
    };
    try {
      return await raceAbort(
        s.limit(async () => {
          signal?.throwIfAborted();
          for (;;) {
            const now = clock.now();
            if (s.blockedUntil - now > this.options.maxWaitMs)
              throw new RdapError(
                'RDAP_RATE_LIMITED',
                `RDAP host ${host} asked to wait ${Math.ceil((s.blockedUntil - now) / 1000)} s`,
                { retryAfterMs: s.blockedUntil - now },
              );
            const at = this.reserve(s, now);
            if (at > now) {
              await clock.sleep(at - now, signal);
              this.waitedMs += at - now;
            }
            // A Retry-After may have arrived while we slept: take a new slot after it.
            if (clock.now() < s.blockedUntil) continue;
            break;
          }
          stopWaiting();
          s.calls++;
          return this.global(async () => {
            signal?.throwIfAborted();
            return send();
          });
        }),
        signal,
      );
    } finally {
      stopWaiting();
    }
  }

  /**
   * Records a 429 (or equivalent): halves the host's rate for `penaltyMs` and,
   * when the server said how long to wait, blocks the host until then.
   */
  penalize(host: string, retryAfterMs: number | null): void {
    const s = this.state(host);
    const now = this.options.clock.now();
    s.penaltyUntil = Math.max(s.penaltyUntil, now + this.options.penaltyMs);
    if (retryAfterMs !== null && retryAfterMs > 0)
      s.blockedUntil = Math.max(s.blockedUntil, now + retryAfterMs);
  }

  /** Milliseconds the host is still blocked for (0 when not). */
  blockedFor(host: string): number {
    const s = this.hosts.get(host);
    if (s === undefined) return 0;
    return Math.max(0, s.blockedUntil - this.options.clock.now());
  }

  /** Requests waiting for a slot, over all hosts. */
  waiting(): number {
    let n = 0;
    for (const s of this.hosts.values()) n += s.waiting;
    return n;
  }

  /** Per-host figures. */
  stats(): Map<string, HostLimiterStats> {
    const now = this.options.clock.now();
    const out = new Map<string, HostLimiterStats>();
    for (const s of this.hosts.values()) {
      const perMinute = this.penalised(s, now)
        ? s.limits.requestsPerMinute / 2
        : s.limits.requestsPerMinute;
      out.set(s.host, {
        calls: s.calls,
        perMinute,
        waiting: s.waiting,
        blockedUntil: s.blockedUntil > now ? s.blockedUntil : 0,
      });
    }
    return out;
  }
}
