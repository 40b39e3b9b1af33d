// The status line's view model: what `claude-dash statusline` shows after each of Claude Code's responses, from the
// payload Claude Code pipes in (its official limits, its own dollars, the context window) and what the store holds
// (our dollars for the session and the day, the recent burn rate, limits recorded earlier). Pure: `now` is an argument.

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
