/** The per-host limiter and the circuit breaker, on the virtual clock. */

import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/rdap/circuit-breaker.js';
import {
  RateLimiter,
  type RdapHostLimits,
} from '../../src/rdap/rate-limiter.js';
import { pacingViolations, VirtualClock } from '../helpers/rdap-server.js';

const ONE_A_SECOND: RdapHostLimits = {
  requestsPerMinute: 60,
  requestsPerHour: null,
  burst: 5,
  maxInFlight: 2,
};

function limiter(
  clock: VirtualClock,
  limits = ONE_A_SECOND,
  extra: { maxWaitMs?: number } = {},
) {
  return new RateLimiter({
    clock,
    limitsFor: () => limits,
    maxConcurrent: 8,
    maxWaitMs: extra.maxWaitMs ?? 900_000,
    penaltyMs: 300_000,
  });
}

async function run(
  l: RateLimiter,
  clock: VirtualClock,
  host: string,
  n: number,
): Promise<number[]> {
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: n }, () =>
      l.schedule(host, async () => {
        times.push(clock.now());
      }),
    ),
  );
  return times;
}

describe('RateLimiter', () => {
  it('lets a burst through, then paces at the rate', async () => {
    const clock = new VirtualClock(0);
    const l = limiter(clock);
    const times = await run(l, clock, 'h', 12);
    expect(times.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(times.slice(5)).toEqual([1000, 2000, 3000, 4000, 5000, 6000, 7000]);
    // Waiting is counted per request, from when it holds one of the 2 host slots.
    expect(l.waitedMs).toBeGreaterThan(0);
    expect(l.waitedMs).toBeLessThanOrEqual(
      1000 + 2000 + 3000 + 4000 + 5000 + 6000 + 7000,
    );
  });

  it('holds the minute window with a burst (LACNIC: never 11 in 60 s)', async () => {
    const clock = new VirtualClock(0);
    const l = limiter(clock, {
      requestsPerMinute: 10,
      requestsPerHour: 1000,
      burst: 3,
      maxInFlight: 1,
    });
    const times = await run(l, clock, 'lacnic', 25);
    expect(
      pacingViolations(times, {
        requestsPerMinute: 10,
        requestsPerHour: 1000,
        burst: 3,
      }),
    ).toEqual([]);
  });

  it('keeps hosts apart', async () => {
    const clock = new VirtualClock(0);
    const l = limiter(clock);
    const [a, b] = await Promise.all([
      run(l, clock, 'a', 6),
      run(l, clock, 'b', 6),
    ]);
    expect(a).toEqual([0, 0, 0, 0, 0, 1000]);
    expect(b).toEqual([0, 0, 0, 0, 0, 1000]);
  });

  it('caps requests in flight per host', async () => {
    const clock = new VirtualClock(0);
    const l = limiter(clock, { ...ONE_A_SECOND, burst: 5, maxInFlight: 2 });
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 5 }, () =>
        l.schedule('h', async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 5));
          active--;
        }),
      ),
    );
    expect(peak).toBe(2);
  });

  it('halves the rate after a 429 and blocks for Retry-After', async () => {
    const clock = new VirtualClock(0);
    const l = limiter(clock, { ...ONE_A_SECOND, burst: 1 });
    l.penalize('h', 10_000);
    expect(l.stats().get('h')!.perMinute).toBe(30);
    expect(l.blockedFor('h')).toBe(10_000);
    const times = await run(l, clock, 'h', 3);
    expect(times).toEqual([10_000, 12_000, 14_000]);
  });

  it('refuses to wait longer than maxWaitMs for a block', async () => {
    const clock = new VirtualClock(0);
    const l = limiter(clock, ONE_A_SECOND, { maxWaitMs: 5_000 });
    l.penalize('h', 60_000);
    await expect(l.schedule('h', async () => 1)).rejects.toMatchObject({
      code: 'RDAP_RATE_LIMITED',
    });
  });

  it('rejects waiting requests when their signal aborts', async () => {
    const clock = new VirtualClock(0);
    const l = limiter(clock, { ...ONE_A_SECOND, burst: 1 });
    await l.schedule('h', async () => 1);
    const controller = new AbortController();
    const p = l.schedule('h', async () => 2, controller.signal);
    controller.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
  });
});

describe('CircuitBreaker', () => {
  it('opens after the threshold, probes once, doubles the open period on failure', async () => {
    const clock = new VirtualClock(0);
    const b = new CircuitBreaker({
      clock,
      failureThreshold: 3,
      openMs: 1000,
      maxOpenMs: 3000,
    });
    for (let i = 0; i < 3; i++) {
      expect(b.allow('h')).toBe(true);
      b.failure('h');
    }
    expect(b.isOpen('h')).toBe(true);
    expect(b.allow('h')).toBe(false);
    await clock.sleep(1000);
    expect(b.allow('h')).toBe(true); // the probe
    expect(b.allow('h')).toBe(false); // only one
    b.failure('h');
    await clock.sleep(1999);
    expect(b.allow('h')).toBe(false);
    await clock.sleep(1);
    expect(b.allow('h')).toBe(true);
    b.failure('h'); // third trip: 4000 capped at 3000
    await clock.sleep(3000);
    expect(b.allow('h')).toBe(true);
    b.success('h');
    expect(b.isOpen('h')).toBe(false);
    expect(b.allow('h')).toBe(true);
    expect(b.allow('other')).toBe(true);
  });

  it('resets the count on success', () => {
    const clock = new VirtualClock(0);
    const b = new CircuitBreaker({
      clock,
      failureThreshold: 2,
      openMs: 1000,
      maxOpenMs: 3000,
    });
    b.failure('h');
    b.success('h');
    b.failure('h');
    expect(b.isOpen('h')).toBe(false);
  });
});
