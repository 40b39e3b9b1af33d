// Which times a fact may carry: transcripts, telemetry and engines alike. Anything outside is rejected with its reason
// (a year -1 or 275760 must not become a row of --report).
/** The earliest time a fact may carry (Claude Code, and so its transcripts, came later). */
const EARLIEST_TIME = Date.UTC(2020, 0, 1);
/** How far past the clock a fact may be (clocks of machines disagree; a time beyond this is not one). */
const FUTURE_MARGIN_MS = 24 * 3_600_000;

/**
 * Why a time cannot be a fact's (not a time; before 2020; more than a day past `clock`), or null when it can. Ingest is
 * an edge: it reads the clock (the model never does).
 */
export function timeProblem(time: number, clock?: number): string | null {
  if (!Number.isFinite(time)) return "bad timestamp";
  if (time < EARLIEST_TIME) return "timestamp before 2020";
  // (the clock only moves on, so a bound read earlier is a safe one: only a time past it asks the clock again — a
  // million lines do not cost a million clock reads)
  if (clock === undefined) {
    if (time <= latestSeen) return null;
    latestSeen = Date.now() + FUTURE_MARGIN_MS;
    if (time <= latestSeen) return null;
  } else if (time <= clock + FUTURE_MARGIN_MS) return null;
  return "timestamp more than a day in the future";
}

let latestSeen = -Infinity;

/** Bound for "all of time", so every span is a finite number SQLite compares exactly. */
const EDGE = 8.64e15;
export const clamp = (t: number): number => Math.max(-EDGE, Math.min(EDGE, t));
