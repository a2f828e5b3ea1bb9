/**
 * JSON lines (Suricata eve.json, Cowrie, Zeek JSON): one object per line. The
 * address values are named by key or dotted path, or detected. Each line is
 * copied as written and, before its closing brace, gets one member per address
 * column: `"src_ip_registry":{"rir":"apnic","country":"JP",…}` (registry
 * fields null when empty, `"rdap"` when RDAP fields are selected, `"error"`
 * only on an error). A line that is not a JSON object is copied unchanged and
 * counted as malformed; a blank line is copied unchanged.
 */

import {
  AddressEnricher,
  RenderCache,
  type FieldStyle,
} from '../enrich/address-enricher.js';
import type { RegistryField } from '../enrich/enrich-fields.js';
import {
  C_BLANK,
  C_MALFORMED,
  C_ROWS,
  createCounters,
} from '../enrich/enrich-summary.js';
import { isAddressText } from '../enrich/extract-addresses.js';
import type { RdapField } from '../rdap/rdap-types.js';
import { RegistryError } from '../errors.js';
import { INVALID } from '../types.js';
import { MISSING } from '../enrich/address-enricher.js';
import {
  OutputPieces,
  type JsonlPlan,
  type SegmentIssue,
  type SegmentProcessor,
  type SegmentResult,
} from './format-plan.js';
import { binaryAsUtf8, utf8AsBinary } from './text-encoding.js';

function jsonValue(v: string): string {
  return v === '' ? 'null' : utf8AsBinary(JSON.stringify(v));
}

/** The object added per address column (binary strings). */
export function jsonlStyle(
  registryFields: readonly RegistryField[],
  rdapFields: readonly RdapField[],
): FieldStyle {
  const lead = registryFields.length > 0 ? ',' : '';
  return {
    head: (values) =>
      `{${registryFields.map((f, i) => `"${f}":${jsonValue(values[i]!)}`).join(',')}`,
    rdap: (values) =>
      values === null
        ? `${lead}"rdap":null`
        : `${lead}"rdap":{${rdapFields.map((f, i) => `"${f}":${jsonValue(values[i]!)}`).join(',')}}`,
    tail: (error) => (error === '' ? '}' : `,"error":"${error}"}`),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a value by literal key, else by dotted path. */
function valueAt(
  obj: Record<string, unknown>,
  key: string,
  path: readonly string[],
): unknown {
  const direct = obj[key];
  if (direct !== undefined || path.length < 2) return direct;
  let v: unknown = obj;
  for (const p of path) {
    if (!isObject(v)) return undefined;
    v = v[p];
  }
  return v;
}

function collectPaths(
  obj: Record<string, unknown>,
  prefix: string,
  depth: number,
  seen: Map<string, { addresses: number; strings: number; order: number }>,
): void {
  for (const [k, v] of Object.entries(obj)) {
    const path = prefix === '' ? k : `${prefix}.${k}`;
    if (typeof v === 'string') {
      let e = seen.get(path);
      if (e === undefined) {
        e = { addresses: 0, strings: 0, order: seen.size };
        seen.set(path, e);
      }
      e.strings++;
      if (isAddressText(v)) e.addresses++;
    } else if (isObject(v) && depth < 3) collectPaths(v, path, depth + 1, seen);
  }
}

/**
 * Decides a JSON-lines plan from the first lines (binary string).
 * @returns null when `auto` and the sample is not JSON objects.
 * @throws {RegistryError} `INPUT_MALFORMED` when no address value can be found.
 */
export function planJsonl(
  sample: string,
  final: boolean,
  o: {
    auto: boolean;
    columns: readonly (string | number)[] | undefined;
    fields: JsonlPlan['fields'];
    rdapNeed: JsonlPlan['rdapNeed'];
    strict: boolean;
    collectIssues: boolean;
  },
): JsonlPlan | null {
  const lines = sample.split('\n');
  if (!final && lines.length > 1) lines.pop();
  let objects = 0;
  let nonBlank = 0;
  const seen = new Map<
    string,
    { addresses: number; strings: number; order: number }
  >();
  for (const line of lines.slice(0, 500)) {
    if (line.trim() === '') continue;
    nonBlank++;
    try {
      const v: unknown = JSON.parse(line);
      if (!isObject(v)) continue;
      objects++;
      if (o.columns === undefined) collectPaths(v, '', 0, seen);
    } catch {
      // not JSON
    }
  }
  if (o.auto && (objects === 0 || objects * 5 < nonBlank * 4)) return null;
  let labels: string[];
  if (o.columns !== undefined) {
    labels = o.columns.map((c) => {
      if (typeof c !== 'string' || c === '')
        throw new TypeError(
          '`columns`: JSON lines columns are key names or dotted paths',
        );
      return c;
    });
  } else {
    const minCount = Math.max(1, Math.floor(objects * 0.1));
    labels = [...seen]
      .filter(
        ([, e]) => e.addresses >= minCount && e.addresses * 2 >= e.strings,
      )
      .sort((a, b) => a[1].order - b[1].order)
      .map(([p]) => binaryAsUtf8(p));
    if (labels.length === 0)
      throw new RegistryError(
        'INPUT_MALFORMED',
        'no address values found in the first JSON lines; name the keys with `columns` (--columns)',
      );
  }
  const keys = labels.map(utf8AsBinary);
  return {
    format: 'jsonl',
    paths: keys.map((k) => k.split('.')),
    keys,
    addedKeys: labels.map(
      (l) => `${utf8AsBinary(JSON.stringify(`${l}_registry`))}:`,
    ),
    labels,
    fields: o.fields,
    rdapNeed: o.rdapNeed,
    strict: o.strict,
    collectIssues: o.collectIssues,
  };
}

/** The JSON-lines segment processor. */
export function createJsonlProcessor(
  plan: JsonlPlan,
  enricher: AddressEnricher,
): SegmentProcessor {
  const cache = new RenderCache(
    enricher,
    jsonlStyle(enricher.registryFields, enricher.rdapFields),
  );
  const n = plan.keys.length;
  const wantIssues = plan.collectIssues || plan.strict;
  const values: unknown[] = new Array<unknown>(n);
  const codes = new Int32Array(n);
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
        const close = s.lastIndexOf('}', lineEnd - 1);
        const first = s.indexOf('{', pos);
        let obj: unknown;
        if (close >= pos && first >= pos && first < close) {
          try {
            obj = JSON.parse(s.slice(pos, lineEnd));
          } catch {
            obj = undefined;
          }
        }
        if (!isObject(obj)) {
          if (s.slice(pos, lineEnd).trim() === '') {
            counters[C_BLANK]!++;
          } else {
            counters[C_MALFORMED]!++;
            rows++;
            if (wantIssues)
              issues.push({
                row: rows - 1,
                line: lineAt,
                column: '',
                reason: 'malformed',
                value: s.slice(pos, Math.min(lineEnd, pos + 200)),
              });
            if (plan.strict) {
              stopped = true;
              rows--;
              break;
            }
          }
          pos = next;
          continue;
        }
        let holes = false;
        for (let k = 0; k < n; k++) {
          const v = valueAt(obj, plan.keys[k]!, plan.paths[k]!);
          values[k] = v;
          let code: number;
          if (v === undefined || v === null || v === '') {
            enricher.countMissing();
            code = MISSING;
          } else if (typeof v === 'string')
            code = enricher.lookup(v, 0, v.length);
          else {
            enricher.countInvalid();
            code = INVALID;
          }
          codes[k] = code;
          if (code === MISSING || code === INVALID) {
            if (wantIssues)
              issues.push({
                row: rows,
                line: lineAt,
                column: plan.labels[k]!,
                reason: code === MISSING ? 'missing' : 'invalid',
                value:
                  typeof v === 'string'
                    ? v.slice(0, 200)
                    : v === undefined
                      ? ''
                      : JSON.stringify(v).slice(0, 200),
              });
            if (plan.strict) stopped = true;
          } else if (enricher.needsRdap(code)) holes = true;
        }
        if (stopped) break;
        rows++;
        let empty = true;
        for (const _ in obj) {
          empty = false;
          break;
        }
        out += s.slice(copyFrom, close);
        copyFrom = close;
        for (let k = 0; k < n; k++) {
          out += (k === 0 && empty ? '' : ',') + plan.addedKeys[k]!;
          const code = codes[k]!;
          const v = values[k];
          const text = typeof v === 'string' ? v : '';
          if (holes && enricher.needsRdap(code)) {
            const [head, tail] = cache.holeParts(code);
            out = pieces.hole(out + head, { ip: text.trim(), id: code }) + tail;
          } else out += cache.text(code, text, 0, text.length);
        }
        pos = next;
      }
      out += s.slice(copyFrom, stopped ? pos : end);
      counters[C_ROWS] = rows;
      const { text, pieces: p } = pieces.finish(out);
      return { text, pieces: p, counters, lines, issues, stopped };
    },
  };
}
