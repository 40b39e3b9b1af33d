// The three LIVE charts as series over buckets: input by cache-write disposition, context assembly, output.
import type { Bucket } from "../../model/selectors.ts";
import { theme } from "../theme.ts";
import type { ChartProps } from "./chart.ts";

export function chartSeries(buckets: readonly Bucket[]): Omit<ChartProps, "time">[] {
  const starts = buckets.map((b) => b.start);
  const col = (f: (b: Bucket) => number) => buckets.map(f);
  return [
    {
      title: "INPUT · by cache write",
      starts,
      series: [
        { label: "uncached", color: theme.uncached, values: col((b) => b.uncached) },
        { label: "5m write", color: theme.write5m, values: col((b) => b.cacheWrite5m) },
        { label: "1h write", color: theme.write1h, values: col((b) => b.cacheWrite1h) },
      ],
    },
    {
      title: "CONTEXT · how it was assembled",
      starts,
      series: [
        { label: "cache read", color: theme.read, values: col((b) => b.cacheRead) },
        { label: "new input", color: theme.newInput, values: col((b) => b.newInput) },
        { label: "cache miss", color: theme.miss, values: col((b) => b.cacheMiss) },
      ],
    },
    {
      title: "OUTPUT",
      starts,
      series: [{ label: "output", color: theme.output, values: col((b) => b.output) }],
    },
  ];
}
