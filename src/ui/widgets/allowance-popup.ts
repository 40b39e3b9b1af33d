// The allowance in full: every limit, when the numbers were fetched, and the last problem word for word.
import type { Canvas, Rect } from "../canvas.ts";
import type { AllowanceView } from "../../model/allowance-view.ts";
import { cleanText } from "../../ingest/sanitize.ts";
import { hhmm } from "../format.ts";
import { wrap } from "../text.ts";
import { theme } from "../theme.ts";
import { ageLabel, countdown, gaugeColor, resetLabel } from "./allowance.ts";
import { drawLines, drawOverlay, overlayRect, type Line } from "./overlay.ts";

export function drawAllowancePopup(c: Canvas, v: AllowanceView, now: number): Rect {
  const width = Math.min(86, c.width - 4);
  const lines: Line[] = [];
  if (v.account) lines.push([["account ".padEnd(14), { fg: theme.dim }], [cleanText(v.account, 80), { fg: theme.text }]]);
  for (const l of v.limits)
    lines.push([
      [l.label.padEnd(14), { fg: theme.dim }],
      [`${l.percent.toFixed(1)}%`.padEnd(8), { fg: gaugeColor(l.percent, 0), bold: true }],
      [resetLabel(l.resetsAt, now), { fg: theme.dim }],
    ]);
  if (v.fetchedAt !== null) lines.push([["updated".padEnd(14), { fg: theme.dim }], [`${hhmm(v.fetchedAt)} (${ageLabel(now - v.fetchedAt)})`, { fg: theme.text }]]);
  if (v.projectedLimitAt !== null) lines.push([["projection".padEnd(14), { fg: theme.dim }], [`5-hour limit at ${hhmm(v.projectedLimitAt)} at this rate`, { fg: theme.warn }]]);
  if (v.status === "off") lines.push([["off: started with --no-allowance", { fg: theme.dim }]]);
  if (v.status === "waiting") lines.push([["no answer yet", { fg: theme.dim }]]);
  if (v.problem) {
    lines.push([]);
    lines.push([[`last problem (${hhmm(v.problem.time)}): ${v.problem.problem}`, { fg: theme.warn, bold: true }]]);
    for (const part of wrap(cleanText(v.problem.message, 600), width - 4)) lines.push([[part, { fg: theme.text }]]);
    if (v.problem.retryAt !== null) lines.push([[v.problem.retryAt > now ? `next try in ${countdown(v.problem.retryAt - now)} (${hhmm(v.problem.retryAt)})` : "trying again now", { fg: theme.dim }]]);
  }
  // As tall as what it says (it scrolls past the screen's height).
  const r = overlayRect(c, width, lines.length + 2);
  drawLines(c, drawOverlay(c, r, "ALLOWANCE", "q closes"), lines, 0);
  return r;
}
