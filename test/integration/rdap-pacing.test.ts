/**
 * The request rate each host sees never exceeds its configured limit. Time
 * is virtual, so LACNIC's 10 a minute over dozens of networks runs at once;
 * the server stamps each request with the shared clock and the check is a
 * brute-force scan of the log (test/helpers/rdap-server.ts).
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createRdapResolver,
  type RdapResolverOptions,
} from '../../src/rdap/rdap-resolver.js';
import type { Rir } from '../../src/types.js';
import {
  fakeRecord,
  pacingViolations,
  startRdapServer,
  syntheticNetwork,
  v4Text,
  VirtualClock,
  type MockRdapServer,
} from '../helpers/rdap-server.js';

let clock: VirtualClock;
let servers: MockRdapServer[];

beforeEach(async () => {
  clock = new VirtualClock();
  servers = await Promise.all(
    [1, 2, 3].map(() => startRdapServer({ now: clock.now })),
  );
});

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** `count` distinct /24 networks from `base`, each its own delegated record; one query each. */
function load(
  server: MockRdapServer,
  rir: Rir,
  base: number,
  count: number,
  delayMs = 0,
) {
  const queries: { ip: string; start: string; end: string }[] = [];
  for (let k = 0; k < count; k++) {
    const start = base + k * 256;
    server.addNetwork(
      syntheticNetwork({
        start: v4Text(start),
        end: v4Text(start + 255),
        handle: `${rir}-${k}`,
      }),
    );
    queries.push({
      ip: v4Text(start + 9),
      start: v4Text(start),
      end: v4Text(start + 255),
    });
  }
  if (delayMs > 0) server.latency(delayMs);
  return queries.map((q) => ({ ...q, rir }));
}

function base(extra: Partial<RdapResolverOptions>): RdapResolverOptions {
  return { clock, fetch: clock.fetch, contact: 'ops@example.org', ...extra };
}

describe('default limits', () => {
  it('LACNIC: at most 10 a minute, bursts of 3, one in flight', async () => {
    const [lacnic] = servers as [MockRdapServer];
    const queries = load(lacnic, 'lacnic', 0xc8000000, 40);
    // Served from a real delay so requests could overlap if the client let them.
    lacnic.latency(2);
    const resolver = createRdapResolver(
      base({ rdapServers: { lacnic: lacnic.url } }),
    );
    const results = await Promise.all(
      queries.map((q) =>
        resolver.resolve(q.ip, fakeRecord('lacnic', q.start, q.end)),
      ),
    );
    expect(results.every((r) => r.status === 'ok')).toBe(true);
    expect(lacnic.requests).toHaveLength(40);
    expect(
      pacingViolations(lacnic.times(), {
        requestsPerMinute: 10,
        requestsPerHour: 1000,
        burst: 3,
      }),
    ).toEqual([]);
    expect(lacnic.maxOpen()).toBe(1);
    // The check would catch a client that did not pace: 40 requests within minutes.
    const span = lacnic.times()[39]! - lacnic.times()[0]!;
    expect(span).toBeGreaterThanOrEqual(((40 - 10) / 10) * 60_000);
  });

  it('ARIN, RIPE NCC, APNIC in parallel: each about 1 a second, bursts of 5, 2 in flight', async () => {
    const [a, r, p] = servers as [
      MockRdapServer,
      MockRdapServer,
      MockRdapServer,
    ];
    const queries = [
      ...load(a, 'arin', 0x17000000, 40),
      ...load(r, 'ripencc', 0x5c000000, 40),
      ...load(p, 'apnic', 0x7a000000, 40),
    ];
    for (const s of [a, r, p]) s.latency(3);
    const resolver = createRdapResolver(
      base({ rdapServers: { arin: a.url, ripencc: r.url, apnic: p.url } }),
    );
    const results = await Promise.all(
      queries.map((q) =>
        resolver.resolve(q.ip, fakeRecord(q.rir, q.start, q.end)),
      ),
    );
    expect(results.every((x) => x.status === 'ok')).toBe(true);
    for (const s of [a, r, p]) {
      expect(s.requests).toHaveLength(40);
      expect(
        pacingViolations(s.times(), { requestsPerMinute: 60, burst: 5 }),
      ).toEqual([]);
      expect(s.maxOpen()).toBeLessThanOrEqual(2);
    }
  });
});

describe('configured limits', () => {
  it('an hourly cap holds over every hour', async () => {
    const [lacnic] = servers as [MockRdapServer];
    const queries = load(lacnic, 'lacnic', 0xc9000000, 70);
    const resolver = createRdapResolver(
      base({
        rdapServers: { lacnic: lacnic.url },
        limits: { lacnic: { requestsPerHour: 30, burst: 2 } },
      }),
    );
    await Promise.all(
      queries.map((q) =>
        resolver.resolve(q.ip, fakeRecord('lacnic', q.start, q.end)),
      ),
    );
    expect(lacnic.requests).toHaveLength(70);
    expect(
      pacingViolations(lacnic.times(), {
        requestsPerMinute: 10,
        requestsPerHour: 30,
        burst: 2,
      }),
    ).toEqual([]);
  });

  it('a tighter per-minute rate and burst hold', async () => {
    const [arin] = servers as [MockRdapServer];
    const queries = load(arin, 'arin', 0x18000000, 50);
    const resolver = createRdapResolver(
      base({
        rdapServers: { arin: arin.url },
        limits: { arin: { requestsPerMinute: 12, burst: 2, maxInFlight: 1 } },
      }),
    );
    await Promise.all(
      queries.map((q) =>
        resolver.resolve(q.ip, fakeRecord('arin', q.start, q.end)),
      ),
    );
    expect(
      pacingViolations(arin.times(), { requestsPerMinute: 12, burst: 2 }),
    ).toEqual([]);
    expect(arin.maxOpen()).toBe(1);
  });

  it('RIPE NCC may have 3 in flight, never 4', async () => {
    const [ripe] = servers as [MockRdapServer];
    const queries = load(ripe, 'ripencc', 0x5d000000, 30, 5);
    const resolver = createRdapResolver(
      base({
        rdapServers: { ripencc: ripe.url },
        limits: { ripencc: { maxInFlight: 3 } },
      }),
    );
    await Promise.all(
      queries.map((q) =>
        resolver.resolve(q.ip, fakeRecord('ripencc', q.start, q.end)),
      ),
    );
    expect(ripe.maxOpen()).toBeLessThanOrEqual(3);
    expect(
      pacingViolations(ripe.times(), { requestsPerMinute: 60, burst: 5 }),
    ).toEqual([]);
    expect(() =>
      createRdapResolver({ limits: { ripencc: { maxInFlight: 4 } } }),
    ).toThrow(RangeError);
  });

  it('two registries configured on one host get the tighter limits of both', async () => {
    const [shared] = servers as [MockRdapServer];
    const queries = [
      ...load(shared, 'arin', 0x19000000, 15),
      ...load(shared, 'lacnic', 0xca000000, 15),
    ];
    const resolver = createRdapResolver(
      base({ rdapServers: { arin: shared.url, lacnic: shared.url } }),
    );
    await Promise.all(
      queries.map((q) =>
        resolver.resolve(q.ip, fakeRecord(q.rir, q.start, q.end)),
      ),
    );
    expect(shared.requests).toHaveLength(30);
    expect(
      pacingViolations(shared.times(), {
        requestsPerMinute: 10,
        requestsPerHour: 1000,
        burst: 3,
      }),
    ).toEqual([]);
  });
});
