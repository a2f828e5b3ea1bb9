/**
 * Inline SVG bar charts for the HTML report: no script, no fonts, no network.
 * Every bar is one `<rect class="bar">` with a `<title>` (the tooltip, and what
 * a screen reader reads); labels and values are SVG text.
 */

import { groupDigits } from './report-labels.js';

/** One bar. */
export interface ChartBar {
  readonly label: string;
  readonly value: number;
  /** Tooltip text. */
  readonly title: string;
  /** Fill colour (CSS). Default: the chart's accent. */
  readonly color?: string;
  /** Text after the value (e.g. `≥` marks). */
  readonly valueText?: string;
}

/** Escapes text for HTML and SVG content and attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) =>
    c === '&'
      ? '&amp;'
      : c === '<'
        ? '&lt;'
        : c === '>'
          ? '&gt;'
          : c === '"'
            ? '&quot;'
            : '&#39;',
  );
}

const WIDTH = 640;
const ACCENT = '#2f6db5';

function fixed(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/**
 * A horizontal bar chart: one row per bar, label on the left, value on the right.
 * @returns an `<svg>` element (empty chart text when there are no bars).
 */
export function horizontalBarChart(
  id: string,
  caption: string,
  bars: readonly ChartBar[],
): string {
  const row = 22;
  const labelWidth = 170;
  const valueWidth = 70;
  const top = 6;
  const height = top * 2 + Math.max(1, bars.length) * row;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const area = WIDTH - labelWidth - valueWidth;
  const parts: string[] = [];
  bars.forEach((b, i) => {
    const y = top + i * row;
    const w = b.value <= 0 ? 0 : Math.max(1, (b.value / max) * area);
    const label = b.label.length > 26 ? `${b.label.slice(0, 25)}…` : b.label;
    parts.push(
      `<text class="label" x="${labelWidth - 8}" y="${fixed(y + row / 2 + 4)}" text-anchor="end">${escapeHtml(label)}</text>`,
      `<rect class="bar" x="${labelWidth}" y="${fixed(y + 3)}" width="${fixed(w)}" height="${row - 6}" fill="${b.color ?? ACCENT}" data-value="${b.value}"><title>${escapeHtml(b.title)}</title></rect>`,
      `<text class="value" x="${fixed(labelWidth + w + 6)}" y="${fixed(y + row / 2 + 4)}">${escapeHtml(b.valueText ?? groupDigits(b.value))}</text>`,
    );
  });
  if (bars.length === 0)
    parts.push(
      `<text class="label" x="${WIDTH / 2}" y="${top + row / 2 + 4}" text-anchor="middle">No data</text>`,
    );
  return (
    `<svg id="${escapeHtml(id)}" class="chart-svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" ` +
    `role="img" aria-label="${escapeHtml(caption)}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`
  );
}

/**
 * A column chart (a histogram): one column per bin, in order, labels below.
 * Labels are thinned out when there are many columns.
 */
export function columnChart(
  id: string,
  caption: string,
  bars: readonly ChartBar[],
): string {
  const height = 220;
  const bottom = 26;
  const left = 44;
  const top = 16;
  const n = Math.max(1, bars.length);
  const slot = (WIDTH - left - 8) / n;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const plot = height - bottom - top;
  const every = Math.max(1, Math.ceil(n / 16));
  const parts: string[] = [
    `<line class="axis" x1="${left}" y1="${height - bottom}" x2="${WIDTH - 4}" y2="${height - bottom}"/>`,
    `<text class="value" x="${left - 6}" y="${top + 4}" text-anchor="end">${escapeHtml(groupDigits(max))}</text>`,
    `<text class="value" x="${left - 6}" y="${height - bottom}" text-anchor="end">0</text>`,
  ];
  bars.forEach((b, i) => {
    const h = b.value <= 0 ? 0 : Math.max(1, (b.value / max) * plot);
    const x = left + i * slot + slot * 0.12;
    parts.push(
      `<rect class="bar" x="${fixed(x)}" y="${fixed(height - bottom - h)}" width="${fixed(slot * 0.76)}" height="${fixed(h)}" fill="${b.color ?? ACCENT}" data-value="${b.value}"><title>${escapeHtml(b.title)}</title></rect>`,
    );
    if (i % every === 0)
      parts.push(
        `<text class="label" x="${fixed(left + i * slot + slot / 2)}" y="${height - bottom + 16}" text-anchor="middle">${escapeHtml(b.label)}</text>`,
      );
  });
  if (bars.length === 0)
    parts.push(
      `<text class="label" x="${WIDTH / 2}" y="${height / 2}" text-anchor="middle">No data</text>`,
    );
  return (
    `<svg id="${escapeHtml(id)}" class="chart-svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" ` +
    `role="img" aria-label="${escapeHtml(caption)}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`
  );
}
