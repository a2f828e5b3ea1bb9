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
const FR =
  '"rir":"ripencc","country":"FR","date":"2009-01-01","status":"allocated"';
const NULLS = '"rir":null,"country":null,"date":null,"status":null';

let registry: Registry;
beforeAll(async () => {
  registry = await fixtureRegistry();
});

describe('log, jsonl annotation (default)', () => {
  it('one object per line, offsets in the line, nulls for no answer', async () => {
    const input =
      'Dec 10 06:55:46 sshd[1]: Failed password for root from 1.1.1.1 port 22 ssh2\n' +
      'kernel: SRC=5.6.7.8 DST=10.0.0.4 MAC=52:54:00:7c:d8:0f:fe:54:00:7c:d8:0f:08:00\n' +
      'no address here\n' +
      'defanged 1.1.1[.]1 and [2a00:1450::9]:443 and 8.8.8.8';
    const { out, summary } = await enrichString(input, { registry });
    expect(out.split('\n')).toEqual([
      `{"line":"Dec 10 06:55:46 sshd[1]: Failed password for root from 1.1.1.1 port 22 ssh2","ips":[{"ip":"1.1.1.1","offset":55,${AU}}]}`,
      `{"line":"kernel: SRC=5.6.7.8 DST=10.0.0.4 MAC=52:54:00:7c:d8:0f:fe:54:00:7c:d8:0f:08:00","ips":[{"ip":"5.6.7.8","offset":12,${NL}},{"ip":"10.0.0.4","offset":24,${NULLS}}]}`,
      '{"line":"no address here","ips":[]}',
      `{"line":"defanged 1.1.1[.]1 and [2a00:1450::9]:443 and 8.8.8.8","ips":[{"ip":"1.1.1[.]1","offset":9,${AU}},{"ip":"2a00:1450::9","offset":24,${FR}},{"ip":"8.8.8.8","offset":46,${NULLS}}]}`,
      '',
    ]);
    expect(summary).toMatchObject({
      format: 'log',
      rows: 4,
      addresses: 6,
      found: 4,
      notFound: 1,
      special: 1,
      invalid: 0,
    });
    // The offsets, checked against the text itself.
    expect(
      'Dec 10 06:55:46 sshd[1]: Failed password for root from 1.1.1.1 port 22 ssh2'.indexOf(
        '1.1.1.1',
      ),
    ).toBe(55);
  });

  it('line breaks: CRLF is dropped from "line", a bare CR kept; UTF-8 text and offsets in UTF-16 units', async () => {
    const { out } = await enrichString('é 1.1.1.1\r\nx\ry 5.6.7.8\n', {
      registry,
      fields: 'rir',
    });
    expect(out).toBe(
      '{"line":"é 1.1.1.1","ips":[{"ip":"1.1.1.1","offset":2,"rir":"apnic"}]}\n' +
        '{"line":"x\\ry 5.6.7.8","ips":[{"ip":"5.6.7.8","offset":4,"rir":"ripencc"}]}\n',
    );
  });

  it('escaping: quotes, backslashes, literal \\n, tabs and control characters', async () => {
    const lines = [
      'a "quoted" 1.1.1.1 \\ back\\slash',
      'literal \\n not a break \\\\n and \\\\',
      'tab\there\u0001ctl\u001f 5.6.7.8',
      '\\',
      'ends with backslash\\',
      '',
    ];
    const input = `${lines.join('\r\n')}\n`;
    const { out } = await enrichString(input, { registry, fields: 'rir' });
    const got = out
      .split('\n')
      .slice(0, -1)
      .map((l) => JSON.parse(l).line);
    expect(got).toEqual(lines);
  });

  it('special names when the special field is selected', async () => {
    const { out } = await enrichString('from 127.0.0.1 to fe80::1%eth0\n', {
      registry,
      format: 'log',
      fields: ['rir', 'special'],
    });
    expect(out).toBe(
      '{"line":"from 127.0.0.1 to fe80::1%eth0","ips":[{"ip":"127.0.0.1","offset":5,"rir":null,"special":"loopback"},' +
        '{"ip":"fe80::1%eth0","offset":18,"rir":null,"special":"link-local"}]}\n',
    );
  });
});

describe('log, inline annotation', () => {
  it('annotations after each address; the rest of the bytes unchanged', async () => {
    const input = 'a 1.1.1.1:22 b\r\nSRC=10.0.0.4 DST=8.8.8.8\nc 1.3.0.5\n';
    const { out } = await enrichString(input, {
      registry,
      annotate: 'inline',
      format: 'log',
    });
    expect(out).toBe(
      'a 1.1.1.1 [rir=apnic cc=AU date=2011-08-11 status=assigned]:22 b\r\n' +
        'SRC=10.0.0.4 [special] DST=8.8.8.8 [not-found]\n' +
        'c 1.3.0.5 [rir=apnic date=2011-01-01 status=reserved]\n',
    );
  });

  it('with the special field', async () => {
    const { out } = await enrichString('x 192.168.1.1\n', {
      registry,
      annotate: 'inline',
      format: 'log',
      fields: 'rir,special',
    });
    expect(out).toBe('x 192.168.1.1 [special=private]\n');
  });

  it('keeps non-UTF-8 bytes', async () => {
    const input = Buffer.concat([
      Buffer.from([0xff, 0x20]),
      Buffer.from('1.1.1.1\n'),
    ]);
    const { bytes } = await enrichBytes(input, {
      registry,
      annotate: 'inline',
      format: 'log',
      fields: 'rir',
    });
    expect(
      bytes.equals(
        Buffer.concat([
          Buffer.from([0xff, 0x20]),
          Buffer.from('1.1.1.1 [rir=apnic]\n'),
        ]),
      ),
    ).toBe(true);
  });
});

describe('log streaming', () => {
  it('the same output whatever the chunking, one output line per input line', async () => {
    const lines = Array.from(
      { length: 3000 },
      (_, i) =>
        `line ${i} from ${['1.1.1.1', '5.6.7.8', '10.0.0.1', '2001:200::1'][i % 4]} port ${i}`,
    );
    const input = Buffer.from(`${lines.join('\n')}\n`);
    const whole = await enrichBytes(input, { registry });
    const split = await enrichBytes(chunked(input, 97), {
      registry,
      segmentBytes: 2048,
    });
    expect(split.bytes.equals(whole.bytes)).toBe(true);
    const out = whole.bytes.toString('utf8').split('\n');
    expect(out).toHaveLength(3001);
    out
      .slice(0, -1)
      .forEach((l, i) => expect(JSON.parse(l).line).toBe(lines[i]));
  });
});
