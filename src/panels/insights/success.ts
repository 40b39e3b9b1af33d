// SUCCESS RATE: API requests (responses vs final errors, retries apart) and tool calls (results with vs without errors).
import { theme } from "../../ui/theme.ts";
import { big } from "../../ui/widgets/figures.ts";
import { insightPanel } from "./panel.ts";

export const success = insightPanel<"success">({
  id: "success",
  title: "SUCCESS RATE",
  note: "API: responses vs final API errors (retries shown apart). Tools: results without vs with is_error (rejections apart).",
  select(i) {
    let responses = 0;
    for (const cells of i.priced()) for (const c of cells) responses += c.responses;
    const tally = i.tools();
    return {
      success: {
        apiOk: responses,
        apiFailed: i.parts.reduce((a, p) => a + p.apiFailed, 0),
        apiRetries: i.parts.reduce((a, p) => a + p.apiRetries, 0),
        toolsOk: tally.ok,
        toolsFailed: tally.failed,
      },
    };
  },
  draw(c, inner, v) {
    const s = v.success;
    const rate = (ok: number, bad: number) => (ok + bad > 0 ? `${((100 * ok) / (ok + bad)).toFixed(1)}%` : "–");
    let x = inner.x;
    x += big(c, x, inner.y, "API requests", rate(s.apiOk, s.apiFailed), s.apiFailed > 0 ? theme.warn : theme.ok);
    big(c, x + 2, inner.y, "tool calls", rate(s.toolsOk, s.toolsFailed), s.toolsFailed > 0 ? theme.warn : theme.ok);
    c.text(inner.x, inner.y + 3, `${s.apiOk} ok · ${s.apiFailed} failed · ${s.apiRetries} retries`, { fg: theme.dim }, inner.w);
    c.text(inner.x, inner.y + 4, `${s.toolsOk} ok · ${s.toolsFailed} errors`, { fg: theme.dim }, inner.w);
  },
  json: (v) => ({ successRate: v.success }),
});
