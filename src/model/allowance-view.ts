// The ALLOWANCE panel's view model. It shows the freshest official figure of each limit and names where it came
// from — Claude Code's status line (recorded in the usage store by `claude-dash statusline`, possibly by another
// process while the dashboard runs), or claude.ai's usage endpoint (this run's answer, or one recorded by another
// run) — and, when no official figure is current, an estimate from the transcripts, always labelled as one.
// Pure: `now` is an argument; the store is asked afresh at every call (a figure written by another process shows
// within a second), with a handful of small aggregate queries.
import type { AllowanceFetched, AllowanceProblem } from "./events.ts";
import { totalsOf, type LimitSeen, type UsageQueries } from "./queries.ts";
import type { ModelState } from "./state.ts";

const MIN = 60_000;
const HOUR = 3_600_000;
/** A 5-hour block, and the official 5-hour window. */
const BLOCK_MS = 5 * HOUR;
/** The burn rate is what the last BURN_MINUTES (30) cost, per hour: the status line uses it too, so both say the same. */
const BURN_MINUTES = 30;
const BURN_MS = BURN_MINUTES * MIN;
/** How far back the chain of 5-hour blocks is followed to find the current one (over 2 days: see currentBlock). */
const BLOCK_LOOKBACK_MS = 3 * 24 * HOUR;
const QUARTER = 15 * MIN;
/** An estimate's limit comes from an official figure only when it says at least this much was used. */
const MIN_PERCENT = 5;

/** Where the panel's numbers come from. */
export type AllowanceSource = "statusline" | "endpoint" | "estimate";

export const SOURCE_LABELS: Record<AllowanceSource, string> = {
  statusline: "from Claude Code's status line",
  endpoint: "from claude.ai",
  estimate: "estimate from transcripts",
};

interface AllowanceLimitView {
  kind: string;
  label: string;
  percent: number;
  resetsAt: number | null;
  /** where this figure came from, and when it was seen (epoch ms). */
  origin: "statusline" | "endpoint";
  time: number;
}

/**
 * The local estimate (when no official figure is current), in dollars of the transcripts' responses as every view
 * prices them. A 5-hour block is ccusage's: it starts at the first response after a gap of ≥ 5 h, floored to the
 * hour, and lasts 5 h; the next response at or after its end starts the next block (floored the same way).
 */
interface AllowanceEstimate {
  /** dollars per hour over the last `burnSpanMs` (30 minutes). */
  burnUSDPerHour: number;
  burnSpanMs: number;
  /** the current block (start inclusive, end exclusive), or null when none is running (no response since the last
   *  one ended). */
  blockStart: number | null;
  blockEnd: number | null;
  /** what the current block has cost so far (0 without a block). */
  blockCostUSD: number;
  /** what it would cost by its end at the burn rate (null without a block). */
  projectedUSD: number | null;
  /** the 5-hour limit in dollars as last seen (see limitOf), or null when no official figure allows one. */
  limitUSD: number | null;
  /** the official figure that limit comes from. */
  limitSeen: { time: number; percent: number; origin: "statusline" | "endpoint" } | null;
  /** the block's cost as a percentage of `limitUSD` (null without one). */
  percent: number | null;
  /** when the block's cost would reach `limitUSD` at the burn rate, if before the block ends; else null. */
  limitAt: number | null;
}

export interface AllowanceView {
  /**
   * ok: official figures are shown (a weekly one alone leaves the 5-hour part to the estimate: see `source`);
   * otherwise the estimate is, and the usage endpoint is —
   * estimate: not asked (--no-allowance) or answered with nothing current; waiting: asked, no answer yet;
   * problem: failed (see `problem`, e.g. no-credentials).
   */
  status: "ok" | "estimate" | "waiting" | "problem";
  /** where the 5-hour numbers come from: the current 5-hour figure's origin, else the estimate (weekly figures may
   *  still be shown then, each with its own origin). */
  source: AllowanceSource;
  /** "from Claude Code's status line", "from claude.ai" or "estimate from transcripts" (the panel adds the age). */
  sourceLabel: string;
  /** current official figures, one per kind, the freshest of each (5-hour first). */
  limits: AllowanceLimitView[];
  /** when the official figures shown were seen: the 5-hour one, else the newest; null when none is shown. */
  fetchedAt: number | null;
  /** the usage endpoint's last problem (cleared by its next success). */
  problem: { problem: AllowanceProblem; message: string; retryAt: number | null; time: number } | null;
  account: string | null;
  /** official figures: when the 5-hour limit would be reached at the recent pace (before it resets). */
  projectedLimitAt: number | null;
  /** the local estimate, when no current 5-hour figure is known; else null. */
  estimate: AllowanceEstimate | null;
  /** false with --no-allowance: the usage endpoint is not asked (what is recorded is still shown). */
  endpointAsked: boolean;
}

const LABELS: Record<string, string> = { session: "5-hour", weekly: "weekly", weekly_opus: "weekly Opus", weekly_sonnet: "weekly Sonnet" };
const ORDER = ["session", "weekly", "weekly_opus", "weekly_sonnet"];
/** How long a kind's window lasts (a figure without a reset time is current for at most that long). */
const WINDOW_MS = (kind: string) => (kind === "session" ? BLOCK_MS : 7 * 24 * HOUR);

/** A figure still describes the window we are in: its reset is ahead (or, when unknown, it is younger than one window). */
function isCurrent(f: { kind: string; time: number; resetsAt: number | null }, now: number): boolean {
  return f.resetsAt !== null ? f.resetsAt > now : now - f.time < WINDOW_MS(f.kind);
}

/** The usage endpoint's answer as figures for the store (origin "endpoint"). */
export function endpointFigures(e: Pick<AllowanceFetched, "time" | "limits">): LimitSeen[] {
  return e.limits.map((l) => ({ kind: l.kind, time: e.time, percent: l.percent, resetsAt: l.resetsAt, origin: "endpoint", sessionId: null }));
}

/**
 * `s` holds this run's usage-endpoint events; `q` the recorded figures and what was spent. `enabled` false
 * (--no-allowance) only says the endpoint is not asked: recorded figures and the estimate are shown all the same.
 */
export function selectAllowance(s: ModelState, q: UsageQueries, now: number, enabled: boolean): AllowanceView {
  const a = s.allowance;
  const recorded = q.latestLimits();
  const seen = [...recorded, ...(a.last ? endpointFigures(a.last) : [])];
  // The freshest current figure of each kind (a tie goes to the status line, which the design ranks first).
  const best = new Map<string, LimitSeen>();
  for (const f of seen) {
    if (!Number.isFinite(f.percent) || !isCurrent(f, now)) continue;
    const b = best.get(f.kind);
    if (!b || f.time > b.time || (f.time === b.time && f.origin === "statusline")) best.set(f.kind, f);
  }
  const limits: AllowanceLimitView[] = [...best.values()]
    .map((l) => ({
      kind: l.kind,
      label: LABELS[l.kind] ?? l.kind.replace(/_/g, " "),
      percent: l.percent,
      resetsAt: l.resetsAt,
      origin: l.origin,
      time: l.time,
    }))
    .sort((x, y) => (ORDER.indexOf(x.kind) + 1 || 99) - (ORDER.indexOf(y.kind) + 1 || 99) || x.kind.localeCompare(y.kind));
  const session = limits.find((l) => l.kind === "session");
  const head = session ?? [...limits].sort((x, y) => y.time - x.time)[0];
  // (without a current 5-hour figure the 5-hour part is the estimate, weekly figures shown or not)
  const source: AllowanceSource = session?.origin ?? "estimate";
  const status = head ? "ok" : !enabled ? "estimate" : a.problem ? "problem" : a.last ? "estimate" : "waiting";
  return {
    status,
    source,
    sourceLabel: SOURCE_LABELS[source],
    limits,
    fetchedAt: head?.time ?? null,
    problem: a.problem,
    account: a.account,
    projectedLimitAt: session ? projection(q, now, session, s.priceOverride) : null,
    estimate: session ? null : estimateAllowance(q, now, lastSessionFigure(s, q, now, recorded), s.priceOverride),
    endpointAsked: enabled,
  };
}

/** What responses with from < time <= to cost, in dollars. */
function costBetween(q: UsageQueries, from: number, to: number, priceOverride?: number): number {
  if (!(to > from)) return 0;
  return totalsOf(q.cells(from, to, Math.max(1, to - from)), priceOverride).costUSD;
}

/** Dollars per hour over the last BURN_MS. */
export function burnRate(q: UsageQueries, now: number, priceOverride?: number): number {
  return (costBetween(q, now - BURN_MS, now, priceOverride) * HOUR) / BURN_MS;
}

/** When an official 5-hour figure's window began: its reset − 5 h, else 5 h before it was seen (never after that). */
const windowStart = (f: { time: number; resetsAt: number | null }) => Math.min(f.time, f.resetsAt !== null ? f.resetsAt - BLOCK_MS : f.time - BLOCK_MS);

/** What was spent in an official 5-hour figure's window up to when it was seen (-1: a response at the very start of
 *  the window is in it; windows are from < time <= to). */
const spentBy = (q: UsageQueries, f: { time: number; resetsAt: number | null }, priceOverride?: number) =>
  costBetween(q, windowStart(f) - 1, f.time, priceOverride);

/**
 * The 5-hour limit in dollars an official 5-hour figure implies: what was spent in its window up to when it was seen
 * ÷ its percentage. Only when that is honest: percent ≥ 5 and something was spent. (The figure counts use on every
 * device of the account, the transcripts only this machine's: elsewhere-heavy use makes the limit look smaller.)
 */
function limitOf(
  q: UsageQueries,
  f: { time: number; percent: number; resetsAt: number | null },
  priceOverride?: number,
  spent = spentBy(q, f, priceOverride),
): number | null {
  if (!(f.percent >= MIN_PERCENT)) return null;
  return spent > 0 ? spent / (f.percent / 100) : null;
}

/** When `spent` grows to `limit` at `burn` dollars an hour from `now`, if that is before `end`; else null. */
function reachAt(limit: number | null, spent: number, burn: number, now: number, end: number | null): number | null {
  if (limit === null || !(burn > 0) || spent >= limit) return null;
  const at = now + ((limit - spent) / burn) * HOUR;
  return end !== null && at >= end ? null : at;
}

/**
 * An official 5-hour figure: the limit it implies (limitOf), less what its window has cost up to now, lasts
 * (rest ÷ burn rate) hours. Shown only when that is honest: percent ≥ 5, some spend, a burn rate, and the limit
 * reached before the window resets. In dollars, like the estimate, so a response of a dearer model counts for more.
 */
export function projection(
  q: UsageQueries,
  now: number,
  session: { time: number; percent: number; resetsAt: number | null },
  priceOverride?: number,
): number | null {
  if (session.percent >= 100 || session.percent < MIN_PERCENT) return null;
  const seenSpent = spentBy(q, session, priceOverride);
  const limit = limitOf(q, session, priceOverride, seenSpent);
  if (limit === null) return null;
  // (what its window has cost by now: by when it was seen, and since — a short span, the figure being current)
  const spent = seenSpent + costBetween(q, session.time, now, priceOverride);
  return reachAt(limit, spent, burnRate(q, now, priceOverride), now, session.resetsAt);
}

/**
 * The current 5-hour block (ccusage's rule, see AllowanceEstimate) and what it has cost so far, followed from the
 * first response of the last BLOCK_LOOKBACK_MS (3 days; a run of use with no 5-hour gap for longer than that starts
 * its chain there). Null when no block contains `now`.
 *
 * Cheap enough for every second: the span is asked for in quarter hours, which the store answers from its
 * quarter-hour sums (a span over 2 days), not from the responses. Block bounds are on the hour, so a quarter hour
 * (s, s + 15 min] is wholly in or out of a block — except one ending on the hour, which may hold a response at
 * exactly that hour: there the exact times of its responses are asked for.
 */
export function currentBlock(q: UsageQueries, now: number, priceOverride?: number): { start: number; end: number; costUSD: number } | null {
  const cells = q.cells(now - BLOCK_LOOKBACK_MS, now, QUARTER).filter((c) => c.responses > 0);
  const slots = [...new Set(cells.map((c) => c.start))].sort((x, y) => x - y);
  /** the times of the responses in the quarter hour (s, s + 15 min] (and at most `now`), oldest first. */
  const exact = (s: number) =>
    q
      .cells(s, Math.min(s + QUARTER, now), 1)
      .map((c) => c.start + 1)
      .sort((x, y) => x - y);
  const floorHour = (t: number) => Math.floor(t / HOUR) * HOUR;
  let start: number | null = null;
  for (const s of slots) {
    const end: number = start === null ? 0 : start + BLOCK_MS;
    // (a gap of 5 h or more always ends past the block it started in, so the end alone decides)
    if (start === null || s >= end) start = s + QUARTER === floorHour(s + QUARTER) ? floorHour(exact(s)[0]!) : floorHour(s + 1);
    else if (s + QUARTER === end && exact(s).at(-1) === end) start = end;
  }
  if (start === null || now >= start + BLOCK_MS) return null;
  const from = start;
  // (its quarter hours, and a response at exactly its first instant, which the quarter hour before holds)
  const costUSD =
    totalsOf(
      cells.filter((c) => c.start >= from),
      priceOverride,
    ).costUSD + costBetween(q, from - 1, from, priceOverride);
  return { start, end: start + BLOCK_MS, costUSD };
}

/** The newest official 5-hour figure seen up to `now`, whatever its age (recorded, or this run's endpoint answer). */
function lastSessionFigure(s: ModelState, q: UsageQueries, now: number, recorded: readonly LimitSeen[] = q.latestLimits()): LimitSeen | null {
  let f: LimitSeen | null = recorded.find((l) => l.kind === "session" && l.time <= now) ?? null;
  // (the newest recorded figure is after `now` only with a pinned --now: then the newest up to it)
  if (!f && recorded.some((l) => l.kind === "session")) f = q.limitsSeen("session", 0, now).at(-1) ?? null;
  const mine = s.allowance.last && s.allowance.last.time <= now ? endpointFigures(s.allowance.last).find((l) => l.kind === "session") : undefined;
  if (mine && (!f || mine.time > f.time)) f = mine;
  return f;
}

/**
 * The estimate: the burn rate, the current block's cost so far and at the burn rate by its end, and against the
 * limit the user last saw (limitOf of `seen`, the newest official 5-hour figure of any age) the block's percentage
 * and when the burn rate would reach it (only if before the block ends).
 */
function estimateAllowance(q: UsageQueries, now: number, seen: LimitSeen | null, priceOverride?: number): AllowanceEstimate {
  const burn = burnRate(q, now, priceOverride);
  const block = currentBlock(q, now, priceOverride);
  const blockCost = block?.costUSD ?? 0;
  const limit = seen ? limitOf(q, seen, priceOverride) : null;
  return {
    burnUSDPerHour: burn,
    burnSpanMs: BURN_MS,
    blockStart: block?.start ?? null,
    blockEnd: block?.end ?? null,
    blockCostUSD: blockCost,
    projectedUSD: block ? blockCost + (burn * (block.end - now)) / HOUR : null,
    limitUSD: limit,
    limitSeen: limit !== null && seen ? { time: seen.time, percent: seen.percent, origin: seen.origin } : null,
    percent: limit !== null ? (100 * blockCost) / limit : null,
    limitAt: block ? reachAt(limit, blockCost, burn, now, block.end) : null,
  };
}
