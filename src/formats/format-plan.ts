/**
 * The contract between the enrichment pipeline and the formats. A plan is
 * what detection decided (format, dialect, address columns): plain data, so it
 * can be posted to worker threads. A segment processor turns a run of whole
 * rows (a binary string, see text-encoding.ts) into output text; it is pure
 * and deterministic, so a worker and the calling thread give the same bytes.
 */

import type { EnrichField } from '../enrich/enrich-fields.js';
import type { RdapHole, RdapNeed } from '../enrich/address-enricher.js';

/** Input formats. */
export type EnrichFormat = 'csv' | 'tsv' | 'log' | 'jsonl' | 'zeek';

/** Output of the log format. */
export type LogAnnotate = 'jsonl' | 'inline';

interface PlanBase {
  readonly fields: readonly EnrichField[];
  readonly rdapNeed: RdapNeed;
  readonly strict: boolean;
  /** Report every issue (onIssue), not only the first under strict. */
  readonly collectIssues: boolean;
  /** Address column labels for issues and the summary (UTF-16 text). */
  readonly labels: readonly string[];
}

/** CSV and TSV. */
export interface CsvPlan extends PlanBase {
  readonly format: 'csv' | 'tsv';
  /** `fast`: rirmap's own scanner; `csv-parse`: dialects it does not handle. */
  readonly engine: 'fast' | 'csv-parse';
  readonly delimiter: string;
  /** '' for no quoting. */
  readonly quote: string;
  /** csv-parse only. */
  readonly escape: string;
  /** csv-parse only; '' for none. */
  readonly comment: string;
  /** csv-parse only: the record delimiters. */
  readonly recordDelimiter: readonly string[];
  readonly header: boolean;
  /** 0-based address columns. */
  readonly columns: readonly number[];
  /** Field count rows are padded to (the header's, else the first row's). */
  readonly width: number;
  /** Header names of the address columns (binary strings), used for added column names. */
  readonly names: readonly string[];
}

/** Free text, one row per line. */
export interface LogPlan extends PlanBase {
  readonly format: 'log';
  readonly annotate: LogAnnotate;
}

/** JSON lines. */
export interface JsonlPlan extends PlanBase {
  readonly format: 'jsonl';
  /** Per address column: the key path (binary strings). */
  readonly paths: readonly (readonly string[])[];
  /** Per address column: the key as written when it is not a nested path. */
  readonly keys: readonly string[];
  /** Per address column: the JSON text of the added key, `"src_ip_registry":`. */
  readonly addedKeys: readonly string[];
}

/** Zeek TSV logs. */
export interface ZeekPlan extends PlanBase {
  readonly format: 'zeek';
  readonly separator: string;
  readonly unset: string;
  readonly empty: string;
  readonly columns: readonly number[];
  readonly width: number;
}

/** What detection decided. */
export type FormatPlan = CsvPlan | LogPlan | JsonlPlan | ZeekPlan;

/** A row the enrichment could not answer, as reported to `onIssue`. */
export interface EnrichIssue {
  /** 1-based data row (header and comment lines not counted). */
  readonly row: number;
  /** 1-based line of the input where the row starts. */
  readonly line: number;
  /** The address column ('' for a row that could not be read at all). */
  readonly column: string;
  readonly reason: 'missing' | 'invalid' | 'malformed';
  /** The offending value (capped at 200 characters). */
  readonly value: string;
}

/** An issue inside a segment, row and line counted from the segment's start (0-based). */
export interface SegmentIssue {
  readonly row: number;
  readonly line: number;
  readonly column: string;
  readonly reason: EnrichIssue['reason'];
  /** Binary string. */
  readonly value: string;
}

/** What processing one segment gave. */
export interface SegmentResult {
  /** The output when it needs no RDAP answer. */
  readonly text: string;
  /** Otherwise the output in pieces, RDAP holes between them (`text` is then ''). */
  readonly pieces: readonly (string | RdapHole)[] | null;
  /** Counters of this segment (see enrich-summary.ts). */
  readonly counters: Float64Array;
  /** Line breaks consumed. */
  readonly lines: number;
  readonly issues: readonly SegmentIssue[];
  /** True when `strict` stopped at the first issue (its last entry); output ends before that row. */
  readonly stopped: boolean;
}

/** Turns whole rows into output. */
export interface SegmentProcessor {
  /**
   * `text` holds whole rows only (the last may lack its line break at the end
   * of input), decoded as {@link inputEncoding} says.
   */
  process(text: string): SegmentResult;
}

/**
 * How a plan's input segments are decoded: latin1 (one char per byte, for
 * formats that copy their input), or UTF-8 for the jsonl form of logs, whose
 * "line" is text.
 */
export function inputEncoding(plan: FormatPlan): 'latin1' | 'utf8' {
  return plan.format === 'log' && plan.annotate === 'jsonl' ? 'utf8' : 'latin1';
}

/** How a plan's output text is encoded to bytes. */
export function outputEncoding(plan: FormatPlan): 'latin1' | 'utf8' {
  return plan.format === 'log' && plan.annotate === 'jsonl' ? 'utf8' : 'latin1';
}

/** Caps an issue value. */
export function issueValue(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

/**
 * Collects a segment's output: one string while no RDAP hole is met, pieces after.
 * Kept tiny: processors append with `out +=` and call `hole()` rarely.
 */
export class OutputPieces {
  pieces: (string | RdapHole)[] | null = null;

  /** Ends the current text with a hole; returns '' as the new current text. */
  hole(current: string, hole: RdapHole): string {
    (this.pieces ??= []).push(current, hole);
    return '';
  }

  /** The result's `text` and `pieces`. */
  finish(current: string): {
    text: string;
    pieces: (string | RdapHole)[] | null;
  } {
    if (this.pieces === null) return { text: current, pieces: null };
    this.pieces.push(current);
    return { text: '', pieces: this.pieces };
  }
}
