/**
 * Everything the loopback server can do wrong: 429 with and without
 * Retry-After, LACNIC's notice in a 200, quota 403s, 5xx, timeouts on slow
 * headers and stalled bodies, dropped connections, truncated and invalid
 * JSON, huge bodies, redirect chains, loops and off-list targets, a failing
 * host (circuit breaker, stale cache). No query is lost, none answered twice.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RegistryError } from '../../src/errors.js';
import {
  createRdapResolver,
  type RdapResolverOptions,
} from '../../src/rdap/rdap-resolver.js';
import { SYSTEM_CLOCK } from '../../src/rdap/rdap-clock.js';
import {
  fakeRecord,
  pacingViolations,
  readFixture,
  readSharedResponse,
  startRdapServer,
  syntheticNetwork,
  v4Text,
  VirtualClock,
  type MockRdapServer,
} from '../helpers/rdap-server.js';

let clock: VirtualClock;
let arin: MockRdapServer;
let ripe: MockRdapServer;
let apnic: MockRdapServer;
let lacnic: MockRdapServer;
let other: MockRdapServer;

beforeEach(async () => {
  clock = new VirtualClock();
  const start = (): Promise<MockRdapServer> =>
    startRdapServer({ now: clock.now });
  [arin, ripe, apnic, lacnic, other] = await Promise.all([
    start(),
    start(),
    start(),
    start(),
    start(),
  ]);
  arin.addNetwork(readSharedResponse('arin-8.8.8.8.json'));
  ripe.addNetwork(readSharedResponse('ripencc-130.59.31.80.json'));
  apnic.addNetwork(readSharedResponse('apnic-1.1.1.1.json'));
  lacnic.addNetwork(readSharedResponse('lacnic-200.57.141.161.json'));
});

afterEach(async () => {
  await Promise.all([arin, ripe, apnic, lacnic, other].map((s) => s.close()));
});

const ARIN_RECORD = fakeRecord('arin', '8.0.0.0', '8.255.255.255');
const LACNIC_RECORD = fakeRecord('lacnic', '200.57.128.0', '200.57.255.255');

function options(
  extra: Partial<RdapResolverOptions> = {},
): RdapResolverOptions {
  return {
    rdapServers: {
      arin: arin.url,
      ripencc: ripe.url,
      apnic: apnic.url,
      lacnic: lacnic.url,
    },
    clock,
    fetch: clock.fetch,
    random: () => 0.5,
    contact: 'ops@example.org',
    ...extra,
  };
}

describe('rate limiting by the server', () => {
  it('honours Retry-After in seconds, for the whole host', async () => {
    arin.script('8.8.8.8', [
      {
        status: 429,
        headers: { 'retry-after': '120' },
        body: readFixture('ripe-429.json'),
      },
    ]);
    const resolver = createRdapResolver(options());
    const r = await resolver.resolve('8.8.8.8', ARIN_RECORD);
    expect(r.status).toBe('ok');
    const [t0, t1] = arin.times();
    expect(arin.requests).toHaveLength(2);
    expect(t1! - t0!).toBeGreaterThanOrEqual(120_000);
  });

  it('honours Retry-After as an HTTP date', async () => {
    const at = new Date(clock.now() + 90_000).toUTCString();
    arin.script('8.8.8.8', [{ status: 429, headers: { 'retry-after': at } }]);
    const resolver = createRdapResolver(options());
    expect((await resolver.resolve('8.8.8.8', ARIN_RECORD)).status).toBe('ok');
    const [t0, t1] = arin.times();
    expect(t1! - t0!).toBeGreaterThanOrEqual(90_000);
  });

  it('backs off with jitter without Retry-After (5 s base; 30 s at LACNIC)', async () => {
    arin.script('8.8.8.8', [{ status: 429 }]);
    lacnic.script('200.57.141.161', [{ status: 429 }]);
    const resolver = createRdapResolver(options({ random: () => 0.5 }));
    await Promise.all([
      resolver.resolve('8.8.8.8', ARIN_RECORD),
      resolver.resolve('200.57.141.161', LACNIC_RECORD),
    ]);
    const [a0, a1] = arin.times();
    const [l0, l1] = lacnic.times();
    expect(a1! - a0!).toBeGreaterThanOrEqual(2_500); // 0.5 × 5 s
    expect(l1! - l0!).toBeGreaterThanOrEqual(15_000); // 0.5 × 30 s
  });

  it('halves the host rate after a 429', async () => {
    for (let k = 0; k < 30; k++)
      arin.addNetwork(
        syntheticNetwork({
          start: v4Text(0x17000000 + k * 256),
          end: v4Text(0x17000000 + k * 256 + 255),
          handle: `H${k}`,
        }),
      );
    arin.script(v4Text(0x17000000 + 1), [
      { status: 429, headers: { 'retry-after': '1' } },
    ]);
    const resolver = createRdapResolver(options());
    const rec = (k: number) =>
      fakeRecord(
        'arin',
        v4Text(0x17000000 + k * 256),
        v4Text(0x17000000 + k * 256 + 255),
      );
    await Promise.all(
      Array.from({ length: 30 }, (_, k) =>
        resolver.resolve(v4Text(0x17000000 + k * 256 + 1), rec(k)),
      ),
    );
    expect(resolver.stats().hosts[arin.host]!.perMinute).toBe(30);
    const times = arin.times();
    const first429 = times[0]!;
    const after = times.filter((t) => t > first429 && t <= first429 + 300_000);
    expect(after.length).toBeGreaterThan(5);
    expect(
      pacingViolations(after, { requestsPerMinute: 30, burst: 5 }),
    ).toEqual([]);
  });

  it('gives rate-limited after three 429s and caches nothing', async () => {
    arin.always('8.8.8.8', {
      status: 429,
      body: '<html><body>Too Many Requests</body></html>',
      headers: { 'content-type': 'text/html' },
    });
    const errors: RegistryError[] = [];
    const resolver = createRdapResolver(
      options({ onError: (e) => errors.push(e) }),
    );
    const r = await resolver.resolve('8.8.8.8', ARIN_RECORD);
    expect(r.status).toBe('rate-limited');
    expect(r.handle).toBeNull();
    expect(arin.requests).toHaveLength(3);
    expect(errors.map((e) => e.code)).toEqual(['RDAP_RATE_LIMITED']);
    // Not cached: asked again. Two more 429s make five in a row, which opens the circuit.
    const again = await resolver.resolve('8.8.8.8', ARIN_RECORD);
    expect(again.status).toBe('unavailable');
    expect(arin.requests).toHaveLength(5);
    expect(resolver.stats().hosts[arin.host]!.open).toBe(true);
  });

  it('gives up at once when Retry-After asks for longer than maxWaitMs', async () => {
    arin.script('8.8.8.8', [
      { status: 429, headers: { 'retry-after': '7200' } },
    ]);
    const resolver = createRdapResolver(options({ maxWaitMs: 60_000 }));
    expect((await resolver.resolve('8.8.8.8', ARIN_RECORD)).status).toBe(
      'rate-limited',
    );
    expect(arin.requests).toHaveLength(1);
  });

  it("treats LACNIC's notice inside a 200 as a 429", async () => {
    lacnic.script('200.57.141.161', [
      { status: 200, body: readFixture('lacnic-rate-limit-notice.json') },
    ]);
    const resolver = createRdapResolver(options());
    const r = await resolver.resolve('200.57.141.161', LACNIC_RECORD);
    expect(r.status).toBe('ok');
    expect(lacnic.requests).toHaveLength(2);
    expect(resolver.stats().hosts[lacnic.host]!.perMinute).toBe(5);
  });

  it('treats a quota 403 as a 429, and a plain 403 as an error without retry', async () => {
    arin.script('8.8.8.8', [
      { status: 403, body: readFixture('quota-403.json') },
    ]);
    ripe.script('130.59.31.80', [
      { status: 403, body: readFixture('forbidden-403.json') },
    ]);
    const resolver = createRdapResolver(options());
    const a = await resolver.resolve('8.8.8.8', ARIN_RECORD);
    const b = await resolver.resolve(
      '130.59.31.80',
      fakeRecord('ripencc', '130.59.0.0', '130.59.255.255'),
    );
    expect([a.status, b.status]).toEqual(['ok', 'error: http 403']);
    expect([arin.requests.length, ripe.requests.length]).toEqual([2, 1]);
  });
});

describe('server errors and broken bodies', () => {
  it('retries 5xx and 408, then answers', async () => {
    arin.script('8.8.8.8', [{ status: 503 }, { status: 408 }]);
    const resolver = createRdapResolver(options());
    expect((await resolver.resolve('8.8.8.8', ARIN_RECORD)).status).toBe('ok');
    expect(arin.requests).toHaveLength(3);
  });

  it('stops after three attempts and does not cache the failure', async () => {
    arin.script('8.8.8.8', [{ status: 500 }, { status: 502 }, { status: 500 }]);
    const resolver = createRdapResolver(options());
    expect((await resolver.resolve('8.8.8.8', ARIN_RECORD)).status).toBe(
      'error: http 500',
    );
    expect((await resolver.resolve('8.8.8.8', ARIN_RECORD)).status).toBe('ok');
    expect(arin.requests).toHaveLength(4);
  });

  it('does not retry 400 or 501 (RIPE error body)', async () => {
    arin.script('8.8.8.8', [
      { status: 400, body: { errorCode: 400, title: 'Bad Request' } },
    ]);
    ripe.script('130.59.31.80', [
      { status: 501, body: readSharedResponse('ripencc-error-501.json') },
    ]);
    const resolver = createRdapResolver(options());
    expect((await resolver.resolve('8.8.8.8', ARIN_RECORD)).status).toBe(
      'error: http 400',
    );
    expect(
      (
        await resolver.resolve(
          '130.59.31.80',
          fakeRecord('ripencc', '130.59.0.0', '130.59.255.255'),
        )
      ).status,
    ).toBe('error: http 501');
    expect([arin.requests.length, ripe.requests.length]).toEqual([1, 1]);
  });

  it('reports truncated or invalid JSON without retrying', async () => {
    const text = JSON.stringify(readSharedResponse('arin-8.8.8.8.json'));
    arin.script('8.8.8.8', [{ status: 200, body: text.slice(0, 300) }]);
    ripe.script('130.59.31.80', [{ status: 200, body: 'not json at all' }]);
    const resolver = createRdapResolver(options());
    expect((await resolver.resolve('8.8.8.8', ARIN_RECORD)).status).toBe(
      'error: invalid json',
    );
    expect(
      (
        await resolver.resolve(
          '130.59.31.80',
          fakeRecord('ripencc', '130.59.0.0', '130.59.255.255'),
        )
      ).status,
    ).toBe('error: invalid json');
    expect([arin.requests.length, ripe.requests.length]).toEqual([1, 1]);
  });

  it('rejects an answer that does not hold the address', async () => {
    arin.script('8.8.8.8', [
      { status: 200, body: readSharedResponse('arin-192.198.0.0.json') },
    ]);
    const resolver = createRdapResolver(options());
    expect((await resolver.resolve('8.8.8.8', ARIN_RECORD)).status).toBe(
      'error: invalid response',
    );
  });

  it('retries a connection dropped mid-body', async () => {
    arin.script('8.8.8.8', [
      {
        status: 200,
        body: readSharedResponse('arin-8.8.8.8.json'),
        dropMidBody: true,
      },
    ]);
    const resolver = createRdapResolver(options());
    expect((await resolver.resolve('8.8.8.8', ARIN_RECORD)).status).toBe('ok');
    expect(arin.requests).toHaveLength(2);
  });

  it('caps the body size, with and without Content-Length', async () => {
    arin.script('8.8.8.8', [{ status: 200, hugeBytes: 3_000_000 }]);
    ripe.script('130.59.31.80', [
      { status: 200, hugeBytes: 3_000_000, chunked: true },
    ]);
    const resolver = createRdapResolver(options());
    expect((await resolver.resolve('8.8.8.8', ARIN_RECORD)).status).toBe(
      'error: response too large',
    );
    expect(
      (
        await resolver.resolve(
          '130.59.31.80',
          fakeRecord('ripencc', '130.59.0.0', '130.59.255.255'),
        )
      ).status,
    ).toBe('error: response too large');
  });
});

describe('timeouts (real clock, short timeouts)', () => {
  function realOptions(
    extra: Partial<RdapResolverOptions> = {},
  ): RdapResolverOptions {
    return {
      rdapServers: { arin: arin.url, ripencc: ripe.url },
      clock: SYSTEM_CLOCK,
      random: () => 0, // no backoff wait
      timeoutMs: 150,
      ...extra,
    };
  }

  it('times out slow headers, retries, then answers', async () => {
    const body = readSharedResponse('arin-8.8.8.8.json');
    arin.script('8.8.8.8', [{ status: 200, body, delayMs: 1_000 }]);
    const resolver = createRdapResolver(realOptions());
    expect((await resolver.resolve('8.8.8.8', ARIN_RECORD)).status).toBe('ok');
    expect(arin.requests).toHaveLength(2);
  });

  it('times out a stalled body on every attempt', async () => {
    const body = readSharedResponse('ripencc-130.59.31.80.json');
    ripe.always('130.59.31.80', { status: 200, body, stallMs: 2_000 });
    const resolver = createRdapResolver(realOptions());
    const r = await resolver.resolve(
      '130.59.31.80',
      fakeRecord('ripencc', '130.59.0.0', '130.59.255.255'),
    );
    expect(r.status).toBe('error: timeout');
    expect(ripe.requests).toHaveLength(3);
  });
});

describe('redirects', () => {
  it('follows a chain across hosts, each hop charged to its own host', async () => {
    arin.script('1.1.1.1', [
      { status: 301, headers: { location: `${ripe.url}ip/1.1.1.1` } },
    ]);
    ripe.script('1.1.1.1', [
      { status: 303, headers: { location: `${apnic.url}ip/1.1.1.1` } },
    ]);
    const resolver = createRdapResolver(options());
    const r = await resolver.resolve(
      '1.1.1.1',
      fakeRecord('arin', '1.0.0.0', '1.255.255.255'),
    );
    expect(r.status).toBe('ok');
    expect(r.handle).toBe('1.1.1.0 - 1.1.1.255');
    expect(r.server).toBe(apnic.url);
    expect([
      arin.requests.length,
      ripe.requests.length,
      apnic.requests.length,
    ]).toEqual([1, 1, 1]);
    const hosts = resolver.stats().hosts;
    expect([
      hosts[arin.host]!.calls,
      hosts[ripe.host]!.calls,
      hosts[apnic.host]!.calls,
    ]).toEqual([1, 1, 1]);
  });

  it('detects loops', async () => {
    arin.always('8.8.4.4', {
      status: 302,
      headers: { location: `${ripe.url}ip/8.8.4.4` },
    });
    ripe.always('8.8.4.4', {
      status: 307,
      headers: { location: `${arin.url}ip/8.8.4.4` },
    });
    const resolver = createRdapResolver(options());
    expect((await resolver.resolve('8.8.4.4', ARIN_RECORD)).status).toBe(
      'error: redirect loop',
    );
    expect(arin.requests.length + ripe.requests.length).toBe(2);
  });

  it('follows at most three hops', async () => {
    const chain = [arin, ripe, apnic, lacnic, arin];
    for (let i = 0; i < 4; i++)
      chain[i]!.script('8.8.4.4', [
        {
          status: 308,
          headers: { location: `${chain[i + 1]!.url}ip/8.8.4.4?hop=${i}` },
        },
      ]);
    const resolver = createRdapResolver(options());
    expect((await resolver.resolve('8.8.4.4', ARIN_RECORD)).status).toBe(
      'error: too many redirects',
    );
    expect(
      arin.requests.length +
        ripe.requests.length +
        apnic.requests.length +
        lacnic.requests.length,
    ).toBe(4);
  });

  it('refuses targets off the allow-list: an unlisted loopback server, plain http, an unknown https host', async () => {
    other.addNetwork(readSharedResponse('arin-8.8.8.8.json'));
    arin.script('8.8.8.8', [
      { status: 301, headers: { location: `${other.url}ip/8.8.8.8` } },
    ]);
    arin.script('8.8.4.4', [
      {
        status: 301,
        headers: { location: 'http://rdap.db.ripe.net/ip/8.8.4.4' },
      },
    ]);
    arin.script('8.8.2.2', [
      {
        status: 301,
        headers: { location: 'https://rdap.evil.example/ip/8.8.2.2' },
      },
    ]);
    const resolver = createRdapResolver(options());
    const results = await Promise.all(
      ['8.8.8.8', '8.8.4.4', '8.8.2.2'].map((ip) =>
        resolver.resolve(ip, ARIN_RECORD),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([
      'error: redirect not allowed',
      'error: redirect not allowed',
      'error: redirect not allowed',
    ]);
    expect(other.requests).toHaveLength(0);
  });

  it('follows a loopback target only when explicitly allowed', async () => {
    other.addNetwork(readSharedResponse('arin-8.8.8.8.json'));
    arin.script('8.8.8.8', [
      { status: 301, headers: { location: `${other.url}ip/8.8.8.8` } },
    ]);
    const resolver = createRdapResolver(
      options({ allowedRedirectHosts: [other.host] }),
    );
    const r = await resolver.resolve('8.8.8.8', ARIN_RECORD);
    expect(r.status).toBe('ok');
    expect(r.server).toBe(other.url);
  });
});

describe('a failing host', () => {
  it('opens the circuit, answers unavailable without calls, then probes and recovers', async () => {
    for (let k = 0; k < 6; k++)
      arin.addNetwork(
        syntheticNetwork({
          start: v4Text(0x18000000 + k * 65536),
          end: v4Text(0x18000000 + k * 65536 + 255),
          handle: `C${k}`,
        }),
      );
    const rec = (k: number) =>
      fakeRecord(
        'arin',
        v4Text(0x18000000 + k * 65536),
        v4Text(0x18000000 + k * 65536 + 65535),
      );
    const ip = (k: number) => v4Text(0x18000000 + k * 65536 + 1);
    arin.script(
      () => true,
      Array.from({ length: 5 }, () => ({ status: 503 })),
    );
    const resolver = createRdapResolver(options({ circuitOpenMs: 60_000 }));
    const a = await resolver.resolve(ip(0), rec(0)); // 3 failures
    const b = await resolver.resolve(ip(1), rec(1)); // 2 more: circuit opens
    const c = await resolver.resolve(ip(2), rec(2)); // no call
    expect([a.status, b.status, c.status]).toEqual([
      'error: http 503',
      'unavailable',
      'unavailable',
    ]);
    expect(arin.requests).toHaveLength(5);
    expect(resolver.stats().hosts[arin.host]!.open).toBe(true);
    await clock.sleep(60_000);
    const d = await resolver.resolve(ip(3), rec(3)); // half-open probe succeeds
    const e = await resolver.resolve(ip(4), rec(4));
    expect([d.status, e.status]).toEqual(['ok', 'ok']);
    expect(resolver.stats().hosts[arin.host]!.open).toBe(false);
    expect(arin.requests).toHaveLength(7);
  });

  it('answers from stale cache, marked, when the host fails', async () => {
    const resolver = createRdapResolver(
      options({ circuitFailureThreshold: 3 }),
    );
    expect((await resolver.resolve('8.8.8.8', ARIN_RECORD)).status).toBe('ok');
    await clock.sleep(25 * 3_600_000); // past the 24 h freshness
    arin.always(() => true, { status: 500 });
    const r = await resolver.resolve('8.8.8.9', ARIN_RECORD);
    expect(r.status).toBe('error: http 500');
    expect(r.handle).toBe('NET-8-8-8-0-1');
    expect(r.fetchedAt).toBe('2026-01-01T00:00:00Z');
    const u = await resolver.resolve('8.8.8.10', ARIN_RECORD);
    expect(u.status).toBe('unavailable');
    expect(u.handle).toBe('NET-8-8-8-0-1');
  });

  it('shares a host failure with the queries waiting on it instead of asking again', async () => {
    arin.always(() => true, { status: 503 });
    const resolver = createRdapResolver(
      options({ circuitFailureThreshold: 100 }),
    );
    const record = fakeRecord('arin', '23.0.0.0', '23.255.255.255');
    const ips = Array.from({ length: 10 }, (_, i) =>
      v4Text(0x17000000 + i * 65536 + 5),
    );
    const results = await Promise.all(
      ips.map((ip) => resolver.resolve(ip, record)),
    );
    expect(results.map((r) => r.status)).toEqual(
      ips.map(() => 'error: http 503'),
    );
    expect(arin.requests).toHaveLength(3);
  });
});

describe('every query answered exactly once, in order, under mixed faults', () => {
  it('keeps one answer per query', async () => {
    const n = 40;
    for (let k = 0; k < n; k++)
      ripe.addNetwork(
        syntheticNetwork({
          start: v4Text(0x5b000000 + k * 256),
          end: v4Text(0x5b000000 + k * 256 + 255),
          handle: `M${k}`,
        }),
      );
    const faults = [
      { status: 429 },
      { status: 503 },
      { status: 200, body: '{"truncated' },
      {
        status: 200,
        dropMidBody: true,
        body: readSharedResponse('ripencc-130.59.31.80.json'),
      },
      { status: 429, headers: { 'retry-after': '3' } },
    ];
    for (let k = 0; k < n; k += 3)
      ripe.script(v4Text(0x5b000000 + k * 256 + 7), [
        faults[k % faults.length]!,
      ]);
    const resolver = createRdapResolver(
      options({ circuitFailureThreshold: 1000 }),
    );
    const queries = Array.from({ length: n * 3 }, (_, i) => {
      const k = (i * 7) % n;
      return { ip: v4Text(0x5b000000 + k * 256 + 7 + (i % 3)), k };
    });
    const results = await Promise.all(
      queries.map((q) =>
        resolver.resolve(
          q.ip,
          fakeRecord(
            'ripencc',
            v4Text(0x5b000000 + q.k * 256),
            v4Text(0x5b000000 + q.k * 256 + 255),
          ),
        ),
      ),
    );
    expect(results).toHaveLength(queries.length);
    results.forEach((r, i) => {
      const q = queries[i]!;
      if (r.status === 'ok' || r.status === 'cached')
        expect(r.handle).toBe(`M${q.k}`);
      else expect(r.status).toBe('error: invalid json'); // the only fault not retried
    });
    const failedNetworks = new Set(
      results.flatMap((r, i) =>
        r.status.startsWith('error') ? [queries[i]!.k] : [],
      ),
    );
    // Only the truncated-JSON networks (k % 5 === 2 among scripted k) fail.
    for (const k of failedNetworks)
      expect(k % 3 === 0 && k % 5 === 2).toBe(true);
  });
});
