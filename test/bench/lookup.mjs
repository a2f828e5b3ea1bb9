#!/usr/bin/env node
// "String to record": each contender turns the string into its answer object (maxmind and
// geoip-lite build one per call; rirmap returns its cached record) and reads its country, the
// field all three have. rirmap is also shown without the field read, to separate the lookup
// from the cache miss of touching a record object on random addresses.
// Lookup and load benchmark (issue: registry core). Runs against the built
// package (npm run build first). In ONE process, on the same seeded addresses:
//   rirmap lookup() versus geoip-lite (country data) and maxmind reading the
//   @ip-location-db geo-whois-asn-country MMDB, and a parse-only loop (the
//   cost of turning the string into a number, nothing else); IPv4 and IPv6.
// Then load time and RSS in fresh child processes: the newest shared file per
// registry, and a generated full-size 800,000-record set.
//
//   node test/bench/lookup.mjs [--n 1000000] [--rounds 5] [--data DIR]

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { seededAddresses } from './seeded.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '5' },
    data: {
      type: 'string',
      default: join(root, '..', 'shared', 'data', 'rir'),
    },
    'skip-load': { type: 'boolean', default: false },
  },
});
const N = Number(values.n);
const ROUNDS = Number(values.rounds);
const require = createRequire(import.meta.url);

const { loadRegistry, parseIpv4, parseIpv6, specialIpv4, specialIpv6 } =
  await import(join(root, 'dist', 'index.js'));

const { v4, v6 } = seededAddresses(
  { specialIpv4, specialIpv6, parseIpv6 },
  N,
  42,
);
const w = new Uint32Array(4);

const tLoad = performance.now();
const registry = await loadRegistry({ data: [values.data] });
const loadMs = performance.now() - tLoad;
const geoip = require('geoip-lite');
const maxmind = require('maxmind');
const mmdbPath =
  require.resolve('@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb');
const mm = await maxmind
  .open(mmdbPath, { cache: { max: 0 } })
  .catch(() => maxmind.open(mmdbPath));

let sink = 0;
const cases = {
  v4: {
    'parse-only': (a) => {
      for (let i = 0; i < a.length; i++) sink += parseIpv4(a[i]) & 1;
    },
    rirmap: (a) => {
      for (let i = 0; i < a.length; i++) {
        const x = registry.lookup(a[i]);
        if (x !== null) sink += 1;
      }
    },
    'rirmap + read country': (a) => {
      for (let i = 0; i < a.length; i++) {
        const x = registry.lookup(a[i]);
        if (x !== null && x.country !== null) sink += x.country.length;
      }
    },
    'geoip-lite': (a) => {
      for (let i = 0; i < a.length; i++) {
        const x = geoip.lookup(a[i]);
        if (x !== null) sink += x.country.length;
      }
    },
    maxmind: (a) => {
      for (let i = 0; i < a.length; i++) {
        const x = mm.get(a[i]);
        if (x !== null && x.country_code !== undefined)
          sink += x.country_code.length;
      }
    },
  },
  v6: {
    'parse-only': (a) => {
      for (let i = 0; i < a.length; i++) sink += parseIpv6(a[i], w) ? 1 : 0;
    },
    rirmap: (a) => {
      for (let i = 0; i < a.length; i++) {
        const x = registry.lookup(a[i]);
        if (x !== null) sink += 1;
      }
    },
    'rirmap + read country': (a) => {
      for (let i = 0; i < a.length; i++) {
        const x = registry.lookup(a[i]);
        if (x !== null && x.country !== null) sink += x.country.length;
      }
    },
    'geoip-lite': (a) => {
      for (let i = 0; i < a.length; i++) {
        const x = geoip.lookup(a[i]);
        if (x !== null) sink += x.country.length;
      }
    },
    maxmind: (a) => {
      for (let i = 0; i < a.length; i++) {
        const x = mm.get(a[i]);
        if (x !== null && x.country_code !== undefined)
          sink += x.country_code.length;
      }
    },
  },
};

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const results = {};
for (const [family, fns] of Object.entries(cases)) {
  const input = family === 'v4' ? v4 : v6;
  const times = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
  // Warm up, then interleave rounds so that machine noise hits every contender alike.
  for (const fn of Object.values(fns)) fn(input.slice(0, 50000));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, fn] of Object.entries(fns)) {
      const t = performance.now();
      fn(input);
      times[name].push(performance.now() - t);
    }
  }
  results[family] = Object.fromEntries(
    Object.entries(times).map(([k, v]) => [k, N / (median(v) / 1000)]),
  );
}

const hitRate = (a) => {
  const some = a.slice(0, 100000);
  return (
    (100 * some.filter((x) => registry.lookup(x) !== null).length) / some.length
  );
};
const hitsV4 = hitRate(v4);
const hitsV6 = hitRate(v6);

function loadInChild(dataPath) {
  const script = `
    const base = process.memoryUsage().rss;
    const { loadRegistry } = await import(${JSON.stringify(join(root, 'dist', 'index.js'))});
    const t = performance.now();
    const r = await loadRegistry({ data: [${JSON.stringify(dataPath)}] });
    const ms = performance.now() - t;
    console.log(JSON.stringify({ ms, records: r.size, rssAbove: process.memoryUsage().rss - base }));`;
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const p = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', script],
      { encoding: 'utf8' },
    );
    if (p.status !== 0) throw new Error(p.stderr);
    runs.push(JSON.parse(p.stdout));
  }
  const ms = median(runs.map((x) => x.ms));
  const rss = median(runs.map((x) => x.rssAbove));
  return { ms, records: runs[0].records, rssMB: rss / 2 ** 20 };
}

const fmt = (x) => `${(x / 1e6).toFixed(2)} M/s`;
console.log(
  `rirmap lookup benchmark — Node ${process.version}, ${N.toLocaleString()} seeded addresses, median of ${ROUNDS} rounds`,
);
console.log(
  `registry: ${registry.size} records from ${registry.sources.map((s) => s.file).join(', ')} (in-process load ${loadMs.toFixed(0)} ms)`,
);
console.log(
  `hit rate: IPv4 ${hitsV4.toFixed(1)}%, IPv6 ${hitsV6.toFixed(1)}%\n`,
);
for (const fam of ['v4', 'v6']) {
  const x = results[fam];
  console.log(
    `IP${fam}: ${Object.entries(x)
      .map(([k, v]) => `${k} ${fmt(v)}`)
      .join(' | ')}`,
  );
}
const v4r = results.v4;
const v6r = results.v6;
const bestPeerV4 = Math.max(v4r['geoip-lite'], v4r.maxmind);
console.log('\nratios (targets in brackets):');
for (const k of ['rirmap', 'rirmap + read country']) {
  console.log(`  ${k}:`);
  console.log(
    `    IPv4 / faster of geoip-lite and maxmind: ${(v4r[k] / bestPeerV4).toFixed(1)}x  [>= 7x]`,
  );
  console.log(
    `    IPv4 / parse-only loop: ${((v4r[k] / v4r['parse-only']) * 100).toFixed(0)}%  [>= 70%]`,
  );
  console.log(
    `    IPv6 / maxmind: ${(v6r[k] / v6r.maxmind).toFixed(1)}x  [>= 6x]`,
  );
}
if (sink === 42) console.log('');

if (!values['skip-load']) {
  const shared = loadInChild(values.data);
  console.log(
    `\nload, newest shared file per registry: ${shared.records} records in ${shared.ms.toFixed(0)} ms, RSS +${shared.rssMB.toFixed(0)} MB  [< 1000 ms]`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'rirmap-gen-'));
  try {
    const { generate } = await import(join(here, 'generate-delegated.mjs'));
    await generate(dir, 800000, 1);
    const big = loadInChild(dir);
    console.log(
      `load, generated full-size set: ${big.records} records in ${big.ms.toFixed(0)} ms, RSS +${big.rssMB.toFixed(0)} MB  [< 2000 ms, < 150 MB]`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
