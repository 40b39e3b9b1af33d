// MODEL DISTRIBUTION: responses and cost by model id.
import type { InsightsView } from "../insights-view.ts";
import { insightModel, round } from "./panel.ts";

export const models = insightModel<"models">({
  id: "models",
  title: "MODEL DISTRIBUTION",
  note: "Responses and cost by model id.",
  select(i) {
    const byModel = new Map<string, InsightsView["models"][number]>();
    for (const cells of i.priced())
      for (const c of cells) {
        let m = byModel.get(c.model);
        if (!m) byModel.set(c.model, (m = { model: c.model, responses: 0, costUSD: 0 }));
        m.responses += c.responses;
        m.costUSD += c.costUSD;
      }
    return { models: [...byModel.values()].sort((a, b) => b.costUSD - a.costUSD) };
  },
  json: (v) => ({ models: v.models.map((m) => ({ ...m, costUSD: round(m.costUSD, 4) })) }),
});
