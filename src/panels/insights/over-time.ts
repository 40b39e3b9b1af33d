// TOKEN USAGE OVER TIME: input and output per bucket of the window, as two areas.
import { rect } from "../../ui/canvas.ts";
import { hhmm } from "../../ui/format.ts";
import { theme } from "../../ui/theme.ts";
import { area, empty } from "../../ui/widgets/figures.ts";
import { insightPanel, iso } from "./panel.ts";

export const overTime = insightPanel<"overTime">({
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
  draw(c, inner, v) {
    const inputs = v.overTime.map((b) => b.input);
    const outputs = v.overTime.map((b) => b.output);
    if (inputs.every((x) => x === 0)) return empty(c, inner, "no responses in this window");
    const rows = Math.max(1, Math.floor((inner.h - 1) / 2));
    area(c, rect(inner.x, inner.y, inner.w, rows), inputs, theme.uncached, "input");
    area(c, rect(inner.x, inner.y + rows, inner.w, rows), outputs, theme.output, "output");
    const first = v.overTime[0];
    const last = v.overTime[v.overTime.length - 1];
    if (first && last && inner.h > rows * 2) {
      const when = (t: number) => (v.window.hours > 24 ? `${new Date(t).toDateString().slice(0, 10)} ${hhmm(t)}` : hhmm(t));
      c.text(inner.x, inner.y + rows * 2, when(first.start), { fg: theme.dim });
      const end = when(last.start);
      c.text(inner.x + inner.w - end.length, inner.y + rows * 2, end, { fg: theme.dim });
    }
  },
  json: (v) => ({ tokensOverTime: v.overTime.map((b) => ({ ...b, start: iso(b.start) })) }),
});
