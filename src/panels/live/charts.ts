// LIVE's three charts (tokens by class, cache, output) over the window, one bar per bucket; a click opens a slice.
import type { Layout } from "../../ui/layout.ts";
import { chartSeries } from "../../ui/widgets/chart-series.ts";
import { drawChart } from "../../ui/widgets/chart.ts";
import type { ScreenPanels } from "../screen.ts";

export const liveCharts: ScreenPanels<Layout> = {
  id: "charts",
  places: (lay) => lay.charts,
  draw(c, r, index, v, ctx) {
    drawChart(c, r, { ...chartSeries(v.live.buckets)[index]!, time: ctx.time, still: v.still }, ctx.hits);
  },
};
