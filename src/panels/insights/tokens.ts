// TOTAL TOKEN USAGE, drawn: input and output, with the share of each input class (model: src/model/insights/tokens.ts).
import { rect } from "../../ui/canvas.ts";
import { compact } from "../../ui/format.ts";
import { theme } from "../../ui/theme.ts";
import { drawShareBar } from "../../ui/widgets/bars.ts";
import { big, empty } from "../../ui/widgets/figures.ts";
import type { InsightDraw } from "./panel.ts";

export const drawTokens: InsightDraw = (c, inner, v) => {
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
};
