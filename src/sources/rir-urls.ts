/**
 * Where each registry publishes its extended delegated-statistics file, its
 * `.md5`, and its archive of dated files (REFERENCE.md A2). Every location is
 * relative to a per-registry base URL, so a mirror (`--mirror`) or a test
 * server only has to replace the bases.
 */

/** The five Regional Internet Registries `update` downloads from. */
export type UpdateRir = 'afrinic' | 'apnic' | 'arin' | 'lacnic' | 'ripencc';

/** The five registries in name order. */
export const UPDATE_RIRS: readonly UpdateRir[] = [
  'afrinic',
  'apnic',
  'arin',
  'lacnic',
  'ripencc',
];

/**
 * The registries' own `pub/stats/<rir>/` folders. APNIC's has no `/pub`
 * (`ftp.apnic.net/stats/apnic/`; the aliases `/pub/stats/apnic/` and
 * `/apnic/stats/apnic/` also work).
 */
export const DEFAULT_BASE_URLS: Readonly<Record<UpdateRir, string>> = {
  afrinic: 'https://ftp.afrinic.net/pub/stats/afrinic/',
  apnic: 'https://ftp.apnic.net/stats/apnic/',
  arin: 'https://ftp.arin.net/pub/stats/arin/',
  lacnic: 'https://ftp.lacnic.net/pub/stats/lacnic/',
  ripencc: 'https://ftp.ripe.net/pub/stats/ripencc/',
};

/** One place a file may be found, with the places its checksum may be. */
export interface FileLocation {
  readonly url: string;
  /** `.md5` URLs to try in order (the first that exists is used). */
  readonly md5Urls: readonly string[];
}

/** Makes sure a base URL ends with `/`. @throws {TypeError} naming `option` for a non-http(s) URL. */
export function normalizeBaseUrl(base: string, option: string): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new TypeError(
      `\`${option}\` must be an http(s) URL, got ${JSON.stringify(base)}`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TypeError(
      `\`${option}\` must be an http(s) URL, got ${JSON.stringify(base)}`,
    );
  const text = url.href;
  return text.endsWith('/') ? text : `${text}/`;
}

/** The base URL of a registry under a mirror: `<mirror>/<rir>/`, as in the `pub/stats/` trees. */
export function mirrorBaseUrl(mirror: string, rir: UpdateRir): string {
  return `${normalizeBaseUrl(mirror, 'mirror')}${rir}/`;
}

/** The current extended file and its `.md5`. */
export function latestLocation(base: string, rir: UpdateRir): FileLocation {
  const url = `${base}delegated-${rir}-extended-latest`;
  return { url, md5Urls: [`${url}.md5`] };
}

/**
 * Where the dated extended file of one day may be, most likely first. `ymd` is
 * the date in the registries' file names (their serial date: for APNIC one day
 * after the data's end date, for LACNIC up to two days after).
 *
 * - AFRINIC: `YYYY/delegated-afrinic-extended-YYYYMMDD` (uncompressed), or a dated copy in the folder.
 * - APNIC: `YYYY/delegated-apnic-extended-YYYYMMDD.gz`, or a dated copy in the folder.
 * - ARIN: dated copies of the current year in the folder; older years in
 *   `archive/YYYY/`, named `delegated-arin-YYYYMMDD` (standard format) before about 2016.
 * - LACNIC: dated copies in the folder; older years in `archive/YYYY/` (layout unverified).
 * - RIPE NCC: `YYYY/delegated-ripencc-extended-YYYYMMDD.bz2`, whose `.md5` is
 *   the hash of the decompressed file; or a dated copy in the folder.
 *
 * Each file's checksum is looked for at `<file>.md5`, and for a compressed file also
 * at the name without `.gz`/`.bz2` plus `.md5`.
 */
export function archiveLocations(
  base: string,
  rir: UpdateRir,
  ymd: number,
): FileLocation[] {
  const d = String(ymd);
  const yyyy = d.slice(0, 4);
  const ext = `delegated-${rir}-extended-${d}`;
  const paths: string[] = [];
  switch (rir) {
    case 'afrinic':
      paths.push(`${yyyy}/${ext}`, ext);
      break;
    case 'apnic':
      paths.push(`${yyyy}/${ext}.gz`, ext, `${yyyy}/${ext}`);
      break;
    case 'arin':
      paths.push(
        ext,
        `archive/${yyyy}/${ext}`,
        `archive/${yyyy}/delegated-arin-${d}`,
      );
      break;
    case 'lacnic':
      paths.push(ext, `archive/${yyyy}/${ext}`);
      break;
    case 'ripencc':
      paths.push(`${yyyy}/${ext}.bz2`, ext);
      break;
  }
  return paths.map((p) => {
    const url = `${base}${p}`;
    const plain = url.replace(/\.(?:gz|bz2)$/, '');
    return {
      url,
      md5Urls: plain === url ? [`${url}.md5`] : [`${url}.md5`, `${plain}.md5`],
    };
  });
}

/**
 * Reads the digest out of a `.md5` file. Both forms are accepted, and the file
 * name inside is ignored (ARIN's names the dated file, not `-latest`):
 * - BSD: `MD5 (delegated-ripencc-extended-latest) = 9dc7…` (often no final newline);
 * - GNU: `0bb8…  delegated-arin-extended-20260928` (also `0bb8… *name`, or the digest alone).
 * @returns the digest in lower case, or null when the text has neither form.
 */
export function parseMd5File(text: string): string | null {
  const line = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '');
  if (line === undefined) return null;
  const bsd = /^MD5\s*\(.*\)\s*=\s*([0-9a-fA-F]{32})$/.exec(line);
  if (bsd !== null) return bsd[1]!.toLowerCase();
  const gnu = /^([0-9a-fA-F]{32})(?:\s+\*?\S.*)?$/.exec(line);
  if (gnu !== null) return gnu[1]!.toLowerCase();
  return null;
}
