/**
 * The embedded IANA bootstrap, loading a newer one, base-URL validation and
 * the redirect allow-list. Expected servers were read from
 * ../shared/data/rdap/bootstrap/*.json by hand.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRdapBootstrap } from '../../src/rdap/load-rdap-bootstrap.js';
import {
  createRdapBootstrap,
  EMBEDDED_RDAP_BOOTSTRAP,
} from '../../src/rdap/rdap-bootstrap.js';
import {
  baseUrlOfQuery,
  isLoopbackHostname,
  parseRdapBaseUrl,
  RedirectPolicy,
  rirOfKnownHost,
} from '../../src/rdap/rdap-hosts.js';
import { parseQueryIp } from '../../src/rdap/rdap-ip.js';

const SHARED_BOOTSTRAP = fileURLToPath(
  new URL('../../../shared/data/rdap/bootstrap/', import.meta.url),
);

function server(ip: string): string | null {
  return (
    EMBEDDED_RDAP_BOOTSTRAP.serverForIp(parseQueryIp(ip)!)?.baseUrl ?? null
  );
}

describe('embedded bootstrap', () => {
  it('records the publication dates of the copied files', () => {
    expect(EMBEDDED_RDAP_BOOTSTRAP.publication).toEqual({
      ipv4: '2019-06-07T19:00:02Z',
      ipv6: '2019-11-06T19:00:04Z',
      asn: '2024-04-10T20:00:01Z',
    });
  });

  it.each([
    ['8.8.8.8', 'https://rdap.arin.net/registry/'],
    ['41.1.2.3', 'https://rdap.afrinic.net/rdap/'],
    ['1.1.1.1', 'https://rdap.apnic.net/'],
    ['62.239.237.1', 'https://rdap.db.ripe.net/'],
    ['200.57.141.161', 'https://rdap.lacnic.net/rdap/'],
    ['2001:4860::8888', 'https://rdap.arin.net/registry/'], // in ARIN's 2001:4800::/23
    ['2001:4200::1', 'https://rdap.afrinic.net/rdap/'],
    ['2a00:2381:ffff::1', 'https://rdap.db.ripe.net/'],
    ['2801:10:c000::', 'https://rdap.lacnic.net/rdap/'],
    ['2606:4700::1111', 'https://rdap.arin.net/registry/'],
    ['10.0.0.1', null],
    ['3000::1', null],
  ])('%s → %s', (ip, expected) => {
    expect(server(ip)).toBe(expected);
  });

  it('chooses https when both schemes are listed, and names the matching entry', () => {
    expect(
      EMBEDDED_RDAP_BOOTSTRAP.serverForIp(parseQueryIp('41.1.2.3')!),
    ).toEqual({
      baseUrl: 'https://rdap.afrinic.net/rdap/',
      entry: '41.0.0.0/8',
    });
  });

  it('answers ASN ranges', () => {
    expect(EMBEDDED_RDAP_BOOTSTRAP.serverForAsn(36864)?.baseUrl).toBe(
      'https://rdap.afrinic.net/rdap/',
    );
    expect(EMBEDDED_RDAP_BOOTSTRAP.serverForAsn(37887)?.entry).toBe(
      '36864-37887',
    );
  });

  it('lists the hosts it names (https only)', () => {
    expect(EMBEDDED_RDAP_BOOTSTRAP.hosts()).toEqual([
      'rdap.afrinic.net',
      'rdap.apnic.net',
      'rdap.arin.net',
      'rdap.db.ripe.net',
      'rdap.lacnic.net',
    ]);
  });

  it('prefers the longest prefix', () => {
    const b = createRdapBootstrap({
      ipv4: {
        services: [
          [['45.0.0.0/8'], ['https://wide.example/']],
          [['45.10.0.0/16'], ['https://narrow.example/rdap']],
        ],
      },
    });
    expect(b.serverForIp(parseQueryIp('45.10.1.1')!)).toEqual({
      baseUrl: 'https://narrow.example/rdap/',
      entry: '45.10.0.0/16',
    });
    expect(b.serverForIp(parseQueryIp('45.11.1.1')!)?.baseUrl).toBe(
      'https://wide.example/',
    );
    expect(b.publication.ipv6).toBeNull();
  });

  it('skips services with only http URLs and malformed entries', () => {
    const b = createRdapBootstrap({
      ipv4: {
        services: [
          [['45.0.0.0/8', 'junk'], ['http://plain.example/']],
          'x',
          [['46.0.0.0/8']],
        ],
      },
    });
    expect(b.serverForIp(parseQueryIp('45.1.1.1')!)).toBeNull();
    expect(() => createRdapBootstrap({ ipv4: { nope: 1 } })).toThrow(TypeError);
  });
});

describe('loadRdapBootstrap', () => {
  let dir: string;
  const newer = {
    version: '1.0',
    publication: '2026-09-01T00:00:00Z',
    services: [[['45.0.0.0/8'], ['https://rdap.newer.example/']]],
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rirmap-boot-'));
    await writeFile(join(dir, 'ipv4.json'), JSON.stringify(newer));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the real files from a directory', async () => {
    const b = await loadRdapBootstrap(SHARED_BOOTSTRAP);
    expect(b.publication.ipv4).toBe('2019-06-07T19:00:02Z');
    expect(b.serverForIp(parseQueryIp('8.8.8.8')!)?.baseUrl).toBe(
      'https://rdap.arin.net/registry/',
    );
  });

  it('replaces only the kinds it finds', async () => {
    const b = await loadRdapBootstrap(join(dir, 'ipv4.json'));
    expect(b.publication).toEqual({
      ipv4: '2026-09-01T00:00:00Z',
      ipv6: '2019-11-06T19:00:04Z',
      asn: '2024-04-10T20:00:01Z',
    });
    expect(b.serverForIp(parseQueryIp('45.1.1.1')!)?.baseUrl).toBe(
      'https://rdap.newer.example/',
    );
    expect(b.hosts()).toContain('rdap.newer.example');
  });

  it('loads from a URL with an injected fetch', async () => {
    const seen: string[] = [];
    const fakeFetch: typeof fetch = async (input) => {
      const url = String(input);
      seen.push(url);
      return url.endsWith('/ipv4.json')
        ? new Response(JSON.stringify(newer), { status: 200 })
        : new Response('not here', { status: 404 });
    };
    const b = await loadRdapBootstrap('https://data.iana.org/rdap/', {
      fetch: fakeFetch,
    });
    expect(seen).toEqual([
      'https://data.iana.org/rdap/ipv4.json',
      'https://data.iana.org/rdap/ipv6.json',
      'https://data.iana.org/rdap/asn.json',
    ]);
    expect(b.publication.ipv4).toBe('2026-09-01T00:00:00Z');
  });

  it('refuses plain http off loopback and reports missing files', async () => {
    await expect(
      loadRdapBootstrap('http://data.iana.org/rdap/'),
    ).rejects.toThrow(TypeError);
    await expect(
      loadRdapBootstrap(join(dir, 'missing.json')),
    ).rejects.toMatchObject({
      code: 'SOURCE_NOT_FOUND',
    });
  });
});

describe('hosts', () => {
  it('validates base URLs', () => {
    expect(parseRdapBaseUrl('https://rdap.example/rdap', 'x')).toBe(
      'https://rdap.example/rdap/',
    );
    expect(parseRdapBaseUrl('http://127.0.0.1:8080/', 'x')).toBe(
      'http://127.0.0.1:8080/',
    );
    expect(parseRdapBaseUrl('http://[::1]:8080', 'x')).toBe(
      'http://[::1]:8080/',
    );
    expect(() =>
      parseRdapBaseUrl('http://rdap.example/', 'rdapServers.arin'),
    ).toThrow(/`rdapServers.arin` must be an https URL/);
    expect(() => parseRdapBaseUrl('ftp://rdap.example/', 'x')).toThrow(
      TypeError,
    );
    expect(() => parseRdapBaseUrl('https://u:p@rdap.example/', 'x')).toThrow(
      TypeError,
    );
    expect(() => parseRdapBaseUrl('not a url', 'x')).toThrow(TypeError);
  });

  it('knows loopback names', () => {
    expect(
      ['localhost', '127.0.0.1', '127.9.9.9', '[::1]'].map(isLoopbackHostname),
    ).toEqual([true, true, true, true]);
    expect(
      ['128.0.0.1', 'example.org', '127.0.0.1.example.org'].map(
        isLoopbackHostname,
      ),
    ).toEqual([false, false, false]);
  });

  it('maps hosts to registries, NIRs included', () => {
    expect(rirOfKnownHost('rdap.db.ripe.net')).toBe('ripencc');
    expect(rirOfKnownHost('jpnic.rdap.apnic.net')).toBe('apnic');
    expect(rirOfKnownHost('rdap.registro.br')).toBe('lacnic');
    expect(rirOfKnownHost('rdap.example')).toBeNull();
  });

  it('allows redirects only to listed https hosts, loopback only when explicit', () => {
    const p = new RedirectPolicy(
      ['rdap.bootstrap-only.example'],
      ['127.0.0.1:9999'],
    );
    expect(
      p.check(new URL('https://rdap.arin.net/registry/ip/1.1.1.1')),
    ).toBeNull();
    expect(
      p.check(new URL('https://twnic.rdap.apnic.net/ip/1.1.1.1')),
    ).toBeNull();
    expect(
      p.check(new URL('https://rdap.bootstrap-only.example/ip/1.1.1.1')),
    ).toBeNull();
    expect(p.check(new URL('http://127.0.0.1:9999/ip/1.1.1.1'))).toBeNull();
    expect(
      p.check(new URL('http://rdap.arin.net/registry/ip/1.1.1.1')),
    ).toMatch(/non-https/);
    expect(p.check(new URL('https://127.0.0.1:9998/ip/1.1.1.1'))).toMatch(
      /loopback/,
    );
    expect(p.check(new URL('https://evil.example/ip/1.1.1.1'))).toMatch(
      /allow-list/,
    );
    expect(p.check(new URL('https://user@rdap.arin.net/ip/1.1.1.1'))).toMatch(
      /credentials/,
    );
  });

  it('derives the server base URL from a query URL', () => {
    expect(baseUrlOfQuery('https://rdap.arin.net/registry/ip/8.8.8.8')).toBe(
      'https://rdap.arin.net/registry/',
    );
    expect(baseUrlOfQuery('http://127.0.0.1:1234/rdap/ip/2001:db8::1')).toBe(
      'http://127.0.0.1:1234/rdap/',
    );
    expect(baseUrlOfQuery('https://rdap.example/other')).toBe(
      'https://rdap.example/',
    );
  });
});
