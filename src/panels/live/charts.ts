// LIVE's three charts (tokens by class, cache, output) over the window, one bar per bucket; a click opens a slice.
import type { Layout } from "../../ui/layout.ts";
import { spanLabel } from "../../ui/format.ts";
import { chartSeries } from "../../ui/widgets/chart-series.ts";
import { drawChart } from "../../ui/widgets/chart.ts";
import type { ScreenPanels } from "../screen.ts";

/** The three series of one frame's buckets (made once per frame, not once per chart). */
const seriesOf = (() => {
  let last: { buckets: unknown; series: ReturnType<typeof chartSeries> } | null = null;
  return (buckets: Parameters<typeof chartSeries>[0]) => {
    if (last?.buckets !== buckets) last = { buckets, series: chartSeries(buckets) };
    return last.series;
  };
})();

export const liveCharts: ScreenPanels<Layout> = {
  id: "charts",
  places: (lay) => lay.charts,
  draw(c, r, index, v, ctx) {
    const spec = seriesOf(v.live.buckets)[index]!;
    // (the first chart's title says the span, which [ and ] change)
    const title = index === 0 ? `${spec.title} · ${spanLabel(v.windowHours)}` : spec.title;
    drawChart(c, r, { ...spec, title, time: ctx.time, still: v.still, mono: v.mono }, ctx.hits);
  },
};
