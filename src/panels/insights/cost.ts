// TOTAL COST, drawn: the total, Claude Code's own figure beside it, and cost by model
// (model: src/model/insights/cost.ts).
import { rect } from "../../ui/canvas.ts";
import { cleanText } from "../../shared/sanitize.ts";
import { familyOf } from "../../model/pricing.ts";
import { shortModel, usd } from "../../ui/format.ts";
import { theme } from "../../ui/theme.ts";
import { drawRankedBars } from "../../ui/widgets/bars.ts";
import { big, empty, familyColor } from "../../ui/widgets/figures.ts";
import type { InsightDraw } from "./panel.ts";

export const drawCost: InsightDraw = (c, inner, v) => {
  if (v.cost.byModel.length === 0) return empty(c, inner, "no responses in this window");
  // (an engine holds Claude Code's own figure, claude_code.cost.usage; everywhere else it is priced here)
  const w = big(
    c,
    inner.x,
    inner.y,
    v.source === "prometheus" ? "USD as Claude Code reported it" : "USD at list prices (priced here)",
    usd(v.cost.totalUSD),
    theme.warn,
  );
  // (team telemetry carries Claude Code's own figure: shown beside ours, and said which is which)
  if (v.cost.reportedUSD !== null) {
    const reported = `${usd(v.cost.reportedUSD)} (${v.cost.reportedResponses} team)`;
    if (w + 23 <= inner.w) big(c, inner.x + w, inner.y, "reported by Claude Code", reported, theme.dim);
    else c.text(inner.x, inner.y + 2, `reported by Claude Code ${reported}`, { fg: theme.dim }, inner.w); // (the row above the bars)
  }
  drawRankedBars(
    c,
    rect(inner.x, inner.y + 3, inner.w, inner.h - 3),
    v.cost.byModel.map((m) => ({ label: shortModel(cleanText(m.model, 40)), value: m.costUSD, text: usd(m.costUSD), color: familyColor(familyOf(m.model)) })),
  );
};
