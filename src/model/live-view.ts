// The LIVE screen's view model: everything the dashboard draws, from the stored facts for a given `now`.
import { bucketsOf, totalsOf, type Bucket, type Counts, type LiveSums, type UsageQueries } from "./queries.ts";
import { projectName, sessionViews, type SessionView, type Window } from "./selectors.ts";
import { emptyTotals, type Totals } from "./state.ts";
import { addCell } from "./queries.ts";

const MIN = 60_000;
const HOUR = 3_600_000;

interface LiveOptions {
  now: number;
  windowHours: number;
  bucketMinutes: number;
  activeWindowHours: number;
  /** USD per Mtok replacing every model's base input price. */
  priceOverride?: number;
}

export interface LiveView {
  now: number;
  window: Window;
  buckets: Bucket[];
  totals: Totals;
  /** totals of the last hour. */
  totals1h: Totals;
  counts: Counts;
  sessions: SessionView[];
}

/**
 * The LIVE view for `now`. Its sums come from the store, which keeps them between calls and folds in only what
 * changed (an append, the window moving on): the cost of a frame grows with the change, not with the window.
 */
export function selectLive(q: UsageQueries, o: LiveOptions): LiveView {
  const window: Window = { from: o.now - o.windowHours * HOUR, to: o.now, bucketMinutes: o.bucketMinutes };
  const sums = q.liveSums({ from: window.from, to: window.to, slotMs: o.bucketMinutes * MIN, activeMs: o.activeWindowHours * HOUR });
  return liveViewOf(sums, window, o.now, o.priceOverride);
}

/** The LIVE view of its sums (pure). */
export function liveViewOf(s: LiveSums, window: Window, now: number, priceOverride?: number): LiveView {
  return {
    now,
    window,
    buckets: bucketsOf(s.cells, window.from, window.to, window.bucketMinutes),
    totals: totalsOf(s.cells, priceOverride),
    totals1h: totalsOf(s.hourCells, priceOverride),
    counts: s.counts,
    sessions: sessionViews(s.sessions, window, now, priceOverride),
  };
}

/** One session's own buckets over the window (for its detail popup). */
export function selectSessionBuckets(q: UsageQueries, w: Window, sessionId: string): Bucket[] {
  return bucketsOf(q.cells(w.from, w.to, w.bucketMinutes * MIN, sessionId), w.from, w.to, w.bucketMinutes);
}

export interface SliceRow {
  sessionId: string;
  project: string;
  title: string | null;
  uncached: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
  cacheMiss: number;
  output: number;
  effectiveTokens: number;
  costUSD: number;
  responses: number;
}

/** A time slice (one bar) broken down by session, most expensive first. */
export function selectSlice(q: UsageQueries, from: number, to: number, priceOverride?: number): SliceRow[] {
  const bySession = new Map<string, { t: Totals; miss: number }>();
  for (const c of q.sessionCells(from, to)) {
    let row = bySession.get(c.sessionId);
    if (!row) bySession.set(c.sessionId, (row = { t: emptyTotals(), miss: 0 }));
    addCell(row.t, c, priceOverride);
    // a miss: the response read nothing from the cache, so all its input was sent afresh
    row.miss += c.freshMiss;
  }
  const labels = new Map(q.labels([...bySession.keys()]).map((l) => [l.sessionId, l]));
  return [...bySession.entries()]
    .map(([sessionId, { t, miss }]) => ({
      sessionId,
      project: projectName(labels.get(sessionId)?.cwd ?? null),
      title: labels.get(sessionId)?.title ?? null,
      uncached: t.uncached,
      cacheWrite5m: t.cacheWrite5m,
      cacheWrite1h: t.cacheWrite1h,
      cacheRead: t.cacheRead,
      cacheMiss: miss,
      output: t.output,
      effectiveTokens: t.effectiveTokens,
      costUSD: t.costUSD,
      responses: t.responses,
    }))
    .sort((a, b) => b.costUSD - a.costUSD || b.effectiveTokens - a.effectiveTokens);
}
