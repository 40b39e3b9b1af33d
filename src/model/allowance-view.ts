// The ALLOWANCE panel's view model: the last good limits with their age, the current problem, and — when the
// numbers allow an honest estimate — when the 5-hour limit would be reached at the last hour's burn rate.
import type { AllowanceProblem } from "./events.ts";
import { totalsOf, type UsageQueries } from "./queries.ts";
import type { ModelState } from "./state.ts";

const HOUR = 3_600_000;

export interface AllowanceLimitView {
  kind: string;
  label: string;
  percent: number;
  resetsAt: number | null;
}

export interface AllowanceView {
  /** off: the feature is disabled; waiting: no answer yet; ok: numbers; problem: no numbers, only a problem. */
  status: "off" | "waiting" | "ok" | "problem";
  limits: AllowanceLimitView[];
  /** when the numbers were fetched. */
  fetchedAt: number | null;
  problem: { problem: AllowanceProblem; message: string; retryAt: number | null; time: number } | null;
  account: string | null;
  /** when the 5-hour limit would be reached at the last hour's rate of effective tokens (before it resets). */
  projectedLimitAt: number | null;
}

const LABELS: Record<string, string> = { session: "5-hour", weekly: "weekly", weekly_opus: "weekly Opus", weekly_sonnet: "weekly Sonnet" };
const ORDER = ["session", "weekly", "weekly_opus", "weekly_sonnet"];

/** `s` holds the allowance events; `q` answers what was spent (for the projection). */
export function selectAllowance(s: ModelState, q: UsageQueries, now: number, enabled: boolean): AllowanceView {
  const a = s.allowance;
  const limits = (a.last?.limits ?? [])
    .map((l) => ({ kind: l.kind, label: LABELS[l.kind] ?? l.kind.replace(/_/g, " "), percent: l.percent, resetsAt: l.resetsAt }))
    .sort((x, y) => (ORDER.indexOf(x.kind) + 1 || 99) - (ORDER.indexOf(y.kind) + 1 || 99));
  const status = !enabled ? "off" : a.last ? "ok" : a.problem ? "problem" : "waiting";
  return {
    status,
    limits,
    fetchedAt: a.last?.time ?? null,
    problem: a.problem,
    account: a.account,
    projectedLimitAt: enabled ? projection(q, now, limits.find((l) => l.kind === "session")) : null,
  };
}

/**
 * At U % used of the 5-hour window with E effective tokens spent in it, one percent is about E / U tokens;
 * the rest, (100 − U) × E / U, lasts (rest / last hour's tokens) hours. Shown only when that is honest: some
 * use (U ≥ 5 %, E > 0), a current burn rate, and a limit reached before the window resets.
 */
export function projection(q: UsageQueries, now: number, session: AllowanceLimitView | undefined): number | null {
  if (!session || session.percent < 5 || session.percent >= 100) return null;
  const windowStart = session.resetsAt !== null ? session.resetsAt - 5 * HOUR : now - 5 * HOUR;
  const spent = totalsOf(q.cells(Math.max(windowStart, now - 5 * HOUR), now, 5 * HOUR)).effectiveTokens;
  const lastHour = totalsOf(q.cells(now - HOUR, now, HOUR)).effectiveTokens;
  if (spent <= 0 || lastHour <= 0) return null;
  const rest = ((100 - session.percent) * spent) / session.percent;
  const at = now + (rest / lastHour) * HOUR;
  if (session.resetsAt !== null && at >= session.resetsAt) return null;
  return at;
}
