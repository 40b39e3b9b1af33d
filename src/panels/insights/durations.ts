// COMMAND DURATION: p50/p95/max of tool calls, in all, per tool and per turn, with p95 per day.
import { cleanText } from "../../shared/sanitize.ts";
import { byName, stat, type Stat } from "../../model/insights-view.ts";
import { padLeft, padRight } from "../../ui/text.ts";
import { theme } from "../../ui/theme.ts";
import { empty, ms, sparkRow } from "../../ui/widgets/figures.ts";
import { insightPanel } from "./panel.ts";
import { toolList } from "./tool-list.ts";

export const durations = insightPanel<"durations">({
  id: "durations",
  title: "COMMAND DURATION",
  note: "tool_use → tool_result time per call (a tool's own reported duration when it gives one); turns from turn_duration lines.",
  select(i) {
    const tally = i.tools();
    return {
      durations: {
        tools: toolList(i)
          .map(([name, t]) => ({ name, ...stat(t.durations) }))
          .filter((t): t is Stat & { name: string } => t.count !== undefined)
          .sort((a, b) => b.p95 - a.p95 || byName(a, b)),
        all: stat(tally.all),
        turns: stat(i.parts.flatMap((p) => p.turns)),
        p95PerDay: tally.perDay.map((ds, k) => ({ label: i.dayLabel(k), p95: ds.length > 0 ? stat(ds)!.p95 : null })),
      },
    };
  },
  draw(c, inner, v, ctx) {
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
      sparkRow(c, inner.x, inner.y + inner.h - 1, inner.w, "p95/day", v.durations.p95PerDay.map((d) => d.p95 ?? 0), ms, theme.warn);
  },
  json: (v) => ({ durations: v.durations }),
});
