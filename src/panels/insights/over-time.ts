// TOKEN USAGE OVER TIME, drawn: input and output per bucket as two areas (model: src/model/insights/over-time.ts).
import { rect } from "../../ui/canvas.ts";
import { hhmm } from "../../ui/format.ts";
import { theme } from "../../ui/theme.ts";
import { area, empty } from "../../ui/widgets/figures.ts";
import type { InsightDraw } from "./panel.ts";

export const drawOverTime: InsightDraw = (c, inner, v) => {
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
};
