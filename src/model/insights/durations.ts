// COMMAND DURATION: p50/p95/max of tool calls, in all, per tool and per turn, with p95 per day.
import { byName, stat, type Stat } from "../insights-view.ts";
import { insightModel } from "./panel.ts";
import { toolList } from "./tool-list.ts";

export const durations = insightModel<"durations">({
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
  json: (v) => ({ durations: v.durations }),
});
