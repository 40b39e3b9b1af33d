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
import type { AgentMark, Counts, LiveQuery, LiveSums, SessionGroup, SessionSums, UsageCell } from "../model/queries.ts";
import { sortGroups } from "../model/selectors.ts";
import type { SqlDatabase } from "../sqlite.ts";
import type { UsageStore } from "./store.ts";
import { clamp } from "./time-bounds.ts";

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

const HOUR = 3_600_000;

/** Changes held between two calls beyond which the log stops and the next call sums afresh (a backlog read at once). */
export const LOG_CAP = 20_000;

const enum Kind {
  Response = 0,
  Prompt = 1,
  Call = 2,
  Result = 3,
  ApiError = 4,
  Meta = 5,
}

/** One logged change: a fact row come (sign 1) or gone (-1), or a session's metadata changed (kind Meta). */
interface LogRow {
  kind: Kind;
  sign: 1 | -1;
  time: number | null;
  session: number | null;
  agent: number | null;
  model: number | null;
  cls: number | null;
  u: number | null;
  a: number | null;
  b: number | null;
  r: number | null;
  o: number | null;
  key: string | null;
  x: number | null;
  msg: string | null;
}

type ResponseRowLike = {
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

// ---- the log ---------------------------------------------------------------------------------------------------------

const COLS = "kind, sign, time, session, agent, model, cls, u, a, b, r, o, key, x, msg";

function logged(kind: Kind, sign: 1 | -1, v: string, of: "NEW" | "OLD"): string {
  return `INSERT INTO live_log (${COLS}) VALUES (${kind}, ${sign}, ${v.replace(/\$/g, of)});`;
}

/** What each fact table's triggers log of a row ($: NEW or OLD). */
const LOGGED: { table: string; rows: [Kind, string][] }[] = [
  { table: "responses", rows: [[Kind.Response, "$.time, $.session, $.agent, $.model, $.cls, $.uncached, $.w5, $.w1, $.rd, $.out, $.key, NULL, NULL"]] },
  { table: "prompts", rows: [[Kind.Prompt, "$.time, $.session, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, $.key, NULL, NULL"]] },
  {
    table: "tools",
    rows: [
      [Kind.Call, "$.call_time, $.session, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, $.key, NULL, NULL"],
      [Kind.Result, "$.result_time, $.session, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, $.key, $.outcome, NULL"],
    ],
  },
  { table: "errors", rows: [[Kind.ApiError, "$.time, $.session, NULL, NULL, NULL, NULL, $.status, NULL, NULL, NULL, $.key, $.retry, $.message"]] },
];

/** The log of one connection and which tracker reads it (one at a time: a second one takes it over). */
interface LiveLog {
  owner: LiveSumsTracker | null;
}

const logs = new WeakMap<SqlDatabase, LiveLog | null>();

/**
 * The connection's log, its TEMP table and triggers made on first use (they last as long as the connection); null
 * when they cannot be made here (every answer is then summed afresh).
 */
function logOf(db: SqlDatabase): LiveLog | null {
  const known = logs.get(db);
  if (known !== undefined) return known;
  try {
    return makeLog(db);
  } catch {
    logs.set(db, null);
    return null;
  }
}

function makeLog(db: SqlDatabase): LiveLog {
  // (a trigger writes while the log has room; once it is full it marks the overflow and stops logging)
  const room = `(SELECT count(*) FROM live_over) = 0`;
  const full = `INSERT OR IGNORE INTO live_over (one) SELECT 1 WHERE (SELECT max(id) FROM live_log) - (SELECT min(id) FROM live_log) >= ${LOG_CAP};`;
  const parts = [
    `CREATE TEMP TABLE IF NOT EXISTS live_log (id INTEGER PRIMARY KEY AUTOINCREMENT, kind INTEGER NOT NULL, sign INTEGER NOT NULL, time INTEGER,
       session INTEGER, agent INTEGER, model INTEGER, cls INTEGER, u INTEGER, a INTEGER, b INTEGER, r INTEGER, o INTEGER, key TEXT, x INTEGER, msg TEXT);`,
    "CREATE TEMP TABLE IF NOT EXISTS live_over (one INTEGER PRIMARY KEY);",
  ];
  for (const { table, rows } of LOGGED) {
    const ins = rows.map(([k, v]) => logged(k, 1, v, "NEW")).join(" ");
    const del = rows.map(([k, v]) => logged(k, -1, v, "OLD")).join(" ");
    parts.push(`CREATE TEMP TRIGGER IF NOT EXISTS live_${table}_ins AFTER INSERT ON ${table} WHEN ${room} BEGIN ${ins} ${full} END;`);
    parts.push(`CREATE TEMP TRIGGER IF NOT EXISTS live_${table}_upd AFTER UPDATE ON ${table} WHEN ${room} BEGIN ${del} ${ins} ${full} END;`);
    parts.push(`CREATE TEMP TRIGGER IF NOT EXISTS live_${table}_del AFTER DELETE ON ${table} WHEN ${room} BEGIN ${del} ${full} END;`);
  }
  const meta = `INSERT INTO live_log (kind, sign, session) VALUES (${Kind.Meta}, 1, NEW.id);`;
  parts.push(`CREATE TEMP TRIGGER IF NOT EXISTS live_sessions_ins AFTER INSERT ON sessions WHEN ${room} BEGIN ${meta} ${full} END;`);
  parts.push(`CREATE TEMP TRIGGER IF NOT EXISTS live_sessions_upd AFTER UPDATE ON sessions WHEN ${room} BEGIN ${meta} ${full} END;`);
  db.exec(parts.join("\n"));
  const log: LiveLog = { owner: null };
  logs.set(db, log);
  return log;
}

// ---- newest-of marks -------------------------------------------------------------------------------------------------

/** The newest of some facts by (time, key), with what is shown of it. `lost`: the newest went and what is now the
 *  newest is not known here (a fact at least as new as the one lost settles it; else the session is asked again). */
interface Newest<P> {
  cur: { time: number; key: string; p: P } | null;
  lost: { time: number; key: string } | null;
}

const newer = (t: number, k: string, o: { time: number; key: string }) => t > o.time || (t === o.time && k >= o.key);

function newestAdd<P>(m: Newest<P>, time: number, key: string, p: P): void {
  if (m.lost) {
    if (newer(time, key, m.lost)) {
      m.lost = null;
      m.cur = { time, key, p };
    }
  } else if (!m.cur || newer(time, key, m.cur)) m.cur = { time, key, p };
}

function newestRemove<P>(m: Newest<P>, time: number, key: string): void {
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

function peakAdd(m: Peak, x: number): void {
  if (m.lost !== null) {
    if (x >= m.lost) {
      m.lost = null;
      m.v = x;
    }
  } else if (x > m.v) m.v = x;
}

function peakRemove(m: Peak, x: number): void {
  if (m.lost === null && x >= m.v) m.lost = m.v;
}

// ---- the sums ------------------------------------------------------------------------------------------------------

/** An active session's sums as the tracker keeps them. */
interface Tracked {
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

interface State {
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

const COUNT_NAMES = ["prompts", "toolCalls", "toolErrors", "toolRejections", "apiErrors", "apiRetries"] as const;

const cellKey = (start: number, model: string, cls: number) => `${start}|${model}|${cls}`;
const groupKey = (agent: string | null, model: string, cls: number) => `${agent === null ? "-" : `+${agent}`}|${model}|${cls}`;

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
    this.fold(st, rows, from, to);
    this.stats.folded++;
    return this.answer(st);
  }

  /** The log's rows since the last call, taken out of it; null when it overflowed (some are missing). */
  private drain(): LogRow[] | null {
    const db = this.db;
    this.stats.queries += 2;
    const rows = db.query<LogRow>("SELECT * FROM live_log ORDER BY id");
    const over = db.get<{ n: number }>("SELECT count(*) AS n FROM live_over")!.n > 0;
    if (rows.length > 0) db.run("DELETE FROM live_log");
    if (over) db.run("DELETE FROM live_over");
    return over ? null : rows;
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

  // -- folded

  private fold(st: State, rows: readonly LogRow[], from: number, to: number): void {
    const q = this.q;
    const { from: a, to: b } = st;
    const hour = b - HOUR;
    const sessionHour = Math.max(a, hour);
    const activeFrom = to - st.activeMs;
    const touched = new Set<Tracked>();
    const seen = (session: number, time: number) => {
      if (time <= activeFrom || time > to) return;
      const p = st.activity.get(session);
      if (p) peakAdd(p, time);
      else st.activity.set(session, { v: time, lost: null });
    };
    const unseen = (session: number, time: number) => {
      const p = st.activity.get(session);
      if (p) peakRemove(p, time);
    };

    // 1. The log: what changed since the last call, into the sums of the ranges last answered.
    for (const r of rows) {
      const t = r.time;
      const session = r.session;
      if (r.kind === Kind.Meta) {
        const s = session === null ? undefined : st.sessions.get(session);
        if (s) s.metaStale = true;
        continue;
      }
      if (t === null || session === null) continue;
      const sign = r.sign;
      const s = st.sessions.get(session);
      switch (r.kind) {
        case Kind.Response: {
          const row = r as unknown as ResponseRowLike;
          if (t > a && t <= b) this.cell(st, st.cells, row, st.slot, sign);
          if (t > hour && t <= b) this.cell(st, st.hourCells, row, HOUR, sign);
          if (s) {
            this.sessionResponse(s, row, sign, t > a && t <= b, t > sessionHour && t <= b, to, true);
            touched.add(s);
          }
          if (sign > 0) seen(session, t);
          else unseen(session, t);
          break;
        }
        case Kind.Prompt:
          if (t > a && t <= b) st.counts[0]! += sign;
          if (s) {
            if (sign > 0 && t <= to) newestAdd(s.lastPrompt, t, r.key!, null);
            else if (sign < 0) newestRemove(s.lastPrompt, t, r.key!);
          }
          if (sign > 0) seen(session, t);
          else unseen(session, t);
          break;
        case Kind.Call:
          if (t > a && t <= b) st.counts[1]! += sign;
          break;
        case Kind.Result:
          if (t > a && t <= b && (r.x === 1 || r.x === 2)) st.counts[r.x + 1]! += sign;
          if (sign > 0) seen(session, t);
          else unseen(session, t);
          break;
        case Kind.ApiError:
          if (t > a && t <= b) st.counts[r.x === 1 ? 5 : 4]! += sign;
          if (s) {
            if (sign > 0 && t <= to) newestAdd(s.lastError, t, r.key!, { status: r.a, message: r.msg ?? "" });
            else if (sign < 0) newestRemove(s.lastError, t, r.key!);
          }
          if (sign > 0) seen(session, t);
          else unseen(session, t);
          break;
      }
    }

    // 2. The ranges move on: the facts they left and those they took in, from the store as it is now.
    const responsesIn = (lo: number, hi: number): ResponseRowLike[] => {
      if (hi <= lo) return [];
      this.stats.queries++;
      return this.db.query<ResponseRowLike>(
        "SELECT time, session, agent, model, cls, uncached AS u, w5 AS a, w1 AS b, rd AS r, out AS o, key FROM responses WHERE time > ? AND time <= ?",
        lo,
        hi,
      );
    };
    if (from > a) {
      for (const row of responsesIn(a, from)) {
        this.cell(st, st.cells, row, st.slot, -1);
        const s = st.sessions.get(row.session);
        if (s) {
          this.sessionResponse(s, row, -1, true, false, to, false);
          touched.add(s);
        }
      }
      this.countsIn(st, a, from, -1, null);
    }
    if (to - HOUR > hour) for (const row of responsesIn(hour, to - HOUR)) this.cell(st, st.hourCells, row, HOUR, -1);
    const sessionHourNow = Math.max(from, to - HOUR);
    if (sessionHourNow > sessionHour && st.sessions.size > 0)
      for (const row of responsesIn(sessionHour, sessionHourNow)) {
        const s = st.sessions.get(row.session);
        if (!s) continue;
        const f = row.u + row.a + row.b;
        if (row.agent === null) s.sums.mainFresh1h -= f;
        else s.sums.subFresh1h -= f;
      }
    if (to > b) {
      for (const row of responsesIn(b, to)) {
        this.cell(st, st.cells, row, st.slot, 1);
        this.cell(st, st.hourCells, row, HOUR, 1);
        const s = st.sessions.get(row.session);
        if (s) {
          this.sessionResponse(s, row, 1, true, true, to, true);
          touched.add(s);
        }
        seen(row.session, row.time);
      }
      this.countsIn(st, b, to, 1, {
        seen,
        prompt: (s, t, k) => newestAdd(s.lastPrompt, t, k, null),
        error: (s, t, k, status, message) => newestAdd(s.lastError, t, k, { status, message }),
      });
    }
    st.from = from;
    st.to = to;

    // 3. Who is active now: a session whose newest activity went is asked again; those that fell out go.
    for (const [session, p] of st.activity) {
      if (p.lost !== null) {
        this.stats.queries++;
        const v = q.activityOf(session, activeFrom, to);
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

    // 4. Sessions to ask the store about: newly active ones, and those whose newest-of went.
    const ask: number[] = [];
    for (const [id] of st.activity) {
      const s = st.sessions.get(id);
      if (!s || s.reload || lostAny(s)) ask.push(id);
      else if (s.metaStale) {
        this.stats.queries++;
        const row = this.db.get<{ cwd: string | null; title: string | null; branch: string | null; window1m: number }>(
          "SELECT cwd, title, branch, window1m FROM sessions WHERE id = ?",
          id,
        );
        if (row) Object.assign(s.sums, { cwd: row.cwd, title: row.title, branch: row.branch, window1M: row.window1m !== 0 });
        s.metaStale = false;
      }
    }
    if (ask.length > 0) {
      this.stats.reloads += ask.length;
      this.stats.queries += 3 + 5 * ask.length;
      const last = new Map(ask.map((id) => [id, st.activity.get(id)!.v]));
      for (const [id, s] of q.sessionSumsOf(ask, last, from, to)) st.sessions.set(id, tracked(id, s));
      for (const id of ask) if (!st.sessions.has(id)) st.activity.delete(id); // (not in the store after all)
    }
    for (const s of touched) s.changed = true;
  }

  /** Adds (sign 1) or takes away (-1) a response in a map of cells of `slot`. */
  private cell(st: State, cells: Map<string, UsageCell>, row: ResponseRowLike, slot: number, sign: 1 | -1): void {
    const model = this.q.store.name(row.model);
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
  private sessionResponse(s: Tracked, row: ResponseRowLike, sign: 1 | -1, inWindow: boolean, inHour: boolean, now: number, newest: boolean): void {
    const store = this.q.store;
    const agent = row.agent === null ? null : store.name(row.agent);
    const model = store.name(row.model);
    const context = row.u + row.a + row.b + row.r;
    if (inWindow) {
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
      if (agent !== null) {
        let m = s.agents.get(agent);
        if (!m && sign > 0) s.agents.set(agent, (m = { mark: { cur: null, lost: null }, peak: { v: 0, lost: null }, n: 0 }));
        if (m) {
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
      }
    }
    if (inHour) {
      const f = sign * (row.u + row.a + row.b);
      if (agent === null) s.sums.mainFresh1h += f;
      else s.sums.subFresh1h += f;
    }
    if (!newest) return;
    if (sign > 0) {
      if (row.time <= now) {
        if (agent === null) newestAdd(s.latestMain, row.time, row.key, { model, context });
        newestAdd(s.latestAny, row.time, row.key, model);
      }
    } else {
      if (agent === null) newestRemove(s.latestMain, row.time, row.key);
      newestRemove(s.latestAny, row.time, row.key);
    }
  }

  /** Counts (and, for the strip the window's end moved over, activity and newest prompts and errors) in (lo, hi]. */
  private countsIn(
    st: State,
    lo: number,
    hi: number,
    sign: 1 | -1,
    took: {
      seen: (session: number, time: number) => void;
      prompt: (s: Tracked, time: number, key: string) => void;
      error: (s: Tracked, time: number, key: string, status: number | null, message: string) => void;
    } | null,
  ): void {
    const db = this.db;
    this.stats.queries += 4;
    for (const r of db.query<{ time: number; session: number; key: string }>("SELECT time, session, key FROM prompts WHERE time > ? AND time <= ?", lo, hi)) {
      st.counts[0]! += sign;
      if (!took) continue;
      took.seen(r.session, r.time);
      const s = st.sessions.get(r.session);
      if (s) took.prompt(s, r.time, r.key);
    }
    st.counts[1]! += sign * (db.get<{ n: number }>("SELECT count(*) AS n FROM tools WHERE call_time > ? AND call_time <= ?", lo, hi)?.n ?? 0);
    for (const r of db.query<{ time: number; session: number; outcome: number | null }>(
      "SELECT result_time AS time, session, outcome FROM tools WHERE result_time > ? AND result_time <= ?",
      lo,
      hi,
    )) {
      if (r.outcome === 1 || r.outcome === 2) st.counts[r.outcome + 1]! += sign;
      took?.seen(r.session, r.time);
    }
    for (const r of db.query<{ time: number; session: number; key: string; status: number | null; message: string; retry: number }>(
      "SELECT time, session, key, status, message, retry FROM errors WHERE time > ? AND time <= ?",
      lo,
      hi,
    )) {
      st.counts[r.retry === 1 ? 5 : 4]! += sign;
      if (!took) continue;
      took.seen(r.session, r.time);
      const s = st.sessions.get(r.session);
      if (s) took.error(s, r.time, r.key, r.status, r.message);
    }
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
    const logged = logs.get(this.db) ? (this.db.get<{ n: number }>("SELECT count(*) AS n FROM live_log")?.n ?? 0) : 0;
    if (!st) return { cells: 0, hourCells: 0, sessions: 0, activity: 0, groups: 0, logged };
    let groups = 0;
    for (const s of st.sessions.values()) groups += s.groups.size + s.agents.size;
    return { cells: st.cells.size, hourCells: st.hourCells.size, sessions: st.sessions.size, activity: st.activity.size, groups, logged };
  }
}

function lostAny(s: Tracked): boolean {
  if (s.latestMain.lost || s.latestAny.lost || s.lastError.lost || s.lastPrompt.lost) return true;
  for (const m of s.agents.values()) if (m.mark.lost || m.peak.lost !== null || !m.mark.cur) return true;
  return false;
}

/** A session's sums as the tracker keeps them. */
function tracked(id: number, s: SessionSums): Tracked {
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

function copyCell(c: UsageCell): UsageCell {
  return { ...c, usage: { ...c.usage } };
}

/** Cells in the store's one order (start, model, class), so sums of costs agree to the last bit. */
function sortCells(cells: UsageCell[]): UsageCell[] {
  return cells.sort((a, b) => a.start - b.start || (a.model < b.model ? -1 : a.model > b.model ? 1 : a.cls - b.cls));
}
