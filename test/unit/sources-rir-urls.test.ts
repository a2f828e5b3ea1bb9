import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BASE_URLS,
  archiveLocations,
  latestLocation,
  mirrorBaseUrl,
  normalizeBaseUrl,
  parseMd5File,
} from '../../src/sources/rir-urls.js';

describe('parseMd5File', () => {
  const d = '9dc7a1b2c3d4e5f60718293a4b5c6d7e';

  it('reads the BSD form, with or without a final newline', () => {
    expect(parseMd5File(`MD5 (delegated-ripencc-extended-latest) = ${d}`)).toBe(
      d,
    );
    expect(
      parseMd5File(
        `MD5 (delegated-apnic-extended-latest) = ${d.toUpperCase()}\n`,
      ),
    ).toBe(d);
    expect(parseMd5File(`MD5(x)=${d}\r\n`)).toBe(d);
  });

  it('reads the GNU form, ignoring the (dated) name', () => {
    expect(parseMd5File(`${d}  delegated-arin-extended-20260928\n`)).toBe(d);
    expect(parseMd5File(`${d} *delegated-arin-extended-20260928`)).toBe(d);
    expect(parseMd5File(`${d}\n`)).toBe(d);
  });

  it('refuses anything else', () => {
    for (const bad of [
      '',
      '\n',
      '<html>404</html>',
      `MD5 (x) = ${d.slice(1)}`,
      `${d}0  name`,
      `SHA256 (x) = ${d}`,
    ])
      expect(parseMd5File(bad), bad).toBeNull();
  });
});

describe('registry locations', () => {
  it('default folders of the five registries (APNIC without /pub)', () => {
    expect(latestLocation(DEFAULT_BASE_URLS.apnic, 'apnic')).toEqual({
      url: 'https://ftp.apnic.net/stats/apnic/delegated-apnic-extended-latest',
      md5Urls: [
        'https://ftp.apnic.net/stats/apnic/delegated-apnic-extended-latest.md5',
      ],
    });
    expect(latestLocation(DEFAULT_BASE_URLS.ripencc, 'ripencc').url).toBe(
      'https://ftp.ripe.net/pub/stats/ripencc/delegated-ripencc-extended-latest',
    );
  });

  it('a mirror holds <rir>/delegated-<rir>-extended-latest', () => {
    expect(
      latestLocation(
        mirrorBaseUrl('https://ftp.ripe.net/pub/stats', 'apnic'),
        'apnic',
      ).url,
    ).toBe(
      'https://ftp.ripe.net/pub/stats/apnic/delegated-apnic-extended-latest',
    );
    expect(mirrorBaseUrl('http://127.0.0.1:8080/m/', 'arin')).toBe(
      'http://127.0.0.1:8080/m/arin/',
    );
  });

  it('archive layouts per registry', () => {
    const urls = (rir: Parameters<typeof archiveLocations>[1]) =>
      archiveLocations(DEFAULT_BASE_URLS[rir], rir, 20230323).map((l) => l.url);
    expect(urls('afrinic')).toEqual([
      'https://ftp.afrinic.net/pub/stats/afrinic/2023/delegated-afrinic-extended-20230323',
      'https://ftp.afrinic.net/pub/stats/afrinic/delegated-afrinic-extended-20230323',
    ]);
    expect(urls('apnic')[0]).toBe(
      'https://ftp.apnic.net/stats/apnic/2023/delegated-apnic-extended-20230323.gz',
    );
    expect(urls('arin')).toEqual([
      'https://ftp.arin.net/pub/stats/arin/delegated-arin-extended-20230323',
      'https://ftp.arin.net/pub/stats/arin/archive/2023/delegated-arin-extended-20230323',
      'https://ftp.arin.net/pub/stats/arin/archive/2023/delegated-arin-20230323',
    ]);
    expect(urls('lacnic')[0]).toBe(
      'https://ftp.lacnic.net/pub/stats/lacnic/delegated-lacnic-extended-20230323',
    );
    const ripe = archiveLocations(
      DEFAULT_BASE_URLS.ripencc,
      'ripencc',
      20230323,
    )[0]!;
    expect(ripe).toEqual({
      url: 'https://ftp.ripe.net/pub/stats/ripencc/2023/delegated-ripencc-extended-20230323.bz2',
      md5Urls: [
        'https://ftp.ripe.net/pub/stats/ripencc/2023/delegated-ripencc-extended-20230323.bz2.md5',
        'https://ftp.ripe.net/pub/stats/ripencc/2023/delegated-ripencc-extended-20230323.md5',
      ],
    });
  });

  it('base URLs must be http(s) and get a final slash', () => {
    expect(
      normalizeBaseUrl('https://example.net/stats', 'baseUrls.apnic'),
    ).toBe('https://example.net/stats/');
    expect(() => normalizeBaseUrl('ftp://ftp.apnic.net/', 'mirror')).toThrow(
      /`mirror`/,
    );
    expect(() => normalizeBaseUrl('nope', 'mirror')).toThrow(TypeError);
  });
});
