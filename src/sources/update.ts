/**
 * `updateRegistries`: downloads each registry's extended delegated-statistics
 * file (the current one, or the archived one of a date), checks it, and saves
 * it under its dated name in the data directory.
 *
 * Nothing replaces anything until a download has passed every check:
 * 1. the HTTP transfer completed (status 200, `Content-Length` honoured, no
 *    stall longer than `timeoutMs`, at most `maxBytes`);
 * 2. the registry's published MD5 (`.md5`, BSD or GNU form) matches the bytes,
 *    or, for an archive that is compressed, the decompressed bytes;
 * 3. a strict full parse: version line of the right registry, every line well
 *    formed, header and summary counts equal to the records read.
 * The checked file is then written to a hidden temporary name in the data
 * directory and renamed to `delegated-<rir>[-extended]-<yyyymmdd>[.gz]`, where
 * the date is the header's end date (RIPE NCC's serial is epoch seconds, so
 * serials are not used). Files of earlier dates are never touched, so the
 * previous good file stays, and the loader's newest-per-registry rule picks the
 * new one. Conditional requests (`If-None-Match`, `If-Modified-Since`) use what
 * the last run stored in `rirmap-update-state.json` in the data directory.
 *
 * Failures are per registry: transient ones (network, timeouts, HTTP 408, 429
 * and 5xx, truncated bodies, checksum mismatches, a missing `.md5`) are
 * retried with exponential backoff; others (404, a file of another registry, a
 * disk error) end that registry's update at once.
 */

import { createHash, randomBytes } from 'node:crypto';
import {
  mkdir,
  open,
  readFile,
  readdir,
  rename,
  stat,
  unlink,
} from 'node:fs/promises';
import { basename, join } from 'node:path';
import { gunzip, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import {
  DelegatedFileError,
  RegistryError,
  SourceError,
  type RegistryErrorCode,
} from '../errors.js';
import { parseDelegated } from '../delegated/parse-delegated.js';
import type { DelegatedFileSummary } from '../delegated/delegated-record.js';
import { bunzip2, detectCompression } from './decompress.js';
import {
  DEFAULT_BASE_URLS,
  UPDATE_RIRS,
  archiveLocations,
  latestLocation,
  mirrorBaseUrl,
  normalizeBaseUrl,
  parseMd5File,
  type FileLocation,
  type UpdateRir,
} from './rir-urls.js';
import {
  formatYmd,
  parseAsOf,
  selectDataFilesDetailed,
} from './select-files.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** Name of the small JSON file, in the data directory, holding ETags and what was saved. */
export const UPDATE_STATE_FILE = 'rirmap-update-state.json';

/** The file-system operations `update` performs on the data directory; replace them in tests. */
export interface UpdateFileSystem {
  /** Creates `path` (it does not exist yet) with `data`, flushed to disk. */
  writeFile(path: string, data: Uint8Array): Promise<void>;
  /** Renames atomically, replacing `to`. */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; a missing file is not an error. */
  unlink(path: string): Promise<void>;
}

/** The real file system. */
export const NODE_UPDATE_FS: UpdateFileSystem = {
  async writeFile(path, data) {
    const handle = await open(path, 'wx');
    try {
      let offset = 0;
      while (offset < data.length) {
        const { bytesWritten } = await handle.write(
          data,
          offset,
          data.length - offset,
        );
        offset += bytesWritten;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename: (from, to) => rename(from, to),
  async unlink(path) {
    try {
      await unlink(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  },
};

/** A step of one registry's update, for progress displays. */
export interface UpdateProgress {
  readonly rir: UpdateRir;
  readonly phase:
    'request' | 'download' | 'verify' | 'write' | 'retry' | 'done';
  /** Bytes received so far in this attempt. */
  readonly received: number;
  /** Expected bytes (`Content-Length`), or null when unknown. */
  readonly total: number | null;
  /** 1-based attempt number. */
  readonly attempt: number;
}

/** Options of {@link updateRegistries}. */
export interface UpdateOptions {
  /** The data directory (created when missing). The CLI defaults it to `defaultDataDir()`. */
  readonly dir: string;
  /** Registries to update. Default: all five. */
  readonly rirs?: readonly UpdateRir[];
  /** Per-registry base URLs (the folder holding `delegated-<rir>-extended-latest`). Default: the registries' own. */
  readonly baseUrls?: Partial<Readonly<Record<UpdateRir, string>>>;
  /** One base for all: `<mirror>/<rir>/delegated-<rir>-extended-latest` and `.md5`. Overrides `baseUrls`. */
  readonly mirror?: string;
  /**
   * Fetch the archived file of this date (`yyyy-mm-dd`) instead of the current
   * one: the date in the registries' file names.
   */
  readonly date?: string;
  /** Refuse any network access: throws `SOURCE_OFFLINE`. Default false. */
  readonly offline?: boolean;
  /** Accept a file whose registry publishes no `.md5` (counts and parse are still checked). Default false. */
  readonly allowMissingMd5?: boolean;
  /** Store files gzip-compressed (`.gz`). Default true. */
  readonly compress?: boolean;
  /** A request fails when no byte arrives for this long. Default 60000. */
  readonly timeoutMs?: number;
  /** Attempts per registry, the first included. Default 4. */
  readonly attempts?: number;
  /** Wait before the first retry; doubled for each further retry. Default 2000. */
  readonly retryDelayMs?: number;
  /** Largest download accepted. Default 512 MiB. */
  readonly maxBytes?: number;
  /** Cancels every download. */
  readonly signal?: AbortSignal;
  /** Called as downloads progress. */
  readonly onProgress?: (event: UpdateProgress) => void;
  /** Injected `fetch`. Default `globalThis.fetch`. */
  readonly fetch?: typeof globalThis.fetch;
  /** Injected clock (ms since the epoch), for the state file. Default `Date.now`. */
  readonly now?: () => number;
  /** Injected wait between retries. Default a timer. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Injected file-system writes. Default {@link NODE_UPDATE_FS}. */
  readonly fs?: UpdateFileSystem;
  /** `User-Agent` header. Default `rirmap`. */
  readonly userAgent?: string;
}

/** What happened to one registry. */
export interface RegistryUpdateResult {
  readonly rir: UpdateRir;
  /** `updated`: a new file was saved; `unchanged`: the registry's file had not changed; `failed`. */
  readonly status: 'updated' | 'unchanged' | 'failed';
  /** The URL of the file (the one tried last on failure). */
  readonly url: string;
  /** Path of the file now current for this registry: the new one, or the one kept; null when none. */
  readonly file: string | null;
  /** Header end date (yyyymmdd) of `file`, 0 when unknown. */
  readonly endDate: number;
  /** Records in the new file (updated only), else 0. */
  readonly records: number;
  /** Bytes downloaded over all attempts. */
  readonly bytes: number;
  readonly attempts: number;
  /** Failed only: why. */
  readonly error?: RegistryError;
  /**
   * Failed only: true when the failure looks transient (a stale or missing
   * `.md5`, a mirror out of step, a network problem): run `update` again later.
   */
  readonly retryLater?: boolean;
  /** One line for humans. */
  readonly message: string;
}

/** What {@link updateRegistries} did. */
export interface UpdateSummary {
  readonly dir: string;
  readonly results: readonly RegistryUpdateResult[];
  readonly updated: number;
  readonly unchanged: number;
  readonly failed: number;
  /** Problems that did not fail an update (e.g. the state file could not be written). */
  readonly warnings: readonly string[];
}

/**
 * Exit code of `rirmap update`: 0 when every registry was updated or is
 * unchanged, 1 when some failed, 3 when all failed (2 is a usage error).
 */
export function updateExitCode(summary: UpdateSummary): number {
  if (summary.failed === 0) return 0;
  return summary.failed === summary.results.length ? 3 : 1;
}

interface StateEntry {
  etag?: string;
  lastModified?: string;
  /** Base name of the file saved from this URL. */
  file: string;
  /** MD5 of the saved file's content (decompressed). */
  md5: string;
  endDate: number;
  records: number;
  updatedAt: string;
  checkedAt: string;
}

interface UpdateState {
  version: 1;
  entries: Record<string, StateEntry>;
}

/** Raised inside an attempt; `retry` says whether another attempt may help. */
class AttemptError extends Error {
  readonly retry: boolean;
  readonly error: RegistryError;
  constructor(error: RegistryError, retry: boolean) {
    super(error.message);
    this.error = error;
    this.retry = retry;
  }
}

function fail(
  code: RegistryErrorCode,
  message: string,
  url: string,
  retry: boolean,
  cause?: unknown,
): never {
  throw new AttemptError(
    new SourceError(
      code,
      message,
      url,
      cause === undefined ? undefined : { cause },
    ),
    retry,
  );
}

function md5Hex(data: Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function checkOptions(options: UpdateOptions): void {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('`options` must be an object');
  if (typeof options.dir !== 'string' || options.dir === '')
    throw new TypeError('`dir` must be a non-empty path');
  if (options.rirs !== undefined) {
    if (!Array.isArray(options.rirs) || options.rirs.length === 0)
      throw new TypeError('`rirs` must be a non-empty array');
    for (const r of options.rirs)
      if (!UPDATE_RIRS.includes(r))
        throw new RangeError(
          `\`rirs\` must hold registries among ${UPDATE_RIRS.join(', ')}, got ${JSON.stringify(r)}`,
        );
  }
  const positive = (
    name: keyof UpdateOptions,
    integer: boolean,
    min: number,
  ): void => {
    const v = options[name];
    if (v === undefined) return;
    if (
      typeof v !== 'number' ||
      !(v >= min) ||
      (integer && !Number.isInteger(v)) ||
      !Number.isFinite(v)
    )
      throw new RangeError(
        `\`${name}\` must be ${integer ? 'an integer' : 'a number'} >= ${min}, got ${String(v)}`,
      );
  };
  positive('timeoutMs', false, 1);
  positive('attempts', true, 1);
  positive('retryDelayMs', false, 0);
  positive('maxBytes', true, 1);
  for (const name of ['fetch', 'now', 'sleep', 'onProgress'] as const)
    if (options[name] !== undefined && typeof options[name] !== 'function')
      throw new TypeError(`\`${name}\` must be a function`);
}

async function readState(
  dir: string,
  warnings: string[],
): Promise<UpdateState> {
  let text: string;
  try {
    text = await readFile(join(dir, UPDATE_STATE_FILE), 'utf8');
  } catch {
    return { version: 1, entries: {} };
  }
  try {
    const parsed = JSON.parse(text) as Partial<UpdateState>;
    if (
      parsed.version === 1 &&
      typeof parsed.entries === 'object' &&
      parsed.entries !== null
    )
      return { version: 1, entries: parsed.entries };
  } catch {
    // fall through
  }
  warnings.push(
    `${UPDATE_STATE_FILE} is unreadable and was ignored: every file is downloaded again`,
  );
  return { version: 1, entries: {} };
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Temporary files of updates that died (killed, power loss) more than a day ago. */
async function removeStaleTemporaries(
  dir: string,
  now: () => number,
): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (
      !/^\.delegated-.*\.tmp$|^rirmap-update-state\.json\..*\.tmp$/.test(name)
    )
      continue;
    const path = join(dir, name);
    try {
      if (now() - (await stat(path)).mtimeMs > 86_400_000) await unlink(path);
    } catch {
      // gone already, or not ours to remove
    }
  }
}

/** Everything one registry's update needs. */
interface Job {
  readonly rir: UpdateRir;
  readonly locations: readonly FileLocation[];
}

interface Downloaded {
  readonly location: FileLocation;
  readonly body: Buffer;
  readonly etag: string | null;
  readonly lastModified: string | null;
}

class Updater {
  readonly dir: string;
  readonly fetch: typeof globalThis.fetch;
  readonly now: () => number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly fs: UpdateFileSystem;
  readonly timeoutMs: number;
  readonly attempts: number;
  readonly retryDelayMs: number;
  readonly maxBytes: number;
  readonly compress: boolean;
  readonly allowMissingMd5: boolean;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: ((event: UpdateProgress) => void) | undefined;
  readonly userAgent: string;
  readonly state: UpdateState;

  constructor(options: UpdateOptions, state: UpdateState) {
    this.dir = options.dir;
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
    this.fs = options.fs ?? NODE_UPDATE_FS;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.attempts = options.attempts ?? 4;
    this.retryDelayMs = options.retryDelayMs ?? 2000;
    this.maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
    this.compress = options.compress ?? true;
    this.allowMissingMd5 = options.allowMissingMd5 ?? false;
    this.signal = options.signal;
    this.onProgress = options.onProgress;
    this.userAgent = options.userAgent ?? 'rirmap';
    this.state = state;
  }

  progress(
    rir: UpdateRir,
    phase: UpdateProgress['phase'],
    attempt: number,
    received = 0,
    total: number | null = null,
  ): void {
    this.onProgress?.({ rir, phase, received, total, attempt });
  }

  /**
   * One HTTP GET with a stall timeout: the request fails when no response or
   * no body byte arrives for `timeoutMs`.
   */
  async get(
    url: string,
    headers: Record<string, string>,
    onBytes?: (received: number, total: number | null) => void,
  ): Promise<{ status: number; body: Buffer; headers: Headers }> {
    const controller = new AbortController();
    const outer = this.signal;
    const onOuterAbort = (): void => controller.abort(outer?.reason);
    if (outer !== undefined) {
      if (outer.aborted) onOuterAbort();
      else outer.addEventListener('abort', onOuterAbort, { once: true });
    }
    let stalled = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stalled = true;
        controller.abort();
      }, this.timeoutMs);
    };
    arm();
    const describe = (error: unknown): never => {
      if (outer?.aborted === true)
        throw new AttemptError(
          new RegistryError('ABORTED', `update aborted`),
          false,
        );
      if (stalled)
        fail(
          'SOURCE_DOWNLOAD_FAILED',
          `no data from ${url} for ${this.timeoutMs} ms (stalled)`,
          url,
          true,
          error,
        );
      const cause = (error as { cause?: { code?: string; message?: string } })
        .cause;
      const detail = cause?.code ?? cause?.message ?? (error as Error).message;
      fail(
        'SOURCE_DOWNLOAD_FAILED',
        `GET ${url} failed: ${detail}`,
        url,
        true,
        error,
      );
    };
    try {
      let response: Response;
      try {
        response = await this.fetch(url, {
          headers: { 'user-agent': this.userAgent, ...headers },
          signal: controller.signal,
          redirect: 'follow',
        });
      } catch (error) {
        return describe(error);
      }
      arm();
      const lengthText = response.headers.get('content-length');
      const encoded =
        (response.headers.get('content-encoding') ?? 'identity') !== 'identity';
      const total =
        lengthText !== null && /^\d+$/.test(lengthText) && !encoded
          ? Number(lengthText)
          : null;
      if (response.status !== 200 || response.body === null) {
        // Drain (small) error bodies so the connection can be reused.
        try {
          await response.arrayBuffer();
        } catch {
          // ignore
        }
        return {
          status: response.status,
          body: Buffer.alloc(0),
          headers: response.headers,
        };
      }
      if (total !== null && total > this.maxBytes)
        fail(
          'SOURCE_DOWNLOAD_FAILED',
          `${url} is ${total} bytes, more than maxBytes ${this.maxBytes}`,
          url,
          false,
        );
      const chunks: Buffer[] = [];
      let received = 0;
      const reader = response.body.getReader();
      try {
        for (;;) {
          const step = await reader.read().catch(describe);
          if (step.done) break;
          arm();
          received += step.value.length;
          if (received > this.maxBytes)
            fail(
              'SOURCE_DOWNLOAD_FAILED',
              `${url} is larger than maxBytes ${this.maxBytes}`,
              url,
              false,
            );
          chunks.push(
            Buffer.from(
              step.value.buffer,
              step.value.byteOffset,
              step.value.length,
            ),
          );
          onBytes?.(received, total);
        }
      } finally {
        reader.releaseLock();
      }
      if (total !== null && received !== total)
        fail(
          'SOURCE_DOWNLOAD_FAILED',
          `${url}: transfer ended after ${received} of ${total} bytes`,
          url,
          true,
        );
      return {
        status: 200,
        body: Buffer.concat(chunks, received),
        headers: response.headers,
      };
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
      // Stops a transfer left unfinished by an error (a no-op once the body was read).
      controller.abort();
    }
  }

  /** Conditional-request headers for a URL, when the file saved from it is still there. */
  async conditional(url: string): Promise<Record<string, string>> {
    const entry = this.state.entries[url];
    if (entry === undefined || !(await exists(join(this.dir, entry.file))))
      return {};
    const h: Record<string, string> = {};
    if (entry.etag !== undefined) h['if-none-match'] = entry.etag;
    if (entry.lastModified !== undefined)
      h['if-modified-since'] = entry.lastModified;
    return h;
  }

  /** Fetches the published digest. @returns the digest, or null when no `.md5` exists. */
  async fetchMd5(location: FileLocation): Promise<string | null> {
    for (const url of location.md5Urls) {
      const res = await this.get(url, { 'cache-control': 'no-cache' });
      if (res.status === 404 || res.status === 410) continue;
      if (res.status !== 200)
        fail(
          'SOURCE_DOWNLOAD_FAILED',
          `GET ${url}: HTTP ${res.status}`,
          url,
          retryableStatus(res.status),
        );
      const digest = parseMd5File(res.body.toString('latin1'));
      if (digest === null)
        fail(
          'SOURCE_CHECKSUM_MISMATCH',
          `${url} holds no MD5 digest (neither "MD5 (name) = hex" nor "hex  name")`,
          url,
          true,
        );
      return digest;
    }
    return null;
  }

  async attempt(
    job: Job,
    attempt: number,
    bytes: { n: number },
  ): Promise<RegistryUpdateResult | Downloaded> {
    const { rir } = job;
    let got: Downloaded | undefined;
    for (let i = 0; i < job.locations.length; i++) {
      const location = job.locations[i]!;
      const headers = await this.conditional(location.url);
      this.progress(rir, 'request', attempt);
      const res = await this.get(location.url, headers, (received, total) =>
        this.progress(rir, 'download', attempt, received, total),
      );
      bytes.n += res.body.length;
      if (res.status === 304) {
        const entry = this.state.entries[location.url]!;
        entry.checkedAt = new Date(this.now()).toISOString();
        return {
          rir,
          status: 'unchanged',
          url: location.url,
          file: join(this.dir, entry.file),
          endDate: entry.endDate,
          records: 0,
          bytes: bytes.n,
          attempts: attempt,
          message: `${rir}: unchanged (${entry.file}, not modified)`,
        };
      }
      // Archive layouts differ: a missing file (some servers say 403 for a missing folder)
      // sends us to the next place it may be.
      if (
        (res.status === 404 || res.status === 410 || res.status === 403) &&
        i < job.locations.length - 1
      )
        continue;
      if (res.status !== 200) {
        const tried = job.locations
          .slice(0, i + 1)
          .map((l) => l.url)
          .join(', ');
        fail(
          'SOURCE_DOWNLOAD_FAILED',
          res.status === 404 && job.locations.length > 1
            ? `no file at ${tried} (HTTP 404)`
            : `GET ${location.url}: HTTP ${res.status}`,
          location.url,
          retryableStatus(res.status),
        );
      }
      got = {
        location,
        body: res.body,
        etag: res.headers.get('etag'),
        lastModified: res.headers.get('last-modified'),
      };
      break;
    }
    return got!;
  }

  async verifyAndSave(
    job: Job,
    got: Downloaded,
    attempt: number,
    bytes: number,
  ): Promise<RegistryUpdateResult> {
    const { rir } = job;
    const { location, body } = got;
    this.progress(rir, 'verify', attempt, body.length, body.length);

    // 1. Decompress an archive (APNIC .gz, RIPE NCC .bz2), told by its magic bytes.
    let content: Buffer = body;
    const compression = detectCompression(body.subarray(0, 4));
    try {
      if (compression === 'gzip') content = await gunzipAsync(body);
      else if (compression === 'bzip2') content = bunzip2(body, location.url);
    } catch (error) {
      fail(
        'SOURCE_DOWNLOAD_FAILED',
        `${location.url}: damaged ${compression} data`,
        location.url,
        true,
        error,
      );
    }

    // 2. The published MD5, of the bytes as served or (archives) of the decompressed file.
    const published = await this.fetchMd5(location);
    const contentMd5 = md5Hex(content);
    if (published === null) {
      if (!this.allowMissingMd5)
        fail(
          'SOURCE_CHECKSUM_MISMATCH',
          `no checksum published at ${location.md5Urls.join(' or ')} (HTTP 404); not trusting ${location.url} (allowMissingMd5 accepts it)`,
          location.url,
          true,
        );
    } else if (
      published !== contentMd5 &&
      (content === body || published !== md5Hex(body))
    ) {
      const previous = this.state.entries[location.url];
      const stale = previous !== undefined && previous.md5 === published;
      fail(
        'SOURCE_CHECKSUM_MISMATCH',
        stale
          ? `${location.url}: the published .md5 still describes the previous file (it is published after the data, about 9 minutes late at APNIC)`
          : `${location.url}: MD5 ${contentMd5} does not match the published ${published}`,
        location.url,
        true,
      );
    }

    // 3. A strict full parse: counts against records, every line well formed.
    const name = location.url.slice(location.url.lastIndexOf('/') + 1);
    let summary: DelegatedFileSummary;
    try {
      summary = await parseDelegated([content], { file: name }, () => {});
    } catch (error) {
      if (error instanceof DelegatedFileError)
        throw new AttemptError(error, true);
      throw error;
    }
    const header = summary.header;
    if (header.registry !== rir)
      throw new AttemptError(
        new DelegatedFileError(
          'DELEGATED_REGISTRY_MISMATCH',
          `expected a ${rir} file, got one of registry "${header.registry}"`,
          name,
          header.line,
        ),
        false,
      );
    if (header.endDate === 0)
      throw new AttemptError(
        new DelegatedFileError(
          'DELEGATED_BAD_HEADER',
          'the version line has no end date',
          name,
          header.line,
        ),
        false,
      );
    const records = summary.read.asn + summary.read.ipv4 + summary.read.ipv6;

    // 4. Save under the dated name, atomically.
    const base = `delegated-${rir}${summary.kind === 'extended' ? '-extended' : ''}-${header.endDate}`;
    const fileName = this.compress ? `${base}.gz` : base;
    const finalPath = join(this.dir, fileName);
    const nowIso = new Date(this.now()).toISOString();
    const same = Object.values(this.state.entries).find(
      (e) => e.file === fileName && e.md5 === contentMd5,
    );
    const entry: StateEntry = {
      file: fileName,
      md5: contentMd5,
      endDate: header.endDate,
      records,
      updatedAt: nowIso,
      checkedAt: nowIso,
    };
    if (got.etag !== null) entry.etag = got.etag;
    if (got.lastModified !== null) entry.lastModified = got.lastModified;
    if (same !== undefined && (await exists(finalPath))) {
      entry.updatedAt = same.updatedAt;
      this.state.entries[location.url] = entry;
      return {
        rir,
        status: 'unchanged',
        url: location.url,
        file: finalPath,
        endDate: header.endDate,
        records: 0,
        bytes,
        attempts: attempt,
        message: `${rir}: unchanged (${fileName}, same content)`,
      };
    }
    this.progress(rir, 'write', attempt, body.length, body.length);
    const data = this.compress
      ? await gzipAsync(content, { level: 6 })
      : content;
    const temp = join(
      this.dir,
      `.${fileName}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
    );
    try {
      await this.fs.writeFile(temp, data);
      await this.fs.rename(temp, finalPath);
    } catch (error) {
      try {
        await this.fs.unlink(temp);
      } catch {
        // the temporary file may not exist, or the disk may refuse even this
      }
      const code = (error as NodeJS.ErrnoException).code;
      fail(
        'SOURCE_DOWNLOAD_FAILED',
        `cannot write ${finalPath}: ${code ?? (error as Error).message}`,
        finalPath,
        false,
        error,
      );
    }
    this.state.entries[location.url] = entry;
    return {
      rir,
      status: 'updated',
      url: location.url,
      file: finalPath,
      endDate: header.endDate,
      records,
      bytes,
      attempts: attempt,
      message: `${rir}: updated ${fileName} (${records} records, end date ${formatYmd(header.endDate)})`,
    };
  }

  async run(job: Job, previous: string | null): Promise<RegistryUpdateResult> {
    const { rir } = job;
    const bytes = { n: 0 };
    let last: AttemptError | undefined;
    let attempt = 0;
    while (attempt < this.attempts) {
      attempt++;
      try {
        const got = await this.attempt(job, attempt, bytes);
        const result =
          'status' in got
            ? got
            : await this.verifyAndSave(job, got, attempt, bytes.n);
        this.progress(rir, 'done', attempt);
        return result;
      } catch (error) {
        if (!(error instanceof AttemptError)) {
          last = new AttemptError(
            error instanceof RegistryError
              ? error
              : new SourceError(
                  'SOURCE_DOWNLOAD_FAILED',
                  `${rir}: ${(error as Error).message}`,
                  undefined,
                  {
                    cause: error,
                  },
                ),
            false,
          );
        } else last = error;
        if (
          !last.retry ||
          attempt >= this.attempts ||
          this.signal?.aborted === true
        )
          break;
        this.progress(rir, 'retry', attempt);
        try {
          await this.sleep(this.retryDelayMs * 2 ** (attempt - 1), this.signal);
        } catch {
          last = new AttemptError(
            new RegistryError('ABORTED', 'update aborted'),
            false,
          );
          break;
        }
      }
    }
    this.progress(rir, 'done', attempt);
    const error = last!.error;
    const kept =
      previous === null ? 'no previous file' : `kept ${basename(previous)}`;
    const url =
      error instanceof SourceError && error.path !== undefined
        ? error.path
        : job.locations[0]!.url;
    const result: RegistryUpdateResult = {
      rir,
      status: 'failed',
      url,
      file: previous,
      endDate: 0,
      records: 0,
      bytes: bytes.n,
      attempts: attempt,
      error,
      retryLater: last!.retry,
      message: `${rir}: failed after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${error.message}; ${kept}${last!.retry ? '; try again later' : ''}`,
    };
    return result;
  }
}

function retryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/**
 * Downloads, checks and saves each registry's extended file (see the module
 * comment for the checks). Registries are updated in parallel and independently:
 * one failing does not stop the others.
 * @returns one result per registry, in the order asked, and counts.
 * @throws {TypeError | RangeError} on invalid options, naming the option
 * @throws {SourceError} `SOURCE_OFFLINE` when `offline` is set; `SOURCE_READ_FAILED`
 *   when the data directory cannot be created
 */
export async function updateRegistries(
  options: UpdateOptions,
): Promise<UpdateSummary> {
  checkOptions(options);
  if (options.offline === true)
    throw new SourceError(
      'SOURCE_OFFLINE',
      'update needs the network, and offline mode forbids it (--offline / `offline: true`)',
    );
  const rirs = options.rirs ?? UPDATE_RIRS;
  const ymd = options.date === undefined ? 0 : parseAsOf(options.date, 'date');
  const bases = new Map<UpdateRir, string>();
  for (const rir of rirs) {
    const given = options.baseUrls?.[rir];
    bases.set(
      rir,
      options.mirror !== undefined
        ? mirrorBaseUrl(options.mirror, rir)
        : given !== undefined
          ? normalizeBaseUrl(given, `baseUrls.${rir}`)
          : DEFAULT_BASE_URLS[rir],
    );
  }
  try {
    await mkdir(options.dir, { recursive: true });
  } catch (error) {
    throw new SourceError(
      'SOURCE_READ_FAILED',
      `cannot create the data directory ${options.dir}: ${(error as Error).message}`,
      options.dir,
      { cause: error },
    );
  }
  const warnings: string[] = [];
  await removeStaleTemporaries(options.dir, options.now ?? Date.now);
  const state = await readState(options.dir, warnings);
  // The files the loader would use now, to say which one is kept on failure.
  const before = new Map<string, string>();
  try {
    for (const f of (await selectDataFilesDetailed([options.dir])).selected)
      before.set(f.registry, f.path);
  } catch {
    // an unreadable directory fails every write below anyway
  }
  const updater = new Updater(options, state);
  const results = await Promise.all(
    [...new Set(rirs)].map((rir) => {
      const base = bases.get(rir)!;
      const job: Job = {
        rir,
        locations:
          ymd !== 0
            ? archiveLocations(base, rir, ymd)
            : [latestLocation(base, rir)],
      };
      return updater.run(job, before.get(rir) ?? null);
    }),
  );
  const fs = options.fs ?? NODE_UPDATE_FS;
  const statePath = join(options.dir, UPDATE_STATE_FILE);
  const temp = `${statePath}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.writeFile(
      temp,
      Buffer.from(`${JSON.stringify(state, null, 2)}\n`),
    );
    await fs.rename(temp, statePath);
  } catch (error) {
    await fs.unlink(temp).catch(() => {});
    warnings.push(
      `cannot save ${UPDATE_STATE_FILE} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): the next update downloads everything again`,
    );
  }
  return {
    dir: options.dir,
    results,
    updated: results.filter((r) => r.status === 'updated').length,
    unchanged: results.filter((r) => r.status === 'unchanged').length,
    failed: results.filter((r) => r.status === 'failed').length,
    warnings,
  };
}
