// One hour of the week (a clicked heatmap cell): its totals over the window.
import type { Canvas, Rect } from "../canvas.ts";
import type { HeatCell } from "../../model/history-view.ts";
import { WEEKDAY_NAMES } from "../../model/history-view.ts";
import { compact, count, usd } from "../format.ts";
import { theme } from "../theme.ts";
import { drawLines, drawOverlay, overlayRect, type Line } from "./overlay.ts";

export function drawHourPopup(c: Canvas, cell: HeatCell, weekTotal: number): Rect {
  const r = overlayRect(c, 52, 9);
  const h = String(cell.hour).padStart(2, "0");
  const inner = drawOverlay(c, r, `${WEEKDAY_NAMES[cell.weekday]} ${h}:00–${h}:59`, "q closes");
  const kv = (k: string, v: string, fg: (typeof theme)["text"]): Line => [
    [k.padEnd(18), { fg: theme.dim }],
    [v, { fg, bold: true }],
  ];
  const share = weekTotal > 0 ? `${((100 * cell.effectiveTokens) / weekTotal).toFixed(1)}% of the window` : "–";
  drawLines(
    c,
    inner,
    [
      kv("responses", count(cell.responses), theme.text),
      kv("effective tokens", compact(cell.effectiveTokens), theme.accent),
      kv("cost", usd(cell.costUSD), theme.warn),
      kv("share", share, theme.text),
    ],
    0,
  );
  return r;
}
