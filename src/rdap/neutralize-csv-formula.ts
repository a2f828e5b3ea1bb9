/**
 * CSV formula injection ("CSV injection"): a spreadsheet opening a CSV file
 * runs a cell that starts with `=`, `+`, `-` or `@` as a formula, and some
 * also treat a leading tab or carriage return that way. Text that came from
 * an RDAP server (or any untrusted input) is neutralised by prefixing such a
 * value with a single quote, which spreadsheets show as text. (OWASP, "CSV
 * Injection".) `--raw-csv` turns this off.
 */

const TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r']);

/**
 * Prefixes `'` to a value that starts with `=`, `+`, `-`, `@`, tab or CR.
 * Other values are returned unchanged (the empty string too).
 * @param value a cell value.
 * @returns the neutralised value.
 */
export function neutralizeCsvFormula(value: string): string {
  return value.length > 0 && TRIGGERS.has(value[0]!) ? `'${value}` : value;
}
