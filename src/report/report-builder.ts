/**
 * The report's aggregator: a pure fold over observations. Nothing here reads
 * files or the clock; the same observations in the same order give the same
 * report.
 *
 * Memory. Everything kept is a group: one object per delegated block met (and
 * per holder, country and registry above it), one per special-purpose name,
 * plus the distinct-address tables of blocks, special names and the
 * unallocated section. Those tables are bounded twice: at most
 * `maxAddressesPerGroup` addresses per group and `maxAddresses` over the whole
 * report. Past a bound an address not already in its table is still counted in
 * hits and rows, and the group's distinct count becomes a lower bound
 * (`addressesExact: false`, "at least" in the renderers). Invalid values keep
 * `maxInvalidExamples` examples. So memory grows with the number of blocks the
 * input touches (bounded by the registry) and never with the number of rows.
 *
 * Rows are counted per group without sets: rows come in order, so a group
 * remembers the last row it was counted for.
 */

import { AddressTable, addressWords } from './address-table.js';
import type { RdapInfo } from '../rdap/rdap-types.js';
import type { RegistryRecord, Rir } from '../types.js';
import { registryLinks, resourceLinks } from './registry-links.js';
import {
  COUNTRY_NOTE,
  DEFAULT_REPORT_LIMITS,
  type Report,
  type ReportAddress,
  type ReportBlock,
  type ReportCounts,
  type ReportCountry,
  type ReportCountrySummary,
  type ReportHolder,
  type ReportHolderSummary,
  type ReportLimits,
  type ReportManifest,
  type ReportObservation,
  type ReportRdapNetwork,
  type ReportRegistry,
  type ReportSpecial,
} from './report-types.js';
import { formatTime, type TimeKind } from './timestamp-reader.js';

/** Nodes above a block. */
const UP = 5;

// Fields of a node in NodeStats.v (two adjacent 64-byte cache lines per node).
const ROWS = 0;
const LAST_ROW = 1;
const HITS = 2;
const FIRST = 3;
const LAST = 4;
const DISTINCT = 5;
const INEXACT = 6;
/** Blocks: the UP nodes above (registry, country, holder, country total, holder total). */
const ABOVE = 8;
const FIELDS = 16;

/**
 * The counts of every node (registry, country, holder, totals, and the
 * address groups), in one Float64Array, sixteen numbers per node (its counts
 * and, for a block, the nodes above it): counting a hit touches one node's
 * adjacent cache lines, not objects scattered on the heap. Rows are counted
 * without sets: rows come in order, so a node remembers the last row it counted.
 */
class NodeStats {
  size = 0;
  v = new Float64Array(64 * FIELDS);

  add(): number {
    if (this.size * FIELDS === this.v.length) {
      const v = new Float64Array(this.v.length * 2);
      v.set(this.v);
      this.v = v;
    }
    const i = this.size++;
    const b = i * FIELDS;
    this.v[b + LAST_ROW] = -1;
    this.v[b + FIRST] = Infinity;
    this.v[b + LAST] = -Infinity;
    return i;
  }

  get(i: number, field: number): number {
    return this.v[i * FIELDS + field]!;
  }
}

/** A node of the tree: its index in NodeStats. */
class Node {
  readonly i: number;
  constructor(i: number) {
    this.i = i;
  }
}

/**
 * A group with its own distinct addresses: a delegated block (with its
 * record), a special-purpose name, or the unallocated section.
 */
class Group extends Node {
  readonly record: RegistryRecord | null;
  readonly name: string;
  readonly rdap: Map<string, ReportRdapNetwork> | null;

  constructor(i: number, record: RegistryRecord | null, name: string) {
    super(i);
    this.record = record;
    this.name = name;
    this.rdap = record !== null ? new Map() : null;
  }
}

class HolderNode extends Node {
  readonly blocks: Group[] = [];
  readonly holder: string | null;
  constructor(i: number, holder: string | null) {
    super(i);
    this.holder = holder;
  }
}

class CountryNode extends Node {
  readonly holders = new Map<string, HolderNode>();
  readonly country: string | null;
  constructor(i: number, country: string | null) {
    super(i);
    this.country = country;
  }
}

class RegistryNode extends Node {
  readonly countries = new Map<string, CountryNode>();
  readonly rir: Rir;
  constructor(i: number, rir: Rir) {
    super(i);
    this.rir = rir;
  }
}

class CountryTotal extends Node {
  readonly registries = new Set<Rir>();
  readonly country: string | null;
  constructor(i: number, country: string | null) {
    super(i);
    this.country = country;
  }
}

class HolderTotal extends Node {
  readonly countries = new Set<string | null>();
  blocks = 0;
  readonly rir: Rir;
  readonly holder: string | null;
  constructor(i: number, rir: Rir, holder: string | null) {
    super(i);
    this.rir = rir;
    this.holder = holder;
  }
}

const WORDS = new Uint32Array(4);
const SPACE = 32;
const TAB = 9;
const WORDS_A = new Uint32Array(4);
const WORDS_B = new Uint32Array(4);

/** Block order within a holder: IPv4 before IPv6, then by first address. */
function compareAddressText(a: string, b: string): number {
  const pa = addressWords(a, 0, a.length, WORDS_A);
  const pb = addressWords(b, 0, b.length, WORDS_B);
  if (pa && pb) {
    for (let i = 0; i < 4; i++)
      if (WORDS_A[i] !== WORDS_B[i]) return WORDS_A[i]! - WORDS_B[i]!;
    return 0;
  }
  if (pa !== pb) return pa ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareNullableText(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/** Most addresses first, then most hits, then `tie`. */
function byWeight<T extends { addresses: number; hits: number }>(
  tie: (a: T, b: T) => number,
): (a: T, b: T) => number {
  return (a, b) => b.addresses - a.addresses || b.hits - a.hits || tie(a, b);
}

function rdapKey(n: ReportRdapNetwork): string {
  return [
    n.handle,
    n.start,
    n.end,
    n.name,
    n.org,
    n.abuseEmail,
    n.country,
  ].join('\u0000');
}

function rdapNetwork(info: Partial<RdapInfo>): ReportRdapNetwork | null {
  const v = (x: string | null | undefined): string | null =>
    x === undefined || x === '' ? null : x;
  const n: ReportRdapNetwork = {
    handle: v(info.handle),
    name: v(info.name),
    org: v(info.org),
    abuseEmail: v(info.abuseEmail),
    country: v(info.country),
    start: v(info.start),
    end: v(info.end),
  };
  return Object.values(n).every((x) => x === null) ? null : n;
}

function compareRdap(a: ReportRdapNetwork, b: ReportRdapNetwork): number {
  const ka = rdapKey(a);
  const kb = rdapKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** What {@link ReportBuilder.finish} needs besides the observations. */
export interface ReportFinishOptions {
  /** The manifest (the builder adds its `limits`). */
  readonly manifest: Omit<ReportManifest, 'limits'>;
  /** Where times came from (column, key, `line`) or null. */
  readonly timeSource: string | null;
  /** Kind of the times given (default: `utc` when any time was given). */
  readonly timeKind?: TimeKind | null;
  /** Extra warnings to list. */
  readonly warnings?: readonly string[];
}

/**
 * Folds observations into a {@link Report}. Feed it with {@link add} (or the
 * faster `add*At` methods, which read an address out of a larger string
 * without copying it), then call {@link finish} once.
 */
export class ReportBuilder {
  readonly limits: ReportLimits;
  readonly #table: AddressTable;
  readonly #stats = new NodeStats();
  readonly #groups: Group[] = [];
  /** Group (node index + 1) of each registry record id met (raw inputs); 0 when none yet. */
  #blockOfId = new Int32Array(0);
  /** Blocks by record object. */
  readonly #blocksByRecord = new Map<RegistryRecord, Group>();
  readonly #registries = new Map<Rir, RegistryNode>();
  readonly #countryTotals = new Map<string, CountryTotal>();
  readonly #holderTotals = new Map<string, HolderTotal>();
  readonly #special = new Map<string, Group>();
  readonly #unallocated: Group;
  readonly #unallocatedRdap = new Map<string, ReportRdapNetwork>();
  readonly #invalidExamples = new Map<
    string,
    { column: string; hits: number }
  >();
  #examplesComplete = true;
  #rowsRead = 0;
  #maxRow = 0;
  #lastRow = -1;
  #rowsWithAddresses = 0;
  #rowsWithTime = 0;
  #lastTimedRow = -1;
  #found = 0;
  #notFound = 0;
  #specialHits = 0;
  #invalid = 0;
  #invalidRows = 0;
  #invalidLastRow = -1;
  #missing = 0;
  #anyTime = false;
  readonly #warnings: string[] = [];

  /** @param limits memory bounds (see {@link ReportLimits}); missing ones take their defaults. */
  constructor(limits: Partial<ReportLimits> = {}) {
    const merged = { ...DEFAULT_REPORT_LIMITS };
    for (const [name, value] of Object.entries(limits)) {
      if (!(name in DEFAULT_REPORT_LIMITS))
        throw new TypeError(
          `\`limits\`: unknown limit ${JSON.stringify(name)}`,
        );
      if (value === undefined) continue;
      if (
        typeof value !== 'number' ||
        !Number.isInteger(value) ||
        value < 0 ||
        value > 1e9
      )
        throw new RangeError(
          `\`${name}\` must be an integer from 0 to 1000000000`,
        );
      (merged as Record<string, number>)[name] = value;
    }
    this.limits = merged;
    this.#table = new AddressTable(merged.maxAddresses);
    this.#unallocated = this.#newGroup(null, '', []);
  }

  #newGroup(
    record: RegistryRecord | null,
    name: string,
    up: readonly Node[],
  ): Group {
    const stats = this.#stats;
    const g = new Group(stats.add(), record, name);
    for (let k = 0; k < UP; k++)
      stats.v[g.i * FIELDS + ABOVE + k] = k < up.length ? up[k]!.i : -1;
    this.#groups.push(g);
    return g;
  }

  /** Counts data rows read (rows without any address included). */
  addRows(n: number): void {
    this.#rowsRead += n;
  }

  /** Adds a warning line to the report. */
  warn(message: string): void {
    if (!this.#warnings.includes(message)) this.#warnings.push(message);
  }

  /** Adds one observation (see {@link ReportObservation}). */
  add(o: ReportObservation): void {
    if (typeof o !== 'object' || o === null)
      throw new TypeError('`observation` must be an object');
    const row = o.row;
    if (!Number.isInteger(row) || row < 1)
      throw new RangeError('`row` must be a positive integer');
    if (row < this.#lastRow)
      throw new RangeError('observations must come in row order');
    const t = o.time;
    const time =
      t === undefined || t === null
        ? NaN
        : typeof t === 'number'
          ? t
          : t.getTime();
    const ip = String(o.ip ?? '');
    if (o.error === 'missing') this.addMissing(row);
    else if (o.error === 'invalid') this.addInvalid(ip, o.column ?? '', row);
    else if (o.record !== null && o.record !== undefined) {
      this.addFoundAt(o.record, ip, 0, ip.length, row, time);
      if (o.rdap !== undefined && o.rdap !== null)
        this.addRdap(o.record, o.rdap);
    } else if (
      o.special !== undefined &&
      o.special !== null &&
      o.special !== ''
    )
      this.addSpecialAt(o.special, ip, 0, ip.length, row, time);
    else {
      this.addNotFoundAt(ip, 0, ip.length, row, time);
      if (o.rdap !== undefined && o.rdap !== null)
        this.addRdapUnallocated(o.rdap);
    }
  }

  #row(row: number, time: number): void {
    if (row !== this.#lastRow) {
      this.#lastRow = row;
      this.#rowsWithAddresses++;
      if (row > this.#maxRow) this.#maxRow = row;
    }
    if (time === time && this.#lastTimedRow !== row) {
      this.#lastTimedRow = row;
      this.#rowsWithTime++;
      this.#anyTime = true;
    }
  }

  /** Counts a hit of group node `g` and its address `s[from..to)`. */
  #track(
    g: number,
    s: string,
    from: number,
    to: number,
    row: number,
    time: number,
  ): void {
    const v = this.#stats.v;
    const b = g * FIELDS;
    v[b + HITS]!++;
    if (v[b + LAST_ROW] !== row) {
      v[b + LAST_ROW] = row;
      v[b + ROWS]!++;
    }
    if (time === time) {
      if (time < v[b + FIRST]!) v[b + FIRST] = time;
      if (time > v[b + LAST]!) v[b + LAST] = time;
    }
    while (
      from < to &&
      (s.charCodeAt(from) === SPACE || s.charCodeAt(from) === TAB)
    )
      from++;
    while (
      to > from &&
      (s.charCodeAt(to - 1) === SPACE || s.charCodeAt(to - 1) === TAB)
    )
      to--;
    const table = this.#table;
    const add = v[b + DISTINCT]! < this.limits.maxAddressesPerGroup;
    const r = addressWords(s, from, to, WORDS)
      ? table.hit(WORDS[0]!, WORDS[1]!, WORDS[2]!, WORDS[3]!, g, time, add)
      : table.hitText(s.slice(from, to), g, time, add);
    if (r === 1) v[b + DISTINCT]!++;
    else if (r < 0) v[b + INEXACT] = 1;
  }

  #block(record: RegistryRecord): Group {
    let reg = this.#registries.get(record.rir);
    if (reg === undefined) {
      reg = new RegistryNode(this.#stats.add(), record.rir);
      this.#registries.set(record.rir, reg);
    }
    const cc = record.country ?? '';
    let country = reg.countries.get(cc);
    if (country === undefined) {
      country = new CountryNode(this.#stats.add(), record.country);
      reg.countries.set(cc, country);
    }
    const hid = record.holder ?? '';
    let holder = country.holders.get(hid);
    if (holder === undefined) {
      holder = new HolderNode(this.#stats.add(), record.holder);
      country.holders.set(hid, holder);
    }
    let ct = this.#countryTotals.get(cc);
    if (ct === undefined) {
      ct = new CountryTotal(this.#stats.add(), record.country);
      this.#countryTotals.set(cc, ct);
    }
    ct.registries.add(record.rir);
    const hkey = `${record.rir}\u0000${hid}`;
    let ht = this.#holderTotals.get(hkey);
    if (ht === undefined) {
      ht = new HolderTotal(this.#stats.add(), record.rir, record.holder);
      this.#holderTotals.set(hkey, ht);
    }
    ht.countries.add(record.country);
    ht.blocks++;
    const block = this.#newGroup(record, '', [reg, country, holder, ct, ht]);
    holder.blocks.push(block);
    return block;
  }

  #found1(
    g: number,
    s: string,
    from: number,
    to: number,
    row: number,
    time: number,
  ): void {
    this.#found++;
    const st = this.#stats;
    const v = st.v;
    if (v[g * FIELDS + LAST_ROW] !== row) {
      // A new row for the block may be new for the nodes above it too.
      for (let k = g * FIELDS + ABOVE, end = k + UP; k < end; k++) {
        const n = v[k]! * FIELDS;
        if (v[n + LAST_ROW] !== row) {
          v[n + LAST_ROW] = row;
          v[n + ROWS]!++;
        }
      }
    }
    this.#track(g, s, from, to, row, time);
    this.#row(row, time);
  }

  /** An address `s[from..to)` a registry record answers for. */
  addFoundAt(
    record: RegistryRecord,
    s: string,
    from: number,
    to: number,
    row: number,
    time: number,
  ): void {
    let block = this.#blocksByRecord.get(record);
    if (block === undefined) {
      block = this.#block(record);
      this.#blocksByRecord.set(record, block);
    }
    this.#found1(block.i, s, from, to, row, time);
  }

  /** As {@link addFoundAt}, for the record with this id in the registry (faster: keyed by id). */
  addFoundIdAt(
    id: number,
    registry: { record(id: number): RegistryRecord },
    s: string,
    from: number,
    to: number,
    row: number,
    time: number,
  ): void {
    let map = this.#blockOfId;
    if (id >= map.length) {
      const grown = new Int32Array(Math.max(id + 1, map.length * 2, 1024));
      grown.set(map);
      this.#blockOfId = map = grown;
    }
    let g = map[id]! - 1;
    if (g < 0) {
      const record = registry.record(id);
      let block = this.#blocksByRecord.get(record);
      if (block === undefined) {
        block = this.#block(record);
        this.#blocksByRecord.set(record, block);
      }
      g = block.i;
      map[id] = g + 1;
    }
    this.#found1(g, s, from, to, row, time);
  }

  /** A valid address no loaded file answers for. */
  addNotFoundAt(
    s: string,
    from: number,
    to: number,
    row: number,
    time: number,
  ): void {
    this.#notFound++;
    this.#track(this.#unallocated.i, s, from, to, row, time);
    this.#row(row, time);
  }

  /** An IANA special-purpose address. */
  addSpecialAt(
    name: string,
    s: string,
    from: number,
    to: number,
    row: number,
    time: number,
  ): void {
    let g = this.#special.get(name);
    if (g === undefined) {
      g = this.#newGroup(null, name, []);
      this.#special.set(name, g);
    }
    this.#specialHits++;
    this.#track(g.i, s, from, to, row, time);
    this.#row(row, time);
  }

  /** A value that is not an address. */
  addInvalid(value: string, column: string, row: number): void {
    this.#invalid++;
    if (this.#invalidLastRow !== row) {
      this.#invalidLastRow = row;
      this.#invalidRows++;
    }
    if (row !== this.#lastRow) {
      this.#lastRow = row;
      this.#rowsWithAddresses++;
      if (row > this.#maxRow) this.#maxRow = row;
    }
    const shown = value.length > 200 ? `${value.slice(0, 200)}…` : value;
    const key = `${column}\u0000${shown}`;
    const e = this.#invalidExamples.get(key);
    if (e !== undefined) e.hits++;
    else if (this.#invalidExamples.size < this.limits.maxInvalidExamples)
      this.#invalidExamples.set(key, { column, hits: 1 });
    else this.#examplesComplete = false;
  }

  /** An empty or absent address value. */
  addMissing(row: number): void {
    this.#missing++;
    if (row > this.#maxRow) this.#maxRow = row;
  }

  /** An RDAP answer for an address of `record`'s block (the block must have been added). */
  addRdap(record: RegistryRecord, info: Partial<RdapInfo>): void {
    const block = this.#blocksByRecord.get(record);
    const n = rdapNetwork(info);
    if (block === undefined || block.rdap === null || n === null) return;
    const key = rdapKey(n);
    if (!block.rdap.has(key) && block.rdap.size < this.limits.maxRdapNetworks)
      block.rdap.set(key, n);
  }

  /** An RDAP answer for an unallocated address. */
  addRdapUnallocated(info: Partial<RdapInfo>): void {
    const n = rdapNetwork(info);
    if (n === null) return;
    const key = rdapKey(n);
    if (
      !this.#unallocatedRdap.has(key) &&
      this.#unallocatedRdap.size < this.limits.maxRdapNetworks * 10
    )
      this.#unallocatedRdap.set(key, n);
  }

  /** Table entries per group, most hits first (then by address). */
  #entriesByGroup(): Map<number, number[]> {
    const table = this.#table;
    const lists = table.byGroup();
    for (const g of this.#groups) if (!lists.has(g.i)) lists.set(g.i, []);
    for (const list of lists.values()) list.sort((a, b) => table.compare(a, b));
    return lists;
  }

  /**
   * The addresses worth an RDAP question, most hits first: per block up to
   * `perBlock` addresses (with the block's record), and the unallocated ones.
   */
  rdapCandidates(perBlock: number): {
    blocks: { record: RegistryRecord; ips: string[] }[];
    unallocated: string[];
  } {
    const lists = this.#entriesByGroup();
    const table = this.#table;
    const blocks: { record: RegistryRecord; ips: string[] }[] = [];
    for (const g of this.#groups)
      if (g.record !== null && perBlock > 0)
        blocks.push({
          record: g.record,
          ips: lists
            .get(g.i)!
            .slice(0, perBlock)
            .map((e) => table.text(e)),
        });
    return {
      blocks,
      unallocated: lists.get(this.#unallocated.i)!.map((e) => table.text(e)),
    };
  }

  /** Builds the report. */
  finish(options: ReportFinishOptions): Report {
    const kind: TimeKind | null =
      options.timeKind !== undefined
        ? options.timeKind
        : this.#anyTime
          ? 'utc'
          : null;
    const fmt = (t: number): string | null =>
      Number.isFinite(t) ? formatTime(t, kind ?? 'utc') : null;
    const limits = this.limits;
    const table = this.#table;
    const lists = this.#entriesByGroup();
    let inexactGroups = 0;

    const topOf = (g: Group): ReportAddress[] =>
      lists
        .get(g.i)!
        .slice(0, limits.topAddresses)
        .map((e) => ({
          ip: table.text(e),
          hits: table.hits(e),
          firstSeen: fmt(table.first(e)),
          lastSeen: fmt(table.last(e)),
        }));

    const st = this.#stats;
    const rowsOf = (n: Node): number => st.get(n.i, ROWS);
    const countsOf = (g: Group): ReportCounts => {
      const exact = st.get(g.i, INEXACT) === 0;
      if (!exact) inexactGroups++;
      return {
        addresses: st.get(g.i, DISTINCT),
        addressesExact: exact,
        hits: st.get(g.i, HITS),
        rows: st.get(g.i, ROWS),
        firstSeen: fmt(st.get(g.i, FIRST)),
        lastSeen: fmt(st.get(g.i, LAST)),
      };
    };

    /** Sums child counts; rows come from the group's own counter. */
    const sum = (
      children: readonly ReportCounts[],
      rows: number,
      first: number,
      last: number,
    ): ReportCounts => ({
      addresses: children.reduce((n, c) => n + c.addresses, 0),
      addressesExact: children.every((c) => c.addressesExact),
      hits: children.reduce((n, c) => n + c.hits, 0),
      rows,
      firstSeen: fmt(first),
      lastSeen: fmt(last),
    });

    const span = (blocks: readonly Group[]): [number, number] => {
      let first = Infinity;
      let last = -Infinity;
      for (const b of blocks) {
        first = Math.min(first, st.get(b.i, FIRST));
        last = Math.max(last, st.get(b.i, LAST));
      }
      return [first, last];
    };

    const blockOf = (b: Group): ReportBlock => {
      const r = b.record!;
      const cidrs = r.range.cidrs ?? [];
      const c = countsOf(b);
      // Explicit fields, no object spread: spreading then adding many fields is slow in V8.
      return {
        ...c, // the six counts, in ReportCounts order
        type: r.type === 'ipv6' ? 'ipv6' : 'ipv4',
        start: String(r.range.start),
        end: String(r.range.end),
        cidrs: cidrs.slice(),
        status: r.status,
        date: r.date,
        source: r.source.file,
        topAddresses: topOf(b),
        rdap: [...b.rdap!.values()].sort(compareRdap),
        links: resourceLinks(
          r.rir,
          cidrs.length === 1 ? cidrs[0]! : String(r.range.start),
        ),
      };
    };

    const blockOrder = byWeight<ReportBlock>(
      (a, b) =>
        a.type.localeCompare(b.type) || compareAddressText(a.start, b.start),
    );
    const registries: ReportRegistry[] = [];
    const allBlocks: { block: ReportBlock; node: Group }[] = [];
    for (const reg of this.#registries.values()) {
      const countries: ReportCountry[] = [];
      const regBlocks: Group[] = [];
      let holderCount = 0;
      for (const c of reg.countries.values()) {
        const holders: ReportHolder[] = [];
        const cBlocks: Group[] = [];
        for (const h of c.holders.values()) {
          const blocks = h.blocks.map((node) => {
            const block = blockOf(node);
            allBlocks.push({ block, node });
            return block;
          });
          blocks.sort(blockOrder);
          const dates = blocks
            .map((b) => b.date)
            .filter((d): d is string => d !== null)
            .sort();
          const [first, last] = span(h.blocks);
          const c = sum(blocks, rowsOf(h), first, last);
          holders.push({
            ...c, // the six counts, in ReportCounts order
            holder: h.holder,
            firstAllocated: dates[0] ?? null,
            lastAllocated: dates[dates.length - 1] ?? null,
            blocks,
          });
          for (const b of h.blocks) cBlocks.push(b);
        }
        holders.sort(
          byWeight((a, b) => compareNullableText(a.holder, b.holder)),
        );
        holderCount += holders.filter((h) => h.holder !== null).length;
        const [first, last] = span(cBlocks);
        const k = sum(holders, rowsOf(c), first, last);
        countries.push({
          addresses: k.addresses,
          addressesExact: k.addressesExact,
          hits: k.hits,
          rows: k.rows,
          firstSeen: k.firstSeen,
          lastSeen: k.lastSeen,
          country: c.country,
          holders,
        });
        for (const b of cBlocks) regBlocks.push(b);
      }
      countries.sort(
        byWeight((a, b) => compareNullableText(a.country, b.country)),
      );
      const [first, last] = span(regBlocks);
      const c = sum(countries, rowsOf(reg), first, last);
      registries.push({
        ...c, // the six counts, in ReportCounts order
        rir: reg.rir,
        blocks: regBlocks.length,
        holders: holderCount,
        links: registryLinks(reg.rir),
        countries,
      });
    }
    registries.sort(
      byWeight((a, b) => (a.rir < b.rir ? -1 : a.rir > b.rir ? 1 : 0)),
    );

    // Country and holder totals over registries (and countries).
    const byCountry = new Map<
      string,
      { blocks: ReportBlock[]; nodes: Group[] }
    >();
    const byHolder = new Map<
      string,
      { blocks: ReportBlock[]; nodes: Group[] }
    >();
    const bucket = (
      m: Map<string, { blocks: ReportBlock[]; nodes: Group[] }>,
      k: string,
    ) => {
      let e = m.get(k);
      if (e === undefined) {
        e = { blocks: [], nodes: [] };
        m.set(k, e);
      }
      return e;
    };
    for (const { block, node } of allBlocks) {
      const r = node.record!;
      const c = bucket(byCountry, r.country ?? '');
      c.blocks.push(block);
      c.nodes.push(node);
      const h = bucket(byHolder, `${r.rir}\u0000${r.holder ?? ''}`);
      h.blocks.push(block);
      h.nodes.push(node);
    }
    const countries: ReportCountrySummary[] = [...this.#countryTotals].map(
      ([cc, t]) => {
        const e = byCountry.get(cc) ?? { blocks: [], nodes: [] };
        const [first, last] = span(e.nodes);
        const c = sum(e.blocks, rowsOf(t), first, last);
        return {
          ...c, // the six counts, in ReportCounts order
          country: t.country,
          registries: [...t.registries].sort(),
        };
      },
    );
    countries.sort(
      byWeight((a, b) => compareNullableText(a.country, b.country)),
    );
    // Blocks without a holder id (standard files) are not one holder: left out here.
    const holders: ReportHolderSummary[] = [...this.#holderTotals]
      .filter(([, t]) => t.holder !== null)
      .map(([hk, t]) => {
        const e = byHolder.get(hk) ?? { blocks: [], nodes: [] };
        const [first, last] = span(e.nodes);
        const c = sum(e.blocks, rowsOf(t), first, last);
        return {
          ...c, // the six counts, in ReportCounts order
          rir: t.rir,
          holder: t.holder,
          countries: [...t.countries].sort(compareNullableText),
          blocks: t.blocks,
        };
      });
    holders.sort(
      byWeight((a, b) =>
        a.rir < b.rir
          ? -1
          : a.rir > b.rir
            ? 1
            : compareNullableText(a.holder, b.holder),
      ),
    );

    // Allocation years.
    const years = new Map<number, { blocks: number; addresses: number }>();
    const undated = { blocks: 0, addresses: 0 };
    for (const { block } of allBlocks) {
      const y = block.date === null ? NaN : Number(block.date.slice(0, 4));
      let e = undated;
      if (Number.isInteger(y)) {
        e = years.get(y) ?? { blocks: 0, addresses: 0 };
        years.set(y, e);
      }
      e.blocks++;
      e.addresses += block.addresses;
    }
    const allocationYears = [...years]
      .sort((a, b) => a[0] - b[0])
      .map(([year, e]) => ({ year, blocks: e.blocks, addresses: e.addresses }));

    const special: ReportSpecial[] = [...this.#special.values()]
      .map((g) => {
        const c = countsOf(g);
        return {
          ...c, // the six counts, in ReportCounts order
          name: g.name,
          topAddresses: topOf(g),
        };
      })
      .sort(
        byWeight((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      );
    const u = countsOf(this.#unallocated);
    const unallocated = {
      addresses: u.addresses,
      addressesExact: u.addressesExact,
      hits: u.hits,
      rows: u.rows,
      firstSeen: u.firstSeen,
      lastSeen: u.lastSeen,
      topAddresses: topOf(this.#unallocated),
      rdap: [...this.#unallocatedRdap.values()].sort(compareRdap),
    };
    const examples = [...this.#invalidExamples]
      .map(([key, e]) => ({
        value: key.slice(key.indexOf('\u0000') + 1),
        column: e.column,
        hits: e.hits,
      }))
      .sort(
        (a, b) =>
          b.hits - a.hits ||
          (a.column < b.column ? -1 : a.column > b.column ? 1 : 0) ||
          (a.value < b.value ? -1 : a.value > b.value ? 1 : 0),
      );

    // Totals.
    let first = Infinity;
    let last = -Infinity;
    for (const g of this.#groups) {
      first = Math.min(first, st.get(g.i, FIRST));
      last = Math.max(last, st.get(g.i, LAST));
    }
    const foundAddresses = registries.reduce((n, r) => n + r.addresses, 0);
    const addresses =
      foundAddresses +
      unallocated.addresses +
      special.reduce((n, s) => n + s.addresses, 0);
    const exact =
      registries.every((r) => r.addressesExact) &&
      unallocated.addressesExact &&
      special.every((s) => s.addressesExact);
    const warnings = [...(options.warnings ?? []), ...this.#warnings];
    if (inexactGroups > 0)
      warnings.push(
        `distinct-address counts of ${inexactGroups} group(s) are lower bounds ("at least"): ` +
          `the report keeps at most ${limits.maxAddressesPerGroup} addresses per group and ` +
          `${limits.maxAddresses} in all`,
      );
    const rowsWithAddresses = this.#rowsWithAddresses;
    return {
      report: 'rirmap-jurisdiction-report',
      schema: 1,
      note: COUNTRY_NOTE,
      manifest: { ...options.manifest, limits: { ...limits } },
      time: {
        source: this.#anyTime ? options.timeSource : null,
        kind: this.#anyTime ? kind : null,
        rowsWithTime: this.#rowsWithTime,
        rowsWithoutTime: rowsWithAddresses - this.#rowsWithTime,
      },
      totals: {
        rows: Math.max(this.#rowsRead, this.#maxRow),
        rowsWithAddresses,
        hits: this.#found + this.#notFound + this.#specialHits + this.#invalid,
        found: this.#found,
        notFound: this.#notFound,
        special: this.#specialHits,
        invalid: this.#invalid,
        missing: this.#missing,
        addresses,
        addressesExact: exact,
        registries: registries.length,
        countries: countries.length,
        holders: holders.length,
        blocks: allBlocks.length,
        firstSeen: fmt(first),
        lastSeen: fmt(last),
      },
      registries,
      countries,
      holders,
      allocationYears,
      allocationUndated: undated,
      special,
      unallocated,
      invalid: {
        hits: this.#invalid,
        rows: this.#invalidRows,
        missing: this.#missing,
        examples,
        examplesComplete: this.#examplesComplete,
      },
      warnings,
    };
  }
}
