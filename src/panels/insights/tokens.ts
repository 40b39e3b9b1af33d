// TOTAL TOKEN USAGE: input (its four classes) and output over the window, with the share of each input class.
import { rect } from "../../ui/canvas.ts";
import { addUsage } from "../../model/events.ts";
import { compact } from "../../ui/format.ts";
import { theme } from "../../ui/theme.ts";
import { drawShareBar } from "../../ui/widgets/bars.ts";
import { big, empty } from "../../ui/widgets/figures.ts";
import { insightPanel } from "./panel.ts";

export const tokens = insightPanel<"tokens">({
  id: "tokens",
  title: "TOTAL TOKEN USAGE",
  note: "All responses in the window, each counted once: input = uncached + cache writes (5 m, 1 h) + cache reads.",
  select(i) {
    const t = { uncached: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, input: 0, output: 0 };
    for (const cells of i.priced()) for (const c of cells) addUsage(t, c.usage);
    t.input = t.uncached + t.cacheWrite5m + t.cacheWrite1h + t.cacheRead;
    return { tokens: t };
  },
  draw(c, inner, v) {
    const t = v.tokens;
    if (t.input + t.output === 0) return empty(c, inner, "no responses in this window");
    let x = inner.x;
    x += big(c, x, inner.y, "input", compact(t.input), theme.uncached);
    big(c, x + 2, inner.y, "output", compact(t.output), theme.output);
    if (inner.h >= 4)
      drawShareBar(c, rect(inner.x, inner.y + 3, inner.w, 2), [
        { label: "read", value: t.cacheRead, color: theme.read },
        { label: "5m", value: t.cacheWrite5m, color: theme.write5m },
        { label: "1h", value: t.cacheWrite1h, color: theme.write1h },
        { label: "uncached", value: t.uncached, color: theme.uncached },
      ]);
  },
  json: (v) => ({ tokens: v.tokens }),
});
