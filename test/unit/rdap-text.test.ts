/** Untrusted text, CSV formula injection, field formatting, Retry-After. */

import { describe, expect, it } from 'vitest';
import {
  formatRdapField,
  isRdapField,
} from '../../src/rdap/format-rdap-field.js';
import { neutralizeCsvFormula } from '../../src/rdap/neutralize-csv-formula.js';
import { parseRetryAfter } from '../../src/rdap/rdap-client.js';
import type { RdapInfo } from '../../src/rdap/rdap-types.js';
import { sanitizeRdapText } from '../../src/rdap/sanitize-rdap-text.js';

describe('sanitizeRdapText', () => {
  it.each([
    ['plain', 'Google LLC', 'Google LLC'],
    ['newlines and tabs', 'a\r\nb\tc', 'a b c'],
    ['escape sequences', 'x\u001b[2Jy', 'x [2Jy'],
    ['DEL and C1', 'a\u007fb\u0085c\u009bd', 'a b c d'],
    ['bidi override', 'abc\u202edef\u2066g', 'abc def g'],
    ['zero-width and BOM', '\ufeffa\u200bb', 'a b'],
    ['only controls', '\u0000\u0001', null],
    ['not a string', 42, null],
    ['keeps accents', 'Peña Pobre', 'Peña Pobre'],
  ])('%s', (_l, input, expected) => {
    expect(sanitizeRdapText(input)).toBe(expected);
  });

  it('caps length without splitting a surrogate pair', () => {
    expect(sanitizeRdapText('abcdefgh', 4)).toBe('abcd');
    expect(sanitizeRdapText('abc\u{1F600}', 4)).toBe('abc');
  });
});

describe('neutralizeCsvFormula', () => {
  it.each([
    ['=SUM(A1)', "'=SUM(A1)"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@cmd', "'@cmd"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ['Google', 'Google'],
    ['a=b', 'a=b'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(neutralizeCsvFormula(input)).toBe(expected);
  });
});

describe('formatRdapField', () => {
  const info = {
    status: 'ok',
    handle: 'NET-8-8-8-0-1',
    name: null,
    cidrs: ['13.64.0.0/11', '13.96.0.0/13'],
  } as unknown as RdapInfo;
  it('formats fields as cell text', () => {
    expect(formatRdapField(info, 'handle')).toBe('NET-8-8-8-0-1');
    expect(formatRdapField(info, 'name')).toBe('');
    expect(formatRdapField(info, 'cidrs')).toBe('13.64.0.0/11 13.96.0.0/13');
    expect(formatRdapField(info, 'status')).toBe('ok');
    expect(formatRdapField(null, 'status')).toBe('');
  });
  it('knows the field names', () => {
    expect(isRdapField('abuseEmail')).toBe(true);
    expect(isRdapField('rdap.name')).toBe(false);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 0, 1, 0, 0, 0);
  it.each([
    ['120', 120_000],
    ['0', 0],
    ['Thu, 01 Jan 2026 00:01:30 GMT', 90_000],
    ['Wed, 31 Dec 2025 23:00:00 GMT', 0],
    ['soon', null],
    [null, null],
  ])('%j → %j', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});
