// The status line's view model: what `claude-dash statusline` shows after each of Claude Code's responses, from the
// payload Claude Code pipes in (its official limits, its own dollars, the context window) and what the store holds
// (our dollars for the session and the day, the recent burn rate, limits recorded earlier). Pure: `now` is an argument.
import { totalsOf, type UsageQueries } from "./queries.ts";

/** Where a limit's figure comes from: this payload, a figure recorded earlier (status line or usage endpoint), or
 *  our own estimate from the transcripts (always shown as one, marked `~`). */
export type LimitOrigin = "payload" | "recorded" | "estimate";

export interface WindowView {
  /** used %, 0–100 (more when over); null when unknown (an estimate with no limit ever seen). */
  percent: number | null;
  /** when the window resets (epoch ms), when known. */
  resetsAt: number | null;
  /** how much of the window has gone by, 0–100 (the pace to compare `percent` with); null when unknown. */
  elapsedPercent: number | null;
  origin: LimitOrigin;
  /** for "recorded": how old the figure is (ms). */
  ageMs: number | null;
  /** for an estimate: what the window (the current 5-hour block) has cost so far, and at the recent pace by its end. */
  costUSD: number | null;
  projectedUSD: number | null;
  /** when the recent pace would reach 100 % (before the reset), when that can be told. */
  limitAt: number | null;
}

export interface StatuslineView {
  now: number;
  /** the model's short name ("Opus 4.6"), clean of control characters; null when not known. */
  model: string | null;
  /** this session's cost as we count it from its transcript (and its subagents'); null when no session is known. */
  sessionUSD: number | null;
  /** this session's cost as Claude Code reports it (cost.total_cost_usd); null when the payload has none. */
  claudeCodeUSD: number | null;
  /** what today (local midnight to now) has cost on this machine. */
  todayUSD: number;
  fiveHour: WindowView | null;
  weekly: WindowView | null;
  /** context fullness of this session. */
  context: { percent: number; tokens: number | null; size: number | null } | null;
  /** $ per hour over the last minutes (null when nothing was spent in them). */
  burnUSDPerHour: number | null;
  /** the working directory's last part, clean; null when not known. */
  dir: string | null;
  /** something wrong with the input that the line should say briefly (e.g. "no payload"); null when all is well. */
  note: string | null;
}


/** The burn rate is what the last this-many minutes cost, per hour. */
export const BURN_MINUTES = 30;
const HOUR = 3_600_000;
const WINDOW_MS: Record<string, number> = { session: 5 * HOUR, weekly: 7 * 24 * HOUR };

export interface StatuslineInput {
  now: number;
  /** local midnight of today (epoch ms). */
  dayStart: number;
  sessionId: string | null;
  /** the payload's model display name (or id). */
  model: string | null;
  claudeCodeUSD: number | null;
  context: { percent: number; tokens: number | null; size: number | null } | null;
  /** the payload's own limits (this very moment's official figures). */
  limits: readonly { kind: string; percent: number; resetsAt: number | null }[];
  /** the working directory's name. */
  dir: string | null;
  note: string | null;
}

/**
 * The line's numbers. `q` is null when nothing can be read (the line then shows what the payload says). Limits come
 * from the payload, else the newest figure recorded (status line or usage endpoint) whose window has not reset, else
 * an estimate from the transcripts.
 */
export function selectStatusline(q: UsageQueries | null, i: StatuslineInput): StatuslineView {
  const { now } = i;
  const cost = (from: number, to: number, sessionId?: string) => (q ? totalsOf(q.cells(from, to, Math.max(1, to - from), sessionId)).costUSD : 0);
  const recorded = q ? q.latestLimits() : [];
  const windowOf = (kind: string): WindowView | null => {
    const own = i.limits.find((l) => l.kind === kind && (l.resetsAt === null || l.resetsAt > now));
    if (own) return official(kind, own.percent, own.resetsAt, "payload", null, now);
    const seen = recorded.find((l) => l.kind === kind && l.resetsAt !== null && l.resetsAt > now);
    if (seen) return official(kind, seen.percent, seen.resetsAt, "recorded", Math.max(0, now - seen.time), now);
    return null;
  };
  const burn = cost(now - BURN_MINUTES * 60_000, now);
  return {
    now,
    model: i.model === null ? null : shortModelName(i.model),
    sessionUSD: q && i.sessionId ? cost(0, now, i.sessionId) : null,
    claudeCodeUSD: i.claudeCodeUSD,
    todayUSD: cost(i.dayStart, now),
    fiveHour: windowOf("session"),
    weekly: windowOf("weekly"),
    context: i.context,
    burnUSDPerHour: burn > 0 ? burn * (60 / BURN_MINUTES) : null,
    dir: i.dir,
    note: i.note,
  };
}

function official(kind: string, percent: number, resetsAt: number | null, origin: LimitOrigin, ageMs: number | null, now: number): WindowView {
  const span = WINDOW_MS[kind];
  const elapsedPercent = resetsAt !== null && span ? Math.max(0, Math.min(100, ((now - (resetsAt - span)) / span) * 100)) : null;
  return { percent, resetsAt, elapsedPercent, origin, ageMs, costUSD: null, projectedUSD: null, limitAt: null };
}

/** "Opus 4.6" from "Opus 4.6 (1M context)", "Claude Sonnet 4.5" or "claude-sonnet-4-5-20250929". */
export function shortModelName(name: string): string {
  const id = /^claude-([a-z]+)-(\d+)(?:-(\d{1,2}))?(?:-\d{8})?(\[1m\])?$/i.exec(name.trim());
  if (id) return `${id[1]![0]!.toUpperCase()}${id[1]!.slice(1)} ${id[2]}${id[3] ? `.${id[3]}` : ""}${id[4] ? " 1M" : ""}`;
  const long = /\(1M context\)/i.test(name) ? " 1M" : "";
  return `${name.replace(/\([^)]*\)/g, "").replace(/^claude\s+/i, "").replace(/\s+/g, " ").trim()}${long}`;
}
