/**
 * The jurisdiction report: what it holds. A report is plain, JSON-ready data
 * built by {@link ReportBuilder} from a stream of observations (one per
 * address value met in the input) and rendered as JSON, Markdown or HTML.
 *
 * Counting words used throughout:
 * - `addresses`: distinct addresses (exact while `addressesExact`; past the
 *   memory bounds it is a lower bound, "at least").
 * - `hits`: address values met (an address seen twice counts twice).
 * - `rows`: input rows (lines) holding at least one such value.
 */

import type { AllocationStatus, RegistryRecord, Rir } from '../types.js';
import type { ManifestDataFile } from '../provenance/manifest.js';
import type { RdapInfo } from '../rdap/rdap-types.js';

/** The note every report carries about what `country` means. */
export const COUNTRY_NOTE =
  "Country is the registrant's country as recorded by the registry in its delegated statistics, " +
  'not the location of the address or of its users.';

/** One address value met in the input: the unit the report aggregates. */
export interface ReportObservation {
  /** The address as written (or the invalid value, for `error: 'invalid'`). */
  readonly ip: string;
  /** 1-based data row the value was found in (rows must come in non-decreasing order). */
  readonly row: number;
  /** When the row happened (ms since the epoch, or a Date), or null when unknown. */
  readonly time?: Date | number | null;
  /** The registry record answering for the address, or null. */
  readonly record: RegistryRecord | null;
  /** IANA special-purpose name (`private`, `loopback`…) when the address is special. */
  readonly special?: string | null;
  /** `invalid` (not an address) or `missing` (empty value); null for an address. */
  readonly error?: 'invalid' | 'missing' | null;
  /** The column or key the value came from ('' for free text). */
  readonly column?: string;
  /** RDAP answer for the address, when RDAP was used. */
  readonly rdap?: Partial<RdapInfo> | null;
}

/** Bounds on what the report keeps in memory (all counts). */
export interface ReportLimits {
  /** Distinct addresses tracked per group (block, special name, unallocated). Default 1000. */
  readonly maxAddressesPerGroup: number;
  /** Distinct addresses tracked over the whole report. Default 200000. */
  readonly maxAddresses: number;
  /** Addresses listed per group, most hits first. Default 5. */
  readonly topAddresses: number;
  /** Distinct invalid values kept as examples. Default 50. */
  readonly maxInvalidExamples: number;
  /** RDAP networks kept per block. Default 10. */
  readonly maxRdapNetworks: number;
}

/** Default {@link ReportLimits}. */
export const DEFAULT_REPORT_LIMITS: ReportLimits = {
  maxAddressesPerGroup: 1000,
  maxAddresses: 200_000,
  topAddresses: 5,
  maxInvalidExamples: 50,
  maxRdapNetworks: 10,
};

/** Counts every group carries. */
export interface ReportCounts {
  /** Distinct addresses. */
  readonly addresses: number;
  /** False when `addresses` is a lower bound (memory bounds were reached). */
  readonly addressesExact: boolean;
  /** Address values met. */
  readonly hits: number;
  /** Rows holding at least one of them. */
  readonly rows: number;
  /** First and last time seen (see {@link ReportTime}), or null. */
  readonly firstSeen: string | null;
  readonly lastSeen: string | null;
}

/** One address of a group, as listed. */
export interface ReportAddress {
  readonly ip: string;
  readonly hits: number;
  readonly firstSeen: string | null;
  readonly lastSeen: string | null;
}

/** An RDAP network seen for a block (or an unallocated address). */
export interface ReportRdapNetwork {
  readonly handle: string | null;
  readonly name: string | null;
  readonly org: string | null;
  readonly abuseEmail: string | null;
  readonly country: string | null;
  readonly start: string | null;
  readonly end: string | null;
}

/** Where to ask a registry about a resource. */
export interface ReportLinks {
  /** RDAP query URL (JSON), or null when the registry has no public RDAP service for it. */
  readonly rdap: string | null;
  /** The registry's web whois / search page for it. */
  readonly whois: string | null;
}

/** A delegated block (one record of the registry files). */
export interface ReportBlock extends ReportCounts {
  readonly type: 'ipv4' | 'ipv6';
  /** First and last address of the block. */
  readonly start: string;
  readonly end: string;
  /** Minimal CIDR cover. */
  readonly cidrs: readonly string[];
  readonly status: AllocationStatus;
  /** Allocation date `yyyy-mm-dd`, or null. */
  readonly date: string | null;
  /** Delegated-statistics file the record came from. */
  readonly source: string;
  readonly topAddresses: readonly ReportAddress[];
  /** RDAP networks seen for addresses of the block (empty when RDAP was not used). */
  readonly rdap: readonly ReportRdapNetwork[];
  readonly links: ReportLinks;
}

/** A holder (opaque id) within a country. */
export interface ReportHolder extends ReportCounts {
  /** Opaque holder id, or null when the file has none (standard files). Scoped to the registry. */
  readonly holder: string | null;
  /** Earliest and latest allocation date of its blocks listed here. */
  readonly firstAllocated: string | null;
  readonly lastAllocated: string | null;
  readonly blocks: readonly ReportBlock[];
}

/** A registered country within a registry. */
export interface ReportCountry extends ReportCounts {
  /** ISO 3166 alpha-2 code as registered, or null when blank / `ZZ`. */
  readonly country: string | null;
  readonly holders: readonly ReportHolder[];
}

/** A registry and everything of it the input touched. */
export interface ReportRegistry extends ReportCounts {
  readonly rir: Rir;
  /** Number of blocks below, and of holders with an opaque id. */
  readonly blocks: number;
  readonly holders: number;
  readonly links: ReportLinks;
  readonly countries: readonly ReportCountry[];
}

/** A country over all registries (for the country chart and summary). */
export interface ReportCountrySummary extends ReportCounts {
  readonly country: string | null;
  readonly registries: readonly Rir[];
}

/** A holder over the countries of its registry (for the holder chart and summary). */
export interface ReportHolderSummary extends ReportCounts {
  readonly rir: Rir;
  readonly holder: string | null;
  readonly countries: readonly (string | null)[];
  readonly blocks: number;
}

/** Addresses of one IANA special-purpose kind. */
export interface ReportSpecial extends ReportCounts {
  readonly name: string;
  readonly topAddresses: readonly ReportAddress[];
}

/** Valid addresses no loaded file answers for. */
export interface ReportUnallocated extends ReportCounts {
  readonly topAddresses: readonly ReportAddress[];
  /** RDAP networks seen for them (RDAP `fallback` or `always`). */
  readonly rdap: readonly ReportRdapNetwork[];
}

/** Values that are not addresses, and empty values. */
export interface ReportInvalid {
  readonly hits: number;
  readonly rows: number;
  /** Empty or absent address values (tables and JSON input). */
  readonly missing: number;
  /** Example values, most frequent first (at most `maxInvalidExamples` distinct). */
  readonly examples: readonly {
    readonly value: string;
    readonly column: string;
    readonly hits: number;
  }[];
  /** False when more distinct values were met than are listed. */
  readonly examplesComplete: boolean;
}

/** Allocation years of the blocks met. */
export interface ReportAllocationYear {
  readonly year: number;
  readonly blocks: number;
  readonly addresses: number;
}

/** How times were read. */
export interface ReportTime {
  /** Where times came from: a column or key name, `line` (free text), or null when none. */
  readonly source: string | null;
  /**
   * `utc`: absolute times, written `yyyy-mm-ddThh:mm:ssZ`;
   * `local`: times with a date but no zone, written `yyyy-mm-dd hh:mm:ss` as in the input;
   * `yearless`: syslog times without a year, written `mm-dd hh:mm:ss`; null: no times.
   */
  readonly kind: 'utc' | 'local' | 'yearless' | null;
  /** Rows with addresses whose time was read, and those whose time was not. */
  readonly rowsWithTime: number;
  readonly rowsWithoutTime: number;
}

/** Totals over the whole input. */
export interface ReportTotals {
  /** Data rows read (lines of a log). */
  readonly rows: number;
  /** Rows holding at least one address value (valid or not). */
  readonly rowsWithAddresses: number;
  /** Address values met: found + notFound + special + invalid. */
  readonly hits: number;
  readonly found: number;
  readonly notFound: number;
  readonly special: number;
  readonly invalid: number;
  readonly missing: number;
  /** Distinct valid addresses (found, not found and special). */
  readonly addresses: number;
  readonly addressesExact: boolean;
  readonly registries: number;
  readonly countries: number;
  /** Holders with an opaque id. */
  readonly holders: number;
  readonly blocks: number;
  readonly firstSeen: string | null;
  readonly lastSeen: string | null;
}

/** What the report was built from: the run manifest (no wall-clock times). */
export interface ReportManifest {
  readonly rirmap: string;
  /** `input`: a raw input, enriched on the way; `enriched`: a file `rirmap enrich` wrote. */
  readonly mode: 'input' | 'enriched';
  readonly input: {
    /** Base name of the input file, or `-` for standard input. */
    readonly name: string;
    /** sha256 of the input bytes as read (compressed bytes for a `.gz`). */
    readonly sha256: string;
    readonly bytes: number;
  };
  /** Input format after detection and the address columns / keys read. */
  readonly format: string;
  readonly columns: readonly string[];
  /** Registry files used (empty when none was loaded). */
  readonly data: readonly ManifestDataFile[];
  /** RDAP mode used (`off`, `fallback`, `always`, or `file` for RDAP fields read from an enriched file). */
  readonly rdap: string;
  readonly limits: ReportLimits;
}

/** The jurisdiction report. Key order is fixed; rendering it twice gives the same bytes. */
export interface Report {
  readonly report: 'rirmap-jurisdiction-report';
  /** Schema version of this object. */
  readonly schema: 1;
  readonly note: string;
  readonly manifest: ReportManifest;
  readonly time: ReportTime;
  readonly totals: ReportTotals;
  readonly registries: readonly ReportRegistry[];
  readonly countries: readonly ReportCountrySummary[];
  /** Holders with an opaque id (blocks of standard files, which have none, are not listed here). */
  readonly holders: readonly ReportHolderSummary[];
  readonly allocationYears: readonly ReportAllocationYear[];
  /** Allocations of blocks without a date (not in `allocationYears`). */
  readonly allocationUndated: {
    readonly blocks: number;
    readonly addresses: number;
  };
  readonly special: readonly ReportSpecial[];
  readonly unallocated: ReportUnallocated;
  readonly invalid: ReportInvalid;
  /** Problems worth a reader's attention (e.g. enriched fields that disagree with the loaded data). */
  readonly warnings: readonly string[];
}
