// TOTAL TOKEN USAGE: input (its four classes) and output over the window.
import { addUsage } from "../events.ts";
import { insightModel } from "./panel.ts";

export const tokens = insightModel<"tokens">({
  id: "tokens",
  title: "TOTAL TOKEN USAGE",
  note: "All responses in the window, each counted once: input = uncached + cache writes (5 m, 1 h) + cache reads.",
  select(i) {
    const t = { uncached: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, input: 0, output: 0 };
    for (const cells of i.priced()) for (const c of cells) addUsage(t, c.usage);
    t.input = t.uncached + t.cacheWrite5m + t.cacheWrite1h + t.cacheRead;
    return { tokens: t };
  },
  json: (v) => ({ tokens: v.tokens }),
});
