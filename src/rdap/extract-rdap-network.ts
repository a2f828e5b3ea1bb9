/**
 * RFC 9083 `ip network` responses → the fields rirmap reports, following the
 * extraction recipes of REFERENCE.md B10 and tolerating every quirk listed in
 * B3, B4 and B11: missing `objectClassName`, zero-padded or `/32`-suffixed
 * addresses, uncompressed IPv6, missing `cidr0_cidrs`, missing `country`
 * (ARIN), entities without `roles` (old AFRINIC), nested contacts (ARIN),
 * maintainers as registrants (RIPE), and jCard variants (three-element
 * properties, params as `[]`, `null` values, structured or label `adr`,
 * `pref` as text, `type` as text or list, e-mail in `contact-uri`).
 * All text is sanitised (see `sanitize-rdap-text.ts`).
 */

import { sanitizeRdapText } from './sanitize-rdap-text.js';
import {
  compareIp,
  formatIpValue,
  ipInRange,
  parseCidrValue,
  parseLenientIp,
  rangeCover,
  type IpValue,
} from './rdap-ip.js';

/** The fields of one network, as extracted. */
export interface ExtractedNetwork {
  readonly handle: string | null;
  readonly name: string | null;
  readonly type: string | null;
  readonly country: string | null;
  readonly start: string;
  readonly end: string;
  readonly cidrs: readonly string[];
  readonly org: string | null;
  readonly abuseEmail: string | null;
  readonly registered: string | null;
  readonly lastChanged: string | null;
  readonly parentHandle: string | null;
  /** Parsed bounds, for the range cache. */
  readonly startIp: IpValue;
  readonly endIp: IpValue;
}

/** Why a body is not a usable network. */
export interface ExtractFailure {
  readonly error: string;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One jCard property, normalised. */
interface VcardProperty {
  readonly name: string;
  readonly params: Json;
  readonly values: readonly unknown[];
}

/**
 * Reads `["vcard", [[name, params, type, value, …], …]]`. A three-element
 * property (`["lang", {…}, "en"]`, no value type) takes its third element as
 * the value; params that are not an object (`[]`) read as `{}`.
 */
function readVcard(vcardArray: unknown): VcardProperty[] {
  if (!Array.isArray(vcardArray)) return [];
  const props = vcardArray.find((x, i) => i > 0 && Array.isArray(x)) as
    unknown[] | undefined;
  if (props === undefined) return [];
  const out: VcardProperty[] = [];
  for (const p of props) {
    if (!Array.isArray(p) || typeof p[0] !== 'string') continue;
    const params = isObject(p[1]) ? p[1] : {};
    const values = p.length === 3 ? [p[2]] : p.slice(3);
    out.push({ name: p[0].toLowerCase(), params, values });
  }
  return out;
}

function textValue(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    const parts = v
      .flat()
      .filter((x): x is string => typeof x === 'string' && x.trim() !== '');
    return parts.length > 0 ? parts.join(' ') : null;
  }
  return null;
}

function firstText(
  props: readonly VcardProperty[],
  name: string,
): string | null {
  for (const p of props) {
    if (p.name !== name) continue;
    for (const v of p.values) {
      const t = textValue(v);
      if (t !== null && t.trim() !== '') return t;
    }
  }
  return null;
}

interface EntityVisit {
  readonly entity: Json;
  readonly handle: string;
  readonly roles: readonly string[];
  readonly props: readonly VcardProperty[];
  readonly kind: string | null;
}

/**
 * Entities at every depth, breadth first (top level first), each once per
 * place it appears. Roles are lower-cased; an entity without `roles` gets
 * `registrant` when its handle starts with `ORG-` and `abuse` when it starts
 * with `IRT-`, else none (never guessed otherwise).
 */
function walkEntities(root: Json): EntityVisit[] {
  const out: EntityVisit[] = [];
  let level: unknown[] = Array.isArray(root['entities'])
    ? root['entities']
    : [];
  let depth = 0;
  while (level.length > 0 && depth < 8) {
    const next: unknown[] = [];
    for (const e of level) {
      if (!isObject(e)) continue;
      const handle = typeof e['handle'] === 'string' ? e['handle'] : '';
      let roles = Array.isArray(e['roles'])
        ? e['roles']
            .filter((r): r is string => typeof r === 'string')
            .map((r) => r.toLowerCase())
        : [];
      if (!Array.isArray(e['roles'])) {
        if (/^ORG-/i.test(handle)) roles = ['registrant'];
        else if (/^IRT-/i.test(handle)) roles = ['abuse'];
      }
      const props = readVcard(e['vcardArray']);
      const kind = firstText(props, 'kind');
      out.push({
        entity: e,
        handle,
        roles,
        props,
        kind: kind === null ? null : kind.toLowerCase(),
      });
      if (Array.isArray(e['entities'])) next.push(...e['entities']);
    }
    level = next;
    depth++;
  }
  return out;
}

const EMAIL =
  /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

function prefOf(params: Json): number {
  const p = params['pref'];
  const n = typeof p === 'string' ? Number(p) : typeof p === 'number' ? p : NaN;
  return Number.isFinite(n) ? n : Infinity;
}

/** Abuse e-mail: `email` and `mailto:` `contact-uri` of abuse entities; by pref, then order. */
function abuseEmailOf(entities: readonly EntityVisit[]): string | null {
  const found: { email: string; pref: number; order: number }[] = [];
  for (const v of entities) {
    if (!v.roles.includes('abuse')) continue;
    for (const p of v.props) {
      let candidates: string[] = [];
      if (p.name === 'email') {
        candidates = p.values.filter((x): x is string => typeof x === 'string');
      } else if (p.name === 'contact-uri') {
        candidates = p.values
          .filter(
            (x): x is string =>
              typeof x === 'string' && /^mailto:/i.test(x.trim()),
          )
          .map((x) => decodeMailto(x.trim()));
      }
      for (const c of candidates) {
        const email = c.trim();
        if (email.length <= 254 && EMAIL.test(email))
          found.push({ email, pref: prefOf(p.params), order: found.length });
      }
    }
  }
  found.sort((a, b) => a.pref - b.pref || a.order - b.order);
  return found[0]?.email ?? null;
}

function decodeMailto(uri: string): string {
  const rest = uri.slice(7).split('?')[0]!;
  try {
    return decodeURIComponent(rest);
  } catch {
    return rest;
  }
}

/** Registrant organisation name (B10 "Organisation / holder name"). */
function orgOf(root: Json, entities: readonly EntityVisit[]): string | null {
  const registrants = entities.filter(
    (v) => v.roles.includes('registrant') && !/-MNT$/i.test(v.handle),
  );
  for (const v of registrants) {
    const orgLike =
      v.kind === 'org' || (v.kind === null && /^ORG-/i.test(v.handle));
    if (!orgLike) continue;
    const name = firstText(v.props, 'fn') ?? firstText(v.props, 'org');
    if (name !== null) return name;
  }
  for (const v of registrants) {
    const name = firstText(v.props, 'org');
    if (name !== null) return name;
  }
  const remarks = Array.isArray(root['remarks']) ? root['remarks'] : [];
  for (const r of remarks) {
    if (!isObject(r) || typeof r['title'] !== 'string') continue;
    if (r['title'].trim().toLowerCase() !== 'description') continue;
    const d = Array.isArray(r['description']) ? r['description'] : [];
    const line = d.find(
      (x): x is string => typeof x === 'string' && x.trim() !== '',
    );
    if (line !== undefined) return line;
  }
  return null;
}

let countryNames: Map<string, string> | null = null;

/** Upper-cased English country names (ICU) and common RIR spellings → ISO 3166 alpha-2. */
function countryByName(name: string): string | null {
  if (countryNames === null) {
    countryNames = new Map();
    try {
      const names = new Intl.DisplayNames(['en'], {
        type: 'region',
        fallback: 'none',
      });
      for (let a = 65; a <= 90; a++)
        for (let b = 65; b <= 90; b++) {
          const code = String.fromCharCode(a, b);
          const n = names.of(code);
          if (n !== undefined && n !== code)
            countryNames.set(n.toUpperCase(), code);
        }
    } catch {
      // No ICU data: names are not mapped.
    }
    const aliases: [string, string][] = [
      ['USA', 'US'],
      ['UNITED STATES OF AMERICA', 'US'],
      ['UK', 'GB'],
      ['GREAT BRITAIN', 'GB'],
      ['KOREA, REPUBLIC OF', 'KR'],
      ['REPUBLIC OF KOREA', 'KR'],
      ['RUSSIAN FEDERATION', 'RU'],
      ['VIET NAM', 'VN'],
      ['TAIWAN, PROVINCE OF CHINA', 'TW'],
      ['IRAN, ISLAMIC REPUBLIC OF', 'IR'],
    ];
    for (const [n, c] of aliases) countryNames.set(n, c);
  }
  return countryNames.get(name.trim().toUpperCase()) ?? null;
}

function countryCode(text: string | null): string | null {
  if (text === null) return null;
  const t = text.trim();
  if (/^[A-Za-z]{2}$/.test(t)) {
    const c = t.toUpperCase();
    return c === 'ZZ' ? null : c;
  }
  return countryByName(t);
}

/** Country (B10): the network's own, else the registrant's address (cc, structured, label). */
function countryOf(
  root: Json,
  entities: readonly EntityVisit[],
): string | null {
  const own = countryCode(
    typeof root['country'] === 'string' ? root['country'] : null,
  );
  if (own !== null) return own;
  if (
    typeof root['country'] === 'string' &&
    root['country'].trim().toUpperCase() === 'ZZ'
  )
    return null;
  for (const v of entities) {
    if (!v.roles.includes('registrant') || v.kind === 'individual') continue;
    for (const p of v.props) {
      if (p.name !== 'adr') continue;
      const cc = countryCode(
        typeof p.params['cc'] === 'string' ? p.params['cc'] : null,
      );
      if (cc !== null) return cc;
      const value = p.values[0];
      if (Array.isArray(value) && value.length >= 7) {
        const fromSlot = countryCode(textValue(value[6]));
        if (fromSlot !== null) return fromSlot;
      }
      const label = p.params['label'];
      if (typeof label === 'string') {
        const lines = label
          .split(/\r?\n|\\n/)
          .map((l) => l.trim())
          .filter((l) => l !== '');
        const last = lines[lines.length - 1];
        if (last !== undefined) {
          const fromLabel = countryByName(last);
          if (fromLabel !== null) return fromLabel;
        }
      }
    }
  }
  return null;
}

/** RFC 3339 → ISO 8601 UTC without milliseconds, or null. */
function isoUtc(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const ms = Date.parse(v.trim());
  if (!Number.isFinite(ms)) return null;
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

function eventDate(root: Json, action: string): string | null {
  const events = Array.isArray(root['events']) ? root['events'] : [];
  for (const e of events) {
    if (!isObject(e) || typeof e['eventAction'] !== 'string') continue;
    if (e['eventAction'].trim().toLowerCase() === action) {
      const d = isoUtc(e['eventDate']);
      if (d !== null) return d;
    }
  }
  return null;
}

/** CIDRs from `cidr0_cidrs` when present and consistent with the range, else the computed cover. */
function cidrsOf(root: Json, start: IpValue, end: IpValue): string[] {
  const raw = root['cidr0_cidrs'];
  if (Array.isArray(raw) && raw.length > 0) {
    const out: string[] = [];
    for (const c of raw) {
      if (!isObject(c)) return rangeCover(start, end);
      const prefix = start.family === 4 ? c['v4prefix'] : c['v6prefix'];
      const length =
        typeof c['length'] === 'number' ? c['length'] : Number(c['length']);
      const parsed =
        typeof prefix === 'string'
          ? parseCidrValue(`${prefix}/${length}`)
          : null;
      if (parsed === null || parsed.ip.family !== start.family)
        return rangeCover(start, end);
      const block = blockBounds(parsed.ip, parsed.length);
      if (!ipInRange(block[0], start, end) || !ipInRange(block[1], start, end))
        return rangeCover(start, end);
      out.push(`${formatIpValue(block[0])}/${parsed.length}`);
    }
    return out;
  }
  return rangeCover(start, end);
}

function blockBounds(ip: IpValue, length: number): [IpValue, IpValue] {
  if (ip.family === 4) {
    const size = 2 ** (32 - length);
    const s = Math.floor(ip.value / size) * size;
    return [
      { family: 4, value: s },
      { family: 4, value: s + size - 1 },
    ];
  }
  const shift = BigInt(128 - length);
  const s = (ip.value >> shift) << shift;
  return [
    { family: 6, value: s },
    { family: 6, value: s + (1n << shift) - 1n },
  ];
}

/** Options of {@link extractRdapNetwork}. */
export interface ExtractOptions {
  /** Cap on each text field. */
  readonly maxFieldLength: number;
}

/**
 * Extracts the network fields from a parsed RDAP response body.
 * Validates as B9.14 says: no `errorCode`, `objectClassName` (when present)
 * is `ip network`, a parsable range with start <= end, `ipVersion` (when
 * present) matching the range. Whether the queried address lies in the range
 * is checked by the caller.
 * @returns the fields, or `{ error }` when the body is not a usable network.
 */
export function extractRdapNetwork(
  body: unknown,
  options: ExtractOptions,
): ExtractedNetwork | ExtractFailure {
  if (!isObject(body)) return { error: 'body is not a JSON object' };
  if (body['errorCode'] !== undefined)
    return { error: `error object ${String(body['errorCode'])}` };
  const cls = body['objectClassName'];
  if (
    cls !== undefined &&
    (typeof cls !== 'string' || cls.trim().toLowerCase() !== 'ip network')
  )
    return { error: `not an ip network object` };
  const start = parseLenientIp(body['startAddress']);
  const end = parseLenientIp(body['endAddress']);
  if (start === null || end === null)
    return { error: 'no valid startAddress/endAddress' };
  if (start.family !== end.family || compareIp(start, end) > 0)
    return { error: 'startAddress/endAddress do not form a range' };
  const version = body['ipVersion'];
  if (
    typeof version === 'string' &&
    version.trim().toLowerCase() !== `v${start.family}`
  )
    return { error: `ipVersion ${version} does not match the range` };
  const max = options.maxFieldLength;
  const text = (v: unknown): string | null => sanitizeRdapText(v, max);
  const entities = walkEntities(body);
  const abuse = abuseEmailOf(entities);
  return {
    handle: text(body['handle']),
    name: text(body['name']),
    type: text(body['type']),
    country: countryOf(body, entities),
    start: formatIpValue(start),
    end: formatIpValue(end),
    cidrs: cidrsOf(body, start, end),
    org: text(orgOf(body, entities)),
    abuseEmail: abuse === null ? null : sanitizeRdapText(abuse, 254),
    registered: eventDate(body, 'registration'),
    lastChanged: eventDate(body, 'last changed'),
    parentHandle: text(body['parentHandle']),
    startIp: start,
    endIp: end,
  };
}

/** Notice titles and texts that mean "slow down" although the status is 200 (LACNIC). */
const RATE_LIMIT_NOTICE =
  /rate[\s-]*limit|too many (requests|queries)|query limit|quota/i;
/** RFC 9083 §10.2.1 truncation notice for load. */
const EXCESSIVE_LOAD = /excessive load/i;

/**
 * Looks at a 200 body's top-level notices for LACNIC's "Rate Limit Notice"
 * (only in a body that carries no network: a network with a policy notice
 * that mentions rate limits is an answer) or a truncation "due to excessive load".
 * @returns `rate-limited`, `overloaded` or null.
 */
export function noticeSignal(
  body: unknown,
): 'rate-limited' | 'overloaded' | null {
  if (!isObject(body)) return null;
  const hasNetwork = body['startAddress'] !== undefined;
  const notices = Array.isArray(body['notices']) ? body['notices'] : [];
  for (const n of notices) {
    if (!isObject(n)) continue;
    const title = typeof n['title'] === 'string' ? n['title'] : '';
    const desc = Array.isArray(n['description'])
      ? n['description']
          .filter((x): x is string => typeof x === 'string')
          .join(' ')
      : '';
    const type = typeof n['type'] === 'string' ? n['type'] : '';
    if (
      !hasNetwork &&
      (RATE_LIMIT_NOTICE.test(title) || /rate limit is maxed/i.test(desc))
    )
      return 'rate-limited';
    if (EXCESSIVE_LOAD.test(type) || EXCESSIVE_LOAD.test(title))
      return 'overloaded';
  }
  return null;
}
