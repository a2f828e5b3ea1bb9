/**
 * What the delegated-statistics parser hands to its consumer. The parser
 * reuses ONE mutable record object (and one `v6` array) for every line, so a
 * consumer must copy what it keeps before returning from `onRecord`.
 */

import type { LoadWarning, ResourceType } from '../types.js';
import type { OpaqueIds } from './parse-delegated.js';

/** The version (header) line: `version|registry|serial|records|startdate|enddate|UTCoffset`. */
export interface DelegatedHeader {
  /** `2`, `2.3`, … (any `2.x`). */
  readonly version: string;
  /** Lower case: afrinic, apnic, arin, lacnic, ripencc, iana, nro. */
  readonly registry: string;
  /** Kept as text: a date, Unix seconds or Unix milliseconds. */
  readonly serial: string;
  /** Number of records the header announces. */
  readonly records: number;
  /** yyyymmdd as a number, 0 when empty or a placeholder (`00000000`, `19700101`). */
  readonly startDate: number;
  /** yyyymmdd as a number, 0 when empty. */
  readonly endDate: number;
  readonly utcOffset: string;
  /** 1-based line number of the header. */
  readonly line: number;
}

/** One record line, parsed. Mutated in place for every line: copy what you keep. */
export interface DelegatedRecord {
  /** Field 1, lower case (in NRO/IANA files it may differ from the header's registry). */
  registry: string;
  /** Field 2 upper-cased; '' when blank. `ZZ` is kept as is (the consumer maps it to null). */
  country: string;
  type: ResourceType;
  /** ipv4: first address as uint32; asn: first ASN; ipv6: unused (0). */
  first: number;
  /** ipv4: last address, inclusive (first + count - 1); asn: last ASN; ipv6: unused (0). */
  last: number;
  /** ipv6 only: the start address in four words, host bits masked off. */
  readonly v6: Uint32Array;
  /** ipv6 only: the prefix length (field 5); 0 for other types. */
  prefixLength: number;
  /** yyyymmdd as a number; 0 when blank, `00000000` or `19700101`. */
  date: number;
  /**
   * Field 7, lower case. In RIR files one of allocated, assigned, available,
   * reserved (NRO adds ianapool, ietf). In the IANA file it names the registry
   * the block went to (afrinic, apnic, arin, lacnic, ripencc), or iana, or reserved.
   */
  status: string;
  /** Field 8; '' when absent or empty. The same string instance for every repeat of an id in a file. */
  opaqueId: string;
  /**
   * Index of `opaqueId` among the distinct ids of this file (or of the files
   * parsed with the same `ids` option), numbered 0, 1, 2… in order of first
   * appearance; -1 when empty. Lets a consumer keep its own per-id data in an
   * array instead of a map.
   */
  opaqueIndex: number;
  /** True when the line had an 8th field at all (even empty). */
  hasOpaqueField: boolean;
  /** 1-based line number. */
  line: number;
}

/** Counts per resource type. */
export interface TypeCounts {
  asn: number;
  ipv4: number;
  ipv6: number;
}

/** What the parser found in a whole file. */
export interface DelegatedFileSummary {
  readonly file: string;
  readonly header: DelegatedHeader;
  /** Counts announced by the summary lines; a type without a summary line is absent. */
  readonly announced: Partial<TypeCounts>;
  /** Records actually read (and handed to onRecord), per type. */
  readonly read: TypeCounts;
  /** `extended` when any record line had an 8th field, else `standard`. */
  readonly kind: 'standard' | 'extended';
  /** Total lines in the file (including comments and blanks). */
  readonly lines: number;
  /** Number of problems skipped under `lenient` (always 0 when strict: strict throws). */
  readonly warningCount: number;
  /** The first warnings (at most 1000 are kept; warningCount has the total). */
  readonly warnings: readonly LoadWarning[];
}

/** Options of the parser. */
export interface ParseDelegatedOptions {
  /** Name used in messages (base name of the file). */
  readonly file: string;
  /** Skip and count malformed lines and count mismatches instead of throwing. Default false. */
  readonly lenient?: boolean;
  /** Called for every warning under `lenient`. */
  readonly onWarning?: (warning: LoadWarning) => void;
  /**
   * Interned opaque ids to number this file's ids in (shared by the parsers
   * of several files, they number alike across files). Default: the
   * parser's own.
   */
  readonly ids?: OpaqueIds;
}
