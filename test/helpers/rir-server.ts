/**
 * A real HTTP server on 127.0.0.1 that serves the shared RIR files
 * (../shared/data/rir/, decompressed) in the registries' own directory layouts,
 * with `.md5` files in both forms, ETag / Last-Modified and 304 answers, and
 * scripted misbehaviour (errors, truncation, interruption, stalls, wrong bodies)
 * for the update tests.
 *
 * Layout (paths under the server's origin):
 *   /afrinic/pub/stats/afrinic/delegated-afrinic-extended-latest      .md5 BSD, no final newline
 *   /apnic/stats/apnic/delegated-apnic-extended-latest                .md5 BSD
 *   /arin/pub/stats/arin/delegated-arin-extended-latest               .md5 GNU, naming the dated file
 *   /lacnic/pub/stats/lacnic/delegated-lacnic-extended-latest         .md5 BSD
 *   /ripencc/pub/stats/ripencc/delegated-ripencc-extended-latest      .md5 BSD, no final newline
 *   /mirror/<rir>/…                                                   the same files, one base for all
 * Archives:
 *   /afrinic/pub/stats/afrinic/2023/delegated-afrinic-extended-20230323 (+ .md5), 2018/…20181013
 *   /apnic/stats/apnic/2016/delegated-apnic-extended-20160225.gz  + .gz.md5 (MD5 of the .gz bytes)
 *   /apnic/stats/apnic/2016/delegated-apnic-extended-20160131.gz  + …20160131.md5 (MD5 of the text)
 *   /arin/pub/stats/arin/archive/2013/delegated-arin-20130813      (+ .md5 GNU)
 *   /lacnic/pub/stats/lacnic/delegated-lacnic-extended-20230323    (+ .md5), …20210405
 *   /ripencc/pub/stats/ripencc/2014/delegated-ripencc-extended-20140520.bz2 + .bz2.md5 (MD5 of the
 *     decompressed file): a two-record file written by hand (the shared data has no RIPE bzip2).
 */

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

export type Rir5 = 'afrinic' | 'apnic' | 'arin' | 'lacnic' | 'ripencc';

/** What the server does with the next request for a path (one behaviour per request). */
export type Behavior =
  /** Answer with this status and a short body. */
  | { readonly kind: 'status'; readonly status: number }
  /** Send the first `fraction` of the body without Content-Length, then end cleanly. */
  | { readonly kind: 'truncate'; readonly fraction: number }
  /** Announce the full Content-Length, send the first `fraction`, then destroy the socket. */
  | { readonly kind: 'interrupt'; readonly fraction: number }
  /** Send headers and the first `fraction` of the body, then nothing more (until close). */
  | { readonly kind: 'stall'; readonly fraction: number }
  /** Serve this body instead (e.g. a wrong or stale `.md5`). */
  | { readonly kind: 'body'; readonly body: string | Buffer }
  /** Answer 200 with the full body even to a conditional request. */
  | { readonly kind: 'ignore-conditional' };

/** One request the server saw. */
export interface LoggedRequest {
  readonly path: string;
  readonly status: number;
  /** True when the request carried If-None-Match or If-Modified-Since. */
  readonly conditional: boolean;
  /** Body bytes sent (or attempted). */
  readonly bytes: number;
}

export interface RirServer {
  readonly origin: string;
  /** Each registry's folder in its own layout, ending with `/`. */
  readonly baseUrls: Readonly<Record<Rir5, string>>;
  /** A base under which `<rir>/delegated-<rir>-extended-latest` is found. */
  readonly mirror: string;
  readonly requests: LoggedRequest[];
  /** Puts (or replaces) a file at a path (no leading origin, e.g. `/apnic/stats/apnic/x`). */
  put(path: string, body: Buffer | string): void;
  /** Removes a file (it then answers 404). */
  remove(path: string): void;
  /** Body currently served at a path, or undefined. */
  get(path: string): Buffer | undefined;
  /** Scripts the next requests of a path, one behaviour each. */
  queue(path: string, ...behaviors: Behavior[]): void;
  /** Full 200 bodies served for a path. */
  served(path: string): number;
  /** Sets the `-latest` file of a registry (and its `.md5` in that registry's form). */
  setLatest(rir: Rir5, content: Buffer, datedName: string): void;
  close(): Promise<void>;
}

const SHARED = new URL('../../../shared/data/rir/', import.meta.url);

const cache = new Map<string, Buffer>();
/** A shared file, decompressed. */
export function sharedFile(name: string): Buffer {
  let b = cache.get(name);
  if (b === undefined) {
    b = gunzipSync(readFileSync(fileURLToPath(new URL(name, SHARED))));
    cache.set(name, b);
  }
  return b;
}
/** A shared file as stored (gzip bytes). */
export function sharedGz(name: string): Buffer {
  return readFileSync(fileURLToPath(new URL(name, SHARED)));
}

export function md5(data: Buffer | string): string {
  return createHash('md5').update(data).digest('hex');
}

/** `bzip2 -9` of {@link RIPE_SMALL_TEXT}. */
export const RIPE_SMALL_BZ2 = Buffer.from(
  'QlpoOTFBWSZTWSATbuoAABrdgEAQABl/4AAFPiffJCAAiQ1PU0RkNNAABpoJJKeifqZRpoephNNGno7H5y1zUGMU8VxgxIXi1GtcEcjyQGFaiCRG5cWyTwIzHqMWzgR5DA1C0Wox3MTI2NkRRqfz8jdFxcbkyo6KkSqWQ7DhAYsJEil95QprnL2QSnZ7xMNFEyakH4u5IpwoSBAJt3UA',
  'base64',
);
export const RIPE_SMALL_TEXT =
  '2|ripencc|1400623199|2|19700101|20140520|+0200\nripencc|*|ipv4|*|1|summary\n' +
  'ripencc|*|asn|*|1|summary\nripencc|NL|ipv4|193.0.0.0|2048|19930901|allocated|abc\n' +
  'ripencc|NL|asn|3333|1|19930901|allocated|abc\n';

export const FOLDERS: Readonly<Record<Rir5, string>> = {
  afrinic: '/afrinic/pub/stats/afrinic/',
  apnic: '/apnic/stats/apnic/',
  arin: '/arin/pub/stats/arin/',
  lacnic: '/lacnic/pub/stats/lacnic/',
  ripencc: '/ripencc/pub/stats/ripencc/',
};

/** The `-latest` files served at start, and the dated names their `.md5` files use. */
export const LATEST: Readonly<
  Record<Rir5, { readonly shared: string; readonly dated: string }>
> = {
  afrinic: {
    shared: 'delegated-afrinic-extended-20260505.gz',
    dated: 'delegated-afrinic-extended-20260505',
  },
  apnic: {
    shared: 'delegated-apnic-extended-20160225.gz',
    dated: 'delegated-apnic-extended-20160225',
  },
  arin: {
    shared: 'delegated-arin-20130813.gz',
    dated: 'delegated-arin-extended-20130813',
  },
  lacnic: {
    shared: 'delegated-lacnic-extended-20230323.gz',
    dated: 'delegated-lacnic-extended-20230323',
  },
  ripencc: {
    shared: 'delegated-ripencc-20140520.gz',
    dated: 'delegated-ripencc-extended-20140520',
  },
};

/** The `.md5` text each registry publishes, in its own form. */
export function md5Text(
  rir: Rir5,
  content: Buffer,
  name: string,
  datedName: string,
): string {
  const digest = md5(content);
  switch (rir) {
    case 'arin':
      return `${digest}  ${datedName}\n`; // GNU form, naming the dated file
    case 'afrinic':
    case 'ripencc':
      return `MD5 (${name}) = ${digest}`; // BSD, no final newline
    default:
      return `MD5 (${name}) = ${digest}\n`;
  }
}

const LAST_MODIFIED = 'Thu, 23 Mar 2023 00:00:00 GMT';

/** Starts the server on an ephemeral loopback port. */
export async function startRirServer(): Promise<RirServer> {
  const files = new Map<string, Buffer>();
  const queues = new Map<string, Behavior[]>();
  const servedCount = new Map<string, number>();
  const requests: LoggedRequest[] = [];

  const put = (path: string, body: Buffer | string): void => {
    files.set(path, Buffer.isBuffer(body) ? body : Buffer.from(body));
  };
  const setLatest = (rir: Rir5, content: Buffer, datedName: string): void => {
    const name = `delegated-${rir}-extended-latest`;
    put(`${FOLDERS[rir]}${name}`, content);
    put(`${FOLDERS[rir]}${name}.md5`, md5Text(rir, content, name, datedName));
  };

  for (const rir of Object.keys(FOLDERS) as Rir5[])
    setLatest(rir, sharedFile(LATEST[rir].shared), LATEST[rir].dated);

  // Archives in each registry's layout.
  const dated = (
    rir: Rir5,
    path: string,
    content: Buffer,
    md5Of: Buffer = content,
    md5Path = `${path}.md5`,
  ) => {
    put(`${FOLDERS[rir]}${path}`, content);
    const name = path.slice(path.lastIndexOf('/') + 1);
    put(`${FOLDERS[rir]}${md5Path}`, md5Text(rir, md5Of, name, name));
  };
  for (const [yyyy, d] of [
    ['2023', '20230323'],
    ['2018', '20181013'],
  ] as const)
    dated(
      'afrinic',
      `${yyyy}/delegated-afrinic-extended-${d}`,
      sharedFile(`delegated-afrinic-extended-${d}.gz`),
    );
  const apnicGz = sharedGz('delegated-apnic-extended-20160225.gz');
  dated('apnic', '2016/delegated-apnic-extended-20160225.gz', apnicGz);
  dated(
    'apnic',
    '2016/delegated-apnic-extended-20160131.gz',
    sharedGz('delegated-apnic-extended-20160131.gz'),
    sharedFile('delegated-apnic-extended-20160131.gz'),
    '2016/delegated-apnic-extended-20160131.md5',
  );
  dated(
    'arin',
    'archive/2013/delegated-arin-20130813',
    sharedFile('delegated-arin-20130813.gz'),
  );
  for (const d of ['20230323', '20210405'])
    dated(
      'lacnic',
      `delegated-lacnic-extended-${d}`,
      sharedFile(`delegated-lacnic-extended-${d}.gz`),
    );
  dated(
    'ripencc',
    '2014/delegated-ripencc-extended-20140520.bz2',
    RIPE_SMALL_BZ2,
    Buffer.from(RIPE_SMALL_TEXT),
  );

  const resolve = (path: string): string => {
    const m = /^\/mirror\/(afrinic|apnic|arin|lacnic|ripencc)\/(.*)$/.exec(
      path,
    );
    return m === null ? path : `${FOLDERS[m[1] as Rir5]}${m[2]}`;
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = resolve(
      decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname),
    );
    const conditional =
      req.headers['if-none-match'] !== undefined ||
      req.headers['if-modified-since'] !== undefined;
    const log = (status: number, bytes: number): void => {
      requests.push({ path, status, conditional, bytes });
    };
    const behavior = queues.get(path)?.shift();
    if (behavior?.kind === 'status') {
      log(behavior.status, 0);
      res
        .writeHead(behavior.status, { 'content-type': 'text/plain' })
        .end(`HTTP ${behavior.status}\n`);
      return;
    }
    let body = files.get(path);
    if (behavior?.kind === 'body')
      body = Buffer.isBuffer(behavior.body)
        ? behavior.body
        : Buffer.from(behavior.body);
    if (body === undefined || req.method !== 'GET') {
      log(404, 0);
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const etag = `"${md5(body)}"`;
    const headers = {
      'content-type': 'text/plain',
      etag,
      'last-modified': LAST_MODIFIED,
    };
    if (behavior?.kind !== 'ignore-conditional') {
      const inm = req.headers['if-none-match'];
      const ims = req.headers['if-modified-since'];
      const notModified =
        inm !== undefined
          ? inm === etag
          : ims !== undefined && Date.parse(ims) >= Date.parse(LAST_MODIFIED);
      if (notModified) {
        log(304, 0);
        res.writeHead(304, headers).end();
        return;
      }
    }
    if (behavior?.kind === 'truncate') {
      const part = body.subarray(
        0,
        Math.floor(body.length * behavior.fraction),
      );
      log(200, part.length);
      res.writeHead(200, headers);
      res.end(part);
      return;
    }
    if (behavior?.kind === 'interrupt' || behavior?.kind === 'stall') {
      const part = body.subarray(
        0,
        Math.floor(body.length * behavior.fraction),
      );
      log(200, part.length);
      res.writeHead(200, { ...headers, 'content-length': String(body.length) });
      res.write(part, () => {
        if (behavior.kind === 'interrupt')
          setImmediate(() => res.socket?.destroy());
      });
      return;
    }
    log(200, body.length);
    servedCount.set(path, (servedCount.get(path) ?? 0) + 1);
    res
      .writeHead(200, { ...headers, 'content-length': String(body.length) })
      .end(body);
  };

  const server = createServer(handle);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const baseUrls = Object.fromEntries(
    (Object.keys(FOLDERS) as Rir5[]).map((r) => [r, `${origin}${FOLDERS[r]}`]),
  ) as Record<Rir5, string>;

  return {
    origin,
    baseUrls,
    mirror: `${origin}/mirror`,
    requests,
    put,
    remove: (path) => void files.delete(path),
    get: (path) => files.get(path),
    queue: (path, ...behaviors) => {
      const q = queues.get(path) ?? [];
      q.push(...behaviors);
      queues.set(path, q);
    },
    served: (path) => servedCount.get(path) ?? 0,
    setLatest,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
