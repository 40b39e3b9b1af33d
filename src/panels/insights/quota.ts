// QUOTA (5-HOUR WINDOW), drawn: the share used as a figure and a bar, and what it is measured against
// (model: src/model/insights/quota.ts).
import { compact, hhmm } from "../../ui/format.ts";
import { theme } from "../../ui/theme.ts";
import { big, empty } from "../../ui/widgets/figures.ts";
import type { InsightDraw } from "./panel.ts";

export const drawQuota: InsightDraw = (c, inner, v) => {
  const q = v.quota;
  if (!q) return empty(c, inner, "no responses yet");
  const pct = Math.min(100, q.percent);
  const color = pct <= 70 ? theme.ok : pct <= 80 ? theme.warn : pct <= 90 ? theme.amber : theme.error;
  big(c, inner.x, inner.y, q.kind === "live" ? "5-hour allowance used" : "last 5 h vs your busiest 5 h (an estimate)", `${q.percent.toFixed(0)}%`, color);
  const filled = Math.round((pct / 100) * inner.w);
  for (let k = 0; k < inner.w; k++) c.cell(inner.x + k, inner.y + 3, k < filled ? "█" : "░", { fg: k < filled ? color : theme.rule });
  if (inner.h >= 5)
    c.text(
      inner.x,
      inner.y + 4,
      q.kind === "live" ? (q.resetsAt ? `resets ${hhmm(q.resetsAt)}` : "") : `${compact(q.last5h)} of ${compact(q.max5h)} effective tokens`,
      { fg: theme.dim },
      inner.w,
    );
};
