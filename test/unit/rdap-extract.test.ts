/**
 * Field extraction against real RDAP responses. Every expected value below
 * was read by hand from the response file (dates converted to UTC by hand).
 */

import { describe, expect, it } from 'vitest';
import {
  extractRdapNetwork,
  noticeSignal,
} from '../../src/rdap/extract-rdap-network.js';
import { readFixture, readSharedResponse } from '../helpers/rdap-server.js';

const OPTS = { maxFieldLength: 256 };

function extract(body: unknown): Record<string, unknown> {
  const r = extractRdapNetwork(body, OPTS);
  if ('error' in r) throw new Error(r.error);
  const { startIp: _s, endIp: _e, ...fields } = r;
  return fields;
}

interface Expected {
  handle: string | null;
  name: string | null;
  type: string | null;
  country: string | null;
  start: string;
  end: string;
  cidrs: string[];
  org: string | null;
  abuseEmail: string | null;
  registered: string | null;
  lastChanged: string | null;
  parentHandle: string | null;
}

const CASES: [string, Expected][] = [
  [
    'afrinic-196.11.240.215.json', // no roles, non-CIDR range, no cidr0, no events
    {
      handle: '196.11.239.0 - 196.11.246.255',
      name: 'ORG-VSA1-AFRINIC',
      type: 'ASSIGNED PI',
      country: 'ZA',
      start: '196.11.239.0',
      end: '196.11.246.255',
      cidrs: [
        '196.11.239.0/24',
        '196.11.240.0/22',
        '196.11.244.0/23',
        '196.11.246.0/24',
      ],
      org: 'ORG-VSA1-AFRINIC',
      abuseEmail: null,
      registered: null,
      lastChanged: null,
      parentHandle: '196.0.0.0 - 196.255.255.255',
    },
  ],
  [
    'afrinic-2001:43f8:7b0::.json',
    {
      handle: '2001:43f8:07b0::/48',
      name: 'ORG-TA38-AFRINIC',
      type: 'ASSIGNED PI',
      country: 'KE',
      start: '2001:43f8:7b0::',
      end: '2001:43f8:7b0:ffff:ffff:ffff:ffff:ffff',
      cidrs: ['2001:43f8:7b0::/48'],
      org: 'ORG-TA38-AFRINIC',
      abuseEmail: null,
      registered: null,
      lastChanged: null,
      parentHandle: '2001:4200::/23',
    },
  ],
  [
    'apnic-1.1.1.1.json', // IRT abuse with a duplicate pref "1" e-mail
    {
      handle: '1.1.1.0 - 1.1.1.255',
      name: 'APNIC-LABS',
      type: 'ASSIGNED PORTABLE',
      country: 'AU',
      start: '1.1.1.0',
      end: '1.1.1.255',
      cidrs: ['1.1.1.0/24'],
      org: 'APNIC Research and Development',
      abuseEmail: 'helpdesk@apnic.net',
      registered: '2011-08-10T23:12:35Z',
      lastChanged: '2023-04-26T22:57:58Z',
      parentHandle: null,
    },
  ],
  [
    'apnic-2001:240:10c:1::ca20:9d1d.json', // no registrant: org from the "description" remark
    {
      handle: '2001:0240::/32',
      name: 'IIJ-JPNIC-JP-20000308',
      type: 'ALLOCATED PORTABLE',
      country: 'JP',
      start: '2001:240::',
      end: '2001:240:ffff:ffff:ffff:ffff:ffff:ffff',
      cidrs: ['2001:240::/32'],
      org: 'Japan Network Information Center',
      abuseEmail: null,
      registered: null,
      lastChanged: '2008-09-04T06:49:16Z',
      parentHandle: '2001:0200::/23',
    },
  ],
  [
    'apnic-210.107.73.73.json', // abuse@bora.net is a technical contact, not abuse
    {
      handle: '210.107.0.0 - 210.107.127.255',
      name: 'BORANET-NET-210-107',
      type: 'ALLOCATED PORTABLE',
      country: 'KR',
      start: '210.107.0.0',
      end: '210.107.127.255',
      cidrs: ['210.107.0.0/17'],
      org: 'DACOM Corp.',
      abuseEmail: 'hostmaster@nic.or.kr',
      registered: null,
      lastChanged: '2015-08-26T01:25:35Z',
      parentHandle: '210.0.0.0 - 210.255.255.255',
    },
  ],
  [
    'arin-13.72.183.192.json', // no country; three cidr0 blocks; dates with offsets
    {
      handle: 'NET-13-64-0-0-1',
      name: 'MSFT',
      type: 'DIRECT ALLOCATION',
      country: 'US',
      start: '13.64.0.0',
      end: '13.107.255.255',
      cidrs: ['13.64.0.0/11', '13.96.0.0/13', '13.104.0.0/14'],
      org: 'Microsoft Corporation',
      abuseEmail: 'abuse@microsoft.com',
      registered: '2015-03-26T17:58:18Z',
      lastChanged: '2021-12-15T01:28:53Z',
      parentHandle: 'NET-13-0-0-0-0',
    },
  ],
  [
    'arin-192.198.0.0.json',
    {
      handle: 'NET-192-198-0-0-1',
      name: 'RADIOLINK-ARIN-1',
      type: 'DIRECT ALLOCATION',
      country: 'US',
      start: '192.198.0.0',
      end: '192.198.3.255',
      cidrs: ['192.198.0.0/22'],
      org: 'Radio Link Internet',
      abuseEmail: 'daniel.petsinger@radiolinkinternet.com',
      registered: '2013-01-31T23:11:17Z',
      lastChanged: '2013-03-19T13:14:03Z',
      parentHandle: 'NET-192-0-0-0-0',
    },
  ],
  [
    'arin-2001:4860:4860::8888-2015.json', // upper-case uncompressed IPv6, no type, "UNITED STATES"
    {
      handle: 'NET6-2001-4860-1',
      name: 'GOOGLE-IPV6',
      type: null,
      country: 'US',
      start: '2001:4860::',
      end: '2001:4860:ffff:ffff:ffff:ffff:ffff:ffff',
      cidrs: ['2001:4860::/32'],
      org: 'Google Inc.',
      abuseEmail: 'arin-contact@google.com',
      registered: '2005-03-14T16:31:08Z',
      lastChanged: '2012-02-24T14:44:34Z',
      parentHandle: 'NET6-2001-4800-0',
    },
  ],
  [
    'arin-2606:4700:4700::1111.json',
    {
      handle: 'NET6-2606-4700-1',
      name: 'CLOUDFLARENET',
      type: 'DIRECT ALLOCATION',
      country: 'US',
      start: '2606:4700::',
      end: '2606:4700:ffff:ffff:ffff:ffff:ffff:ffff',
      cidrs: ['2606:4700::/32'],
      org: 'Cloudflare, Inc.',
      abuseEmail: 'abuse@cloudflare.com',
      registered: '2011-11-01T19:59:58Z',
      lastChanged: '2017-02-17T23:07:51Z',
      parentHandle: 'NET6-2600-1',
    },
  ],
  [
    'arin-2620:119:35::35.json', // abuse contacts only nested under the registrant
    {
      handle: 'NET6-2620-119-1',
      name: 'OPENDNS-V6-NET-1',
      type: 'DIRECT ALLOCATION',
      country: 'US',
      start: '2620:119::',
      end: '2620:119:ff:ffff:ffff:ffff:ffff:ffff',
      cidrs: ['2620:119::/40'],
      org: 'Cisco OpenDNS, LLC',
      abuseEmail: 'pzagorow@cisco.com',
      registered: '2014-04-11T22:56:49Z',
      lastChanged: '2021-12-15T01:28:35Z',
      parentHandle: 'NET6-2620-1',
    },
  ],
  [
    'arin-74.125.225.229.json', // zero-padded IPv4
    {
      handle: 'NET-74-125-0-0-1',
      name: 'GOOGLE',
      type: null,
      country: 'US',
      start: '74.125.0.0',
      end: '74.125.255.255',
      cidrs: ['74.125.0.0/16'],
      org: 'Google Inc.',
      abuseEmail: 'arin-contact@google.com',
      registered: '2007-03-13T16:09:54Z',
      lastChanged: '2012-02-24T14:44:34Z',
      parentHandle: 'NET-74-0-0-0-0',
    },
  ],
  [
    'arin-8.8.8.8.json',
    {
      handle: 'NET-8-8-8-0-1',
      name: 'LVLT-GOGL-8-8-8',
      type: 'ALLOCATION',
      country: 'US',
      start: '8.8.8.0',
      end: '8.8.8.255',
      cidrs: ['8.8.8.0/24'],
      org: 'Google LLC',
      abuseEmail: 'network-abuse@google.com',
      registered: '2014-03-14T20:52:05Z',
      lastChanged: '2014-03-14T20:52:05Z',
      parentHandle: 'NET-8-0-0-0-1',
    },
  ],
  [
    'lacnic-200.57.141.161.json', // start = end = the query (2015 LACNIC)
    {
      handle: '200.57.141.161',
      name: 'Triara.com, S.A. de C.V.',
      type: 'allocated',
      country: 'MX',
      start: '200.57.141.161',
      end: '200.57.141.161',
      cidrs: ['200.57.141.161/32'],
      org: 'Triara.com, S.A. de C.V.',
      abuseEmail: 'operacion.redes@TRIARA.COM',
      registered: null,
      lastChanged: '2014-07-16T15:43:45Z',
      parentHandle: null,
    },
  ],
  [
    'lacnic-2801:10:c000::.json', // uncompressed IPv6 written by LACNIC
    {
      handle: '2801:10:c000::',
      name: 'Universidad Catolica de Oriente',
      type: 'assigned',
      country: 'CO',
      start: '2801:10:c000::',
      end: '2801:10:c000::',
      cidrs: ['2801:10:c000::/128'],
      org: 'Universidad Catolica de Oriente',
      abuseEmail: 'sistemas.red@UCO.EDU.CO',
      registered: null,
      lastChanged: '2013-10-29T19:26:00Z',
      parentHandle: null,
    },
  ],
  [
    'ripencc-130.59.31.80.json', // org without vCard, maintainers as registrants
    {
      handle: '130.59.0.0 - 130.59.255.255',
      name: 'SWITCH-LAN',
      type: 'LEGACY',
      country: 'CH',
      start: '130.59.0.0',
      end: '130.59.255.255',
      cidrs: ['130.59.0.0/16'],
      org: null,
      abuseEmail: 'abuse@switch.ch',
      registered: null,
      lastChanged: '2021-10-19T07:12:42Z',
      parentHandle: '0.0.0.0 - 255.255.255.255',
    },
  ],
  [
    'ripencc-2a00:2381:ffff::1.json', // no objectClassName, /128-suffixed addresses, adr value null
    {
      handle: '2a00:2381:ffff::/64',
      name: 'BT-WORLD-IPVSIX-LAUNCH',
      type: 'Assigned',
      country: 'GB',
      start: '2a00:2381:ffff::',
      end: '2a00:2381:ffff:0:ffff:ffff:ffff:ffff',
      cidrs: ['2a00:2381:ffff::/64'],
      org: null,
      abuseEmail: 'zzdnsr@bt.com',
      registered: null,
      lastChanged: '2012-05-29T09:49:44Z',
      parentHandle: null,
    },
  ],
  [
    'ripencc-62.239.237.1.json', // /32-suffixed addresses
    {
      handle: '62.239.237.0 - 62.239.237.255',
      name: 'BT-CORPORATE',
      type: 'ASSIGNED PA',
      country: 'GB',
      start: '62.239.237.0',
      end: '62.239.237.255',
      cidrs: ['62.239.237.0/24'],
      org: null,
      abuseEmail: 'zzdnsr@bt.com',
      registered: null,
      lastChanged: '2008-08-14T16:54:30Z',
      parentHandle: null,
    },
  ],
];

describe('extractRdapNetwork on real responses', () => {
  it.each(CASES)('%s', (file, expected) => {
    expect(extract(readSharedResponse(file))).toEqual(expected);
  });

  it('gives the same network for an address query and a CIDR query (APNIC, ARIN)', () => {
    expect(extract(readSharedResponse('apnic-1.1.1.0_24.json'))).toEqual(
      extract(readSharedResponse('apnic-1.1.1.1.json')),
    );
    expect(extract(readSharedResponse('arin-2606:4700::_32.json'))).toEqual(
      extract(readSharedResponse('arin-2606:4700:4700::1111.json')),
    );
  });

  it('rejects the RIPE 501 error body', () => {
    expect(
      extractRdapNetwork(readSharedResponse('ripencc-error-501.json'), OPTS),
    ).toEqual({
      error: 'error object 501',
    });
  });
});

describe('extractRdapNetwork on hand-written quirks', () => {
  it('handles padded and suffixed addresses, jCard variants and untrusted text', () => {
    expect(extract(readFixture('quirks-network.json'))).toEqual({
      handle: 'NET-45-10-0-0-1',
      name: 'QUIRK [31mNET -1',
      type: 'ASSIGNED PA',
      country: 'NZ',
      start: '45.10.0.0',
      end: '45.10.2.255',
      cidrs: ['45.10.0.0/23', '45.10.2.0/24'],
      org: '=HYPERLINK("http://x") Quirk Org Ltd',
      abuseEmail: 'First@Quirk.example',
      registered: '2020-02-29T18:00:00Z',
      lastChanged: '2025-01-01T01:00:00Z',
      parentHandle: '0.0.0.0 - 255.255.255.255',
    });
  });

  it('takes the country from an ARIN-style label when the network has none', () => {
    const r = extract(readFixture('arin-no-country-v6.json'));
    expect(r['country']).toBe('CA');
    expect(r['start']).toBe('2602:f000::');
    expect(r['end']).toBe('2602:f000:0:ffff:ffff:ffff:ffff:ffff');
    expect(r['cidrs']).toEqual(['2602:f000::/48']);
    expect(r['org']).toBe('Example Six Inc.');
  });

  it('caps long text', () => {
    const body = {
      ...readFixture('quirks-network.json'),
      name: 'N'.repeat(1000),
    };
    const r = extractRdapNetwork(body, { maxFieldLength: 20 });
    expect('error' in r ? null : r.name).toBe('N'.repeat(20));
  });

  it('falls back to the computed cover when cidr0_cidrs disagrees with the range', () => {
    const body = {
      ...readSharedResponse('arin-8.8.8.8.json'),
      cidr0_cidrs: [{ v4prefix: '9.9.9.0', length: 24 }],
    };
    expect(extract(body)['cidrs']).toEqual(['8.8.8.0/24']);
  });

  it.each([
    ['not an object', [], 'body is not a JSON object'],
    [
      'another object class',
      {
        objectClassName: 'entity',
        startAddress: '1.1.1.0',
        endAddress: '1.1.1.255',
      },
      'not an ip network object',
    ],
    [
      'no range',
      { objectClassName: 'ip network' },
      'no valid startAddress/endAddress',
    ],
    [
      'reversed range',
      { startAddress: '1.1.1.255', endAddress: '1.1.1.0' },
      'startAddress/endAddress do not form a range',
    ],
    [
      'mixed families',
      { startAddress: '1.1.1.0', endAddress: '::1' },
      'startAddress/endAddress do not form a range',
    ],
    [
      'wrong ipVersion',
      { startAddress: '1.1.1.0', endAddress: '1.1.1.255', ipVersion: 'v6' },
      'ipVersion v6 does not match the range',
    ],
  ])('rejects %s', (_label, body, error) => {
    expect(extractRdapNetwork(body, OPTS)).toEqual({ error });
  });
});

describe('noticeSignal', () => {
  it('spots LACNIC rate-limit notices in a body without a network', () => {
    expect(noticeSignal(readFixture('lacnic-rate-limit-notice.json'))).toBe(
      'rate-limited',
    );
  });
  it('ignores ordinary notices of real answers', () => {
    for (const [file] of CASES)
      expect(noticeSignal(readSharedResponse(file))).toBeNull();
  });
  it('spots truncation for excessive load', () => {
    expect(
      noticeSignal({
        notices: [
          {
            title: 'Truncated',
            type: 'object truncated due to excessive load',
          },
        ],
      }),
    ).toBe('overloaded');
  });
});
