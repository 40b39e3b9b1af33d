// A stacked bar chart over time: a y-axis token scale, hourly x-axis labels, a legend, sub-cell bar tops
// (eighth blocks) and a soft highlight sweeping across the bars (a pure function of the frame time).
import { rect, type Canvas, type Rect, type RGB } from "../canvas.ts";
import { compact } from "../format.ts";
import type { HitMap } from "../hits.ts";
import { fit, padLeft, textWidth } from "../text.ts";
import { shade, theme } from "../theme.ts";
import { drawBox } from "./box.ts";
import { WEEKDAY_NAMES } from "../../model/history-view.ts";

export interface Series {
  label: string;
  color: RGB;
  /** one value per bucket. */
  values: readonly number[];
}

export interface ChartProps {
  title: string;
  series: readonly Series[];
  /** bucket start times (epoch ms), oldest first. */
  starts: readonly number[];
  /** frame time (ms) for the shimmer. */
  time: number;
  /** draw the bars flat (no shimmer), e.g. for NO_COLOR. */
  still?: boolean;
  /** colour is off: each stacked series fills its cells with its own pattern (the legend shows it) */
  mono?: boolean;
  /** x-axis labels by bucket index; default: local hours. */
  ticks?: readonly { index: number; label: string }[];
}

const EIGHTHS = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];
/** Columns of the y-axis: a label of up to 5 characters, a space, the axis line. */
export const AXIS_W = 7;

/** A round number ≥ v with at most two significant digits (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k). */
function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

export function drawChart(c: Canvas, r: Rect, p: ChartProps, hits: HitMap): void {
  const boxed = r.h >= 7 && r.w >= 30;
  const inner = boxed ? drawBox(c, r, { title: p.title }) : r;
  let y0 = inner.y;
  if (!boxed) {
    c.text(inner.x, y0, fit(p.title, inner.w), { fg: theme.accent, bold: true });
  }
  drawLegend(
    c,
    boxed ? rect(r.x, r.y, r.w - 2, 1) : rect(inner.x, y0, inner.w, 1),
    p.series,
    boxed ? textWidth(p.title) + 5 : textWidth(p.title) + 1,
    p.mono ?? false,
  );
  if (!boxed) y0 += 1;
  const plotH = inner.y + inner.h - 1 - y0; // last row: the time axis
  const plotX = inner.x + AXIS_W;
  const plotW = inner.w - AXIS_W;
  if (plotH < 1 || plotW < 4) return;
  const n = p.starts.length;
  const shown = Math.min(n, plotW);
  const first = n - shown;
  // The bars share the whole plot (some a column wider than others when the width is not a multiple of their
  // number), so no band of empty columns reads as "no usage".
  const colOf = (k: number) => Math.floor((k * plotW) / Math.max(1, shown));
  const totals: number[] = [];
  for (let i = first; i < n; i++) totals.push(p.series.reduce((a, s) => a + (s.values[i] ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  // y axis
  for (let y = y0; y < y0 + plotH; y++) c.cell(plotX - 1, y, "│", { fg: theme.rule });
  c.text(inner.x, y0, padLeft(compact(max), AXIS_W - 2), { fg: theme.dim });
  // (half of 15 is 7.5, not 8, and of an empty chart's 1 is 0.5: below a thousand a half keeps its decimal)
  const half = max / 2;
  const halfLabel = half < 1000 && !Number.isInteger(half) ? half.toFixed(1) : compact(half);
  if (plotH >= 4) c.text(inner.x, y0 + Math.floor(plotH / 2), padLeft(halfLabel, AXIS_W - 2), { fg: theme.dim });
  if (plotH >= 2) c.text(inner.x, y0 + plotH - 1, padLeft("0", AXIS_W - 2), { fg: theme.dim });
  // bars
  const sweep = p.still ? -1e9 : (((p.time % 2000) + 2000) % 2000) / 2000;
  const pos = sweep * (plotW + 16) - 8 + plotX;
  for (let k = 0; k < shown; k++) {
    const i = first + k;
    const x = plotX + colOf(k);
    const barW = colOf(k + 1) - colOf(k);
    hits.add(rect(x, y0, barW, plotH), { type: "openBucket", start: p.starts[i]! });
    const eighthsTotal = Math.round((totals[k]! / max) * plotH * 8);
    if (eighthsTotal <= 0) continue;
    // cumulative boundaries of the stacked series, in eighths of a cell
    const bounds: number[] = [];
    let acc = 0;
    for (const s of p.series) {
      acc += s.values[i] ?? 0;
      bounds.push(Math.round((acc / max) * plotH * 8));
    }
    const glow = p.still ? 1 : 1 + 0.07 * Math.exp(-(((x - pos) / 5) ** 2));
    for (let row = 0; row < plotH; row++) {
      const lo = row * 8;
      if (eighthsTotal <= lo) break;
      const y = y0 + plotH - 1 - row;
      const filled = Math.min(8, eighthsTotal - lo);
      // the series holding the middle of this cell's filled part
      const mid = lo + Math.max(1, Math.floor(filled / 2));
      let si = bounds.findIndex((b) => b >= mid);
      if (si < 0) si = p.series.length - 1;
      const color = shade(p.series[si]!.color, glow);
      const ch = p.mono && filled === 8 ? PATTERNS[si % PATTERNS.length]! : EIGHTHS[filled]!;
      for (let dx = 0; dx < barW; dx++) c.cell(x + dx, y, ch, { fg: color });
    }
  }
  if (totals.every((t) => t === 0)) {
    const msg = "no responses in this window";
    c.text(plotX + Math.max(0, Math.floor((plotW - msg.length) / 2)), y0 + Math.floor(plotH / 2), fit(msg, plotW), { fg: theme.dim });
  }
  if (p.ticks)
    drawTicks(
      c,
      rect(plotX, y0 + plotH, plotW, 1),
      p.ticks.filter((t) => t.index >= first).map((t) => ({ x: colOf(t.index - first), label: t.label })),
    );
  else drawTimeAxis(c, rect(plotX, y0 + plotH, plotW, 1), p.starts.slice(first), colOf, plotW / Math.max(1, shown));
}

/** What tells stacked series apart when colour is off: the first solid, the next ones lighter shades. */
export const PATTERNS = ["█", "▓", "▒", "░"];

function drawLegend(c: Canvas, r: Rect, series: readonly Series[], offset: number, mono: boolean): void {
  const parts = series.map((s) => ({ s, w: textWidth(s.label) + 3 }));
  const total = parts.reduce((a, x) => a + x.w, 0) + 1;
  let x = r.x + r.w - total;
  if (x < r.x + offset) return;
  for (const [k, { s, w }] of parts.entries()) {
    c.text(x, r.y, ` ${mono && series.length > 1 ? PATTERNS[k % PATTERNS.length] : "■"} `, { fg: s.color });
    c.text(x + 3, r.y, s.label, { fg: theme.dim });
    x += w;
  }
  c.cell(x, r.y, " ", {});
}

/** Labels at columns (relative to r.x), skipping any that would overlap the previous one. */
function drawTicks(c: Canvas, r: Rect, ticks: readonly { x: number; label: string }[]): void {
  let lastEnd = -1;
  for (const t of ticks) {
    const x = r.x + t.x;
    if (x <= lastEnd || x + t.label.length + 1 > r.x + r.w) continue;
    c.cell(x, r.y, "╵", { fg: theme.rule });
    c.text(x + 1, r.y, t.label, { fg: theme.dim });
    lastEnd = x + t.label.length + 1;
  }
}

/** The first local full hour at or after t. */
function nextHour(t: number): number {
  const d = new Date(t);
  if (d.getMinutes() === 0 && d.getSeconds() === 0 && d.getMilliseconds() === 0) return t;
  return new Date(d.getFullYear(), d.getMonth(), d.getDate(), d.getHours() + 1).getTime();
}

/** "Fri 20": the local weekday and day of the month. */
function dayLabel(t: number): string {
  const d = new Date(t);
  return `${WEEKDAY_NAMES[(d.getDay() + 6) % 7]} ${d.getDate()}`;
}

/**
 * Hour labels under the bars (local time), spaced so they never overlap: every 1, 2, 3, 4, 6, 12 or 24 hours;
 * at 24 (long windows, wide buckets) each label names its day.
 */
function drawTimeAxis(c: Canvas, r: Rect, starts: readonly number[], colOf: (k: number) => number, barW: number): void {
  if (starts.length < 2) return;
  const bucketMs = starts[1]! - starts[0]!;
  const colsPerHour = (3_600_000 / bucketMs) * barW;
  const every = [1, 2, 3, 4, 6, 12, 24].find((h) => h * colsPerHour >= 7) ?? 24;
  let lastEnd = -1;
  starts.forEach((t, k) => {
    const hour = nextHour(t);
    if (hour >= t + bucketMs) return;
    const h = new Date(hour).getHours();
    if (h % every !== 0) return;
    const x = r.x + colOf(k);
    // Midnight names the day it starts (so a window across it says which day is today), and labels a day or more
    // apart would all read "00:00" anyway.
    const label = every === 24 || h === 0 ? dayLabel(hour) : `${String(h).padStart(2, "0")}:00`;
    if (x <= lastEnd || x + label.length > r.x + r.w) return;
    c.cell(x, r.y, "╵", { fg: theme.rule });
    c.text(x + 1, r.y, label, { fg: theme.dim });
    lastEnd = x + label.length + 1;
  });
}
