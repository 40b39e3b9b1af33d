// SUMMARY of the history window: totals, cost priced per model (an estimate, and said so), cache-hit rate.
import type { Canvas, Rect } from "../canvas.ts";
import type { HistoryView } from "../../model/history-view.ts";
import { compact, count, spanLabel, usd } from "../format.ts";
import { fit, padLeft, padRight, wrap } from "../text.ts";
import { theme } from "../theme.ts";
import { drawBox } from "./box.ts";

export function drawHistorySummary(c: Canvas, r: Rect, v: HistoryView, hours: number, priceOverride: number | undefined): void {
  const inner = drawBox(c, r, { title: "SUMMARY", note: hours % 24 === 0 ? (hours === 24 ? "1 day" : `${hours / 24} days`) : spanLabel(hours) });
  if (inner.w < 20 || inner.h < 1) return;
  const t = v.totals;
  const input = t.uncached + t.cacheWrite5m + t.cacheWrite1h + t.cacheRead;
  const rows: [string, string, typeof theme.text][] = [
    ["input", compact(input), theme.uncached],
    ["output", compact(t.output), theme.output],
    ["responses", count(t.responses), theme.text],
    ["effective", compact(t.effectiveTokens), theme.accent],
    ["cost", usd(t.costUSD), theme.warn],
    ["cache hits", v.cacheHitRate === null ? "–" : `${(v.cacheHitRate * 100).toFixed(1)}%`, theme.read],
    ["prompts", count(v.counts.prompts), theme.text],
    ["tool calls", `${count(v.counts.toolCalls)} (${count(v.counts.toolErrors)} err)`, theme.text],
  ];
  const cols = inner.w >= 60 ? 2 : 1;
  const colW = Math.floor((inner.w - 1) / cols);
  const perCol = Math.ceil(rows.length / cols);
  const note =
    priceOverride !== undefined
      ? `cost is an estimate: base input price set to $${priceOverride}/Mtok for every model`
      : `cost is an estimate from list prices per model${v.estimatedResponses ? `; ${count(v.estimatedResponses)} responses of unknown models priced by family` : ""}`;
  // The note wraps into the rows the figures leave free (at least one); when it cannot, a shorter wording.
  const room = Math.max(1, inner.h - perCol);
  const short = priceOverride !== undefined ? `cost: an estimate ($${priceOverride}/Mtok base)` : "cost: an estimate (list prices)";
  let lines = wrap(note, inner.w - 2);
  if (lines.length > room) lines = wrap(short, inner.w - 2);
  if (lines.length > room) lines = [...lines.slice(0, room - 1), fit(lines.slice(room - 1).join(" "), inner.w - 2)];
  rows.forEach(([k, val, color], i) => {
    const col = Math.floor(i / perCol);
    const y = inner.y + (i % perCol);
    if (y >= inner.y + inner.h - lines.length) return;
    const x = inner.x + 1 + col * colW;
    c.text(x, y, padRight(k, 11), { fg: theme.dim });
    c.text(x + 11, y, padLeft(val, colW - 12), { fg: color, bold: true });
  });
  lines.forEach((line, i) => c.text(inner.x + 1, inner.y + inner.h - lines.length + i, line, { fg: theme.dim }, inner.w - 2));
}
