// Sessions' sums from the usage store (split out of store-query.ts): what LIVE's active-sessions table and the report
// show per session, each part taken by one query over all the sessions asked about, then a few per session for their
// newest facts. Times are epoch ms; a fact belongs to a span when from < time <= to.
import type { AgentMark, SessionGroup, SessionSums } from "../model/queries.ts";
import { sortGroups } from "../model/selectors.ts";
import type { SqlDatabase, SqlValue } from "../sqlite.ts";
import type { UsageStore } from "./store.ts";
import { clamp } from "./time-bounds.ts";

const HOUR = 3_600_000;

/** A row of the sessions table. */
export interface SessionRow {
  id: number;
  sid: string;
  cwd: string | null;
  cwd_time: number | null;
  branch: string | null;
  branch_time: number | null;
  entrypoint: string | null;
  ep_time: number | null;
  title: string | null;
  window1m: number;
}

/** The rows of `sql` (with one `IN (…)` for the values) for many values, some hundreds at a time. */
export function inChunks<T>(db: SqlDatabase, sql: (marks: string) => string, values: readonly (string | number)[], before: readonly SqlValue[] = []): T[] {
  const out: T[] = [];
  for (let i = 0; i < values.length; i += 900) {
    const part = values.slice(i, i + 900);
    for (const r of db.query<T>(sql(part.map(() => "?").join(",")), ...before, ...part)) out.push(r);
  }
  return out;
}

/** The sessions' rows by their ids. */
export function sessionRows(db: SqlDatabase, ids: readonly number[]): SessionRow[] {
  return inChunks<SessionRow>(db, (marks) => `SELECT * FROM sessions WHERE id IN (${marks})`, ids);
}

/**
 * Sessions' sums over (from, to] by their row ids: their responses there per thread, model and class, their
 * subagents' newest response and largest context there, their fresh tokens in the last hour of it, and their newest
 * facts up to `to`. `last` gives their last activity; a session not in it gets its newest response, prompt or API
 * error up to `to` (else `to`).
 */
export function sessionSumsOf(
  store: UsageStore,
  ids: readonly number[],
  last: ReadonlyMap<number, number>,
  from: number,
  to: number,
): Map<number, SessionSums> {
  const out = new Map<number, SessionSums>();
  if (ids.length === 0) return out;
  const f = clamp(from);
  const t = clamp(to);
  const groups = responseGroups(store, ids, f, t);
  const agents = agentMarks(store, ids, f, t);
  const fresh = freshTokens(store.db, ids, Math.max(f, t - HOUR), t);
  for (const row of sessionRows(store.db, ids)) {
    const id = row.id;
    const { latestMain, latestAny, lastError, lastPrompt } = newestFacts(store.db, id, t);
    const newest = Math.max(latestAny?.time ?? -Infinity, lastError?.time ?? -Infinity, lastPrompt?.time ?? -Infinity);
    const h = fresh.get(id) ?? [0, 0];
    out.set(id, {
      sessionId: row.sid,
      lastActivity: last.get(id) ?? (Number.isFinite(newest) ? newest : to),
      cwd: row.cwd,
      title: row.title,
      branch: row.branch,
      window1M: row.window1m !== 0,
      latestMain: latestMain ? { time: latestMain.time, key: latestMain.key, model: store.name(latestMain.model), context: latestMain.c } : null,
      latestAny: latestAny ? { time: latestAny.time, key: latestAny.key, model: store.name(latestAny.model) } : null,
      lastError: lastError ? { time: lastError.time, key: lastError.key, status: lastError.status, message: lastError.message } : null,
      lastPrompt: lastPrompt ? { time: lastPrompt.time, key: lastPrompt.key } : null,
      groups: sortGroups(groups.get(id) ?? []),
      agents: agents.get(id) ?? [],
      mainFresh1h: h[0],
      subFresh1h: h[1],
    });
  }
  return out;
}

/** Appends `v` to the list of key `k`. */
function push<T>(m: Map<number, T[]>, k: number, v: T): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

/** Each session's responses over (f, t] summed per thread, model and class (its rows of cost), in one query for all. */
function responseGroups(store: UsageStore, ids: readonly number[], f: number, t: number): Map<number, SessionGroup[]> {
  const groups = new Map<number, SessionGroup[]>();
  for (const r of inChunks<{
    session: number;
    agent: number | null;
    model: number;
    cls: number;
    n: number;
    u: number;
    a: number;
    b: number;
    r: number;
    o: number;
  }>(
    store.db,
    (marks) => `SELECT session, agent, model, cls, count(*) AS n, sum(uncached) AS u, sum(w5) AS a, sum(w1) AS b, sum(rd) AS r, sum(out) AS o
        FROM responses WHERE time > ? AND time <= ? AND session IN (${marks}) GROUP BY session, agent, model, cls`,
    ids,
    [f, t],
  ))
    push(groups, r.session, {
      agentId: r.agent === null ? null : store.name(r.agent),
      model: store.name(r.model),
      cls: r.cls,
      responses: r.n,
      usage: { uncached: r.u, cacheWrite5m: r.a, cacheWrite1h: r.b, cacheRead: r.r, output: r.o },
    });
  return groups;
}

/** Each session's subagents over (f, t]: the newest response of each and the largest context it reached there. */
function agentMarks(store: UsageStore, ids: readonly number[], f: number, t: number): Map<number, AgentMark[]> {
  const agents = new Map<number, AgentMark[]>();
  for (const r of inChunks<{ session: number; agent: number; model: number; time: number; key: string; peak: number }>(
    store.db,
    (marks) => `SELECT session, agent, model, time, key, peak FROM (
          SELECT session, agent, model, time, key, max(uncached + w5 + w1 + rd) OVER (PARTITION BY session, agent) AS peak,
            row_number() OVER (PARTITION BY session, agent ORDER BY time DESC, key DESC) AS k
          FROM responses WHERE time > ? AND time <= ? AND agent IS NOT NULL AND session IN (${marks})) WHERE k = 1`,
    ids,
    [f, t],
  ))
    push(agents, r.session, { agentId: store.name(r.agent), time: r.time, key: r.key, model: store.name(r.model), peak: r.peak });
  return agents;
}

/** Each session's fresh tokens (uncached + cache writes) over (from, t]: [main thread, subagents]. */
function freshTokens(db: SqlDatabase, ids: readonly number[], from: number, t: number): Map<number, [number, number]> {
  const fresh = new Map<number, [number, number]>();
  for (const r of inChunks<{ session: number; main: number; f: number }>(
    db,
    (marks) =>
      `SELECT session, agent IS NULL AS main, sum(uncached + w5 + w1) AS f FROM responses WHERE time > ? AND time <= ? AND session IN (${marks}) GROUP BY session, main`,
    ids,
    [from, t],
  )) {
    let x = fresh.get(r.session);
    if (!x) fresh.set(r.session, (x = [0, 0]));
    x[r.main ? 0 : 1] += r.f;
  }
  return fresh;
}

/**
 * One session's newest facts up to t (not only in the span: a session quiet in it still shows its model and context):
 * its main thread's newest response with its context, any thread's newest response, its last API error and prompt.
 */
function newestFacts(db: SqlDatabase, id: number, t: number) {
  const latestMain = db.get<{ time: number; key: string; model: number; c: number }>(
    "SELECT time, key, model, uncached + w5 + w1 + rd AS c FROM responses WHERE session = ? AND agent IS NULL AND time <= ? ORDER BY time DESC, key DESC LIMIT 1",
    id,
    t,
  );
  const latestAny = db.get<{ time: number; key: string; model: number }>(
    "SELECT time, key, model FROM responses WHERE session = ? AND time <= ? ORDER BY time DESC, key DESC LIMIT 1",
    id,
    t,
  );
  const lastError = db.get<{ time: number; key: string; status: number | null; message: string }>(
    "SELECT time, key, status, message FROM errors WHERE session = ? AND time <= ? ORDER BY time DESC, key DESC LIMIT 1",
    id,
    t,
  );
  const lastPrompt = db.get<{ time: number; key: string }>(
    "SELECT time, key FROM prompts WHERE session = ? AND time <= ? ORDER BY time DESC, key DESC LIMIT 1",
    id,
    t,
  );
  return { latestMain, latestAny, lastError, lastPrompt };
}
