// Team telemetry kept on disk, so a restart of the receiver loses nothing: an SQLite database (bun:sqlite, opened
// through platform.ts) in WAL mode. Events are stored as JSON with indexed key, type and time columns; metric samples
// likewise. Every append is one transaction and idempotent (INSERT OR IGNORE on the event's type + key, the sample's
// key), so an OTLP retry that delivers the same records again stores nothing new, and a crash mid-write leaves the
// database as it was before that append.
//
// Durability: WAL with synchronous=NORMAL — a committed append survives the process crashing or being killed; a power
// loss may lose the last few appends but never corrupts the database.
//
// Its path is kept as the usage store's is (store-open.ts): a symbolic link there, or at its -wal or -shm, is refused
// with one line, never followed; a new file is created by us, exclusively, 0600; a file we did not create is never
// chmodded; and what SQLite opened is checked to be the regular file that was looked at.
import { mkdirSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { type ModelEvent, TOOL_OUTCOMES } from "../model/events.ts";
import type { SqlDatabase } from "../sqlite.ts";
import { CHANGED, createExclusive, openExisting, refusal } from "../ingest/store-open.ts";
import { entryAt } from "../ingest/store-marker.ts";
import { MetricState, type MetricSample } from "./otlp-map.ts";
import { classOf } from "../model/pricing.ts";
import type { InsightParts, TeamSource } from "../model/insights-view.ts";

export const DAY_MS = 86_400_000;

/** `$XDG_DATA_HOME/claude-dash/telemetry.sqlite`, or `<home>/.local/share/claude-dash/telemetry.sqlite` (a relative XDG_DATA_HOME is ignored, per the XDG spec). */
export function defaultStorePath(env: Record<string, string | undefined>, home: string): string {
  const xdg = env.XDG_DATA_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(home, ".local", "share");
  return join(base, "claude-dash", "telemetry.sqlite");
}

const SCHEMA_VERSION = 2;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  type TEXT NOT NULL,
  key  TEXT NOT NULL,
  time INTEGER NOT NULL,
  json TEXT NOT NULL,
  PRIMARY KEY (type, key)
);
CREATE INDEX IF NOT EXISTS events_time ON events (time);
CREATE INDEX IF NOT EXISTS events_key ON events (key);
CREATE TABLE IF NOT EXISTS samples (
  key  TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  time INTEGER NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS samples_time ON samples (time);
CREATE TABLE IF NOT EXISTS meta (
  k TEXT PRIMARY KEY,
  v TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS t_responses (
  id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, time INTEGER NOT NULL, session TEXT NOT NULL, user TEXT, terminal TEXT,
  request_id TEXT, model TEXT NOT NULL, cls INTEGER NOT NULL, u INTEGER NOT NULL, a INTEGER NOT NULL, b INTEGER NOT NULL,
  r INTEGER NOT NULL, o INTEGER NOT NULL, reported REAL);
CREATE INDEX IF NOT EXISTS t_responses_time ON t_responses (time);
CREATE TABLE IF NOT EXISTS t_prompts (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, time INTEGER NOT NULL, session TEXT NOT NULL, user TEXT, terminal TEXT);
CREATE INDEX IF NOT EXISTS t_prompts_time ON t_prompts (time);
CREATE TABLE IF NOT EXISTS t_calls (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, time INTEGER NOT NULL, user TEXT, name TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS t_calls_time ON t_calls (time);
CREATE TABLE IF NOT EXISTS t_results (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, time INTEGER NOT NULL, user TEXT, outcome INTEGER NOT NULL, ms REAL);
CREATE INDEX IF NOT EXISTS t_results_time ON t_results (time);
CREATE TABLE IF NOT EXISTS t_errors (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, time INTEGER NOT NULL, user TEXT, retry INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS t_errors_time ON t_errors (time);
`;

const OUTCOME: Record<string, number> = { ok: 0, error: 1, rejected: 2 };

/**
 * An event's facts in the typed tables INSIGHTS sums (the JSON row keeps the whole event). Rows are in arrival order,
 * which is about time order, so a window's rows lie together on disk and a range on the time index reads them in a
 * sweep.
 */
function putTyped(db: SqlDatabase, e: ModelEvent): void {
  const user = "user" in e ? (e.user ?? null) : null;
  const terminal = "terminal" in e ? (e.terminal ?? null) : null;
  switch (e.type) {
    case "ResponseObserved": {
      const u = e.usage;
      db.run(
        "INSERT OR IGNORE INTO t_responses (key, time, session, user, terminal, request_id, model, cls, u, a, b, r, o, reported) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        e.key,
        Math.round(e.time),
        e.sessionId,
        user,
        terminal,
        e.requestId ?? null,
        e.model,
        classOf(u, e.fast === true, e.copy === true),
        u.uncached,
        u.cacheWrite5m,
        u.cacheWrite1h,
        u.cacheRead,
        u.output,
        e.reportedCostUSD ?? null,
      );
      return;
    }
    case "PromptObserved":
      db.run(
        "INSERT OR IGNORE INTO t_prompts (key, time, session, user, terminal) VALUES (?, ?, ?, ?, ?)",
        e.key,
        Math.round(e.time),
        e.sessionId,
        user,
        terminal,
      );
      return;
    case "ToolCallObserved":
      db.run("INSERT OR IGNORE INTO t_calls (key, time, user, name) VALUES (?, ?, ?, ?)", e.key, Math.round(e.time), user, e.name);
      return;
    case "ToolResultObserved":
      db.run(
        "INSERT OR IGNORE INTO t_results (key, time, user, outcome, ms) VALUES (?, ?, ?, ?, ?)",
        e.key,
        Math.round(e.time),
        user,
        OUTCOME[e.outcome] ?? 0,
        e.reportedMs ?? null,
      );
      return;
    case "ApiErrorObserved":
      db.run("INSERT OR IGNORE INTO t_errors (key, time, user, retry) VALUES (?, ?, ?, ?)", e.key, Math.round(e.time), user, e.retry ? 1 : 0);
      return;
    default:
      return;
  }
}

/** The identity and time of an event for the indexed columns (events without a key are keyed by their content). */
function keyOf(e: ModelEvent): { key: string; time: number } {
  const k = "key" in e && typeof e.key === "string" ? e.key : JSON.stringify(e);
  const t = "time" in e && typeof e.time === "number" && Number.isFinite(e.time) ? e.time : 0;
  return { key: k, time: Math.round(t) };
}

/** The code of the error a telemetry store that is not used throws (a symbolic link at its path, or beside it). */
export const REFUSED = CHANGED;

/** Whether anything is at the telemetry store's path (a link too: it is then refused, and said, not taken for none). */
export function telemetryStoreAt(path: string): boolean {
  return entryAt(path).kind !== "absent" || entryAt(`${path}-wal`).kind === "link" || entryAt(`${path}-shm`).kind === "link";
}

export class TelemetryStore {
  readonly path: string;
  /** bumps on every append and prune through this connection (PRAGMA data_version covers the others). */
  writes = 0;
  private db: SqlDatabase | null;

  /**
   * Opens (creating the file, 0600, and its directory, 0700, if needed) the store at `path`. Throws, with one line and
   * the code REFUSED, when a symbolic link (or not a regular file) is at its path, -wal or -shm.
   */
  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const refused = refusal(path, [`${path}-wal`, `${path}-shm`]);
    if (refused) throw Object.assign(new Error(refused), { code: REFUSED });
    if (entryAt(path).kind === "absent") {
      // Who used Claude Code, when and how much: readable by the user only, from the start.
      try {
        createExclusive(path);
      } catch (e) {
        if ((e as { code?: string }).code !== "EEXIST") throw e; // (another process made it, or put a link there: looked at below)
      }
    }
    const { db } = openExisting(path);
    try {
      db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
      const version = db.query<{ user_version: number }>("PRAGMA user_version")[0]?.user_version ?? 0;
      if (version > SCHEMA_VERSION) throw new Error(`${path}: written by a newer claude-dash (schema ${version})`);
      db.transaction(() => {
        db.exec(SCHEMA);
        // Version 1 kept events as JSON only: their facts go into the typed tables once.
        if (version === 1) {
          for (const row of db.query<{ json: string }>("SELECT json FROM events")) {
            try {
              putTyped(db, JSON.parse(row.json) as ModelEvent);
            } catch {
              /* a damaged row costs only itself */
            }
          }
        }
        db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
      });
    } catch (err) {
      db.close();
      throw err;
    }
    this.db = db;
  }

  private get conn(): SqlDatabase {
    if (!this.db) throw new Error("telemetry store is closed");
    return this.db;
  }

  /**
   * Stores events and samples in one transaction; ones already stored (same type + key, same sample key) are ignored.
   * Pass the receiver's MetricState to save it in the same transaction (so cumulative metrics resume correctly).
   * Returns how many rows were new.
   */
  append(events: readonly ModelEvent[], samples: readonly MetricSample[], metricState?: MetricState): number {
    const db = this.conn;
    return db.transaction(() => {
      let added = 0;
      for (const e of events) {
        const { key, time } = keyOf(e);
        const n = db.run("INSERT OR IGNORE INTO events (type, key, time, json) VALUES (?, ?, ?, ?)", e.type, key, time, JSON.stringify(e)).changes;
        if (n > 0) putTyped(db, e);
        added += n;
      }
      for (const s of samples) {
        added += db.run(
          "INSERT OR IGNORE INTO samples (key, name, time, json) VALUES (?, ?, ?, ?)",
          s.key,
          s.name,
          Math.round(s.time),
          JSON.stringify(s),
        ).changes;
      }
      if (metricState) db.run("INSERT OR REPLACE INTO meta (k, v) VALUES ('metric_state', ?)", JSON.stringify(metricState));
      this.writes++;
      return added;
    });
  }

  /** Every stored event, oldest first (ties in arrival order). Rows that no longer parse are skipped. */
  loadEvents(): ModelEvent[] {
    const out: ModelEvent[] = [];
    for (const row of this.conn.query<{ json: string }>("SELECT json FROM events ORDER BY time, rowid")) {
      try {
        out.push(JSON.parse(row.json) as ModelEvent);
      } catch {
        /* a damaged row costs only itself */
      }
    }
    return out;
  }

  /** Every stored metric sample, oldest first. */
  loadSamples(): MetricSample[] {
    const out: MetricSample[] = [];
    for (const row of this.conn.query<{ json: string }>("SELECT json FROM samples ORDER BY time, rowid")) {
      try {
        out.push(JSON.parse(row.json) as MetricSample);
      } catch {
        /* skipped */
      }
    }
    return out;
  }

  /** The MetricState saved by the last append that passed one (empty when none was). */
  loadMetricState(): MetricState {
    const row = this.conn.query<{ v: string }>("SELECT v FROM meta WHERE k = 'metric_state'")[0];
    if (!row) return new MetricState();
    try {
      return MetricState.fromJSON(JSON.parse(row.v));
    } catch {
      return new MetricState();
    }
  }

  /** How many events and samples are stored. */
  counts(): { events: number; samples: number } {
    const db = this.conn;
    return {
      events: db.query<{ n: number }>("SELECT count(*) AS n FROM events")[0]?.n ?? 0,
      samples: db.query<{ n: number }>("SELECT count(*) AS n FROM samples")[0]?.n ?? 0,
    };
  }

  /** Deletes events and samples older than `retentionDays` before `now` (epoch ms); returns how many rows went. */
  prune(now: number, retentionDays: number): number {
    const cutoff = now - retentionDays * DAY_MS;
    const db = this.conn;
    this.writes++;
    return db.transaction(() => {
      for (const t of ["t_responses", "t_prompts", "t_calls", "t_results", "t_errors"]) db.run(`DELETE FROM ${t} WHERE time < ?`, cutoff);
      return db.run("DELETE FROM events WHERE time < ?", cutoff).changes + db.run("DELETE FROM samples WHERE time < ?", cutoff).changes;
    });
  }

  /** The typed tables, for TeamQueries. */
  get sql(): SqlDatabase {
    return this.conn;
  }

  /** Closes the database (checkpointing the WAL). Further calls do nothing. */
  close(): void {
    if (!this.db) return;
    const db = this.db;
    this.db = null;
    try {
      db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch {
      /* another connection may hold it; the WAL is replayed on the next open */
    }
    db.close();
  }
}

const DAY = 86_400_000;

/**
 * INSIGHTS' team part answered by the telemetry store: sums over the window in SQL, so memory follows the window's
 * result, not the store (millions of events stay on disk).
 */
export class TeamQueries implements TeamSource {
  constructor(private readonly store: TelemetryStore) {}

  private get db(): SqlDatabase {
    return this.store.sql;
  }

  /** Changes whenever the stored team facts change (this process's appends, or another's). */
  version(): string {
    const dv = this.db.get<{ data_version: number }>("PRAGMA data_version")?.data_version ?? 0;
    return `${dv}:${this.store.writes}`;
  }

  parts(from: number, to: number, bucketMs: number, user: string | null, skip: (() => Set<string>) | null): InsightParts {
    const db = this.db;
    const f = Math.max(-8.64e15, from);
    const t = Math.min(8.64e15, to);
    const byUser = user === null ? "" : " AND user = ?3";
    const args = (...extra: (string | number)[]) => (user === null ? [f, t, ...extra] : [f, t, user, ...extra]);
    let skipClause = "";
    if (skip) {
      const ids = skip();
      db.exec("CREATE TEMP TABLE IF NOT EXISTS skip_ids (id TEXT PRIMARY KEY)");
      db.exec("DELETE FROM temp.skip_ids");
      db.transaction(() => {
        for (const id of ids) db.run("INSERT OR IGNORE INTO temp.skip_ids (id) VALUES (?)", id);
      });
      skipClause = " AND (request_id IS NULL OR request_id NOT IN (SELECT id FROM temp.skip_ids))";
    }
    const where = `time > ?1 AND time <= ?2${byUser}`;
    const dayExpr = `CAST((?2 - time) / ${DAY} AS INTEGER)`;
    const responseRows = db.query<{
      session: string;
      user: string | null;
      terminal: string | null;
      model: string;
      cls: number;
      day: number;
      norep: number;
      n: number;
      u: number;
      a: number;
      b: number;
      r: number;
      o: number;
      rep: number | null;
    }>(
      // (responses with a reported figure and without are summed apart: the panel counts how many reported)
      `SELECT session, user, max(terminal) AS terminal, model, cls, ${dayExpr} AS day, reported IS NULL AS norep, count(*) AS n, sum(u) AS u, sum(a) AS a,
           sum(b) AS b, sum(r) AS r, sum(o) AS o, sum(reported) AS rep
         FROM t_responses WHERE ${where}${skipClause} GROUP BY session, user, model, cls, day, norep`,
      ...args(),
    );
    // where each session ran (its terminal), and who was seen: from the same sums
    const sessions = new Map<string, { cwd: string | null; entrypoint: string | null; terminal: string | null }>();
    const note = (session: string, terminal: string | null) => {
      const had = sessions.get(session);
      if (!had) sessions.set(session, { cwd: null, entrypoint: null, terminal });
      else if (terminal !== null && (had.terminal === null || terminal > had.terminal)) had.terminal = terminal;
    };
    for (const x of responseRows) note(x.session, x.terminal);
    const responses = responseRows.map((x) => ({
      sessionId: x.session,
      user: x.user,
      model: x.model,
      cls: x.cls,
      day: x.day,
      responses: x.n,
      usage: { uncached: x.u, cacheWrite5m: x.a, cacheWrite1h: x.b, cacheRead: x.r, output: x.o },
      ...(x.norep ? {} : { reported: x.rep ?? 0 }),
    }));
    const prompts = db
      .query<{ session: string; user: string | null; terminal: string | null; day: number; n: number }>(
        `SELECT session, user, max(terminal) AS terminal, ${dayExpr} AS day, count(*) AS n FROM t_prompts WHERE ${where} GROUP BY session, user, day`,
        ...args(),
      )
      .map((x) => {
        note(x.session, x.terminal);
        return { sessionId: x.session, day: x.day, prompts: x.n, user: x.user };
      });
    const calls = db
      .query<{ name: string; n: number }>(`SELECT name, count(*) AS n FROM t_calls WHERE ${where} GROUP BY name`, ...args())
      .map((x) => ({ name: x.name, calls: x.n }));
    const results = db
      .query<{ name: string | null; outcome: number; time: number; ms: number | null; call: number | null }>(
        `SELECT c.name AS name, r.outcome AS outcome, r.time AS time, r.ms AS ms, c.time AS call FROM t_results r LEFT JOIN t_calls c ON c.key = r.key
         WHERE r.time > ?1 AND r.time <= ?2${user === null ? "" : " AND r.user = ?3"}`,
        ...args(),
      )
      .map((x) => ({
        name: x.name,
        outcome: TOOL_OUTCOMES[x.outcome] ?? "ok",
        time: x.time,
        ms: x.ms ?? (x.call !== null && x.time >= x.call ? x.time - x.call : null),
      }));
    const errors = db.get<{ f: number | null; r: number | null }>(`SELECT sum(retry = 0) AS f, sum(retry = 1) AS r FROM t_errors WHERE ${where}`, ...args());
    const bucket = Math.max(1, Math.round(bucketMs));
    const overTime = db
      .query<{ start: number; u: number; a: number; b: number; r: number; o: number }>(
        `SELECT ((time - 1) / ${bucket}) * ${bucket} AS start, sum(u) AS u, sum(a) AS a, sum(b) AS b, sum(r) AS r, sum(o) AS o FROM t_responses WHERE ${where}${skipClause} GROUP BY start`,
        ...args(),
      )
      .map((x) => ({ start: x.start, usage: { uncached: x.u, cacheWrite5m: x.a, cacheWrite1h: x.b, cacheRead: x.r, output: x.o } }));
    // (every user seen in the window, whatever the filter: taken from the sums when nothing was filtered out)
    const knownUsers = new Set(
      user === null && !skip
        ? responseRows.flatMap((x) => (x.user === null ? [] : [x.user]))
        : db.query<{ user: string }>("SELECT DISTINCT user FROM t_responses WHERE time > ?1 AND time <= ?2 AND user IS NOT NULL", f, t).map((x) => x.user),
    );
    return { responses, prompts, calls, results, turns: [], apiFailed: errors?.f ?? 0, apiRetries: errors?.r ?? 0, sessions, overTime, knownUsers };
  }

  /** Effective tokens per slot of `slotMs` (for the quota estimate), slots by their start. */
  slots(from: number, to: number, slotMs: number): { start: number; effective: number }[] {
    const s = Math.max(1, Math.round(slotMs));
    return this.db.query<{ start: number; effective: number }>(
      `SELECT ((time - 1) / ${s}) * ${s} AS start, sum(u + 1.25 * a + 2 * b + 0.1 * r + 5 * o) AS effective FROM t_responses WHERE time > ? AND time <= ? GROUP BY start`,
      Math.max(-8.64e15, from),
      Math.min(8.64e15, to),
    );
  }
}
