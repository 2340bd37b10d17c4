// Server-rendered SVG charts for the dashboard: no script, no external files, readable by screen
// readers through a title, a description and a <title> on each bar. Colours come from the stylesheet.
import { escapeHtml } from "./html.js";

export interface ChartPoint {
  label: string;
  value: number;
  /** Shown on hover and to assistive technology; defaults to "label: value". */
  caption?: string;
}

export interface ChartOptions {
  title: string;
  width?: number;
  height?: number;
  /** Formats axis and caption values. */
  format?: (value: number) => string;
  /** Show every n-th category label on the axis (dense day charts). */
  labelEvery?: number;
  /** Values are counts: gridlines fall on whole numbers. */
  integer?: boolean;
}

const fmtDefault = (v: number) => String(v);

/** A round axis maximum at or above `max`: 1, 2 or 5 times a power of ten. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

function svgOpen(width: number, height: number, title: string, id: string, desc: string): string {
  return (
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${id}-t ${id}-d">` +
    `<title id="${id}-t">${escapeHtml(title)}</title><desc id="${id}-d">${escapeHtml(desc)}</desc>`
  );
}

function chartId(title: string): string {
  return "c-" + title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

function describe(points: readonly ChartPoint[], format: (v: number) => string): string {
  if (points.length === 0) return "No data.";
  return points.map((p) => `${p.label}: ${format(p.value)}`).join("; ");
}

/** Vertical bars, one per category, with a zero-based y axis and gridlines. */
export function columnChart(points: readonly ChartPoint[], options: ChartOptions): string {
  const width = options.width ?? 640;
  const height = options.height ?? 240;
  const format = options.format ?? fmtDefault;
  const left = 56;
  const right = 8;
  const top = 12;
  const bottom = 40;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const top4 = niceMax(Math.max(0, ...points.map((p) => p.value)));
  const max = options.integer ? Math.max(4, Math.ceil(top4 / 4) * 4) : top4;
  const id = chartId(options.title);
  let svg = svgOpen(width, height, options.title, id, describe(points, format));
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    const y = top + plotH - (plotH * i) / 4;
    svg += `<line class="grid" x1="${left}" x2="${width - right}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}"/>`;
    svg += `<text class="axis" x="${left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end">${escapeHtml(format(v))}</text>`;
  }
  const slot = points.length > 0 ? plotW / points.length : plotW;
  const barW = Math.max(1, slot * 0.72);
  const every = options.labelEvery ?? 1;
  points.forEach((p, i) => {
    const h = max > 0 ? (plotH * Math.max(0, p.value)) / max : 0;
    const x = left + i * slot + (slot - barW) / 2;
    const y = top + plotH - h;
    const caption = p.caption ?? `${p.label}: ${format(p.value)}`;
    svg += `<rect class="bar" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}"><title>${escapeHtml(caption)}</title></rect>`;
    if (i % every === 0 || i === points.length - 1) {
      svg += `<text class="axis" x="${(x + barW / 2).toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle">${escapeHtml(p.label)}</text>`;
    }
  });
  svg += `<line class="baseline" x1="${left}" x2="${width - right}" y1="${top + plotH}" y2="${top + plotH}"/>`;
  return svg + "</svg>";
}

/** Horizontal bars with the label on the left and the value at the bar's end: rankings such as top users. */
export function barChart(points: readonly ChartPoint[], options: ChartOptions): string {
  const width = options.width ?? 640;
  const rowH = 24;
  const format = options.format ?? fmtDefault;
  const labelW = 160;
  const valueW = 80;
  const height = Math.max(1, points.length) * rowH + 8;
  const plotW = width - labelW - valueW;
  const max = Math.max(0, ...points.map((p) => p.value));
  const id = chartId(options.title);
  let svg = svgOpen(width, height, options.title, id, describe(points, format));
  if (points.length === 0) {
    svg += `<text class="axis" x="8" y="20">No data yet.</text>`;
  }
  points.forEach((p, i) => {
    const y = 4 + i * rowH;
    const w = max > 0 ? (plotW * Math.max(0, p.value)) / max : 0;
    const label = p.label.length > 22 ? `${p.label.slice(0, 21)}…` : p.label;
    const caption = p.caption ?? `${p.label}: ${format(p.value)}`;
    svg += `<text class="label" x="${labelW - 8}" y="${y + 16}" text-anchor="end">${escapeHtml(label)}</text>`;
    svg += `<rect class="bar" x="${labelW}" y="${y + 3}" width="${Math.max(1, w).toFixed(1)}" height="${rowH - 6}"><title>${escapeHtml(caption)}</title></rect>`;
    svg += `<text class="axis" x="${(labelW + w + 6).toFixed(1)}" y="${y + 16}">${escapeHtml(format(p.value))}</text>`;
  });
  return svg + "</svg>";
}
