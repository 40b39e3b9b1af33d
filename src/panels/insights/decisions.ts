// USER DECISIONS: tool calls accepted vs rejected by the user, in all and per tool.
import { rect } from "../../ui/canvas.ts";
import { cleanText } from "../../shared/sanitize.ts";
import { byName } from "../../model/insights-view.ts";
import { padLeft, padRight } from "../../ui/text.ts";
import { theme } from "../../ui/theme.ts";
import { drawShareBar } from "../../ui/widgets/bars.ts";
import { empty } from "../../ui/widgets/figures.ts";
import { insightPanel } from "./panel.ts";
import { toolList } from "./tool-list.ts";

export const decisions = insightPanel<"decisions">({
  id: "decisions",
  title: "USER DECISIONS",
  note: "A rejection is a tool result saying the user did not want to proceed; every other completed call counts as accepted.",
  select(i) {
    const list = toolList(i);
    return {
      decisions: {
        accepted: list.reduce((a, [, t]) => a + t.accepted, 0),
        rejected: list.reduce((a, [, t]) => a + t.rejections, 0),
        byTool: list
          .map(([name, t]) => ({ name, accepted: t.accepted, rejected: t.rejections }))
          .filter((t) => t.accepted + t.rejected > 0)
          .sort((a, b) => b.rejected - a.rejected || b.accepted - a.accepted || byName(a, b)),
      },
    };
  },
  draw(c, inner, v) {
    const d = v.decisions;
    if (d.accepted + d.rejected === 0) return empty(c, inner, "no tool calls in this window");
    drawShareBar(c, rect(inner.x, inner.y, inner.w, 2), [
      { label: "accepted", value: d.accepted, color: theme.ok },
      { label: "rejected", value: d.rejected, color: theme.error },
    ]);
    d.byTool.slice(0, inner.h - 3).forEach((t, k) => {
      c.text(inner.x, inner.y + 3 + k, `${padRight(cleanText(t.name, 30), Math.max(8, inner.w - 18))}${padLeft(String(t.accepted), 7)} ✓${padLeft(String(t.rejected), 5)} ✗`, { fg: t.rejected > 0 ? theme.text : theme.dim }, inner.w);
    });
  },
  json: (v) => ({ decisions: v.decisions }),
});
