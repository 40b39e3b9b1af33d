// LIVE's popups' view models: a time slice (one bar) broken down by session, and one session's own buckets.
import { bucketsOf, type Bucket, type UsageQueries } from "./queries.ts";
import { projectName, type Window } from "./selectors.ts";
import { emptyTotals, type Totals } from "./state.ts";
import { addCell } from "./queries.ts";

const MIN = 60_000;

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
