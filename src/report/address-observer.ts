/**
 * Turns one address value into an observation for the builder: looks it up in
 * the registry (a raw input), or reads what an enriched file says about it.
 * Works on spans of a larger string so the hot path makes no substrings for
 * found addresses.
 */

import { parseIpv4, parseIpv6, isMappedIpv4 } from '../ip/parse-ip.js';
import { specialIpv4, specialIpv6 } from '../ip/special.js';
import type { RdapInfo } from '../rdap/rdap-types.js';
import { binaryAsUtf8 } from '../formats/text-encoding.js';
import {
  NOT_FOUND,
  SPECIAL,
  type AllocationStatus,
  type RecordRange,
  type Registry,
  type RegistryRecord,
  type Rir,
} from '../types.js';
import type { ReportBuilder } from './report-builder.js';

const SPACE = 32;
const TAB = 9;
const SCRATCH6 = new Uint32Array(4);

const RIR_NAMES: ReadonlySet<string> = new Set([
  'afrinic',
  'apnic',
  'arin',
  'lacnic',
  'ripencc',
  'iana',
]);
const STATUSES: ReadonlySet<string> = new Set([
  'allocated',
  'assigned',
  'available',
  'reserved',
]);

/** The IANA special-purpose name of an address text, or null (also for non-addresses). */
export function specialName(text: string): string | null {
  const v4 = parseIpv4(text);
  if (v4 >= 0) return specialIpv4(v4);
  const at = text.indexOf('%');
  if (!parseIpv6(text, SCRATCH6, 0, at < 0 ? text.length : at)) return null;
  return isMappedIpv4(SCRATCH6)
    ? specialIpv4(SCRATCH6[3]!)
    : specialIpv6(SCRATCH6);
}

/** What an enriched file says about one address (fields absent from the file are undefined). */
export interface EnrichedFields {
  rir?: string | null | undefined;
  country?: string | null | undefined;
  date?: string | null | undefined;
  status?: string | null | undefined;
  holder?: string | null | undefined;
  range?: string | null | undefined;
  cidr?: string | null | undefined;
  source?: string | null | undefined;
  special?: string | null | undefined;
  error?: string | null | undefined;
  rdap?: Partial<RdapInfo> | null | undefined;
}

function blank(v: string | null | undefined): v is null | undefined | '' {
  return v === null || v === undefined || v === '';
}

/** Looks addresses up and hands them to the builder. */
export class AddressObserver {
  readonly builder: ReportBuilder;
  readonly registry: Registry | null;
  readonly #records = new Map<string, RegistryRecord>();
  /** Enriched values that disagree with the loaded registry. */
  mismatches = 0;

  constructor(builder: ReportBuilder, registry: Registry | null) {
    this.builder = builder;
    this.registry = registry;
  }

  /**
   * Looks up `s[from..to)` (spaces and tabs around it ignored) and adds it.
   * An empty value is counted as missing; a value that is not an address as invalid.
   */
  lookupAt(
    s: string,
    from: number,
    to: number,
    row: number,
    time: number,
    column: string,
    binary = true,
  ): void {
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
    const b = this.builder;
    if (from === to) {
      b.addMissing(row);
      return;
    }
    const registry = this.registry!;
    const id = registry.lookupIdIn(s, from, to);
    if (id >= 0) b.addFoundIdAt(id, registry, s, from, to, row, time);
    else if (id === NOT_FOUND) b.addNotFoundAt(s, from, to, row, time);
    else if (id === SPECIAL) {
      const text = s.slice(from, to);
      b.addSpecialAt(
        registry.special(text) ?? specialName(text) ?? 'special',
        s,
        from,
        to,
        row,
        time,
      );
    } else {
      const value = s.slice(from, to);
      b.addInvalid(binary ? binaryAsUtf8(value) : value, column, row);
    }
  }

  /** A value that is present but not text (a JSON number or object): invalid. */
  invalidValue(value: string, column: string, row: number): void {
    this.builder.addInvalid(value, column, row);
  }

  /**
   * Adds an address as an enriched file describes it. The registry, when
   * loaded, fills in the holder and block when the file does not name them.
   */
  enriched(
    ip: string,
    f: EnrichedFields,
    row: number,
    time: number,
    column: string,
  ): void {
    const b = this.builder;
    const text = ip.trim();
    if (f.error === 'missing' || (text === '' && blank(f.rir))) {
      b.addMissing(row);
      return;
    }
    if (f.error === 'invalid') {
      b.addInvalid(text, column, row);
      return;
    }
    if (blank(f.rir)) {
      const special = blank(f.special) ? specialName(text) : f.special;
      if (special !== null)
        b.addSpecialAt(special, text, 0, text.length, row, time);
      else {
        b.addNotFoundAt(text, 0, text.length, row, time);
        if (f.rdap !== undefined && f.rdap !== null)
          b.addRdapUnallocated(f.rdap);
      }
      return;
    }
    const record = this.#recordFor(text, f);
    b.addFoundAt(record, text, 0, text.length, row, time);
    if (f.rdap !== undefined && f.rdap !== null) b.addRdap(record, f.rdap);
  }

  #recordFor(text: string, f: EnrichedFields): RegistryRecord {
    const rir = String(f.rir).toLowerCase();
    const country = blank(f.country) ? null : f.country.toUpperCase();
    const registry = this.registry;
    if (
      registry !== null &&
      (f.range === undefined || f.holder === undefined)
    ) {
      const id = registry.lookupId(text);
      if (id >= 0) {
        const r = registry.record(id);
        if (r.rir === rir && (f.country === undefined || r.country === country))
          return r;
      }
      this.mismatches++;
    }
    const key = [
      rir,
      country,
      f.date,
      f.status,
      f.holder,
      f.range,
      f.cidr,
      f.source,
    ].join('\u0000');
    let record = this.#records.get(key);
    if (record === undefined) {
      record = synthesize(text, rir, country, f);
      this.#records.set(key, record);
    }
    return record;
  }
}

/** A record built from an enriched file's fields (the block may be unknown). */
function synthesize(
  text: string,
  rir: string,
  country: string | null,
  f: EnrichedFields,
): RegistryRecord {
  const cidrs = blank(f.cidr)
    ? []
    : f.cidr.split(/\s+/).filter((c) => c !== '');
  let start = '';
  let end = '';
  if (!blank(f.range)) {
    const dash = f.range.indexOf('-');
    start = dash < 0 ? f.range : f.range.slice(0, dash);
    end = dash < 0 ? f.range : f.range.slice(dash + 1);
  } else if (cidrs.length > 0) {
    start = cidrs[0]!.split('/')[0]!;
    end = '';
  }
  const range: RecordRange =
    cidrs.length > 0 ? { start, end, cidrs } : { start, end };
  const status = blank(f.status) ? 'allocated' : f.status.toLowerCase();
  return {
    found: true,
    type:
      text.includes(':') &&
      !(parseIpv6(text, SCRATCH6) && isMappedIpv4(SCRATCH6))
        ? 'ipv6'
        : 'ipv4',
    rir: (RIR_NAMES.has(rir) ? rir : 'iana') as Rir,
    country,
    date: blank(f.date) ? null : f.date,
    status: (STATUSES.has(status) ? status : 'allocated') as AllocationStatus,
    holder: blank(f.holder) ? null : f.holder,
    range,
    source: {
      file: blank(f.source) ? '(enriched input)' : f.source,
      registry: (RIR_NAMES.has(rir) ? rir : 'iana') as Rir,
      serial: '',
      endDate: null,
      sha256: '',
    },
  };
}
