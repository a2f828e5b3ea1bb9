import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../../src/registry/load-registry.js';

const RIR = fileURLToPath(
  new URL('../../../shared/data/rir/', import.meta.url),
);

// Expected values come from the raw lines, read with zcat and checked by hand:
//   arin|US|ipv4|23.32.0.0|2359296|20110516|allocated      (36 x /16: 23.32.0.0-23.67.255.255)
//   arin|US|asn|3|1|00000000|allocated
//   ripencc|UA|ipv4|46.175.64.0|6144|20110208|assigned      (46.175.64.0-46.175.87.255)
//   afrinic|ZA|ipv4|164.146.0.0|393216|19930312|allocated|F363E51A (6 x /16)
//   afrinic|DZ|ipv6|2c0f:f000::|32|20170217|allocated|F363DDF3
//   lacnic|VE|ipv4|200.1.0.0|1024|19930513|allocated|28
//   apnic|JP|ipv4|1.0.16.0|4096|20110412|allocated|A92D9378   (extended 2016-02-25)
describe('the shared registry files', async () => {
  const registry = await loadRegistry({ data: [RIR] });

  it('a directory loads the newest file of each registry', () => {
    expect(registry.sources.map((s) => s.file).sort()).toEqual([
      'delegated-afrinic-extended-20260505',
      'delegated-apnic-20190912',
      'delegated-arin-20130813',
      'delegated-iana-20170730',
      'delegated-lacnic-extended-20230323',
      'delegated-ripencc-20140520',
    ]);
    // Record counts from SOURCES.md.
    const byFile = Object.fromEntries(
      registry.sources.map((s) => [s.file, s.records]),
    );
    expect(byFile).toEqual({
      'delegated-afrinic-extended-20260505': 19286,
      'delegated-apnic-20190912': 62210,
      'delegated-arin-20130813': 72419,
      'delegated-iana-20170730': 2804,
      'delegated-lacnic-extended-20230323': 86237,
      'delegated-ripencc-20140520': 85536,
    });
    expect(registry.size).toBe(19286 + 62210 + 72419 + 2804 + 86237 + 85536);
    // sha256 of the stored .gz bytes, from SOURCES.md.
    expect(registry.sources.find((s) => s.registry === 'arin')!.sha256).toBe(
      '0566b9da39cc98d8fa567121a32c6cbd51ad062affff841d86c6674478ebfa27',
    );
  });

  it('answers non-CIDR ARIN ranges exactly', () => {
    const r = registry.lookup('23.67.255.255');
    expect(r).toMatchObject({
      rir: 'arin',
      country: 'US',
      date: '2011-05-16',
      status: 'allocated',
    });
    expect(r!.range).toEqual({
      start: '23.32.0.0',
      end: '23.67.255.255',
      cidrs: ['23.32.0.0/11', '23.64.0.0/14'],
    });
    expect(registry.lookup('23.68.0.0')?.range.start).not.toBe('23.32.0.0');
  });

  it('answers RIPE NCC, AFRINIC, LACNIC records and ASNs', () => {
    expect(registry.lookup('46.175.87.255')).toMatchObject({
      rir: 'ripencc',
      country: 'UA',
      status: 'assigned',
      range: {
        start: '46.175.64.0',
        end: '46.175.87.255',
        cidrs: ['46.175.64.0/20', '46.175.80.0/21'],
      },
    });
    expect(registry.lookup('164.151.255.255')).toMatchObject({
      rir: 'afrinic',
      holder: 'F363E51A',
      range: { cidrs: ['164.146.0.0/15', '164.148.0.0/14'] },
    });
    expect(registry.lookup('2c0f:f000::1')).toMatchObject({
      rir: 'afrinic',
      country: 'DZ',
      date: '2017-02-17',
      holder: 'F363DDF3',
      range: { start: '2c0f:f000::', cidrs: ['2c0f:f000::/32'] },
    });
    expect(registry.lookup('200.1.1.1')).toMatchObject({
      rir: 'lacnic',
      country: 'VE',
      holder: '28',
    });
    expect(registry.lookupAsn('AS3')).toMatchObject({
      rir: 'arin',
      country: 'US',
      date: null,
    });
    expect(registry.lookupAsn(13335)).toMatchObject({
      rir: 'arin',
      date: '2010-07-14',
    });
  });

  it('an explicitly named file is loaded even when older', async () => {
    const r = await loadRegistry({
      data: [`${RIR}delegated-apnic-extended-20160225.gz`],
    });
    expect(r.query('1.0.16.1')).toEqual({
      query: '1.0.16.1',
      found: true,
      type: 'ipv4',
      rir: 'apnic',
      country: 'JP',
      date: '2011-04-12',
      status: 'allocated',
      holder: 'A92D9378',
      range: { start: '1.0.16.0', end: '1.0.31.255', cidrs: ['1.0.16.0/20'] },
      source: {
        file: 'delegated-apnic-extended-20160225',
        registry: 'apnic',
        serial: '20160225',
        endDate: '2016-02-24',
        sha256:
          '10b768f2f16e3942dadfca865d3502d9d65d899f3e2bfb7cea50f88e24eb9bda',
      },
    });
  });

  it('two dates of one registry overlap everywhere: the later file wins, conflicts are counted', async () => {
    const r = await loadRegistry({
      data: [
        `${RIR}delegated-apnic-extended-20160131.gz`,
        `${RIR}delegated-apnic-extended-20160225.gz`,
      ],
    });
    expect(r.lookup('1.0.16.1')!.source.file).toBe(
      'delegated-apnic-extended-20160225',
    );
    const st = r.stats();
    // Every record of the older file that is still listed identically overlaps its twin.
    expect(st.conflicts).toBeGreaterThan(70000);
    expect(st.conflictsDisagreeing).toBeLessThan(st.conflicts);
  });

  it('refuses damaged files, and loads them with lenient reporting what was skipped', async () => {
    const bad = `${RIR}defective/delegated-afrinic-extended-latest.gz`;
    await expect(loadRegistry({ data: [bad] })).rejects.toMatchObject({
      name: 'DelegatedFileError',
    });
    const warnings: string[] = [];
    const r = await loadRegistry({
      data: [bad],
      lenient: true,
      onWarning: (w) => warnings.push(w.code),
    });
    expect(r.sources[0]!.warnings).toBeGreaterThan(0);
    expect(warnings.length).toBe(r.sources[0]!.warnings);
    expect(warnings).toContain('DELEGATED_COUNT_MISMATCH');
  });
});
