#!/usr/bin/env node
// Export benchmark (issue 6: export for other engines). Against the built
// package (npm run build first). For each data set: load time, then MMDB, CSV
// and JSON Lines export time (median of --rounds, written to memory) and size,
// and the MMDB's size against the compiled snapshot of the same registry
// (target: at most 2x). Then, in the same process and on the same seeded
// addresses, lookups/s through the `maxmind` reader on our MMDB versus on the
// @ip-location-db geo-whois-asn-country MMDB, with rirmap's own lookup beside.
//
//   node test/bench/export.bench.mjs [--rounds 3] [--n 300000] [--total 800000] [DATA...]
//
// DATA: files or directories of delegated-stats files (each one data set).
// Default: the shared RIR files, and a generated --total-record set made by
// test/bench/generate-delegated.mjs in a temporary directory (--total 0 skips it).
// RIRMAP_BENCH_ENTRY=<file> imports the library from another build.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { seededAddresses } from './seeded.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '3' },
    n: { type: 'string', default: '300000' },
    total: { type: 'string', default: '800000' },
  },
});
const ROUNDS = Number(values.rounds);
const N = Number(values.n);
const TOTAL = Number(values.total);
const require = createRequire(import.meta.url);

const entry = process.env.RIRMAP_BENCH_ENTRY
  ? pathToFileURL(process.env.RIRMAP_BENCH_ENTRY).href
  : pathToFileURL(join(root, 'dist', 'index.js')).href;
const {
  loadRegistry,
  writeMmdb,
  writeRanges,
  encodeSnapshot,
  specialIpv4,
  specialIpv6,
  parseIpv6,
} = await import(entry);
const { Reader } = require('maxmind');

const cleanup = [];
const sets = [];
if (positionals.length > 0) {
  for (const p of positionals) sets.push({ name: p, path: p });
} else {
  sets.push({
    name: 'shared files (newest per registry)',
    path: join(root, '..', 'shared', 'data', 'rir'),
  });
  if (TOTAL > 0) {
    const dir = mkdtempSync(join(tmpdir(), 'rirmap-export-bench-'));
    cleanup.push(dir);
    const g = spawnSync(
      process.execPath,
      [join(here, 'generate-delegated.mjs'), dir, String(TOTAL)],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    if (g.status !== 0) throw new Error('generate-delegated.mjs failed');
    sets.push({
      name: `generated ${TOTAL.toLocaleString('en')}-record set`,
      path: dir,
    });
  }
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const MB = (n) => `${(n / 2 ** 20).toFixed(1)} MiB`;
const ms = (n) => `${(n / 1000).toFixed(2)} s`;
const both = (t) => `${ms(t.ms)} (cpu ${ms(t.cpu)})`;

// Wall time and CPU time (user + system, this process) per round, medians: on a
// shared machine the CPU time says more than the wall time.
async function timed(fn) {
  const runs = [];
  const cpus = [];
  let result;
  for (let i = 0; i < ROUNDS; i++) {
    result = undefined;
    const c = process.cpuUsage();
    const t = performance.now();
    result = await fn();
    runs.push(performance.now() - t);
    const u = process.cpuUsage(c);
    cpus.push((u.user + u.system) / 1000);
  }
  return { ms: median(runs), cpu: median(cpus), result };
}

async function toBuffer(write) {
  const chunks = [];
  const summary = await write((c) => void chunks.push(c));
  return { summary, buf: Buffer.concat(chunks) };
}

// Seeded addresses: IPv4 over non-special space, IPv6 over the prefixes the registries delegate from.
const { v4, v6 } = seededAddresses(
  { specialIpv4, specialIpv6, parseIpv6 },
  N,
  7,
);

let sink = 0;
function lookupsPerSecond(get, addresses) {
  for (let i = 0; i < Math.min(50_000, addresses.length); i++)
    if (get(addresses[i]) !== null) sink++;
  const runs = [];
  for (let k = 0; k < ROUNDS; k++) {
    const t = performance.now();
    for (let i = 0; i < addresses.length; i++)
      if (get(addresses[i]) !== null) sink++;
    runs.push(performance.now() - t);
  }
  return addresses.length / (median(runs) / 1000);
}

const ipLocationDb = new Reader(
  readFileSync(
    require.resolve('@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb'),
  ),
);

console.log(
  `node ${process.version}, rounds ${ROUNDS}, ${N.toLocaleString('en')} addresses per family\n`,
);
try {
  for (const set of sets) {
    const t = performance.now();
    const registry = await loadRegistry({ data: [set.path] });
    const loadMs = performance.now() - t;
    console.log(
      `## ${set.name}: ${registry.size.toLocaleString('en')} records, loaded in ${ms(loadMs)}`,
    );
    for (let i = 0; i < registry.size; i++) registry.record(i); // record objects are built once, on first use

    const mmdb = await timed(() =>
      toBuffer((s) => writeMmdb(registry, s, { buildEpoch: 0 })),
    );
    const v4only = await timed(() =>
      toBuffer((s) =>
        writeMmdb(registry, s, {
          ipv4Only: true,
          fields: ['rir', 'country'],
          buildEpoch: 0,
        }),
      ),
    );
    const csv = await timed(() =>
      toBuffer((s) => writeRanges(registry, s, { format: 'csv' })),
    );
    const csvCidr = await timed(() =>
      toBuffer((s) => writeRanges(registry, s, { format: 'csv', cidr: true })),
    );
    const jsonl = await timed(() =>
      toBuffer((s) => writeRanges(registry, s, { format: 'jsonl' })),
    );
    const snapshotBytes = encodeSnapshot(registry, 'bench').length;
    const m = mmdb.result.summary;
    console.log('| export | wall (cpu) | size | notes |');
    console.log('| --- | --- | --- | --- |');
    console.log(
      `| mmdb (all fields) | ${both(mmdb)} | ${MB(m.bytes)} | ${m.nodeCount.toLocaleString('en')} nodes, ` +
        `${m.recordSize}-bit records, ${m.ranges.toLocaleString('en')} ranges, ` +
        `${m.values.toLocaleString('en')} values, data ${MB(m.dataSectionBytes)}; ` +
        `${(m.bytes / snapshotBytes).toFixed(2)}x the snapshot (${MB(snapshotBytes)}) |`,
    );
    console.log(
      `| mmdb --ipv4-only --fields rir,country | ${both(v4only)} | ${MB(v4only.result.summary.bytes)} | |`,
    );
    console.log(
      `| csv | ${both(csv)} | ${MB(csv.result.summary.bytes)} | ${csv.result.summary.rows.toLocaleString('en')} rows |`,
    );
    console.log(
      `| csv --cidr | ${both(csvCidr)} | ${MB(csvCidr.result.summary.bytes)} | ${csvCidr.result.summary.rows.toLocaleString('en')} rows |`,
    );
    console.log(
      `| jsonl | ${both(jsonl)} | ${MB(jsonl.result.summary.bytes)} | |`,
    );

    const ours = new Reader(mmdb.result.buf);
    console.log('\n| lookups/s | IPv4 | IPv6 |');
    console.log('| --- | --- | --- |');
    const row = (name, get) =>
      console.log(
        `| ${name} | ${Math.round(lookupsPerSecond(get, v4)).toLocaleString('en')} | ` +
          `${Math.round(lookupsPerSecond(get, v6)).toLocaleString('en')} |`,
      );
    row('maxmind reader, rirmap MMDB (all fields)', (ip) => ours.get(ip));
    // Records as small as the country MMDB's, for a like-for-like reader comparison.
    const { buf: small } = await toBuffer((s) =>
      writeMmdb(registry, s, { fields: ['country'], buildEpoch: 0 }),
    );
    const oursSmall = new Reader(small);
    row('maxmind reader, rirmap MMDB (--fields country)', (ip) =>
      oursSmall.get(ip),
    );
    row('maxmind reader, @ip-location-db country MMDB', (ip) =>
      ipLocationDb.get(ip),
    );
    row('rirmap registry.lookup', (ip) => registry.lookup(ip));
    console.log(`\ntargets: export under 10 s; MMDB at most 2x the snapshot\n`);
  }
} finally {
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
  if (sink === -1) console.log(sink);
}
