// SUCCESS RATE: API requests (responses vs final errors, retries apart) and tool calls (results with vs without errors).
import { insightModel } from "./panel.ts";

export const success = insightModel<"success">({
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
  json: (v) => ({ successRate: v.success }),
});
