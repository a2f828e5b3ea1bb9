/**
 * Zeek TSV logs: `#separator`, `#fields`, `#types` … header lines, rows of
 * separator-delimited values, `#close` at the end. Address columns are the
 * `addr` typed fields (or those named). Each row gets the added columns; the
 * `#fields` and `#types` lines get their names and `string` types; every other
 * `#` line is copied. Empty added values are written as the `#unset_field`
 * text (`-`), and separators, backslashes and line breaks inside values as
 * `\x09`-style escapes, as Zeek writes them.
 */

import {
  AddressEnricher,
  MISSING,
  RenderCache,
  type FieldStyle,
} from '../enrich/address-enricher.js';
import type { EnrichField } from '../enrich/enrich-fields.js';
import { C_CONTROL, C_ROWS, createCounters } from '../enrich/enrich-summary.js';
import { RegistryError } from '../errors.js';
import { INVALID } from '../types.js';
import { addedColumnNames } from './csv.js';
import {
  OutputPieces,
  type SegmentIssue,
  type SegmentProcessor,
  type SegmentResult,
  type ZeekPlan,
} from './format-plan.js';
import { binaryAsUtf8, utf8AsBinary } from './text-encoding.js';

/** What a Zeek header block says. */
export interface ZeekHeader {
  readonly separator: string;
  readonly setSeparator: string;
  readonly empty: string;
  readonly unset: string;
  readonly fields: readonly string[] | null;
  readonly types: readonly string[] | null;
}

function unescapeZeek(v: string): string {
  return v.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) =>
    String.fromCharCode(parseInt(h, 16)),
  );
}

/** Reads the `#` lines of a header block (binary string); `previous` gives defaults. */
export function parseZeekHeader(
  block: string,
  previous?: ZeekHeader,
): ZeekHeader {
  let separator = previous?.separator ?? '\t';
  let setSeparator = previous?.setSeparator ?? ',';
  let empty = previous?.empty ?? '(empty)';
  let unset = previous?.unset ?? '-';
  let fields: string[] | null = null;
  let types: string[] | null = null;
  for (const raw of block.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.startsWith('#separator ')) {
      separator = unescapeZeek(line.slice('#separator '.length));
      continue;
    }
    const parts = line.split(separator);
    const value = parts.slice(1);
    switch (parts[0]) {
      case '#set_separator':
        setSeparator = value[0] ?? setSeparator;
        break;
      case '#empty_field':
        empty = value[0] ?? empty;
        break;
      case '#unset_field':
        unset = value[0] ?? unset;
        break;
      case '#fields':
        fields = value;
        break;
      case '#types':
        types = value;
        break;
      default:
        break;
    }
  }
  return { separator, setSeparator, empty, unset, fields, types };
}

/**
 * A Zeek plan from a header block.
 * @throws {RegistryError} `INPUT_MALFORMED` when the block has no `#fields` line
 * or no address column can be found.
 * @throws {TypeError} for a named column the header does not have.
 */
export function planZeek(
  header: ZeekHeader,
  o: {
    columns: readonly (string | number)[] | undefined;
    fields: readonly EnrichField[];
    rdapNeed: ZeekPlan['rdapNeed'];
    strict: boolean;
    collectIssues: boolean;
  },
): ZeekPlan {
  const names = header.fields;
  if (names === null)
    throw new RegistryError(
      'INPUT_MALFORMED',
      'Zeek log: the header has no #fields line',
    );
  let columns: number[];
  if (o.columns !== undefined) {
    columns = o.columns.map((c) => {
      if (typeof c === 'number') return c;
      const i = names.indexOf(utf8AsBinary(c));
      if (i >= 0) return i;
      if (/^\d+$/.test(c) && Number(c) >= 1) return Number(c) - 1;
      throw new TypeError(
        `\`columns\`: no field ${JSON.stringify(c)} in the Zeek #fields line (${names.join(', ')})`,
      );
    });
  } else {
    columns = [];
    (header.types ?? []).forEach((t, i) => {
      if (t === 'addr') columns.push(i);
    });
    if (columns.length === 0)
      throw new RegistryError(
        'INPUT_MALFORMED',
        'Zeek log: no addr column in #types; name the columns with `columns` (--columns)',
      );
  }
  return {
    format: 'zeek',
    separator: header.separator,
    unset: header.unset,
    empty: header.empty,
    columns,
    width: names.length,
    labels: columns.map((c) => binaryAsUtf8(names[c] ?? `column${c + 1}`)),
    fields: o.fields,
    rdapNeed: o.rdapNeed,
    strict: o.strict,
    collectIssues: o.collectIssues,
  };
}

/** The header block's output: `#fields` and `#types` extended, the rest copied. */
export function zeekHeaderOutput(block: string, plan: ZeekPlan): string {
  const sep = plan.separator;
  const added = plan.labels.flatMap((l) =>
    addedColumnNames(utf8AsBinary(l), plan.fields),
  );
  return block.replace(
    /^(#fields|#types)([^\r\n]*)(\r?)$/gm,
    (_, tag: string, rest: string, cr: string) =>
      tag === '#fields'
        ? `${tag}${rest}${added.map((a) => sep + a).join('')}${cr}`
        : `${tag}${rest}${added.map(() => `${sep}string`).join('')}${cr}`,
  );
}

/** The cells a Zeek row gets for one address column (binary strings). */
export function zeekStyle(plan: ZeekPlan, rdapCount: number): FieldStyle {
  const sep = plan.separator;
  const escapeValue = (v: string): string => {
    if (v === '') return plan.unset;
    let out = '';
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      const ch = v[i]!;
      out +=
        ch === sep || c === 92 || c === 10 || c === 13
          ? `\\x${c.toString(16).padStart(2, '0')}`
          : ch;
    }
    return out;
  };
  return {
    head: (values) => values.map((v) => sep + escapeValue(v)).join(''),
    rdap: (values) =>
      values === null
        ? (sep + plan.unset).repeat(rdapCount)
        : values.map((v) => sep + escapeValue(utf8AsBinary(v))).join(''),
    tail: (error) => sep + (error === '' ? plan.unset : error),
  };
}

/** The Zeek segment processor (rows only; `#` lines are copied). */
export function createZeekProcessor(
  plan: ZeekPlan,
  enricher: AddressEnricher,
): SegmentProcessor {
  const cache = new RenderCache(
    enricher,
    zeekStyle(plan, enricher.rdapFields.length),
  );
  const sep = plan.separator;
  const n = plan.columns.length;
  const maxCol = Math.max(...plan.columns);
  const slotOf = new Int32Array(maxCol + 1).fill(-1);
  plan.columns.forEach((c, k) => {
    slotOf[c] = k;
  });
  const spans = new Int32Array(n * 2);
  const codes = new Int32Array(n);
  const wantIssues = plan.collectIssues || plan.strict;
  const pad = sep + plan.unset;
  return {
    process(s: string): SegmentResult {
      const counters = createCounters();
      enricher.counters = counters;
      const pieces = new OutputPieces();
      const issues: SegmentIssue[] = [];
      const end = s.length;
      let out = '';
      let copyFrom = 0;
      let pos = 0;
      let lines = 0;
      let rows = 0;
      let stopped = false;
      while (pos < end) {
        const nl = s.indexOf('\n', pos);
        const lineEnd = nl < 0 ? end : nl;
        const next = nl < 0 ? end : nl + 1;
        const lineAt = lines;
        if (nl >= 0) lines++;
        const contentEnd =
          lineEnd > pos && s.charCodeAt(lineEnd - 1) === 13
            ? lineEnd - 1
            : lineEnd;
        if (contentEnd === pos || s.charCodeAt(pos) === 35) {
          if (contentEnd > pos) counters[C_CONTROL]!++;
          pos = next;
          continue;
        }
        spans.fill(-1);
        let f = 0;
        let p = pos;
        for (;;) {
          let d = s.indexOf(sep, p);
          if (d < 0 || d > contentEnd) d = contentEnd;
          if (f <= maxCol) {
            const k = slotOf[f]!;
            if (k >= 0) {
              spans[k * 2] = p;
              spans[k * 2 + 1] = d;
            }
          }
          f++;
          if (d >= contentEnd) break;
          p = d + 1;
          if (f > maxCol && f >= plan.width) {
            f = plan.width;
            break;
          }
        }
        let holes = false;
        for (let k = 0; k < n; k++) {
          const a = spans[k * 2]!;
          const b = spans[k * 2 + 1]!;
          let code: number;
          const v = a < 0 ? '' : s.slice(a, b);
          if (a < 0 || v === plan.unset || v === plan.empty || a === b) {
            enricher.countMissing();
            code = MISSING;
          } else code = enricher.lookup(s, a, b);
          codes[k] = code;
          if (code === MISSING || code === INVALID) {
            if (wantIssues)
              issues.push({
                row: rows,
                line: lineAt,
                column: plan.labels[k]!,
                reason: code === MISSING ? 'missing' : 'invalid',
                value: v.slice(0, 200),
              });
            if (plan.strict) stopped = true;
          } else if (enricher.needsRdap(code)) holes = true;
        }
        if (stopped) {
          out += s.slice(copyFrom, pos);
          copyFrom = pos;
          break;
        }
        rows++;
        out += s.slice(copyFrom, contentEnd);
        if (f < plan.width) out += pad.repeat(plan.width - f);
        copyFrom = contentEnd;
        for (let k = 0; k < n; k++) {
          const code = codes[k]!;
          const a = spans[k * 2]!;
          const b = spans[k * 2 + 1]!;
          if (holes && enricher.needsRdap(code)) {
            const [head, tail] = cache.holeParts(code);
            out =
              pieces.hole(out + head, { ip: s.slice(a, b), id: code }) + tail;
          } else out += cache.text(code, s, a, b);
        }
        pos = next;
      }
      if (!stopped) out += s.slice(copyFrom, end);
      counters[C_ROWS] = rows;
      const { text, pieces: p } = pieces.finish(out);
      return { text, pieces: p, counters, lines, issues, stopped };
    },
  };
}
