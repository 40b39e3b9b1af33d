// MODEL DISTRIBUTION: responses and cost by model id.
import { cleanText } from "../../shared/sanitize.ts";
import type { InsightsView } from "../../model/insights-view.ts";
import { familyOf } from "../../model/pricing.ts";
import { shortModel, usd } from "../../ui/format.ts";
import { drawRankedBars } from "../../ui/widgets/bars.ts";
import { empty, familyColor } from "../../ui/widgets/figures.ts";
import { insightPanel, round } from "./panel.ts";

export const models = insightPanel<"models">({
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
  draw(c, inner, v) {
    if (v.models.length === 0) return empty(c, inner, "no responses in this window");
    const total = v.models.reduce((a, m) => a + m.responses, 0);
    drawRankedBars(
      c,
      inner,
      v.models.map((m) => ({ label: shortModel(cleanText(m.model, 40)), value: m.responses, text: `${m.responses} · ${usd(m.costUSD)}`, color: familyColor(familyOf(m.model)) })),
      total,
    );
  },
  json: (v) => ({ models: v.models.map((m) => ({ ...m, costUSD: round(m.costUSD, 4) })) }),
});
