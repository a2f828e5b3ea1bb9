/**
 * Golden files: excerpts of the real shared logs (fixtures/enrich/golden/input),
 * a registry of real delegated lines covering their addresses
 * (fixtures/enrich/golden/registry), and the expected outputs
 * (fixtures/enrich/golden/expected) written by make-golden.py, a separate
 * Python implementation that shares no code with src/. Byte for byte.
 */

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRegistry } from '../../src/registry/load-registry.js';
import type { Registry } from '../../src/types.js';
import type { EnrichOptions } from '../../src/enrich/enrich-options.js';
import { chunked, enrichBytes } from '../unit/enrich-helpers.js';

const golden = (p: string) =>
  fileURLToPath(new URL(`../../fixtures/enrich/golden/${p}`, import.meta.url));

let registry: Registry;
beforeAll(async () => {
  registry = await loadRegistry({ data: [golden('registry')] });
});

const CASES: [string, string, Omit<EnrichOptions, 'registry'>][] = [
  ['ufw-flows.csv', 'ufw-flows.enriched.csv', {}],
  ['ufw-flows.tsv', 'ufw-flows.enriched.tsv', { fields: 'rir,country,cidr' }],
  ['openssh.log', 'openssh.enriched.jsonl', {}],
  ['apache-access.log', 'apache-access.enriched.jsonl', {}],
  ['ufw.log', 'ufw.inline.log', { annotate: 'inline' }],
  ['cowrie.jsonl', 'cowrie.enriched.jsonl', {}],
  [
    'suricata.jsonl',
    'suricata.enriched.jsonl',
    { columns: ['src_ip', 'dest_ip'], fields: 'rir,special' },
  ],
  ['zeek-conn.log', 'zeek-conn.enriched.log', {}],
];

describe('golden files (auto-detected formats)', () => {
  it.each(CASES)('%s → %s', async (input, expected, options) => {
    const bytes = await readFile(golden(`input/${input}`));
    const want = await readFile(golden(`expected/${expected}`));
    const { bytes: got, summary } = await enrichBytes(bytes, {
      registry,
      ...options,
    });
    expect(got.toString('latin1')).toBe(want.toString('latin1'));
    // Small chunks and segments give the same bytes.
    const split = await enrichBytes(chunked(bytes, 113), {
      registry,
      segmentBytes: 1024,
      ...options,
    });
    expect(split.bytes.equals(want)).toBe(true);
    // One output row per input row.
    const inLines = bytes
      .toString('latin1')
      .split('\n')
      .filter((l) => l !== '').length;
    const outLines = want
      .toString('latin1')
      .split('\n')
      .filter((l) => l !== '').length;
    expect(outLines).toBe(inLines);
    expect(summary.rows + summary.controlLines + summary.blankLines).toBe(
      inLines,
    );
  });

  it('CSV: the input columns of the output are the input, byte for byte', async () => {
    const input = (
      await readFile(golden('input/ufw-flows.csv'), 'latin1')
    ).split('\n');
    const output = (
      await readFile(golden('expected/ufw-flows.enriched.csv'), 'latin1')
    ).split('\n');
    input.forEach((line, i) => {
      expect(output[i]!.startsWith(line)).toBe(true);
      expect(output[i]!.slice(line.length).split(',')).toHaveLength(
        line === '' ? 1 : 11,
      );
    });
  });
});
