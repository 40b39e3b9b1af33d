// Small figures INSIGHTS' panels share: a muted one-line state, a label over a big number, per-day sparklines,
// an area chart, a duration. Only draw.
import type { Canvas, Rect, RGB } from "../canvas.ts";
import { compact } from "../format.ts";
import { fit, padRight } from "../text.ts";
import { theme } from "../theme.ts";

/** A model family's colour (read when drawn: the theme may change before the first frame). */
export function familyColor(f: "opus" | "sonnet" | "haiku" | "other"): RGB {
  return theme[f];
}
const SPARK = " ▁▂▃▄▅▆▇█";

/** A panel with nothing to show says why, muted, on its first row. */
export function empty(c: Canvas, r: Rect, what: string): void {
  c.text(r.x + 1, r.y, fit(what, r.w - 2), { fg: theme.dim });
}

/** A label over a big number; returns the columns used (the wider of the two) plus a gap. */
export function big(c: Canvas, x: number, y: number, label: string, value: string, color: RGB): number {
  const a = c.text(x, y, label, { fg: theme.dim });
  const b = c.text(x, y + 1, value, { fg: color, bold: true });
  return Math.max(a, b) + 2;
}

function sparkline(values: readonly number[], width: number): string {
  const max = Math.max(0, ...values);
  // Each day gets up to 4 columns, so a week reads as a shape rather than 7 characters lost in a wide panel.
  const each = Math.max(1, Math.min(4, Math.floor(width / Math.max(1, values.length))));
  return values.map((v) => (max > 0 && v > 0 ? SPARK[Math.max(1, Math.round((v / max) * 8))] : SPARK[0])!.repeat(each)).join("");
}

/** "label ▁▂█  peak 54": a per-day sparkline, sized to the line, with its scale. */
export function sparkRow(c: Canvas, x: number, y: number, w: number, label: string, values: readonly number[], fmt: (v: number) => string, fg: RGB): void {
  const peak = `  peak ${fmt(Math.max(0, ...values))}`;
  const head = padRight(label, 13);
  const line = sparkline(values, w - head.length - 13); // the same room on every row, so the days line up
  const used = c.text(x, y, `${head}${line}`, { fg }, w);
  if (used + peak.length <= w) c.text(x + used, y, peak, { fg: theme.dim });
}

export const ms = (v: number) => (v >= 60_000 ? `${(v / 60_000).toFixed(1)}m` : v >= 1000 ? `${(v / 1000).toFixed(1)}s` : `${Math.round(v)}ms`);

/** Values resampled to the width as a filled area of eighth blocks, labelled with its peak. */
export function area(c: Canvas, r: Rect, values: readonly number[], color: RGB, label: string): void {
  const max = Math.max(0, ...values);
  const n = values.length;
  for (let x = 0; x < r.w; x++) {
    const i = Math.min(n - 1, Math.floor((x * n) / r.w));
    const h = max > 0 ? (values[i]! / max) * r.h * 8 : 0;
    for (let row = 0; row < r.h; row++) {
      const e = Math.max(0, Math.min(8, Math.round(h - row * 8)));
      if (e > 0) c.cell(r.x + x, r.y + r.h - 1 - row, SPARK[e]!, { fg: color });
    }
  }
  c.text(r.x, r.y, `${label} ${compact(max)}`, { fg: color, bold: true });
}
