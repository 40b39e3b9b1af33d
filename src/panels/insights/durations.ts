// COMMAND DURATION, drawn: p50/p95/max in all, per turn and per tool, p95 per day
// (model: src/model/insights/durations.ts).
import { cleanText } from "../../shared/sanitize.ts";
import type { Stat } from "../../model/insights-view.ts";
import { padLeft, padRight } from "../../ui/text.ts";
import { theme } from "../../ui/theme.ts";
import { empty, ms, sparkRow } from "../../ui/widgets/figures.ts";
import type { InsightDraw } from "./panel.ts";

export const drawDurations: InsightDraw = (c, inner, v, ctx) => {
  const all = v.durations.all;
  if (!all) return empty(c, inner, "no tool calls in this window");
  const line = (label: string, s: Stat) => `${padRight(label, 10)} p50 ${padLeft(ms(s.p50), 6)}  p95 ${padLeft(ms(s.p95), 6)}  max ${padLeft(ms(s.max), 6)}`;
  c.text(inner.x, inner.y, line("all tools", all), { fg: theme.text, bold: true }, inner.w);
  let y = inner.y + 1;
  if (v.durations.turns) c.text(inner.x, y++, line("turns", v.durations.turns), { fg: theme.accent }, inner.w);
  for (const t of v.durations.tools) {
    if (y >= inner.y + inner.h - (ctx.full ? 0 : 1)) break;
    c.text(inner.x, y++, line(cleanText(t.name, 30), t), { fg: theme.dim }, inner.w);
  }
  if (y < inner.y + inner.h && v.durations.p95PerDay.length > 1)
    sparkRow(
      c,
      inner.x,
      inner.y + inner.h - 1,
      inner.w,
      "p95/day",
      v.durations.p95PerDay.map((d) => d.p95 ?? 0),
      ms,
      theme.warn,
    );
};
