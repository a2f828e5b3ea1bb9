import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIpv4, formatIpv6 } from '../../src/ip/format-ip.js';
import {
  isValidIp,
  parseAsnText,
  parseIp,
  parseIpv4,
  parseIpv6,
} from '../../src/ip/parse-ip.js';
import {
  ipv4RangeToCidrs,
  ipv6RangeToCidrs,
} from '../../src/ip/range-to-prefixes.js';
import { specialIpv4, specialIpv6 } from '../../src/ip/special.js';

/** Independent IPv6 reference parser: split-based, BigInt. */
function refV6(s: string): bigint | null {
  // A dotted IPv4 tail follows the last colon; that colon ends a group
  // separator, or the second half of a '::' (as in '::1.2.3.4').
  let text = s;
  let tail: number[] = [];
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4 !== null) {
    const o = v4[2]!.split('.').map(Number);
    if (o.some((x) => x > 255)) return null;
    tail = [(o[0]! << 8) | o[1]!, (o[2]! << 8) | o[3]!];
    text = v4[1]!;
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  if (!/^[0-9a-f:]*$/i.test(text)) return null;
  const parts = text.split('::');
  if (parts.length > 2) return null;
  const toGroups = (x: string) => (x === '' ? [] : x.split(':'));
  const head = toGroups(parts[0]!);
  const rest = parts.length === 2 ? toGroups(parts[1]!) : [];
  if ([...head, ...rest].some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return null;
  const given = head.length + rest.length + tail.length;
  if (parts.length === 1 && given !== 8) return null;
  if (parts.length === 2 && given > 7) return null;
  const groups = [
    ...head.map((g) => parseInt(g, 16)),
    ...(parts.length === 2 ? Array(8 - given).fill(0) : []),
    ...rest.map((g) => parseInt(g, 16)),
    ...tail,
  ];
  return groups.reduce((a: bigint, g: number) => (a << 16n) | BigInt(g), 0n);
}

function wordsOf(s: string): bigint | null {
  const w = new Uint32Array(4);
  if (!parseIpv6(s, w)) return null;
  return (
    (BigInt(w[0]!) << 96n) |
    (BigInt(w[1]!) << 64n) |
    (BigInt(w[2]!) << 32n) |
    BigInt(w[3]!)
  );
}

const big128 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
function toWords(v: bigint): number[] {
  return [96n, 64n, 32n, 0n].map((s) => Number((v >> s) & 0xffffffffn));
}

describe('IPv4 parsing', () => {
  it('round-trips every uint32', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        expect(parseIpv4(formatIpv4(n))).toBe(n);
      }),
      { numRuns: 20000 },
    );
  });
  it('agrees with a reference validator on random text', () => {
    const ref = (s: string) => {
      const p = s.split('.');
      if (
        p.length !== 4 ||
        p.some((x) => !/^\d{1,3}$/.test(x) || Number(x) > 255)
      )
        return -1;
      return p.reduce((a, x) => a * 256 + Number(x), 0);
    };
    const chars = fc.constantFrom(
      ...'0123456789.'.split(''),
      '9',
      '.',
      'a',
      ':',
      ' ',
    );
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 17 }), (s) => {
        expect(parseIpv4(s)).toBe(ref(s));
      }),
      { numRuns: 50000 },
    );
  });
  it('reads leading zeros as decimal and rejects malformed text', () => {
    expect(parseIpv4('074.125.000.001')).toBe(parseIpv4('74.125.0.1'));
    for (const bad of [
      '',
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '1..2.3',
      '1.2.3.4 ',
      '0001.2.3.4',
      '-1.2.3.4',
    ])
      expect(parseIpv4(bad)).toBe(-1);
  });
  it('parses a slice without a substring', () => {
    expect(parseIpv4('from 1.2.3.4 port', 5, 12)).toBe(0x01020304);
  });
});

describe('IPv6 parsing', () => {
  it('round-trips canonical and expanded text of random addresses', () => {
    fc.assert(
      fc.property(big128, (v) => {
        const w = toWords(v);
        const canonical = formatIpv6(w);
        expect(wordsOf(canonical)).toBe(v);
        const expanded = w
          .flatMap((x) => [
            (x >>> 16).toString(16).padStart(4, '0'),
            (x & 0xffff).toString(16).padStart(4, '0'),
          ])
          .join(':');
        expect(wordsOf(expanded.toUpperCase())).toBe(v);
        expect(refV6(canonical)).toBe(v);
      }),
      { numRuns: 20000 },
    );
  });
  it('round-trips addresses with long zero runs', () => {
    const sparse = fc.array(
      fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })),
      { minLength: 8, maxLength: 8 },
    );
    fc.assert(
      fc.property(sparse, (g) => {
        const v = g.reduce(
          (a: bigint, x: number) => (a << 16n) | BigInt(x),
          0n,
        );
        const text = formatIpv6(toWords(v));
        expect(wordsOf(text)).toBe(v);
        expect(text.includes(':::')).toBe(false);
      }),
      { numRuns: 20000 },
    );
  });
  it('agrees with a reference parser on random text', () => {
    // Cases random text once found the reference parser wrong on.
    for (const s of [
      '::0.0.0.0',
      '::1.2.3.4',
      'a::1.2.3.4',
      '1:2:3:4:5:6:1.2.3.4',
    ])
      expect(wordsOf(s)).toBe(refV6(s));
    expect(refV6('::1.2.3.4')).toBe(0x01020304n);
    const chars = fc.constantFrom(
      ...'0123456789abcdef:.'.split(''),
      ':',
      ':',
      'f',
    );
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 40 }), (s) => {
        expect(wordsOf(s)).toBe(refV6(s));
      }),
      { numRuns: 50000 },
    );
  });
  it('agrees with a reference parser on eight-group text and its near misses', () => {
    // The uncompressed form has its own fast path: feed it groups of zero to
    // five digits, mixed case, extra or missing groups and stray characters.
    const group = fc.string({
      unit: fc.constantFrom(...'0123456789abcdefABCDEF'.split('')),
      minLength: 0,
      maxLength: 5,
    });
    const text = fc
      .tuple(
        fc.array(group, { minLength: 7, maxLength: 9 }),
        fc.constantFrom('', '', '', ':', '%eth0', 'g', 'é', '.1'),
        fc.constantFrom('', '', '', ' ', 'z'),
      )
      .map(([g, tail, head]) => head + g.join(':') + tail);
    fc.assert(
      fc.property(text, (s) => {
        const ref = refV6(s.replace(/%eth0$/, ''));
        expect(wordsOf(s)).toBe(ref);
      }),
      { numRuns: 50000 },
    );
    const w = new Uint32Array(4);
    const line = 'src=2001:DB8:0:1:2:3:4:5, port 22';
    expect(parseIpv6(line, w, 4, 24)).toBe(true);
    expect([...w]).toEqual([0x20010db8, 0x1, 0x20003, 0x40005]);
    expect(parseIpv6(line, w, 4, 25)).toBe(false);
  });
  it('follows RFC 5952 when formatting', () => {
    expect(formatIpv6(toWords(refV6('2001:db8:0:0:1:0:0:1')!))).toBe(
      '2001:db8::1:0:0:1',
    );
    expect(formatIpv6(toWords(refV6('2001:db8:0:1:1:1:1:1')!))).toBe(
      '2001:db8:0:1:1:1:1:1',
    );
    expect(formatIpv6([0, 0, 0, 0])).toBe('::');
    expect(formatIpv6([0, 0, 0, 1])).toBe('::1');
  });
  it('accepts zone ids and embedded IPv4, rejects malformed text', () => {
    expect(wordsOf('fe80::1%eth0')).toBe(refV6('fe80::1'));
    expect(wordsOf('::ffff:1.2.3.4')).toBe(0xffff01020304n);
    for (const bad of [
      '',
      ':',
      ':::',
      '1::2::3',
      '12345::',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7',
      'fe80::1%',
      'g::1',
      '1:2:3:4:5:6:7:8::',
    ])
      expect(wordsOf(bad)).toBeNull();
  });
});

describe('parseIp / isValidIp / parseAsnText', () => {
  it('folds IPv4-mapped IPv6 and throws typed errors', () => {
    expect(parseIp('::ffff:8.8.8.8')).toEqual({ family: 4, value: 0x08080808 });
    expect(parseIp('2001:db8::1').family).toBe(6);
    expect(() => parseIp('nope')).toThrow(
      expect.objectContaining({ code: 'INPUT_INVALID_IP' }),
    );
    expect(isValidIp('1.2.3.4')).toBe(true);
    expect(isValidIp('1.2.3')).toBe(false);
  });
  it('parses AS numbers in plain, AS-prefixed and asdot forms', () => {
    expect(parseAsnText('13335')).toBe(13335);
    expect(parseAsnText('AS13335')).toBe(13335);
    expect(parseAsnText('as4294967295')).toBe(4294967295);
    expect(parseAsnText('1.10')).toBe(65546);
    for (const bad of ['', 'AS', '4294967296', 'AS-1', '1.2.3', '65536.1'])
      expect(parseAsnText(bad)).toBe(-1);
  });
});

describe('range to CIDR cover', () => {
  it('handles counts that are not powers of two or not aligned', () => {
    // Worked examples from the reference (A4).
    expect(
      ipv4RangeToCidrs(parseIpv4('10.0.0.1'), parseIpv4('10.0.0.1') + 5),
    ).toEqual(['10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/31', '10.0.0.6/32']);
    expect(ipv4RangeToCidrs(1, 0xffffffff)).toHaveLength(32);
    expect(
      ipv4RangeToCidrs(
        parseIpv4('87.116.83.0'),
        parseIpv4('87.116.83.0') + 2303,
      ),
    ).toEqual(['87.116.83.0/24', '87.116.84.0/22', '87.116.88.0/22']);
    expect(
      ipv4RangeToCidrs(
        parseIpv4('64.112.29.0'),
        parseIpv4('64.112.29.0') + 511,
      ),
    ).toEqual(['64.112.29.0/24', '64.112.30.0/24']);
    expect(ipv4RangeToCidrs(0, 0xffffffff)).toEqual(['0.0.0.0/0']);
    expect(ipv6RangeToCidrs(0n, (1n << 128n) - 1n)).toEqual(['::/0']);
  });
  it('covers a random range exactly, with aligned blocks', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 1, max: 2 ** 24 }),
        (start, count) => {
          const end = Math.min(0xffffffff, start + count - 1);
          const cidrs = ipv4RangeToCidrs(start, end);
          let cur = start;
          for (const c of cidrs) {
            const [a, l] = c.split('/');
            const s = parseIpv4(a!);
            const size = 2 ** (32 - Number(l));
            expect(s).toBe(cur);
            expect(s % size).toBe(0);
            cur += size;
          }
          expect(cur).toBe(end + 1);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('special-purpose addresses', () => {
  it('names the IANA special-purpose blocks', () => {
    const v4 = (s: string) => specialIpv4(parseIpv4(s));
    expect(v4('10.1.2.3')).toBe('private');
    expect(v4('172.31.255.255')).toBe('private');
    expect(v4('172.32.0.0')).toBeNull();
    expect(v4('100.64.0.1')).toBe('shared-address-space');
    expect(v4('100.128.0.0')).toBeNull();
    expect(v4('169.254.1.1')).toBe('link-local');
    expect(v4('192.0.2.7')).toBe('documentation');
    expect(v4('224.0.0.1')).toBe('multicast');
    expect(v4('255.255.255.255')).toBe('broadcast');
    expect(v4('8.8.8.8')).toBeNull();
    const v6 = (s: string) => {
      const w = new Uint32Array(4);
      parseIpv6(s, w);
      return specialIpv6(w);
    };
    expect(v6('fe80::1')).toBe('link-local');
    expect(v6('fd00::1')).toBe('unique-local');
    expect(v6('ff02::1')).toBe('multicast');
    expect(v6('2001:db8:1::')).toBe('documentation');
    expect(v6('::1')).toBe('loopback');
    expect(v6('2001:4860::1')).toBeNull();
    expect(v6('2a00::1')).toBeNull();
  });
});
