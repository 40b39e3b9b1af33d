// TOTAL COST: every response priced here at list prices, by model, beside what Claude Code reported (team).
import { rect } from "../../ui/canvas.ts";
import { cleanText } from "../../shared/sanitize.ts";
import { familyOf } from "../../model/pricing.ts";
import type { InsightsView } from "../../model/insights-view.ts";
import { shortModel, usd } from "../../ui/format.ts";
import { theme } from "../../ui/theme.ts";
import { drawRankedBars } from "../../ui/widgets/bars.ts";
import { big, empty, familyColor } from "../../ui/widgets/figures.ts";
import { insightPanel, round } from "./panel.ts";

export const cost = insightPanel<"cost">({
  id: "cost",
  title: "TOTAL COST",
  note: "Each response priced here at its model's list prices (long context and fast mode included); an unknown model as the newest of its line (an estimate). Team telemetry's own figure (cost_usd) is shown beside it as reported by Claude Code.",
  select(i) {
    let totalUSD = 0;
    let reported = 0;
    let reportedResponses = 0;
    const byModel = new Map<string, InsightsView["cost"]["byModel"][number]>();
    for (const cells of i.priced())
      for (const c of cells) {
        totalUSD += c.costUSD;
        let m = byModel.get(c.model);
        if (!m) byModel.set(c.model, (m = { model: c.model, costUSD: 0, responses: 0, reportedUSD: null }));
        m.costUSD += c.costUSD;
        m.responses += c.responses;
        if (c.reported !== undefined) {
          m.reportedUSD = (m.reportedUSD ?? 0) + c.reported;
          reported += c.reported;
          reportedResponses += c.responses;
        }
      }
    return { cost: { totalUSD, reportedUSD: reportedResponses > 0 ? reported : null, reportedResponses, byModel: [...byModel.values()].sort((a, b) => b.costUSD - a.costUSD) } };
  },
  draw(c, inner, v) {
    if (v.cost.byModel.length === 0) return empty(c, inner, "no responses in this window");
    // (an engine holds Claude Code's own figure, claude_code.cost.usage; everywhere else it is priced here)
    const w = big(c, inner.x, inner.y, v.source === "prometheus" ? "USD as Claude Code reported it" : "USD at list prices (priced here)", usd(v.cost.totalUSD), theme.warn);
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
  },
  json: (v) => ({
    cost: {
      totalUSD: round(v.cost.totalUSD, 4),
      // Claude Code's own figure for the team responses that sent one (null when none did): beside ours, not instead
      reportedCostUSD: v.cost.reportedUSD === null ? null : round(v.cost.reportedUSD, 4),
      reportedResponses: v.cost.reportedResponses,
      byModel: v.cost.byModel.map(({ reportedUSD, ...m }) => ({ ...m, costUSD: round(m.costUSD, 4), reportedCostUSD: reportedUSD === null ? null : round(reportedUSD, 4) })),
    },
  }),
});
