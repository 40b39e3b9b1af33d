// The twelve INSIGHTS panels, each a function drawing its content into a panel's inner area. `full` is true when
// the panel is opened full screen (more rows).
import { rect, type Canvas, type Rect, type RGB } from "../canvas.ts";
import type { InsightsView, Stat } from "../../model/insights-view.ts";
import { cleanText } from "../../ingest/sanitize.ts";
import { familyOf } from "../../model/pricing.ts";
import { compact, hhmm, usd } from "../format.ts";
import type { HitMap } from "../hits.ts";
import { fit, padLeft, padRight } from "../text.ts";
import { theme } from "../theme.ts";
import { drawRankedBars, drawShareBar } from "./bars.ts";
import { drawTable, type Column } from "./table.ts";

export type InsightId =
  | "tokens"
  | "sessions"
  | "cost"
  | "durations"
  | "overTime"
  | "success"
  | "entrypoints"
  | "projects"
  | "models"
  | "toolTypes"
  | "decisions"
  | "quota";

export type ProjectSort = "cost" | "prompts" | "responses" | "sessions";

export interface PanelContext {
  full: boolean;
  sort: ProjectSort;
  time: number;
  hits: HitMap;
}

export const PANELS: { id: InsightId; title: string }[] = [
  { id: "tokens", title: "TOTAL TOKEN USAGE" },
  { id: "sessions", title: "SESSIONS AND CONVERSATIONS" },
  { id: "cost", title: "TOTAL COST" },
  { id: "durations", title: "COMMAND DURATION" },
  { id: "overTime", title: "TOKEN USAGE OVER TIME" },
  { id: "success", title: "SUCCESS RATE" },
  { id: "entrypoints", title: "ENTRY POINT / TERMINAL" },
  { id: "projects", title: "REQUESTS PER USER / PROJECT" },
  { id: "models", title: "MODEL DISTRIBUTION" },
  { id: "toolTypes", title: "TOOL TYPES" },
  { id: "decisions", title: "USER DECISIONS" },
  { id: "quota", title: "QUOTA (5-HOUR WINDOW)" },
];

const FAMILY_COLOR = { opus: theme.opus, sonnet: theme.sonnet, haiku: theme.haiku, other: theme.other };
const SPARK = " ▁▂▃▄▅▆▇█";

function empty(c: Canvas, r: Rect, what: string): void {
  c.text(r.x + 1, r.y, fit(what, r.w - 2), { fg: theme.dim });
}

/** A label over a big number; returns the columns used (the wider of the two) plus a gap. */
function big(c: Canvas, x: number, y: number, label: string, value: string, color: typeof theme.text): number {
  const a = c.text(x, y, label, { fg: theme.dim });
  const b = c.text(x, y + 1, value, { fg: color, bold: true });
  return Math.max(a, b) + 2;
}

function sparkline(values: readonly number[], width: number): string {
  const max = Math.max(0, ...values);
  // Each day gets up to 4 columns, so a week reads as a shape rather than 7 characters lost in a wide panel.
  const each = Math.max(1, Math.min(4, Math.floor(width / Math.max(1, values.length))));
  return values.map((v) => (max > 0 && v > 0 ? SPARK[Math.max(1, Math.round((v / max) * 8))] : SPARK[0])!.repeat(each)).join("");
}

/** "label ▁▂█  peak 54": a per-day sparkline, sized to the line, with its scale. */
function sparkRow(c: Canvas, x: number, y: number, w: number, label: string, values: readonly number[], fmt: (v: number) => string, fg: RGB): void {
  const peak = `  peak ${fmt(Math.max(0, ...values))}`;
  const head = padRight(label, 13);
  const line = sparkline(values, w - head.length - 13); // the same room on every row, so the days line up
  const used = c.text(x, y, `${head}${line}`, { fg }, w);
  if (used + peak.length <= w) c.text(x + used, y, peak, { fg: theme.dim });
}

const ms = (v: number) => (v >= 60_000 ? `${(v / 60_000).toFixed(1)}m` : v >= 1000 ? `${(v / 1000).toFixed(1)}s` : `${Math.round(v)}ms`);

/** Each panel's drawer, by id: it draws inside the panel's border (`inner`). */
const DRAWERS: Record<InsightId, (c: Canvas, inner: Rect, v: InsightsView, ctx: PanelContext) => void> = {
  tokens: drawTokens,
  sessions: drawSessions,
  cost: drawCost,
  durations: drawDurations,
  overTime: drawOverTime,
  success: drawSuccess,
  entrypoints: drawEntrypoints,
  projects: drawProjects,
  models: drawModels,
  toolTypes: drawToolTypes,
  decisions: drawDecisions,
  quota: drawQuota,
};

export function drawInsightPanel(id: InsightId, c: Canvas, r: Rect, v: InsightsView, ctx: PanelContext): void {
  DRAWERS[id](c, rect(r.x + 1, r.y, r.w - 2, r.h), v, ctx);
}

function drawTokens(c: Canvas, inner: Rect, v: InsightsView, ctx: PanelContext): void {
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
  return;
}

function drawSessions(c: Canvas, inner: Rect, v: InsightsView, ctx: PanelContext): void {
  let x = inner.x;
  x += big(c, x, inner.y, "sessions", String(v.sessions.count), theme.accent);
  big(c, x + 2, inner.y, "prompts", String(v.sessions.prompts), theme.text);
  if (inner.h >= 4 && v.sessions.perDay.length > 1) {
    sparkRow(c, inner.x, inner.y + 3, inner.w, "prompts/day", v.sessions.perDay.map((d) => d.prompts), String, theme.accent);
    sparkRow(c, inner.x, inner.y + 4, inner.w, "sessions/day", v.sessions.perDay.map((d) => d.sessions), String, theme.sub);
  }
  return;
}

function drawCost(c: Canvas, inner: Rect, v: InsightsView, ctx: PanelContext): void {
  if (v.cost.byModel.length === 0) return empty(c, inner, "no responses in this window");
  const w = big(c, inner.x, inner.y, "USD at list prices (priced here)", usd(v.cost.totalUSD), theme.warn);
  // (team telemetry carries Claude Code's own figure: shown beside ours, and said which is which)
  if (v.cost.reportedUSD !== null) {
    const reported = `${usd(v.cost.reportedUSD)} (${v.cost.reportedResponses} team)`;
    if (w + 23 <= inner.w) big(c, inner.x + w, inner.y, "reported by Claude Code", reported, theme.dim);
    else c.text(inner.x, inner.y + 2, `reported by Claude Code ${reported}`, { fg: theme.dim }, inner.w); // (the row above the bars)
  }
  drawRankedBars(
    c,
    rect(inner.x, inner.y + 3, inner.w, inner.h - 3),
    v.cost.byModel.map((m) => ({ label: cleanText(m.model, 40).replace(/^claude-/, ""), value: m.costUSD, text: usd(m.costUSD), color: FAMILY_COLOR[familyOf(m.model)] })),
  );
  return;
}

function drawDurations(c: Canvas, inner: Rect, v: InsightsView, ctx: PanelContext): void {
  const all = v.durations.all;
  if (!all) return empty(c, inner, "no tool calls in this window");
  const line = (label: string, s: Stat) => `${padRight(label, 10)} p50 ${padLeft(ms(s.p50), 6)}  p95 ${padLeft(ms(s.p95), 6)}  max ${padLeft(ms(s.max), 6)}`;
  c.text(inner.x, inner.y, line("all tools", all), { fg: theme.text, bold: true }, inner.w);
  let y = inner.y + 1;
  if (v.durations.turns) c.text(inner.x, y++, line("turns", v.durations.turns), { fg: theme.accent }, inner.w);
  for (const t of v.durations.tools) {
    if (y >= inner.y + inner.h - (ctx.full ? 0 : 1)) break;
    c.text(inner.x, y++, line(cleanText(t.name, 30), t), { fg: theme.dim }, inner.w);
  }
  if (y < inner.y + inner.h && v.durations.p95PerDay.length > 1)
    sparkRow(c, inner.x, inner.y + inner.h - 1, inner.w, "p95/day", v.durations.p95PerDay.map((d) => d.p95 ?? 0), ms, theme.warn);
  return;
}

function drawOverTime(c: Canvas, inner: Rect, v: InsightsView, ctx: PanelContext): void {
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
  return;
}

function drawSuccess(c: Canvas, inner: Rect, v: InsightsView, ctx: PanelContext): void {
  const s = v.success;
  const rate = (ok: number, bad: number) => (ok + bad > 0 ? `${((100 * ok) / (ok + bad)).toFixed(1)}%` : "–");
  let x = inner.x;
  x += big(c, x, inner.y, "API requests", rate(s.apiOk, s.apiFailed), s.apiFailed > 0 ? theme.warn : theme.ok);
  big(c, x + 2, inner.y, "tool calls", rate(s.toolsOk, s.toolsFailed), s.toolsFailed > 0 ? theme.warn : theme.ok);
  c.text(inner.x, inner.y + 3, `${s.apiOk} ok · ${s.apiFailed} failed · ${s.apiRetries} retries`, { fg: theme.dim }, inner.w);
  c.text(inner.x, inner.y + 4, `${s.toolsOk} ok · ${s.toolsFailed} errors`, { fg: theme.dim }, inner.w);
  return;
}

function drawEntrypoints(c: Canvas, inner: Rect, v: InsightsView, ctx: PanelContext): void {
  const rows = v.terminals.length > 0 ? v.terminals : v.entrypoints;
  if (rows.length === 0) return empty(c, inner, "no sessions in this window");
  drawRankedBars(c, inner, rows.map((e) => ({ label: cleanText(e.name, 30), value: e.sessions, color: theme.sub })));
  return;
}

type ProjectRow = InsightsView["projects"][number];

function drawProjects(c: Canvas, inner: Rect, v: InsightsView, ctx: PanelContext): void {
  const perUser = v.users.length > 0;
  const list = perUser ? v.users : v.projects;
  if (list.length === 0) return empty(c, inner, "no sessions in this window");
  const num = (by: ProjectSort, head: string, w: number, value: (p: ProjectRow) => string, color = theme.text): Column<ProjectRow> => ({
    head,
    w,
    align: "right",
    color,
    value,
    onHead: { type: "sortProjects", by },
    active: ctx.sort === by,
  });
  const columns: Column<ProjectRow>[] = [
    { head: perUser ? "user" : "project", w: 8, flex: true, color: theme.text, value: (p) => cleanText(p.project, 60) },
    num("sessions", "sess", 6, (p) => String(p.sessions)),
    num("prompts", "prompts", 8, (p) => String(p.prompts)),
    num("responses", "resp", 7, (p) => String(p.responses)),
    num("cost", "cost", 9, (p) => usd(p.costUSD), theme.warn),
  ];
  const field = ctx.sort === "cost" ? "costUSD" : ctx.sort;
  const sorted = [...list].sort((a, b) => b[field] - a[field] || b.costUSD - a.costUSD);
  drawTable(c, inner, { columns, rows: sorted, scroll: 0 }, ctx.hits);
  return;
}

function drawModels(c: Canvas, inner: Rect, v: InsightsView, ctx: PanelContext): void {
  if (v.cost.byModel.length === 0) return empty(c, inner, "no responses in this window");
  const total = v.cost.byModel.reduce((a, m) => a + m.responses, 0);
  drawRankedBars(
    c,
    inner,
    v.cost.byModel.map((m) => ({ label: cleanText(m.model, 40).replace(/^claude-/, ""), value: m.responses, text: `${m.responses} · ${usd(m.costUSD)}`, color: FAMILY_COLOR[familyOf(m.model)] })),
    total,
  );
  return;
}

function drawToolTypes(c: Canvas, inner: Rect, v: InsightsView, ctx: PanelContext): void {
  if (v.toolTypes.length === 0) return empty(c, inner, "no tool calls in this window");
  drawRankedBars(c, inner, v.toolTypes.map((t) => ({ label: cleanText(t.name, 40), value: t.calls, text: t.errors > 0 ? `${t.calls} (${t.errors}✗)` : String(t.calls), color: theme.accent })));
  return;
}

function drawDecisions(c: Canvas, inner: Rect, v: InsightsView, ctx: PanelContext): void {
  const d = v.decisions;
  if (d.accepted + d.rejected === 0) return empty(c, inner, "no tool calls in this window");
  drawShareBar(c, rect(inner.x, inner.y, inner.w, 2), [
    { label: "accepted", value: d.accepted, color: theme.ok },
    { label: "rejected", value: d.rejected, color: theme.error },
  ]);
  d.byTool.slice(0, inner.h - 3).forEach((t, i) => {
    c.text(inner.x, inner.y + 3 + i, `${padRight(cleanText(t.name, 30), Math.max(8, inner.w - 18))}${padLeft(String(t.accepted), 7)} ✓${padLeft(String(t.rejected), 5)} ✗`, { fg: t.rejected > 0 ? theme.text : theme.dim }, inner.w);
  });
  return;
}

function drawQuota(c: Canvas, inner: Rect, v: InsightsView, ctx: PanelContext): void {
  const q = v.quota;
  if (!q) return empty(c, inner, "no responses yet");
  const pct = Math.min(100, q.percent);
  const color = pct <= 70 ? theme.ok : pct <= 80 ? theme.warn : pct <= 90 ? theme.amber : theme.error;
  big(c, inner.x, inner.y, q.kind === "live" ? "5-hour allowance used" : "last 5 h vs your busiest 5 h (an estimate)", `${q.percent.toFixed(0)}%`, color);
  const barW = inner.w;
  const filled = Math.round((pct / 100) * barW);
  for (let k = 0; k < barW; k++) c.cell(inner.x + k, inner.y + 3, k < filled ? "█" : "░", { fg: k < filled ? color : theme.rule });
  if (inner.h >= 5)
    c.text(
      inner.x,
      inner.y + 4,
      q.kind === "live" ? (q.resetsAt ? `resets ${hhmm(q.resetsAt)}` : "") : `${compact(q.last5h)} of ${compact(q.max5h)} effective tokens`,
      { fg: theme.dim },
      inner.w,
    );
  return;
}

function area(c: Canvas, r: Rect, values: readonly number[], color: typeof theme.text, label: string): void {
  const max = Math.max(0, ...values);
  const n = values.length;
  for (let x = 0; x < r.w; x++) {
    // resample to the width
    const i = Math.min(n - 1, Math.floor((x * n) / r.w));
    const h = max > 0 ? (values[i]! / max) * r.h * 8 : 0;
    for (let row = 0; row < r.h; row++) {
      const e = Math.max(0, Math.min(8, Math.round(h - row * 8)));
      if (e > 0) c.cell(r.x + x, r.y + r.h - 1 - row, SPARK[e]!, { fg: color });
    }
  }
  c.text(r.x, r.y, `${label} ${compact(max)}`, { fg: color, bold: true });
}
