/**
 * The report as JSON: the {@link Report} object as built, keys in the
 * builder's fixed order, nothing from the clock, so identical inputs give
 * identical bytes. Layout: nested structure indented by two spaces, and each
 * record on one line: a delegated block (with its addresses), a country or
 * holder summary row, a data file. One line per block keeps large reports
 * small, quick to write and easy to grep or diff.
 */

import type { Report } from './report-types.js';

/** Depth (in objects and arrays from the top) at which objects are written on one line. */
const BLOCK_DEPTH = 8;

function isFlat(value: object): boolean {
  for (const v of Object.values(value)) {
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object'))
      continue;
    return false;
  }
  return true;
}

function write(
  value: unknown,
  depth: number,
  indent: string,
  out: string[],
): void {
  if (value === null || typeof value !== 'object') {
    out.push(JSON.stringify(value) ?? 'null');
    return;
  }
  const array = Array.isArray(value);
  if (
    (!array && (depth >= BLOCK_DEPTH || isFlat(value))) ||
    (array && value.length === 0)
  ) {
    out.push(JSON.stringify(value));
    return;
  }
  if (array && value.every((x) => x === null || typeof x !== 'object')) {
    out.push(JSON.stringify(value));
    return;
  }
  const inner = `${indent}  `;
  if (array) {
    out.push('[');
    value.forEach((v, i) => {
      out.push(`${i === 0 ? '' : ','}\n${inner}`);
      write(v, depth + 1, inner, out);
    });
    out.push(`\n${indent}]`);
    return;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) {
    out.push('{}');
    return;
  }
  out.push('{');
  entries.forEach(([k, v], i) => {
    out.push(`${i === 0 ? '' : ','}\n${inner}${JSON.stringify(k)}: `);
    write(v, depth + 1, inner, out);
  });
  out.push(`\n${indent}}`);
}

/**
 * Renders a report as JSON text (parse it back with JSON.parse).
 * @param report a report from buildReport or ReportBuilder.finish.
 * @returns the JSON text, ending with a newline.
 */
export function formatReportJson(report: Report): string {
  const out: string[] = [];
  write(report, 0, '', out);
  out.push('\n');
  return out.join('');
}
