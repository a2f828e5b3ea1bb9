/**
 * Reading back a file `rirmap enrich` wrote, for a report without looking
 * every address up again. The forms enrichment writes:
 *
 * - CSV/TSV: each address column `X` followed (at the end of the row) by
 *   `X_<field>` cells and `X_error`.
 * - Zeek: the same added columns in `#fields`, unset values `-`.
 * - JSON lines: a `"X_registry": {…}` member per address key (`error` only on an error).
 * - Logs, `--annotate jsonl`: `{"line": "…", "ips": [{"ip", "offset", <fields>, "rdap"}]}`.
 * - Logs, `--annotate inline`: ` [rir=apnic cc=JP date=…]` after each address.
 *
 * Fields the file does not carry (the holder and the block, unless enriched
 * with `--fields …,holder,range`) are taken from the loaded registry when one is
 * given and it agrees with the file; otherwise blocks are told apart by the
 * fields the file has.
 */

import { RegistryError } from '../errors.js';
import { REGISTRY_FIELDS } from '../enrich/enrich-fields.js';
import {
  MATCH_DEFANGED,
  refang,
  scanAddresses,
} from '../enrich/extract-addresses.js';
import {
  createCsvScanState,
  scanCsvRecord,
  splitCsvSample,
} from '../formats/csv-scan.js';
import { CSV_DELIMITERS } from '../formats/csv.js';
import { planFormat } from '../formats/detect-format.js';
import type { FormatPlan, LogPlan } from '../formats/format-plan.js';
import { binaryAsUtf8 } from '../formats/text-encoding.js';
import { parseZeekHeader, type ZeekHeader } from '../formats/zeek.js';
import { RDAP_FIELDS, type RdapInfo } from '../rdap/rdap-types.js';
import { DEFAULT_FIELDS } from '../enrich/enrich-fields.js';
import { NOT_FOUND } from '../types.js';
import type { EnrichedFields } from './address-observer.js';
import {
  isObject,
  jsonTime,
  sampleObjects,
  valueAt,
  type ProcessorContext,
  type RowProcessor,
} from './row-processor.js';
import { pickTimeColumn, pickTimeKey } from './time-columns.js';

/** Every field name enrichment can add after `X_` (registry fields, rdap.*, error). */
const ADDED = [
  ...REGISTRY_FIELDS,
  ...RDAP_FIELDS.map((f) => `rdap.${f}`),
  'error',
] as const;

const LINE_PLAN: LogPlan = {
  format: 'log',
  annotate: 'jsonl',
  fields: DEFAULT_FIELDS,
  rdapNeed: 'off',
  strict: false,
  collectIssues: false,
  labels: [],
};

/** A JSON value as field text: null → '', strings as they are, others as JSON. */
function jsonText(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Enriched fields from a `{rir, country, …, rdap, error}` object (absent keys stay undefined). */
function fieldsFromObject(o: Record<string, unknown>): EnrichedFields {
  const f: EnrichedFields = {};
  for (const name of REGISTRY_FIELDS)
    if (name in o) f[name] = jsonText(o[name]);
  if ('error' in o) f.error = jsonText(o['error']);
  const rdap = o['rdap'];
  if (isObject(rdap)) {
    const info: Record<string, string> = {};
    for (const [k, v] of Object.entries(rdap))
      if (typeof v === 'string') info[k] = v;
    f.rdap = info as Partial<RdapInfo>;
  }
  return f;
}

/** Column indexes of one address column and its added cells. */
interface AddedColumns {
  readonly label: string;
  readonly address: number;
  /** Added field name → column index. */
  readonly fields: ReadonlyMap<string, number>;
}

/** Finds `X` columns followed by `X_<field>` columns (at least `X_error`). */
function addedColumns(names: readonly string[]): AddedColumns[] {
  const out: AddedColumns[] = [];
  names.forEach((name, i) => {
    const err = names.indexOf(`${name}_error`);
    if (name === '' || err < 0) return;
    const fields = new Map<string, number>();
    for (const f of ADDED) {
      const j = names.indexOf(`${name}_${f}`);
      if (j >= 0) fields.set(f, j);
    }
    out.push({ label: binaryAsUtf8(name), address: i, fields });
  });
  return out;
}

/** Fields from cell texts (UTF-16). */
function fieldsFromCells(
  cols: AddedColumns,
  cell: (column: number) => string,
): EnrichedFields {
  const f: EnrichedFields = {};
  let rdap: Record<string, string> | null = null;
  for (const [name, j] of cols.fields) {
    const v = cell(j);
    if (name.startsWith('rdap.')) {
      if (v !== '') (rdap ??= {})[name.slice(5)] = v;
    } else (f as Record<string, string>)[name] = v;
  }
  if (rdap !== null) f.rdap = rdap as Partial<RdapInfo>;
  return f;
}

function createEnrichedCsv(
  sample: string,
  final: boolean,
  delimiter: string,
  quote: string,
  ctx: ProcessorContext,
): RowProcessor | null {
  const { fields: rows } = splitCsvSample(sample, delimiter, quote, 50, final);
  const first = rows.findIndex((r) => r.length > 1 || (r[0] ?? '') !== '');
  if (first < 0) return null;
  const names = rows[first]!.map((n) => n.trim());
  const groups = addedColumns(names);
  if (groups.length === 0) return null;
  const plan = planFormat(sample, final, {
    format: delimiter === '\t' ? 'tsv' : 'csv',
    columns: groups.map((g) => g.label),
    fields: DEFAULT_FIELDS,
    header: true,
    delimiter,
    quote,
    escape: undefined,
    comment: undefined,
    csvEngine: 'auto',
    annotate: 'jsonl',
    rdapNeed: 'off',
    strict: false,
    collectIssues: false,
  });
  if (plan.format !== 'csv' && plan.format !== 'tsv') return null;
  const used = groups.flatMap((g) => [g.address, ...g.fields.values()]);
  const timeCol = pickTimeColumn(
    names,
    rows.slice(first + 1),
    used,
    ctx.options.timeColumn,
  );
  const wanted = [...new Set(timeCol >= 0 ? [...used, timeCol] : used)];
  const slotOf = new Map(wanted.map((c, i) => [c, i]));
  const st = createCsvScanState(delimiter, quote, wanted, plan.width);
  const spans = st.spans;
  const q = quote === '' ? -1 : quote.charCodeAt(0);
  const { observer, builder, times } = ctx;
  let s = '';
  const cell = (column: number): string => {
    const slot = slotOf.get(column)!;
    const a = spans[slot * 2]!;
    if (a < 0) return '';
    let v = s.slice(a, spans[slot * 2 + 1]!);
    if (q >= 0 && a > 0 && s.charCodeAt(a - 1) === q)
      v = v.replaceAll(quote + quote, quote);
    return binaryAsUtf8(v.trim());
  };
  // Fast path: when the file does not name the block, the loaded registry
  // gives it; if the registry agrees with the file's registry and country,
  // the address is counted straight from the row, with no strings made.
  const registry = ctx.options.registry;
  const slotOfField = (g: AddedColumns, name: string): number => {
    const c = g.fields.get(name);
    return c === undefined ? -1 : slotOf.get(c)!;
  };
  const fast = groups.map((g) => ({
    on:
      registry !== null &&
      (!g.fields.has('range') || !g.fields.has('holder')) &&
      ![...g.fields.keys()].some((k) => k.startsWith('rdap.')),
    address: slotOf.get(g.address)!,
    error: slotOfField(g, 'error'),
    rir: slotOfField(g, 'rir'),
    country: slotOfField(g, 'country'),
  }));
  const SPACE = 32;
  let from = 0;
  let to = 0;
  /** Trimmed span of a slot into from/to; false when the cell is absent. */
  const span = (slot: number): boolean => {
    from = spans[slot * 2]!;
    if (from < 0) return false;
    to = spans[slot * 2 + 1]!;
    while (from < to && s.charCodeAt(from) === SPACE) from++;
    while (to > from && s.charCodeAt(to - 1) === SPACE) to--;
    return true;
  };
  const cellIs = (slot: number, text: string): boolean => {
    if (slot < 0) return true;
    if (!span(slot)) return text === '';
    return to - from === text.length && s.startsWith(text, from);
  };
  let row = 0;
  let time = NaN;
  let timed = false;
  const rowTime = (): number => {
    if (!timed) {
      timed = true;
      if (timeCol >= 0) time = times.fromValue(cell(timeCol));
    }
    return time;
  };
  return {
    plan,
    format: plan.format,
    columns: groups.map((g) => g.label),
    timeSource: timeCol >= 0 ? binaryAsUtf8(names[timeCol]!) : null,
    control() {},
    body(text) {
      s = text;
      st.nextQuote = -2;
      const end = s.length;
      let pos = 0;
      const firstRow = row;
      while (pos < end) {
        const next = scanCsvRecord(s, pos, end, true, st);
        if (st.contentEnd === pos) {
          pos = next;
          continue;
        }
        row++;
        time = NaN;
        timed = false;
        for (let k = 0; k < groups.length; k++) {
          const fk = fast[k]!;
          if (fk.on && cellIs(fk.error, '') && span(fk.address) && from < to) {
            const a = from;
            const b = to;
            const id = registry!.lookupIdIn(s, a, b);
            if (id >= 0) {
              const r = registry!.record(id);
              if (
                cellIs(fk.rir, r.rir) &&
                cellIs(fk.country, r.country ?? '')
              ) {
                builder.addFoundIdAt(id, registry!, s, a, b, row, rowTime());
                continue;
              }
            } else if (id === NOT_FOUND && cellIs(fk.rir, '')) {
              builder.addNotFoundAt(s, a, b, row, rowTime());
              continue;
            }
          }
          const g = groups[k]!;
          const ip = cell(g.address);
          const f = fieldsFromCells(g, cell);
          observer.enriched(ip, f, row, ip !== '' ? rowTime() : NaN, g.label);
        }
        pos = next;
      }
      builder.addRows(row - firstRow);
    },
  };
}

function unescapeZeek(v: string): string {
  return v.includes('\\x')
    ? v.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) =>
        String.fromCharCode(parseInt(h, 16)),
      )
    : v;
}

function createEnrichedZeek(ctx: ProcessorContext): RowProcessor {
  const { observer, builder, times, options } = ctx;
  let header: ZeekHeader | undefined;
  let groups: AddedColumns[] = [];
  let timeCol = -1;
  let names: readonly string[] = [];
  const replan = (block: string): void => {
    header = parseZeekHeader(block, header);
    if (header.fields === null) return;
    names = header.fields;
    groups = addedColumns(names);
    if (groups.length === 0)
      throw new RegistryError(
        'INPUT_MALFORMED',
        'Zeek log: no `<field>_error` columns: not a file `rirmap enrich` wrote',
      );
    const used = groups.flatMap((g) => [g.address, ...g.fields.values()]);
    timeCol = pickTimeColumn(names, [], used, options.timeColumn);
  };
  const plan: FormatPlan = {
    format: 'zeek',
    separator: '\t',
    unset: '-',
    empty: '(empty)',
    columns: [],
    width: 0,
    labels: [],
    fields: DEFAULT_FIELDS,
    rdapNeed: 'off',
    strict: false,
    collectIssues: false,
  };
  let row = 0;
  const parts: string[] = [];
  return {
    plan,
    format: 'zeek',
    get columns() {
      return groups.map((g) => g.label);
    },
    get timeSource() {
      return timeCol >= 0 ? binaryAsUtf8(names[timeCol] ?? '') : null;
    },
    control(text) {
      replan(text);
    },
    body(s) {
      const sep = header?.separator ?? '\t';
      const unset = header?.unset ?? '-';
      const empty = header?.empty ?? '(empty)';
      const cell = (j: number): string => {
        const v = parts[j] ?? '';
        return v === unset || v === empty ? '' : binaryAsUtf8(unescapeZeek(v));
      };
      const firstRow = row;
      let pos = 0;
      while (pos < s.length) {
        const nl = s.indexOf('\n', pos);
        let line = s.slice(pos, nl < 0 ? s.length : nl);
        if (line.endsWith('\r')) line = line.slice(0, -1);
        pos = nl < 0 ? s.length : nl + 1;
        if (line === '' || line.startsWith('#')) continue;
        row++;
        parts.length = 0;
        parts.push(...line.split(sep));
        let time = NaN;
        let timed = false;
        for (const g of groups) {
          const ip = cell(g.address);
          if (!timed && ip !== '') {
            timed = true;
            if (timeCol >= 0) time = times.fromValue(cell(timeCol));
          }
          observer.enriched(ip, fieldsFromCells(g, cell), row, time, g.label);
        }
      }
      builder.addRows(row - firstRow);
    },
  };
}

function createEnrichedJsonl(
  objects: readonly Record<string, unknown>[],
  ctx: ProcessorContext,
): RowProcessor {
  const { observer, builder, times } = ctx;
  const keys: string[] = [];
  for (const o of objects)
    for (const [k, v] of Object.entries(o))
      if (
        k.endsWith('_registry') &&
        isObject(v) &&
        !keys.includes(k.slice(0, -9))
      )
        keys.push(k.slice(0, -9));
  if (keys.length === 0)
    throw new RegistryError(
      'INPUT_MALFORMED',
      'no `<key>_registry` objects in the first JSON lines: not a file `rirmap enrich` wrote',
    );
  const timeKey = pickTimeKey(
    objects as Record<string, unknown>[],
    ctx.options.timeColumn,
  );
  let row = 0;
  return {
    plan: LINE_PLAN,
    format: 'jsonl',
    columns: keys,
    timeSource: timeKey,
    control() {},
    body(s) {
      const firstRow = row;
      let pos = 0;
      while (pos < s.length) {
        const nl = s.indexOf('\n', pos);
        const line = s.slice(pos, nl < 0 ? s.length : nl);
        pos = nl < 0 ? s.length : nl + 1;
        if (line.trim() === '') continue;
        row++;
        let obj: unknown;
        try {
          obj = JSON.parse(binaryAsUtf8(line));
        } catch {
          continue;
        }
        if (!isObject(obj)) continue;
        let time = NaN;
        let timed = false;
        for (const key of keys) {
          const reg = obj[`${key}_registry`];
          const v = valueAt(obj, key);
          const f = isObject(reg) ? fieldsFromObject(reg) : {};
          if (!timed && v !== undefined && v !== null && v !== '') {
            timed = true;
            if (timeKey !== null) time = jsonTime(times, valueAt(obj, timeKey));
          }
          if (v !== undefined && v !== null && typeof v !== 'string') {
            observer.invalidValue(JSON.stringify(v), key, row);
            continue;
          }
          observer.enriched(typeof v === 'string' ? v : '', f, row, time, key);
        }
      }
      builder.addRows(row - firstRow);
    },
  };
}

const IPS_MARK = '","ips":[';

/** `{"line": …, "ips": […]}` lines (logs enriched with `--annotate jsonl`). */
function createAnnotatedJsonl(ctx: ProcessorContext): RowProcessor {
  const { observer, builder, times } = ctx;
  let row = 0;
  const entry = (e: unknown, time: number): void => {
    if (!isObject(e) || typeof e['ip'] !== 'string') return;
    const raw = e['ip'];
    const ip = raw.includes('[.]') ? refang(raw) : raw;
    observer.enriched(ip, fieldsFromObject(e), row, time, '');
  };
  return {
    plan: LINE_PLAN,
    format: 'log',
    columns: [],
    timeSource: 'line',
    control() {},
    body(s) {
      const firstRow = row;
      let pos = 0;
      while (pos < s.length) {
        const nl = s.indexOf('\n', pos);
        let end = nl < 0 ? s.length : nl;
        if (end > pos && s.charCodeAt(end - 1) === 13) end--;
        const next = nl < 0 ? s.length : nl + 1;
        if (end === pos) {
          pos = next;
          continue;
        }
        row++;
        // Fast path: the form enrichment writes. The line's JSON string cannot
        // hold `","ips":[` unescaped, so its first occurrence ends the string.
        const mark = s.startsWith('{"line":"', pos)
          ? s.indexOf(IPS_MARK, pos)
          : -1;
        if (mark >= 0 && mark < end && s.charCodeAt(end - 1) === 125) {
          const arrayStart = mark + IPS_MARK.length - 1;
          if (s.charCodeAt(arrayStart + 1) !== 93) {
            const time = times.fromLine(s, pos + 9, mark);
            let list: unknown;
            try {
              list = JSON.parse(binaryAsUtf8(s.slice(arrayStart, end - 1)));
            } catch {
              list = null;
            }
            if (Array.isArray(list)) for (const e of list) entry(e, time);
          }
        } else {
          let obj: unknown;
          try {
            obj = JSON.parse(binaryAsUtf8(s.slice(pos, end)));
          } catch {
            obj = null;
          }
          if (
            isObject(obj) &&
            Array.isArray(obj['ips']) &&
            obj['ips'].length > 0
          ) {
            const line = typeof obj['line'] === 'string' ? obj['line'] : '';
            const time = times.fromLine(line, 0, line.length);
            for (const e of obj['ips']) entry(e, time);
          }
        }
        pos = next;
      }
      builder.addRows(row - firstRow);
    },
  };
}

const INLINE_KEYS: Readonly<Record<string, keyof EnrichedFields>> = {
  rir: 'rir',
  cc: 'country',
  date: 'date',
  status: 'status',
  holder: 'holder',
  range: 'range',
  cidr: 'cidr',
  source: 'source',
  special: 'special',
};

/**
 * Reads the ` [k=v …]` annotation at `at` (which must start with ` [`).
 * @returns the index after its `]` and the fields, or null when there is none.
 */
export function readInlineAnnotation(
  s: string,
  at: number,
  end: number,
): { end: number; fields: EnrichedFields; kind: string | null } | null {
  if (s.charCodeAt(at) !== 32 || s.charCodeAt(at + 1) !== 91) return null;
  let i = at + 2;
  const f: EnrichedFields = {};
  let kind: string | null = null;
  let rdap: Record<string, string> | null = null;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c === 93) {
      if (rdap !== null) f.rdap = rdap as Partial<RdapInfo>;
      return { end: i + 1, fields: f, kind };
    }
    if (c === 32) {
      i++;
      continue;
    }
    let k = i;
    while (
      k < end &&
      s.charCodeAt(k) !== 61 &&
      s.charCodeAt(k) !== 32 &&
      s.charCodeAt(k) !== 93
    )
      k++;
    const key = s.slice(i, k);
    if (s.charCodeAt(k) !== 61) {
      kind = key;
      i = k;
      continue;
    }
    let v: string;
    let j = k + 1;
    if (s.charCodeAt(j) === 34) {
      let e = j + 1;
      while (e < end && s.charCodeAt(e) !== 34)
        e += s.charCodeAt(e) === 92 ? 2 : 1;
      try {
        v = JSON.parse(binaryAsUtf8(s.slice(j, e + 1))) as string;
      } catch {
        return null;
      }
      j = e + 1;
    } else {
      let e = j;
      while (e < end && s.charCodeAt(e) !== 32 && s.charCodeAt(e) !== 93) e++;
      v = binaryAsUtf8(s.slice(j, e));
      j = e;
    }
    if (key.startsWith('rdap.')) (rdap ??= {})[key.slice(5)] = v;
    else {
      const name = INLINE_KEYS[key];
      if (name !== undefined) (f as Record<string, string>)[name] = v;
    }
    i = j;
  }
  return null;
}

/** Logs enriched with `--annotate inline`. */
function createInlineLog(ctx: ProcessorContext): RowProcessor {
  const { observer, builder, times } = ctx;
  const found = new Int32Array(1024 * 3);
  let row = 0;
  return {
    plan: LINE_PLAN,
    format: 'log',
    columns: [],
    timeSource: 'line',
    control() {},
    body(s) {
      const firstRow = row;
      let pos = 0;
      while (pos < s.length) {
        const nl = s.indexOf('\n', pos);
        let end = nl < 0 ? s.length : nl;
        if (end > pos && s.charCodeAt(end - 1) === 13) end--;
        row++;
        let from = pos;
        let time = NaN;
        let timed = false;
        for (;;) {
          const n = scanAddresses(s, from, end, found);
          if (n === 0) break;
          const a = found[0]!;
          const b = found[1]!;
          if (!timed) {
            timed = true;
            time = times.fromLine(s, pos, end);
          }
          const text =
            (found[2]! & MATCH_DEFANGED) !== 0
              ? refang(s.slice(a, b))
              : s.slice(a, b);
          const note = readInlineAnnotation(s, b, end);
          if (note !== null) {
            const f = note.fields;
            if (note.kind === 'invalid' || note.kind === 'missing')
              f.error = note.kind;
            observer.enriched(text, f, row, time, '');
            from = note.end;
          } else {
            if (observer.registry !== null)
              observer.lookupAt(text, 0, text.length, row, time, '');
            else observer.enriched(text, {}, row, time, '');
            from = b;
          }
        }
        pos = nl < 0 ? s.length : nl + 1;
      }
      builder.addRows(row - firstRow);
    },
  };
}

/**
 * The processor for a file `rirmap enrich` wrote, from its first bytes.
 * @throws {RegistryError} `INPUT_MALFORMED` when the file does not look enriched.
 */
export function createEnrichedProcessor(
  sample: string,
  final: boolean,
  ctx: ProcessorContext,
): RowProcessor {
  const firstLine = (sample.match(/^\s*([^\n]*)/)?.[1] ?? '').trim();
  if (/^#(separator|fields)\b/.test(firstLine)) return createEnrichedZeek(ctx);
  if (firstLine.startsWith('{')) {
    const objects = sampleObjects(sample, final);
    const o = objects[0];
    if (
      o !== undefined &&
      typeof o['line'] === 'string' &&
      Array.isArray(o['ips'])
    )
      return createAnnotatedJsonl(ctx);
    if (objects.length > 0) return createEnrichedJsonl(objects, ctx);
  }
  const opts = ctx.options;
  const quote = opts.quote ?? '"';
  const delimiters =
    opts.delimiter !== undefined
      ? [opts.delimiter]
      : opts.format === 'tsv'
        ? ['\t']
        : [...CSV_DELIMITERS];
  if (opts.format !== 'log')
    for (const d of delimiters) {
      const p = createEnrichedCsv(sample, final, d, quote, ctx);
      if (p !== null) return p;
    }
  if (opts.format !== 'auto' && opts.format !== 'log')
    throw new RegistryError(
      'INPUT_MALFORMED',
      `no \`<column>_error\` columns found: not a ${opts.format} file \`rirmap enrich\` wrote`,
    );
  return createInlineLog(ctx);
}
