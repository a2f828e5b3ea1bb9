/**
 * Format detection and planning: from the first rows of the input to a
 * {@link FormatPlan}. `auto` tries, in order: a Zeek header (`#separator`,
 * `#fields`), JSON objects, a delimited table with an address column, and
 * falls back to free-text logs.
 */

import type { EnrichField } from '../enrich/enrich-fields.js';
import type { RdapNeed } from '../enrich/address-enricher.js';
import { planCsv } from './csv.js';
import type { EnrichFormat, FormatPlan, LogAnnotate } from './format-plan.js';
import { planJsonl } from './jsonl.js';
import { planLog } from './log.js';
import { parseZeekHeader, planZeek } from './zeek.js';

/** Everything planning needs from the options. */
export interface PlanOptions {
  readonly format: EnrichFormat | 'auto';
  readonly columns: readonly (string | number)[] | undefined;
  readonly fields: readonly EnrichField[];
  readonly header: boolean | undefined;
  readonly delimiter: string | undefined;
  readonly quote: string | undefined;
  readonly escape: string | undefined;
  readonly comment: string | undefined;
  readonly csvEngine: 'auto' | 'fast' | 'csv-parse';
  readonly annotate: LogAnnotate;
  readonly rdapNeed: RdapNeed;
  readonly strict: boolean;
  readonly collectIssues: boolean;
}

/** The leading block of `#` lines of a Zeek log (binary string), or null when not complete. */
export function zeekHeaderBlock(s: string, final: boolean): string | null {
  let i = 0;
  while (i < s.length && s.charCodeAt(i) === 35) {
    const nl = s.indexOf('\n', i);
    if (nl < 0) return final ? s : null;
    i = nl + 1;
  }
  return s.slice(0, i);
}

function firstLine(s: string): string {
  const start = s.search(/\S/);
  if (start < 0) return '';
  const nl = s.indexOf('\n', start);
  return s.slice(start, nl < 0 ? s.length : nl);
}

/**
 * Plans the enrichment of an input from its first bytes.
 * @param sample the head of the input as a binary string (BOM removed).
 * @param final true when the sample is the whole input.
 * @throws {TypeError} for options that do not fit the input.
 * @throws {RegistryError} `INPUT_MALFORMED` when the input has no address column to enrich.
 */
export function planFormat(
  sample: string,
  final: boolean,
  o: PlanOptions,
): FormatPlan {
  const base = {
    fields: o.fields,
    rdapNeed: o.rdapNeed,
    strict: o.strict,
    collectIssues: o.collectIssues,
  };
  const line = firstLine(sample);
  const auto = o.format === 'auto';
  if (o.format === 'zeek' || (auto && /^#(separator|fields)\b/.test(line))) {
    const block = zeekHeaderBlock(sample, final) ?? sample;
    return planZeek(parseZeekHeader(block), { ...base, columns: o.columns });
  }
  if (o.format === 'jsonl' || (auto && line.startsWith('{'))) {
    const plan = planJsonl(sample, final, {
      ...base,
      auto,
      columns: o.columns,
    });
    if (plan !== null) return plan;
  }
  if (o.format === 'csv' || o.format === 'tsv' || auto) {
    const plan = planCsv(sample, final, {
      ...base,
      format: auto ? 'auto' : (o.format as 'csv' | 'tsv'),
      columns: o.columns,
      header: o.header,
      delimiter: o.delimiter,
      quote: o.quote,
      escape: o.escape,
      comment: o.comment,
      engine: o.csvEngine,
    });
    if (plan !== null) return plan;
  }
  return planLog({ ...base, annotate: o.annotate });
}
