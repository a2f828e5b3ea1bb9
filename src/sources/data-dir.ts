/**
 * Where rirmap keeps downloaded registry files by default.
 */

import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';

/**
 * The default data directory:
 * 1. `$RIRMAP_DATA` when set and not empty;
 * 2. Linux and other Unixes: `$XDG_CACHE_HOME/rirmap` (when set to an absolute
 *    path), else `~/.cache/rirmap`;
 * 3. macOS: `~/Library/Caches/rirmap`;
 * 4. Windows: `%LOCALAPPDATA%\rirmap`, else `~\AppData\Local\rirmap`.
 *
 * Nothing is created or checked: this only computes the path.
 * @param env environment variables (`process.env` in the CLI)
 * @param platform defaults to `process.platform`
 * @param home defaults to `os.homedir()`
 */
export function defaultDataDir(
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const own = env['RIRMAP_DATA'];
  if (own !== undefined && own !== '') return own;
  if (platform === 'win32') {
    const local = env['LOCALAPPDATA'];
    if (local !== undefined && local !== '') return win32.join(local, 'rirmap');
    return win32.join(home, 'AppData', 'Local', 'rirmap');
  }
  if (platform === 'darwin')
    return posix.join(home, 'Library', 'Caches', 'rirmap');
  const xdg = env['XDG_CACHE_HOME'];
  // The XDG spec says relative paths are invalid and must be ignored.
  if (xdg !== undefined && xdg.startsWith('/'))
    return posix.join(xdg, 'rirmap');
  return posix.join(home, '.cache', 'rirmap');
}
