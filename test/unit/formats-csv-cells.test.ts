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
    expect(semi.head(['apnic', 'a;b'])).toBe(";apnic;'a;b'");
    expect(semi.rdap(["it's"])).toBe(";'it''s'");
  });
});
