/**
 * Free-text logs, one row per line. Every address in a line is found (see
 * extract-addresses.ts) and looked up. Two outputs:
 *
 * - `jsonl` (default): one JSON object per input line,
 *   `{"line":"…","ips":[{"ip":"1.2.3.4","offset":17,"rir":"apnic",…}]}`; the
 *   line without its line break, `offset` its index in the line (UTF-16 code
 *   units), registry fields `null` when empty, `"rdap"` an object (or null).
 * - `inline`: the input bytes with ` [rir=apnic cc=JP date=…]` after each
 *   address; `[not-found]` and `[special]` (`[special=private]` when the
 *   `special` field is selected) when there is nothing else to say.
 */

import {
  AddressEnricher,
  RenderCache,
  type FieldStyle,
  type OutcomeKind,
} from '../enrich/address-enricher.js';
import { INLINE_KEYS, type RegistryField } from '../enrich/enrich-fields.js';
import { C_ROWS, createCounters } from '../enrich/enrich-summary.js';
import {
  MATCH_DEFANGED,
  refang,
  scanAddresses,
} from '../enrich/extract-addresses.js';
import type { RdapField } from '../rdap/rdap-types.js';
import {
  OutputPieces,
  type LogPlan,
  type SegmentProcessor,
  type SegmentResult,
} from './format-plan.js';
import { utf8AsBinary } from './text-encoding.js';

function jsonValue(v: string): string {
  return v === '' ? 'null' : JSON.stringify(v);
}

/** The members an address entry of the jsonl form gets (after `"ip"` and `"offset"`). */
export function logJsonStyle(
  registryFields: readonly RegistryField[],
  rdapFields: readonly RdapField[],
): FieldStyle {
  return {
    head: (values) =>
      registryFields.map((f, i) => `,"${f}":${jsonValue(values[i]!)}`).join(''),
    rdap: (values) =>
      values === null
        ? ',"rdap":null'
        : `,"rdap":{${rdapFields.map((f, i) => `"${f}":${jsonValue(values[i]!)}`).join(',')}}`,
    tail: () => '',
  };
}

function inlineValue(v: string): string {
  return /[\s\]"=[]/.test(v) ? JSON.stringify(v) : v;
}

/** The ` [k=v …]` annotation of the inline form (binary strings). */
export function logInlineStyle(
  registryFields: readonly RegistryField[],
  rdapFields: readonly RdapField[],
): FieldStyle {
  return {
    head: (values, kind: OutcomeKind) => {
      const parts: string[] = [];
      registryFields.forEach((f, i) => {
        const v = values[i]!;
        if (v !== '') parts.push(`${INLINE_KEYS[f]}=${inlineValue(v)}`);
      });
      if (parts.length === 0) parts.push(kind);
      return ` [${parts.join(' ')}`;
    },
    rdap: (values) => {
      if (values === null) return '';
      let out = '';
      rdapFields.forEach((f, i) => {
        const v = values[i]!;
        if (v !== '') out += ` rdap.${f}=${utf8AsBinary(inlineValue(v))}`;
      });
      return out;
    },
    tail: () => ']',
  };
}

/** A log plan. */
export function planLog(o: {
  annotate: LogPlan['annotate'];
  fields: LogPlan['fields'];
  rdapNeed: LogPlan['rdapNeed'];
  strict: boolean;
  collectIssues: boolean;
}): LogPlan {
  return {
    format: 'log',
    annotate: o.annotate,
    fields: o.fields,
    rdapNeed: o.rdapNeed,
    strict: o.strict,
    collectIssues: o.collectIssues,
    labels: [],
  };
}

const MATCHES = 4096;

/**
 * Index of the next escaped line break (`\\n` after an even number of
 * backslashes) in JSON-escaped text, from `from`.
 */
function escapedBreak(esc: string, from: number): number {
  let q = esc.indexOf('\\n', from);
  while (q >= 0) {
    let k = q - 1;
    while (k >= from && esc.charCodeAt(k) === 92) k--;
    if ((q - 1 - k) % 2 === 0) return q;
    q = esc.indexOf('\\n', q + 2);
  }
  return esc.length - 1;
}

/** The log segment processor. */
export function createLogProcessor(
  plan: LogPlan,
  enricher: AddressEnricher,
): SegmentProcessor {
  const jsonl = plan.annotate === 'jsonl';
  const style = jsonl
    ? logJsonStyle(enricher.registryFields, enricher.rdapFields)
    : logInlineStyle(enricher.registryFields, enricher.rdapFields);
  const cache = new RenderCache(enricher, style);
  const found = new Int32Array(MATCHES * 3);

  /** Text for the address s[a..b); appends a hole to `pieces` when RDAP is needed. */
  function annotate(
    s: string,
    a: number,
    b: number,
    flags: number,
    out: string,
    pieces: OutputPieces,
  ): string {
    let src = s;
    let from = a;
    let to = b;
    if ((flags & MATCH_DEFANGED) !== 0) {
      src = refang(s.slice(a, b));
      from = 0;
      to = src.length;
    }
    const code = enricher.lookup(src, from, to);
    if (enricher.needsRdap(code)) {
      const [head, tail] = cache.holeParts(code);
      return (
        pieces.hole(out + head, { ip: src.slice(from, to), id: code }) + tail
      );
    }
    return out + cache.text(code, src, from, to);
  }

  return {
    process(segment: string): SegmentResult {
      const counters = createCounters();
      enricher.counters = counters;
      const pieces = new OutputPieces();
      const s = segment; // UTF-8 text for jsonl, binary for inline (see inputEncoding)
      const end = s.length;
      let out = '';
      let lines = 0;
      let rows = 0;
      if (jsonl) {
        // The whole segment is escaped at once (one native pass); each line's
        // JSON string is then a slice of it, between escaped line breaks.
        const esc = JSON.stringify(s);
        const escEnd = esc.length - 1;
        let ep = 1;
        let pos = 0;
        while (pos < end) {
          const nl = s.indexOf('\n', pos);
          const lineEnd = nl < 0 ? end : nl;
          const contentEnd =
            lineEnd > pos && s.charCodeAt(lineEnd - 1) === 13
              ? lineEnd - 1
              : lineEnd;
          const eq = nl < 0 ? escEnd : escapedBreak(esc, ep);
          const ec = contentEnd < lineEnd ? eq - 2 : eq; // drop an escaped CR
          out += `{"line":"${esc.slice(ep, ec)}","ips":[`;
          let from = pos;
          let first = true;
          for (;;) {
            const n = scanAddresses(s, from, contentEnd, found);
            for (let k = 0; k < n; k++) {
              const a = found[k * 3]!;
              const b = found[k * 3 + 1]!;
              out += `${first ? '' : ','}{"ip":"${s.slice(a, b)}","offset":${a - pos}`;
              out = annotate(s, a, b, found[k * 3 + 2]!, out, pieces) + '}';
              first = false;
            }
            if (n < MATCHES) break;
            from = found[(n - 1) * 3 + 1]!;
          }
          out += ']}\n';
          rows++;
          if (nl < 0) break;
          lines++;
          pos = nl + 1;
          ep = eq + 2;
        }
      } else {
        // Inline: copy the text, inserting after each address; lines are only counted.
        let copyFrom = 0;
        let from = 0;
        for (;;) {
          const n = scanAddresses(s, from, end, found);
          for (let k = 0; k < n; k++) {
            const a = found[k * 3]!;
            const b = found[k * 3 + 1]!;
            out = annotate(
              s,
              a,
              b,
              found[k * 3 + 2]!,
              out + s.slice(copyFrom, b),
              pieces,
            );
            copyFrom = b;
          }
          if (n < MATCHES) break;
          from = found[(n - 1) * 3 + 1]!;
        }
        out += s.slice(copyFrom, end);
        for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1))
          lines++;
        rows = lines + (end > 0 && s.charCodeAt(end - 1) !== 10 ? 1 : 0);
      }
      counters[C_ROWS] = rows;
      const { text, pieces: p } = pieces.finish(out);
      return { text, pieces: p, counters, lines, issues: [], stopped: false };
    },
  };
}
