// The `--json` contract: the LIVE numbers as one plain object. Field names are stable (scripts and the UI's
// snapshot tests depend on them). Times are ISO-8601 UTC strings.
import { FAMILIES, WEEKDAY_NAMES, type HistoryView } from "./history-view.ts";
import type { AllowanceView } from "./allowance-view.ts";
import type { Totals } from "./state.ts";
import { selectActiveSessions, windowOf, type WindowOptions } from "./selectors.ts";
import { bucketsOf, totalsOf, type UsageQueries } from "./queries.ts";
import { isCopy } from "./pricing.ts";
import type { ClaudeCodeCheck } from "./reconcile.ts";

export interface Diagnostics {
  roots: string[];
  files: number;
  /** transcripts not read because they were last written before the window (they cannot change it). */
  filesDeferred: number;
  bytesRead: number;
  linesRead: number;
  linesRejected: number;
  /** the first rejected lines, with file and line number. */
  rejected: { file: string; line: number; reason: string }[];
  /** directories or files that could not be read. */
  unreadable: { path: string; reason: string }[];
  /** the usage store: its state (ok, created, off, read-only, recovered…), its file, what the user should know, and
   *  history lost and not yet acknowledged (null when none). */
  store: { state: string; path: string | null; notice: string | null; loss?: StoreLossJson | null };
  /** responses in the window known only from a parent's progress copy (the subagent's own file is missing): counted,
   *  but their output is a placeholder (set by dashboardJson). */
  responsesFromProgressCopies?: number;
  /** why stored team telemetry is not shown (the telemetry store cannot be read), when that is so. */
  telemetry?: string;
}

/** Usage history lost when the store was damaged, emptied or deleted (see src/ingest/store-marker.ts). */
interface StoreLossJson {
  /** when it was found (ISO-8601 UTC). */
  at: string;
  /** responses whose usage could not be saved, or null when that cannot be counted. */
  responses: number | null;
  /** responses the store held before, or null when unknown. */
  of: number | null;
  cause: "damaged" | "emptied" | "missing";
  /** where the damaged file was moved. */
  movedTo: string | null;
}

/** Round bucket sizes for --json, smallest first: the smallest that keeps a window within MAX_JSON_BUCKETS is used. */
const JSON_BUCKETS = [5, 15, 30, 60, 120, 180, 360, 720, 1440, 10080, 43200];
const MAX_JSON_BUCKETS = 2016;

/** --json's bucket when none is given: 5 minutes, or for a long window the smallest round size that fits 2016 buckets (a week of 5 minutes). */
export function jsonBucketMinutes(windowHours: number): number {
  return JSON_BUCKETS.find((m) => (windowHours * 60) / m <= MAX_JSON_BUCKETS) ?? Math.ceil((windowHours * 60) / MAX_JSON_BUCKETS);
}

const iso = (t: number) => new Date(t).toISOString();
const round = (x: number, digits = 0) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** Window totals as JSON (the contract's names; effective tokens whole, cost to 1/100 of a cent). */
function totalsJson(t: Totals) {
  return {
    responses: t.responses,
    uncached: t.uncached,
    cacheWrite5m: t.cacheWrite5m,
    cacheWrite1h: t.cacheWrite1h,
    cacheRead: t.cacheRead,
    output: t.output,
    effectiveTokens: round(t.effectiveTokens),
    costUSD: round(t.costUSD, 4),
  };
}

/** The allowance as JSON: status, account, limits with reset times, the age of the numbers, the last problem. */
function allowanceJson(v: AllowanceView) {
  const at = (t: number | null) => (t === null ? null : iso(t));
  const e = v.estimate;
  return {
    status: v.status,
    /** where the 5-hour numbers come from: "statusline" (Claude Code's status line), "endpoint" (claude.ai's usage
     *  endpoint) or "estimate" (the transcripts) */
    source: v.source,
    sourceLabel: v.sourceLabel,
    /** false with --no-allowance: claude.ai is not asked (recorded figures and the estimate are still given) */
    endpointAsked: v.endpointAsked,
    account: v.account,
    fetchedAt: at(v.fetchedAt),
    limits: v.limits.map((l) => ({ kind: l.kind, percent: l.percent, resetsAt: at(l.resetsAt), origin: l.origin, seenAt: iso(l.time) })),
    projectedLimitAt: at(v.projectedLimitAt),
    estimate: e
      ? {
          burnUSDPerHour: round(e.burnUSDPerHour, 4),
          burnSpanMinutes: e.burnSpanMs / 60_000,
          blockStart: at(e.blockStart),
          blockEnd: at(e.blockEnd),
          blockCostUSD: round(e.blockCostUSD, 4),
          projectedUSD: e.projectedUSD === null ? null : round(e.projectedUSD, 4),
          limitUSD: e.limitUSD === null ? null : round(e.limitUSD, 4),
          limitSeen: e.limitSeen ? { at: iso(e.limitSeen.time), percent: e.limitSeen.percent, origin: e.limitSeen.origin } : null,
          percent: e.percent === null ? null : round(e.percent, 2),
          limitAt: at(e.limitAt),
        }
      : null,
    problem: v.problem
      ? { kind: v.problem.problem, message: v.problem.message, at: iso(v.problem.time), retryAt: v.problem.retryAt === null ? null : iso(v.problem.retryAt) }
      : null,
  };
}

/** A session's cost as Claude Code reported it, and how it compares with ours (see reconcile.ts), as JSON: the figure
 *  (null when Claude Code reported none) and, only with one, the reconciliation. Shared by --json and --report. */
export function claudeCodeJson(c: ClaudeCodeCheck | null) {
  return {
    claudeCodeCostUSD: c ? round(c.claudeCodeUSD, 4) : null,
    reconciliation: c
      ? {
          /** when Claude Code's figure was seen */
          claudeCodeAt: iso(c.at),
          /** our cost of the whole session (all stored history), what its figure is set beside */
          oursUSD: round(c.oursUSD, 4),
          /** ours − Claude Code's, and that in % of Claude Code's (null when its figure is 0) */
          deltaUSD: round(c.deltaUSD, 4),
          deltaPercent: c.deltaPercent === null ? null : round(c.deltaPercent, 2),
          /** more than 1 % apart */
          differs: c.differs,
          causes: c.causes,
        }
      : null,
  };
}

export function dashboardJson(
  q: UsageQueries,
  o: WindowOptions & { priceOverride?: number },
  diagnostics: Diagnostics,
  demo: boolean,
  allowance?: AllowanceView,
) {
  const w = windowOf(o);
  const cells = q.cells(w.from, w.to, w.bucketMinutes * 60_000);
  return {
    now: iso(o.now),
    demo,
    window: { from: iso(w.from), to: iso(w.to), bucketMinutes: w.bucketMinutes },
    totals: totalsJson(totalsOf(cells, o.priceOverride)),
    buckets: bucketsOf(cells, w.from, w.to, w.bucketMinutes).map((b) => ({ ...b, start: iso(b.start) })),
    sessions: selectActiveSessions(q, o).map(({ claudeCode, ...v }) => ({
      ...v,
      costUSD: round(v.costUSD, 4),
      subagents: v.subagents.map((a) => ({ ...a, costUSD: round(a.costUSD, 4) })),
      lastActivity: iso(v.lastActivity),
      lastApiError: v.lastApiError ? { ...v.lastApiError, time: iso(v.lastApiError.time) } : null,
      ...claudeCodeJson(claudeCode),
    })),
    counts: q.counts(w.from, w.to),
    allowance: allowance ? allowanceJson(allowance) : null,
    diagnostics: { ...diagnostics, responsesFromProgressCopies: cells.reduce((n, c) => n + (isCopy(c.cls) ? c.responses : 0), 0) },
  };
}

/** `--json --view history`: the HISTORY numbers, named in the style of the LIVE contract. */
export function historyJson(v: HistoryView, o: { timeZone: string | undefined; priceOverride: number | undefined }, diagnostics: Diagnostics, demo: boolean) {
  const t = v.totals;
  return {
    now: iso(v.now),
    demo,
    view: "history",
    window: { from: iso(v.window.from), to: iso(v.window.to), bucketMinutes: v.window.bucketMinutes },
    timeZone: o.timeZone ?? null,
    totals: { ...totalsJson(t), cacheHitRate: v.cacheHitRate === null ? null : round(v.cacheHitRate, 4) },
    cost: { estimate: true, priceOverridePerMtok: o.priceOverride ?? null, responsesPricedByFamily: v.estimatedResponses },
    buckets: v.buckets.map((b) => ({ ...b, start: iso(b.start) })),
    models: FAMILIES.map((family) => ({ family, effectiveTokens: round(v.familyTotals[family]), buckets: v.families[family].map((x) => round(x)) })),
    heatmap: v.heatmap.map((c) => ({
      weekday: WEEKDAY_NAMES[c.weekday]!,
      hour: c.hour,
      effectiveTokens: round(c.effectiveTokens),
      responses: c.responses,
      costUSD: round(c.costUSD, 4),
    })),
    counts: v.counts,
    diagnostics,
  };
}
