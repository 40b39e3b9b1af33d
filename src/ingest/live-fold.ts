// Folding what changed into LIVE's sums (live-sums.ts), so that a frame costs what changed, not what the window holds.
// Four steps, in this order: the log's rows (this connection's writes since the last answer) go into the sums of the
// ranges last answered; the ranges move on, by asking the store for the facts in the strips between the old and new
// edges only; who is active is settled (a session whose newest activity went is asked again for that one session);
// and sessions newly active, or whose newest-of went, are asked again. Each step reads the state the one before left.
import type { UsageCell } from "../model/queries.ts";
import { Kind, type LogRow } from "./live-log.ts";
import {
  cellKey,
  groupKey,
  HOUR,
  type LiveSumsSource,
  type LiveSumsStats,
  newestAdd,
  newestRemove,
  peakAdd,
  peakRemove,
  type ResponseRowLike,
  type State,
  type Tracked,
  tracked,
} from "./live-state.ts";

/**
 * One fold: the store's queries and the tracker's statistics, the state folded into, the ranges it last answered —
 * the window (a, b], the last hour from `hour`, the sessions' last hour from `sessionHour` — the new window (from, to]
 * and the new active window's start, and the sessions whose groups the fold changed.
 */
interface Fold {
  q: LiveSumsSource;
  stats: LiveSumsStats;
  st: State;
  a: number;
  b: number;
  hour: number;
  sessionHour: number;
  from: number;
  to: number;
  activeFrom: number;
  touched: Set<Tracked>;
}

/** Folds the log's rows and the strips between the old and new ranges into `st`, which then answers (from, to]. */
export function fold(q: LiveSumsSource, stats: LiveSumsStats, st: State, rows: readonly LogRow[], from: number, to: number): void {
  const { from: a, to: b } = st;
  const hour = b - HOUR;
  const f: Fold = { q, stats, st, a, b, hour, sessionHour: Math.max(a, hour), from, to, activeFrom: to - st.activeMs, touched: new Set() };

  // 1. The log: what changed since the last call, into the sums of the ranges last answered.
  for (const r of rows) foldRow(f, r);

  // 2. The ranges move on: the facts they left and those they took in, from the store as it is now.
  stripLeft(f);
  hourLeft(f);
  stripTaken(f);
  st.from = from;
  st.to = to;

  // 3. Who is active now: a session whose newest activity went is asked again; those that fell out go.
  settleActivity(f);

  // 4. Sessions to ask the store about: newly active ones, and those whose newest-of went.
  askAgain(f);
  for (const s of f.touched) s.changed = true;
}

// ---- 1. the log --------------------------------------------------------------------------------------------------

/** A session's activity at `time`, come: its newest activity, if in the new active window. */
function seen(f: Fold, session: number, time: number): void {
  if (time <= f.activeFrom || time > f.to) return;
  const p = f.st.activity.get(session);
  if (p) peakAdd(p, time);
  else f.st.activity.set(session, { v: time, lost: null });
}

/** A session's activity at `time`, come (sign 1) or gone (-1). */
function sighted(f: Fold, sign: 1 | -1, session: number, time: number): void {
  if (sign > 0) seen(f, session, time);
  else {
    const p = f.st.activity.get(session);
    if (p) peakRemove(p, time);
  }
}

/** One logged change, into the sums of the ranges last answered (the window (a, b], the last hour, the counts). */
function foldRow(f: Fold, r: LogRow): void {
  const { st, a, b, hour, sessionHour, to } = f;
  const t = r.time;
  const session = r.session;
  if (r.kind === Kind.Meta) {
    const s = session === null ? undefined : st.sessions.get(session);
    if (s) s.metaStale = true;
    return;
  }
  if (t === null || session === null) return;
  const sign = r.sign;
  const s = st.sessions.get(session);
  switch (r.kind) {
    case Kind.Response: {
      const row = r as unknown as ResponseRowLike;
      if (t > a && t <= b) addCell(f, st.cells, row, st.slot, sign);
      if (t > hour && t <= b) addCell(f, st.hourCells, row, HOUR, sign);
      if (s) {
        sessionResponse(f, s, row, sign, t > a && t <= b, t > sessionHour && t <= b, true);
        f.touched.add(s);
      }
      sighted(f, sign, session, t);
      break;
    }
    case Kind.Prompt:
      if (t > a && t <= b) st.counts[0]! += sign;
      if (s) {
        if (sign > 0 && t <= to) newestAdd(s.lastPrompt, t, r.key!, null);
        else if (sign < 0) newestRemove(s.lastPrompt, t, r.key!);
      }
      sighted(f, sign, session, t);
      break;
    case Kind.Call:
      if (t > a && t <= b) st.counts[1]! += sign;
      break;
    case Kind.Result:
      if (t > a && t <= b && (r.x === 1 || r.x === 2)) st.counts[r.x + 1]! += sign;
      sighted(f, sign, session, t);
      break;
    case Kind.ApiError:
      if (t > a && t <= b) st.counts[r.x === 1 ? 5 : 4]! += sign;
      if (s) {
        if (sign > 0 && t <= to) newestAdd(s.lastError, t, r.key!, { status: r.a, message: r.msg ?? "" });
        else if (sign < 0) newestRemove(s.lastError, t, r.key!);
      }
      sighted(f, sign, session, t);
      break;
  }
}

// ---- 2. the strips -------------------------------------------------------------------------------------------------

/** The responses in (lo, hi], from the store (one query; none when the strip is empty). */
function responsesIn(f: Fold, lo: number, hi: number): ResponseRowLike[] {
  if (hi <= lo) return [];
  f.stats.queries++;
  return f.q.store.db.query<ResponseRowLike>(
    "SELECT time, session, agent, model, cls, uncached AS u, w5 AS a, w1 AS b, rd AS r, out AS o, key FROM responses WHERE time > ? AND time <= ?",
    lo,
    hi,
  );
}

/** The window's start moved on: what lay in the strip it left is taken away (the newest-ofs stay: they are newer). */
function stripLeft(f: Fold): void {
  const { st, a, from } = f;
  if (from <= a) return;
  for (const row of responsesIn(f, a, from)) {
    addCell(f, st.cells, row, st.slot, -1);
    const s = st.sessions.get(row.session);
    if (s) {
      sessionResponse(f, s, row, -1, true, false, false);
      f.touched.add(s);
    }
  }
  countsIn(f, a, from, -1, false);
}

/** The last hour's start moved on: the hour's cells, and the sessions' last-hour sums, lose the strip it left. */
function hourLeft(f: Fold): void {
  const { st, hour, sessionHour, from, to } = f;
  if (to - HOUR > hour) for (const row of responsesIn(f, hour, to - HOUR)) addCell(f, st.hourCells, row, HOUR, -1);
  // (a session's last hour is also bounded by the window's start)
  const sessionHourNow = Math.max(from, to - HOUR);
  if (sessionHourNow > sessionHour && st.sessions.size > 0)
    for (const row of responsesIn(f, sessionHour, sessionHourNow)) {
      const s = st.sessions.get(row.session);
      if (!s) continue;
      const fresh = row.u + row.a + row.b;
      if (row.agent === null) s.sums.mainFresh1h -= fresh;
      else s.sums.subFresh1h -= fresh;
    }
}

/** The window's end moved on: what lies in the strip it took in is added, with its activity and newest-ofs. */
function stripTaken(f: Fold): void {
  const { st, b, to } = f;
  if (to <= b) return;
  for (const row of responsesIn(f, b, to)) {
    addCell(f, st.cells, row, st.slot, 1);
    addCell(f, st.hourCells, row, HOUR, 1);
    const s = st.sessions.get(row.session);
    if (s) {
      sessionResponse(f, s, row, 1, true, true, true);
      f.touched.add(s);
    }
    seen(f, row.session, row.time);
  }
  countsIn(f, b, to, 1, true);
}

/**
 * Counts in (lo, hi] added (sign 1) or taken away (-1); with `took` (the strip the window's end moved over) also
 * the activity and the newest prompts and errors they give. Four queries.
 */
function countsIn(f: Fold, lo: number, hi: number, sign: 1 | -1, took: boolean): void {
  const { st } = f;
  const db = f.q.store.db;
  f.stats.queries += 4;
  for (const r of db.query<{ time: number; session: number; key: string }>("SELECT time, session, key FROM prompts WHERE time > ? AND time <= ?", lo, hi)) {
    st.counts[0]! += sign;
    if (!took) continue;
    seen(f, r.session, r.time);
    const s = st.sessions.get(r.session);
    if (s) newestAdd(s.lastPrompt, r.time, r.key, null);
  }
  st.counts[1]! += sign * (db.get<{ n: number }>("SELECT count(*) AS n FROM tools WHERE call_time > ? AND call_time <= ?", lo, hi)?.n ?? 0);
  for (const r of db.query<{ time: number; session: number; outcome: number | null }>(
    "SELECT result_time AS time, session, outcome FROM tools WHERE result_time > ? AND result_time <= ?",
    lo,
    hi,
  )) {
    if (r.outcome === 1 || r.outcome === 2) st.counts[r.outcome + 1]! += sign;
    if (took) seen(f, r.session, r.time);
  }
  for (const r of db.query<{ time: number; session: number; key: string; status: number | null; message: string; retry: number }>(
    "SELECT time, session, key, status, message, retry FROM errors WHERE time > ? AND time <= ?",
    lo,
    hi,
  )) {
    st.counts[r.retry === 1 ? 5 : 4]! += sign;
    if (!took) continue;
    seen(f, r.session, r.time);
    const s = st.sessions.get(r.session);
    if (s) newestAdd(s.lastError, r.time, r.key, { status: r.status, message: r.message });
  }
}

// ---- 3 and 4. who is active, and who is asked again ----------------------------------------------------------------

/** Sessions whose newest activity went are asked for it again (one query each); those now outside the window go. */
function settleActivity(f: Fold): void {
  const { st, activeFrom, to } = f;
  for (const [session, p] of st.activity) {
    if (p.lost !== null) {
      f.stats.queries++;
      const v = f.q.activityOf(session, activeFrom, to);
      if (v === null) {
        st.activity.delete(session);
        continue;
      }
      p.v = v;
      p.lost = null;
    }
    if (p.v <= activeFrom) st.activity.delete(session);
  }
  for (const id of st.sessions.keys()) if (!st.activity.has(id)) st.sessions.delete(id);
}

/**
 * Active sessions not tracked, to be reloaded, or whose newest-of went are summed again by the store (one batch);
 * one whose metadata only changed has just that row read again.
 */
function askAgain(f: Fold): void {
  const { st, from, to } = f;
  const ask: number[] = [];
  for (const [id] of st.activity) {
    const s = st.sessions.get(id);
    if (!s || s.reload || lostAny(s)) ask.push(id);
    else if (s.metaStale) {
      f.stats.queries++;
      const row = f.q.store.db.get<{ cwd: string | null; title: string | null; branch: string | null; window1m: number }>(
        "SELECT cwd, title, branch, window1m FROM sessions WHERE id = ?",
        id,
      );
      if (row) Object.assign(s.sums, { cwd: row.cwd, title: row.title, branch: row.branch, window1M: row.window1m !== 0 });
      s.metaStale = false;
    }
  }
  if (ask.length === 0) return;
  f.stats.reloads += ask.length;
  f.stats.queries += 3 + 5 * ask.length;
  const last = new Map(ask.map((id) => [id, st.activity.get(id)!.v]));
  for (const [id, s] of f.q.sessionSumsOf(ask, last, from, to)) st.sessions.set(id, tracked(id, s));
  for (const id of ask) if (!st.sessions.has(id)) st.activity.delete(id); // (not in the store after all)
}

/** Whether a newest-of of the session went and what replaces it is not known here (it must be asked again). */
function lostAny(s: Tracked): boolean {
  if (s.latestMain.lost || s.latestAny.lost || s.lastError.lost || s.lastPrompt.lost) return true;
  for (const m of s.agents.values()) if (m.mark.lost || m.peak.lost !== null || !m.mark.cur) return true;
  return false;
}

// ---- the sums a response is part of -----------------------------------------------------------------------------------

/** Adds (sign 1) or takes away (-1) a response in a map of cells of `slot`. */
function addCell(f: Fold, cells: Map<string, UsageCell>, row: ResponseRowLike, slot: number, sign: 1 | -1): void {
  const { st } = f;
  const model = f.q.store.name(row.model);
  const start = Math.floor((row.time - 1) / slot) * slot;
  const k = cellKey(start, model, row.cls);
  let c = cells.get(k);
  if (!c) {
    if (sign < 0) return; // (never summed: nothing to take away)
    cells.set(
      k,
      (c = {
        start,
        model,
        cls: row.cls,
        responses: 0,
        usage: { uncached: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, output: 0 },
        freshHit: 0,
        freshMiss: 0,
      }),
    );
  }
  const u = c.usage;
  c.responses += sign;
  u.uncached += sign * row.u;
  u.cacheWrite5m += sign * row.a;
  u.cacheWrite1h += sign * row.b;
  u.cacheRead += sign * row.r;
  u.output += sign * row.o;
  const fresh = row.u + row.a + row.b;
  if (row.r > 0) c.freshHit += sign * fresh;
  else c.freshMiss += sign * fresh;
  if (c.responses <= 0) cells.delete(k);
  if (cells === st.cells) st.cellList = null;
  else st.hourList = null;
}

/**
 * A response of a tracked session come or gone: its groups and subagents (in the window), its last hour, and (with
 * `newest`: it came or went from the store, rather than the window moved past it) its newest responses.
 */
function sessionResponse(f: Fold, s: Tracked, row: ResponseRowLike, sign: 1 | -1, inWindow: boolean, inHour: boolean, newest: boolean): void {
  const store = f.q.store;
  const agent = row.agent === null ? null : store.name(row.agent);
  const model = store.name(row.model);
  const context = row.u + row.a + row.b + row.r;
  if (inWindow) {
    groupResponse(s, agent, model, row, sign);
    if (agent !== null) agentResponse(s, agent, model, row, sign, context);
  }
  if (inHour) {
    const fresh = sign * (row.u + row.a + row.b);
    if (agent === null) s.sums.mainFresh1h += fresh;
    else s.sums.subFresh1h += fresh;
  }
  if (!newest) return;
  if (sign > 0) {
    if (row.time <= f.to) {
      if (agent === null) newestAdd(s.latestMain, row.time, row.key, { model, context });
      newestAdd(s.latestAny, row.time, row.key, model);
    }
  } else {
    if (agent === null) newestRemove(s.latestMain, row.time, row.key);
    newestRemove(s.latestAny, row.time, row.key);
  }
}

/** A response in the window, into its session's group of (agent, model, class). */
function groupResponse(s: Tracked, agent: string | null, model: string, row: ResponseRowLike, sign: 1 | -1): void {
  const k = groupKey(agent, model, row.cls);
  let g = s.groups.get(k);
  if (!g && sign > 0)
    s.groups.set(
      k,
      (g = { agentId: agent, model, cls: row.cls, responses: 0, usage: { uncached: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, output: 0 } }),
    );
  if (g) {
    g.responses += sign;
    g.usage.uncached += sign * row.u;
    g.usage.cacheWrite5m += sign * row.a;
    g.usage.cacheWrite1h += sign * row.b;
    g.usage.cacheRead += sign * row.r;
    g.usage.output += sign * row.o;
    if (g.responses <= 0) s.groups.delete(k);
  } else s.reload = true; // (a response it never held: ask again)
}

/** A subagent's response in the window, into its newest response and its largest context. */
function agentResponse(s: Tracked, agent: string, model: string, row: ResponseRowLike, sign: 1 | -1, context: number): void {
  let m = s.agents.get(agent);
  if (!m && sign > 0) s.agents.set(agent, (m = { mark: { cur: null, lost: null }, peak: { v: 0, lost: null }, n: 0 }));
  if (!m) return;
  m.n += sign;
  if (sign > 0) {
    newestAdd(m.mark, row.time, row.key, model);
    peakAdd(m.peak, context);
  } else {
    newestRemove(m.mark, row.time, row.key);
    peakRemove(m.peak, context);
  }
  if (m.n <= 0) s.agents.delete(agent);
}
