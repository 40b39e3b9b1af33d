// What LIVE's tracker (live-sums.ts) keeps from one answer to the next: the ranges it last answered, their cells and
// counts, the active sessions' sums, and for each newest-of (a session's newest response, a subagent's largest
// context) a mark that knows when its holder went. Shared by the tracker, which makes and answers from it, and the
// fold (live-fold.ts), which moves it on; kept apart so that neither imports the other.
import type { Counts, LiveQuery, LiveSums, SessionGroup, SessionSums, UsageCell } from "../model/queries.ts";
import type { UsageStore } from "./store.ts";

/**
 * What the tracker asks of the store's queries (StoreQueries gives it; declared here so that the two files do not
 * import each other).
 */
export interface LiveSumsSource {
  readonly store: UsageStore;
  cells(from: number, to: number, slotMs: number, sessionId?: string): UsageCell[];
  counts(from: number, to: number): Counts;
  activeRows(from: number, to: number): { session: number; last: number }[];
  activityOf(session: number, from: number, to: number): number | null;
  freshLiveSums(q: LiveQuery): LiveSums;
  sessionSumsOf(ids: readonly number[], last: ReadonlyMap<number, number>, from: number, to: number): Map<number, SessionSums>;
}

/** Statistics of the tracker's work, for tests and the benchmark: what each answer cost, in store queries. */
export interface LiveSumsStats {
  /** answers summed afresh from the store */
  fresh: number;
  /** answers folded from the log and the strips */
  folded: number;
  /** store queries of the last answer */
  queries: number;
  /** log rows folded by the last answer */
  logRows: number;
  /** sessions asked again by the last answer */
  reloads: number;
}

export const HOUR = 3_600_000;

/** A response as the fold reads it, from the log or from a strip of the store (the log's column names). */
export type ResponseRowLike = {
  time: number;
  session: number;
  agent: number | null;
  model: number;
  cls: number;
  u: number;
  a: number;
  b: number;
  r: number;
  o: number;
  key: string;
};

// ---- newest-of marks -------------------------------------------------------------------------------------------------

/** The newest of some facts by (time, key), with what is shown of it. `lost`: the newest went and what is now the
 *  newest is not known here (a fact at least as new as the one lost settles it; else the session is asked again). */
export interface Newest<P> {
  cur: { time: number; key: string; p: P } | null;
  lost: { time: number; key: string } | null;
}

const newer = (t: number, k: string, o: { time: number; key: string }) => t > o.time || (t === o.time && k >= o.key);

export function newestAdd<P>(m: Newest<P>, time: number, key: string, p: P): void {
  if (m.lost) {
    if (newer(time, key, m.lost)) {
      m.lost = null;
      m.cur = { time, key, p };
    }
  } else if (!m.cur || newer(time, key, m.cur)) m.cur = { time, key, p };
}

export function newestRemove<P>(m: Newest<P>, time: number, key: string): void {
  if (m.cur && m.cur.time === time && m.cur.key === key) {
    m.lost = { time, key };
    m.cur = null;
  }
}

/** The largest of some numbers; `lost` as in Newest (the value that went). */
interface Peak {
  v: number;
  lost: number | null;
}

export function peakAdd(m: Peak, x: number): void {
  if (m.lost !== null) {
    if (x >= m.lost) {
      m.lost = null;
      m.v = x;
    }
  } else if (x > m.v) m.v = x;
}

export function peakRemove(m: Peak, x: number): void {
  if (m.lost === null && x >= m.v) m.lost = m.v;
}

// ---- the sums ------------------------------------------------------------------------------------------------------

/** An active session's sums as the tracker keeps them. */
export interface Tracked {
  id: number;
  sums: SessionSums;
  groups: Map<string, SessionGroup>;
  agents: Map<string, { mark: Newest<string>; peak: Peak; n: number }>;
  latestMain: Newest<{ model: string; context: number }>;
  latestAny: Newest<string>;
  lastError: Newest<{ status: number | null; message: string }>;
  lastPrompt: Newest<null>;
  /** asked again from the store before the next answer */
  reload: boolean;
  metaStale: boolean;
  /** its groups changed since its SessionSums was last made */
  changed: boolean;
}

export interface State {
  /** the ranges last answered: the window (from, to], the active window's length, the slot */
  from: number;
  to: number;
  slot: number;
  activeMs: number;
  dataVersion: number;
  cells: Map<string, UsageCell>;
  hourCells: Map<string, UsageCell>;
  counts: number[];
  /** sessions with activity in the active window: their newest activity */
  activity: Map<number, Peak>;
  sessions: Map<number, Tracked>;
  /** the sorted lists last answered (null: to make again) */
  cellList: UsageCell[] | null;
  hourList: UsageCell[] | null;
}

/** The counts in State.counts, in this order. */
export const COUNT_NAMES = ["prompts", "toolCalls", "toolErrors", "toolRejections", "apiErrors", "apiRetries"] as const;

export const cellKey = (start: number, model: string, cls: number) => `${start}|${model}|${cls}`;
export const groupKey = (agent: string | null, model: string, cls: number) => `${agent === null ? "-" : `+${agent}`}|${model}|${cls}`;

/** A session's sums as the tracker keeps them. */
export function tracked(id: number, s: SessionSums): Tracked {
  const groups = new Map(s.groups.map((g) => [groupKey(g.agentId, g.model, g.cls), { ...g, usage: { ...g.usage } }]));
  const n = new Map<string, number>();
  for (const g of s.groups) if (g.agentId !== null) n.set(g.agentId, (n.get(g.agentId) ?? 0) + g.responses);
  const agents = new Map(
    s.agents.map(
      (m) =>
        [
          m.agentId,
          { mark: { cur: { time: m.time, key: m.key, p: m.model }, lost: null }, peak: { v: m.peak, lost: null }, n: n.get(m.agentId) ?? 0 },
        ] as const,
    ),
  );
  const newest = <P>(c: { time: number; key: string } | null, p: (c: never) => P): Newest<P> => ({
    cur: c ? { time: c.time, key: c.key, p: p(c as never) } : null,
    lost: null,
  });
  return {
    id,
    sums: { ...s, groups: s.groups, agents: s.agents },
    groups,
    agents,
    latestMain: newest(s.latestMain, (c: { model: string; context: number }) => ({ model: c.model, context: c.context })),
    latestAny: newest(s.latestAny, (c: { model: string }) => c.model),
    lastError: newest(s.lastError, (c: { status: number | null; message: string }) => ({ status: c.status, message: c.message })),
    lastPrompt: newest(s.lastPrompt, () => null),
    reload: false,
    metaStale: false,
    changed: false,
  };
}
