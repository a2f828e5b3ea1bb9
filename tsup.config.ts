import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm'],
    target: 'node20',
    clean: true,
    sourcemap: true,
    dts: true,
    minify: false,
  },
  {
    entry: {
      cli: 'src/cli/bin.ts',
      'enrich-worker': 'src/enrich/worker-entry.ts',
    },
    format: ['esm'],
    target: 'node20',
    sourcemap: true,
    dts: false,
    minify: false,
  },
]);
