#!/usr/bin/env node
// Snapshot benchmark (issue: registry data you can trust). Load time and RSS
// from the text files versus from the compiled snapshot, for the newest shared
// file per registry and for a generated full-size 800,000-record set. Each
// load runs in a fresh child process (median of 3); RSS is measured above the
// child's own RSS before rirmap is imported.
//
//   node test/bench/snapshot.mjs [--data DIR] [--total 800000]

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const dist = join(root, 'dist', 'index.js');
const { values } = parseArgs({
  options: {
    data: {
      type: 'string',
      default: join(root, '..', 'shared', 'data', 'rir'),
    },
    total: { type: 'string', default: '800000' },
  },
});

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function child(option) {
  const script = `
    const base = process.memoryUsage().rss;
    const { loadRegistry } = await import(${JSON.stringify(dist)});
    const t = performance.now();
    const r = await loadRegistry(${JSON.stringify(option)});
    const ms = performance.now() - t;
    if (r.lookup('1.1.1.1') === undefined) throw new Error('unreachable');
    console.log(JSON.stringify({ ms, records: r.size, rss: process.memoryUsage().rss - base }));`;
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
  return {
    ms: median(runs.map((r) => r.ms)),
    rssMB: median(runs.map((r) => r.rss)) / 2 ** 20,
    records: runs[0].records,
  };
}

async function compare(label, dataDir) {
  const { loadRegistry, writeSnapshotFile } = await import(dist);
  const snap = join(
    mkdtempSync(join(tmpdir(), 'rirmap-snap-')),
    'registry.rirmap',
  );
  try {
    await writeSnapshotFile(
      await loadRegistry({ data: [dataDir] }),
      snap,
      'bench',
    );
    const text = child({ data: [dataDir] });
    const bin = child({ snapshot: snap });
    const size = statSync(snap).size / 2 ** 20;
    console.log(`${label}: ${text.records} records`);
    console.log(
      `  text files: ${text.ms.toFixed(0)} ms, RSS +${text.rssMB.toFixed(0)} MB`,
    );
    console.log(
      `  snapshot:   ${bin.ms.toFixed(1)} ms, RSS +${bin.rssMB.toFixed(0)} MB, file ${size.toFixed(1)} MiB`,
    );
    console.log(
      `  snapshot is ${(text.ms / bin.ms).toFixed(0)}x faster to load`,
    );
    return { text, bin, size };
  } finally {
    rmSync(dirname(snap), { recursive: true, force: true });
  }
}

console.log(`rirmap snapshot benchmark — Node ${process.version}`);
await compare('newest shared file per registry', values.data);
const gen = mkdtempSync(join(tmpdir(), 'rirmap-gen-'));
try {
  const { generate } = await import(join(here, 'generate-delegated.mjs'));
  await generate(gen, Number(values.total), 1);
  const r = await compare(`generated full-size set`, gen);
  console.log(
    `  targets: snapshot < 50 ms [${r.bin.ms < 50 ? 'met' : 'NOT met'}], < 80 MB RSS [${r.bin.rssMB < 80 ? 'met' : 'NOT met'}], >= 20x [${r.text.ms / r.bin.ms >= 20 ? 'met' : 'NOT met'}]`,
  );
} finally {
  rmSync(gen, { recursive: true, force: true });
}
