/**
 * The resolver against loopback RDAP servers (one per registry) serving the
 * real responses: routing, fields, one call per network, coalescing, cache
 * bounds, disk cache across runs. Time is virtual (see VirtualClock).
 */

import { mkdtemp, readFile, rm, appendFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createRdapResolver,
  type RdapResolverOptions,
} from '../../src/rdap/rdap-resolver.js';
import type { RdapInfo } from '../../src/rdap/rdap-types.js';
import type { Rir } from '../../src/types.js';
import {
  fakeRecord,
  readSharedResponse,
  startRdapServer,
  syntheticNetwork,
  v4Text,
  VirtualClock,
  type MockRdapServer,
} from '../helpers/rdap-server.js';

type R5 = 'afrinic' | 'apnic' | 'arin' | 'lacnic' | 'ripencc';
const RIRS: R5[] = ['afrinic', 'apnic', 'arin', 'lacnic', 'ripencc'];

let clock: VirtualClock;
let servers: Record<R5, MockRdapServer>;

beforeEach(async () => {
  clock = new VirtualClock();
  const list = await Promise.all(
    RIRS.map(() => startRdapServer({ now: clock.now })),
  );
  servers = Object.fromEntries(RIRS.map((r, i) => [r, list[i]!])) as Record<
    R5,
    MockRdapServer
  >;
});

afterEach(async () => {
  await Promise.all(RIRS.map((r) => servers[r].close()));
});

function options(
  extra: Partial<RdapResolverOptions> = {},
): RdapResolverOptions {
  return {
    rdapServers: Object.fromEntries(RIRS.map((r) => [r, servers[r].url])),
    clock,
    fetch: clock.fetch,
    contact: 'ops@example.org',
    random: () => 0.5,
    ...extra,
  };
}

function totalCalls(): number {
  return RIRS.reduce((n, r) => n + servers[r].requests.length, 0);
}

/** Deterministic shuffle (LCG), so runs are reproducible. */
function shuffle<T>(items: T[], seed = 7): T[] {
  const a = [...items];
  let s = seed;
  for (let i = a.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

// Real responses, the address asked, the registry whose server holds them, and a
// delegated record (hand-picked from the registry's block) that routes the query.
const REAL: [string, string, R5, string, string][] = [
  [
    'afrinic-196.11.240.215.json',
    '196.11.240.215',
    'afrinic',
    '196.11.0.0',
    '196.11.255.255',
  ],
  ['apnic-1.1.1.1.json', '1.1.1.1', 'apnic', '1.1.1.0', '1.1.1.255'],
  [
    'apnic-210.107.73.73.json',
    '210.107.73.73',
    'apnic',
    '210.107.0.0',
    '210.107.127.255',
  ],
  [
    'apnic-2001:240:10c:1::ca20:9d1d.json',
    '2001:240:10c:1::ca20:9d1d',
    'apnic',
    '2001:240::',
    '2001:240:ffff:ffff:ffff:ffff:ffff:ffff',
  ],
  ['arin-8.8.8.8.json', '8.8.8.8', 'arin', '8.0.0.0', '8.255.255.255'],
  [
    'arin-13.72.183.192.json',
    '13.72.183.192',
    'arin',
    '13.64.0.0',
    '13.127.255.255',
  ],
  [
    'arin-74.125.225.229.json',
    '74.125.225.229',
    'arin',
    '74.125.0.0',
    '74.125.255.255',
  ],
  [
    'arin-2606:4700:4700::1111.json',
    '2606:4700:4700::1111',
    'arin',
    '2606:4700::',
    '2606:4700:ffff:ffff:ffff:ffff:ffff:ffff',
  ],
  [
    'lacnic-200.57.141.161.json',
    '200.57.141.161',
    'lacnic',
    '200.57.128.0',
    '200.57.255.255',
  ],
  [
    'ripencc-130.59.31.80.json',
    '130.59.31.80',
    'ripencc',
    '130.59.0.0',
    '130.59.255.255',
  ],
  [
    'ripencc-62.239.237.1.json',
    '62.239.237.1',
    'ripencc',
    '62.239.0.0',
    '62.239.255.255',
  ],
  [
    'ripencc-2a00:2381:ffff::1.json',
    '2a00:2381:ffff::1',
    'ripencc',
    '2a00:2380::',
    '2a00:2387:ffff:ffff:ffff:ffff:ffff:ffff',
  ],
];

describe('routing and fields with real responses', () => {
  it('asks the registry the offline record names, once per network, and reports its fields', async () => {
    for (const [file, , rir] of REAL)
      servers[rir].addNetwork(readSharedResponse(file));
    const resolver = createRdapResolver(options());
    const results = await Promise.all(
      REAL.map(([, ip, rir, start, end]) =>
        resolver.resolve(ip, fakeRecord(rir, start, end)),
      ),
    );
    for (const [i, r] of results.entries()) {
      const [file, ip, rir] = REAL[i]!;
      expect(r.status, file).toBe('ok');
      expect(r.server, file).toBe(servers[rir].url);
      expect(r.fetchedAt, file).toBe('2026-01-01T00:00:00Z');
      // The path asked is the canonical address.
      expect(servers[rir].requests.some((q) => q.query === ip)).toBe(true);
    }
    // A few fields, read by hand from the files.
    expect(results[4]!.handle).toBe('NET-8-8-8-0-1');
    expect(results[5]!.cidrs).toEqual([
      '13.64.0.0/11',
      '13.96.0.0/13',
      '13.104.0.0/14',
    ]);
    expect(results[6]!.start).toBe('74.125.0.0');
    expect(results[9]!.abuseEmail).toBe('abuse@switch.ch');
    expect(results[10]!.end).toBe('62.239.237.255');
    // Calls per host: exactly the queries routed there.
    expect(servers.afrinic.requests).toHaveLength(1);
    expect(servers.apnic.requests).toHaveLength(3);
    expect(servers.arin.requests).toHaveLength(4);
    expect(servers.lacnic.requests).toHaveLength(1);
    expect(servers.ripencc.requests).toHaveLength(3);
    for (const r of RIRS)
      for (const q of servers[r].requests) {
        expect(q.userAgent).toBe('rirmap/0.1.0 (+ops@example.org)');
        expect(q.accept).toContain('application/rdap+json');
        expect(q.path.startsWith('/rdap/ip/')).toBe(true);
      }
    // Asked again: every answer comes from the cache.
    const again = await Promise.all(
      REAL.map(([, ip, rir, start, end]) =>
        resolver.resolve(ip, fakeRecord(rir, start, end)),
      ),
    );
    expect(again.map((r) => r.status)).toEqual(REAL.map(() => 'cached'));
    expect(again.map((r) => r.handle)).toEqual(results.map((r) => r.handle));
    expect(totalCalls()).toBe(12);
    expect(resolver.stats().calls).toBe(12);
    expect(resolver.stats().cached).toBe(12);
    await resolver.close();
  });

  it('serves other addresses of a network from the cache (zero-padded ARIN range included)', async () => {
    servers.arin.addNetwork(readSharedResponse('arin-74.125.225.229.json'));
    const resolver = createRdapResolver(options());
    const record = fakeRecord('arin', '74.125.0.0', '74.125.255.255');
    const first = await resolver.resolve('74.125.225.229', record);
    const others = await Promise.all(
      ['74.125.0.0', '74.125.255.255', '74.125.1.2', '::ffff:74.125.9.9'].map(
        (ip) => resolver.resolve(ip, record),
      ),
    );
    expect(first.status).toBe('ok');
    expect(others.map((r) => r.status)).toEqual([
      'cached',
      'cached',
      'cached',
      'cached',
    ]);
    expect(servers.arin.requests).toHaveLength(1);
  });

  it('routes by the embedded IANA bootstrap when there is no record', async () => {
    servers.arin.addNetwork(readSharedResponse('arin-8.8.8.8.json'));
    servers.apnic.addNetwork(readSharedResponse('apnic-1.1.1.1.json'));
    servers.ripencc.addNetwork(
      readSharedResponse('ripencc-2a00:2381:ffff::1.json'),
    );
    const resolver = createRdapResolver(options());
    const [a, b, c] = await Promise.all([
      resolver.resolve('8.8.8.8', null),
      resolver.resolve('1.1.1.1', null),
      resolver.resolve('2a00:2381:ffff::1', null),
    ]);
    expect([a.handle, b.handle, c.handle]).toEqual([
      'NET-8-8-8-0-1',
      '1.1.1.0 - 1.1.1.255',
      '2a00:2381:ffff::/64',
    ]);
    expect([
      servers.arin.requests.length,
      servers.apnic.requests.length,
      servers.ripencc.requests.length,
    ]).toEqual([1, 1, 1]);
  });

  it('asks nothing for special-purpose addresses, available or reserved blocks, or bad input', async () => {
    const resolver = createRdapResolver(options());
    const results = await Promise.all([
      resolver.resolve('10.1.2.3', null),
      resolver.resolve('192.0.2.1', null),
      resolver.resolve('fe80::1', null),
      resolver.resolve(
        '41.1.1.1',
        fakeRecord('afrinic', '41.0.0.0', '41.0.255.255', 'available'),
      ),
      resolver.resolve(
        '41.1.1.1',
        fakeRecord('afrinic', '41.0.0.0', '41.0.255.255', 'reserved'),
      ),
      resolver.resolve('not an ip', null),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'not-found',
      'not-found',
      'not-found',
      'not-found',
      'not-found',
      'error: not an IP address',
    ]);
    expect(totalCalls()).toBe(0);
  });

  it('caches a 404 for the address slice within its scope', async () => {
    const resolver = createRdapResolver(options());
    const record = fakeRecord('arin', '23.0.0.0', '23.255.255.255');
    const a = await resolver.resolve('23.1.2.3', record);
    const b = await resolver.resolve('23.1.2.200', record);
    const c = await resolver.resolve('23.1.3.1', record);
    expect([a.status, b.status, c.status]).toEqual([
      'not-found',
      'not-found',
      'not-found',
    ]);
    expect(a.server).toBe(servers.arin.url);
    expect(servers.arin.requests.map((r) => r.query)).toEqual([
      '23.1.2.3',
      '23.1.3.1',
    ]);
  });
});

describe('one call per network', () => {
  it('answers every query once, in order, with calls equal to distinct networks', async () => {
    // Four delegated records (/16) holding five /24 networks each on ARIN, and
    // two records on RIPE whose first /24 is unregistered (404).
    const networks: {
      rir: R5;
      base: number;
      handle: string;
      record: [string, string];
    }[] = [];
    const recordBases = [
      ['arin', 0x2d000000],
      ['arin', 0x2d010000],
      ['arin', 0x2d020000],
      ['arin', 0x2d030000],
      ['ripencc', 0x4e000000],
      ['ripencc', 0x4e010000],
    ] as const;
    for (const [rir, rb] of recordBases)
      for (let k = 1; k <= 5; k++) {
        const base = rb + k * 256;
        const handle = `NET-${v4Text(base).replace(/\./g, '-')}`;
        networks.push({
          rir,
          base,
          handle,
          record: [v4Text(rb), v4Text(rb + 0xffff)],
        });
        servers[rir].addNetwork(
          syntheticNetwork({
            start: v4Text(base),
            end: v4Text(base + 255),
            handle,
          }),
        );
      }
    const queries: {
      ip: string;
      rir: R5;
      record: [string, string];
      handle: string | null;
    }[] = [];
    for (const n of networks)
      for (let i = 0; i < 8; i++)
        queries.push({
          ip: v4Text(n.base + ((i * 37) % 256)),
          rir: n.rir,
          record: n.record,
          handle: n.handle,
        });
    // Addresses in the unregistered first /24 of each RIPE record.
    for (const [rir, rb] of recordBases.slice(4))
      for (let i = 0; i < 4; i++)
        queries.push({
          ip: v4Text(rb + i * 50),
          rir,
          record: [v4Text(rb), v4Text(rb + 0xffff)],
          handle: null,
        });
    const order = shuffle(queries);
    const resolver = createRdapResolver(
      options({
        limits: {
          arin: { requestsPerMinute: 60 },
          ripencc: { requestsPerMinute: 60 },
        },
      }),
    );
    const results = await Promise.all(
      order.map((q) =>
        resolver.resolve(q.ip, fakeRecord(q.rir, q.record[0], q.record[1])),
      ),
    );
    expect(results).toHaveLength(order.length);
    results.forEach((r: RdapInfo, i) => {
      const q = order[i]!;
      if (q.handle === null) expect(r.status, q.ip).toBe('not-found');
      else {
        expect(['ok', 'cached'], q.ip).toContain(r.status);
        expect(r.handle, q.ip).toBe(q.handle);
      }
    });
    // 30 networks + one 404 per RIPE record (its four addresses share one /24).
    expect(servers.arin.requests).toHaveLength(20);
    expect(servers.ripencc.requests).toHaveLength(12);
    const asked = new Set(
      RIRS.flatMap((r) => servers[r].requests.map((q) => q.query)),
    );
    expect(asked.size).toBe(32);
    await resolver.close();
  });

  it('never reuses an answer beyond the delegated record it was asked under', async () => {
    // One RDAP network spanning two delegated records.
    servers.ripencc.addNetwork(
      syntheticNetwork({
        start: '91.64.0.0',
        end: '91.127.255.255',
        handle: 'BIG',
      }),
    );
    const r1 = fakeRecord('ripencc', '91.64.0.0', '91.95.255.255');
    const r2 = fakeRecord('ripencc', '91.96.0.0', '91.127.255.255');
    const resolver = createRdapResolver(options());
    const a = await resolver.resolve('91.64.0.1', r1);
    const b = await resolver.resolve('91.100.0.1', r2);
    const c = await resolver.resolve('91.90.0.1', r1);
    const d = await resolver.resolve('91.120.0.1', r2);
    expect([a.status, b.status, c.status, d.status]).toEqual([
      'ok',
      'ok',
      'cached',
      'cached',
    ]);
    expect(servers.ripencc.requests.map((q) => q.query)).toEqual([
      '91.64.0.1',
      '91.100.0.1',
    ]);
  });

  it('with cachePolicy exact, reuses an answer only within the /24', async () => {
    servers.arin.addNetwork(
      syntheticNetwork({
        start: '64.10.0.0',
        end: '64.10.255.255',
        handle: 'P16',
      }),
    );
    const record = fakeRecord('arin', '64.0.0.0', '64.255.255.255');
    const resolver = createRdapResolver(options({ cachePolicy: 'exact' }));
    for (const ip of [
      '64.10.1.1',
      '64.10.1.2',
      '64.10.2.1',
      '64.10.3.1',
      '64.10.2.9',
    ])
      await resolver.resolve(ip, record);
    expect(servers.arin.requests.map((q) => q.query)).toEqual([
      '64.10.1.1',
      '64.10.2.1',
      '64.10.3.1',
    ]);
  });

  it('prefers the most specific cached network', async () => {
    servers.arin.addNetwork(
      syntheticNetwork({
        start: '64.0.0.0',
        end: '64.255.255.255',
        handle: 'PARENT',
      }),
    );
    servers.arin.addNetwork(
      syntheticNetwork({
        start: '64.1.2.0',
        end: '64.1.2.127',
        handle: 'CHILD',
      }),
    );
    const record = fakeRecord('arin', '64.0.0.0', '64.255.255.255');
    const resolver = createRdapResolver(options());
    expect((await resolver.resolve('64.1.2.3', record)).handle).toBe('CHILD');
    expect((await resolver.resolve('64.9.9.9', record)).handle).toBe('PARENT');
    expect((await resolver.resolve('64.1.2.100', record)).handle).toBe('CHILD');
    expect((await resolver.resolve('64.1.2.200', record)).handle).toBe(
      'PARENT',
    );
    expect(servers.arin.requests).toHaveLength(2);
  });

  it('rejects only when the caller aborts, and other queries carry on', async () => {
    servers.arin.addNetwork(
      syntheticNetwork({ start: '64.1.0.0', end: '64.1.0.255', handle: 'A' }),
    );
    servers.arin.addNetwork(
      syntheticNetwork({ start: '64.1.1.0', end: '64.1.1.255', handle: 'B' }),
    );
    const record = fakeRecord('arin', '64.1.0.0', '64.1.255.255');
    const resolver = createRdapResolver(options());
    const controller = new AbortController();
    const aborted = resolver.resolve('64.1.0.1', record, controller.signal);
    const other = resolver.resolve('64.1.1.1', record);
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    expect((await other).handle).toBe('B');
  });
});

describe('disk cache', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rirmap-rdap-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function populate(): {
    ip: string;
    record: [string, string];
    handle: string;
  }[] {
    const out: { ip: string; record: [string, string]; handle: string }[] = [];
    for (let k = 0; k < 12; k++) {
      const base = 0x5a000000 + k * 0x10000;
      const handle = `N${k}`;
      servers.ripencc.addNetwork(
        syntheticNetwork({
          start: v4Text(base),
          end: v4Text(base + 0xffff),
          handle,
        }),
      );
      for (let i = 0; i < 3; i++)
        out.push({
          ip: v4Text(base + i * 777),
          record: [v4Text(base), v4Text(base + 0xffff)],
          handle,
        });
    }
    out.push({
      ip: '90.200.0.1',
      record: ['90.200.0.0', '90.200.255.255'],
      handle: '',
    }); // 404
    return out;
  }

  it('makes no calls on a second run', async () => {
    const queries = populate();
    const file = join(dir, 'rdap.jsonl');
    const run = async (): Promise<RdapInfo[]> => {
      const resolver = createRdapResolver(options({ cacheFile: file }));
      const out = await Promise.all(
        queries.map((q) =>
          resolver.resolve(
            q.ip,
            fakeRecord('ripencc', q.record[0], q.record[1]),
          ),
        ),
      );
      await resolver.close();
      return out;
    };
    const first = await run();
    expect(servers.ripencc.requests).toHaveLength(13);
    const second = await run();
    expect(servers.ripencc.requests).toHaveLength(13);
    expect(second.map((r) => r.status)).toEqual([
      ...queries.slice(0, -1).map(() => 'cached'),
      'not-found',
    ]);
    expect(second.map((r) => r.handle)).toEqual(first.map((r) => r.handle));
    expect(second.map((r) => r.fetchedAt)).toEqual(
      first.map((r) => r.fetchedAt),
    );
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(13);
    for (const l of lines)
      expect(typeof (JSON.parse(l) as { fetchedAt: unknown }).fetchedAt).toBe(
        'string',
      );
  });

  it('resumes an interrupted run without asking any network twice, past a torn last line', async () => {
    const queries = populate();
    const file = join(dir, 'rdap.jsonl');
    // Run 1: stopped after the first few answers.
    const controller = new AbortController();
    const r1 = createRdapResolver(
      options({ cacheFile: file, maxConcurrent: 1 }),
    );
    let answered = 0;
    const settled = await Promise.allSettled(
      queries.map((q) =>
        r1
          .resolve(
            q.ip,
            fakeRecord('ripencc', q.record[0], q.record[1]),
            controller.signal,
          )
          .then((r) => {
            if (++answered === 7) controller.abort(new Error('interrupted'));
            return r;
          }),
      ),
    );
    await r1.close();
    expect(settled.some((s) => s.status === 'rejected')).toBe(true);
    const askedInRun1 = servers.ripencc.requests.map((q) => q.query);
    // A crash mid-write leaves a torn line.
    await appendFile(file, '{"v":1,"t":"net","scope":"ripe');
    // Run 2 answers everything.
    const r2 = createRdapResolver(options({ cacheFile: file }));
    const results = await Promise.all(
      queries.map((q) =>
        r2.resolve(q.ip, fakeRecord('ripencc', q.record[0], q.record[1])),
      ),
    );
    await r2.close();
    results
      .slice(0, -1)
      .forEach((r, i) => expect(r.handle).toBe(queries[i]!.handle));
    const askedInRun2 = servers.ripencc.requests
      .slice(askedInRun1.length)
      .map((q) => q.query);
    // Networks asked in run 2 were never asked in run 1, and together they cover all 13.
    const networkOf = (ip: string | null): string =>
      ip!.split('.').slice(0, 2).join('.');
    const n1 = new Set(askedInRun1.map(networkOf));
    const n2 = askedInRun2.map(networkOf);
    for (const n of n2) expect(n1.has(n)).toBe(false);
    expect(new Set([...n1, ...n2]).size).toBe(13);
    expect(askedInRun1.length + askedInRun2.length).toBe(13);
    // The file is valid JSON Lines except the torn line, which is now followed by a newline.
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(lines[lines.length - 1]).toBe('');
    const bad = lines.slice(0, -1).filter((l) => {
      try {
        JSON.parse(l);
        return false;
      } catch {
        return true;
      }
    });
    expect(bad).toEqual(['{"v":1,"t":"net","scope":"ripe']);
  });

  it('ignores entries older than cacheTtlMs', async () => {
    servers.arin.addNetwork(readSharedResponse('arin-8.8.8.8.json'));
    const file = join(dir, 'old.jsonl');
    await writeFile(
      file,
      `${JSON.stringify({
        v: 1,
        t: 'net',
        scope: 'arin:8.0.0.0-8.255.255.255',
        q: '8.8.8.8',
        fetchedAt: '2025-12-30T00:00:00Z',
        info: {
          handle: 'OLD',
          start: '8.8.8.0',
          end: '8.8.8.255',
          cidrs: ['8.8.8.0/24'],
        },
      })}\n`,
    );
    const record = fakeRecord('arin', '8.0.0.0', '8.255.255.255');
    const fresh = createRdapResolver(
      options({ cacheFile: file, cacheTtlMs: 3 * 86_400_000 }),
    );
    expect((await fresh.resolve('8.8.8.1', record)).handle).toBe('OLD');
    await fresh.close();
    expect(servers.arin.requests).toHaveLength(0);
    const strict = createRdapResolver(options({ cacheFile: file }));
    expect((await strict.resolve('8.8.8.1', record)).handle).toBe(
      'NET-8-8-8-0-1',
    );
    await strict.close();
    expect(servers.arin.requests).toHaveLength(1);
  });
});

describe('stats', () => {
  it('reports calls, cache hits and pacing per host', async () => {
    servers.lacnic.addNetwork(readSharedResponse('lacnic-200.57.141.161.json'));
    const resolver = createRdapResolver(options());
    const record = fakeRecord(
      'lacnic' as Rir,
      '200.57.128.0',
      '200.57.255.255',
    );
    await resolver.resolve('200.57.141.161', record);
    await resolver.resolve('200.57.141.161', record);
    const s = resolver.stats();
    expect(s.calls).toBe(1);
    expect(s.cached).toBe(1);
    expect(s.waiting).toBe(0);
    expect(s.hosts[servers.lacnic.host]).toEqual({
      calls: 1,
      perMinute: 10,
      open: false,
    });
  });
});
