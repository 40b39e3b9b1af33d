// TOOL TYPES: calls per tool (MCP tools grouped by server), with errors.
import { byName } from "../insights-view.ts";
import { insightModel } from "./panel.ts";
import { toolList } from "./tool-list.ts";

export const toolTypes = insightModel<"toolTypes">({
  id: "toolTypes",
  title: "TOOL TYPES",
  note: "Calls per tool name (MCP tools grouped by server), with errors and rejections.",
  select: (i) => ({
    toolTypes: toolList(i)
      .map(([name, t]) => ({ name, calls: t.calls, errors: t.errors, rejections: t.rejections }))
      .sort((a, b) => b.calls - a.calls || byName(a, b)),
  }),
  json: (v) => ({ toolTypes: v.toolTypes }),
});
