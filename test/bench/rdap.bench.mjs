/**
 * RDAP benchmark: 100,000 addresses spread over 2,000 networks (500 delegated
 * records of 4 networks each, 5 registries, IPv4 and IPv6), resolved in
 * `always` mode against loopback servers, with the registries' limits scaled
 * up 1000x. Reports calls made, wall time, time spent waiting on limits, and
 * checks the calls and the per-host rate. Then a second pass (memory cache)
 * and a fresh resolver over the disk cache (a resumed run).
 *
 *   npm run build && node test/bench/rdap.bench.mjs
 *
 * RIRMAP_BENCH_ENTRY=<file> imports createRdapResolver from another build.
 */

import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const entry = process.env.RIRMAP_BENCH_ENTRY
  ? pathToFileURL(process.env.RIRMAP_BENCH_ENTRY).href
  : new URL('../../dist/index.js', import.meta.url).href;
const { createRdapResolver } = await import(entry);

const RIRS = ['afrinic', 'apnic', 'arin', 'lacnic', 'ripencc'];
const RECORDS = 500;
const NETS_PER_RECORD = 4;
const ADDRESSES = 100_000;
const WINDOW = Number(process.env.RDAP_BENCH_WINDOW ?? 256); // queries in progress at once, in input order
const SCALE = 1000;

// Seeded PRNG (mulberry32) so every run asks the same addresses in the same order.
let seed = 0x5eed;
function rand() {
  seed |= 0;
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const v4 = (n) =>
  [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
const v6 = (hi, lo) => `2a00:${hi.toString(16)}:${lo.toString(16)}::`;

// --- data: records and networks -------------------------------------------------------
const records = [];
const networks = [];
for (let r = 0; r < RECORDS; r++) {
  const rir = RIRS[r % RIRS.length];
  if (r % 5 === 4) {
    // IPv6: record /32, networks /48
    const hi = 0x100 + r;
    const start = `2a00:${hi.toString(16)}::`;
    const end = `2a00:${hi.toString(16)}:ffff:ffff:ffff:ffff:ffff:ffff`;
    const rec = { rir, start, end, nets: [] };
    for (let k = 0; k < NETS_PER_RECORD; k++) {
      const s = v6(hi, k * 16 + 1);
      const net = {
        rir,
        start: s,
        end: s.replace(/::$/, ':ffff:ffff:ffff:ffff:ffff'),
        handle: `N6-${r}-${k}`,
        v6: true,
        hi,
        lo: k * 16 + 1,
      };
      rec.nets.push(net);
      networks.push(net);
    }
    records.push(rec);
  } else {
    // IPv4: record /16, networks /24
    const base = (0x2d000000 + r * 0x10000) >>> 0;
    const rec = { rir, start: v4(base), end: v4(base + 0xffff), nets: [] };
    for (let k = 0; k < NETS_PER_RECORD; k++) {
      const s = base + (k * 7 + 1) * 256;
      const net = {
        rir,
        start: v4(s),
        end: v4(s + 255),
        handle: `N4-${r}-${k}`,
        v6: false,
        base: s,
      };
      rec.nets.push(net);
      networks.push(net);
    }
    records.push(rec);
  }
}

function body(net) {
  return JSON.stringify({
    rdapConformance: ['rdap_level_0', 'cidr0'],
    objectClassName: 'ip network',
    handle: net.handle,
    name: net.handle,
    type: 'ASSIGNED PA',
    country: 'ZZ',
    startAddress: net.start,
    endAddress: net.end,
    ipVersion: net.v6 ? 'v6' : 'v4',
    entities: [
      {
        objectClassName: 'entity',
        handle: `ORG-${net.handle}`,
        roles: ['registrant'],
        vcardArray: [
          'vcard',
          [
            ['version', {}, 'text', '4.0'],
            ['fn', {}, 'text', `Org ${net.handle}`],
            ['kind', {}, 'text', 'org'],
          ],
        ],
        entities: [
          {
            handle: `ABUSE-${net.handle}`,
            roles: ['abuse'],
            vcardArray: [
              'vcard',
              [
                ['version', {}, 'text', '4.0'],
                [
                  'email',
                  {},
                  'text',
                  `abuse@${net.handle.toLowerCase()}.example`,
                ],
              ],
            ],
          },
        ],
      },
    ],
    events: [
      { eventAction: 'last changed', eventDate: '2024-01-02T03:04:05-05:00' },
    ],
  });
}

// Queries: 50 addresses per network, shuffled.
const queries = [];
for (const rec of records)
  for (const net of rec.nets)
    for (let i = 0; i < ADDRESSES / networks.length; i++) {
      const ip = net.v6
        ? `${net.start.replace(/::$/, '')}:${(i * 131).toString(16)}::${(i + 1).toString(16)}`
        : v4(net.base + ((i * 5) % 256));
      queries.push({ ip, rec, net });
    }
for (let i = queries.length - 1; i > 0; i--) {
  const j = Math.floor(rand() * (i + 1));
  [queries[i], queries[j]] = [queries[j], queries[i]];
}

// --- servers: one per registry, in a child process (so the client's event loop is its own);
// each answers by looking the address up in its networks and logs request times.
const byKey = new Map(); // "v4:<a.b.c>" or "v6:<prefix48>" → body
for (const net of networks) {
  const key = net.v6
    ? `v6:${net.start}`
    : `v4:${net.start.split('.').slice(0, 3).join('.')}`;
  byKey.set(key, body(net));
}
function answer(ip) {
  if (ip.includes(':')) {
    const g = ip.split(':');
    return byKey.get(`v6:${g[0]}:${g[1]}:${g[2]}::`);
  }
  return byKey.get(`v4:${ip.split('.').slice(0, 3).join('.')}`);
}

if (process.argv[2] === '--serve') {
  const logs = {};
  const ports = {};
  for (const rir of RIRS) {
    const log = [];
    logs[rir] = log;
    const server = createServer((req, res) => {
      log.push(Date.now());
      const b = answer(decodeURIComponent(req.url.slice('/rdap/ip/'.length)));
      if (b === undefined) {
        res.writeHead(404, { 'content-type': 'application/rdap+json' });
        res.end('{"errorCode":404}');
      } else {
        res.writeHead(200, {
          'content-type': 'application/rdap+json',
          'content-length': Buffer.byteLength(b),
        });
        res.end(b);
      }
    });
    server.keepAliveTimeout = 5000;
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    ports[rir] = server.address().port;
  }
  process.on('message', (m) => {
    if (m === 'logs') process.send({ logs });
    if (m === 'exit') process.exit(0);
  });
  process.send({ ports });
} else {
  await main();
}

async function main() {
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { ports } = await new Promise((r) => child.once('message', r));
  const logsNow = () =>
    new Promise((r) => {
      child.once('message', (m) => r(m.logs));
      child.send('logs');
    });
  const servers = Object.fromEntries(
    RIRS.map((r) => [r, { url: `http://127.0.0.1:${ports[r]}/rdap/` }]),
  );

  // Rates (per minute, per hour) are scaled up 1000x; bursts stay at the published values
  // (3 for LACNIC, 5 elsewhere) so the buckets empty and pacing shows, unless
  // RDAP_BENCH_SCALE_BURST=1 scales them too. In flight: 32 per host, 64 in all.
  const scaleBurst = process.env.RDAP_BENCH_SCALE_BURST === '1';
  const scaled = (perMinute, perHour, burst) => ({
    requestsPerMinute: perMinute * SCALE,
    requestsPerHour: perHour === null ? null : perHour * SCALE,
    burst: scaleBurst ? burst * SCALE : burst,
    maxInFlight: 32,
  });
  const LIMITS = {
    afrinic: scaled(60, null, 5),
    apnic: scaled(60, null, 5),
    arin: scaled(60, null, 5),
    lacnic: scaled(10, 1000, 3),
    ripencc: scaled(60, null, 5),
  };

  function makeResolver(cacheFile) {
    return createRdapResolver({
      rdapServers: Object.fromEntries(RIRS.map((r) => [r, servers[r].url])),
      limits: LIMITS,
      allowExceedingPublishedLimits: true,
      maxConcurrent: 64,
      contact: 'bench@example.org',
      ...(cacheFile ? { cacheFile } : {}),
    });
  }

  function recordOf(rec) {
    return {
      found: true,
      type: rec.start.includes(':') ? 'ipv6' : 'ipv4',
      rir: rec.rir,
      country: null,
      date: null,
      status: 'allocated',
      holder: null,
      range: { start: rec.start, end: rec.end },
      source: {
        file: 'bench',
        registry: rec.rir,
        serial: '0',
        endDate: null,
        sha256: '',
      },
    };
  }
  for (const rec of records) rec.record = recordOf(rec);

  /** Resolves every query with at most WINDOW in progress; results in input order. */
  async function runAll(resolver) {
    const out = new Array(queries.length);
    let next = 0;
    async function worker() {
      while (next < queries.length) {
        const i = next++;
        const q = queries[i];
        out[i] = await resolver.resolve(q.ip, q.rec.record);
      }
    }
    await Promise.all(Array.from({ length: WINDOW }, worker));
    return out;
  }

  function check(results) {
    let wrong = 0;
    for (let i = 0; i < results.length; i++) {
      const r = results[i];
      if (
        !(r.status === 'ok' || r.status === 'cached') ||
        r.handle !== queries[i].net.handle
      )
        wrong++;
    }
    return wrong;
  }

  function maxInWindow(times, span) {
    const t = [...times].sort((a, b) => a - b);
    let lo = 0;
    let max = 0;
    for (let i = 0; i < t.length; i++) {
      while (t[lo] <= t[i] - span) lo++;
      max = Math.max(max, i - lo + 1);
    }
    return max;
  }

  let logs = {};
  const refreshLogs = async () => {
    logs = await logsNow();
  };
  const totalCalls = () => RIRS.reduce((n, r) => n + logs[r].length, 0);
  const dir = await mkdtemp(join(tmpdir(), 'rirmap-rdap-bench-'));
  await refreshLogs();
  const cacheFile = join(dir, 'rdap.jsonl');

  const rows = [];
  // Baseline: a bare fetch of each network once (one address per network), at the
  // resolver's global concurrency: the floor the loopback HTTP stack sets.
  {
    const urls = networks.map((n) => {
      const ip = n.v6 ? n.start.replace(/::$/, '::9') : v4(n.base + 9);
      return `${servers[n.rir].url}ip/${ip}`;
    });
    let i = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (i < urls.length) {
          const res = await fetch(urls[i++], { redirect: 'manual' });
          JSON.parse(await res.text());
        }
      }),
    );
    const wall = performance.now() - t0;
    await refreshLogs();
    rows.push({
      pass: 'baseline: bare fetch',
      addresses: urls.length,
      wrong: 0,
      calls: totalCalls(),
      cached: 0,
      wallMs: Math.round(wall),
      waitOnLimitsMs: 0,
      addressesPerSecond: Math.round(urls.length / (wall / 1000)),
    });
  }
  const baselineCalls = totalCalls();
  const baselineByHost = Object.fromEntries(
    RIRS.map((r) => [r, logs[r].length]),
  );
  // Pass 1: cold.
  {
    const resolver = makeResolver(cacheFile);
    const t0 = performance.now();
    const results = await runAll(resolver);
    const wall = performance.now() - t0;
    await resolver.close();
    await refreshLogs();
    const s = resolver.stats();
    rows.push({
      pass: 'cold (network)',
      addresses: results.length,
      wrong: check(results),
      calls: totalCalls() - baselineCalls,
      cached: s.cached,
      wallMs: Math.round(wall),
      waitOnLimitsMs: Math.round(resolver.waitedMs?.() ?? NaN),
      addressesPerSecond: Math.round(results.length / (wall / 1000)),
    });
    // Per-host rate: the busiest 1-second window vs the scaled per-second rate plus burst.
    for (const rir of RIRS) {
      const l = LIMITS[rir];
      const peak = maxInWindow(logs[rir].slice(baselineByHost[rir]), 1000);
      const cap = l.burst + l.requestsPerMinute / 60;
      if (peak > cap)
        console.error(`RATE EXCEEDED at ${rir}: ${peak} in 1 s > ${cap}`);
    }
  }
  // Pass 2: warm, same resolver state is gone; reuse a new resolver over the disk cache.
  {
    const before = totalCalls();
    const resolver = makeResolver(cacheFile);
    const t0 = performance.now();
    const results = await runAll(resolver);
    const wall = performance.now() - t0;
    await resolver.close();
    await refreshLogs();
    rows.push({
      pass: 'resumed (disk cache)',
      addresses: results.length,
      wrong: check(results),
      calls: totalCalls() - before,
      cached: resolver.stats().cached,
      wallMs: Math.round(wall),
      waitOnLimitsMs: Math.round(resolver.waitedMs?.() ?? NaN),
      addressesPerSecond: Math.round(results.length / (wall / 1000)),
    });
  }
  // Pass 3: hot memory cache.
  {
    const resolver = makeResolver();
    await runAll(resolver);
    await refreshLogs();
    const before = totalCalls();
    const t0 = performance.now();
    const results = await runAll(resolver);
    const wall = performance.now() - t0;
    await refreshLogs();
    rows.push({
      pass: 'warm (memory cache)',
      addresses: results.length,
      wrong: check(results),
      calls: totalCalls() - before,
      cached: results.filter((r) => r.status === 'cached').length,
      wallMs: Math.round(wall),
      waitOnLimitsMs: 0,
      addressesPerSecond: Math.round(results.length / (wall / 1000)),
    });
    await resolver.close();
  }

  console.log(
    `RDAP benchmark: ${ADDRESSES} addresses, ${networks.length} networks, ${RECORDS} records, rates x${SCALE}, bursts ${scaleBurst ? `x${SCALE}` : 'as published'}, window ${WINDOW}, node ${process.version}`,
  );
  // The slowest host bounds the cold pass: LACNIC's share at its scaled rate.
  const lacnicCalls = networks.filter((n) => n.rir === 'lacnic').length;
  console.log(
    `lower bound from pacing: ${Math.round(((lacnicCalls - LIMITS.lacnic.burst) / LIMITS.lacnic.requestsPerMinute) * 60_000)} ms (${lacnicCalls} LACNIC calls at ${LIMITS.lacnic.requestsPerMinute}/min)`,
  );
  console.table(rows);
  const [baseline, cold, resumed] = rows;
  console.log(
    `cold pass: ${(cold.wallMs / baseline.wallMs).toFixed(2)}x the bare-fetch baseline; time waiting on limits is summed over requests`,
  );
  const ok =
    cold.calls === networks.length &&
    rows.every((r) => r.wrong === 0) &&
    resumed.calls === 0;
  console.log(
    ok
      ? 'OK: calls == distinct networks; resumed run made no calls'
      : 'MISMATCH (see table)',
  );

  child.send('exit');
  await rm(dir, { recursive: true, force: true });
  process.exitCode = ok ? 0 : 1;
}
