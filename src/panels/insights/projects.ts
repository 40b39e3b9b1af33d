// REQUESTS PER USER / PROJECT, drawn: a table per user (team telemetry) or per project; a click on a column's
// header sorts by it (model: src/model/insights/projects.ts).
import { cleanText } from "../../shared/sanitize.ts";
import type { InsightsView } from "../../model/insights-view.ts";
import type { ProjectSort } from "../../model/insights/panel.ts";
import { usd, count } from "../../ui/format.ts";
import { theme } from "../../ui/theme.ts";
import { empty } from "../../ui/widgets/figures.ts";
import { drawTable, type Column } from "../../ui/widgets/table.ts";
import type { InsightDraw } from "./panel.ts";

type Row = InsightsView["users"][number];

export const drawProjects: InsightDraw = (c, inner, v, ctx) => {
  const perUser = v.users.length > 0;
  const list: readonly Row[] = perUser ? v.users : v.projects;
  if (list.length === 0) return empty(c, inner, "no sessions in this window");
  const n = (x: number) => count(x); // ("–": a figure the source does not have)
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
};
