/**
 * The enrichment core for rows that are already parsed: objects (csv-parse
 * with `columns: true`, JSON lines) or arrays. Each row comes out once, in
 * order, as a new row with the added fields: `<column>_<field>` keys on an
 * object (registry fields, then rdap.* fields, then `<column>_error`), or the
 * same values appended to an array. Values are strings, '' when empty.
 *
 * Rows whose lookups need RDAP are awaited in an order-preserving window of
 * `windowSize` rows: a slow answer holds the window, never the order.
 */

import { NOT_FOUND, type Registry } from '../types.js';
import { AddressEnricher, MISSING } from './address-enricher.js';
import { isAddressText } from './extract-addresses.js';
import { rdapFieldText, type EnrichField } from './enrich-fields.js';
import { createFieldReader } from './record-fields.js';
import {
  resolveEnrichOptions,
  type EnrichOptions,
  type ResolvedEnrichOptions,
} from './enrich-options.js';
import {
  C_ROWS,
  buildSummary,
  createCounters,
  type EnrichSummary,
} from './enrich-summary.js';
import { INVALID, SPECIAL } from '../types.js';
import { RegistryError } from '../errors.js';
import type { EnrichIssue } from '../formats/format-plan.js';

/** A row for enrichRows: an object (keys) or an array (positions). */
export type EnrichRow = Readonly<Record<string, unknown>> | readonly unknown[];

/** An enriched row: the input's keys or values, then the added ones. */
export type EnrichedRow<T extends EnrichRow> = T extends readonly unknown[]
  ? unknown[]
  : Record<string, unknown>;

/** Options of enrichRows (the text-format options do not apply). */
export type EnrichRowsOptions = Pick<
  EnrichOptions,
  | 'registry'
  | 'columns'
  | 'fields'
  | 'strict'
  | 'rdap'
  | 'windowSize'
  | 'signal'
  | 'onIssue'
>;

/** The output of enrichRows, with the summary once iteration is done. */
export interface EnrichRowsRun<T extends EnrichRow> extends AsyncIterable<
  EnrichedRow<T>
> {
  readonly summary: EnrichSummary | undefined;
}

const DETECT_ROWS = 100;

function valueAt(row: EnrichRow, column: string | number): unknown {
  if (Array.isArray(row))
    return typeof column === 'number' ? row[column] : undefined;
  const obj = row as Readonly<Record<string, unknown>>;
  if (typeof column === 'number') return undefined;
  const direct = obj[column];
  if (direct !== undefined || !column.includes('.')) return direct;
  let v: unknown = obj;
  for (const part of column.split('.')) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

function detectColumns(rows: readonly EnrichRow[]): (string | number)[] {
  const stats = new Map<
    string | number,
    { filled: number; addresses: number; order: number }
  >();
  for (const row of rows) {
    const entries: [string | number, unknown][] = Array.isArray(row)
      ? row.map((v, i) => [i, v])
      : Object.entries(row);
    for (const [k, v] of entries) {
      if (typeof v !== 'string' || v.trim() === '') continue;
      let e = stats.get(k);
      if (e === undefined) {
        e = { filled: 0, addresses: 0, order: stats.size };
        stats.set(k, e);
      }
      e.filled++;
      if (isAddressText(v)) e.addresses++;
    }
  }
  return [...stats]
    .filter(([, e]) => e.addresses > 0 && e.addresses * 2 >= e.filled)
    .sort((a, b) => a[1].order - b[1].order)
    .map(([k]) => k);
}

/**
 * Enriches parsed rows.
 * @param rows objects or arrays, sync or async iterable.
 * @param options `registry` is required; `columns` are keys or dotted paths
 * (objects) or 0-based indexes (arrays), detected from the first 100 rows
 * when absent.
 * @returns an async iterable of new rows, with `summary` set once done.
 * @throws {TypeError | RangeError} at once for bad options. Iteration rejects
 * with `INPUT_MALFORMED` when no address column can be found, `ENRICH_ROW`
 * under `strict`, or the signal's reason when aborted.
 */
export function enrichRows<T extends EnrichRow>(
  rows: AsyncIterable<T> | Iterable<T>,
  options: EnrichRowsOptions,
): EnrichRowsRun<T> {
  const o = resolveEnrichOptions(options);
  let summary: EnrichSummary | undefined;
  let started = false;
  return {
    get summary() {
      return summary;
    },
    [Symbol.asyncIterator]() {
      if (started)
        throw new TypeError('an enrichment run can be iterated once');
      started = true;
      return runRows(rows, o, (s) => {
        summary = s;
      })[Symbol.asyncIterator]() as AsyncIterator<EnrichedRow<T>>;
    },
  };
}

type Slot =
  { done: true; row: EnrichRow } | { done: false; promise: Promise<EnrichRow> };

async function* runRows(
  rows: AsyncIterable<EnrichRow> | Iterable<EnrichRow>,
  o: ResolvedEnrichOptions,
  setSummary: (s: EnrichSummary) => void,
): AsyncGenerator<EnrichRow> {
  const t0 = performance.now();
  const signal = o.signal;
  signal?.throwIfAborted();
  const registry: Registry = o.registry;
  const counters = createCounters();
  const enricher = new AddressEnricher(
    registry,
    o.fields,
    o.rdapNeed,
    counters,
  );
  const regFields = enricher.registryFields;
  const rdapFields = enricher.rdapFields;
  const rdapStatus = o.rdap !== null ? new Map<string, number>() : undefined;
  const emptyRdap = rdapFields.map(() => '');
  const read = createFieldReader(registry);
  let active = 0;
  const waiting: (() => void)[] = [];
  const limited = async <R>(fn: () => Promise<R>): Promise<R> => {
    if (active >= o.windowSize) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };

  const it = (rows as AsyncIterable<EnrichRow>)[Symbol.asyncIterator]
    ? (rows as AsyncIterable<EnrichRow>)[Symbol.asyncIterator]()
    : (async function* () {
        yield* rows as Iterable<EnrichRow>;
      })();
  const head: EnrichRow[] = [];
  let columns = o.plan.columns as readonly (string | number)[] | undefined;
  let exhausted = false;
  if (columns === undefined) {
    while (head.length < DETECT_ROWS) {
      const r = await it.next();
      if (r.done === true) {
        exhausted = true;
        break;
      }
      head.push(r.value);
    }
    columns = detectColumns(head);
    if (columns.length === 0 && head.length > 0)
      throw new RegistryError(
        'INPUT_MALFORMED',
        'no address column found in the first rows; name it with `columns`',
      );
  }
  const cols = columns;
  const labels = cols.map(String);
  const names = labels.map((c) => [
    ...regFields.map((f) => `${c}_${f}`),
    ...rdapFields.map((f) => `${c}_rdap.${f}`),
    `${c}_error`,
  ]);
  let rowNumber = 0;

  const enrichOne = (row: EnrichRow): Slot => {
    rowNumber++;
    const values: string[][] = [];
    const pending: Promise<void>[] = [];
    let issue: EnrichIssue | null = null;
    cols.forEach((c, k) => {
      const v = valueAt(row, c);
      let code: number;
      if (v === undefined || v === null || v === '') {
        enricher.countMissing();
        code = MISSING;
      } else if (typeof v === 'string') code = enricher.lookup(v, 0, v.length);
      else {
        enricher.countInvalid();
        code = INVALID;
      }
      const reg =
        code >= 0
          ? regFields.map((f) => read(code, f))
          : regFields.map((f) =>
              f === 'special' && code === SPECIAL
                ? (registry.special(String(v).trim()) ?? '')
                : '',
            );
      const error =
        code === MISSING ? 'missing' : code === INVALID ? 'invalid' : '';
      const cells = [...reg, ...emptyRdap, error];
      values.push(cells);
      if (error !== '') {
        const found: EnrichIssue = {
          row: rowNumber,
          line: rowNumber,
          column: labels[k]!,
          reason: error,
          value:
            typeof v === 'string'
              ? v.slice(0, 200)
              : v === undefined
                ? ''
                : String(v),
        };
        o.onIssue?.(found);
        issue ??= found;
      }
      if (enricher.needsRdap(code)) {
        const ip = String(v).trim();
        const record =
          code === NOT_FOUND || code < 0 ? null : registry.record(code);
        pending.push(
          limited(() => o.rdap!.resolver.resolve(ip, record, signal)).then(
            (info) => {
              const status = info.status.startsWith('error')
                ? 'error'
                : info.status;
              rdapStatus!.set(status, (rdapStatus!.get(status) ?? 0) + 1);
              rdapFields.forEach((f, i) => {
                cells[reg.length + i] = rdapFieldText(info, f);
              });
            },
          ),
        );
      }
    });
    if (o.plan.strict && issue !== null) {
      const i: EnrichIssue = issue;
      throw new RegistryError(
        'ENRICH_ROW',
        `${i.reason === 'missing' ? 'missing' : `invalid address ${JSON.stringify(i.value)}`} in column ${JSON.stringify(i.column)} at row ${i.row}; strict mode stops here`,
      );
    }
    counters[C_ROWS]!++;
    const build = (): EnrichRow => {
      if (Array.isArray(row)) return [...row, ...values.flat()];
      const out: Record<string, unknown> = {
        ...(row as Record<string, unknown>),
      };
      names.forEach((ns, k) => ns.forEach((n, i) => (out[n] = values[k]![i])));
      return out;
    };
    if (pending.length === 0) return { done: true, row: build() };
    return { done: false, promise: Promise.all(pending).then(build) };
  };

  const queue: Slot[] = [];
  const drainReady = function* (): Generator<EnrichRow> {
    while (queue.length > 0 && queue[0]!.done)
      yield (queue.shift() as { row: EnrichRow }).row;
  };
  const source = async function* (): AsyncGenerator<EnrichRow> {
    yield* head;
    if (exhausted) return;
    for (;;) {
      const r = await it.next();
      if (r.done === true) return;
      yield r.value;
    }
  };
  try {
    for await (const row of source()) {
      signal?.throwIfAborted();
      const slot = enrichOne(row);
      if (!slot.done) slot.promise.catch(() => undefined);
      queue.push(slot);
      yield* drainReady();
      while (queue.length >= o.windowSize) {
        const first = queue.shift()!;
        yield first.done ? first.row : await first.promise;
        yield* drainReady();
      }
    }
    while (queue.length > 0) {
      signal?.throwIfAborted();
      const first = queue.shift()!;
      yield first.done ? first.row : await first.promise;
    }
  } finally {
    await it.return?.(undefined);
  }
  setSummary(
    buildSummary({
      registry,
      format: 'rows',
      columns: labels,
      fields: o.fields as readonly EnrichField[],
      counters,
      idCounts: [enricher.idCounts],
      rdapStatus,
      threads: 1,
      bytesIn: 0,
      bytesOut: 0,
      elapsedMs: performance.now() - t0,
    }),
  );
}
