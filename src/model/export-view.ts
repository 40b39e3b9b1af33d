// `e`: the view on screen as CSV (its table) and JSON (its numbers), named after the view and the time. Pure: the
// runner writes the files.
import { cleanText, jsonText } from "../shared/sanitize.ts";
import type { HistoryView } from "./history-view.ts";
import type { InsightsView } from "./insights-view.ts";
import { type LiveView } from "./selectors.ts";

export interface ViewExport {
  /** file name without extension: claude-dash-<view>-<yyyymmdd-hhmmss> (UTC) */
  name: string;
  csv: string;
  json: string;
}

const iso = (t: number) => new Date(t).toISOString();
const stamp = (t: number) => iso(t).replace(/[-:]/g, "").replace("T", "-").slice(0, 15);

/** One CSV field: text cleaned of control characters, quoted when needed, and never read as a spreadsheet formula. */
function field(v: string | number | null): string {
  if (v === null) return "";
  if (typeof v === "number") return Number.isFinite(v) ? String(Math.round(v * 10_000) / 10_000) : "";
  let s = cleanText(v, 1000);
  if (/^[=+\-@]/.test(s)) s = `'${s}`;
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csv(head: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string {
  return [head.join(","), ...rows.map((r) => r.map(field).join(","))].join("\n") + "\n";
}

const bucketRow = (b: LiveView["buckets"][number]) => [
  iso(b.start),
  b.uncached,
  b.cacheWrite5m,
  b.cacheWrite1h,
  b.cacheRead,
  b.newInput,
  b.cacheMiss,
  b.output,
  b.responses,
];
const BUCKET_HEAD = ["start", "uncached", "cacheWrite5m", "cacheWrite1h", "cacheRead", "newInput", "cacheMiss", "output", "responses"];

/** LIVE: the sessions as listed (CSV), and the window's totals, buckets and sessions (JSON). */
export function exportLive(v: LiveView, now: number): ViewExport {
  const head = [
    "sessionId",
    "project",
    "title",
    "branch",
    "cwd",
    "lastActivity",
    "model",
    "contextTokens",
    "contextWindow",
    "mainFresh1h",
    "subFresh1h",
    "mainFreshWindow",
    "subFreshWindow",
    "effectiveTokens",
    "costUSD",
  ];
  const rows = v.sessions.map((s) => [
    s.sessionId,
    s.project,
    s.title,
    s.branch,
    s.cwd,
    iso(s.lastActivity),
    s.model,
    s.contextTokens,
    s.contextWindow,
    s.mainFresh1h,
    s.subFresh1h,
    s.mainFreshWindow,
    s.subFreshWindow,
    s.effectiveTokens,
    s.costUSD,
  ]);
  const json = {
    view: "live",
    exportedAt: iso(now),
    window: { from: iso(v.window.from), to: iso(v.window.to), bucketMinutes: v.window.bucketMinutes },
    totals: v.totals,
    counts: v.counts,
    buckets: v.buckets.map((b) => ({ ...b, start: iso(b.start) })),
    sessions: v.sessions.map((s) => ({
      ...s,
      lastActivity: iso(s.lastActivity),
      lastApiError: s.lastApiError ? { ...s.lastApiError, time: iso(s.lastApiError.time) } : null,
    })),
  };
  return { name: `claude-dash-live-${stamp(now)}`, csv: csv(head, rows), json: `${jsonText(json)}\n` };
}

/** HISTORY: one row per bar (CSV), and the span's totals, bars, families and activity map (JSON). */
export function exportHistory(v: HistoryView, now: number): ViewExport {
  const json = {
    view: "history",
    exportedAt: iso(now),
    window: { from: iso(v.window.from), to: iso(v.window.to), bucketMinutes: v.window.bucketMinutes },
    totals: v.totals,
    counts: v.counts,
    cacheHitRate: v.cacheHitRate,
    buckets: v.buckets.map((b) => ({ ...b, start: iso(b.start) })),
    families: v.families,
    heatmap: v.heatmap,
  };
  return { name: `claude-dash-history-${stamp(now)}`, csv: csv(BUCKET_HEAD, v.buckets.map(bucketRow)), json: `${jsonText(json)}\n` };
}

/** INSIGHTS: the per-user (team) or per-project table (CSV), and every panel's numbers (JSON, as --json gives them). */
export function exportInsights(v: InsightsView, panelsJson: Record<string, unknown>, now: number): ViewExport {
  const perUser = v.users.length > 0;
  const rows = (perUser ? v.users : v.projects).map((p) => [p.project, p.sessions, p.prompts, p.responses, p.costUSD]);
  const json = { view: "insights", exportedAt: iso(now), ...panelsJson };
  return {
    name: `claude-dash-insights-${stamp(now)}`,
    csv: csv([perUser ? "user" : "project", "sessions", "prompts", "responses", "costUSD"], rows),
    json: `${jsonText(json)}\n`,
  };
}
