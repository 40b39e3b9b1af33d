// The HISTORY charts: the three LIVE charts over the long window, plus effective tokens by model family.
import type { HistoryView } from "../../model/history-view.ts";
import { FAMILIES } from "../../model/history-view.ts";
import type { Family } from "../../model/pricing.ts";
import { compact } from "../format.ts";
import { theme } from "../theme.ts";
import { chartSeries } from "./chart-series.ts";
import type { ChartProps } from "./chart.ts";

const FAMILY_LABEL: Record<Family, string> = { opus: "Opus", sonnet: "Sonnet", haiku: "Haiku", other: "other" };

export function historySeries(v: HistoryView): Omit<ChartProps, "time">[] {
  const starts = v.buckets.map((b) => b.start);
  return [
    ...chartSeries(v.buckets),
    {
      title: "EFFECTIVE TOKENS · by model",
      starts,
      series: FAMILIES.filter((f) => f !== "other" || v.familyTotals.other > 0).map((f) => ({
        label: `${FAMILY_LABEL[f]} ${compact(v.familyTotals[f])}`,
        color: theme[f],
        values: v.families[f],
      })),
    },
  ];
}
