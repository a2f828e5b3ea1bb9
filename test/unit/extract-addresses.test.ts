import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  extractAddresses,
  scanAddresses,
} from '../../src/enrich/extract-addresses.js';

const found = (line: string) => extractAddresses(line).map((a) => a.ip);

describe('extractAddresses: what is an address', () => {
  // Each line: the text, then the addresses expected, worked out by hand.
  const cases: [string, string[]][] = [
    ['plain 1.2.3.4 here', ['1.2.3.4']],
    [
      'SRC=104.156.155.5 DST=194.58.102.129 LEN=40',
      ['104.156.155.5', '194.58.102.129'],
    ],
    [
      'Failed password for root from 173.234.31.186 port 38926 ssh2',
      ['173.234.31.186'],
    ],
    [
      'reverse mapping for ns.example.com [173.234.31.186] failed',
      ['173.234.31.186'],
    ],
    [
      'New connection: 185.222.209.108:48349 (172.17.0.3:2222)',
      ['185.222.209.108', '172.17.0.3'],
    ],
    ['GET http://[2001:db8::1]:8080/x and [::1]:22', ['2001:db8::1', '::1']],
    ['client ::ffff:192.0.2.128 mapped', ['::ffff:192.0.2.128']],
    ['link fe80::1%eth0 up', ['fe80::1%eth0']],
    ['zone fe80::abcd%en0.', ['fe80::abcd%en0']],
    ['defanged 1.2.3[.]4 and 5[.]6[.]7[.]8', ['1.2.3[.]4', '5[.]6[.]7[.]8']],
    [
      'full fe80:0000:0000:0000:870a:159e:acca:01b3 form',
      ['fe80:0000:0000:0000:870a:159e:acca:01b3'],
    ],
    ['end of sentence 8.8.8.8.', ['8.8.8.8']],
    ['rhost=218.188.2.4  user=root', ['218.188.2.4']],
    ['csv,10.0.0.1,10.0.0.2,', ['10.0.0.1', '10.0.0.2']],
    ['url http://93.184.216.34/index.html', ['93.184.216.34']],
    ['search?q=60.191.124.236&f=3', ['60.191.124.236']],
    ['cidr 10.0.0.0/8 ok', ['10.0.0.0']],
    ['ipv6 2001:4860:4860::8888, then', ['2001:4860:4860::8888']],
    ['loopback ::1', ['::1']],
    ['tab\t203.0.113.9\tsep', ['203.0.113.9']],
    ['paren (198.51.100.7)', ['198.51.100.7']],
    ['quoted "192.0.2.1"', ['192.0.2.1']],
    ['leading zeros 010.001.002.003', ['010.001.002.003']],
  ];
  it.each(cases)('%s', (line, expected) => {
    expect(found(line)).toEqual(expected);
  });
});

describe('extractAddresses: what is not', () => {
  const cases: string[] = [
    'MAC=52:54:00:7c:d8:0f:fe:54:00:7c:d8:0f:08:00 PROTO=TCP',
    'ether 52:54:00:7c:d8:0f brd ff:ff:ff:ff:ff:ff',
    'version 1.2.3.4.5 released',
    'lib 4.3.2.1.in-addr.arpa PTR',
    'Dec 10 06:55:46 LabSZ sshd[24200]: session opened',
    '[17/May/2015:10:05:03 +0000] "GET /"',
    '2018-05-20T00:05:32.496124Z event',
    'Mozilla/5.0 (X11; U; Linux; en-US; rv:1.8.1.4) Gecko/20070515 Firefox/2.0.0.4',
    'Chrome/32.0.1700.77 Safari/537.36 UP.Browser/6.2.3.3.c.1.101',
    '.NET CLR 1.1.4322; .NET CLR 2.0.50727',
    'octet too big 256.1.1.1 and 1.2.3.1000',
    'three parts 1.2.3 only',
    'std::string and Foo::Bar::baz()',
    'dead::beef has no digit',
    'a lone :: is not an address',
    'ratio 12:34 and 1:2:3',
    'uuid 8e4f0c2a-0000-4000-8000-000000000001',
    'hex 0x1.2.3.4? no: v1.2.3.4',
    'id1.2.3.4 glued to a word',
  ];
  it.each(cases)('%s', (line) => {
    expect(found(line)).toEqual([]);
  });
});

describe('extractAddresses: details', () => {
  it('gives offsets, lengths, families and refanged addresses', () => {
    expect(extractAddresses('a 1.2.3[.]4 b [2001:db8::5]:443')).toEqual([
      {
        ip: '1.2.3[.]4',
        address: '1.2.3.4',
        offset: 2,
        length: 9,
        family: 4,
        defanged: true,
      },
      {
        ip: '2001:db8::5',
        address: '2001:db8::5',
        offset: 15,
        length: 11,
        family: 6,
        defanged: false,
      },
    ]);
  });

  it('takes an unbracketed IPv6 with a trailing :port as one address (documented ambiguity)', () => {
    expect(found('to 2a00:1450:401b:804::200e:80 from')).toEqual([
      '2a00:1450:401b:804::200e:80',
    ]);
  });

  it('rejects a non-string', () => {
    expect(() => extractAddresses(42 as unknown as string)).toThrow(TypeError);
  });

  it('stops at the capacity of the output array', () => {
    const out = new Int32Array(3 * 2);
    expect(scanAddresses('1.1.1.1 2.2.2.2 3.3.3.3', 0, 23, out)).toBe(2);
    expect([...out]).toEqual([0, 7, 0, 8, 15, 0]);
  });

  it('honours the from/to window', () => {
    const s = 'x 1.1.1.1 y 2.2.2.2';
    const out = new Int32Array(30);
    expect(scanAddresses(s, 9, s.length, out)).toBe(1);
    expect(out[0]).toBe(12);
  });

  it('finds every dotted quad embedded between separators (property)', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    const quad = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
    const sep = fc.constantFrom(
      ' ',
      ',',
      ';',
      '=',
      '(',
      ')',
      '[',
      ']',
      '"',
      "'",
      '<',
      '>',
      '\t',
      '|',
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(sep, quad), { minLength: 1, maxLength: 8 }),
        (parts) => {
          const line = parts.map(([s, q]) => s + q).join('') + ' ';
          expect(found(line)).toEqual(parts.map(([, q]) => q));
        },
      ),
    );
  });
});

// The real shared logs, against a second, independent extractor written as a
// regular expression from the same rules (IPv4 only: these logs have no IPv6
// but the Suricata and Cowrie files, checked separately below).
describe('extractAddresses over the real logs', () => {
  const logs = (name: string) =>
    fileURLToPath(
      new URL(`../../../shared/data/logs/${name}`, import.meta.url),
    );
  const ORACLE = /(?<![\w.:/]|\w\/)(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\w)/g;
  const oracle = (line: string) =>
    [...line.matchAll(ORACLE)]
      .filter((m) => m[0].split('.').every((o) => Number(o) <= 255))
      .map((m) => m.index);

  it.each([
    // [file, addresses counted by grep, as SOURCES.md lists where it counts the same way]
    ['openssh-auth_OpenSSH_2k.log', 1732],
    ['linux-syslog_Linux_2k.log', 1258],
    ['apache-error_Apache_2k.log', 32],
    ['ufw-kernel_ufw.log.1', 16702],
    ['iptables-kernel_iptables.log', 2364],
    ['apache-access-combined_apache_logs.log', 10001],
  ] as const)('%s: same positions as the oracle, %i in all', (file, total) => {
    const lines = readFileSync(logs(file), 'latin1').split('\n');
    let n = 0;
    for (const line of lines) {
      const mine = extractAddresses(line);
      expect(mine.map((a) => a.offset)).toEqual(oracle(line));
      n += mine.length;
    }
    expect(n).toBe(total);
  });

  it('apache access log: the user-agent version strings are skipped', () => {
    const text = readFileSync(
      logs('apache-access-combined_apache_logs.log'),
      'latin1',
    );
    // grep -c 'rv:1.8.1.4' and 'Firefox/2.0.0.4' give 65 each; none is found.
    expect(text.split('rv:1.8.1.4').length - 1).toBe(65);
    for (const line of text.split('\n'))
      expect(
        found(line).filter((ip) => ip === '1.8.1.4' || ip === '2.0.0.4'),
      ).toEqual([]);
  });

  it('suricata eve.json: fully expanded IPv6 addresses are found', () => {
    const lines = readFileSync(
      logs('suricata-eve_zeus_eve.json'),
      'latin1',
    ).split('\n');
    const v6 = new Set<string>();
    for (const line of lines)
      for (const a of extractAddresses(line)) if (a.family === 6) v6.add(a.ip);
    // Hand-checked: the file's "src_ip"/"dest_ip" values that contain colons.
    const expected = new Set<string>();
    for (const line of lines)
      for (const m of line.matchAll(/"(?:src_ip|dest_ip)":"([0-9a-f:]+)"/g))
        expected.add(m[1]!);
    for (const ip of expected) expect(v6.has(ip)).toBe(true);
    expect(v6.has('fe80:0000:0000:0000:870a:159e:acca:01b3')).toBe(true);
  });
});
