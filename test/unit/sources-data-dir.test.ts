import { describe, expect, it } from 'vitest';
import { defaultDataDir } from '../../src/sources/data-dir.js';

describe('defaultDataDir', () => {
  it('prefers $RIRMAP_DATA on every platform', () => {
    for (const p of ['linux', 'darwin', 'win32'] as const)
      expect(
        defaultDataDir(
          { RIRMAP_DATA: '/data/rir', XDG_CACHE_HOME: '/x' },
          p,
          '/home/u',
        ),
      ).toBe('/data/rir');
  });

  it('Linux: $XDG_CACHE_HOME/rirmap, else ~/.cache/rirmap', () => {
    expect(
      defaultDataDir({ XDG_CACHE_HOME: '/var/cache/u' }, 'linux', '/home/u'),
    ).toBe('/var/cache/u/rirmap');
    expect(defaultDataDir({}, 'linux', '/home/u')).toBe(
      '/home/u/.cache/rirmap',
    );
    expect(defaultDataDir({ RIRMAP_DATA: '' }, 'freebsd', '/home/u')).toBe(
      '/home/u/.cache/rirmap',
    );
    // A relative XDG_CACHE_HOME is invalid by the XDG spec and ignored.
    expect(
      defaultDataDir({ XDG_CACHE_HOME: 'cache' }, 'linux', '/home/u'),
    ).toBe('/home/u/.cache/rirmap');
  });

  it('macOS: ~/Library/Caches/rirmap', () => {
    expect(defaultDataDir({ XDG_CACHE_HOME: '/x' }, 'darwin', '/Users/u')).toBe(
      '/Users/u/Library/Caches/rirmap',
    );
  });

  it('Windows: %LOCALAPPDATA%\\rirmap', () => {
    expect(
      defaultDataDir(
        { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' },
        'win32',
        'C:\\Users\\u',
      ),
    ).toBe('C:\\Users\\u\\AppData\\Local\\rirmap');
    expect(defaultDataDir({}, 'win32', 'C:\\Users\\u')).toBe(
      'C:\\Users\\u\\AppData\\Local\\rirmap',
    );
  });
});
