// The LIVE screen's view model: everything the dashboard draws, computed from the state for a given `now`.
import { projectName, selectActiveSessions, selectBuckets, selectCounts, selectTotals, type Bucket, type Counts, type SessionView, type Window } from "./selectors.ts";
import { addTo, emptyTotals, type ModelState, type Totals } from "./state.ts";
import { freshTokens } from "./tokens.ts";

const HOUR = 3_600_000;

export interface LiveOptions {
  now: number;
  windowHours: number;
  bucketMinutes: number;
  activeWindowHours: number;
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

export function selectLive(s: ModelState, o: LiveOptions): LiveView {
  const window: Window = { from: o.now - o.windowHours * HOUR, to: o.now, bucketMinutes: o.bucketMinutes };
  return {
    now: o.now,
    window,
    buckets: selectBuckets(s, window),
    totals: selectTotals(s, window.from, window.to),
    totals1h: selectTotals(s, o.now - HOUR, o.now),
    counts: selectCounts(s, window.from, window.to),
    sessions: selectActiveSessions(s, o),
  };
}

/** One session's own buckets over the window (for its detail popup). */
export function selectSessionBuckets(s: ModelState, w: Window, sessionId: string): Bucket[] {
  return selectBuckets(s, w, (r) => r.sessionId === sessionId);
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
export function selectSlice(s: ModelState, from: number, to: number): SliceRow[] {
  const rows = new Map<string, SliceRow & { t: Totals }>();
  s.responseIndex.each(from, to, (r) => {
    let row = rows.get(r.sessionId);
    if (!row) {
      const agg = s.sessions.get(r.sessionId);
      row = {
        sessionId: r.sessionId,
        project: projectName(agg?.cwd ?? null),
        title: agg?.title ?? null,
        uncached: 0,
        cacheWrite5m: 0,
        cacheWrite1h: 0,
        cacheRead: 0,
        cacheMiss: 0,
        output: 0,
        effectiveTokens: 0,
        costUSD: 0,
        responses: 0,
        t: emptyTotals(),
      };
      rows.set(r.sessionId, row);
    }
    addTo(row.t, r);
    // a miss: the response read nothing from the cache, so all its input was sent afresh
    if (r.usage.cacheRead === 0) row.cacheMiss += freshTokens(r.usage);
  });
  return [...rows.values()]
    .map(({ t, ...row }) => ({
      ...row,
      uncached: t.uncached,
      cacheWrite5m: t.cacheWrite5m,
      cacheWrite1h: t.cacheWrite1h,
      cacheRead: t.cacheRead,
      output: t.output,
      effectiveTokens: t.effectiveTokens,
      costUSD: t.costUSD,
      responses: t.responses,
    }))
    .sort((a, b) => b.costUSD - a.costUSD || b.effectiveTokens - a.effectiveTokens);
}
