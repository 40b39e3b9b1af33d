// HISTORY's four charts (tokens by class, by model family, cost, cache) over the chosen span, labelled by day.
import { dayTicks, zoneOf } from "../../model/history-view.ts";
import type { HistoryLayout } from "../../ui/layout.ts";
import { spanLabel } from "../../ui/format.ts";
import { AXIS_W, drawChart } from "../../ui/widgets/chart.ts";
import { historySeries } from "../../ui/widgets/history-charts.ts";
import type { ScreenPanels } from "../screen.ts";

/** The four series of one view (made once per frame, not once per chart). */
const seriesOf = (() => {
  let last: { view: unknown; series: ReturnType<typeof historySeries> } | null = null;
  return (view: Parameters<typeof historySeries>[0]) => {
    if (last?.view !== view) last = { view, series: historySeries(view) };
    return last.series;
  };
})();

export const historyCharts: ScreenPanels<HistoryLayout> = {
  id: "charts",
  places: (lay) => lay.charts,
  draw(c, r, index, v, ctx) {
    const h = v.history;
    if (!h) return;
    const n = Math.max(1, h.view.buckets.length);
    const ticks = dayTicks(
      h.view.buckets.map((b) => b.start),
      h.view.window.bucketMinutes,
      zoneOf(h.zone),
      Math.max(1, Math.floor((r.w - AXIS_W - 2) / n)),
    );
    const spec = seriesOf(h.view)[index]!;
    const title = index === 0 ? `${spec.title} · ${spanLabel(h.hours)}` : spec.title;
    drawChart(c, r, { ...spec, title, time: ctx.time, still: v.still, mono: v.mono, ticks }, ctx.hits);
  },
};
