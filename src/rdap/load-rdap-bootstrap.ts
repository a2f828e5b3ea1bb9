/**
 * Loads a newer IANA RDAP bootstrap from a file, a directory or a URL, to
 * replace the embedded copy (pass the result as the resolver's `bootstrap`).
 */

import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SourceError } from '../errors.js';
import embeddedAsn from './bootstrap/asn.json' with { type: 'json' };
import embeddedIpv4 from './bootstrap/ipv4.json' with { type: 'json' };
import embeddedIpv6 from './bootstrap/ipv6.json' with { type: 'json' };
import { createRdapBootstrap, type RdapBootstrap } from './rdap-bootstrap.js';
import { isLoopbackHostname } from './rdap-hosts.js';

/** Options of {@link loadRdapBootstrap}. */
export interface LoadRdapBootstrapOptions {
  /** Used for URLs. Default: `globalThis.fetch`. */
  readonly fetch?: typeof fetch;
  /** Per-file download timeout. Default 30 000 ms. */
  readonly timeoutMs?: number;
  /** Largest file accepted. Default 1 MiB. */
  readonly maxBytes?: number;
  readonly signal?: AbortSignal;
}

type Kind = 'ipv4' | 'ipv6' | 'asn';
const KINDS: readonly Kind[] = ['ipv4', 'ipv6', 'asn'];

/** Guesses which registry a parsed file is from its entries. */
function kindOf(json: unknown, name: string): Kind | null {
  const lower = name.toLowerCase();
  for (const k of KINDS) if (lower.endsWith(`${k}.json`)) return k;
  const services = (json as { services?: unknown } | null)?.services;
  if (!Array.isArray(services)) return null;
  for (const item of services) {
    const entries = Array.isArray(item)
      ? (item[item.length - 2] as unknown)
      : null;
    if (!Array.isArray(entries)) continue;
    for (const e of entries) {
      if (typeof e !== 'string') continue;
      if (/^\d+(-\d+)?$/.test(e)) return 'asn';
      if (e.includes(':')) return 'ipv6';
      if (e.includes('.')) return 'ipv4';
    }
  }
  return null;
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new SourceError('SOURCE_READ_FAILED', `not JSON: ${where}`, where, {
      cause: error,
    });
  }
}

async function download(
  url: URL,
  options: LoadRdapBootstrapOptions,
): Promise<string | null> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
  const signal =
    options.signal === undefined
      ? timeout
      : AbortSignal.any([timeout, options.signal]);
  let response: Response;
  try {
    response = await doFetch(url.href, {
      signal,
      headers: { accept: 'application/json' },
      redirect: 'error',
    });
  } catch (error) {
    if (options.signal?.aborted === true) throw options.signal.reason;
    throw new SourceError(
      'SOURCE_DOWNLOAD_FAILED',
      `cannot download ${url.href}`,
      url.href,
      {
        cause: error,
      },
    );
  }
  if (response.status === 404) {
    await response.body?.cancel();
    return null;
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new SourceError(
      'SOURCE_DOWNLOAD_FAILED',
      `HTTP ${response.status} for GET ${url.href}`,
      url.href,
    );
  }
  const text = await response.text();
  if (text.length > (options.maxBytes ?? 1 << 20))
    throw new SourceError(
      'SOURCE_DOWNLOAD_FAILED',
      `too large: ${url.href}`,
      url.href,
    );
  return text;
}

/**
 * Loads bootstrap registry files and returns a bootstrap in which they replace
 * the embedded ones (kinds not found keep the embedded copy).
 *
 * `location` may be:
 * - a URL of one file (`https://data.iana.org/rdap/ipv4.json`) or of a
 *   directory holding `ipv4.json`, `ipv6.json` and `asn.json`
 *   (`https://data.iana.org/rdap/`); https only, http only to loopback;
 * - a path to one file or to a directory holding those files.
 * @throws {TypeError} when the URL is not https (or loopback http).
 * @throws {SourceError} `SOURCE_NOT_FOUND`, `SOURCE_READ_FAILED` or `SOURCE_DOWNLOAD_FAILED`.
 */
export async function loadRdapBootstrap(
  location: string | URL,
  options: LoadRdapBootstrapOptions = {},
): Promise<RdapBootstrap> {
  const loaded: Partial<Record<Kind, unknown>> = {};
  const text = location instanceof URL ? location.href : location;
  if (/^https?:\/\//i.test(text)) {
    const url = new URL(text);
    if (url.protocol !== 'https:' && !isLoopbackHostname(url.hostname))
      throw new TypeError(
        `\`location\` must be an https URL, got ${JSON.stringify(text)}`,
      );
    const targets = url.pathname.endsWith('.json')
      ? [url]
      : KINDS.map(
          (k) =>
            new URL(`${k}.json`, url.href.endsWith('/') ? url : `${url.href}/`),
        );
    for (const target of targets) {
      const body = await download(target, options);
      if (body === null) continue;
      const json = parseJson(body, target.href);
      const kind = kindOf(json, target.pathname);
      if (kind !== null) loaded[kind] = json;
    }
  } else {
    let isDir: boolean;
    try {
      isDir = (await stat(text)).isDirectory();
    } catch (error) {
      throw new SourceError(
        'SOURCE_NOT_FOUND',
        `no such bootstrap file or directory: ${text}`,
        text,
        {
          cause: error,
        },
      );
    }
    const files = isDir
      ? (await readdir(text))
          .filter((f) => KINDS.some((k) => f === `${k}.json`))
          .map((f) => join(text, f))
      : [text];
    for (const file of files) {
      let body: string;
      try {
        body = await readFile(file, 'utf8');
      } catch (error) {
        throw new SourceError(
          'SOURCE_READ_FAILED',
          `cannot read ${file}`,
          file,
          { cause: error },
        );
      }
      const json = parseJson(body, file);
      const kind = kindOf(json, file);
      if (kind !== null) loaded[kind] = json;
    }
  }
  if (Object.keys(loaded).length === 0)
    throw new SourceError(
      'SOURCE_NO_DATA',
      `no RDAP bootstrap registry found at ${text}`,
      text,
    );
  try {
    return createRdapBootstrap({
      ipv4: loaded.ipv4 ?? embeddedIpv4,
      ipv6: loaded.ipv6 ?? embeddedIpv6,
      asn: loaded.asn ?? embeddedAsn,
    });
  } catch (error) {
    throw new SourceError(
      'SOURCE_READ_FAILED',
      `invalid RDAP bootstrap at ${text}`,
      text,
      {
        cause: error,
      },
    );
  }
}
