#!/usr/bin/env node
/**
 * Report benchmark (issue: jurisdiction report). In ONE process, on the same
 * generated inputs, one thread:
 *   enrich   enrichText over the input, output bytes counted (the baseline);
 *   report   buildReport over the raw input (looks every address up) + JSON;
 *   enriched buildReport over the file `enrich` wrote (--from-enriched) + JSON.
 * Inputs: a 1,000,000-row flow CSV (timestamp, src_ip, dst_ip, ports, proto,
 * bytes; seeded) and a log of the shared UFW log repeated to 1,000,000 lines.
 * Prints times, rows/s and the ratios report/enrich and enriched/enrich
 * (target: under 2), plus RSS after each step.
 *
 *   npm run build && node test/bench/report.bench.mjs [--rows 1000000] [--rounds 3]
 *
 * RIRMAP_BENCH_ENTRY=<file> imports the library from another build.
 */

import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '3' },
    data: {
      type: 'string',
      default: join(root, '..', 'shared', 'data', 'rir'),
    },
  },
});
const ROWS = Number(values.rows);
const ROUNDS = Number(values.rounds);
const entry = process.env.RIRMAP_BENCH_ENTRY
  ? pathToFileURL(process.env.RIRMAP_BENCH_ENTRY).href
  : new URL('../../dist/index.js', import.meta.url).href;
const lib = await import(entry);
const { loadRegistry, enrichText, buildReport, formatReportJson } = lib;
for (const [name, fn] of Object.entries({
  loadRegistry,
  enrichText,
  buildReport,
  formatReportJson,
}))
  if (typeof fn !== 'function') {
    console.error(`report bench: the build does not export ${name}`);
    process.exit(2);
  }

// Seeded PRNG (mulberry32).
let seed = 0x7e9047;
function rand() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function ipv4(n) {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

const dir = mkdtempSync(join(tmpdir(), 'rirmap-report-bench-'));
const rss = () => `${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`;

try {
  const t0 = performance.now();
  const registry = await loadRegistry({ data: [values.data], lenient: true });
  console.log(
    `data: ${registry.sources.map((s) => s.file).join(', ')} (${registry.size} records, ${((performance.now() - t0) / 1000).toFixed(2)} s)`,
  );

  // Flow CSV: sources from a pool of 50,000 public addresses, destinations from 2,000.
  const pool = (n) => {
    const out = [];
    while (out.length < n) {
      const v = Math.floor(rand() * 2 ** 32);
      const a = v >>> 24;
      if (a === 0 || a === 10 || a === 127 || a >= 224) continue;
      out.push(ipv4(v));
    }
    return out;
  };
  const srcs = pool(50_000);
  const dsts = pool(2_000);
  const csvPath = join(dir, 'flows.csv');
  {
    const ws = createWriteStream(csvPath);
    ws.write('timestamp,src_ip,dst_ip,src_port,dst_port,proto,bytes\n');
    let t = Date.UTC(2024, 0, 1);
    let buf = '';
    for (let i = 0; i < ROWS; i++) {
      t += Math.floor(rand() * 200);
      buf +=
        `${new Date(t).toISOString()},${srcs[Math.floor(rand() ** 2 * srcs.length)]},${dsts[Math.floor(rand() * dsts.length)]},` +
        `${1024 + Math.floor(rand() * 60000)},${[22, 80, 443, 3389][i & 3]},${i % 7 === 0 ? 'udp' : 'tcp'},${Math.floor(rand() * 100000)}\n`;
      if (buf.length > 1 << 20) {
        if (!ws.write(buf)) await new Promise((r) => ws.once('drain', r));
        buf = '';
      }
    }
    ws.end(buf);
    await finished(ws);
  }
  // Log: the shared UFW log repeated to ROWS lines.
  const logPath = join(dir, 'ufw.log');
  {
    const lines = readFileSync(
      join(root, '..', 'shared', 'data', 'logs', 'ufw-kernel_ufw.log.1'),
      'latin1',
    )
      .split('\n')
      .filter((l) => l !== '');
    const parts = [];
    for (let i = 0; i < ROWS; i++) parts.push(lines[i % lines.length]);
    writeFileSync(logPath, `${parts.join('\n')}\n`, 'latin1');
  }

  async function enrichTo(input, output) {
    const run = enrichText(createReadStream(input), { registry, threads: 1 });
    const ws = createWriteStream(output);
    for await (const chunk of run)
      if (!ws.write(chunk)) await new Promise((r) => ws.once('drain', r));
    ws.end();
    await finished(ws);
    return 0;
  }

  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  /** Best wall time and best CPU time (user + system) over the rounds. */
  async function best(fn) {
    let ms = Infinity;
    let cpu = Infinity;
    let last;
    for (let i = 0; i < ROUNDS; i++) {
      const t = performance.now();
      const c = cpuMs();
      last = await fn();
      ms = Math.min(ms, performance.now() - t);
      cpu = Math.min(cpu, cpuMs() - c);
    }
    return { ms, cpu, last };
  }
  const reportTo = async (input, options, output) => {
    const report = await buildReport(createReadStream(input), {
      registry,
      inputName: 'bench',
      ...options,
    });
    const json = formatReportJson(report);
    writeFileSync(output, json);
    return { report, bytes: json.length };
  };

  for (const [name, input] of [
    ['flow CSV (2 address columns)', csvPath],
    ['UFW log (2 addresses per line)', logPath],
  ]) {
    const enrichedPath = `${input}.enriched`;
    await enrichTo(input, enrichedPath);
    console.log(`\n${name}, ${ROWS.toLocaleString('en-US')} rows`);
    const line = (label, m) =>
      `  ${label.padEnd(23)}${(m.ms / 1000).toFixed(2)} s (cpu ${(m.cpu / 1000).toFixed(2)} s)  ` +
      `${Math.round((ROWS * 1000) / m.ms).toLocaleString('en-US')} rows/s  rss ${rss()}`;
    const e = await best(() => enrichTo(input, `${input}.out`));
    console.log(line('enrich', e));
    const jsonPath = join(dir, 'report.json');
    const r = await best(() => reportTo(input, {}, jsonPath));
    const t = r.last.report.totals;
    console.log(
      `${line('report (raw input)', r)}  [${t.addresses} addresses, ${t.blocks} blocks, ${t.countries} countries; ` +
        `JSON ${(r.last.bytes / 1024).toFixed(0)} KiB]`,
    );
    const b = await best(() =>
      reportTo(enrichedPath, { from: 'enriched' }, jsonPath),
    );
    console.log(line('report (enriched file)', b));
    const same =
      JSON.stringify(r.last.report.registries) ===
      JSON.stringify(b.last.report.registries)
        ? 'same groups'
        : 'groups DIFFER';
    console.log(
      `  ratio report/enrich ${(r.ms / e.ms).toFixed(2)} (cpu ${(r.cpu / e.cpu).toFixed(2)})  ` +
        `enriched/enrich ${(b.ms / e.ms).toFixed(2)} (cpu ${(b.cpu / e.cpu).toFixed(2)})  target < 2  [${same}]`,
    );
    rmSync(enrichedPath, { force: true });
    rmSync(`${input}.out`, { force: true });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
