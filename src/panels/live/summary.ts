// LIVE's SUMMARY: the window's input by class, output, effective tokens and cost, and its activity counts.
import type { Layout } from "../../ui/layout.ts";
import { drawSummary } from "../../ui/widgets/summary.ts";
import type { ScreenPanel } from "../screen.ts";

export const liveSummary: ScreenPanel<Layout> = {
  id: "summary",
  place: (lay) => lay.summary,
  draw(c, r, v) {
    const t = v.live.totals;
    drawSummary(c, r, {
      windowHours: v.windowHours,
      windowCut: v.windowHours < v.chosenHours,
      chosenHours: v.chosenHours,
      input: t.uncached + t.cacheWrite5m + t.cacheWrite1h + t.cacheRead,
      uncached: t.uncached,
      write5m: t.cacheWrite5m,
      write1h: t.cacheWrite1h,
      read: t.cacheRead,
      miss: v.live.buckets.reduce((a, b) => a + b.cacheMiss, 0),
      output: t.output,
      responses: t.responses,
      effective1h: v.live.totals1h.effectiveTokens,
      effectiveWindow: t.effectiveTokens,
      cost1h: v.live.totals1h.costUSD,
      costWindow: t.costUSD,
      ...v.live.counts,
      mono: v.mono,
    });
  },
};
