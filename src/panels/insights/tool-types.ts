// TOOL TYPES: calls per tool (MCP tools grouped by server), with errors.
import { cleanText } from "../../shared/sanitize.ts";
import { byName } from "../../model/insights-view.ts";
import { theme } from "../../ui/theme.ts";
import { drawRankedBars } from "../../ui/widgets/bars.ts";
import { empty } from "../../ui/widgets/figures.ts";
import { insightPanel } from "./panel.ts";
import { toolList } from "./tool-list.ts";

export const toolTypes = insightPanel<"toolTypes">({
  id: "toolTypes",
  title: "TOOL TYPES",
  note: "Calls per tool name (MCP tools grouped by server), with errors and rejections.",
  select: (i) => ({
    toolTypes: toolList(i)
      .map(([name, t]) => ({ name, calls: t.calls, errors: t.errors, rejections: t.rejections }))
      .sort((a, b) => b.calls - a.calls || byName(a, b)),
  }),
  draw(c, inner, v) {
    if (v.toolTypes.length === 0) return empty(c, inner, "no tool calls in this window");
    drawRankedBars(c, inner, v.toolTypes.map((t) => ({ label: cleanText(t.name, 40), value: t.calls, text: t.errors > 0 ? `${t.calls} · ${t.errors} err` : String(t.calls), color: theme.accent })));
  },
  json: (v) => ({ toolTypes: v.toolTypes }),
});
