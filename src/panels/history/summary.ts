// HISTORY's SUMMARY: the span's totals, cache hit rate and cost by family (S opens it where there is no room).
import type { HistoryLayout } from "../../ui/layout.ts";
import { drawHistorySummary } from "../../ui/widgets/history-summary.ts";
import type { ScreenPanel } from "../screen.ts";

export const historySummary: ScreenPanel<HistoryLayout> = {
  id: "summary",
  place: (lay) => lay.summary,
  draw(c, r, v) {
    if (v.history) drawHistorySummary(c, r, v.history.view, v.history.hours, v.history.priceOverride);
  },
};
