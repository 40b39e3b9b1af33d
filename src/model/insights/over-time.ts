// TOKEN USAGE OVER TIME: input and output per bucket of the window.
import { insightModel, iso } from "./panel.ts";

export const overTime = insightModel<"overTime">({
  id: "overTime",
  title: "TOKEN USAGE OVER TIME",
  note: "Input (all four classes) and output per bucket.",
  select(i) {
    const n = Math.floor((i.to - i.firstBucket) / i.bucketMs) + 1;
    const buckets = Array.from({ length: n }, (_, k) => ({ start: i.firstBucket + k * i.bucketMs, input: 0, output: 0 }));
    for (const p of i.parts)
      for (const c of p.overTime) {
        const b = buckets[Math.round((c.start - i.firstBucket) / i.bucketMs)];
        if (b) {
          b.input += c.usage.uncached + c.usage.cacheWrite5m + c.usage.cacheWrite1h + c.usage.cacheRead;
          b.output += c.usage.output;
        }
      }
    return { overTime: buckets };
  },
  json: (v) => ({ tokensOverTime: v.overTime.map((b) => ({ ...b, start: iso(b.start) })) }),
});
