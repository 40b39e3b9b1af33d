// USER DECISIONS: tool calls accepted vs rejected by the user, in all and per tool.
import { byName } from "../insights-view.ts";
import { insightModel } from "./panel.ts";
import { toolList } from "./tool-list.ts";

export const decisions = insightModel<"decisions">({
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
  json: (v) => ({ decisions: v.decisions }),
});
