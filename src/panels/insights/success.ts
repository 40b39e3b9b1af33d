// SUCCESS RATE, drawn: API requests and tool calls, each a rate and its counts (model: src/model/insights/success.ts).
import { theme } from "../../ui/theme.ts";
import { big } from "../../ui/widgets/figures.ts";
import type { InsightDraw } from "./panel.ts";
import { count } from "../../ui/format.ts";

export const drawSuccess: InsightDraw = (c, inner, v) => {
  const s = v.success;
  const rate = (ok: number, bad: number) => (ok + bad > 0 ? `${((100 * ok) / (ok + bad)).toFixed(1)}%` : "–");
  let x = inner.x;
  x += big(c, x, inner.y, "API requests", rate(s.apiOk, s.apiFailed), s.apiFailed > 0 ? theme.warn : theme.ok);
  big(c, x + 2, inner.y, "tool calls", rate(s.toolsOk, s.toolsFailed), s.toolsFailed > 0 ? theme.warn : theme.ok);
  c.text(inner.x, inner.y + 3, `${count(s.apiOk)} ok · ${count(s.apiFailed)} failed · ${count(s.apiRetries)} retries`, { fg: theme.dim }, inner.w);
  c.text(inner.x, inner.y + 4, `${count(s.toolsOk)} ok · ${count(s.toolsFailed)} errors`, { fg: theme.dim }, inner.w);
};
