// The log that LIVE's sums are folded from (live-sums.ts): TEMP triggers on the fact tables append each row written,
// updated (its old and new values) or deleted, whatever path of the store wrote it (an append, a file read again from
// its start, a fact that moved to another file), and each change to a session's metadata. The triggers are this
// connection's own (TEMP), so the log holds this connection's writes only: another process's show in PRAGMA
// data_version instead. The log is bounded: past LOG_CAP changes it stops and says so, and the next answer is summed
// afresh (a backlog read at once costs one fresh sum, not a log as long as the backlog).
import type { SqlDatabase } from "../sqlite.ts";

/** Changes held between two calls beyond which the log stops and the next call sums afresh (a backlog read at once). */
export const LOG_CAP = 20_000;

/** What a logged row is: a fact of one of the tables, or (Meta) a change to a session's metadata. */
export const Kind = {
  Response: 0,
  Prompt: 1,
  Call: 2,
  Result: 3,
  ApiError: 4,
  Meta: 5,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** One logged change: a fact row come (sign 1) or gone (-1), or a session's metadata changed (kind Meta). */
export interface LogRow {
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

/**
 * The log of one connection and which tracker reads it (one at a time: a second one takes it over). The owner is
 * compared by identity only, so any object will do.
 */
interface LiveLog {
  owner: object | null;
}

const logs = new WeakMap<SqlDatabase, LiveLog | null>();

/**
 * The connection's log, its TEMP table and triggers made on first use (they last as long as the connection); null
 * when they cannot be made here (every answer is then summed afresh).
 */
export function logOf(db: SqlDatabase): LiveLog | null {
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

/** The log's rows since the last call, taken out of it; null when it overflowed (some are missing). Two queries. */
export function drainLog(db: SqlDatabase): LogRow[] | null {
  const rows = db.query<LogRow>("SELECT * FROM live_log ORDER BY id");
  const over = db.get<{ n: number }>("SELECT count(*) AS n FROM live_over")!.n > 0;
  if (rows.length > 0) db.run("DELETE FROM live_log");
  if (over) db.run("DELETE FROM live_over");
  return over ? null : rows;
}

/** The changes waiting in the connection's log (0 when it has none: nothing is made to count them). */
export function loggedCount(db: SqlDatabase): number {
  return logs.get(db) ? (db.get<{ n: number }>("SELECT count(*) AS n FROM live_log")?.n ?? 0) : 0;
}
