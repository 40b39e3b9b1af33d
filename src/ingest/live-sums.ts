// LIVE's sums kept from one frame to the next (see LiveSums in model/queries.ts), so that a frame costs what changed,
// not what the window holds: the window's cells, the last hour's, the counts, the active sessions' sums.
//
// What changed comes from a log that this connection's own writes fill: TEMP triggers on the fact tables append each
// row written, updated (its old and new values) or deleted, whatever path of the store wrote it (an append, a file
// read again from its start, a fact that moved to another file). Each call folds the log into the sums of the ranges
// it last answered, then moves the ranges on (the window's start and end, the last hour) by asking the store for the
// facts in the strips between the old and new edges only. A newest-of (a session's newest response, a subagent's
// largest context) that lost its holder is asked again for that one session. Anything else starts again from the store
// (a fresh answer): another process wrote (PRAGMA data_version), the log overflowed (a backlog read at once), a
// transaction is open, the clock went back, the window's shape changed.
//
// This file is the tracker: whether an answer can be folded or starts afresh, and the answer itself. The log and its
// triggers are in live-log.ts, the fold (the log, then the strips, then who is active) in live-fold.ts, and what the
// tracker keeps between answers in live-state.ts.
import type { AgentMark, Counts, LiveQuery, LiveSums, SessionSums, UsageCell } from "../model/queries.ts";
import { sortGroups } from "../model/selectors.ts";
import type { SqlDatabase } from "../sqlite.ts";
import { fold } from "./live-fold.ts";
import { drainLog, type LogRow, loggedCount, logOf } from "./live-log.ts";
import { cellKey, COUNT_NAMES, HOUR, type LiveSumsSource, type LiveSumsStats, type Newest, type State, tracked } from "./live-state.ts";
import { clamp } from "./time-bounds.ts";

export { LOG_CAP } from "./live-log.ts";

export class LiveSumsTracker {
  private state: State | null = null;
  readonly stats: LiveSumsStats = { fresh: 0, folded: 0, queries: 0, logRows: 0, reloads: 0 };

  constructor(private readonly q: LiveSumsSource) {}

  private get db(): SqlDatabase {
    return this.q.store.db;
  }

  /** The sums for `o`, folded from what changed since the last call when that can be done exactly, else afresh. */
  sums(o: LiveQuery): LiveSums {
    const db = this.db;
    this.stats.queries = 0;
    this.stats.logRows = 0;
    this.stats.reloads = 0;
    // (inside a transaction the log may still be rolled back with the facts: answer afresh, and start again after)
    const log = db.inTransaction ? null : logOf(db);
    if (!log) {
      this.state = null;
      this.stats.fresh++;
      return this.q.freshLiveSums(o);
    }
    const dv = this.dataVersion();
    const st = this.state;
    const slot = Math.max(1, Math.round(o.slotMs));
    const from = clamp(o.from);
    const to = clamp(o.to);
    const foldable =
      st !== null &&
      log.owner === this &&
      st.dataVersion === dv &&
      st.slot === slot &&
      st.activeMs === o.activeMs &&
      from >= st.from &&
      to >= st.to &&
      from <= st.to &&
      to - HOUR <= st.to;
    const rows = this.drain();
    if (!foldable || rows === null) {
      log.owner = this;
      this.state = this.load(from, to, slot, o.activeMs, dv);
      this.stats.fresh++;
      return this.answer(this.state);
    }
    this.stats.logRows = rows.length;
    fold(this.q, this.stats, st, rows, from, to);
    this.stats.folded++;
    return this.answer(st);
  }

  /** The log's rows since the last call, taken out of it; null when it overflowed (some are missing). */
  private drain(): LogRow[] | null {
    this.stats.queries += 2;
    return drainLog(this.db);
  }

  private dataVersion(): number {
    this.stats.queries++;
    return this.db.get<{ data_version: number }>("PRAGMA data_version")?.data_version ?? 0;
  }

  // -- afresh

  private load(from: number, to: number, slot: number, activeMs: number, dataVersion: number): State {
    const q = this.q;
    const counts = q.counts(from, to);
    const st: State = {
      from,
      to,
      slot,
      activeMs,
      dataVersion,
      cells: new Map(q.cells(from, to, slot).map((c) => [cellKey(c.start, c.model, c.cls), c])),
      hourCells: new Map(q.cells(to - HOUR, to, HOUR).map((c) => [cellKey(c.start, c.model, c.cls), c])),
      counts: COUNT_NAMES.map((k) => counts[k]),
      activity: new Map(),
      sessions: new Map(),
      cellList: null,
      hourList: null,
    };
    const active = q.activeRows(to - activeMs, to);
    for (const a of active) st.activity.set(a.session, { v: a.last, lost: null });
    for (const [id, s] of q.sessionSumsOf(
      active.map((a) => a.session),
      new Map(active.map((a) => [a.session, a.last])),
      from,
      to,
    ))
      st.sessions.set(id, tracked(id, s));
    this.stats.queries += 8 + 5 * active.length;
    return st;
  }

  // -- the answer

  private answer(st: State): LiveSums {
    st.cellList ??= sortCells([...st.cells.values()].map(copyCell));
    st.hourList ??= sortCells([...st.hourCells.values()].map(copyCell));
    const counts = Object.fromEntries(COUNT_NAMES.map((k, i) => [k, st.counts[i]!])) as unknown as Counts;
    const sessions: SessionSums[] = [];
    for (const [id, s] of st.sessions) {
      const p = st.activity.get(id);
      if (!p) continue;
      if (s.changed) {
        s.sums.groups = sortGroups([...s.groups.values()].map((g) => ({ ...g, usage: { ...g.usage } })));
        s.sums.agents = [...s.agents.entries()].map(
          ([agentId, m]): AgentMark => ({ agentId, time: m.mark.cur!.time, key: m.mark.cur!.key, model: m.mark.cur!.p, peak: m.peak.v }),
        );
        s.changed = false;
      }
      const n = <P, R>(m: Newest<P>, f: (c: { time: number; key: string; p: P }) => R): R | null => (m.cur ? f(m.cur) : null);
      sessions.push({
        ...s.sums,
        lastActivity: p.v,
        latestMain: n(s.latestMain, (c) => ({ time: c.time, key: c.key, model: c.p.model, context: c.p.context })),
        latestAny: n(s.latestAny, (c) => ({ time: c.time, key: c.key, model: c.p })),
        lastError: n(s.lastError, (c) => ({ time: c.time, key: c.key, status: c.p.status, message: c.p.message })),
        lastPrompt: n(s.lastPrompt, (c) => ({ time: c.time, key: c.key })),
      });
    }
    return { cells: st.cellList, hourCells: st.hourList, counts, sessions };
  }

  /** How much the tracker holds (for tests: it is bounded by the window's cells and the active sessions), and the
   *  changes waiting in the log (none right after an answer). */
  size(): { cells: number; hourCells: number; sessions: number; activity: number; groups: number; logged: number } {
    const st = this.state;
    const logged = loggedCount(this.db);
    if (!st) return { cells: 0, hourCells: 0, sessions: 0, activity: 0, groups: 0, logged };
    let groups = 0;
    for (const s of st.sessions.values()) groups += s.groups.size + s.agents.size;
    return { cells: st.cells.size, hourCells: st.hourCells.size, sessions: st.sessions.size, activity: st.activity.size, groups, logged };
  }
}

function copyCell(c: UsageCell): UsageCell {
  return { ...c, usage: { ...c.usage } };
}

/** Cells in the store's one order (start, model, class), so sums of costs agree to the last bit. */
function sortCells(cells: UsageCell[]): UsageCell[] {
  return cells.sort((a, b) => a.start - b.start || (a.model < b.model ? -1 : a.model > b.model ? 1 : a.cls - b.cls));
}
