/**
 * Data-section encoding checked against bytes worked out by hand from the
 * MaxMind DB format 2.0 specification ("Output Data Section").
 */

import { describe, expect, it } from 'vitest';
import {
  ByteBuffer,
  MmdbDataSection,
  MmdbDouble,
  MmdbUint,
  pointerSize,
  writeControl,
  writePointer,
  writeValue,
  type MmdbValue,
} from '../../src/export/mmdb-data-section.js';

function enc(value: MmdbValue): number[] {
  const b = new ByteBuffer(8);
  writeValue(b, value);
  return [...b.view()];
}

function ptr(offset: number): number[] {
  const b = new ByteBuffer(8);
  writePointer(b, offset);
  return [...b.view()];
}

function ctrl(type: number, size: number): number[] {
  const b = new ByteBuffer(8);
  writeControl(b, type, size);
  return [...b.view()];
}

const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

describe('control byte', () => {
  it('puts types 1-7 in the top three bits and the size below', () => {
    // 010 00010: UTF-8 string, 2 bytes (spec example).
    expect(ctrl(2, 2)).toEqual([0b010_00010]);
    // 010 11100: UTF-8 string, 28 bytes (spec example).
    expect(ctrl(2, 28)).toEqual([0b010_11100]);
    // 110 00001: unsigned 32-bit int, 1 byte (spec example).
    expect(ctrl(6, 1)).toEqual([0b110_00001]);
  });

  it('writes extended types as 0 then type - 7', () => {
    // 000 00011 00000011: unsigned 128-bit int, 3 bytes (spec example).
    expect(ctrl(10, 3)).toEqual([0b000_00011, 0b0000_0011]);
    // array (11) → second byte 4; end marker (13) → 6.
    expect(ctrl(11, 0)).toEqual([0x00, 0x04]);
    expect(ctrl(13, 0)).toEqual([0x00, 0x06]);
  });

  it('extends sizes 29, 285 and 65,821 with one, two and three bytes', () => {
    // Spec examples: 80 = 29 + 51; 13,392 = 285 + 13,107 (0x3333); 3,421,264 = 65,821 + 0x333333.
    expect(ctrl(2, 80)).toEqual([0b010_11101, 0b0011_0011]);
    expect(ctrl(2, 13_392)).toEqual([0b010_11110, 0x33, 0x33]);
    expect(ctrl(2, 3_421_264)).toEqual([0b010_11111, 0x33, 0x33, 0x33]);
    // Boundaries.
    expect(ctrl(2, 28)).toEqual([0x5c]);
    expect(ctrl(2, 29)).toEqual([0x5d, 0x00]);
    expect(ctrl(2, 284)).toEqual([0x5d, 0xff]);
    expect(ctrl(2, 285)).toEqual([0x5e, 0x00, 0x00]);
    expect(ctrl(2, 65_820)).toEqual([0x5e, 0xff, 0xff]);
    expect(ctrl(2, 65_821)).toEqual([0x5f, 0x00, 0x00, 0x00]);
    expect(ctrl(2, 16_843_036)).toEqual([0x5f, 0xff, 0xff, 0xff]);
    expect(() => ctrl(2, 16_843_037)).toThrow(RangeError);
  });

  it('puts the size bytes after the extended-type byte', () => {
    // Array of 300 entries: 000 11110, type 11 - 7 = 4, then 300 - 285 = 15 in two bytes.
    expect(ctrl(11, 300)).toEqual([0x1e, 0x04, 0x00, 0x0f]);
  });
});

describe('pointers', () => {
  it('uses 11, 19, 27 and 32 value bits with the spec offsets', () => {
    // 001 SS VVV.
    expect(ptr(0)).toEqual([0x20, 0x00]);
    expect(ptr(0x123)).toEqual([0x21, 0x23]);
    expect(ptr(2047)).toEqual([0x27, 0xff]);
    // 2048 → size 1, value 0.
    expect(ptr(2048)).toEqual([0x28, 0x00, 0x00]);
    // 2048 + 0x51234 → VVV = 5, then 0x12 0x34.
    expect(ptr(2048 + 0x5_1234)).toEqual([0x2d, 0x12, 0x34]);
    expect(ptr(526_335)).toEqual([0x2f, 0xff, 0xff]);
    // 526,336 → size 2, value 0.
    expect(ptr(526_336)).toEqual([0x30, 0x00, 0x00, 0x00]);
    expect(ptr(526_336 + 0x7ff_ffff)).toEqual([0x37, 0xff, 0xff, 0xff]);
    // 134,744,064 = 526,336 + 2^27 needs 32 bits; VVV ignored (written 0).
    expect(ptr(134_744_064)).toEqual([0x38, 0x08, 0x08, 0x08, 0x00]);
    expect(ptr(0xffff_ffff)).toEqual([0x38, 0xff, 0xff, 0xff, 0xff]);
    expect(() => ptr(2 ** 32)).toThrow(RangeError);
  });

  it('reports pointer sizes', () => {
    expect(
      [0, 2047, 2048, 526_335, 526_336, 134_744_063, 134_744_064].map(
        pointerSize,
      ),
    ).toEqual([2, 2, 3, 3, 4, 4, 5]);
  });
});

describe('values', () => {
  it('encodes strings as UTF-8', () => {
    expect(enc('')).toEqual([0x40]);
    expect(enc('US')).toEqual([0x42, 0x55, 0x53]);
    // "é" is two bytes in UTF-8.
    expect(enc('é')).toEqual([0x42, 0xc3, 0xa9]);
    const long = 'x'.repeat(80);
    expect(enc(long)).toEqual([0x5d, 51, ...ascii(long)]);
  });

  it('encodes unsigned integers big-endian with the fewest bytes', () => {
    expect(enc(new MmdbUint(16, 0))).toEqual([0xa0]);
    expect(enc(new MmdbUint(16, 2))).toEqual([0xa1, 0x02]);
    expect(enc(new MmdbUint(16, 0x1234))).toEqual([0xa2, 0x12, 0x34]);
    expect(enc(new MmdbUint(32, 255))).toEqual([0xc1, 0xff]);
    expect(enc(new MmdbUint(32, 256))).toEqual([0xc2, 0x01, 0x00]);
    expect(enc(new MmdbUint(32, 0xffff_ffff))).toEqual([
      0xc4, 0xff, 0xff, 0xff, 0xff,
    ]);
    // uint64 (type 9 → extended byte 2).
    expect(enc(new MmdbUint(64, 1_700_000_000))).toEqual([
      0x04, 0x02, 0x65, 0x53, 0xf1, 0x00,
    ]);
    expect(enc(new MmdbUint(64, 0xffff_ffff_ffff_ffffn))).toEqual([
      0x08,
      0x02,
      ...Array(8).fill(0xff),
    ]);
    // uint128 (type 10 → 3).
    expect(enc(new MmdbUint(128, 1n << 120n))).toEqual([
      0x10,
      0x03,
      0x01,
      ...Array(15).fill(0),
    ]);
    expect(() => new MmdbUint(16, 65536)).toThrow(RangeError);
    expect(() => new MmdbUint(32, -1)).toThrow(RangeError);
  });

  it('encodes doubles and booleans', () => {
    // 1.5 = 0x3FF8000000000000.
    expect(enc(new MmdbDouble(1.5))).toEqual([
      0x68, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0,
    ]);
    // boolean (14 → 7): size is the value, no payload.
    expect(enc(true)).toEqual([0x01, 0x07]);
    expect(enc(false)).toEqual([0x00, 0x07]);
  });

  it('encodes maps as key/value pairs counted in pairs, and arrays counted in items', () => {
    expect(enc({ en: 'x' })).toEqual([
      0xe1,
      0x42,
      ...ascii('en'),
      0x41,
      ...ascii('x'),
    ]);
    expect(enc({})).toEqual([0xe0]);
    expect(enc(['a', 'bc'])).toEqual([
      0x02, 0x04, 0x41, 0x61, 0x42, 0x62, 0x63,
    ]);
    expect(enc([])).toEqual([0x00, 0x04]);
  });
});

describe('MmdbDataSection', () => {
  it('stores each distinct value once and refers to strings and maps by pointer', () => {
    const ds = new MmdbDataSection();
    const a = ds.add({ rir: 'apnic', country: { iso_code: 'JP' } });
    // Layout, worked out by hand:
    //  0: "rir"       43 72 69 72
    //  4: "apnic"     45 61 70 6e 69 63
    // 10: "country"   47 63 6f 75 6e 74 72 79
    // 18: "iso_code"  48 69 73 6f 5f 63 6f 64 65
    // 27: {iso_code: "JP"}   e1 20 12 42 4a 50   (key by pointer to 18, "JP" inline)
    // 33: the record  e2 20 00 20 04 20 0a 20 1b
    const expected = [
      0x43,
      ...ascii('rir'),
      0x45,
      ...ascii('apnic'),
      0x47,
      ...ascii('country'),
      0x48,
      ...ascii('iso_code'),
      0xe1,
      0x20,
      18,
      0x42,
      ...ascii('JP'),
      0xe2,
      0x20,
      0,
      0x20,
      4,
      0x20,
      10,
      0x20,
      27,
    ];
    expect([...ds.bytes()]).toEqual(expected);
    expect(a).toBe(33);
    // Same value again: same offset, nothing written.
    expect(ds.add({ rir: 'apnic', country: { iso_code: 'JP' } })).toBe(33);
    expect(ds.length).toBe(expected.length);
    // A second record shares the strings and the nested map.
    const b = ds.add({
      rir: 'apnic',
      country: { iso_code: 'JP' },
      x: ['apnic'],
    });
    // "x" is short enough to stay inline; the array ["apnic"] is stored at 42, the map after it.
    expect(b).toBe(46);
    expect([...ds.bytes().subarray(expected.length)]).toEqual([
      0x01, 0x04, 0x20, 4, 0xe3, 0x20, 0, 0x20, 4, 0x20, 10, 0x20, 27, 0x41,
      0x78, 0x20, 42,
    ]);
    expect(ds.add('apnic')).toBe(4);
  });

  it('never writes a pointer to a pointer', () => {
    const ds = new MmdbDataSection();
    const inner = ds.add({ k: 'value' });
    const outer = ds.add({ a: { k: 'value' } });
    // outer = map(1): "a" inline, pointer to inner; inner itself starts with a map byte.
    const bytes = ds.bytes();
    expect(bytes[inner]! >>> 5).toBe(7);
    expect([...bytes.subarray(outer)]).toEqual([0xe1, 0x41, 0x61, 0x20, inner]);
  });
});
