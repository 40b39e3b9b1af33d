// TOOL TYPES, drawn: calls per tool, with errors (model: src/model/insights/tool-types.ts).
import { cleanText } from "../../shared/sanitize.ts";
import { theme } from "../../ui/theme.ts";
import { drawRankedBars } from "../../ui/widgets/bars.ts";
import { empty } from "../../ui/widgets/figures.ts";
import type { InsightDraw } from "./panel.ts";
import { count } from "../../ui/format.ts";

export const drawToolTypes: InsightDraw = (c, inner, v) => {
  if (v.toolTypes.length === 0) return empty(c, inner, "no tool calls in this window");
  drawRankedBars(
    c,
    inner,
    v.toolTypes.map((t) => ({
      label: cleanText(t.name, 40),
      value: t.calls,
      text: t.errors > 0 ? `${count(t.calls)} · ${count(t.errors)} err` : count(t.calls),
      color: theme.accent,
    })),
  );
};
