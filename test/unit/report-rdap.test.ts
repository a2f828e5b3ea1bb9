import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RdapInfo, RdapResolver } from '../../src/rdap/rdap-types.js';
import { loadRegistry } from '../../src/registry/load-registry.js';
import { buildReport } from '../../src/report/build-report.js';
import type { RegistryRecord } from '../../src/types.js';

const FIXTURES = fileURLToPath(
  new URL('../../fixtures/registry/', import.meta.url),
);

function info(over: Partial<RdapInfo>): RdapInfo {
  return {
    status: 'ok',
    handle: null,
    name: null,
    type: null,
    country: null,
    start: null,
    end: null,
    cidrs: [],
    org: null,
    abuseEmail: null,
    registered: null,
    lastChanged: null,
    parentHandle: null,
    server: null,
    fetchedAt: '2024-01-01T00:00:00Z',
    ...over,
  };
}

/** A resolver answering from a table, recording what it was asked. */
function fakeResolver(): RdapResolver & { asked: [string, string | null][] } {
  const asked: [string, string | null][] = [];
  return {
    asked,
    async resolve(
      ip: string,
      record: RegistryRecord | null,
    ): Promise<RdapInfo> {
      asked.push([ip, record?.rir ?? null]);
      if (ip === '45.0.0.1')
        return info({
          handle: 'NET-45',
          name: 'UNLISTED-NET',
          org: 'Somebody',
          abuseEmail: 'abuse@somebody.example',
        });
      if (ip === '45.0.0.2') return info({ status: 'rate-limited' });
      return info({
        handle: `H-${ip}`,
        name: `NET-${record?.country ?? 'X'}`,
        org: 'Org',
        abuseEmail: 'abuse@org.example',
      });
    },
    stats: () => ({
      calls: asked.length,
      cached: 0,
      waiting: 0,
      failures: 0,
      hosts: {},
    }),
    close: async () => undefined,
  };
}

const LOG = [
  'a 1.0.0.9 x',
  'b 1.0.0.9 y',
  'c 1.0.64.7 z',
  'd 45.0.0.1',
  'e 45.0.0.2',
  'f 10.0.0.1',
].join('\n');

describe('RDAP in a report', () => {
  it('fallback: asks only about addresses the data does not answer for', async () => {
    const registry = await loadRegistry({ data: [FIXTURES] });
    const resolver = fakeResolver();
    const r = await buildReport([LOG], {
      registry,
      rdap: { resolver, mode: 'fallback' },
    });
    expect(resolver.asked.map(([ip]) => ip).sort()).toEqual([
      '45.0.0.1',
      '45.0.0.2',
    ]);
    expect(r.unallocated.rdap).toEqual([
      {
        handle: 'NET-45',
        name: 'UNLISTED-NET',
        org: 'Somebody',
        abuseEmail: 'abuse@somebody.example',
        country: null,
        start: null,
        end: null,
      },
    ]);
    expect(r.manifest.rdap).toBe('fallback');
    expect(r.warnings.some((w) => /rate-limited 1/.test(w))).toBe(true);
  });

  it('always: also the most seen address of each block, never special ones', async () => {
    const registry = await loadRegistry({ data: [FIXTURES] });
    const resolver = fakeResolver();
    const r = await buildReport([LOG], {
      registry,
      rdap: { resolver, mode: 'always' },
    });
    expect(resolver.asked.sort()).toEqual([
      ['1.0.0.9', 'apnic'],
      ['1.0.64.7', 'apnic'],
      ['45.0.0.1', null],
      ['45.0.0.2', null],
    ]);
    const blocks = r.registries.flatMap((g) =>
      g.countries.flatMap((c) => c.holders.flatMap((h) => h.blocks)),
    );
    expect(blocks.map((b) => b.rdap.map((n) => n.name))).toEqual([
      ['NET-AU'],
      ['NET-JP'],
    ]);
    // No clock in the report: fetchedAt is not kept.
    expect(JSON.stringify(r)).not.toContain('2024-01-01T00:00:00Z');
  });
});
