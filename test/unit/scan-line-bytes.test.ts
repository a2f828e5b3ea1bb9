/**
 * scanLineBytes (the byte scanner of the jsonl log path) against the string
 * scanner it mirrors (scanAddresses, the reference rules), against
 * parseIpv4 for the values it hands over, and against a plain loop for the
 * characters JSON escapes.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LINE_ESCAPE,
  LINE_FULL,
  LINE_HIGH,
  MATCH_DEFANGED,
  MATCH_V6_CANDIDATE,
  isIpv6At,
  refang,
  scanAddresses,
  scanLineBytes,
} from '../../src/enrich/extract-addresses.js';
import { parseIpv4, parseIpv6 } from '../../src/ip/parse-ip.js';

interface Scan {
  readonly matches: [number, number, number][];
  readonly values: number[];
  readonly end: number;
  readonly flags: number;
  readonly escapes: number[];
}

/** Scans one ASCII line (no `\n`) laid out as the log path lays it: `\n` line `\n`. */
function scanBytes(line: string, quads = 256): Scan {
  const b = new Uint8Array(line.length + 8);
  b[0] = 10;
  for (let i = 0; i < line.length; i++) b[i + 1] = line.charCodeAt(i);
  b[line.length + 1] = 10;
  const out = new Int32Array(quads * 4);
  const info = new Int32Array(3);
  const escapes = new Int32Array(64);
  const n = scanLineBytes(b, 1, out, info, escapes);
  const matches: [number, number, number][] = [];
  const values: number[] = [];
  for (let k = 0; k < n; k++) {
    const [a, e, f, v] = [
      out[k * 4]!,
      out[k * 4 + 1]!,
      out[k * 4 + 2]!,
      out[k * 4 + 3]!,
    ];
    // IPv6 candidates are checked by the caller.
    if (f === MATCH_V6_CANDIDATE && !isIpv6At(line, a - 1, e - 1)) continue;
    matches.push([a - 1, e - 1, f]);
    values.push(v);
  }
  const ne = info[2]!;
  return {
    matches,
    values,
    end: info[0]! - 1,
    flags: info[1]!,
    escapes: [...escapes.subarray(0, Math.min(ne, 64))].map((i) => i - 1),
  };
}

function scanString(line: string): [number, number, number][] {
  const out = new Int32Array(3 * 4096);
  const n = scanAddresses(line, 0, line.length, out);
  return Array.from({ length: n }, (_, k) => [
    out[k * 3]!,
    out[k * 3 + 1]!,
    out[k * 3 + 2]!,
  ]);
}

/** What JSON escapes in a line, a `\r` ending it excepted. */
function escapesOf(line: string): number[] {
  const end = line.endsWith('\r') ? line.length - 1 : line.length;
  const at: number[] = [];
  for (let i = 0; i < end; i++) {
    const c = line.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92) at.push(i);
  }
  return at;
}

const TOKENS = [
  '1.0.16.1',
  '8.8.8.8:53',
  '10.1.2.3.',
  '192.168.0.1,',
  '83.149.9.216)',
  '1.2.3[.]4',
  '1[.]2[.]3[.]4:80',
  '255.255.255.255',
  '0.0.0.0/24',
  '2001:200::1',
  'fe80::1%eth0',
  '::ffff:1.2.3.4',
  '[2001:db8::1]:443',
  '2a00:1450:4001:80b::200e',
  '::1',
  '1::',
  '00:0d:3a:2f:f2:27',
  '52:54:00:7c:d8:0f:fe:54:00:7c:d8:0f:08:00',
  '1:2:3:4:5:6:7:8',
  '1:2:3:4:5:6:7:8:9:a:b',
  '06:55:46',
  '2015:10:05:03',
  '1.2.3[.]12:34:56',
  '12:34:56[.]7',
  '9:59:59',
  '1:12:34:56:78',
  'Firefox/2.0.0.4',
  'rv:1.8.1.4',
  '1.2.3.4.5',
  '4.3.2.1.in-addr',
  'std::string',
  'v1.2.3',
  'a.b.c',
  'x:y:z',
  '1.2.3',
  '999.1.1.1',
  '01.002.3.4',
  'kernel:',
  '[2687005.355645]',
  'HTTP/1.1',
  'http://1.2.3.4/x',
  '"quoted"',
  'back\\slash',
  'tab\there',
  'ctl\x01\x1f',
  'del\x7f',
  'cr\rinner',
  'word',
];
const SEPARATORS = [
  ' ',
  '',
  '=',
  ',',
  '(',
  ')',
  '[',
  ']',
  '"',
  '/',
  ':',
  '.',
  '\t',
  '\\',
  '-',
];

const line = fc
  .array(fc.tuple(fc.constantFrom(...TOKENS), fc.constantFrom(...SEPARATORS)), {
    maxLength: 14,
  })
  .chain((parts) =>
    fc
      .boolean()
      .map(
        (crlf) => parts.map(([t, s]) => t + s).join('') + (crlf ? '\r' : ''),
      ),
  );

describe('scanLineBytes', () => {
  it('finds what scanAddresses finds, line end and escapes included (property)', () => {
    fc.assert(
      fc.property(line, (l) => {
        const got = scanBytes(l);
        const content = l.endsWith('\r') ? l.slice(0, -1) : l;
        expect(got.matches).toEqual(scanString(content));
        expect(got.end).toBe(l.length); // the `\n` after it

        expect(got.escapes).toEqual(escapesOf(l));
        expect((got.flags & LINE_ESCAPE) !== 0).toBe(escapesOf(l).length > 0);
        expect(got.flags & (LINE_HIGH | LINE_FULL)).toBe(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('hands over the IPv4 value (as parseIpv4 reads the address, refanged)', () => {
    fc.assert(
      fc.property(line, (l) => {
        const got = scanBytes(l);
        got.matches.forEach(([a, b, f], k) => {
          if (f === MATCH_V6_CANDIDATE) return;
          const text = l.slice(a, b);
          const v4 = parseIpv4(
            (f & MATCH_DEFANGED) !== 0 ? refang(text) : text,
          );
          expect(v4).toBeGreaterThanOrEqual(0);
          expect(got.values[k]).toBe(v4 | 0);
        });
      }),
    );
  });

  it('rejects runs with more colons than any IPv6 text has, as the parser does', () => {
    const hex = fc.constantFrom('0', '1', 'a', 'ff', 'abcd', '');
    fc.assert(
      fc.property(fc.array(hex, { minLength: 12, maxLength: 20 }), (groups) => {
        const text = groups.join(':');
        expect(parseIpv6(text, new Uint32Array(4))).toBe(false);
        expect(scanBytes(`x ${text} y`).matches).toEqual([]);
      }),
    );
  });

  it('examples: line end, CRLF, a CR inside, flags', () => {
    expect(scanBytes('from 1.1.1.1 port 22')).toMatchObject({
      matches: [[5, 12, 0]],
      values: [0x01010101],
      end: 20,
      flags: 0,
      escapes: [],
    });
    expect(scanBytes('a "b" 5.6.7.8\r')).toMatchObject({
      matches: [[6, 13, 0]],
      end: 14,
      flags: LINE_ESCAPE,
      escapes: [2, 4],
    });
    expect(scanBytes('x\ry 1.2.3[.]4')).toMatchObject({
      matches: [[4, 13, MATCH_DEFANGED]],
      escapes: [1],
    });
    expect(scanBytes('[fe80::1%eth0]:22').matches).toEqual([
      [1, 13, MATCH_V6_CANDIDATE],
    ]);
  });

  it('flags a byte of 0x80 and up, and an overflow of `out`', () => {
    const b = new Uint8Array([
      10, 0xc3, 0xa9, 32, 49, 46, 49, 46, 49, 46, 49, 10,
    ]);
    const info = new Int32Array(3);
    scanLineBytes(b, 1, new Int32Array(16), info, new Int32Array(4));
    expect(info[1]! & LINE_HIGH).toBe(LINE_HIGH);
    expect(info[0]).toBe(11);
    const full = scanBytes('1.1.1.1 2.2.2.2 3.3.3.3', 2);
    expect(full.flags & LINE_FULL).toBe(LINE_FULL);
    expect(full.matches).toHaveLength(2);
  });
});
