/**
 * The per-address step of every format: look the address up, count the
 * outcome, and return the text to write for it. The text depends only on the
 * record id, so it is rendered once per id and kept in an array indexed by id:
 * a million rows that hit ten thousand blocks render ten thousand strings.
 */

import { parseIpv4 } from '../ip/parse-ip.js';
import { NOT_FOUND, SPECIAL, type Registry } from '../types.js';
import {
  isRdapField,
  type EnrichField,
  type RegistryField,
} from './enrich-fields.js';
import { createFieldReader, type FieldReader } from './record-fields.js';
import {
  C_ADDRESSES,
  C_FOUND,
  C_INVALID,
  C_MISSING,
  C_NOT_FOUND,
  C_SPECIAL,
} from './enrich-summary.js';
import type { RdapField } from '../rdap/rdap-types.js';

/** Outcome code for an empty or absent value (the registry's codes are -1..-3). */
export const MISSING = -4;

/** {@link AddressEnricher.cachedIpv4}: the address is not in the cache. */
export const CACHE_MISS = -100;

/** Why a value got no answer, as written in `<column>_error`. */
export type AddressError = 'missing' | 'invalid';

/** How a lookup outcome is labelled for a style's `head`. */
export type OutcomeKind =
  'found' | 'not-found' | 'special' | 'invalid' | 'missing';

/** One output style: how a format writes the fields of one address. */
export interface FieldStyle {
  /** The registry fields (values in field order, '' for none). */
  head(values: readonly string[], kind: OutcomeKind): string;
  /** The RDAP fields; `values` is null when RDAP was not asked for this address. */
  rdap(values: readonly string[] | null): string;
  /** The error part ('' for none). */
  tail(error: '' | AddressError): string;
}

/** A pending RDAP answer inside a piece of output. */
export interface RdapHole {
  readonly ip: string;
  /** Record id, or NOT_FOUND. */
  readonly id: number;
}

/** The RDAP setting a processor needs (the resolver itself stays on the main thread). */
export type RdapNeed = 'off' | 'fallback' | 'always';

const SPACE = 32;
const TAB = 9;
/** The IPv4 answer cache has 2^(32 - CACHE_SHIFT) entries (128 KiB: stays in L2). */
const CACHE_SHIFT = 18;
const EMPTY = CACHE_MISS;

/** Looks up addresses, counts outcomes, renders and caches field text. */
export class AddressEnricher {
  readonly registry: Registry;
  readonly registryFields: readonly RegistryField[];
  readonly rdapFields: readonly RdapField[];
  readonly rdapNeed: RdapNeed;
  /** Write RDAP text to CSV as is (no formula neutralising). */
  rawCsv = false;
  /** Counters the next lookups add to (processors swap in a fresh array per segment). */
  counters: Float64Array;
  /** Hits per record id. */
  readonly idCounts: Uint32Array;
  readonly #wantSpecial: boolean;
  readonly #empty: string[];
  readonly #read: FieldReader;
  /** IPv4 answer cache: pairs (address as int32, record id or code). */
  readonly #cache = new Int32Array(2 << (32 - CACHE_SHIFT)).fill(EMPTY);

  constructor(
    registry: Registry,
    fields: readonly EnrichField[],
    rdapNeed: RdapNeed,
    counters: Float64Array,
  ) {
    this.registry = registry;
    this.registryFields = fields.filter(
      (f): f is RegistryField => !isRdapField(f),
    );
    this.rdapFields = fields
      .filter(isRdapField)
      .map((f) => f.slice(5) as RdapField);
    this.rdapNeed = this.rdapFields.length > 0 ? rdapNeed : 'off';
    this.counters = counters;
    this.idCounts = new Uint32Array(registry.size);
    this.#wantSpecial = this.registryFields.includes('special');
    this.#empty = this.registryFields.map(() => '');
    this.#read = createFieldReader(registry);
  }

  /**
   * Looks up `s[from..to)` (surrounding spaces and tabs ignored) and counts the outcome.
   * @returns a record id, or NOT_FOUND, INVALID, SPECIAL or MISSING.
   */
  lookup(s: string, from: number, to: number): number {
    while (from < to) {
      const c = s.charCodeAt(from);
      if (c !== SPACE && c !== TAB) break;
      from++;
    }
    while (to > from) {
      const c = s.charCodeAt(to - 1);
      if (c !== SPACE && c !== TAB) break;
      to--;
    }
    const c = this.counters;
    if (from === to) {
      c[C_MISSING]!++;
      return MISSING;
    }
    c[C_ADDRESSES]!++;
    // IPv4 answers are remembered in a small direct-mapped cache: log and flow
    // addresses repeat a lot, and a cache probe is a fraction of a lookup.
    let id: number;
    const v4 = parseIpv4(s, from, to);
    if (v4 >= 0) {
      // One slot holds the key and the answer, so a probe touches one cache line.
      const slot = (Math.imul(v4, 0x9e3779b1) >>> CACHE_SHIFT) << 1;
      const cache = this.#cache;
      if (cache[slot + 1] !== EMPTY && cache[slot] === (v4 | 0))
        id = cache[slot + 1]!;
      else {
        id = this.registry.lookupIdIn(s, from, to);
        cache[slot] = v4 | 0;
        cache[slot + 1] = id;
      }
    } else id = this.registry.lookupIdIn(s, from, to);
    if (id >= 0) {
      c[C_FOUND]!++;
      this.idCounts[id]!++;
    } else if (id === NOT_FOUND) c[C_NOT_FOUND]!++;
    else if (id === SPECIAL) c[C_SPECIAL]!++;
    else c[C_INVALID]!++;
    return id;
  }

  /**
   * The cached answer for an IPv4 address already parsed (`v4`, the uint32
   * or the same bits as an int32), counted as {@link lookup} counts it; or
   * {@link CACHE_MISS} (nothing counted) when the address is not cached:
   * then call {@link lookup} with its text.
   */
  cachedIpv4(v4: number): number {
    const slot = (Math.imul(v4, 0x9e3779b1) >>> CACHE_SHIFT) << 1;
    const cache = this.#cache;
    if (cache[slot + 1] === EMPTY || cache[slot] !== (v4 | 0))
      return CACHE_MISS;
    const id = cache[slot + 1]!;
    const c = this.counters;
    c[C_ADDRESSES]!++;
    if (id >= 0) {
      c[C_FOUND]!++;
      this.idCounts[id]!++;
    } else if (id === NOT_FOUND) c[C_NOT_FOUND]!++;
    else if (id === SPECIAL) c[C_SPECIAL]!++;
    else c[C_INVALID]!++;
    return id;
  }

  /** Counts a value that is present but not text (a JSON number, say) as invalid. */
  countInvalid(): void {
    this.counters[C_ADDRESSES]!++;
    this.counters[C_INVALID]!++;
  }

  /** Counts an absent value. */
  countMissing(): void {
    this.counters[C_MISSING]!++;
  }

  /** True when this outcome needs an RDAP answer. */
  needsRdap(code: number): boolean {
    const need = this.rdapNeed;
    if (need === 'off') return false;
    if (need === 'fallback') return code === NOT_FOUND;
    return code >= 0 || code === NOT_FOUND;
  }

  /** True when rendering a SPECIAL outcome needs the block's name. */
  get wantsSpecialName(): boolean {
    return this.#wantSpecial;
  }

  /** Registry field values of a record. */
  valuesOf(id: number): string[] {
    const read = this.#read;
    return this.registryFields.map((f) => read(id, f));
  }

  /** Registry field values of a special-purpose address. */
  valuesOfSpecial(name: string): string[] {
    return this.registryFields.map((f) => (f === 'special' ? name : ''));
  }

  /** Values of an address with no answer. */
  get emptyValues(): readonly string[] {
    return this.#empty;
  }
}

/** Rendered text per outcome for one style, cached per record id and per special name. */
export class RenderCache {
  readonly #enricher: AddressEnricher;
  readonly #style: FieldStyle;
  readonly #byId: (string | undefined)[];
  readonly #bySpecial = new Map<string, string>();
  readonly #rdapEmpty: string;
  readonly #tailOk: string;
  readonly notFound: string;
  readonly special: string;
  readonly invalid: string;
  readonly missing: string;

  constructor(enricher: AddressEnricher, style: FieldStyle) {
    this.#enricher = enricher;
    this.#style = style;
    this.#byId = new Array<string | undefined>(enricher.registry.size);
    const hasRdap = enricher.rdapFields.length > 0;
    this.#rdapEmpty = hasRdap ? style.rdap(null) : '';
    this.#tailOk = style.tail('');
    const empty = enricher.emptyValues;
    this.notFound =
      style.head(empty, 'not-found') + this.#rdapEmpty + this.#tailOk;
    this.special =
      style.head(empty, 'special') + this.#rdapEmpty + this.#tailOk;
    this.invalid =
      style.head(empty, 'invalid') + this.#rdapEmpty + style.tail('invalid');
    this.missing =
      style.head(empty, 'missing') + this.#rdapEmpty + style.tail('missing');
  }

  /** Text for a found record. */
  found(id: number): string {
    let t = this.#byId[id];
    if (t === undefined) {
      t =
        this.#style.head(this.#enricher.valuesOf(id), 'found') +
        this.#rdapEmpty +
        this.#tailOk;
      this.#byId[id] = t;
    }
    return t;
  }

  /** Text for a special-purpose address named `name`. */
  specialNamed(name: string): string {
    let t = this.#bySpecial.get(name);
    if (t === undefined) {
      t =
        this.#style.head(this.#enricher.valuesOfSpecial(name), 'special') +
        this.#rdapEmpty +
        this.#tailOk;
      this.#bySpecial.set(name, t);
    }
    return t;
  }

  /**
   * Text for an outcome code. `s[from..to)` is the address text, read only
   * for a SPECIAL outcome when the `special` field is selected.
   */
  text(code: number, s: string, from: number, to: number): string {
    if (code >= 0) return this.found(code);
    if (code === NOT_FOUND) return this.notFound;
    if (code === SPECIAL) {
      if (!this.#enricher.wantsSpecialName) return this.special;
      return this.specialNamed(
        this.#enricher.registry.special(s.slice(from, to).trim()) ?? '',
      );
    }
    if (code === MISSING) return this.missing;
    return this.invalid;
  }

  /**
   * The pieces around an RDAP hole for an outcome that needs RDAP:
   * `[head, tail]`; the hole goes between them.
   */
  holeParts(code: number): [string, string] {
    const e = this.#enricher;
    const head =
      code >= 0
        ? this.#style.head(e.valuesOf(code), 'found')
        : this.#style.head(e.emptyValues, 'not-found');
    return [head, this.#tailOk];
  }
}
