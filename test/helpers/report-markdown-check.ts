/**
 * A small checker for GitHub-flavoured Markdown tables, written for the report
 * tests: finds every table (a `|` row followed by a delimiter row) and checks
 * the GFM rules that break rendering when violated: the delimiter row has one
 * `---` cell per header cell, every body row has as many cells as the header
 * (cells split at pipes not escaped by a backslash), and a blank line or the
 * start of the text comes before the table.
 */

/** Cells of a table row: split at unescaped pipes, outer pipes dropped. */
export function tableCells(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let backslashes = 0;
  const body = line.trim();
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '|' && backslashes % 2 === 0) {
      cells.push(cell);
      cell = '';
    } else cell += c;
    backslashes = c === '\\' ? backslashes + 1 : 0;
  }
  cells.push(cell);
  if (body.startsWith('|')) cells.shift();
  if (body.endsWith('|') && !body.endsWith('\\|')) cells.pop();
  return cells.map((c) => c.trim());
}

/** A table found in the text. */
export interface MarkdownTable {
  readonly line: number;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** Every table of a Markdown text, and the rule violations found. */
export function checkMarkdownTables(md: string): {
  tables: MarkdownTable[];
  problems: string[];
} {
  const lines = md.split('\n');
  const tables: MarkdownTable[] = [];
  const problems: string[] = [];
  const delimiter = /^\s*:?-{3,}:?\s*$/;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.startsWith('|')) continue;
    const next = lines[i + 1] ?? '';
    const header = tableCells(line);
    const delims = tableCells(next);
    if (!next.startsWith('|') || !delims.every((d) => delimiter.test(d))) {
      problems.push(
        `line ${i + 1}: a "|" row that is not followed by a delimiter row`,
      );
      continue;
    }
    if (i > 0 && lines[i - 1]!.trim() !== '')
      problems.push(`line ${i + 1}: no blank line before the table`);
    if (delims.length !== header.length)
      problems.push(
        `line ${i + 2}: delimiter row has ${delims.length} cells, header ${header.length}`,
      );
    const rows: string[][] = [];
    let j = i + 2;
    for (; j < lines.length && lines[j]!.startsWith('|'); j++) {
      const cells = tableCells(lines[j]!);
      if (cells.length !== header.length)
        problems.push(
          `line ${j + 1}: ${cells.length} cells, header has ${header.length}: ${lines[j]}`,
        );
      rows.push(cells);
    }
    if (j < lines.length && lines[j]!.trim() !== '')
      problems.push(`line ${j + 1}: no blank line after the table`);
    tables.push({ line: i + 1, header, rows });
    i = j - 1;
  }
  return { tables, problems };
}
