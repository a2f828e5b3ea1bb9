#!/usr/bin/env node
/**
 * Enrichment benchmark, run against the built package: `npm run build`, then
 *
 *   node test/bench/enrich.bench.mjs [--rows N] [--log-lines N] [--big GB] [--pairs N] [--keep]
 *
 * In one run it generates, in a temporary directory (never in the repository):
 *   - a flow CSV of --rows rows (default 1,000,000): timestamp, src_ip, dst_ip,
 *     src_port, dst_port, proto, bytes (random public and private addresses);
 *   - a log of about --log-lines lines (default 1,000,000) by repeating the
 *     shared plain-text logs (../shared/data/logs);
 * and measures, each in a fresh child process (so peak RSS is its own):
 *   1. csv-parse piped to csv-stringify, no enrichment (the baseline);
 *   2. enrich the CSV on one thread, then on all threads;
 *   3. enrich the log (jsonl annotation) on one thread, then on all threads.
 * Output goes to /dev/null for every measurement. Registry data: the newest
 * shared file per registry (../shared/data/rir, the loader's directory rule);
 * load time is not counted in rows/s. "CPUs busy" is the CPU time of the
 * whole process (every thread) over the wall time of the enrichment: one
 * thread keeps more than one CPU busy, as V8 compiles and collects garbage and
 * libuv reads the file on other threads. Threads do at least the work of one,
 * so on C cores they are at most C / busy times faster than one thread: the
 * benchmark prints that ceiling.
 *
 * With more than one core it also cuts each input in as many shares as
 * threads and enriches the shares at once, one one-thread process each,
 * started together once every one has loaded its registry: their combined
 * rows/s over one thread's is what this machine gives the same job split with
 * no coordination at all, the measured ceiling for threads.
 *
 * --pairs N then runs N more rounds of a one-thread run, an all-thread run
 * and the processes at once, CSV and log, one after the other, and prints
 * each round's ratios to its one-thread run and their medians: on a machine
 * whose speed drifts, a ratio of two runs made minutes apart says little.
 *
 * --big GB also writes a flow CSV of that many GB to the temporary directory
 * and enriches it on one thread and on all threads, reporting peak RSS (the
 * constant-memory target).
 * Set RIRMAP_DIST to benchmark another build (default ../../dist/index.js).
 */

import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const DIST = process.env.RIRMAP_DIST ?? here('../../dist/index.js');
const SHARED = here('../../../shared/data/');
const LOGS = [
  'openssh-auth_OpenSSH_2k.log',
  'linux-syslog_Linux_2k.log',
  'apache-error_Apache_2k.log',
  'apache-access-combined_apache_logs.log',
  'ufw-kernel_ufw.log.1',
  'iptables-kernel_iptables.log',
];

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? def : process.argv[i + 1];
}

/** A deterministic pseudo-random generator (LCG). */
function rng(seed) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
}

function address(r) {
  const a = r();
  const kind = a % 10;
  if (kind === 0)
    return `10.${(a >>> 8) & 255}.${(a >>> 16) & 255}.${a >>> 24}`;
  if (kind === 1) return `192.168.${(a >>> 8) & 255}.${a >>> 24}`;
  return `${((a >>> 24) % 223) + 1}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** CSV text of `rows` flow rows, in blocks. */
function* flowCsv(rows, seed = 1) {
  const r = rng(seed);
  yield 'timestamp,src_ip,dst_ip,src_port,dst_port,proto,bytes\n';
  const t0 = Date.UTC(2024, 4, 19) / 1000;
  for (let i = 0; i < rows;) {
    const lines = [];
    for (const end = Math.min(rows, i + 10_000); i < end; i++) {
      const ts = new Date((t0 + i) * 1000).toISOString();
      lines.push(
        `${ts},${address(r)},${address(r)},${1024 + (r() % 64511)},${[22, 53, 80, 443, 3389][r() % 5]},${r() % 3 === 0 ? 'udp' : 'tcp'},${r() % 1_000_000}\n`,
      );
    }
    yield lines.join('');
  }
}

async function generate(dir, rows, logLines) {
  const csv = join(dir, 'flows.csv');
  await pipeline(Readable.from(flowCsv(rows)), createWriteStream(csv));
  const text = LOGS.map((f) => {
    const t = readFileSync(join(SHARED, 'logs', f), 'latin1');
    return t.endsWith('\n') ? t : `${t}\n`;
  }).join('');
  const perCopy = text.split('\n').length - 1;
  const copies = Math.max(1, Math.round(logLines / perCopy));
  const log = join(dir, 'big.log');
  await pipeline(
    Readable.from(
      (function* () {
        for (let i = 0; i < copies; i++) yield Buffer.from(text, 'latin1');
      })(),
    ),
    createWriteStream(log),
  );
  return { csv, log, logLines: perCopy * copies };
}

// ---------------------------------------------------------------- child side

async function child(mode, file, threads, synced) {
  // Timed: the work alone, from its first byte to the end of its output (not
  // loading modules or the registry).
  let rows;
  let startAt;
  let cpu0;
  const begin = () => {
    startAt = performance.timeOrigin + performance.now();
    cpu0 = process.resourceUsage();
  };
  if (mode === 'baseline') {
    const { parse } = await import('csv-parse');
    const { stringify } = await import('csv-stringify');
    const parser = parse();
    begin();
    await pipeline(
      createReadStream(file),
      parser,
      stringify(),
      createWriteStream('/dev/null'),
    );
    rows = parser.info.records - 1;
  } else {
    const lib = await import(pathToFileURL(DIST).href);
    if (typeof lib.enrichFile !== 'function')
      throw new Error(
        `${DIST} does not export enrichFile (build the package first)`,
      );
    const registry = await lib.loadRegistry({ data: [join(SHARED, 'rir')] });
    if (synced) {
      // Several processes at once: start together, once every one is loaded.
      process.stdout.write('ready\n');
      await new Promise((resolve) => process.stdin.once('data', resolve));
      process.stdin.pause();
    }
    begin();
    const summary = await lib.enrichFile(file, '/dev/null', {
      registry,
      threads,
      format: mode === 'log' ? 'log' : 'csv',
    });
    rows = summary.rows;
  }
  const endAt = performance.timeOrigin + performance.now();
  const seconds = (endAt - startAt) / 1000;
  const used = process.resourceUsage();
  const cpuSeconds =
    (used.userCPUTime +
      used.systemCPUTime -
      cpu0.userCPUTime -
      cpu0.systemCPUTime) /
    1e6;
  process.stdout.write(
    JSON.stringify({
      rows,
      seconds,
      startAt,
      endAt,
      cpuSeconds,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

/** Writes a flow CSV of about `gb` GB. */
async function bigFile(dir, gb) {
  const limit = gb * 1e9;
  let bytes = 0;
  const gen = flowCsv(Number.MAX_SAFE_INTEGER, 7);
  const path = join(dir, 'big.csv');
  await pipeline(
    Readable.from(
      (function* () {
        for (const block of gen) {
          if (bytes >= limit) return;
          bytes += block.length;
          yield Buffer.from(block, 'latin1');
        }
      })(),
    ),
    createWriteStream(path),
  );
  return path;
}

// ---------------------------------------------------------------- parent side

function measure(mode, file, threads = 1, env = {}) {
  const r = spawnSync(
    process.execPath,
    [fileURLToPath(import.meta.url), '--child', mode, file, String(threads)],
    { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 20 },
  );
  if (r.status !== 0) throw new Error(`${mode} failed:\n${r.stderr}`);
  const m = JSON.parse(r.stdout);
  return { ...m, rate: m.rows / m.seconds };
}

/**
 * `file` cut at line ends into `count` files of about the same size, each a
 * share of the job (a CSV's header line heads every share). Streamed: this
 * process stays small, and a child's peak RSS is its own (on Linux a child
 * starts with its parent's peak).
 */
async function splitFile(file, count, header) {
  const size = statSync(file).size;
  const fd = openSync(file, 'r');
  const window = Buffer.alloc(1 << 20);
  /** Offset just past the first line end at or after `at`. */
  const lineEndAfter = (at) => {
    for (let pos = at; pos < size; pos += window.length) {
      const n = readSync(fd, window, 0, window.length, pos);
      const i = window.subarray(0, n).indexOf(10);
      if (i >= 0) return pos + i + 1;
    }
    return size;
  };
  const head = header ? lineEndAfter(0) : 0;
  const cuts = [0];
  for (let k = 1; k < count; k++)
    cuts.push(lineEndAfter(Math.floor((size * k) / count)));
  cuts.push(size);
  closeSync(fd);
  const parts = [];
  for (let k = 0; k < count; k++) {
    const part = `${file}.part${k + 1}`;
    const out = createWriteStream(part);
    if (header && k > 0)
      await pipeline(createReadStream(file, { start: 0, end: head - 1 }), out, {
        end: false,
      });
    if (cuts[k + 1] > cuts[k])
      await pipeline(
        createReadStream(file, { start: cuts[k], end: cuts[k + 1] - 1 }),
        out,
      );
    else await new Promise((resolve) => out.end(resolve));
    parts.push(part);
  }
  return parts;
}

/**
 * One-thread processes enriching `files` at once, one file each, started
 * together once all are loaded. With `files` the shares of one input, it is
 * the most that as many threads could do with that input on this machine:
 * each process has its own memory, compiler and collector, and nothing to
 * wait for or hand over. The rate is all their rows over the time from the
 * first start to the last end.
 */
async function measureProcesses(mode, files) {
  const children = files.map((file) =>
    spawn(
      process.execPath,
      [fileURLToPath(import.meta.url), '--child-synced', mode, file, '1'],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    ),
  );
  const outputs = children.map((c) => {
    let out = '';
    let err = '';
    c.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    c.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    const ready = new Promise((resolve, reject) => {
      const check = () => {
        if (out.startsWith('ready\n')) resolve();
      };
      c.stdout.on('data', check);
      c.once('exit', () =>
        reject(new Error(`${mode} process failed:\n${err}`)),
      );
    });
    const done = new Promise((resolve, reject) =>
      c.once('exit', (code) =>
        code === 0
          ? resolve(JSON.parse(out.slice('ready\n'.length)))
          : reject(new Error(`${mode} process failed:\n${err}`)),
      ),
    );
    done.catch(() => undefined); // awaited below, after every process is ready
    return { ready, done };
  });
  await Promise.all(outputs.map((o) => o.ready));
  for (const c of children) c.stdin.end('go\n');
  const ms = await Promise.all(outputs.map((o) => o.done));
  const rows = ms.reduce((n, m) => n + m.rows, 0);
  const seconds =
    (Math.max(...ms.map((m) => m.endAt)) -
      Math.min(...ms.map((m) => m.startAt))) /
    1000;
  return {
    rows,
    seconds,
    rate: rows / seconds,
    cpuSeconds: ms.reduce((n, m) => n + m.cpuSeconds, 0),
    maxRssMb: Math.max(...ms.map((m) => m.maxRssMb)),
  };
}

async function main() {
  if (process.argv[2] === '--child' || process.argv[2] === '--child-synced') {
    await child(
      process.argv[3],
      process.argv[4],
      Number(process.argv[5]),
      process.argv[2] === '--child-synced',
    );
    return;
  }
  if (!existsSync(DIST))
    throw new Error(`${DIST} not found: run \`npm run build\` first`);
  const rows = Number(arg('rows', '1000000'));
  const logLines = Number(arg('log-lines', '1000000'));
  const threads = Math.min(availableParallelism(), 8);
  const dir = await mkdtemp(join(tmpdir(), 'rirmap-bench-'));
  try {
    process.stderr.write(
      `generating ${rows} CSV rows and ~${logLines} log lines in ${dir}\n`,
    );
    const data = await generate(dir, rows, logLines);
    const fmt = (n) => Math.round(n).toLocaleString('en-US');
    const results = [];
    const run = (label, mode, file, t) => {
      process.stderr.write(`${label}...\n`);
      const m = measure(mode, file, t);
      results.push({ label, ...m });
      return m;
    };
    const base = run(
      'csv-parse → csv-stringify (baseline)',
      'baseline',
      data.csv,
    );
    const csv1 = run('enrich CSV, 1 thread', 'csv', data.csv, 1);
    const csvN = run(
      `enrich CSV, ${threads} threads`,
      'csv',
      data.csv,
      threads,
    );
    const log1 = run('enrich log (jsonl), 1 thread', 'log', data.log, 1);
    const logN = run(
      `enrich log (jsonl), ${threads} threads`,
      'log',
      data.log,
      threads,
    );
    // The machine's own ceiling for N threads: the input cut in N, and N
    // one-thread processes, one per share, at once.
    const shares =
      threads > 1
        ? {
            csv: await splitFile(data.csv, threads, true),
            log: await splitFile(data.log, threads, false),
          }
        : null;
    const runProcesses = async (name, mode) => {
      if (shares === null) return null;
      const label = `enrich ${name} cut in ${threads}, ${threads} one-thread processes at once`;
      process.stderr.write(`${label}...\n`);
      const m = await measureProcesses(mode, shares[mode]);
      results.push({ label, ...m });
      return m;
    };
    const csvP = await runProcesses('CSV', 'csv');
    const logP = await runProcesses('log', 'log');
    const big = arg('big', null);
    let bigRatio = null;
    if (big !== null) {
      process.stderr.write(`writing a ${big} GB flow CSV...\n`);
      const path = await bigFile(dir, Number(big));
      const big1 = run(`enrich a ${big} GB CSV file, 1 thread`, 'csv', path, 1);
      if (threads > 1)
        bigRatio =
          run(
            `enrich a ${big} GB CSV file, ${threads} threads`,
            'csv',
            path,
            threads,
          ).rate / big1.rate;
    }
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    const ceiling = (r) =>
      Math.min(
        threads,
        availableParallelism() / (r.cpuSeconds / r.seconds),
      ).toFixed(2);
    const lines = [
      `Node ${process.version}, ${cpu}, ${availableParallelism()} cores`,
      '',
      '| run | rows | rows/s | CPUs busy | peak RSS |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...results.map(
        (r) =>
          `| ${r.label} | ${fmt(r.rows)} | ${fmt(r.rate)} | ${r.cpuSeconds === undefined ? '' : (r.cpuSeconds / r.seconds).toFixed(2)} | ${Math.round(r.maxRssMb)} MB |`,
      ),
      '',
      `CSV, 1 thread / baseline: ${(csv1.rate / base.rate).toFixed(2)}x (target >= 3)`,
      `CSV, ${threads} threads / 1 thread: ${(csvN.rate / csv1.rate).toFixed(2)}x (target >= 1.7 with 2)`,
      `log, 1 thread: ${fmt(log1.rate)} lines/s (target >= 1,000,000)`,
      `log, ${threads} threads / 1 thread: ${(logN.rate / log1.rate).toFixed(2)}x`,
      // One thread already keeps more than one CPU busy (the JIT compiler,
      // GC and file threads run beside it); more threads do at least the
      // same work, so on C cores they can be at most C / busy times faster.
      `ceiling of ${threads} threads / 1 thread on ${availableParallelism()} cores: CSV ${ceiling(csv1)}x, log ${ceiling(log1)}x`,
    ];
    if (bigRatio !== null)
      lines.push(
        `${big} GB CSV, ${threads} threads / 1 thread: ${bigRatio.toFixed(2)}x`,
      );
    if (csvP !== null && logP !== null)
      lines.push(
        // Measured: what the machine gives N independent processes.
        `input cut in ${threads}, ${threads} one-thread processes at once / 1 thread: CSV ${(csvP.rate / csv1.rate).toFixed(2)}x, log ${(logP.rate / log1.rate).toFixed(2)}x`,
      );
    const pairs = Number(arg('pairs', '0'));
    if (pairs > 0 && threads > 1) {
      const median = (xs) => {
        const v = [...xs].sort((a, b) => a - b);
        const m = v.length >> 1;
        return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
      };
      lines.push(
        '',
        `${pairs} rounds of one thread, ${threads} threads and ${threads} one-thread processes on the cut input, one after the other; ratios to the round's one thread:`,
      );
      for (const [label, mode, file] of [
        ['CSV', 'csv', data.csv],
        ['log', 'log', data.log],
      ]) {
        const ratios = [];
        const ceilings = [];
        for (let i = 0; i < pairs; i++) {
          process.stderr.write(`round ${i + 1} of ${pairs}, ${label}...\n`);
          const one = measure(mode, file, 1);
          const many = measure(mode, file, threads);
          const procs = await measureProcesses(mode, shares[mode]);
          ratios.push(many.rate / one.rate);
          ceilings.push(procs.rate / one.rate);
        }
        const list = (xs) => xs.map((r) => r.toFixed(2)).join(' ');
        lines.push(
          `${label}, ${threads} threads: ${list(ratios)} (median ${median(ratios).toFixed(2)}x)`,
          `${label}, ${threads} processes: ${list(ceilings)} (median ${median(ceilings).toFixed(2)}x)`,
        );
      }
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    if (!process.argv.includes('--keep'))
      await rm(dir, { recursive: true, force: true });
  }
}

await main();
