import { describe, expect, it } from 'vitest';
import { csvStyle } from '../../src/formats/csv.js';

describe('added CSV cells', () => {
  it('neutralises RDAP text a spreadsheet would run, unless --raw-csv', () => {
    const safe = csvStyle(',', '"', 3);
    expect(safe.rdap(['=HYPERLINK("x")', 'ACME, Inc.', '-1'])).toBe(
      ',"\'=HYPERLINK(""x"")","ACME, Inc.",\'-1',
    );
    const raw = csvStyle(',', '"', 3, true);
    expect(raw.rdap(['=HYPERLINK("x")', 'ACME, Inc.', '-1'])).toBe(
      ',"=HYPERLINK(""x"")","ACME, Inc.",-1',
    );
    expect(safe.rdap(null)).toBe(',,,');
  });
  it('quotes with the input dialect', () => {
    const semi = csvStyle(';', "'", 1);
    expect(semi.head(['apnic', 'a;b'], 'found')).toBe(";apnic;'a;b'");
    expect(semi.rdap(["it's"])).toBe(";'it''s'");
  });
});

describe('the RDAP part of the enrich progress line', () => {
  it('shows calls, cache hits, waiting queries and per-host pacing', async () => {
    const { formatRdapProgress } =
      await import('../../src/cli/commands/enrich.js');
    expect(
      formatRdapProgress({
        calls: 12,
        cached: 340,
        waiting: 5,
        failures: 0,
        hosts: {
          'rdap.lacnic.net': { calls: 10, perMinute: 10, open: false },
          'rdap.arin.net': { calls: 2, perMinute: 60, open: true },
        },
      }),
    ).toBe(
      ' | rdap 12 calls, 340 cached, 5 waiting | rdap.lacnic.net 10 @10/min, rdap.arin.net 2 @60/min (paused)',
    );
  });
});
