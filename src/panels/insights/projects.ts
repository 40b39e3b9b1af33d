// REQUESTS PER USER / PROJECT: sessions, prompts, responses and cost per user (team telemetry) or per project;
// a click on a column's header sorts by it.
import { cleanText } from "../../shared/sanitize.ts";
import type { InsightsView } from "../../model/insights-view.ts";
import { projectName } from "../../model/selectors.ts";
import { usd } from "../../ui/format.ts";
import { theme } from "../../ui/theme.ts";
import { empty } from "../../ui/widgets/figures.ts";
import { drawTable, type Column } from "../../ui/widgets/table.ts";
import { insightPanel, round, type ProjectSort } from "./panel.ts";

type Row = InsightsView["users"][number];
type Sums = Map<string, { sessions: Set<string>; prompts: number; responses: number; costUSD: number }>;

function row(m: Sums, k: string) {
  let e = m.get(k);
  if (!e) m.set(k, (e = { sessions: new Set(), prompts: 0, responses: 0, costUSD: 0 }));
  return e;
}

const rows = (m: Sums): Row[] =>
  [...m.entries()].map(([p, v]) => ({ project: p, sessions: v.sessions.size, prompts: v.prompts, responses: v.responses, costUSD: v.costUSD })).sort((a, b) => b.costUSD - a.costUSD);

export const projects = insightPanel<"projects" | "users">({
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
  draw(c, inner, v, ctx) {
    const perUser = v.users.length > 0;
    const list: readonly Row[] = perUser ? v.users : v.projects;
    if (list.length === 0) return empty(c, inner, "no sessions in this window");
    const n = (x: number) => (Number.isNaN(x) ? "–" : String(x)); // (a figure the source does not have)
    const num = (by: ProjectSort, head: string, w: number, value: (p: Row) => string, color = theme.text): Column<Row> => ({
      head,
      w,
      align: "right",
      color,
      value,
      onHead: { type: "sortProjects", by },
      active: ctx.sort === by,
    });
    const columns: Column<Row>[] = [
      { head: perUser ? "user" : "project", w: 8, flex: true, color: theme.text, value: (p) => cleanText(p.project, 60) },
      num("sessions", "sess", 6, (p) => n(p.sessions)),
      num("prompts", "prompts", 8, (p) => n(p.prompts)),
      num("responses", "resp", 7, (p) => n(p.responses)),
      num("cost", "cost", 9, (p) => usd(p.costUSD), theme.warn),
    ];
    const field = ctx.sort === "cost" ? "costUSD" : ctx.sort;
    // (the row of everyone beyond the top stays last, whatever the order)
    const sorted = [...list].sort((a, b) => Number(a.others ?? false) - Number(b.others ?? false) || (b[field] || 0) - (a[field] || 0) || b.costUSD - a.costUSD);
    drawTable(c, inner, { columns, rows: sorted, scroll: 0 }, ctx.hits);
  },
  json: (v) => ({
    projects: v.projects.map((p) => ({ ...p, costUSD: round(p.costUSD, 4) })),
    users: v.users.map(({ project, ...p }) => ({ user: project, ...p, costUSD: round(p.costUSD, 4) })),
  }),
});
