#!/usr/bin/env node
// npm run bench: every benchmark in turn, against the built package (dist/).
// Each prints its own figures and ratios against baselines measured in the
// same run. Pass names to run only some: npm run bench -- lookup snapshot
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
if (!existsSync(join(here, '..', '..', 'dist', 'index.js'))) {
  console.error('bench: build first (npm run build)');
  process.exit(2);
}
const ORDER = ['lookup', 'snapshot', 'enrich', 'rdap', 'export', 'report'];
const available = readdirSync(here)
  .filter(
    (f) =>
      f.endsWith('.mjs') &&
      !['run.mjs', 'generate-delegated.mjs', 'seeded.mjs'].includes(f) &&
      !f.startsWith('.'),
  )
  .map((f) => f.replace(/(\.bench)?\.mjs$/, ''));
const wanted =
  process.argv.slice(2).length > 0
    ? process.argv.slice(2)
    : ORDER.filter((n) => available.includes(n));
let failed = 0;
for (const name of wanted) {
  const file = readdirSync(here).find(
    (f) => f === `${name}.mjs` || f === `${name}.bench.mjs`,
  );
  if (file === undefined) {
    console.error(`bench: no benchmark named ${name}`);
    failed++;
    continue;
  }
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(process.execPath, [join(here, file)], {
    stdio: 'inherit',
  });
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
