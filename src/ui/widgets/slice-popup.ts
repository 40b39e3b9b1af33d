// One time slice (a clicked bar) broken down by session, most expensive first; scrolls.
import type { Canvas } from "../canvas.ts";
import type { SliceRow } from "../../model/live-view.ts";
import { cleanText } from "../../ingest/sanitize.ts";
import { compact, hhmm, usd } from "../format.ts";
import { padLeft, padRight } from "../text.ts";
import { theme } from "../theme.ts";
import { drawLines, drawOverlay, overlayRect, type Line } from "./overlay.ts";

export interface SlicePopupProps {
  from: number;
  to: number;
  rows: readonly SliceRow[];
  scroll: number;
}

const COLS: [string, number][] = [
  ["new input", 9],
  ["5m write", 9],
  ["1h write", 9],
  ["read", 9],
  ["miss", 8],
  ["output", 8],
  ["effective", 10],
  ["cost", 9],
];

export function drawSlicePopup(c: Canvas, p: SlicePopupProps): void {
  const r = overlayRect(c, 130, Math.max(8, p.rows.length + 5));
  const inner = drawOverlay(c, r, `${hhmm(p.from)}–${hhmm(p.to)} BY SESSION`, "q closes");
  const nameW = Math.max(12, inner.w - 2 - COLS.reduce((a, [, w]) => a + w + 1, 0));
  const header: Line = [[padRight("project · title", nameW), { fg: theme.dim }], ...COLS.map(([h, w]): [string, { fg: typeof theme.dim }] => [` ${padLeft(h, w)}`, { fg: theme.dim }])];
  if (p.rows.length === 0) {
    drawLines(c, inner, [header, [["no responses in this slice", { fg: theme.dim }]]], 0);
    return;
  }
  const lines: Line[] = [
    header,
    ...p.rows.map((row): Line => {
      const name = cleanText(row.title ? `${row.project} · ${row.title}` : row.project, 80);
      const v = [row.uncached, row.cacheWrite5m, row.cacheWrite1h, row.cacheRead, row.cacheMiss, row.output, row.effectiveTokens];
      const colors = [theme.uncached, theme.write5m, theme.write1h, theme.read, theme.miss, theme.output, theme.accent];
      return [
        [padRight(name, nameW), { fg: theme.text }],
        ...v.map((x, i): [string, { fg: typeof theme.text }] => [` ${padLeft(compact(x), COLS[i]![1])}`, { fg: colors[i]! }]),
        [` ${padLeft(usd(row.costUSD), COLS[7]![1])}`, { fg: theme.warn }],
      ];
    }),
  ];
  drawLines(c, inner, lines, p.scroll);
}
