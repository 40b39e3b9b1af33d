// REQUESTS PER USER / PROJECT: sessions, prompts, responses and cost per user (team telemetry) or per project.
import type { InsightsView } from "../insights-view.ts";
import { projectName } from "../selectors.ts";
import { insightModel, round } from "./panel.ts";

type Row = InsightsView["users"][number];
type Sums = Map<string, { sessions: Set<string>; prompts: number; responses: number; costUSD: number }>;

function row(m: Sums, k: string) {
  let e = m.get(k);
  if (!e) m.set(k, (e = { sessions: new Set(), prompts: 0, responses: 0, costUSD: 0 }));
  return e;
}

const rows = (m: Sums): Row[] =>
  [...m.entries()]
    .map(([p, v]) => ({ project: p, sessions: v.sessions.size, prompts: v.prompts, responses: v.responses, costUSD: v.costUSD }))
    .sort((a, b) => b.costUSD - a.costUSD);

export const projects = insightModel<"projects" | "users">({
  id: "projects",
  title: "REQUESTS PER USER / PROJECT",
  note: "Per user where team telemetry gives users; otherwise per project (last part of the working directory): sessions, prompts, responses and cost.",
  select(i) {
    const byProject: Sums = new Map();
    const byUser: Sums = new Map();
    const priced = i.priced();
    i.parts.forEach((p, k) => {
      for (const c of priced[k]!) {
        const pr = row(byProject, projectName(i.where(c.sessionId)?.cwd ?? null));
        pr.sessions.add(c.sessionId);
        pr.responses += c.responses;
        pr.costUSD += c.costUSD;
        if (c.user) {
          const ur = row(byUser, c.user);
          ur.sessions.add(c.sessionId);
          ur.responses += c.responses;
          ur.costUSD += c.costUSD;
        }
      }
      for (const c of p.prompts) {
        row(byProject, projectName(i.where(c.sessionId)?.cwd ?? null)).prompts += c.prompts;
        if (c.user) row(byUser, c.user).prompts += c.prompts;
      }
    });
    return { projects: rows(byProject), users: rows(byUser) };
  },
  json: (v) => ({
    projects: v.projects.map((p) => ({ ...p, costUSD: round(p.costUSD, 4) })),
    users: v.users.map(({ project, ...p }) => ({ user: project, ...p, costUSD: round(p.costUSD, 4) })),
  }),
});
