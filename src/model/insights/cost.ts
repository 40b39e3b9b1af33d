// TOTAL COST: every response priced here at list prices, by model, beside what Claude Code reported (team).
import type { InsightsView } from "../insights-view.ts";
import { insightModel, round } from "./panel.ts";

export const cost = insightModel<"cost">({
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
    return {
      cost: {
        totalUSD,
        reportedUSD: reportedResponses > 0 ? reported : null,
        reportedResponses,
        byModel: [...byModel.values()].sort((a, b) => b.costUSD - a.costUSD),
      },
    };
  },
  json: (v) => ({
    cost: {
      totalUSD: round(v.cost.totalUSD, 4),
      // Claude Code's own figure for the team responses that sent one (null when none did): beside ours, not instead
      reportedCostUSD: v.cost.reportedUSD === null ? null : round(v.cost.reportedUSD, 4),
      reportedResponses: v.cost.reportedResponses,
      byModel: v.cost.byModel.map(({ reportedUSD, ...m }) => ({
        ...m,
        costUSD: round(m.costUSD, 4),
        reportedCostUSD: reportedUSD === null ? null : round(reportedUSD, 4),
      })),
    },
  }),
});
