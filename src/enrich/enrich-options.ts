/**
 * Options of the enrichment API, and their validation at the boundary: bad
 * options throw TypeError or RangeError at the call, naming the option.
 */

import type { RdapResolver } from '../rdap/rdap-types.js';
import { shareRegistry, type SharedRegistryHandle } from '../registry/share.js';
import type { Registry } from '../types.js';
import type {
  EnrichFormat,
  EnrichIssue,
  LogAnnotate,
} from '../formats/format-plan.js';
import type { PlanOptions } from '../formats/detect-format.js';
import type { RdapNeed } from './address-enricher.js';
import {
  DEFAULT_FIELDS,
  isRdapField,
  parseFields,
  type EnrichField,
} from './enrich-fields.js';

/** Progress of a run, reported after each piece of output. */
export interface EnrichProgress {
  /** Data rows written so far. */
  readonly rows: number;
  /** Input bytes read so far (see EnrichSummary.bytesIn). */
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly elapsedMs: number;
}

/** RDAP for enrichment: the resolver, and when to ask it. */
export interface EnrichRdapOptions {
  readonly resolver: RdapResolver;
  /** `fallback`: addresses no loaded file answers for; `always`: every valid, non-special address. */
  readonly mode: 'fallback' | 'always';
}

/** Options of enrichText, createEnrichStream and enrichFile. */
export interface EnrichOptions {
  /** The loaded registry (loadRegistry). Required. */
  readonly registry: Registry;
  /** Input format. Default `auto`: Zeek header, JSON objects, a table with an address column, else log. */
  readonly format?: EnrichFormat | 'auto';
  /**
   * Address columns. CSV/TSV/Zeek: header names, or numbers (0-based indexes);
   * a string of digits no header has is a 1-based column number (as the CLI writes).
   * JSON lines: keys or dotted paths. Default: detected from the first rows. Ignored for logs.
   */
  readonly columns?: readonly (string | number)[];
  /** Fields to add, in order (rdap.* fields go after the registry fields). Default `rir,country,date,status`. */
  readonly fields?: readonly string[] | string;
  /** Log output: `jsonl` (default) or `inline`. */
  readonly annotate?: LogAnnotate;
  /** CSV: whether the first row is a header. Default: detected (a header has no address in it). */
  readonly header?: boolean;
  /** CSV: field delimiter. Default: detected among `,` tab `;` `|` (tab for `tsv`). */
  readonly delimiter?: string;
  /** CSV: quote character, '' for none. Default `"`. */
  readonly quote?: string;
  /** CSV: escape character. Default: the quote (doubled quotes). Another value uses csv-parse. */
  readonly escape?: string;
  /** CSV: comment-line prefix. Default none. Setting one uses csv-parse. */
  readonly comment?: string;
  /** CSV reader: `auto` (default: the fast scanner when it can read the dialect), `fast` or `csv-parse`. */
  readonly csvEngine?: 'auto' | 'fast' | 'csv-parse';
  /** Stop with an `ENRICH_ROW` error at the first missing or invalid address. Default false. */
  readonly strict?: boolean;
  /** Worker threads (1: the calling thread only). Default 1. Output is the same for any value. */
  readonly threads?: number;
  /** RDAP lookups for `rdap.*` fields. */
  readonly rdap?: EnrichRdapOptions;
  /**
   * CSV/TSV output: write RDAP text as is. By default a value starting with
   * `=`, `+`, `-`, `@`, tab or CR is prefixed with `'` against formula injection.
   */
  readonly rawCsv?: boolean;
  /** RDAP: at most this many lookups in flight (output order is kept). Default 64. */
  readonly windowSize?: number;
  /** Aborts the run (the iterator throws the signal's reason). */
  readonly signal?: AbortSignal;
  /** Called for every missing, invalid or unreadable row value, in input order. */
  readonly onIssue?: (issue: EnrichIssue) => void;
  /** Called as output is produced. */
  readonly onProgress?: (progress: EnrichProgress) => void;
  /** Longest row accepted, in bytes. Default 64 MiB. */
  readonly maxRowBytes?: number;
  /** Rows are processed in segments of about this many bytes. Default 48 KiB. */
  readonly segmentBytes?: number;
  /** Worker script (advanced; default: `enrich-worker.js` beside the built library). */
  readonly workerUrl?: URL | string;
  /**
   * With `threads > 1`: wait until the workers have started before the first
   * segment. By default this thread starts at once and the workers join when
   * ready (a worker takes a few tens of milliseconds to start), so a short
   * input may be done before they take part. Output is the same either way.
   */
  readonly waitForWorkers?: boolean;
}

/** Fields added by default when RDAP is on and no fields are given. */
export const DEFAULT_RDAP_FIELDS: readonly EnrichField[] = [
  ...DEFAULT_FIELDS,
  'rdap.name',
  'rdap.country',
  'rdap.status',
];

/** Validated options. */
export interface ResolvedEnrichOptions {
  readonly registry: Registry;
  readonly fields: readonly EnrichField[];
  readonly plan: PlanOptions;
  readonly threads: number;
  readonly shared: SharedRegistryHandle | null;
  readonly rdap: EnrichRdapOptions | null;
  readonly rdapNeed: RdapNeed;
  readonly rawCsv: boolean;
  readonly windowSize: number;
  readonly signal: AbortSignal | undefined;
  readonly onIssue: ((issue: EnrichIssue) => void) | undefined;
  readonly onProgress: ((progress: EnrichProgress) => void) | undefined;
  readonly maxRowBytes: number;
  readonly segmentBytes: number;
  readonly workerUrl: URL | undefined;
  readonly waitForWorkers: boolean;
}

const FORMATS = ['auto', 'csv', 'tsv', 'log', 'jsonl', 'zeek'];

function intOption(
  value: unknown,
  name: string,
  min: number,
  max: number,
  def: number,
): number {
  if (value === undefined) return def;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw new TypeError(`\`${name}\` must be an integer`);
  if (value < min || value > max)
    throw new RangeError(
      `\`${name}\` must be from ${min} to ${max}, got ${value}`,
    );
  return value;
}

function charOption(
  value: unknown,
  name: string,
  allowEmpty: boolean,
  maxLength = 1,
): string | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'string' ||
    value.length > maxLength ||
    (!allowEmpty && value === '')
  )
    throw new TypeError(
      `\`${name}\` must be ${maxLength === 1 ? 'one character' : 'a non-empty string'}${allowEmpty ? ' or empty' : ''}`,
    );
  return value;
}

/**
 * Validates options.
 * @throws {TypeError | RangeError} naming the option.
 */
export function resolveEnrichOptions(
  options: EnrichOptions,
): ResolvedEnrichOptions {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('`options` must be an object');
  const registry = options.registry as Registry | undefined;
  if (
    typeof registry !== 'object' ||
    registry === null ||
    typeof registry.lookupIdIn !== 'function' ||
    typeof registry.record !== 'function'
  )
    throw new TypeError('`registry` must be a Registry (see loadRegistry)');
  const format = options.format ?? 'auto';
  if (!FORMATS.includes(format))
    throw new TypeError(
      `\`format\` must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(format)}`,
    );
  const rdap = options.rdap ?? null;
  if (rdap !== null) {
    if (
      typeof rdap !== 'object' ||
      typeof rdap.resolver?.resolve !== 'function'
    )
      throw new TypeError('`rdap.resolver` must be an RdapResolver');
    if (rdap.mode !== 'fallback' && rdap.mode !== 'always')
      throw new TypeError('`rdap.mode` must be "fallback" or "always"');
  }
  const fields =
    options.fields === undefined
      ? rdap !== null
        ? DEFAULT_RDAP_FIELDS
        : DEFAULT_FIELDS
      : parseFields(options.fields);
  if (rdap === null && fields.some(isRdapField))
    throw new TypeError(
      '`fields`: rdap.* fields need the `rdap` option (an RDAP resolver; --rdap on the command line)',
    );
  const columns = options.columns;
  if (columns !== undefined) {
    if (
      !Array.isArray(columns) ||
      columns.length === 0 ||
      columns.some(
        (c) =>
          !(typeof c === 'string' && c !== '') &&
          !(typeof c === 'number' && Number.isInteger(c) && c >= 0),
      )
    )
      throw new TypeError(
        '`columns` must be a non-empty list of names or 0-based indexes',
      );
    if (new Set(columns).size !== columns.length)
      throw new TypeError('`columns` lists a column twice');
  }
  const annotate = options.annotate ?? 'jsonl';
  if (annotate !== 'jsonl' && annotate !== 'inline')
    throw new TypeError('`annotate` must be "jsonl" or "inline"');
  if (options.header !== undefined && typeof options.header !== 'boolean')
    throw new TypeError('`header` must be a boolean');
  const delimiter = charOption(options.delimiter, 'delimiter', false, 16);
  if (delimiter !== undefined && /[\r\n]/.test(delimiter))
    throw new TypeError('`delimiter` cannot hold a line break');
  const quote = charOption(options.quote, 'quote', true);
  const escape = charOption(options.escape, 'escape', false);
  const comment = charOption(options.comment, 'comment', true);
  const csvEngine = options.csvEngine ?? 'auto';
  if (!['auto', 'fast', 'csv-parse'].includes(csvEngine))
    throw new TypeError('`csvEngine` must be "auto", "fast" or "csv-parse"');
  if (options.strict !== undefined && typeof options.strict !== 'boolean')
    throw new TypeError('`strict` must be a boolean');
  const threads = intOption(options.threads, 'threads', 1, 256, 1);
  const windowSize = intOption(
    options.windowSize,
    'windowSize',
    1,
    100_000,
    64,
  );
  const maxRowBytes = intOption(
    options.maxRowBytes,
    'maxRowBytes',
    1024,
    2 ** 30,
    64 * 2 ** 20,
  );
  const segmentBytes = intOption(
    options.segmentBytes,
    'segmentBytes',
    1024,
    64 * 2 ** 20,
    48 * 1024,
  );
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal))
    throw new TypeError('`signal` must be an AbortSignal');
  for (const name of ['onIssue', 'onProgress'] as const)
    if (options[name] !== undefined && typeof options[name] !== 'function')
      throw new TypeError(`\`${name}\` must be a function`);
  if (
    options.waitForWorkers !== undefined &&
    typeof options.waitForWorkers !== 'boolean'
  )
    throw new TypeError('`waitForWorkers` must be a boolean');
  let workerUrl: URL | undefined;
  if (options.workerUrl !== undefined) {
    try {
      workerUrl = new URL(options.workerUrl);
    } catch {
      throw new TypeError('`workerUrl` must be a URL (file:)');
    }
  }
  // Threads share the registry's memory; a registry that cannot be shared fails now.
  const shared = threads > 1 ? shareRegistry(registry) : null;
  const rdapNeed: RdapNeed = rdap === null ? 'off' : rdap.mode;
  const strict = options.strict ?? false;
  const plan: PlanOptions = {
    format,
    columns,
    fields,
    header: options.header,
    delimiter,
    quote,
    escape,
    comment,
    csvEngine,
    annotate,
    rdapNeed,
    strict,
    collectIssues: options.onIssue !== undefined,
  };
  return {
    registry,
    fields,
    plan,
    threads,
    shared,
    rdap,
    rdapNeed,
    rawCsv: options.rawCsv === true,
    windowSize,
    signal,
    onIssue: options.onIssue,
    onProgress: options.onProgress,
    waitForWorkers: options.waitForWorkers === true,
    maxRowBytes,
    segmentBytes,
    workerUrl,
  };
}
