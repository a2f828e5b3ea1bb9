/** The range cache: scopes, most-specific match, exact policy, misses, bound. */

import { describe, expect, it } from 'vitest';
import {
  RdapRangeCache,
  type CachedNetwork,
} from '../../src/rdap/rdap-cache.js';
import { parseQueryIp, type IpValue } from '../../src/rdap/rdap-ip.js';
import type { RdapInfo } from '../../src/rdap/rdap-types.js';

function ip(text: string): IpValue {
  return parseQueryIp(text)!;
}

function entry(handle: string, at = 0): CachedNetwork {
  const info = { handle } as unknown as RdapInfo;
  return { info, cachedInfo: info, fetchedAtMs: at };
}

describe('RdapRangeCache', () => {
  it('answers every address of a non-CIDR network and nothing outside it', () => {
    const c = new RdapRangeCache({ max: 1000, policy: 'coverage' });
    // 196.11.239.0 - 196.11.246.255 (the AFRINIC range of the real response)
    c.setNetwork(
      's',
      ip('196.11.240.215'),
      ip('196.11.239.0'),
      ip('196.11.246.255'),
      entry('AF'),
    );
    for (const a of [
      '196.11.239.0',
      '196.11.240.1',
      '196.11.245.9',
      '196.11.246.255',
    ])
      expect(c.getNetwork('s', ip(a))?.info.handle, a).toBe('AF');
    for (const a of ['196.11.238.255', '196.11.247.0', '196.12.0.0'])
      expect(c.getNetwork('s', ip(a)), a).toBeUndefined();
  });

  it('keeps answers inside their scope', () => {
    const c = new RdapRangeCache({ max: 1000, policy: 'coverage' });
    c.setNetwork(
      'r1',
      ip('8.8.8.8'),
      ip('8.0.0.0'),
      ip('8.255.255.255'),
      entry('BIG'),
    );
    expect(c.getNetwork('r1', ip('8.1.1.1'))?.info.handle).toBe('BIG');
    expect(c.getNetwork('r2', ip('8.1.1.1'))).toBeUndefined();
  });

  it('returns the most specific network', () => {
    const c = new RdapRangeCache({ max: 1000, policy: 'coverage' });
    c.setNetwork(
      's',
      ip('8.8.8.8'),
      ip('8.0.0.0'),
      ip('8.255.255.255'),
      entry('PARENT'),
    );
    c.setNetwork(
      's',
      ip('8.8.8.8'),
      ip('8.8.8.0'),
      ip('8.8.8.255'),
      entry('CHILD'),
    );
    expect(c.getNetwork('s', ip('8.8.8.1'))?.info.handle).toBe('CHILD');
    expect(c.getNetwork('s', ip('8.8.9.1'))?.info.handle).toBe('PARENT');
  });

  it('handles IPv6 and keeps families apart', () => {
    const c = new RdapRangeCache({ max: 1000, policy: 'coverage' });
    c.setNetwork(
      's',
      ip('2620:119:35::35'),
      ip('2620:119::'),
      ip('2620:119:ff:ffff:ffff:ffff:ffff:ffff'),
      entry('V6'),
    );
    expect(c.getNetwork('s', ip('2620:119:ff::1'))?.info.handle).toBe('V6');
    expect(c.getNetwork('s', ip('2620:119:100::1'))).toBeUndefined();
    expect(c.getNetwork('s', ip('32.32.1.25'))).toBeUndefined();
  });

  it('with policy exact, covers only the /24 or /48 of the query', () => {
    const c = new RdapRangeCache({ max: 1000, policy: 'exact' });
    c.setNetwork(
      's',
      ip('64.10.1.1'),
      ip('64.10.0.0'),
      ip('64.10.255.255'),
      entry('P'),
    );
    expect(c.getNetwork('s', ip('64.10.1.200'))?.info.handle).toBe('P');
    expect(c.getNetwork('s', ip('64.10.2.1'))).toBeUndefined();
    c.setNetwork(
      's',
      ip('2a00::1'),
      ip('2a00::'),
      ip('2a00:ff:ffff:ffff:ffff:ffff:ffff:ffff'),
      entry('Q'),
    );
    expect(c.getNetwork('s', ip('2a00:0:0:ffff::1'))?.info.handle).toBe('Q');
    expect(c.getNetwork('s', ip('2a00:0:1::1'))).toBeUndefined();
  });

  it('keeps misses per /24 or /48 slice, apart from networks', () => {
    const c = new RdapRangeCache({ max: 1000, policy: 'coverage' });
    c.setMiss('s', ip('23.1.2.3'), 5);
    expect(c.getMiss('s', ip('23.1.2.250'))?.fetchedAtMs).toBe(5);
    expect(c.getMiss('s', ip('23.1.3.1'))).toBeUndefined();
    expect(c.getNetwork('s', ip('23.1.2.3'))).toBeUndefined();
    c.deleteMiss('s', ip('23.1.2.9'));
    expect(c.getMiss('s', ip('23.1.2.3'))).toBeUndefined();
  });

  it('is bounded', () => {
    const c = new RdapRangeCache({ max: 10, policy: 'coverage' });
    for (let k = 0; k < 50; k++) {
      const a = `45.${k}.0.0`;
      c.setNetwork('s', ip(a), ip(a), ip(`45.${k}.0.255`), entry(`N${k}`));
    }
    expect(c.size).toBe(10);
    expect(c.getNetwork('s', ip('45.49.0.1'))?.info.handle).toBe('N49');
    expect(c.getNetwork('s', ip('45.0.0.1'))).toBeUndefined();
  });
});
