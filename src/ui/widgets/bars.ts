// Proportions drawn so they read at 80 columns: ranked horizontal bars with values and percentages, and one
// labelled 100 % bar.
import type { Canvas, Rect, RGB } from "../canvas.ts";
import { count } from "../format.ts";
import { fit, padLeft, padRight, textWidth } from "../text.ts";
import { theme } from "../theme.ts";

export interface BarRow {
  label: string;
  value: number;
  /** the text shown after the bar (default: the value, a count with thousands separators). */
  text?: string;
  color?: RGB;
}

/** One row per item, largest first as given: label, a bar scaled to the largest value, the text and a share. */
export function drawRankedBars(c: Canvas, r: Rect, rows: readonly BarRow[], total?: number): void {
  const max = Math.max(0, ...rows.map((x) => x.value));
  const sum = total ?? rows.reduce((a, x) => a + x.value, 0);
  const labelW = Math.min(Math.max(6, ...rows.map((x) => textWidth(x.label))), Math.floor(r.w * 0.35));
  const textW = Math.min(Math.max(4, ...rows.map((x) => textWidth(x.text ?? count(x.value)))), 12);
  const barW = Math.max(3, r.w - labelW - textW - 9);
  rows.slice(0, r.h).forEach((row, i) => {
    const y = r.y + i;
    c.text(r.x, y, padRight(fit(row.label, labelW), labelW), { fg: theme.text });
    const n = max > 0 ? (row.value / max) * barW : 0;
    const full = Math.floor(n);
    for (let k = 0; k < full; k++) c.cell(r.x + labelW + 1 + k, y, "█", { fg: row.color ?? theme.accent });
    const part = Math.round((n - full) * 8);
    if (part > 0 && full < barW) c.cell(r.x + labelW + 1 + full, y, ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"][part]!, { fg: row.color ?? theme.accent });
    c.text(r.x + labelW + 2 + barW, y, padLeft(row.text ?? count(row.value), textW), { fg: theme.text, bold: true });
    const pct = sum > 0 ? `${Math.round((100 * row.value) / sum)}%` : "";
    c.text(r.x + labelW + 3 + barW + textW, y, padLeft(pct, 4), { fg: theme.dim });
  });
}

/** A single bar split into labelled parts that add up to 100 %, with a legend line under it. */
export function drawShareBar(c: Canvas, r: Rect, parts: readonly { label: string; value: number; color: RGB }[]): void {
  const total = parts.reduce((a, p) => a + p.value, 0);
  if (total <= 0) return;
  let x = r.x;
  let acc = 0;
  for (const p of parts) {
    acc += p.value;
    const end = r.x + Math.round((acc / total) * r.w);
    for (; x < end; x++) c.cell(x, r.y, "█", { fg: p.color });
  }
  if (r.h < 2) return;
  let lx = r.x;
  for (const p of parts) {
    const s = `${p.label} ${Math.round((100 * p.value) / total)}%`;
    if (lx + s.length + 2 > r.x + r.w) break;
    c.cell(lx, r.y + 1, "■", { fg: p.color });
    c.text(lx + 2, r.y + 1, s, { fg: theme.dim });
    lx += s.length + 4;
  }
}
