/**
 * Shared public domain types. Every field of a result type is readonly: results
 * may be shared between callers (the registry caches one object per record).
 */

/** A registry that can answer for a resource. `iana` is used for IANA's own and IETF-reserved space. */
export type Rir = 'afrinic' | 'apnic' | 'arin' | 'lacnic' | 'ripencc' | 'iana';

/** The five Regional Internet Registries, in name order (the last tie-breaker of precedence). */
export const RIRS = ['afrinic', 'apnic', 'arin', 'lacnic', 'ripencc'] as const;

/** Every value of {@link Rir}, in name order. */
export const ALL_REGISTRIES: readonly Rir[] = [
  'afrinic',
  'apnic',
  'arin',
  'iana',
  'lacnic',
  'ripencc',
];

/** Kind of a number resource. */
export type ResourceType = 'ipv4' | 'ipv6' | 'asn';

/**
 * Status of a delegated record. The first four are the RIR statistics exchange
 * format's own; IANA's file is mapped onto them (a block IANA gave to a registry
 * is `allocated`, IANA's own legacy space `assigned`, IETF space `reserved`).
 */
export type AllocationStatus =
  'allocated' | 'assigned' | 'available' | 'reserved';

/** Which file answered: the `source` of every record. */
export interface RecordSource {
  /** Base name of the file, e.g. `delegated-apnic-extended-20160225`. A `.gz` suffix is dropped. */
  readonly file: string;
  /** The registry the file belongs to (header field 2). */
  readonly registry: Rir | 'nro';
  /** Header serial, kept as text: a date, Unix seconds or Unix milliseconds. */
  readonly serial: string;
  /** Header end date as ISO `yyyy-mm-dd`, or null when the header has none. */
  readonly endDate: string | null;
  /** sha256 of the file's bytes as stored (compressed bytes for a `.gz`). */
  readonly sha256: string;
}

/** Provenance of one loaded delegated-statistics file. */
export interface SourceInfo extends RecordSource {
  /** Header start date as ISO `yyyy-mm-dd`, or null when empty, `00000000` or `19700101`. */
  readonly startDate: string | null;
  /** Format version from the header (`2`, `2.3`). */
  readonly version: string;
  /** `extended` when any record carries an opaque-id column, else `standard`. */
  readonly kind: 'standard' | 'extended';
  /** Number of records loaded from the file. */
  readonly records: number;
  /** Number of problems skipped under `lenient` (0 when loaded strictly). */
  readonly warnings: number;
}

/** The exact delegated block of an answer. */
export interface RecordRange {
  /** First address (text) or first ASN (number). */
  readonly start: string | number;
  /** Last address (text) or last ASN (number). */
  readonly end: string | number;
  /** Minimal CIDR cover of the range; absent for ASNs. */
  readonly cidrs?: readonly string[];
}

/** What the registry holds about one resource. */
export interface RegistryRecord {
  readonly found: true;
  readonly type: ResourceType;
  readonly rir: Rir;
  /** Registered country (upper case), or null when blank or `ZZ`. Not a geolocation. */
  readonly country: string | null;
  /** Allocation date `yyyy-mm-dd`, or null when blank, `00000000` or `19700101`. */
  readonly date: string | null;
  readonly status: AllocationStatus;
  /** Opaque holder id, or null when the file has none. Scoped to one file. */
  readonly holder: string | null;
  readonly range: RecordRange;
  readonly source: RecordSource;
}

/** An answer for a query: a record with the query text, or a miss. */
export type LookupResult =
  (RegistryRecord & { readonly query: string }) | LookupMiss;

/** A query no loaded file answers. `special` names an IANA special-purpose block. */
export interface LookupMiss {
  readonly query: string;
  readonly found: false;
  readonly special?: string;
  /** For a CIDR query: no single record holds the whole block, but some of it is covered. */
  readonly partial?: true;
}

/** A query that could not be parsed (non-throwing lookups only). */
export interface LookupError {
  readonly query: string;
  readonly found: false;
  readonly error: string;
  readonly code: string;
}

/** Two overlapping records from loaded files, and which one answers. */
export interface Conflict {
  readonly type: ResourceType;
  /** The overlapping part. */
  readonly start: string | number;
  readonly end: string | number;
  readonly winner: ConflictSide;
  readonly loser: ConflictSide;
  /** True when both records say the same thing (same rir, country, status, date). */
  readonly agree: boolean;
}

/** One side of a {@link Conflict}. */
export interface ConflictSide {
  readonly rir: Rir;
  readonly country: string | null;
  readonly status: AllocationStatus;
  readonly date: string | null;
  readonly holder: string | null;
  readonly range: RecordRange;
  readonly file: string;
  readonly line: number;
}

/** A problem met while loading under `lenient`. */
export interface LoadWarning {
  readonly file: string;
  readonly line: number;
  readonly code: string;
  readonly message: string;
}

/** `lookupId` result: no loaded file answers for the address. */
export const NOT_FOUND = -1;
/** `lookupId` result: the text is not an IP address. */
export const INVALID = -2;
/** `lookupId` result: an IANA special-purpose address (see `special()`). */
export const SPECIAL = -3;

/** One disjoint interval of the merged index and the record that answers for it. */
export interface IndexInterval {
  /** First address (IPv4 and IPv6 as 128-bit unsigned, IPv4 in 0..2^32-1) or first ASN. */
  readonly start: bigint;
  /** Last address or ASN, inclusive. */
  readonly end: bigint;
  /** Record id (see {@link Registry.record}). */
  readonly id: number;
}

/** Counts reported by `Registry.stats()`. */
export interface RegistryStats {
  readonly records: number;
  /** Records per type, then per status. */
  readonly byType: Readonly<
    Record<ResourceType, Readonly<Record<AllocationStatus, number>>>
  >;
  /** Records per registry that answers. */
  readonly byRir: Readonly<Partial<Record<Rir, number>>>;
  /** Overlapping record pairs between loaded records, and how many of them disagree. */
  readonly conflicts: number;
  readonly conflictsDisagreeing: number;
  /** Problems skipped under `lenient`, summed over files. */
  readonly warnings: number;
}

/** The loaded registry: an immutable, in-memory index of delegated records. */
export interface Registry {
  /** Provenance of every loaded file, in load order. */
  readonly sources: readonly SourceInfo[];
  /** Number of records loaded. */
  readonly size: number;
  /**
   * Looks up an IPv4, IPv6 or IPv4-mapped IPv6 address. Synchronous; allocates
   * nothing on a hit once the record's object exists (one object per record, shared).
   * @returns the record, or null when no file answers or the address is special-purpose.
   * @throws {QueryError} `INPUT_INVALID_IP` when the text is not an address.
   */
  lookup(ip: string): RegistryRecord | null;
  /** Looks up an AS number (`13335`, `'AS13335'`). @throws {QueryError} `INPUT_INVALID_ASN`. */
  lookupAsn(asn: number | string): RegistryRecord | null;
  /**
   * Never throws: looks up an address or an ASN (`AS…`) and returns what
   * `rirmap lookup --json` prints: a record with `query`, a miss (with `special`), or an error.
   */
  query(text: string): LookupResult | LookupError;
  /**
   * Hot-path primitive for bulk work: the record id answering for an address,
   * or NOT_FOUND (-1), INVALID (-2) or SPECIAL (-3). Never throws, never allocates.
   */
  lookupId(ip: string): number;
  /** Same as lookupId for `s.slice(from, to)` without making the substring. */
  lookupIdIn(s: string, from: number, to: number): number;
  /** The record with this id (ids run from 0 to size - 1). */
  record(id: number): RegistryRecord;
  /** The special-purpose name of an address, or null. Never throws. */
  special(ip: string): string | null;
  /** Every block and ASN with this opaque-id, across all loaded files. */
  holder(opaqueId: string): RegistryRecord[];
  /** Every overlap between loaded records (IANA's file, a fallback tier, excluded). */
  conflicts(): Conflict[];
  /** Warnings met while loading under `lenient`. */
  warnings(): readonly LoadWarning[];
  /** Counts per type, status and registry. */
  stats(): RegistryStats;
  /** The merged index as disjoint intervals in address order; gaps are not listed. */
  intervals(type: ResourceType): Generator<IndexInterval>;
}

/** Options of `loadRegistry`. */
export interface LoadRegistryOptions {
  /** Files and directories to load (see README "Choosing data"). */
  readonly data?: readonly string[];
  /** A compiled snapshot to load instead of text files. */
  readonly snapshot?: string;
  /** Skip and count malformed lines and count mismatches instead of throwing. Default false. */
  readonly lenient?: boolean;
  /** Select, per registry, the newest file not later than this date (`yyyy-mm-dd`). */
  readonly asOf?: string;
  /** Called for every warning under `lenient`. */
  readonly onWarning?: (warning: LoadWarning) => void;
}
