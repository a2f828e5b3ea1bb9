import { beforeAll, describe, expect, it } from 'vitest';
import type { Registry } from '../../src/types.js';
import {
  chunked,
  enrichBytes,
  enrichString,
  fixtureRegistry,
} from './enrich-helpers.js';

// Values read by hand from fixtures/enrich/registry/*.
const AU =
  '"rir":"apnic","country":"AU","date":"2011-08-11","status":"assigned"';
const NL =
  '"rir":"ripencc","country":"NL","date":"2012-01-01","status":"allocated"';
const NULLS = '"rir":null,"country":null,"date":null,"status":null';

let registry: Registry;
beforeAll(async () => {
  registry = await fixtureRegistry();
});

describe('JSON lines', () => {
  it('detects address keys; adds one object per key before the closing brace; keeps the rest', async () => {
    const input =
      '{"ts":1, "src_ip": "1.1.1.1", "dest_ip":"5.6.7.8", "n": {"a":1}}\n' +
      '{"ts":2,"src_ip":"10.0.0.9","dest_ip":"nope"}  \n' +
      '{"ts":3,"dest_ip":"1.1.1.1"}\n' +
      '\n' +
      'not json\n' +
      '{"ts":4,"src_ip":7,"dest_ip":"8.8.8.8"}';
    const { out, summary } = await enrichString(input, { registry });
    expect(out).toBe(
      `{"ts":1, "src_ip": "1.1.1.1", "dest_ip":"5.6.7.8", "n": {"a":1},"src_ip_registry":{${AU}},"dest_ip_registry":{${NL}}}\n` +
        `{"ts":2,"src_ip":"10.0.0.9","dest_ip":"nope","src_ip_registry":{${NULLS}},"dest_ip_registry":{${NULLS},"error":"invalid"}}  \n` +
        `{"ts":3,"dest_ip":"1.1.1.1","src_ip_registry":{${NULLS},"error":"missing"},"dest_ip_registry":{${AU}}}\n` +
        '\n' +
        'not json\n' +
        `{"ts":4,"src_ip":7,"dest_ip":"8.8.8.8","src_ip_registry":{${NULLS},"error":"invalid"},"dest_ip_registry":{${NULLS}}}`,
    );
    expect(summary).toMatchObject({
      format: 'jsonl',
      columns: ['src_ip', 'dest_ip'],
      rows: 5,
      blankLines: 1,
      malformedRows: 1,
      found: 3,
      special: 1,
      notFound: 1,
      invalid: 2,
      missing: 1,
    });
    for (const line of out.split('\n'))
      if (line.startsWith('{')) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('named keys, dotted paths and literal dotted keys (Zeek JSON)', async () => {
    const input = '{"id.orig_h":"1.1.1.1","x":{"ip":"5.6.7.8"}}\n{}\n';
    const { out } = await enrichString(input, {
      registry,
      format: 'jsonl',
      columns: ['id.orig_h', 'x.ip'],
      fields: 'rir',
    });
    expect(out).toBe(
      '{"id.orig_h":"1.1.1.1","x":{"ip":"5.6.7.8"},"id.orig_h_registry":{"rir":"apnic"},"x.ip_registry":{"rir":"ripencc"}}\n' +
        '{"id.orig_h_registry":{"rir":null,"error":"missing"},"x.ip_registry":{"rir":null,"error":"missing"}}\n',
    );
  });

  it('non-ASCII text around the values is kept byte for byte', async () => {
    const input = Buffer.from('{"msg":"café ü","ip":"1.1.1.1"}\n', 'utf8');
    const { bytes } = await enrichBytes(input, { registry, fields: 'country' });
    expect(bytes.toString('utf8')).toBe(
      '{"msg":"café ü","ip":"1.1.1.1","ip_registry":{"country":"AU"}}\n',
    );
  });

  it('strict: a line that is not an object stops the run', async () => {
    await expect(
      enrichString('{"ip":"1.1.1.1"}\n[1,2]\n', {
        registry,
        format: 'jsonl',
        columns: ['ip'],
        strict: true,
      }),
    ).rejects.toMatchObject({
      code: 'ENRICH_ROW',
      message: expect.stringMatching(/row 2 \(line 2\)/),
    });
  });
});

const ZEEK_HEAD =
  '#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n' +
  '#fields\tts\tid.orig_h\tid.resp_h\tproto\n#types\ttime\taddr\taddr\tenum\n';

describe('Zeek TSV', () => {
  it('addr columns from #types; header lines extended; unset values', async () => {
    const input = `${ZEEK_HEAD}1.0\t1.1.1.1\t10.0.0.1\ttcp\n2.0\t-\t5.6.7.8\tudp\n#close\t2025-01-01\n`;
    const { out, summary } = await enrichString(input, {
      registry,
      fields: 'rir,country',
    });
    expect(out).toBe(
      '#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n' +
        '#fields\tts\tid.orig_h\tid.resp_h\tproto\tid.orig_h_rir\tid.orig_h_country\tid.orig_h_error\tid.resp_h_rir\tid.resp_h_country\tid.resp_h_error\n' +
        '#types\ttime\taddr\taddr\tenum\tstring\tstring\tstring\tstring\tstring\tstring\n' +
        '1.0\t1.1.1.1\t10.0.0.1\ttcp\tapnic\tAU\t-\t-\t-\t-\n' +
        '2.0\t-\t5.6.7.8\tudp\t-\t-\tmissing\tripencc\tNL\t-\n' +
        '#close\t2025-01-01\n',
    );
    expect(summary).toMatchObject({
      format: 'zeek',
      columns: ['id.orig_h', 'id.resp_h'],
      rows: 2,
      controlLines: 8,
    });
  });

  it('a second header block (concatenated logs) is planned afresh', async () => {
    const second =
      '#separator \\x09\n#fields\tid.resp_h\tnote\n#types\taddr\tstring\n5.6.7.8\thello\n';
    const input = `${ZEEK_HEAD}1.0\t1.1.1.1\t10.0.0.1\ttcp\n${second}`;
    const whole = await enrichBytes(input, { registry, fields: 'rir' });
    const split = await enrichBytes(chunked(Buffer.from(input), 5), {
      registry,
      fields: 'rir',
    });
    expect(split.bytes.equals(whole.bytes)).toBe(true);
    expect(whole.bytes.toString().split('\n').slice(-4)).toEqual([
      '#fields\tid.resp_h\tnote\tid.resp_h_rir\tid.resp_h_error',
      '#types\taddr\tstring\tstring\tstring',
      '5.6.7.8\thello\tripencc\t-',
      '',
    ]);
  });
});
