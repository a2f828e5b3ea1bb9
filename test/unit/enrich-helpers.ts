/**
 * Shared test helpers for the enrichment tests: the hand-written fixture
 * registry, a fake registry for cases no real file covers, and runners that
 * collect a run's output.
 */

import { fileURLToPath } from 'node:url';
import { loadRegistry } from '../../src/registry/load-registry.js';
import { enrichText } from '../../src/enrich/enrich-text.js';
import type { EnrichOptions } from '../../src/enrich/enrich-options.js';
import type { EnrichSummary } from '../../src/enrich/enrich-summary.js';
import {
  INVALID,
  NOT_FOUND,
  SPECIAL,
  type Registry,
  type RegistryRecord,
} from '../../src/types.js';
import { isValidIp } from '../../src/ip/parse-ip.js';

/** fixtures/enrich/registry: two small delegated files (see the files for every value). */
export const FIXTURE_REGISTRY_DIR = fileURLToPath(
  new URL('../../fixtures/enrich/registry', import.meta.url),
);

let cached: Promise<Registry> | undefined;
/** The registry loaded from the fixture files (once per test file). */
export function fixtureRegistry(): Promise<Registry> {
  cached ??= loadRegistry({ data: [FIXTURE_REGISTRY_DIR] });
  return cached;
}

/** Path of a shared data file, resolved from this directory. */
export function sharedPath(rel: string): string {
  return fileURLToPath(new URL(`../../../shared/data/${rel}`, import.meta.url));
}

/** Runs enrichText over a string or bytes and returns the output as bytes. */
export async function enrichBytes(
  input: string | Uint8Array | readonly (string | Uint8Array)[],
  options: EnrichOptions,
): Promise<{ bytes: Buffer; summary: EnrichSummary }> {
  const chunks =
    typeof input === 'string' || input instanceof Uint8Array ? [input] : input;
  const run = enrichText(
    chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c)),
    options,
  );
  const parts: Uint8Array[] = [];
  for await (const b of run) parts.push(b);
  return { bytes: Buffer.concat(parts), summary: run.summary! };
}

/** Same, output decoded as UTF-8. */
export async function enrichString(
  input: string | Uint8Array | readonly (string | Uint8Array)[],
  options: EnrichOptions,
): Promise<{ out: string; summary: EnrichSummary }> {
  const { bytes, summary } = await enrichBytes(input, options);
  return { out: bytes.toString('utf8'), summary };
}

/** Splits a buffer into chunks of `size` bytes (to test chunk boundaries). */
export function chunked(b: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
  return out;
}

/**
 * A fake registry over a fixed table (text address → record), for unit
 * tests that need answers no fixture file gives. Not shareable with workers.
 */
export function fakeRegistry(
  table: Readonly<Record<string, Partial<RegistryRecord>>>,
  special: Readonly<Record<string, string>> = {},
): Registry {
  const keys = Object.keys(table);
  const records: RegistryRecord[] = keys.map((k) => ({
    found: true,
    type: k.includes(':') ? 'ipv6' : 'ipv4',
    rir: 'apnic',
    country: null,
    date: null,
    status: 'allocated',
    holder: null,
    range: { start: k, end: k, cidrs: [`${k}/${k.includes(':') ? 128 : 32}`] },
    source: {
      file: 'fake',
      registry: 'apnic',
      serial: '1',
      endDate: null,
      startDate: null,
      version: '2',
      kind: 'standard',
      sha256: '',
      records: keys.length,
      warnings: 0,
    },
    ...table[k],
  }));
  const lookupId = (ip: string): number => {
    const i = keys.indexOf(ip);
    if (i >= 0) return i;
    if (special[ip] !== undefined) return SPECIAL;
    return isValidIp(ip) ? NOT_FOUND : INVALID;
  };
  return {
    sources: [],
    size: keys.length,
    lookup: (ip) => {
      const id = lookupId(ip);
      return id >= 0 ? records[id]! : null;
    },
    lookupAsn: () => null,
    query: (text) => ({ query: text, found: false }),
    lookupId,
    lookupIdIn: (s, from, to) => lookupId(s.slice(from, to)),
    record: (id) => records[id]!,
    special: (ip) => special[ip] ?? null,
    holder: () => [],
    conflicts: () => [],
    warnings: () => [],
    stats: () => {
      throw new Error('not in the fake');
    },
    intervals: function* () {
      // none
    },
  };
}
