// HISTORY's ACTIVITY map: effective tokens by weekday and hour (M opens it where there is no room); a click on an
// hour opens its figures.
import type { HistoryLayout } from "../../ui/layout.ts";
import { drawHeatmap } from "../../ui/widgets/heatmap.ts";
import type { ScreenPanel } from "../screen.ts";

export const historyHeatmap: ScreenPanel<HistoryLayout> = {
  id: "heatmap",
  place: (lay) => lay.heatmap,
  draw(c, r, v, ctx) {
    if (v.history) drawHeatmap(c, r, v.history.view.heatmap, v.history.zoneLabel, ctx.hits);
  },
};
