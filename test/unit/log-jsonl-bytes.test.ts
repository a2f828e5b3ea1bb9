/**
 * The jsonl form of logs, written as bytes (the calling thread's path) and
 * as text (the worker path), against a second, simple implementation built
 * from other parts: Buffer decoding, JSON.stringify for the line, the string
 * extractor for the addresses, and the registry's records for the fields.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import { AddressEnricher } from '../../src/enrich/address-enricher.js';
import {
  parseFields,
  recordFieldText,
  type RegistryField,
} from '../../src/enrich/enrich-fields.js';
import { createCounters } from '../../src/enrich/enrich-summary.js';
import { extractAddresses } from '../../src/enrich/extract-addresses.js';
import { hasBytesPath } from '../../src/enrich/segment-processor.js';
import { createLogProcessor, planLog } from '../../src/formats/log.js';
import { SPECIAL, type Registry } from '../../src/types.js';
import {
  chunked,
  enrichBytes,
  fakeRegistry,
  fixtureRegistry,
} from './enrich-helpers.js';

/** The expected output, line by line, for registry fields `fields`. */
function reference(
  input: Buffer,
  registry: Registry,
  fields: readonly RegistryField[],
): string {
  const lines = input.toString('utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines
    .map((raw) => {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      const ips = extractAddresses(line).map((a) => {
        const id = registry.lookupId(a.address);
        const entry: Record<string, unknown> = { ip: a.ip, offset: a.offset };
        for (const f of fields) {
          let v = '';
          if (id >= 0) v = recordFieldText(registry.record(id), f);
          else if (id === SPECIAL && f === 'special')
            v = registry.special(a.address) ?? '';
          entry[f] = v === '' ? null : v;
        }
        return entry;
      });
      return `${JSON.stringify({ line, ips })}\n`;
    })
    .join('');
}

/** The calling thread's output (bytes path), whole and in small pieces, and the worker's (text path). */
async function outputs(
  input: Buffer,
  registry: Registry,
  fields: string,
): Promise<string[]> {
  const whole = await enrichBytes(input, { registry, format: 'log', fields });
  const split = await enrichBytes(chunked(input, 61), {
    registry,
    format: 'log',
    fields,
    segmentBytes: 1024,
  });
  const enricher = new AddressEnricher(
    registry,
    parseFields(fields),
    'off',
    createCounters(),
  );
  const proc = createLogProcessor(
    planLog({
      annotate: 'jsonl',
      fields: parseFields(fields),
      rdapNeed: 'off',
      strict: false,
      collectIssues: false,
    }),
    enricher,
  );
  expect(hasBytesPath(proc)).toBe(true);
  const text = proc.process(input.toString('utf8')).text;
  return [whole.bytes.toString('utf8'), split.bytes.toString('utf8'), text];
}

let registry: Registry;
beforeAll(async () => {
  registry = await fixtureRegistry();
});

const ASCII_LINES = [
  'Dec 10 06:55:46 sshd[1]: Failed password for root from 1.1.1.1 port 22 ssh2',
  '83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /a\\b HTTP/1.1" 200 "-" "Mozilla/5.0 (X11; rv:1.8.1.4) Firefox/2.0.0.4"',
  'kernel: SRC=5.6.7.8 DST=10.0.0.4 MAC=52:54:00:7c:d8:0f:fe:54:00:7c:d8:0f:08:00 LEN=40',
  'tab\there ctl\x01 \x1f end\x7f 8.8.8.8',
  'inner\rcr 1.2.6.9:80',
  'crlf 1.3.0.5\r',
  '',
  '\r',
  'defanged 1.1.1[.]1 and 1[.]0[.]16[.]1:443 and [2a00:1450::9]:443',
  'v6 2001:200::1 fe80::1%eth0 ::ffff:1.0.16.1 2001:4860::1 127.0.0.1.',
  'no address here: 12:34:56 std::string 1.2.3.4.5 v1.2.3',
  '"' + '\\'.repeat(5) + '"1.1.1.1"',
  'x'.repeat(3000) + ' 5.6.7.8 "quoted"',
];

describe('log jsonl, bytes and text paths', () => {
  it('ASCII lines with escapes, CRLF, a CR inside, defanged and IPv6 addresses', async () => {
    const input = Buffer.from(`${ASCII_LINES.join('\n')}\n`, 'latin1');
    const want = reference(input, registry, [
      'rir',
      'country',
      'date',
      'status',
    ]);
    for (const got of await outputs(input, registry, 'rir,country,date,status'))
      expect(got).toBe(want);
  });

  it('UTF-8 text, invalid bytes, and a last line without its line break', async () => {
    const input = Buffer.concat([
      Buffer.from('café 1.1.1.1 "日本" 5.6.7.8\n', 'utf8'),
      Buffer.from('emoji 😀😀 2001:200::1 x\r\n', 'utf8'),
      Buffer.from([0xff, 0x20, 0x31, 0x2e, 0x31, 0x2e, 0x31, 0x2e, 0x31, 0x0a]),
      Buffer.from([0xc0, 0xaf, 0x20, 0x38, 0x2e, 0x38, 0x2e, 0x38, 0x2e, 0x38]),
      Buffer.from([0xe6, 0x97, 0x0a]), // a sequence cut by the line break
      Buffer.from('ascii again 83.149.9.216\n\u2028 1.1.1.1 end\r', 'utf8'),
    ]);
    const want = reference(input, registry, ['rir', 'special']);
    expect(want.split('\n')[1]).toContain('"offset":11'); // 6 + two surrogate pairs + 1
    for (const got of await outputs(input, registry, 'rir,special'))
      expect(got).toBe(want);
  });

  it('a line with more addresses than a scan holds', async () => {
    const addrs = Array.from({ length: 1500 }, (_, i) =>
      i % 3 === 0 ? '1.1.1.1' : i % 3 === 1 ? '8.8.8.8' : '2001:200::1',
    );
    const line = addrs.join(' ');
    const input = Buffer.from(`first 5.6.7.8\n${line}\nlast\n`);
    const ips: object[] = [];
    let offset = 0;
    for (const ip of addrs) {
      const rir =
        ip === '1.1.1.1' ? 'apnic' : ip === '8.8.8.8' ? null : 'apnic';
      ips.push({ ip, offset, rir });
      offset += ip.length + 1;
    }
    const want =
      '{"line":"first 5.6.7.8","ips":[{"ip":"5.6.7.8","offset":6,"rir":"ripencc"}]}\n' +
      `${JSON.stringify({ line, ips })}\n` +
      '{"line":"last","ips":[]}\n';
    for (const got of await outputs(input, registry, 'rir'))
      expect(got).toBe(want);
  });

  it('cached field bytes belong to one field selection; UTF-8 field values', async () => {
    const fake = fakeRegistry(
      {
        '1.2.3.4': { country: 'FR', holder: 'Société Générale — 日本' },
        '2001:db8::1': { country: 'JP', holder: 'Ω "quoted" \\ holder' },
      },
      { '10.0.0.1': 'private' },
    );
    const input = Buffer.from(
      'a 1.2.3.4 b 2001:db8::1\nc 10.0.0.1 1.2.3.4 9.9.9.9\n',
    );
    for (const fields of ['holder', 'country,special', 'rir,holder,special']) {
      const want = reference(
        input,
        fake,
        parseFields(fields) as RegistryField[],
      );
      for (const got of await outputs(input, fake, fields))
        expect(got).toBe(want);
    }
  });
});
