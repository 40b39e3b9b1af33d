// The status line's view model: what `claude-dash statusline` shows after each of Claude Code's responses, from the
// payload Claude Code pipes in (its official limits, its own dollars, the context window) and what the store holds
// (our dollars for the session and the day, the recent burn rate, limits recorded earlier). Pure: `now` is an argument.
import { burnRate, currentBlock, projection, selectAllowance } from "./allowance-view.ts";
import { totalsOf, type UsageQueries } from "./queries.ts";
import { createState } from "./state.ts";

/** Where a limit's figure comes from: this payload, a figure recorded earlier (status line or usage endpoint), or
 *  our own estimate from the transcripts (always shown as one, marked `~`). */
type LimitOrigin = "payload" | "recorded" | "estimate";

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

const HOUR = 3_600_000;
const WINDOW_MS: Record<string, number> = { session: 5 * HOUR, weekly: 7 * 24 * HOUR };

interface StatuslineInput {
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
  /** the format shows the 5-hour block's cost (worked out only then: a few milliseconds of the line's budget). */
  block?: boolean;
}

/**
 * The line's numbers. `q` is null when nothing can be read (the line then shows what the payload says). Limits come
 * from the payload, else the freshest figure recorded (Claude Code's status line or the usage endpoint; the ALLOWANCE
 * panel's choice, see selectAllowance) whose window has not reset, else the 5-hour estimate from the transcripts.
 */
export function selectStatusline(q: UsageQueries | null, i: StatuslineInput): StatuslineView {
  const { now } = i;
  const cost = (from: number, to: number, sessionId?: string) => (q ? totalsOf(q.cells(from, to, Math.max(1, to - from), sessionId)).costUSD : 0);
  const allowance = q ? selectAllowance(createState(), q, now, false) : null;
  const limitWindow = (kind: string): WindowView | null => {
    const own = i.limits.find((l) => l.kind === kind && (l.resetsAt === null || l.resetsAt > now));
    if (own) return official(q, kind, { time: now, percent: own.percent, resetsAt: own.resetsAt }, "payload", null, now);
    const seen = allowance?.limits.find((l) => l.kind === kind);
    if (seen) return official(q, kind, seen, "recorded", Math.max(0, now - seen.time), now);
    const e = kind === "session" ? allowance?.estimate : null;
    if (!e || e.blockStart === null || e.blockEnd === null) return null;
    return {
      percent: e.percent,
      resetsAt: e.blockEnd,
      elapsedPercent: Math.max(0, Math.min(100, ((now - e.blockStart) / (e.blockEnd - e.blockStart)) * 100)),
      origin: "estimate",
      ageMs: null,
      costUSD: e.blockCostUSD,
      projectedUSD: e.projectedUSD,
      limitAt: e.limitAt,
    };
  };
  const fiveHour = limitWindow("session");
  if (q && i.block && fiveHour && fiveHour.origin !== "estimate") {
    const b = currentBlock(q, now);
    if (b) Object.assign(fiveHour, { costUSD: b.costUSD, projectedUSD: b.costUSD + (burnRate(q, now) * (b.end - now)) / HOUR });
  }
  const burn = q ? burnRate(q, now) : 0;
  return {
    now,
    model: i.model === null ? null : shortModelName(i.model),
    sessionUSD: q && i.sessionId ? cost(0, now, i.sessionId) : null,
    claudeCodeUSD: i.claudeCodeUSD,
    todayUSD: cost(i.dayStart, now),
    fiveHour,
    weekly: limitWindow("weekly"),
    context: i.context,
    burnUSDPerHour: burn > 0 ? burn : null,
    dir: i.dir,
    note: i.note,
  };
}

/** An official figure's window: its pace, and (the 5-hour one) when the recent pace would reach the limit. */
function official(
  q: UsageQueries | null,
  kind: string,
  f: { time: number; percent: number; resetsAt: number | null },
  origin: LimitOrigin,
  ageMs: number | null,
  now: number,
): WindowView {
  const span = WINDOW_MS[kind];
  const elapsedPercent = f.resetsAt !== null && span ? Math.max(0, Math.min(100, ((now - (f.resetsAt - span)) / span) * 100)) : null;
  const limitAt = q && kind === "session" ? projection(q, now, f) : null;
  return { percent: f.percent, resetsAt: f.resetsAt, elapsedPercent, origin, ageMs, costUSD: null, projectedUSD: null, limitAt };
}

/** "Opus 4.6" from "Opus 4.6 (1M context)", "Claude Sonnet 4.5" or "claude-sonnet-4-5-20250929". */
function shortModelName(name: string): string {
  const id = /^claude-([a-z]+)-(\d+)(?:-(\d{1,2}))?(?:-\d{8})?(\[1m\])?$/i.exec(name.trim());
  if (id) return `${id[1]![0]!.toUpperCase()}${id[1]!.slice(1)} ${id[2]}${id[3] ? `.${id[3]}` : ""}${id[4] ? " 1M" : ""}`;
  const long = /\(1M context\)/i.test(name) ? " 1M" : "";
  return `${name
    .replace(/\([^)]*\)/g, "")
    .replace(/^claude\s+/i, "")
    .replace(/\s+/g, " ")
    .trim()}${long}`;
}
