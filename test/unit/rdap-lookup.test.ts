/** lookupWithRdap: which queries are sent to RDAP in each mode, and with what record. */

import { describe, expect, it } from 'vitest';
import {
  lookupAllWithRdap,
  lookupWithRdap,
} from '../../src/rdap/lookup-with-rdap.js';
import type { RdapInfo, RdapResolver } from '../../src/rdap/rdap-types.js';
import type {
  LookupError,
  LookupResult,
  RegistryRecord,
  Registry,
} from '../../src/types.js';
import { fakeRecord } from '../helpers/rdap-server.js';

const ARIN = fakeRecord('arin', '8.0.0.0', '8.255.255.255');

const ANSWERS: Record<string, LookupResult | LookupError> = {
  '8.8.8.8': { ...ARIN, query: '8.8.8.8' },
  '10.0.0.1': { query: '10.0.0.1', found: false, special: 'private' },
  '45.1.1.1': { query: '45.1.1.1', found: false },
  AS15169: {
    ...fakeRecord('arin', '15169', '15169'),
    type: 'asn',
    range: { start: 15169, end: 15169 },
    query: 'AS15169',
  },
  AS99999999: { query: 'AS99999999', found: false },
  nope: {
    query: 'nope',
    found: false,
    error: 'not an IP address or AS number',
    code: 'INPUT_INVALID_QUERY',
  },
};

const registry = { query: (q: string) => ANSWERS[q]! } as unknown as Registry;

function fakeResolver(): RdapResolver & {
  calls: [string, RegistryRecord | null][];
} {
  const calls: [string, RegistryRecord | null][] = [];
  return {
    calls,
    resolve: async (ip: string, record: RegistryRecord | null) => {
      calls.push([ip, record]);
      return { status: 'ok', handle: `H-${ip}` } as unknown as RdapInfo;
    },
    stats: () => ({ calls: 0, cached: 0, waiting: 0, failures: 0, hosts: {} }),
    close: async () => undefined,
  };
}

describe('lookupWithRdap', () => {
  it('off: never asks', async () => {
    const r = fakeResolver();
    for (const q of Object.keys(ANSWERS))
      expect((await lookupWithRdap(registry, r, q, 'off')).rdap).toBeNull();
    expect(await lookupWithRdap(registry, null, '8.8.8.8', 'off')).toEqual({
      ...ANSWERS['8.8.8.8'],
      rdap: null,
    });
    expect(r.calls).toEqual([]);
  });

  it('fallback: asks only for addresses no file answers, not special ones, not ASNs, not errors', async () => {
    const r = fakeResolver();
    const out = await lookupAllWithRdap(
      registry,
      r,
      Object.keys(ANSWERS),
      'fallback',
    );
    expect(out.map((x) => x.rdap?.handle ?? null)).toEqual([
      null,
      null,
      'H-45.1.1.1',
      null,
      null,
      null,
    ]);
    expect(r.calls).toEqual([['45.1.1.1', null]]);
    expect(out[0]).toEqual({ ...ANSWERS['8.8.8.8'], rdap: null });
  });

  it('always: also asks for found addresses, with their record', async () => {
    const r = fakeResolver();
    const out = await lookupAllWithRdap(
      registry,
      r,
      Object.keys(ANSWERS),
      'always',
    );
    expect(out.map((x) => x.rdap?.handle ?? null)).toEqual([
      'H-8.8.8.8',
      null,
      'H-45.1.1.1',
      null,
      null,
      null,
    ]);
    expect(r.calls.map(([ip, rec]) => [ip, rec?.rir ?? null])).toEqual([
      ['8.8.8.8', 'arin'],
      ['45.1.1.1', null],
    ]);
    expect(out.map((x) => x.query)).toEqual(Object.keys(ANSWERS));
  });

  it('checks its arguments', async () => {
    await expect(
      lookupWithRdap(registry, null, '8.8.8.8', 'always'),
    ).rejects.toThrow('`resolver`');
    await expect(
      lookupWithRdap(registry, fakeResolver(), '8.8.8.8', 'sometimes' as never),
    ).rejects.toThrow('`mode`');
  });
});
