/**
 * A loopback RDAP server (node:http on 127.0.0.1) for tests, serving real
 * responses from ../shared/data/rdap/responses/ and synthetic ones, with
 * scripted faults: 429 with or without Retry-After, 5xx, slow or stalled
 * bodies, truncated or invalid JSON, huge bodies, dropped connections,
 * redirects. It records every request with the time of a shared clock, so
 * tests can check the pacing a host saw. One server is one host.
 *
 * Also here: a virtual clock whose time only moves when nothing is in flight
 * (every fetch goes through `clock.fetch`), so hours of registry pacing run
 * in milliseconds and the server's timestamps are the client's send times.
 *
 * Addresses are parsed here with a deliberately simple, separate parser so
 * that tests do not check the library against itself.
 */

import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { AllocationStatus, RegistryRecord, Rir } from '../../src/types.js';

/** Path of a real response file in ../shared/data/rdap/responses/. */
export function sharedResponsePath(file: string): string {
  return fileURLToPath(
    new URL(`../../../shared/data/rdap/responses/${file}`, import.meta.url),
  );
}

/** Path of a fixture in fixtures/rdap/. */
export function fixturePath(file: string): string {
  return fileURLToPath(new URL(`../../fixtures/rdap/${file}`, import.meta.url));
}

/** Parsed JSON of a real response file. */
export function readSharedResponse(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(sharedResponsePath(file), 'utf8')) as Record<
    string,
    unknown
  >;
}

/** Parsed JSON of a fixture. */
export function readFixture(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(fixturePath(file), 'utf8')) as Record<
    string,
    unknown
  >;
}

// ---------------------------------------------------------------------------
// A small, independent address parser (test side only).

/** An address as a BigInt plus its family. */
export interface TestIp {
  readonly v6: boolean;
  readonly n: bigint;
}

/** Parses IPv4 (leading zeros decimal) or IPv6 (any form); drops a `/nn` suffix. */
export function testIp(text: string): TestIp {
  const s = text.split('/')[0]!.trim();
  if (!s.includes(':')) {
    const parts = s.split('.').map((p) => Number.parseInt(p, 10));
    if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255)))
      throw new Error(`bad v4 ${text}`);
    return {
      v6: false,
      n: BigInt(
        ((parts[0]! * 256 + parts[1]!) * 256 + parts[2]!) * 256 + parts[3]!,
      ),
    };
  }
  let groups: string[];
  if (s.includes('::')) {
    const [head, tail] = s.split('::') as [string, string];
    const h = head === '' ? [] : head.split(':');
    const t = tail === '' ? [] : tail.split(':');
    groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  } else {
    groups = s.split(':');
  }
  if (groups.length !== 8) throw new Error(`bad v6 ${text}`);
  let n = 0n;
  for (const g of groups) n = (n << 16n) | BigInt(Number.parseInt(g, 16));
  return { v6: true, n };
}

/** IPv4 text of a number. */
export function v4Text(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

// ---------------------------------------------------------------------------
// Virtual clock

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly resolve: () => void;
  cancel?: () => void;
}

/**
 * A clock for the resolver whose time advances to the next timer only when no
 * request is in flight and the event loop has gone quiet. Pass `clock` as the
 * resolver's clock and `clock.fetch` as its fetch.
 */
export class VirtualClock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];
  private inflight = 0;
  private pumping = false;
  /** Every sleep asked for, in ms (aborted ones included). */
  readonly sleeps: number[] = [];
  readonly fetch: typeof fetch;

  constructor(
    start = Date.UTC(2026, 0, 1),
    realFetch: typeof fetch = globalThis.fetch,
  ) {
    this.t = start;
    this.fetch = async (input, init) => {
      this.inflight++;
      try {
        const res = await realFetch(input, init);
        // Read the whole body while time stands still.
        const body = await res.arrayBuffer();
        return new Response(res.status === 204 ? null : body, {
          status: res.status,
          statusText: res.statusText,
          headers: res.headers,
        });
      } finally {
        this.inflight--;
        this.kick();
      }
    };
  }

  now = (): number => this.t;

  sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    this.sleeps.push(ms);
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    if (!(ms > 0)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer: Timer = { at: this.t + ms, seq: this.seq++, resolve };
      if (signal !== undefined) {
        const onAbort = (): void => {
          this.timers = this.timers.filter((x) => x !== timer);
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        timer.cancel = () => signal.removeEventListener('abort', onAbort);
      }
      this.timers.push(timer);
      this.kick();
    });
  };

  private kick(): void {
    if (this.pumping) return;
    this.pumping = true;
    setImmediate(() => void this.pump());
  }

  private async pump(): Promise<void> {
    for (;;) {
      for (let i = 0; i < 8; i++) await new Promise((r) => setImmediate(r));
      if (this.inflight > 0 || this.timers.length === 0) {
        this.pumping = false;
        return;
      }
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const first = this.timers[0]!;
      this.t = Math.max(this.t, first.at);
      const due = this.timers.filter((x) => x.at <= this.t);
      this.timers = this.timers.filter((x) => x.at > this.t);
      for (const d of due) {
        d.cancel?.();
        d.resolve();
      }
    }
  }
}

// ---------------------------------------------------------------------------
// The server

/** A scripted reply. */
export interface MockReply {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A string is sent as is; anything else as JSON. */
  readonly body?: unknown;
  /** Real milliseconds to wait before the headers. */
  readonly delayMs?: number;
  /** Send the first half of the body, then wait this many real ms (stall), then the rest. */
  readonly stallMs?: number;
  /** Declare the full length, send half the body, then destroy the socket. */
  readonly dropMidBody?: boolean;
  /** Send this many bytes of filler instead of a body. */
  readonly hugeBytes?: number;
  /** With hugeBytes: omit Content-Length (chunked). */
  readonly chunked?: boolean;
}

/** One request as the server saw it. */
export interface LoggedRequest {
  readonly path: string;
  /** The queried address text (after `ip/`), or null. */
  readonly query: string | null;
  /** Clock time at arrival (the shared clock's `now()`). */
  readonly time: number;
  readonly userAgent: string | undefined;
  readonly accept: string | undefined;
}

interface Network {
  readonly lo: TestIp;
  readonly hi: TestIp;
  readonly body: unknown;
}

type Matcher = string | ((query: string) => boolean);

/** Options of {@link startRdapServer}. */
export interface RdapServerOptions {
  /** Timestamps requests. Default: Date.now. */
  readonly now?: () => number;
  /** Path prefix before `ip/`. Default `/rdap/`. */
  readonly basePath?: string;
}

/** A running loopback RDAP server. */
export interface MockRdapServer {
  /** Base URL, e.g. `http://127.0.0.1:43210/rdap/`. */
  readonly url: string;
  /** `127.0.0.1:port`. */
  readonly host: string;
  readonly requests: LoggedRequest[];
  /** Most requests the server had open at once. */
  readonly maxOpen: () => number;
  /** Serves a network body for every address in its start/end range (smallest range wins). */
  addNetwork(body: unknown): void;
  /** Queues replies for matching queries, used in order before the default answer. */
  script(match: Matcher, replies: readonly MockReply[]): void;
  /** Replies to every matching query with this (after any queued replies). */
  always(match: Matcher, reply: MockReply): void;
  /** Real milliseconds every default answer (network or 404) waits before its headers. */
  latency(ms: number): void;
  /** Times of the requests, in order. */
  times(): number[];
  close(): Promise<void>;
}

function send(res: ServerResponse, reply: MockReply): void {
  const status = reply.status ?? 200;
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  if (reply.hugeBytes !== undefined) {
    if (reply.chunked !== true)
      headers['content-length'] = String(reply.hugeBytes);
    headers['content-type'] = 'application/rdap+json';
    res.writeHead(status, headers);
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let left = reply.hugeBytes;
    const pump = (): void => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    res.on('error', () => undefined);
    pump();
    return;
  }
  const text =
    reply.body === undefined
      ? ''
      : typeof reply.body === 'string'
        ? reply.body
        : JSON.stringify(reply.body);
  const bytes = Buffer.from(text, 'utf8');
  if (headers['content-type'] === undefined && text !== '')
    headers['content-type'] = 'application/rdap+json';
  headers['content-length'] = String(bytes.length);
  res.writeHead(status, headers);
  if (reply.dropMidBody === true) {
    res.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
    setTimeout(() => res.socket?.destroy(), 5);
    return;
  }
  if (reply.stallMs !== undefined) {
    res.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
    const timer = setTimeout(
      () => res.end(bytes.subarray(Math.floor(bytes.length / 2))),
      reply.stallMs,
    );
    res.on('close', () => clearTimeout(timer));
    return;
  }
  res.end(bytes);
}

function networkOf(body: unknown): Network {
  const b = body as { startAddress?: string; endAddress?: string };
  if (typeof b.startAddress !== 'string' || typeof b.endAddress !== 'string')
    throw new Error('network body without startAddress/endAddress');
  return { lo: testIp(b.startAddress), hi: testIp(b.endAddress), body };
}

const NOT_FOUND_BODY = {
  rdapConformance: ['rdap_level_0'],
  errorCode: 404,
  title: 'Not Found',
  description: ['No network holds this address'],
};

/** Starts a server on 127.0.0.1 with a random port. */
export async function startRdapServer(
  options: RdapServerOptions = {},
): Promise<MockRdapServer> {
  const now = options.now ?? Date.now;
  const basePath = options.basePath ?? '/rdap/';
  const networks: Network[] = [];
  const queued: { match: Matcher; replies: MockReply[] }[] = [];
  const fixed: { match: Matcher; reply: MockReply }[] = [];
  const requests: LoggedRequest[] = [];
  let open = 0;
  let maxOpen = 0;
  let latencyMs = 0;
  const matches = (m: Matcher, q: string): boolean =>
    typeof m === 'string' ? m === q : m(q);

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    open++;
    maxOpen = Math.max(maxOpen, open);
    res.on('close', () => {
      open--;
    });
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    const prefix = `${basePath}ip/`;
    const query = path.startsWith(prefix) ? path.slice(prefix.length) : null;
    requests.push({
      path,
      query,
      time: now(),
      userAgent: req.headers['user-agent'],
      accept: req.headers['accept'],
    });
    req.resume();
    let reply: MockReply | undefined;
    if (query !== null) {
      for (const q of queued) {
        if (q.replies.length > 0 && matches(q.match, query)) {
          reply = q.replies.shift();
          break;
        }
      }
      if (reply === undefined)
        reply = fixed.find((f) => matches(f.match, query))?.reply;
      if (reply === undefined) {
        let best: Network | null = null;
        let ip: TestIp | null = null;
        try {
          ip = testIp(query);
        } catch {
          reply = {
            status: 400,
            body: { errorCode: 400, title: 'Bad Request' },
          };
        }
        if (ip !== null) {
          for (const n of networks) {
            if (n.lo.v6 !== ip.v6 || ip.n < n.lo.n || ip.n > n.hi.n) continue;
            if (best === null || n.hi.n - n.lo.n < best.hi.n - best.lo.n)
              best = n;
          }
          reply =
            best === null
              ? { status: 404, body: NOT_FOUND_BODY }
              : { status: 200, body: best.body };
          if (latencyMs > 0) reply = { ...reply, delayMs: latencyMs };
        }
      }
    }
    reply ??= { status: 404, body: NOT_FOUND_BODY };
    const r = reply;
    if (r.delayMs !== undefined) setTimeout(() => send(res, r), r.delayMs);
    else send(res, r);
  };

  const server: Server = createServer(handle);
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    host: `127.0.0.1:${port}`,
    requests,
    maxOpen: () => maxOpen,
    addNetwork: (body) => networks.push(networkOf(body)),
    script: (match, replies) => queued.push({ match, replies: [...replies] }),
    always: (match, reply) => fixed.push({ match, reply }),
    latency: (ms) => {
      latencyMs = ms;
    },
    times: () => requests.map((r) => r.time),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------
// Synthetic networks and pacing checks

/** A minimal but well-formed RDAP ip network body (ARIN-like shape). */
export function syntheticNetwork(args: {
  readonly start: string;
  readonly end: string;
  readonly handle: string;
  readonly name?: string;
  readonly country?: string;
}): Record<string, unknown> {
  return {
    rdapConformance: ['rdap_level_0', 'nro_rdap_profile_0'],
    objectClassName: 'ip network',
    handle: args.handle,
    name: args.name ?? args.handle,
    type: 'ASSIGNED PA',
    ...(args.country === undefined ? {} : { country: args.country }),
    startAddress: args.start,
    endAddress: args.end,
    ipVersion: args.start.includes(':') ? 'v6' : 'v4',
    entities: [
      {
        objectClassName: 'entity',
        handle: `ORG-${args.handle}`,
        roles: ['registrant'],
        vcardArray: [
          'vcard',
          [
            ['version', {}, 'text', '4.0'],
            ['fn', {}, 'text', `Org of ${args.handle}`],
            ['kind', {}, 'text', 'org'],
          ],
        ],
      },
      {
        objectClassName: 'entity',
        handle: `ABUSE-${args.handle}`,
        roles: ['abuse'],
        vcardArray: [
          'vcard',
          [
            ['version', {}, 'text', '4.0'],
            ['fn', {}, 'text', 'Abuse'],
            ['email', {}, 'text', `abuse@${args.handle.toLowerCase()}.example`],
          ],
        ],
      },
    ],
    events: [
      { eventAction: 'last changed', eventDate: '2024-01-02T03:04:05Z' },
    ],
  };
}

/** Pacing limits to check a request log against. */
export interface PacingLimits {
  readonly requestsPerMinute: number;
  readonly requestsPerHour?: number | null;
  readonly burst: number;
}

/**
 * Brute-force check of request times against the limits: at most
 * `requestsPerMinute` in any window (t - 60 s, t], `requestsPerHour` in any
 * (t - 1 h, t], and token-bucket conformance (n requests within d ms need
 * n <= burst + d * rate). Returns descriptions of the violations (empty = ok).
 */
export function pacingViolations(
  times: readonly number[],
  limits: PacingLimits,
): string[] {
  const t = [...times].sort((a, b) => a - b);
  const out: string[] = [];
  const windows: [number, number | null | undefined][] = [
    [60_000, limits.requestsPerMinute],
    [3_600_000, limits.requestsPerHour],
  ];
  for (const [span, cap] of windows) {
    if (cap === null || cap === undefined) continue;
    let lo = 0;
    for (let i = 0; i < t.length; i++) {
      while (t[lo]! <= t[i]! - span) lo++;
      if (i - lo + 1 > cap)
        out.push(`${i - lo + 1} requests in ${span} ms ending at ${t[i]}`);
    }
  }
  const rate = limits.requestsPerMinute / 60_000;
  for (let i = 0; i < t.length; i++)
    for (let j = i + 1; j < t.length; j++) {
      const n = j - i + 1;
      if (n > limits.burst + (t[j]! - t[i]!) * rate + 1e-6)
        out.push(
          `${n} requests within ${t[j]! - t[i]!} ms exceed burst ${limits.burst}`,
        );
    }
  return out;
}

// ---------------------------------------------------------------------------
// Offline records

/** A delegated record as the registry would return it (source details are dummies). */
export function fakeRecord(
  rir: Rir,
  start: string,
  end: string,
  status: AllocationStatus = 'allocated',
): RegistryRecord {
  return {
    found: true,
    type: start.includes(':') ? 'ipv6' : 'ipv4',
    rir,
    country: null,
    date: null,
    status,
    holder: null,
    range: { start, end },
    source: {
      file: `delegated-${rir}-extended-test`,
      registry: rir,
      serial: '20260101',
      endDate: null,
      sha256: '0'.repeat(64),
    },
  };
}
