// QUOTA (5-HOUR WINDOW): the live allowance when known, otherwise the last 5 h against the busiest 5 h (an estimate).
import { selectQuota } from "../insights-view.ts";
import { insightModel, iso, round } from "./panel.ts";

export const quota = insightModel<"quota">({
  id: "quota",
  title: "QUOTA (5-HOUR WINDOW)",
  note: "The live 5-hour allowance when known; otherwise effective tokens of the last 5 h against the largest 5 h total in the data (an estimate).",
  select: (i) => ({ quota: selectQuota(i.state, i.queries, i.options, i.team) }),
  json: (v) => {
    const q = v.quota;
    return {
      quota:
        q === null
          ? null
          : q.kind === "live"
            ? { ...q, resetsAt: q.resetsAt === null ? null : iso(q.resetsAt) }
            : { ...q, last5h: round(q.last5h), max5h: round(q.max5h), percent: round(q.percent, 1) },
    };
  },
});
