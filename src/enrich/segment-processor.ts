/**
 * Picks the format's segment processor and output style for a plan. Used by
 * the calling thread and by worker threads alike.
 */

import { csvStyle, createCsvProcessor } from '../formats/csv.js';
import type {
  FormatPlan,
  SegmentProcessor,
  SegmentResult,
} from '../formats/format-plan.js';
import { createJsonlProcessor, jsonlStyle } from '../formats/jsonl.js';
import {
  createLogProcessor,
  logInlineStyle,
  logJsonStyle,
} from '../formats/log.js';
import { createZeekProcessor, zeekStyle } from '../formats/zeek.js';
import type { AddressEnricher, FieldStyle } from './address-enricher.js';

/**
 * A segment's output written as bytes by the format itself (the calling
 * thread's fast path: no output string to build, flatten and encode).
 */
export interface SegmentBytesResult extends SegmentResult {
  /** The output (then `text` is '' and `pieces` null), valid until `release()`; null: see `text`/`pieces`. */
  readonly bytes: Uint8Array | null;
  /** Gives the memory of `bytes` back to the processor. */
  release(): void;
}

/** A processor that also takes a segment as bytes (its UTF-8 or binary form, as the plan reads it). */
export interface BytesSegmentProcessor extends SegmentProcessor {
  processBytes(bytes: Uint8Array): SegmentBytesResult;
}

/** True when `proc` has the bytes path. */
export function hasBytesPath(
  proc: SegmentProcessor,
): proc is BytesSegmentProcessor {
  return (
    typeof (proc as Partial<BytesSegmentProcessor>).processBytes === 'function'
  );
}

/** The segment processor of a plan (not for the csv-parse engine). */
export function createSegmentProcessor(
  plan: FormatPlan,
  enricher: AddressEnricher,
): SegmentProcessor {
  switch (plan.format) {
    case 'csv':
    case 'tsv':
      return createCsvProcessor(plan, enricher);
    case 'log':
      return createLogProcessor(plan, enricher);
    case 'jsonl':
      return createJsonlProcessor(plan, enricher);
    case 'zeek':
      return createZeekProcessor(plan, enricher);
  }
}

/** The field style of a plan (to render RDAP answers into holes). */
export function styleForPlan(
  plan: FormatPlan,
  enricher: AddressEnricher,
): FieldStyle {
  switch (plan.format) {
    case 'csv':
    case 'tsv':
      return csvStyle(
        plan.delimiter,
        plan.quote,
        enricher.rdapFields.length,
        enricher.rawCsv,
      );
    case 'log':
      return plan.annotate === 'jsonl'
        ? logJsonStyle(enricher.registryFields, enricher.rdapFields)
        : logInlineStyle(enricher.registryFields, enricher.rdapFields);
    case 'jsonl':
      return jsonlStyle(enricher.registryFields, enricher.rdapFields);
    case 'zeek':
      return zeekStyle(plan, enricher.rdapFields.length);
  }
}
