// MODEL DISTRIBUTION, drawn: responses and cost by model id (model: src/model/insights/models.ts).
import { cleanText } from "../../shared/sanitize.ts";
import { familyOf } from "../../model/pricing.ts";
import { shortModel, usd, count } from "../../ui/format.ts";
import { drawRankedBars } from "../../ui/widgets/bars.ts";
import { empty, familyColor } from "../../ui/widgets/figures.ts";
import type { InsightDraw } from "./panel.ts";

export const drawModels: InsightDraw = (c, inner, v) => {
  if (v.models.length === 0) return empty(c, inner, "no responses in this window");
  const total = v.models.reduce((a, m) => a + m.responses, 0);
  drawRankedBars(
    c,
    inner,
    v.models.map((m) => ({
      label: shortModel(cleanText(m.model, 40)),
      value: m.responses,
      text: `${count(m.responses)} · ${usd(m.costUSD)}`,
      color: familyColor(familyOf(m.model)),
    })),
    total,
  );
};
