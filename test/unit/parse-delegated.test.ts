import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  OpaqueIds,
  createDelegatedParser,
  parseDelegated,
} from '../../src/delegated/parse-delegated.js';
import type {
  DelegatedFileSummary,
  DelegatedRecord,
  ParseDelegatedOptions,
} from '../../src/delegated/delegated-record.js';
import { DelegatedFileError } from '../../src/errors.js';
import type { LoadWarning } from '../../src/types.js';

// ---------------------------------------------------------------------------
// Helpers. Expected values below are written by hand from the fixture lines;
// `v4` is a deliberately naive dotted-quad converter, independent of parseIpv4.

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../fixtures/delegated/${name}`, import.meta.url));
const bytesOf = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(fixture(name)));

const v4 = (text: string): number =>
  text.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);

interface Plain {
  line: number;
  registry: string;
  country: string;
  type: string;
  first: number;
  last: number;
  v6: number[];
  prefixLength: number;
  date: number;
  status: string;
  opaqueId: string;
  hasOpaqueField: boolean;
}

const plain = (r: DelegatedRecord): Plain => ({
  line: r.line,
  registry: r.registry,
  country: r.country,
  type: r.type,
  first: r.first,
  last: r.last,
  v6: Array.from(r.v6),
  prefixLength: r.prefixLength,
  date: r.date,
  status: r.status,
  opaqueId: r.opaqueId,
  hasOpaqueField: r.hasOpaqueField,
});

type Tail = [
  date: number,
  status: string,
  opaqueId: string,
  hasOpaqueField: boolean,
];

function ip4(
  line: number,
  registry: string,
  cc: string,
  start: string,
  end: string,
  ...t: Tail
): Plain {
  const [date, status, opaqueId, hasOpaqueField] = t;
  return {
    line,
    registry,
    country: cc,
    type: 'ipv4',
    first: v4(start),
    last: v4(end),
    v6: [0, 0, 0, 0],
    prefixLength: 0,
    date,
    status,
    opaqueId,
    hasOpaqueField,
  };
}

function asn(
  line: number,
  registry: string,
  cc: string,
  first: number,
  last: number,
  ...t: Tail
): Plain {
  const [date, status, opaqueId, hasOpaqueField] = t;
  return {
    line,
    registry,
    country: cc,
    type: 'asn',
    first,
    last,
    v6: [0, 0, 0, 0],
    prefixLength: 0,
    date,
    status,
    opaqueId,
    hasOpaqueField,
  };
}

function ip6(
  line: number,
  registry: string,
  cc: string,
  words: [number, number, number, number],
  prefixLength: number,
  ...t: Tail
): Plain {
  const [date, status, opaqueId, hasOpaqueField] = t;
  return {
    line,
    registry,
    country: cc,
    type: 'ipv6',
    first: 0,
    last: 0,
    v6: words,
    prefixLength,
    date,
    status,
    opaqueId,
    hasOpaqueField,
  };
}

interface Parsed {
  summary: DelegatedFileSummary;
  records: Plain[];
  warnings: LoadWarning[];
}

/** Parses chunks with the push parser. */
function parseChunks(
  chunks: Iterable<Uint8Array>,
  options: Partial<ParseDelegatedOptions> = {},
): Parsed {
  const records: Plain[] = [];
  const warnings: LoadWarning[] = [];
  const parser = createDelegatedParser(
    { file: 'test', ...options, onWarning: (w) => warnings.push(w) },
    (r) => records.push(plain(r)),
  );
  for (const chunk of chunks) parser.push(chunk);
  return { summary: parser.end(), records, warnings };
}

const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
const parseText = (
  text: string,
  options: Partial<ParseDelegatedOptions> = {},
): Parsed => parseChunks([enc(text)], options);

/** The error `fn` throws, checked to be a DelegatedFileError. */
function errorOf(fn: () => unknown): DelegatedFileError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DelegatedFileError);
    return error as DelegatedFileError;
  }
  throw new Error('expected a DelegatedFileError, nothing was thrown');
}

/** Splits bytes at the given cut points. */
function cut(bytes: Uint8Array, points: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of [...points].sort((a, b) => a - b)) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  out.push(bytes.subarray(from));
  return out;
}

/** Deterministic pseudo-random numbers (LCG), so a failure can be replayed. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const ARIN_HEADER = '2.3|arin|1790600421096|1|19700101|20260928|-0400\n';

// ---------------------------------------------------------------------------

describe('fixtures: one sample per registry style', () => {
  it('APNIC style: comment banner with tabs and trailing blanks, empty startdate, records in ipv4/ipv6/asn order', () => {
    const { summary, records } = parseChunks(
      [bytesOf('delegated-apnic-extended-sample.txt')],
      {
        file: 'delegated-apnic-extended-sample.txt',
      },
    );
    expect(summary.header).toEqual({
      version: '2.3',
      registry: 'apnic',
      serial: '20260929',
      records: 12,
      startDate: 0,
      endDate: 20260928,
      utcOffset: '+1000',
      line: 9,
    });
    expect(summary.file).toBe('delegated-apnic-extended-sample.txt');
    expect(summary.announced).toEqual({ asn: 3, ipv4: 6, ipv6: 3 });
    expect(summary.read).toEqual({ asn: 3, ipv4: 6, ipv6: 3 });
    expect(summary.kind).toBe('extended');
    expect(summary.lines).toBe(24);
    expect(summary.warningCount).toBe(0);
    expect(summary.warnings).toEqual([]);
    expect(records).toEqual([
      ip4(
        13,
        'apnic',
        'AU',
        '1.0.0.0',
        '1.0.0.255',
        20110901,
        'assigned',
        'A91A0001',
        true,
      ),
      ip4(
        14,
        'apnic',
        'CN',
        '1.0.1.0',
        '1.0.1.255',
        20110501,
        'allocated',
        'A91A0002',
        true,
      ),
      ip4(
        15,
        'apnic',
        'AU',
        '1.0.4.0',
        '1.0.7.255',
        20110502,
        'allocated',
        'A91A0001',
        true,
      ),
      ip4(
        16,
        'apnic',
        'JP',
        '1.0.16.0',
        '1.0.16.63',
        20110503,
        'assigned',
        'A91A0003',
        true,
      ),
      ip4(
        17,
        'apnic',
        '',
        '27.0.156.0',
        '27.0.159.255',
        0,
        'available',
        '',
        true,
      ),
      ip4(
        18,
        'apnic',
        'AP',
        '202.189.130.0',
        '202.189.131.255',
        20010911,
        'allocated',
        'A91A0004',
        true,
      ),
      ip6(
        19,
        'apnic',
        'JP',
        [0x20010200, 0, 0, 0],
        35,
        19990814,
        'allocated',
        'A91A0003',
        true,
      ),
      ip6(
        20,
        'apnic',
        'AU',
        [0x2401db00, 0x00100000, 0, 0],
        64,
        20120316,
        'assigned',
        'A91A0001',
        true,
      ),
      ip6(21, 'apnic', '', [0x20010db8, 0, 0, 0], 32, 0, 'reserved', '', true),
      asn(
        22,
        'apnic',
        'JP',
        2497,
        2528,
        20020406,
        'allocated',
        'A91A0003',
        true,
      ),
      asn(
        23,
        'apnic',
        'AU',
        4608,
        4608,
        19950621,
        'allocated',
        'A91A0001',
        true,
      ),
      asn(24, 'apnic', '', 143674, 146745, 0, 'available', '', true),
    ]);
  });

  it('RIPE NCC style: epoch-seconds serial, 7-field available/reserved lines, non-CIDR and unaligned counts, EU', () => {
    const { summary, records } = parseChunks([
      bytesOf('delegated-ripencc-extended-sample.txt'),
    ]);
    expect(summary.header).toEqual({
      version: '2',
      registry: 'ripencc',
      serial: '1790632799',
      records: 13,
      startDate: 0,
      endDate: 20260928,
      utcOffset: '+0200',
      line: 1,
    });
    expect(summary.announced).toEqual({ ipv4: 5, asn: 5, ipv6: 3 });
    expect(summary.read).toEqual({ asn: 5, ipv4: 5, ipv6: 3 });
    expect(summary.kind).toBe('extended');
    expect(summary.lines).toBe(17);
    const id = (n: number): string => `6d1f0c3e-2a4b-4c5d-8e9f-0a1b2c3d4e0${n}`;
    expect(records).toEqual([
      ip4(
        5,
        'ripencc',
        'NL',
        '193.0.0.0',
        '193.0.7.255',
        19930902,
        'allocated',
        id(1),
        true,
      ),
      // 2304 = /21 + /24
      ip4(
        6,
        'ripencc',
        'UA',
        '91.201.40.0',
        '91.201.48.255',
        20110209,
        'assigned',
        id(2),
        true,
      ),
      // 448 from .64 = /26 + /25 + /24
      ip4(
        7,
        'ripencc',
        'GB',
        '185.9.80.64',
        '185.9.81.255',
        20150102,
        'assigned',
        id(3),
        true,
      ),
      ip4(
        8,
        'ripencc',
        '',
        '185.9.88.0',
        '185.9.91.255',
        0,
        'available',
        '',
        false,
      ),
      ip4(
        9,
        'ripencc',
        '',
        '185.9.92.0',
        '185.9.92.255',
        0,
        'reserved',
        '',
        false,
      ),
      asn(10, 'ripencc', 'EU', 7, 7, 19930903, 'allocated', id(5), true),
      asn(11, 'ripencc', 'NL', 3333, 3333, 19930904, 'allocated', id(1), true),
      asn(12, 'ripencc', 'GB', 6204, 6204, 0, 'allocated', id(3), true), // 19700101
      asn(13, 'ripencc', '', 7700, 7700, 0, 'available', '', false),
      asn(14, 'ripencc', '', 7701, 7701, 0, 'reserved', '', false),
      ip6(
        15,
        'ripencc',
        'NL',
        [0x20010610, 0, 0, 0],
        32,
        19990902,
        'allocated',
        id(1),
        true,
      ),
      ip6(
        16,
        'ripencc',
        'DE',
        [0x2a001000, 0, 0, 0],
        29,
        20080102,
        'allocated',
        id(4),
        true,
      ),
      ip6(
        17,
        'ripencc',
        '',
        [0x2a0ff000, 0, 0, 0],
        29,
        0,
        'reserved',
        '',
        false,
      ),
    ]);
  });

  it('ARIN style: millisecond serial, 00000000 dates, non-CIDR reserved gaps, unaligned counts, ASN ranges', () => {
    const { summary, records } = parseChunks([
      bytesOf('delegated-arin-extended-sample.txt'),
    ]);
    expect(summary.header).toEqual({
      version: '2.3',
      registry: 'arin',
      serial: '1790600421096',
      records: 13,
      startDate: 0,
      endDate: 20260928,
      utcOffset: '-0400',
      line: 1,
    });
    expect(summary.read).toEqual({ asn: 4, ipv4: 6, ipv6: 3 });
    const a1 = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    expect(records).toEqual([
      asn(
        5,
        'arin',
        'US',
        3,
        3,
        0,
        'assigned',
        '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
        true,
      ),
      asn(6, 'arin', 'US', 13335, 13335, 20100715, 'assigned', a1, true),
      asn(
        7,
        'arin',
        'US',
        393216,
        393505,
        20100107,
        'assigned',
        '5a5a5a5a0000111122223333cafebabe',
        true,
      ),
      asn(8, 'arin', '', 400000, 401370, 0, 'available', '', true),
      ip4(
        9,
        'arin',
        'US',
        '6.0.0.0',
        '6.255.255.255',
        19940202,
        'allocated',
        '0123456789abcdef0123456789abcdef',
        true,
      ),
      ip4(
        10,
        'arin',
        'US',
        '8.0.0.0',
        '8.255.255.255',
        19921202,
        'allocated',
        'fedcba9876543210fedcba9876543210',
        true,
      ),
      ip4(
        11,
        'arin',
        'US',
        '104.16.0.0',
        '104.31.255.255',
        20140321,
        'allocated',
        a1,
        true,
      ),
      // 8192 from 142.112.16.0 is not aligned: /20 + /20
      ip4(
        12,
        'arin',
        'CA',
        '142.112.16.0',
        '142.112.47.255',
        20100518,
        'allocated',
        '00112233445566778899aabbccddeeff',
        true,
      ),
      // 768 = /24 + /23
      ip4(
        13,
        'arin',
        '',
        '23.128.1.0',
        '23.128.3.255',
        0,
        'reserved',
        '',
        true,
      ),
      // 512 from .29.0 is not aligned: two /24
      ip4(
        14,
        'arin',
        '',
        '64.112.29.0',
        '64.112.30.255',
        0,
        'reserved',
        '',
        true,
      ),
      ip6(
        15,
        'arin',
        'US',
        [0x26064700, 0, 0, 0],
        32,
        20110916,
        'allocated',
        a1,
        true,
      ),
      ip6(16, 'arin', '', [0x2602f800, 0, 0, 0], 24, 0, 'reserved', '', true),
      ip6(17, 'arin', '', [0x2605c000, 0, 0, 0], 19, 0, 'available', '', true),
    ]);
  });

  it('LACNIC style: 7-field available and 8-field reserved lines mixed, numeric ids, enddate before serial', () => {
    const { summary, records } = parseChunks([
      bytesOf('delegated-lacnic-extended-sample.txt'),
    ]);
    expect(summary.header).toEqual({
      version: '2.3',
      registry: 'lacnic',
      serial: '20260927',
      records: 11,
      startDate: 19870101,
      endDate: 20260925,
      utcOffset: '-0300',
      line: 1,
    });
    expect(summary.announced).toEqual({ ipv4: 4, ipv6: 3, asn: 4 });
    expect(summary.kind).toBe('extended');
    expect(records).toEqual([
      ip4(
        5,
        'lacnic',
        'BR',
        '177.0.0.0',
        '177.3.255.255',
        20100528,
        'allocated',
        '258500',
        true,
      ),
      ip4(
        6,
        'lacnic',
        'AR',
        '200.45.0.0',
        '200.45.255.255',
        19980902,
        'allocated',
        '31007',
        true,
      ),
      ip4(
        7,
        'lacnic',
        '',
        '177.39.100.0',
        '177.39.103.255',
        0,
        'available',
        '',
        false,
      ),
      ip4(8, 'lacnic', '', '45.4.0.0', '45.4.3.255', 0, 'reserved', '', true),
      ip6(
        9,
        'lacnic',
        'BR',
        [0x2804014c, 0, 0, 0],
        32,
        20110126,
        'allocated',
        '258500',
        true,
      ),
      ip6(
        10,
        'lacnic',
        '',
        [0x28010080, 0, 0, 0],
        26,
        0,
        'available',
        '',
        false,
      ),
      ip6(11, 'lacnic', '', [0x280101e0, 0, 0, 0], 28, 0, 'reserved', '', true),
      asn(
        12,
        'lacnic',
        'BR',
        28000,
        28000,
        20020102,
        'allocated',
        '258500',
        true,
      ),
      asn(13, 'lacnic', 'AR', 7303, 7303, 19960907, 'allocated', '31007', true),
      asn(14, 'lacnic', '', 27648, 27959, 0, 'available', '', false),
      asn(15, 'lacnic', '', 52224, 52224, 0, 'reserved', '', true),
    ]);
  });

  it('AFRINIC style: ZZ on available/reserved, 00000000 startdate, UTC offset 00000', () => {
    const { summary, records } = parseChunks([
      bytesOf('delegated-afrinic-extended-sample.txt'),
    ]);
    expect(summary.header).toEqual({
      version: '2',
      registry: 'afrinic',
      serial: '20260928',
      records: 10,
      startDate: 0,
      endDate: 20260928,
      utcOffset: '00000',
      line: 1,
    });
    expect(records).toEqual([
      asn(
        5,
        'afrinic',
        'ZA',
        36864,
        36864,
        20050102,
        'allocated',
        'F36A0001',
        true,
      ),
      asn(6, 'afrinic', 'ZZ', 37000, 37009, 0, 'available', '', true),
      asn(7, 'afrinic', 'ZZ', 37700, 37700, 0, 'reserved', '', true),
      // 2560 = /21 + /23
      ip4(
        8,
        'afrinic',
        'ZA',
        '196.6.40.0',
        '196.6.49.255',
        19930901,
        'allocated',
        'F36A0001',
        true,
      ),
      ip4(
        9,
        'afrinic',
        'KE',
        '41.90.0.0',
        '41.90.255.255',
        20090521,
        'allocated',
        'F36A0002',
        true,
      ),
      ip4(
        10,
        'afrinic',
        'ZZ',
        '102.0.0.0',
        '102.15.255.255',
        0,
        'available',
        '',
        true,
      ),
      ip4(
        11,
        'afrinic',
        'ZZ',
        '41.242.0.0',
        '41.242.3.255',
        0,
        'reserved',
        '',
        true,
      ),
      ip6(
        12,
        'afrinic',
        'NG',
        [0x2c0ff000, 0, 0, 0],
        32,
        20100102,
        'allocated',
        'F36A0003',
        true,
      ),
      ip6(
        13,
        'afrinic',
        'ZZ',
        [0x2c0ffff8, 0, 0, 0],
        29,
        0,
        'reserved',
        '',
        true,
      ),
      ip6(
        14,
        'afrinic',
        'ZZ',
        [0x20014200, 0, 0, 0],
        23,
        0,
        'available',
        '',
        true,
      ),
    ]);
  });

  it('IANA style: the status column names a registry; 7 and 8 fields mixed; non-canonical IPv6', () => {
    const { summary, records } = parseChunks([
      bytesOf('delegated-iana-sample.txt'),
    ]);
    expect(summary.header).toEqual({
      version: '2',
      registry: 'iana',
      serial: '20260928',
      records: 20,
      startDate: 19830101,
      endDate: 20260920,
      utcOffset: '+0000',
      line: 5,
    });
    expect(summary.read).toEqual({ asn: 4, ipv4: 10, ipv6: 6 });
    expect(summary.kind).toBe('extended');
    const slash8 = (
      line: number,
      first: string,
      last: string,
      date: number,
      status: string,
      id = '',
    ): Plain =>
      ip4(line, 'iana', 'ZZ', first, last, date, status, id, id !== '');
    expect(records).toEqual([
      asn(9, 'iana', 'ZZ', 0, 0, 19920102, 'reserved', 'ietf', true),
      asn(10, 'iana', 'ZZ', 1, 6, 19920102, 'arin', '', false),
      asn(11, 'iana', 'ZZ', 7, 7, 19920102, 'ripencc', '', false),
      asn(12, 'iana', 'ZZ', 64496, 64511, 20081206, 'reserved', 'ietf', true),
      slash8(13, '0.0.0.0', '0.255.255.255', 19810902, 'reserved', 'ietf'),
      slash8(14, '1.0.0.0', '1.255.255.255', 20100120, 'apnic'),
      slash8(15, '6.0.0.0', '6.255.255.255', 19940202, 'arin'),
      slash8(16, '10.0.0.0', '10.255.255.255', 19950602, 'reserved', 'ietf'),
      slash8(17, '41.0.0.0', '41.255.255.255', 20050402, 'afrinic'),
      slash8(18, '56.0.0.0', '56.255.255.255', 19940602, 'iana'),
      slash8(19, '127.0.0.0', '127.255.255.255', 19810902, 'ietf'),
      slash8(20, '177.0.0.0', '177.255.255.255', 20100602, 'lacnic'),
      slash8(21, '193.0.0.0', '193.255.255.255', 19930502, 'ripencc'),
      slash8(22, '240.0.0.0', '255.255.255.255', 19810902, 'reserved', 'ietf'),
      ip6(
        23,
        'iana',
        'ZZ',
        [0, 0, 0, 0],
        8,
        19960802,
        'reserved',
        'ietf',
        true,
      ),
      ip6(
        24,
        'iana',
        'ZZ',
        [0x20010200, 0, 0, 0],
        23,
        19990702,
        'apnic',
        '',
        false,
      ),
      ip6(
        25,
        'iana',
        'ZZ',
        [0x20010400, 0, 0, 0],
        23,
        19990702,
        'arin',
        '',
        false,
      ),
      ip6(
        26,
        'iana',
        'ZZ',
        [0x20010600, 0, 0, 0],
        23,
        19990702,
        'ripencc',
        '',
        false,
      ),
      ip6(
        27,
        'iana',
        'ZZ',
        [0x2c000000, 0, 0, 0],
        12,
        20061004,
        'afrinic',
        '',
        false,
      ),
      ip6(
        28,
        'iana',
        'ZZ',
        [0xfc000000, 0, 0, 0],
        7,
        19960802,
        'reserved',
        'ietf',
        true,
      ),
    ]);
  });

  it('NRO style: 9 fields (the 9th ignored), records of every registry and iana, ianapool', () => {
    const { summary, records } = parseChunks([
      bytesOf('nro-delegated-stats-sample.txt'),
    ]);
    expect(summary.header).toEqual({
      version: '2',
      registry: 'nro',
      serial: '20260928',
      records: 11,
      startDate: 19821213,
      endDate: 20260928,
      utcOffset: '+0000',
      line: 4,
    });
    expect(summary.announced).toEqual({ asn: 3, ipv4: 5, ipv6: 3 });
    expect(records).toEqual([
      ip4(
        8,
        'apnic',
        'AU',
        '1.0.0.0',
        '1.0.0.255',
        20110901,
        'assigned',
        'A91A0001',
        true,
      ),
      ip4(
        9,
        'arin',
        'US',
        '6.0.0.0',
        '6.255.255.255',
        19940202,
        'assigned',
        '0123456789abcdef0123456789abcdef',
        true,
      ),
      ip4(
        10,
        'ripencc',
        'ZZ',
        '185.9.88.0',
        '185.9.91.255',
        20260928,
        'available',
        'ripencc',
        true,
      ),
      ip4(
        11,
        'iana',
        'ZZ',
        '10.0.0.0',
        '10.255.255.255',
        19950602,
        'reserved',
        'ietf',
        true,
      ),
      ip4(
        12,
        'iana',
        'ZZ',
        '240.0.0.0',
        '255.255.255.255',
        19810902,
        'reserved',
        'ietf',
        true,
      ),
      asn(
        13,
        'lacnic',
        'BR',
        28000,
        28000,
        20020102,
        'assigned',
        '258500',
        true,
      ),
      asn(
        14,
        'afrinic',
        'ZZ',
        37000,
        37009,
        20260928,
        'available',
        'afrinic',
        true,
      ),
      asn(
        15,
        'iana',
        'ZZ',
        4200000000,
        4294967295,
        20130102,
        'reserved',
        'ietf',
        true,
      ),
      ip6(
        16,
        'iana',
        'ZZ',
        [0x20010db8, 0, 0, 0],
        32,
        20040702,
        'reserved',
        'ietf',
        true,
      ),
      ip6(
        17,
        'iana',
        'ZZ',
        [0x40000000, 0, 0, 0],
        2,
        20260928,
        'ianapool',
        'iana',
        true,
      ),
      ip6(
        18,
        'afrinic',
        'ZZ',
        [0x2c0ffff8, 0, 0, 0],
        29,
        20260928,
        'reserved',
        'afrinic',
        true,
      ),
    ]);
  });

  it('edge cases: BOM, CRLF, blank and comment lines anywhere, padding, case, placeholder dates, extremes', () => {
    const { summary, records } = parseChunks([bytesOf('edge-cases.txt')]);
    expect(summary.header).toEqual({
      version: '2.3',
      registry: 'apnic',
      serial: '20260101',
      records: 14,
      startDate: 0,
      endDate: 20251231,
      utcOffset: '+1000',
      line: 1,
    });
    expect(summary.announced).toEqual({ ipv4: 6, asn: 5, ipv6: 3 });
    expect(summary.read).toEqual({ asn: 5, ipv4: 6, ipv6: 3 });
    // 22 CRLF line ends and a last line without one.
    expect(summary.lines).toBe(23);
    expect(records).toEqual([
      ip4(
        8,
        'apnic',
        'JP',
        '210.0.0.0',
        '210.0.0.255',
        0,
        'allocated',
        'A9E00001',
        true,
      ),
      ip4(
        9,
        'apnic',
        'KR',
        '210.0.1.0',
        '210.0.1.255',
        0,
        'assigned',
        'A9E00002',
        true,
      ),
      ip4(
        10,
        'apnic',
        'TW',
        '210.0.2.0',
        '210.0.4.255',
        20250102,
        'allocated',
        '',
        true,
      ),
      ip4(
        13,
        'apnic',
        'CN',
        '210.0.8.0',
        '210.0.8.0',
        20250103,
        'assigned',
        'A9E00003',
        true,
      ),
      ip4(
        14,
        'apnic',
        'AU',
        '210.0.9.0',
        '210.0.9.99',
        0,
        'assigned',
        'A9E00004',
        true,
      ),
      ip4(
        15,
        'apnic',
        '',
        '255.255.255.0',
        '255.255.255.255',
        0,
        'reserved',
        '',
        false,
      ),
      asn(
        16,
        'apnic',
        'JP',
        131072,
        131087,
        20250104,
        'allocated',
        'A9E00001',
        true,
      ),
      asn(
        17,
        'apnic',
        'JP',
        4294967295,
        4294967295,
        20250105,
        'reserved',
        '',
        true,
      ),
      asn(18, 'apnic', 'KR', 9318, 9318, 0, 'assigned', 'A9E00002', true),
      asn(
        19,
        'apnic',
        'JP',
        4200000000,
        4294967294,
        20250106,
        'allocated',
        'A9E00001',
        true,
      ),
      asn(
        20,
        'apnic',
        'CN',
        132000,
        132002,
        20250107,
        'allocated',
        'A9E00003',
        true,
      ),
      // 2400:00CB:0000:: is 2400:cb::
      ip6(
        21,
        'apnic',
        'JP',
        [0x240000cb, 0, 0, 0],
        32,
        20250108,
        'allocated',
        'A9E00001',
        true,
      ),
      // 2400:cc00:ffff:ffff::1/34: host bits cleared -> 2400:cc00:c000::
      ip6(
        22,
        'apnic',
        'JP',
        [0x2400cc00, 0xc0000000, 0, 0],
        34,
        20250109,
        'allocated',
        'A9E00001',
        true,
      ),
      ip6(
        23,
        'apnic',
        'KR',
        [0x2400d000, 0, 0, 0],
        64,
        20250110,
        'assigned',
        'A9E00002',
        true,
      ),
    ]);
  });
});

describe('chunk boundaries', () => {
  const files = [
    'delegated-apnic-extended-sample.txt',
    'delegated-ripencc-extended-sample.txt',
    'delegated-arin-extended-sample.txt',
    'delegated-lacnic-extended-sample.txt',
    'delegated-afrinic-extended-sample.txt',
    'delegated-iana-sample.txt',
    'nro-delegated-stats-sample.txt',
    'edge-cases.txt',
  ];

  for (const name of files) {
    it(`${name}: 1-byte chunks and random splits give the same records`, () => {
      const bytes = bytesOf(name);
      const whole = parseChunks([bytes]);
      const ones = parseChunks(
        Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)),
      );
      expect(ones.records).toEqual(whole.records);
      expect(ones.summary).toEqual(whole.summary);
      const random = lcg(bytes.length);
      for (let round = 0; round < 30; round++) {
        const points = Array.from(
          { length: 1 + Math.floor(random() * 12) },
          () => Math.floor(random() * (bytes.length + 1)),
        );
        const split = parseChunks(cut(bytes, points));
        expect(split.records).toEqual(whole.records);
        expect(split.summary).toEqual(whole.summary);
      }
    });
  }

  it('empty chunks change nothing', () => {
    const bytes = bytesOf('delegated-lacnic-extended-sample.txt');
    const empty = new Uint8Array(0);
    const a = parseChunks([
      empty,
      bytes.subarray(0, 10),
      empty,
      empty,
      bytes.subarray(10),
      empty,
    ]);
    expect(a.records).toEqual(parseChunks([bytes]).records);
  });

  it('a UTF-8 sequence split across chunks is decoded whole', () => {
    const text = `${ARIN_HEADER}arin|US|asn|1|1|20200101|assigned|Zürich-€\n`;
    const bytes = enc(text);
    for (let i = 1; i < bytes.length; i++) {
      const { records } = parseChunks([
        bytes.subarray(0, i),
        bytes.subarray(i),
      ]);
      expect(records.map((r) => r.opaqueId)).toEqual(['Zürich-€']);
    }
    // Three chunks, cut anywhere: chunks after the first that end on a
    // character boundary are decoded whole, the others by the stream.
    const header2 = ARIN_HEADER.replace('|1|19700101', '|2|19700101');
    const two = enc(
      `${header2}arin|US|asn|1|1|20200101|assigned|Zürich-€\n` +
        `arin|US|asn|2|1|20200101|assigned|ß\n`,
    );
    const head = enc(header2).length;
    for (let i = head - 3; i < two.length; i++)
      for (let j = i; j <= two.length; j++) {
        const { records } = parseChunks([
          two.subarray(0, i),
          two.subarray(i, j),
          two.subarray(j),
        ]);
        expect(records.map((r) => r.opaqueId)).toEqual(['Zürich-€', 'ß']);
      }
  });

  it('a chunk over 64 KiB is decoded in pieces, a character across a piece boundary kept whole', () => {
    // Comment lines push the record's "€" (3 bytes) across byte 65,536 of a
    // single chunk, at each of its cut points.
    const header2 = ARIN_HEADER.replace('|1|19700101', '|2|19700101');
    const record = 'arin|US|asn|1|1|20200101|assigned|Zürich-€\n';
    const euroAt = enc(record).indexOf(0xe2);
    for (const cut of [1, 2]) {
      const pad = 65536 - cut - enc(header2).length - euroAt;
      const comment = `#${'x'.repeat(pad - 2)}\n`;
      const bytes = enc(
        `${header2}${comment}${record}arin|US|asn|2|1|20200101|assigned|ß\n`,
      );
      expect(bytes.length).toBeGreaterThan(65536);
      expect(bytes[65536 - cut]).toBe(0xe2); // the € starts `cut` bytes before the boundary
      const { records } = parseChunks([bytes]);
      expect(records.map((r) => r.opaqueId)).toEqual(['Zürich-€', 'ß']);
    }
  });

  /** An ARIN file of one ASN record per opaque id given ('' for none). */
  const asnFile = (ids: readonly string[]) =>
    enc(
      ARIN_HEADER.replace('|1|19700101', `|${ids.length}|19700101`) +
        ids
          .map((id, i) => `arin|US|asn|${i + 1}|1|20200101|assigned|${id}\n`)
          .join(''),
    );

  it('numbers distinct opaque ids in order of first appearance, whatever the chunking', () => {
    const ids = [
      'A1',
      '',
      'B2',
      'A1',
      'C3-long-enough-to-copy',
      'B2',
      '',
      'C3-long-enough-to-copy',
    ];
    const bytes = asnFile(ids);
    const want = [0, -1, 1, 0, 2, 1, -1, 2];
    for (const cutAt of [0, 50, 97, 150]) {
      const records: { id: string; index: number }[] = [];
      const parser = createDelegatedParser({ file: 'x' }, (r) =>
        records.push({ id: r.opaqueId, index: r.opaqueIndex }),
      );
      parser.push(bytes.subarray(0, cutAt));
      parser.push(bytes.subarray(cutAt));
      parser.end();
      expect(records).toEqual(ids.map((id, i) => ({ id, index: want[i] })));
    }
  });

  it('parsers given the same OpaqueIds number the ids of all their files alike', () => {
    const ids = new OpaqueIds();
    const file = (list: string[]) => {
      const bytes = asnFile(list);
      const got: [string, number][] = [];
      const parser = createDelegatedParser({ file: 'x', ids }, (r) =>
        got.push([r.opaqueId, r.opaqueIndex]),
      );
      parser.push(bytes);
      parser.end();
      return got;
    };
    expect(file(['A1', 'B2', 'A1'])).toEqual([
      ['A1', 0],
      ['B2', 1],
      ['A1', 0],
    ]);
    expect(file(['B2', 'C3', ''])).toEqual([
      ['B2', 1],
      ['C3', 2],
      ['', -1],
    ]);
    expect(ids.list).toEqual(['A1', 'B2', 'C3']);
  });

  it('a BOM split across chunks is dropped', () => {
    const bytes = new Uint8Array([
      0xef,
      0xbb,
      0xbf,
      ...enc(`${ARIN_HEADER}arin|US|asn|1|1||assigned\n`),
    ]);
    const { summary } = parseChunks([
      bytes.subarray(0, 1),
      bytes.subarray(1, 2),
      bytes.subarray(2),
    ]);
    expect(summary.header.version).toBe('2.3');
    expect(summary.read.asn).toBe(1);
  });

  it('parseDelegated takes sync iterables and async iterables', async () => {
    const bytes = bytesOf('delegated-afrinic-extended-sample.txt');
    const seen: number[] = [];
    const s1 = await parseDelegated(
      [bytes.subarray(0, 100), bytes.subarray(100)],
      { file: 'x' },
      (r) => seen.push(r.line),
    );
    async function* gen(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < bytes.length; i += 7) yield bytes.subarray(i, i + 7);
    }
    const s2 = await parseDelegated(gen(), { file: 'x' }, (r) =>
      seen.push(r.line),
    );
    expect(s1).toEqual(s2);
    expect(seen).toEqual([
      5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
    ]);
  });
});

describe('quirks', () => {
  it('accepts version 2 and any 2.x; keeps it as text', () => {
    for (const v of ['2', '2.3', '2.10', '2.3.1']) {
      const { summary } = parseText(`${v}|arin|1|0|||-0400\n`);
      expect(summary.header.version).toBe(v);
    }
  });

  it('header dates: empty, 00000000 and 19700101 are 0; a real date is kept', () => {
    const dates = (start: string, end: string): [number, number] => {
      const { header } = parseText(`2|arin|1|0|${start}|${end}|x\n`).summary;
      return [header.startDate, header.endDate];
    };
    expect(dates('', '')).toEqual([0, 0]);
    expect(dates('00000000', '20260928')).toEqual([0, 20260928]);
    expect(dates('19700101', '20260928')).toEqual([0, 20260928]);
    expect(dates('19821213', '20260928')).toEqual([19821213, 20260928]);
    expect(dates('0000/00/00', '20260928')).toEqual([0, 20260928]);
  });

  it('keeps serial and UTC offset as text, trimmed; extra header fields are ignored', () => {
    const { header } = parseText(
      ' 2 | ARIN | 1790600421096 | 0 | | 20260928 | -0500 | extra\n',
    ).summary;
    expect(header).toEqual({
      version: '2',
      registry: 'arin',
      serial: '1790600421096',
      records: 0,
      startDate: 0,
      endDate: 20260928,
      utcOffset: '-0500',
      line: 1,
    });
  });

  it('skips # comments and blank lines before and after the header, CR and tabs included', () => {
    const text =
      '\n# c1\r\n\t# indented comment\n  \n' +
      ARIN_HEADER +
      '#\tcomment\n\r\n' +
      'arin|*|asn|*|1|summary\n# x\narin|US|asn|1|1|00000000|assigned\r\n\n';
    const { summary, records } = parseText(text);
    expect(summary.header.line).toBe(5);
    expect(summary.lines).toBe(11);
    expect(records).toEqual([
      asn(10, 'arin', 'US', 1, 1, 0, 'assigned', '', false),
    ]);
  });

  it('counts the last line whether or not it ends in a newline', () => {
    expect(
      parseText(`${ARIN_HEADER}arin|US|asn|1|1||assigned`).summary.lines,
    ).toBe(2);
    expect(
      parseText(`${ARIN_HEADER}arin|US|asn|1|1||assigned\n`).summary.lines,
    ).toBe(2);
    expect(
      parseText(`${ARIN_HEADER}arin|US|asn|1|1||assigned\n\n`).summary.lines,
    ).toBe(3);
  });

  it('summary lines may come in any order, even after the records', () => {
    const text =
      '2|arin|1|2|||x\narin|US|asn|1|1||assigned\narin|*|ipv4|*|1|summary\n' +
      'arin|US|ipv4|1.2.3.0|256||allocated\narin|*|asn|*|1|summary\n';
    const { summary } = parseText(text);
    expect(summary.announced).toEqual({ ipv4: 1, asn: 1 });
    expect(summary.read).toEqual({ asn: 1, ipv4: 1, ipv6: 0 });
  });

  it('without summary lines only the header count is checked', () => {
    const { summary } = parseText(`${ARIN_HEADER}arin|US|asn|1|1||assigned\n`);
    expect(summary.announced).toEqual({});
  });

  it('kind is standard when no record has an 8th field, extended when one has (even empty)', () => {
    const std = `2|arin|1|2|||x\narin|US|asn|1|1||assigned\narin|US|asn|2|1||assigned\n`;
    expect(parseText(std).summary.kind).toBe('standard');
    const ext = `2|arin|1|2|||x\narin|US|asn|1|1||assigned\narin|US|asn|2|1||assigned|\n`;
    expect(parseText(ext).summary.kind).toBe('extended');
  });

  it('upper-cases cc; lower-cases registry, type and status; empty cc stays empty', () => {
    const { records } = parseText(
      '2|arin|1|2|||x\nARIN|us|IPv4|1.2.3.0|256|20200101|ALLOCATED|Id\nArin| |ASN|5|1||Reserved|\n',
    );
    expect(records).toEqual([
      ip4(
        2,
        'arin',
        'US',
        '1.2.3.0',
        '1.2.3.255',
        20200101,
        'allocated',
        'Id',
        true,
      ),
      asn(3, 'arin', '', 5, 5, 0, 'reserved', '', true),
    ]);
  });

  it('IPv4 count: 1, not a power of two, the whole space, up to 255.255.255.255', () => {
    const { records } = parseText(
      '2|arin|1|4|||x\n' +
        'arin|US|ipv4|10.0.0.7|1||assigned\n' +
        'arin|US|ipv4|10.0.1.0|1280||assigned\n' +
        'arin|US|ipv4|0.0.0.0|4294967296||reserved\n' +
        'arin|US|ipv4|255.255.255.255|1||reserved\n',
    );
    expect(records.map((r) => [r.first, r.last])).toEqual([
      [v4('10.0.0.7'), v4('10.0.0.7')],
      [v4('10.0.1.0'), v4('10.0.5.255')],
      [0, 4294967295],
      [4294967295, 4294967295],
    ]);
  });

  it('IPv4 addresses with leading zeros are read as decimal', () => {
    const { records } = parseText(
      '2|arin|1|1|||x\narin|US|ipv4|010.001.002.000|256||assigned\n',
    );
    expect(records[0]!.first).toBe(v4('10.1.2.0'));
  });

  it('IPv6: prefix 0 and 128, host bits cleared in every word, non-canonical text', () => {
    const { records } = parseText(
      '2|arin|1|5|||x\n' +
        'arin||ipv6|ffff::|0||reserved\n' +
        'arin||ipv6|2001:db8:1:2:3:4:5:6|128||reserved\n' +
        'arin||ipv6|2001:db8:ffff:ffff:ffff:ffff:ffff:ffff|33||reserved\n' +
        'arin||ipv6|2001:0DB8:0000:0000:ffff:ffff:ffff:ffff|65||reserved\n' +
        'arin||ipv6|::ffff:1.2.3.4|96||reserved\n',
    );
    expect(records.map((r) => [r.v6, r.prefixLength])).toEqual([
      [[0, 0, 0, 0], 0],
      [[0x20010db8, 0x00010002, 0x00030004, 0x00050006], 128],
      [[0x20010db8, 0x80000000, 0, 0], 33],
      [[0x20010db8, 0, 0x80000000, 0], 65],
      [[0, 0, 0xffff, 0], 96],
    ]);
  });

  it('ASN: 32-bit values and ranges up to 4294967295', () => {
    const { records } = parseText(
      '2|arin|1|3|||x\narin|US|asn|0|1||reserved\narin|US|asn|4294967295|1||reserved\n' +
        'arin|US|asn|65536|65536||reserved\n',
    );
    expect(records.map((r) => [r.first, r.last])).toEqual([
      [0, 0],
      [4294967295, 4294967295],
      [65536, 131071],
    ]);
  });

  it('record dates: empty, 00000000, 19700101 and 0000/00/00 are 0; others are kept', () => {
    const dates = [
      '',
      '00000000',
      '19700101',
      '0000/00/00',
      '19840222',
      '20261231',
    ];
    const text =
      `2|arin|1|${dates.length}|||x\n` +
      dates.map((d, i) => `arin|US|asn|${i}|1|${d}|assigned\n`).join('');
    expect(parseText(text).records.map((r) => r.date)).toEqual([
      0, 0, 0, 0, 19840222, 20261231,
    ]);
  });

  it('fields after the 8th are ignored; blanks around fields are trimmed', () => {
    const { records } = parseText(
      '2|arin|1|1|||x\n arin |\tUS\t| asn | 7 | 2 | 20200101 | assigned | holder | e-stats | more \n',
    );
    expect(records).toEqual([
      asn(2, 'arin', 'US', 7, 8, 20200101, 'assigned', 'holder', true),
    ]);
  });

  it('hands the same record object (and v6 array) to every call', () => {
    const seen: DelegatedRecord[] = [];
    const parser = createDelegatedParser({ file: 'x' }, (r) => seen.push(r));
    parser.push(
      enc(
        '2|arin|1|2|||x\narin|US|ipv6|2001:db8::|32||assigned\narin|US|asn|1|1||assigned\n',
      ),
    );
    parser.end();
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe(seen[1]);
    expect(seen[0]!.v6).toBe(seen[1]!.v6);
    // After an asn record the v6 words are cleared.
    expect(Array.from(seen[1]!.v6)).toEqual([0, 0, 0, 0]);
  });

  it('exposes the header as soon as the version line is read', () => {
    const parser = createDelegatedParser({ file: 'x' }, () => {});
    expect(parser.header).toBeNull();
    parser.push(enc('# c\n2|ripencc|17|0|19700101|20260928|+0200'));
    expect(parser.header).toBeNull(); // line not finished yet
    parser.push(enc('\n'));
    expect(parser.header?.serial).toBe('17');
  });

  it('an error thrown by onRecord propagates', () => {
    const parser = createDelegatedParser({ file: 'x' }, () => {
      throw new RangeError('stop');
    });
    expect(() =>
      parser.push(enc(`${ARIN_HEADER}arin|US|asn|1|1||assigned\n`)),
    ).toThrow('stop');
  });
});

describe('errors (strict)', () => {
  interface Case {
    name: string;
    text: string;
    code: string;
    line: number;
    message: string;
  }
  const header = (records = 1): string =>
    `2.3|arin|1790600421096|${records}|19700101|20260928|-0400\n`;
  const rec = (line: string): string => `${header()}${line}\n`;
  const cases: Case[] = [
    {
      name: 'empty file',
      text: '',
      code: 'DELEGATED_NO_HEADER',
      line: 0,
      message:
        'expected a version line (version|registry|serial|records|startdate|enddate|UTCoffset), found none: the file is empty or holds only comments in f',
    },
    {
      name: 'only comments',
      text: '# a\n\n# b\n',
      code: 'DELEGATED_NO_HEADER',
      line: 0,
      message: 'found none',
    },
    {
      name: 'record before the header',
      text: 'arin|US|asn|1|1||assigned\n',
      code: 'DELEGATED_NO_HEADER',
      line: 1,
      message:
        'expected a version line (version|registry|serial|records|startdate|enddate|UTCoffset) before any other line, got "arin|US|asn|1|1||assigned" at line 1 of f',
    },
    {
      name: 'version 1',
      text: '1|arin|1|0|||x\n',
      code: 'DELEGATED_BAD_VERSION',
      line: 1,
      message:
        'expected format version 2 or 2.x in field 1 (version), got "1" at line 1 of f',
    },
    {
      name: 'version 3.0',
      text: '3.0|arin|1|0|||x\n',
      code: 'DELEGATED_BAD_VERSION',
      line: 1,
      message: 'got "3.0"',
    },
    {
      name: 'header with 5 fields',
      text: '2|arin|1|0|19700101\n',
      code: 'DELEGATED_BAD_HEADER',
      line: 1,
      message:
        'expected 7 fields in the version line (version|registry|serial|records|startdate|enddate|UTCoffset), got 5 at line 1 of f',
    },
    {
      name: 'unknown registry in the header',
      text: '2|ripe|1|0|||x\n',
      code: 'DELEGATED_BAD_HEADER',
      line: 1,
      message: 'in field 2 (registry), got "ripe"',
    },
    {
      name: 'record count not a number',
      text: '2|arin|1|12a|||x\n',
      code: 'DELEGATED_BAD_HEADER',
      line: 1,
      message: 'expected a record count in field 4 (records), got "12a"',
    },
    {
      name: 'bad startdate',
      text: '2|arin|1|0|1970-01-01||x\n',
      code: 'DELEGATED_BAD_HEADER',
      line: 1,
      message:
        'expected a date yyyymmdd in field 5 (startdate), got "1970-01-01"',
    },
    {
      name: 'bad enddate',
      text: '2|arin|1|0||20261301|x\n',
      code: 'DELEGATED_BAD_HEADER',
      line: 1,
      message: 'expected a date yyyymmdd in field 6 (enddate), got "20261301"',
    },
    {
      name: 'too few fields',
      text: rec('arin|US|ipv4|1.2.3.0|256'),
      code: 'DELEGATED_BAD_LINE',
      line: 2,
      message:
        'expected at least 7 fields (registry|cc|type|start|value|date|status[|opaque-id]), got 5 at line 2 of f',
    },
    {
      name: 'second version line',
      text: rec('2.3|arin|1|0|||x'),
      code: 'DELEGATED_BAD_LINE',
      line: 2,
      message: 'got a second version line (the first is line 1)',
    },
    {
      name: 'other registry',
      text: rec('apnic|AU|ipv4|1.0.0.0|256|20110901|assigned'),
      code: 'DELEGATED_REGISTRY_MISMATCH',
      line: 2,
      message:
        'expected registry "arin" (from the version line) in field 1 (registry), got "apnic" at line 2 of f',
    },
    {
      name: 'three-letter cc',
      text: rec('arin|USA|ipv4|1.2.3.0|256||assigned'),
      code: 'DELEGATED_BAD_FIELD',
      line: 2,
      message:
        'expected a two-letter country code or nothing in field 2 (cc), got "USA"',
    },
    {
      name: 'digit in cc',
      text: rec('arin|U1|ipv4|1.2.3.0|256||assigned'),
      code: 'DELEGATED_BAD_FIELD',
      line: 2,
      message: 'in field 2 (cc), got "U1"',
    },
    {
      name: 'unknown type',
      text: rec('arin|US|ipv5|1.2.3.0|256||assigned'),
      code: 'DELEGATED_BAD_FIELD',
      line: 2,
      message:
        'expected asn, ipv4 or ipv6 in field 3 (type), got "ipv5" at line 2 of f',
    },
    {
      name: 'short IPv4 address',
      text: rec('arin|US|ipv4|1.2.3|256||assigned'),
      code: 'DELEGATED_BAD_FIELD',
      line: 2,
      message:
        'expected an IPv4 address in field 4 (start), got "1.2.3" at line 2 of f',
    },
    {
      name: 'IPv4 octet over 255',
      text: rec('arin|US|ipv4|1.2.3.256|256||assigned'),
      code: 'DELEGATED_BAD_FIELD',
      line: 2,
      message: 'in field 4 (start), got "1.2.3.256"',
    },
    {
      name: 'IPv4 count 0',
      text: rec('arin|US|ipv4|1.2.3.0|0||assigned'),
      code: 'DELEGATED_BAD_FIELD',
      line: 2,
      message:
        'expected an address count (1 or more) in field 5 (value), got "0"',
    },
    {
      name: 'IPv4 count not a number',
      text: rec('arin|US|ipv4|1.2.3.0|/24||assigned'),
      code: 'DELEGATED_BAD_FIELD',
      line: 2,
      message: 'in field 5 (value), got "/24"',
    },
    {
      name: 'IPv4 range past 255.255.255.255',
      text: rec('arin|US|ipv4|255.255.255.0|257||assigned'),
      code: 'DELEGATED_BAD_FIELD',
      line: 2,
      message:
        'expected an address count in field 5 (value) that ends the range at 255.255.255.255 or before, got "257" from "255.255.255.0"',
    },
    {
      name: 'IPv6 with a prefix in field 4',
      text: rec('arin|US|ipv6|2001:db8::/32|32||assigned'),
      code: 'DELEGATED_BAD_FIELD',
      line: 2,
      message:
        'expected an IPv6 address in field 4 (start), got "2001:db8::/32"',
    },
    {
      name: 'IPv6 with a zone id',
      text: rec('arin|US|ipv6|fe80::%eth0|64||assigned'),
      code: 'DELEGATED_BAD_FIELD',
      line: 2,
      message: 'in field 4 (start), got "fe80::%eth0"',
    },
    {
      name: 'IPv4 text in an ipv6 line',
      text: rec('arin|US|ipv6|1.2.3.0|24||assigned'),
      code: 'DELEGATED_BAD_FIELD',
      line: 2,
      message: 'expected an IPv6 address in field 4 (start)',
    },
    {
      name: 'IPv6 prefix length 129',
      text: rec('arin|US|ipv6|2001:db8::|129||assigned'),
      code: 'DELEGATED_BAD_FIELD',
      line: 2,
      message:
        'expected a prefix length 0 to 128 in field 5 (value), got "129"',
    },
    {
      name: 'ASN over 32 bits',
      text: rec('arin|US|asn|4294967296|1||assigned'),
      code: 'DELEGATED_BAD_FIELD',
      line: 2,
      message:
        'expected an AS number 0 to 4294967295 in field 4 (start), got "4294967296"',
    },
    {
      name: 'ASN with AS prefix',
      text: rec('arin|US|asn|AS13335|1||assigned'),
      code: 'DELEGATED_BAD_FIELD',
      line: 2,
      message: 'in field 4 (start), got "AS13335"',
    },
    {
      name: 'ASN count 0',
      text: rec('arin|US|asn|1|0||assigned'),
      code: 'DELEGATED_BAD_FIELD',
      line: 2,
      message: 'expected an AS count (1 or more) in field 5 (value), got "0"',
    },
    {
      name: 'ASN range past 4294967295',
      text: rec('arin|US|asn|4294967295|2||assigned'),
      code: 'DELEGATED_BAD_FIELD',
      line: 2,
      message:
        'expected an AS count in field 5 (value) that ends the range at AS4294967295 or before, got "2" from "4294967295"',
    },
    {
      name: 'month 13',
      text: rec('arin|US|asn|1|1|20191301|assigned'),
      code: 'DELEGATED_BAD_FIELD',
      line: 2,
      message:
        'expected a date yyyymmdd or nothing in field 6 (date), got "20191301" at line 2 of f',
    },
    {
      name: 'day 32',
      text: rec('arin|US|asn|1|1|20190132|assigned'),
      code: 'DELEGATED_BAD_FIELD',
      line: 2,
      message: 'in field 6 (date), got "20190132"',
    },
    {
      name: 'day 0',
      text: rec('arin|US|asn|1|1|20190100|assigned'),
      code: 'DELEGATED_BAD_FIELD',
      line: 2,
      message: 'in field 6 (date), got "20190100"',
    },
    {
      name: 'ISO date',
      text: rec('arin|US|asn|1|1|2019-01-01|assigned'),
      code: 'DELEGATED_BAD_FIELD',
      line: 2,
      message: 'in field 6 (date), got "2019-01-01"',
    },
    {
      name: 'unknown status',
      text: rec('arin|US|asn|1|1||legacy'),
      code: 'DELEGATED_BAD_FIELD',
      line: 2,
      message:
        'expected allocated, assigned, available, reserved, ianapool, ietf in field 7 (status), got "legacy" at line 2 of f',
    },
    {
      name: 'a registry name as status outside the IANA file',
      text: rec('arin|US|asn|1|1||apnic'),
      code: 'DELEGATED_BAD_FIELD',
      line: 2,
      message: 'in field 7 (status), got "apnic"',
    },
    {
      name: 'summary count not a number',
      text: rec('arin|*|ipv4|*|many|summary'),
      code: 'DELEGATED_BAD_FIELD',
      line: 2,
      message:
        'expected a record count in field 5 (count) of a summary line, got "many" at line 2 of f',
    },
    {
      name: 'summary of an unknown type',
      text: rec('arin|*|ipv7|*|1|summary'),
      code: 'DELEGATED_BAD_FIELD',
      line: 2,
      message:
        'expected asn, ipv4 or ipv6 in field 3 (type) of a summary line, got "ipv7"',
    },
    {
      name: 'summary of another registry',
      text: rec('apnic|*|ipv4|*|1|summary'),
      code: 'DELEGATED_REGISTRY_MISMATCH',
      line: 2,
      message:
        'expected registry "arin" (from the version line) in field 1 (registry) of a summary line, got "apnic"',
    },
    {
      name: 'summary with 5 fields',
      text: rec('arin|*|ipv4|*|1'),
      code: 'DELEGATED_BAD_LINE',
      line: 2,
      message:
        'expected 6 fields in a summary line (registry|*|type|*|count|summary), got 5',
    },
    {
      name: 'summary without the 2nd star',
      text: rec('arin|*|ipv4|x|1|summary'),
      code: 'DELEGATED_BAD_LINE',
      line: 2,
      message:
        'expected "*" in field 4 of a summary line (registry|*|type|*|count|summary), got "x"',
    },
    {
      name: 'summary misspelt',
      text: rec('arin|*|ipv4|*|1|summry'),
      code: 'DELEGATED_BAD_LINE',
      line: 2,
      message: 'expected "summary" in field 6 of a summary line',
    },
    {
      name: 'two summaries of one type',
      text: `${header(0)}arin|*|asn|*|0|summary\narin|*|asn|*|0|summary\n`,
      code: 'DELEGATED_BAD_LINE',
      line: 3,
      message:
        'expected one asn summary line, got a second one (the first is line 2) at line 3 of f',
    },
    {
      name: 'summary count above the lines',
      text: `${header(1)}arin|*|asn|*|2|summary\narin|US|asn|1|1||assigned\n`,
      code: 'DELEGATED_COUNT_MISMATCH',
      line: 0,
      message:
        'expected 2 asn records (summary line 2) but found 1 asn record lines in f',
    },
    {
      name: 'header count above the lines',
      text: `${header(3)}arin|US|asn|1|1||assigned\n`,
      code: 'DELEGATED_COUNT_MISMATCH',
      line: 0,
      message:
        'expected 3 records (version line 1) but found 1 record lines in f',
    },
    {
      name: 'NRO file: record of an unknown registry',
      text: '2|nro|20260928|1|19821213|20260928|+0000\nnro|ZZ|asn|1|1||reserved|x|iana\n',
      code: 'DELEGATED_REGISTRY_MISMATCH',
      line: 2,
      message:
        'expected a registry name (afrinic, apnic, arin, iana, lacnic, ripencc) in field 1 (registry), got "nro"',
    },
  ];

  for (const c of cases) {
    it(`${c.code}: ${c.name}`, () => {
      const e = errorOf(() => parseText(c.text, { file: 'f' }));
      expect(e.code).toBe(c.code);
      expect(e.line).toBe(c.line);
      expect(e.file).toBe('f');
      expect(e.message).toContain(c.message);
      expect(e.message).toMatch(
        c.line > 0 ? new RegExp(` at line ${c.line} of f$`) : / in f$/,
      );
    });
  }

  it('the IANA file accepts a registry name as status, an RIR file does not', () => {
    const iana = parseText(
      '2|iana|1|1|||+0000\niana|ZZ|asn|1|6|19920101|arin\n',
    );
    expect(iana.records[0]!.status).toBe('arin');
    expect(() =>
      parseText('2|arin|1|1|||x\narin|ZZ|asn|1|6|19920101|arin\n'),
    ).toThrow(DelegatedFileError);
  });

  it('a line longer than 1 MiB is refused, even under lenient', () => {
    const parser = createDelegatedParser(
      { file: 'f', lenient: true },
      () => {},
    );
    parser.push(enc(ARIN_HEADER));
    const big = enc('a'.repeat(64 * 1024));
    const e = errorOf(() => {
      for (let i = 0; i < 20; i++) parser.push(big);
    });
    expect(e.code).toBe('DELEGATED_BAD_LINE');
    expect(e.line).toBe(2);
    expect(e.message).toContain('line longer than');
  });
});

describe('malformed fixtures: strict and lenient', () => {
  const expectations: {
    name: string;
    code: string;
    line: number;
    message: string;
    lenient: {
      warnings: [code: string, line: number][];
      read: [number, number, number];
    } | null;
  }[] = [
    {
      name: 'malformed-no-header.txt',
      code: 'DELEGATED_NO_HEADER',
      line: 2,
      message:
        'got "arin|US|ipv4|8.0.0.0|16777216|19921202|allocated|" at line 2 of malformed-no-header.txt',
      lenient: null,
    },
    {
      name: 'malformed-bad-version.txt',
      code: 'DELEGATED_BAD_VERSION',
      line: 1,
      message:
        'field 1 (version), got "3" at line 1 of malformed-bad-version.txt',
      lenient: null,
    },
    {
      name: 'malformed-bad-header.txt',
      code: 'DELEGATED_BAD_HEADER',
      line: 1,
      message:
        'field 4 (records), got "many" at line 1 of malformed-bad-header.txt',
      lenient: null,
    },
    {
      name: 'malformed-bad-line.txt',
      code: 'DELEGATED_BAD_LINE',
      line: 4,
      message: 'got 5 at line 4 of malformed-bad-line.txt',
      // The short line is skipped; it still counts as an ipv4 record line, so counts match.
      lenient: { warnings: [['DELEGATED_BAD_LINE', 4]], read: [0, 2, 0] },
    },
    {
      name: 'malformed-bad-field.txt',
      code: 'DELEGATED_BAD_FIELD',
      line: 5,
      message:
        'expected an IPv4 address in field 4 (start), got "1.2.3" at line 5 of malformed-bad-field.txt',
      lenient: { warnings: [['DELEGATED_BAD_FIELD', 5]], read: [1, 1, 0] },
    },
    {
      name: 'malformed-registry-mismatch.txt',
      code: 'DELEGATED_REGISTRY_MISMATCH',
      line: 4,
      message:
        'field 1 (registry), got "apnic" at line 4 of malformed-registry-mismatch.txt',
      lenient: {
        warnings: [['DELEGATED_REGISTRY_MISMATCH', 4]],
        read: [0, 1, 0],
      },
    },
    {
      name: 'malformed-count-mismatch.txt',
      code: 'DELEGATED_COUNT_MISMATCH',
      line: 0,
      message:
        'expected 3 ipv4 records (summary line 3) but found 2 ipv4 record lines in malformed-count-mismatch.txt',
      lenient: {
        warnings: [
          ['DELEGATED_COUNT_MISMATCH', 0],
          ['DELEGATED_COUNT_MISMATCH', 0],
        ],
        read: [2, 2, 0],
      },
    },
  ];

  for (const x of expectations) {
    it(`${x.name}: strict throws ${x.code}`, () => {
      const e = errorOf(() => parseChunks([bytesOf(x.name)], { file: x.name }));
      expect(e.code).toBe(x.code);
      expect(e.line).toBe(x.line);
      expect(e.file).toBe(x.name);
      expect(e.message).toContain(x.message);
    });

    it(`${x.name}: lenient ${x.lenient === null ? 'still throws' : 'skips and warns'}`, () => {
      if (x.lenient === null) {
        const e = errorOf(() =>
          parseChunks([bytesOf(x.name)], { file: x.name, lenient: true }),
        );
        expect(e.code).toBe(x.code);
        return;
      }
      const { summary, warnings } = parseChunks([bytesOf(x.name)], {
        file: x.name,
        lenient: true,
      });
      expect(warnings.map((w) => [w.code, w.line])).toEqual(x.lenient.warnings);
      expect(summary.warnings).toEqual(warnings);
      expect(summary.warningCount).toBe(x.lenient.warnings.length);
      expect([summary.read.asn, summary.read.ipv4, summary.read.ipv6]).toEqual(
        x.lenient.read,
      );
      for (const w of warnings) {
        expect(w.file).toBe(x.name);
        expect(w.message).toContain(x.name);
      }
    });
  }

  it('lenient count-mismatch warnings name the type and both counts', () => {
    const { warnings } = parseChunks(
      [bytesOf('malformed-count-mismatch.txt')],
      {
        file: 'm',
        lenient: true,
      },
    );
    expect(warnings.map((w) => w.message)).toEqual([
      'expected 3 ipv4 records (summary line 3) but found 2 ipv4 record lines in m',
      'expected 5 records (version line 1) but found 4 record lines in m',
    ]);
  });

  it('keeps at most 1000 warnings but counts and reports all of them', () => {
    const lines = Array.from(
      { length: 1500 },
      (_, i) => `arin|US|ipv4|bad${i}|1||assigned\n`,
    );
    const text = `2|arin|1|1500|||x\n${lines.join('')}`;
    let calls = 0;
    const parser = createDelegatedParser(
      { file: 'f', lenient: true, onWarning: () => void calls++ },
      () => {},
    );
    parser.push(enc(text));
    const summary = parser.end();
    expect(summary.warningCount).toBe(1500);
    expect(summary.warnings).toHaveLength(1000);
    expect(calls).toBe(1500);
    expect(summary.warnings[999]!.line).toBe(1001);
    expect(summary.read.ipv4).toBe(0);
  });
});

describe('API misuse', () => {
  it('checks options and arguments', () => {
    const noop = (): void => {};
    expect(() =>
      createDelegatedParser({} as ParseDelegatedOptions, noop),
    ).toThrow(/`file`/);
    expect(() =>
      createDelegatedParser(null as unknown as ParseDelegatedOptions, noop),
    ).toThrow(TypeError);
    expect(() =>
      createDelegatedParser(
        { file: 'x', lenient: 'yes' as unknown as boolean },
        noop,
      ),
    ).toThrow(/`lenient`/);
    expect(() =>
      createDelegatedParser(
        { file: 'x', onWarning: 1 as unknown as () => void },
        noop,
      ),
    ).toThrow(/`onWarning`/);
    expect(() =>
      createDelegatedParser(
        { file: 'x' },
        'f' as unknown as (r: DelegatedRecord) => void,
      ),
    ).toThrow(/`onRecord`/);
    const parser = createDelegatedParser({ file: 'x' }, noop);
    expect(() => parser.push('text' as unknown as Uint8Array)).toThrow(
      /`chunk`/,
    );
    parser.push(enc('2|arin|1|0|||x\n'));
    parser.end();
    expect(() => parser.push(enc('x'))).toThrow(TypeError);
    expect(() => parser.end()).toThrow(TypeError);
  });
});

describe('property: generated files parse back to the generated values', () => {
  // The generator writes lines in the file format and keeps the values it
  // wrote; the parser must give those values back, whatever the chunking.
  interface Gen {
    text: string;
    expected: Plain;
  }
  const hex4 = (n: number): string => n.toString(16).padStart(4, '0');
  const pad = fc.constantFrom('', ' ', '\t', '  ');
  const tailArb = fc.record({
    date: fc.oneof(
      fc.constantFrom<[string, number]>(
        ['', 0],
        ['00000000', 0],
        ['19700101', 0],
      ),
      fc
        .record({
          y: fc.integer({ min: 1980, max: 2030 }),
          m: fc.integer({ min: 1, max: 12 }),
          d: fc.integer({ min: 1, max: 31 }),
        })
        .map(({ y, m, d }): [string, number] => {
          const n = y * 10000 + m * 100 + d;
          return [String(n), n];
        }),
    ),
    status: fc.constantFrom(
      'allocated',
      'assigned',
      'available',
      'reserved',
      'ianapool',
      'ietf',
    ),
    statusCase: fc.boolean(),
    cc: fc.oneof(fc.constant(''), fc.stringMatching(/^[A-Za-z]{2}$/)),
    opaque: fc.oneof(
      fc.constant<string | null>(null),
      fc.constant<string | null>(''),
      fc.stringMatching(/^[A-Za-z0-9-]{1,40}$/),
    ),
    pads: fc.array(pad, { minLength: 16, maxLength: 16 }),
  });
  const recordArb = fc.oneof(
    fc
      .record({
        first: fc.integer({ min: 0, max: 4294967295 }),
        frac: fc.double({ min: 0, max: 1, noNaN: true }),
        t: tailArb,
      })
      .map(({ first, frac, t }) => {
        const count = 1 + Math.floor(frac * (4294967295 - first));
        const text = [
          first >>> 24,
          (first >>> 16) & 255,
          (first >>> 8) & 255,
          first & 255,
        ].join('.');
        return {
          type: 'ipv4',
          start: text,
          value: String(count),
          first,
          last: first + count - 1,
          v6: [0, 0, 0, 0],
          prefixLength: 0,
          t,
        };
      }),
    fc
      .record({
        first: fc.integer({ min: 0, max: 4294967295 }),
        frac: fc.double({ min: 0, max: 1, noNaN: true }),
        t: tailArb,
      })
      .map(({ first, frac, t }) => {
        const count = 1 + Math.floor(frac * (4294967295 - first));
        return {
          type: 'asn',
          start: String(first),
          value: String(count),
          first,
          last: first + count - 1,
          v6: [0, 0, 0, 0],
          prefixLength: 0,
          t,
        };
      }),
    fc
      .record({
        words: fc.array(fc.integer({ min: 0, max: 4294967295 }), {
          minLength: 4,
          maxLength: 4,
        }),
        len: fc.integer({ min: 0, max: 128 }),
        t: tailArb,
      })
      .map(({ words, len, t }) => {
        // Full 8-group text; expected words masked with BigInt arithmetic.
        const groups = words.flatMap((w) => [hex4(w >>> 16), hex4(w & 0xffff)]);
        const big = words.reduce((n, w) => (n << 32n) | BigInt(w), 0n);
        const mask =
          len === 0 ? 0n : ((1n << BigInt(len)) - 1n) << BigInt(128 - len);
        const masked = big & mask;
        const v6 = [3, 2, 1, 0].map((k) =>
          Number((masked >> BigInt(32 * k)) & 0xffffffffn),
        );
        return {
          type: 'ipv6',
          start: groups.join(':'),
          value: String(len),
          first: 0,
          last: 0,
          v6,
          prefixLength: len,
          t,
        };
      }),
  );

  const fileArb = fc
    .array(recordArb, { minLength: 0, maxLength: 25 })
    .map((recs) => {
      const gens: Gen[] = recs.map((r, i) => {
        const { t } = r;
        const p = t.pads;
        const fields = [
          'ripencc',
          t.cc,
          r.type,
          r.start,
          r.value,
          t.date[0],
          t.statusCase ? t.status.toUpperCase() : t.status,
          ...(t.opaque === null ? [] : [t.opaque]),
        ];
        const text = fields
          .map((f, k) => `${p[2 * k]}${f}${p[2 * k + 1]}`)
          .join('|');
        return {
          text,
          expected: {
            line: i + 2,
            registry: 'ripencc',
            country: t.cc.toUpperCase(),
            type: r.type,
            first: r.first,
            last: r.last,
            v6: r.v6,
            prefixLength: r.prefixLength,
            date: t.date[1],
            status: t.status,
            opaqueId: t.opaque ?? '',
            hasOpaqueField: t.opaque !== null,
          },
        };
      });
      const header = `2|ripencc|1790632799|${gens.length}|19700101|20260928|+0200`;
      return {
        text: [header, ...gens.map((g) => g.text)].join('\n') + '\n',
        expected: gens.map((g) => g.expected),
      };
    });

  it('records, counts and kind match; any chunking gives the same', () => {
    fc.assert(
      fc.property(
        fileArb,
        fc.array(fc.nat(), { maxLength: 8 }),
        (file, points) => {
          const bytes = enc(file.text);
          const whole = parseChunks([bytes]);
          expect(whole.records).toEqual(file.expected);
          expect(whole.summary.header.records).toBe(file.expected.length);
          expect(whole.summary.kind).toBe(
            file.expected.some((e) => e.hasOpaqueField)
              ? 'extended'
              : 'standard',
          );
          const split = parseChunks(
            cut(
              bytes,
              points.map((p) => p % (bytes.length + 1)),
            ),
          );
          expect(split.records).toEqual(file.expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
