// One time slice (a clicked bar) broken down by session, most expensive first; scrolls.
import type { Canvas, RGB } from "../canvas.ts";
import type { SliceRow } from "../../model/live-view.ts";
import { cleanText } from "../../ingest/sanitize.ts";
import { compact, hhmm, usd } from "../format.ts";
import { padLeft, padRight } from "../text.ts";
import { theme } from "../theme.ts";
import { fitColumns } from "./columns.ts";
import { drawLines, drawOverlay, overlayRect, type Line } from "./overlay.ts";

export interface SlicePopupProps {
  from: number;
  to: number;
  rows: readonly SliceRow[];
  scroll: number;
}

type Col = { head: string; w: number; keep: number; color: RGB; value: (r: SliceRow) => string };

/** Left to right; on a narrow screen the lowest `keep` goes first (effective tokens and cost always stay). */
const COLS: Col[] = [
  { head: "new input", w: 9, keep: 5, color: theme.uncached, value: (r) => compact(r.uncached) },
  { head: "5m write", w: 9, keep: 2, color: theme.write5m, value: (r) => compact(r.cacheWrite5m) },
  { head: "1h write", w: 9, keep: 1, color: theme.write1h, value: (r) => compact(r.cacheWrite1h) },
  { head: "read", w: 9, keep: 3, color: theme.read, value: (r) => compact(r.cacheRead) },
  { head: "miss", w: 8, keep: 0, color: theme.miss, value: (r) => compact(r.cacheMiss) },
  { head: "output", w: 8, keep: 4, color: theme.output, value: (r) => compact(r.output) },
  { head: "effective", w: 10, keep: 9, color: theme.accent, value: (r) => compact(r.effectiveTokens) },
  { head: "cost", w: 9, keep: 9, color: theme.warn, value: (r) => usd(r.costUSD) },
];
const NAME_MIN = 12;

export function drawSlicePopup(c: Canvas, p: SlicePopupProps): void {
  const r = overlayRect(c, 130, Math.max(8, p.rows.length + 5));
  const inner = drawOverlay(c, r, `${hhmm(p.from)}–${hhmm(p.to)} BY SESSION`, "q closes");
  const cols = fitColumns(COLS, inner.w - 2 - NAME_MIN);
  const nameW = Math.max(NAME_MIN, inner.w - 2 - cols.reduce((a, col) => a + col.w + 1, 0));
  const header: Line = [[padRight("project · title", nameW), { fg: theme.dim }], ...cols.map((col): Line[number] => [` ${padLeft(col.head, col.w)}`, { fg: theme.dim }])];
  if (p.rows.length === 0) {
    drawLines(c, inner, [header, [["no responses in this slice", { fg: theme.dim }]]], 0);
    return;
  }
  const lines: Line[] = [
    header,
    ...p.rows.map((row): Line => [
      [padRight(cleanText(row.title ? `${row.project} · ${row.title}` : row.project, 80), nameW), { fg: theme.text }],
      ...cols.map((col): Line[number] => [` ${padLeft(col.value(row), col.w)}`, { fg: col.color }]),
    ]),
  ];
  drawLines(c, inner, lines, p.scroll);
}
