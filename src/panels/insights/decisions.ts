// USER DECISIONS, drawn: accepted vs rejected, in all and per tool (model: src/model/insights/decisions.ts).
import { rect } from "../../ui/canvas.ts";
import { cleanText } from "../../shared/sanitize.ts";
import { padLeft, padRight } from "../../ui/text.ts";
import { theme } from "../../ui/theme.ts";
import { drawShareBar } from "../../ui/widgets/bars.ts";
import { empty } from "../../ui/widgets/figures.ts";
import type { InsightDraw } from "./panel.ts";
import { count } from "../../ui/format.ts";

export const drawDecisions: InsightDraw = (c, inner, v) => {
  const d = v.decisions;
  if (d.accepted + d.rejected === 0) return empty(c, inner, "no tool calls in this window");
  drawShareBar(c, rect(inner.x, inner.y, inner.w, 2), [
    { label: "accepted", value: d.accepted, color: theme.ok },
    { label: "rejected", value: d.rejected, color: theme.error },
  ]);
  d.byTool.slice(0, inner.h - 3).forEach((t, k) => {
    c.text(
      inner.x,
      inner.y + 3 + k,
      `${padRight(cleanText(t.name, 30), Math.max(8, inner.w - 18))}${padLeft(count(t.accepted), 7)} ✓${padLeft(count(t.rejected), 5)} ✗`,
      { fg: t.rejected > 0 ? theme.text : theme.dim },
      inner.w,
    );
  });
};
