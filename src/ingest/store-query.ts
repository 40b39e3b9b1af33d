// The views' questions answered by aggregate queries on the usage store (see model/queries.ts). Times are epoch ms;
// a fact belongs to a span when from < time <= to.
import { TOOL_OUTCOMES } from "../model/events.ts";
import type {
  Counts,
  LimitSeen,
  DayCell,
  LiveQuery,
  LiveSums,
  SessionCell,
  SessionLabel,
  SessionSums,
  ToolResultFact,
  UsageCell,
  UsageQueries,
} from "../model/queries.ts";
import { LiveSumsTracker } from "./live-sums.ts";
import { inChunks, type SessionRow, sessionRows, sessionSumsOf } from "./store-session-sums.ts";
import { clamp } from "./time-bounds.ts";
import { CELL_MS, type UsageStore } from "./store.ts";

/** Spans longer than this (in whole quarter hours) are summed from the rollup. */
const ROLLUP_SPAN = 2 * 86_400_000;
const HOUR = 3_600_000;

interface CellRow {
  slot: number;
  model: number;
  cls: number;
  n: number;
  u: number;
  a: number;
  b: number;
  r: number;
  o: number;
  hit: number;
  miss: number;
}

const SUMS = `count(*) AS n, sum(uncached) AS u, sum(w5) AS a, sum(w1) AS b, sum(rd) AS r, sum(out) AS o,
  sum(CASE WHEN rd > 0 THEN uncached + w5 + w1 ELSE 0 END) AS hit, sum(CASE WHEN rd > 0 THEN 0 ELSE uncached + w5 + w1 END) AS miss`;

export class StoreQueries implements UsageQueries {
  constructor(readonly store: UsageStore) {}

  /** LIVE's sums, kept between calls (see live-sums.ts). */
  private tracker: LiveSumsTracker | null = null;

  /** The tracker of LIVE's sums, once asked for them (its statistics and size, for tests and the benchmark). */
  get live(): LiveSumsTracker | null {
    return this.tracker;
  }

  private get db() {
    return this.store.db;
  }

  version(): string {
    return this.store.version();
  }

  private cell(r: CellRow, start: number): UsageCell {
    return {
      start,
      model: this.store.name(r.model),
      cls: r.cls,
      responses: r.n,
      usage: { uncached: r.u, cacheWrite5m: r.a, cacheWrite1h: r.b, cacheRead: r.r, output: r.o },
      freshHit: r.hit,
      freshMiss: r.miss,
    };
  }

  cells(from: number, to: number, slotMs: number, sessionId?: string): UsageCell[] {
    const slot = Math.max(1, Math.round(slotMs));
    const f = clamp(from);
    const t = clamp(to);
    // A long span in slots of whole quarter hours: the quarter hours it covers come from the rollup, the two partial
    // ends from the responses themselves.
    if (sessionId === undefined && slot % CELL_MS === 0 && t - f > ROLLUP_SPAN) {
      const lo = Math.ceil(f / CELL_MS);
      const hi = Math.floor(t / CELL_MS) - 1;
      if (lo <= hi) {
        if (!this.store.rollupReady()) this.store.rebuildRollup();
        const rows = [
          ...this.raw(f, lo * CELL_MS, slot),
          ...this.db.query<CellRow>(
            `SELECT (slot * ${CELL_MS}) / CAST(?1 AS INTEGER) AS slot, model, cls, sum(n) AS n, sum(u) AS u, sum(a) AS a, sum(b) AS b, sum(r) AS r, sum(o) AS o, sum(hit) AS hit, sum(miss) AS miss FROM cells WHERE slot >= ?2 AND slot <= ?3 GROUP BY 1, 2, 3`,
            slot,
            Math.trunc(lo),
            Math.trunc(hi),
          ),
          ...this.raw((hi + 1) * CELL_MS, t, slot),
        ];
        return byStartAndModel(this.merge(rows, slot));
      }
    }
    return byStartAndModel(this.raw(f, t, slot, sessionId).map((r) => this.cell(r, r.slot * slot)));
  }

  private raw(from: number, to: number, slot: number, sessionId?: string): CellRow[] {
    if (to <= from) return [];
    const where = sessionId === undefined ? "" : " AND session = (SELECT id FROM sessions WHERE sid = ?)";
    const params = sessionId === undefined ? [slot, from, to] : [slot, from, to, sessionId];
    return this.db.query<CellRow>(
      `SELECT (time - 1) / CAST(? AS INTEGER) AS slot, model, cls, ${SUMS} FROM responses WHERE time > ? AND time <= ?${where} GROUP BY slot, model, cls ORDER BY slot, model, cls`,
      ...params,
    );
  }

  /** Rows of the same slot, model and rate class added up, in slot and model order. */
  private merge(rows: CellRow[], slot: number): UsageCell[] {
    const by = new Map<string, CellRow>();
    for (const r of rows) {
      const k = `${r.slot}|${r.model}|${r.cls}`;
      const c = by.get(k);
      if (!c) by.set(k, { ...r });
      else for (const f of ["n", "u", "a", "b", "r", "o", "hit", "miss"] as const) c[f] += r[f];
    }
    return [...by.values()].map((r) => this.cell(r, r.slot * slot));
  }

  sessionCells(from: number, to: number): SessionCell[] {
    const rows = this.db.query<CellRow & { session: number; first: number; last: number }>(
      `SELECT session, model, cls, 0 AS slot, min(time) AS first, max(time) AS last, ${SUMS} FROM responses WHERE time > ? AND time <= ? GROUP BY session, model, cls`,
      clamp(from),
      clamp(to),
    );
    return rows
      .map((r) => {
        const { start: _, ...c } = this.cell(r, 0);
        return { ...c, sessionId: this.store.sessionId(r.session), first: r.first, last: r.last };
      })
      .sort((a, b) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : a.model < b.model ? -1 : a.model > b.model ? 1 : a.cls - b.cls));
  }

  counts(from: number, to: number): Counts {
    const f = clamp(from);
    const t = clamp(to);
    // A long span: whole quarter hours from the tallies, the partial ends from the facts.
    if (t - f > ROLLUP_SPAN) {
      const lo = Math.ceil(f / CELL_MS);
      const hi = Math.floor(t / CELL_MS) - 1;
      if (lo <= hi) {
        if (!this.store.rollupReady()) this.store.rebuildRollup();
        const r = this.db.get<{ p: number | null; c: number | null; e: number | null; j: number | null; a: number | null; t: number | null }>(
          "SELECT sum(prompts) AS p, sum(calls) AS c, sum(errors) AS e, sum(rejections) AS j, sum(apierrors) AS a, sum(retries) AS t FROM tallies WHERE slot >= ? AND slot <= ?",
          Math.trunc(lo),
          Math.trunc(hi),
        );
        const sum = (a: Counts, b: Counts): Counts => ({
          prompts: a.prompts + b.prompts,
          toolCalls: a.toolCalls + b.toolCalls,
          toolErrors: a.toolErrors + b.toolErrors,
          toolRejections: a.toolRejections + b.toolRejections,
          apiErrors: a.apiErrors + b.apiErrors,
          apiRetries: a.apiRetries + b.apiRetries,
        });
        const mid: Counts = {
          prompts: r?.p ?? 0,
          toolCalls: r?.c ?? 0,
          toolErrors: r?.e ?? 0,
          toolRejections: r?.j ?? 0,
          apiErrors: r?.a ?? 0,
          apiRetries: r?.t ?? 0,
        };
        return sum(sum(this.rawCounts(f, lo * CELL_MS), mid), this.rawCounts((hi + 1) * CELL_MS, t));
      }
    }
    return this.rawCounts(f, t);
  }

  private rawCounts(f: number, t: number): Counts {
    if (t <= f) return { prompts: 0, toolCalls: 0, toolErrors: 0, toolRejections: 0, apiErrors: 0, apiRetries: 0 };
    const one = (sql: string) => this.db.get<{ n: number }>(sql, f, t)?.n ?? 0;
    const results = this.db.get<{ e: number | null; r: number | null }>(
      "SELECT sum(outcome = 1) AS e, sum(outcome = 2) AS r FROM tools WHERE result_time > ? AND result_time <= ?",
      f,
      t,
    );
    const errors = this.db.get<{ f: number | null; r: number | null }>(
      "SELECT sum(retry = 0) AS f, sum(retry = 1) AS r FROM errors WHERE time > ? AND time <= ?",
      f,
      t,
    );
    return {
      prompts: one("SELECT count(*) AS n FROM prompts WHERE time > ? AND time <= ?"),
      toolCalls: one("SELECT count(*) AS n FROM tools WHERE call_time > ? AND call_time <= ?"),
      toolErrors: results?.e ?? 0,
      toolRejections: results?.r ?? 0,
      apiErrors: errors?.f ?? 0,
      apiRetries: errors?.r ?? 0,
    };
  }

  activeSessions(from: number, to: number): { sessionId: string; lastActivity: number }[] {
    return this.activeRows(from, to).map((r) => ({ sessionId: this.store.sessionId(r.session), lastActivity: r.last }));
  }

  /** Sessions (their row ids) with any activity in the span, with the time of the last. */
  activeRows(from: number, to: number): { session: number; last: number }[] {
    return this.db.query<{ session: number; last: number }>(
      `SELECT session, max(t) AS last FROM (
         SELECT session, max(time) AS t FROM responses WHERE time > ?1 AND time <= ?2 GROUP BY session
         UNION ALL SELECT session, max(time) FROM prompts WHERE time > ?1 AND time <= ?2 GROUP BY session
         UNION ALL SELECT session, max(result_time) FROM tools WHERE result_time > ?1 AND result_time <= ?2 GROUP BY session
         UNION ALL SELECT session, max(time) FROM errors WHERE time > ?1 AND time <= ?2 GROUP BY session
       ) GROUP BY session`,
      clamp(from),
      clamp(to),
    );
  }

  /** One session's last activity in the span (as activeSessions), or null. */
  activityOf(session: number, from: number, to: number): number | null {
    return (
      this.db.get<{ t: number | null }>(
        `SELECT max(t) AS t FROM (
           SELECT max(time) AS t FROM responses WHERE session = ?1 AND time > ?2 AND time <= ?3
           UNION ALL SELECT max(time) FROM prompts WHERE session = ?1 AND time > ?2 AND time <= ?3
           UNION ALL SELECT max(result_time) FROM tools WHERE session = ?1 AND result_time > ?2 AND result_time <= ?3
           UNION ALL SELECT max(time) FROM errors WHERE session = ?1 AND time > ?2 AND time <= ?3)`,
        session,
        clamp(from),
        clamp(to),
      )?.t ?? null
    );
  }

  liveSums(q: LiveQuery): LiveSums {
    this.tracker ??= new LiveSumsTracker(this);
    return this.tracker.sums(q);
  }

  /** LIVE's sums taken afresh: the window's cells, the last hour's, the counts, the active sessions' sums. */
  freshLiveSums(q: LiveQuery): LiveSums {
    const active = this.activeRows(q.to - q.activeMs, q.to);
    return {
      cells: this.cells(q.from, q.to, q.slotMs),
      hourCells: this.cells(q.to - HOUR, q.to, HOUR),
      counts: this.counts(q.from, q.to),
      sessions: [
        ...this.sessionSumsOf(
          active.map((a) => a.session),
          new Map(active.map((a) => [a.session, a.last])),
          q.from,
          q.to,
        ).values(),
      ],
    };
  }

  sessionSums(sessions: readonly { sessionId: string; lastActivity?: number }[], from: number, to: number): SessionSums[] {
    const rows = this.inChunks<{ id: number; sid: string }>(
      (marks) => `SELECT id, sid FROM sessions WHERE sid IN (${marks})`,
      sessions.map((s) => s.sessionId),
    );
    const given = new Map(sessions.map((s) => [s.sessionId, s.lastActivity]));
    const last = new Map<number, number>();
    for (const r of rows) {
      const t = given.get(r.sid);
      if (t !== undefined) last.set(r.id, t);
    }
    return [
      ...this.sessionSumsOf(
        rows.map((r) => r.id),
        last,
        from,
        to,
      ).values(),
    ];
  }

  /**
   * Sessions' sums over (from, to] by their row ids: their responses there per thread, model and class, their
   * subagents' newest response and largest context there, their fresh tokens in the last hour of it, and their newest
   * facts up to `to`. `last` gives their last activity; a session not in it gets its newest response, prompt or API
   * error up to `to` (else `to`).
   */
  sessionSumsOf(ids: readonly number[], last: ReadonlyMap<number, number>, from: number, to: number): Map<number, SessionSums> {
    return sessionSumsOf(this.store, ids, last, from, to);
  }

  /** The rows of `sql` (with one `IN (…)` for the values) for many values, some hundreds at a time. */
  private inChunks<T>(sql: (marks: string) => string, values: readonly (string | number)[]): T[] {
    return inChunks<T>(this.db, sql, values);
  }

  private sessionRows(ids: readonly number[]): SessionRow[] {
    return sessionRows(this.db, ids);
  }

  private ids(sessionIds: readonly string[]): number[] {
    return this.inChunks<{ id: number }>((marks) => `SELECT id FROM sessions WHERE sid IN (${marks})`, sessionIds).map((r) => r.id);
  }

  labels(sessionIds: readonly string[]): SessionLabel[] {
    return this.sessionRows(this.ids(sessionIds)).map((r) => ({ sessionId: r.sid, cwd: r.cwd, title: r.title, entrypoint: r.entrypoint }));
  }

  // -- INSIGHTS: sums over its window (a month of heavy use is some hundred thousand facts: never all in memory)

  dayCells(from: number, to: number, dayMs: number): DayCell[] {
    const f = clamp(from);
    const t = clamp(to);
    if (t <= f) return [];
    return this.db
      .query<{ session: number; model: number; cls: number; day: number; n: number; u: number; a: number; b: number; r: number; o: number }>(
        `SELECT session, model, cls, CAST((?2 - time) / ?3 AS INTEGER) AS day, count(*) AS n, sum(uncached) AS u, sum(w5) AS a, sum(w1) AS b, sum(rd) AS r, sum(out) AS o
         FROM responses WHERE time > ?1 AND time <= ?2 GROUP BY session, model, cls, day`,
        f,
        t,
        Math.max(1, Math.round(dayMs)),
      )
      .map((r) => ({
        sessionId: this.store.sessionId(r.session),
        model: this.store.name(r.model),
        cls: r.cls,
        day: r.day,
        responses: r.n,
        usage: { uncached: r.u, cacheWrite5m: r.a, cacheWrite1h: r.b, cacheRead: r.r, output: r.o },
      }));
  }

  dayPrompts(from: number, to: number, dayMs: number): { sessionId: string; day: number; prompts: number }[] {
    const f = clamp(from);
    const t = clamp(to);
    if (t <= f) return [];
    return this.db
      .query<{ session: number; day: number; n: number }>(
        "SELECT session, CAST((?2 - time) / ?3 AS INTEGER) AS day, count(*) AS n FROM prompts WHERE time > ?1 AND time <= ?2 GROUP BY session, day",
        f,
        t,
        Math.max(1, Math.round(dayMs)),
      )
      .map((r) => ({ sessionId: this.store.sessionId(r.session), day: r.day, prompts: r.n }));
  }

  toolCalls(from: number, to: number): { name: string; calls: number }[] {
    return this.db
      .query<{ name: number; n: number }>(
        "SELECT name, count(*) AS n FROM tools WHERE call_time > ? AND call_time <= ? AND name IS NOT NULL GROUP BY name",
        clamp(from),
        clamp(to),
      )
      .map((r) => ({ name: this.store.name(r.name), calls: r.n }));
  }

  *toolResults(from: number, to: number): Generator<ToolResultFact> {
    for (const r of this.db.iterate<{ name: number | null; outcome: number | null; result_time: number; call_time: number | null; ms: number | null }>(
      "SELECT name, outcome, result_time, call_time, ms FROM tools WHERE result_time > ? AND result_time <= ?",
      clamp(from),
      clamp(to),
    )) {
      const ms = r.ms ?? (r.call_time !== null && r.result_time >= r.call_time ? r.result_time - r.call_time : null);
      yield { name: r.name === null ? null : this.store.name(r.name), outcome: TOOL_OUTCOMES[r.outcome ?? 0] ?? "ok", time: r.result_time, ms };
    }
  }

  turnDurations(from: number, to: number): number[] {
    return this.db.query<{ ms: number }>("SELECT ms FROM turns WHERE time > ? AND time <= ?", clamp(from), clamp(to)).map((r) => r.ms);
  }

  requestIds(from: number, to: number): Set<string> {
    const out = new Set<string>();
    for (const r of this.db.iterate<{ key: string }>("SELECT key FROM responses WHERE time > ? AND time <= ?", clamp(from), clamp(to))) {
      const bar = r.key.indexOf("|");
      if (bar >= 0) out.add(r.key.slice(bar + 1));
    }
    return out;
  }

  latestLimits(): LimitSeen[] {
    return this.store.latestLimits();
  }

  limitsSeen(kind: string, from: number, to: number): LimitSeen[] {
    return this.store.limitsSeen(kind, from, to);
  }

  claudeCodeCosts(sessionIds: readonly string[]): Map<string, { usd: number; time: number; started: number | null }> {
    return this.store.claudeCodeCosts(sessionIds);
  }

  span(): { first: number; last: number } | null {
    const r = this.db.get<{ first: number | null; last: number | null }>("SELECT min(time) AS first, max(time) AS last FROM responses");
    return r && r.first !== null && r.last !== null ? { first: r.first, last: r.last } : null;
  }
}

/** Cells in one order whatever the order facts were stored in (sums of costs then agree to the last bit). */
function byStartAndModel(cells: UsageCell[]): UsageCell[] {
  return cells.sort((a, b) => a.start - b.start || (a.model < b.model ? -1 : a.model > b.model ? 1 : a.cls - b.cls));
}
