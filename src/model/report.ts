// `--report daily|weekly|monthly|session`: a cost table of all stored history, priced per model. Periods are local
// dates in a time zone (weeks start on Monday); each period's figures are the same sums HISTORY shows for that span.
import { addUsage, type Usage } from "./events.ts";
import type { SessionCell, SessionLabel, UsageCell } from "./queries.ts";
import type { ClaudeCodeCheck } from "./reconcile.ts";
import { projectName } from "./selectors.ts";
import { priceCell, type TokenCell } from "./pricing.ts";
import { effectiveTokens } from "./tokens.ts";

type ReportKind = "daily" | "weekly" | "monthly" | "session";

interface ReportModel extends Usage {
  model: string;
  responses: number;
  effectiveTokens: number;
  costUSD: number;
}

export interface ReportRow extends Usage {
  /** the local date (daily), the Monday of the week (weekly), the month (YYYY-MM), or the session id. */
  period: string;
  /** sessions: project · title. */
  label: string | null;
  /** first and last response of the row (epoch ms). */
  first: number;
  last: number;
  responses: number;
  effectiveTokens: number;
  costUSD: number;
  /** by model, most expensive first. */
  models: ReportModel[];
  /** sessions: Claude Code's own figure for the session beside ours (see reconcile.ts); null when it reported none. */
  claudeCode: ClaudeCodeCheck | null;
}

export interface Report {
  kind: ReportKind;
  rows: ReportRow[];
  totals: Omit<ReportRow, "period" | "label">;
  /** responses of models the price table does not know (priced by their family). */
  estimatedResponses: number;
}

/** The slots that tell local dates apart: every zone offset in use is a multiple of 15 minutes. */
export const REPORT_SLOT_MS = 15 * 60_000;

/** Local date parts of an instant in a zone (memoised per quarter hour). */
function localDateOf(timeZone: string | undefined): (t: number) => { y: number; m: number; d: number } {
  const fmt = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "numeric", day: "numeric" });
  const memo = new Map<number, { y: number; m: number; d: number }>();
  return (t) => {
    const q = Math.floor(t / REPORT_SLOT_MS);
    let v = memo.get(q);
    if (!v) {
      const parts: Record<string, number> = {};
      for (const p of fmt.formatToParts(q * REPORT_SLOT_MS)) if (p.type !== "literal") parts[p.type] = Number(p.value);
      v = { y: parts.year ?? 1970, m: parts.month ?? 1, d: parts.day ?? 1 };
      memo.set(q, v);
    }
    return v;
  };
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** The period a date belongs to. */
function periodOf(kind: Exclude<ReportKind, "session">, date: { y: number; m: number; d: number }): string {
  if (kind === "monthly") return `${date.y}-${pad(date.m)}`;
  if (kind === "daily") return `${date.y}-${pad(date.m)}-${pad(date.d)}`;
  // The Monday of its week (a calendar computation on the local date, so no zone is involved).
  const day = Date.UTC(date.y, date.m - 1, date.d);
  const monday = new Date(day - ((new Date(day).getUTCDay() + 6) % 7) * 86_400_000);
  return `${monday.getUTCFullYear()}-${pad(monday.getUTCMonth() + 1)}-${pad(monday.getUTCDate())}`;
}

function emptyRow(period: string, label: string | null): ReportRow {
  return {
    period,
    label,
    first: Infinity,
    last: -Infinity,
    responses: 0,
    uncached: 0,
    cacheWrite5m: 0,
    cacheWrite1h: 0,
    cacheRead: 0,
    output: 0,
    effectiveTokens: 0,
    costUSD: 0,
    models: [],
    claudeCode: null,
  };
}

/** Adds responses of one model at their cost (each rate class priced apart by the caller). */
function add(row: ReportRow, model: string, responses: number, usage: Usage, cost: number, first: number, last: number): void {
  const eff = effectiveTokens(usage);
  row.responses += responses;
  addUsage(row, usage);
  row.effectiveTokens += eff;
  row.costUSD += cost;
  row.first = Math.min(row.first, first);
  row.last = Math.max(row.last, last);
  let m = row.models.find((x) => x.model === model);
  if (!m)
    row.models.push((m = { model, responses: 0, uncached: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, output: 0, effectiveTokens: 0, costUSD: 0 }));
  m.responses += responses;
  addUsage(m, usage);
  m.effectiveTokens += eff;
  m.costUSD += cost;
}

/** A cell's cost and whether it is an estimate (its model or its fast price unknown). */
function priced(c: TokenCell & { responses: number }, priceOverride: number | undefined): { cost: number; estimated: number } {
  const { usd, price } = priceCell(c, priceOverride);
  return { cost: usd, estimated: price.estimated ? c.responses : 0 };
}

function finish(kind: ReportKind, rows: ReportRow[], estimated: number): Report {
  const totals = emptyRow("", null);
  for (const r of rows) {
    r.models.sort((a, b) => b.costUSD - a.costUSD || (a.model < b.model ? -1 : 1));
    for (const m of r.models) add(totals, m.model, m.responses, m, m.costUSD, r.first, r.last);
  }
  totals.models.sort((a, b) => b.costUSD - a.costUSD || (a.model < b.model ? -1 : 1));
  const { period: _p, label: _l, ...t } = totals;
  return { kind, rows, totals: t, estimatedResponses: estimated };
}

/** Daily, weekly or monthly rows (oldest first) from quarter-hour cells of the whole history. */
export function periodReport(kind: Exclude<ReportKind, "session">, cells: readonly UsageCell[], timeZone: string | undefined, priceOverride?: number): Report {
  const dateOf = localDateOf(timeZone);
  const rows = new Map<string, ReportRow>();
  let estimated = 0;
  for (const c of cells) {
    const period = periodOf(kind, dateOf(c.start));
    let row = rows.get(period);
    if (!row) rows.set(period, (row = emptyRow(period, null)));
    const p = priced(c, priceOverride);
    estimated += p.estimated;
    add(row, c.model, c.responses, c.usage, p.cost, c.start + 1, c.start + REPORT_SLOT_MS); // (a slot holds its end)
  }
  return finish(
    kind,
    [...rows.values()].sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : 0)),
    estimated,
  );
}

/**
 * One row per session (newest last response first), from per-session cells of the whole history; with
 * `claudeCode` (claudeCodeChecks of the sessions), each with Claude Code's own figure beside ours where it gave one.
 */
export function sessionReport(
  cells: readonly SessionCell[],
  labels: readonly SessionLabel[],
  priceOverride?: number,
  claudeCode?: ReadonlyMap<string, ClaudeCodeCheck>,
): Report {
  const label = new Map(labels.map((l) => [l.sessionId, l]));
  const rows = new Map<string, ReportRow>();
  let estimated = 0;
  for (const c of cells) {
    let row = rows.get(c.sessionId);
    if (!row) {
      const l = label.get(c.sessionId);
      const name = projectName(l?.cwd ?? null);
      rows.set(c.sessionId, (row = emptyRow(c.sessionId, l?.title ? `${name} · ${l.title}` : name)));
      row.claudeCode = claudeCode?.get(c.sessionId) ?? null;
    }
    const p = priced(c, priceOverride);
    estimated += p.estimated;
    add(row, c.model, c.responses, c.usage, p.cost, c.first, c.last);
  }
  return finish(
    "session",
    [...rows.values()].sort((a, b) => b.last - a.last || (a.period < b.period ? -1 : 1)),
    estimated,
  );
}
