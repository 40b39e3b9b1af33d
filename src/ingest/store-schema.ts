// The store's layout: its tables, the version numbers that say which layout and which parser wrote a store, and
// how a store is created, upgraded, or found to be already as it should be (see store.ts for what the tables hold).
import type { SqlDatabase } from "../sqlite.ts";

/** The layout of the tables. A store written with a higher number is left alone. */
export const SCHEMA_VERSION = 4;
/**
 * How facts are read from lines. When it changes, transcripts still on disk are read again (their facts replaced);
 * the facts of deleted transcripts stay as they are.
 */
export const PARSER_VERSION = 3;

// Facts are keyed by their key (message id + request id, tool_use id, line uuid). To keep the store small and writes
// fast the key is not indexed: rows are appended, and a unique 53-bit hash of the key (`h`) finds them; on the rare
// collision the next free hash is taken (the key is compared, so a collision never merges two facts).
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS names (id INTEGER PRIMARY KEY, s TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS sessions (
  id INTEGER PRIMARY KEY, sid TEXT NOT NULL UNIQUE,
  cwd TEXT, cwd_time INTEGER, branch TEXT, branch_time INTEGER, entrypoint TEXT, ep_time INTEGER, title TEXT,
  window1m INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS dirs (
  id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, inode TEXT, mtime REAL, read_at INTEGER, entries TEXT);
CREATE TABLE IF NOT EXISTS files (
  id INTEGER PRIMARY KEY, dir INTEGER NOT NULL, name TEXT NOT NULL,
  dev INTEGER NOT NULL, ino INTEGER NOT NULL, size INTEGER NOT NULL, mtime REAL NOT NULL,
  offset INTEGER NOT NULL, lines INTEGER NOT NULL, head_len INTEGER NOT NULL, head_hash INTEGER NOT NULL, tail_hash INTEGER NOT NULL,
  gen INTEGER NOT NULL DEFAULT 0, reread INTEGER NOT NULL DEFAULT 0, gone INTEGER, rejected INTEGER NOT NULL DEFAULT 0,
  UNIQUE (dir, name));
CREATE TABLE IF NOT EXISTS rejected (file INTEGER NOT NULL, line INTEGER NOT NULL, reason TEXT NOT NULL, PRIMARY KEY (file, line)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS responses (
  id INTEGER PRIMARY KEY, h INTEGER NOT NULL UNIQUE, key TEXT NOT NULL, file INTEGER NOT NULL, time INTEGER NOT NULL,
  session INTEGER NOT NULL, agent INTEGER, model INTEGER NOT NULL,
  uncached INTEGER NOT NULL, w5 INTEGER NOT NULL, w1 INTEGER NOT NULL, rd INTEGER NOT NULL, out INTEGER NOT NULL,
  cls INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS responses_time ON responses (time);
CREATE INDEX IF NOT EXISTS responses_session ON responses (session, time);
CREATE TABLE IF NOT EXISTS tools (
  id INTEGER PRIMARY KEY, h INTEGER NOT NULL UNIQUE, key TEXT NOT NULL, session INTEGER NOT NULL, agent INTEGER,
  call_file INTEGER, call_time INTEGER, name INTEGER,
  result_file INTEGER, result_time INTEGER, outcome INTEGER, ms REAL);
CREATE INDEX IF NOT EXISTS tools_call ON tools (call_time) WHERE call_time IS NOT NULL;
CREATE INDEX IF NOT EXISTS tools_result ON tools (result_time, outcome) WHERE result_time IS NOT NULL;
CREATE TABLE IF NOT EXISTS prompts (id INTEGER PRIMARY KEY, h INTEGER NOT NULL UNIQUE, key TEXT NOT NULL, file INTEGER NOT NULL, time INTEGER NOT NULL, session INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS prompts_time ON prompts (time);
CREATE INDEX IF NOT EXISTS prompts_session ON prompts (session, time);
CREATE TABLE IF NOT EXISTS errors (
  id INTEGER PRIMARY KEY, h INTEGER NOT NULL UNIQUE, key TEXT NOT NULL, file INTEGER NOT NULL, time INTEGER NOT NULL,
  session INTEGER NOT NULL, agent INTEGER, status INTEGER, message TEXT NOT NULL, retry INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS errors_time ON errors (time, retry);
CREATE INDEX IF NOT EXISTS errors_session ON errors (session, time);
CREATE TABLE IF NOT EXISTS turns (id INTEGER PRIMARY KEY, h INTEGER NOT NULL UNIQUE, key TEXT NOT NULL, file INTEGER NOT NULL, time INTEGER NOT NULL, session INTEGER NOT NULL, ms REAL NOT NULL);
CREATE INDEX IF NOT EXISTS turns_time ON turns (time);
CREATE TABLE IF NOT EXISTS copies (kind INTEGER NOT NULL, key TEXT NOT NULL, file INTEGER NOT NULL, fact TEXT NOT NULL, PRIMARY KEY (kind, key, file)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cells (
  slot INTEGER NOT NULL, model INTEGER NOT NULL, cls INTEGER NOT NULL,
  n INTEGER NOT NULL, u INTEGER NOT NULL, a INTEGER NOT NULL, b INTEGER NOT NULL, r INTEGER NOT NULL, o INTEGER NOT NULL,
  hit INTEGER NOT NULL, miss INTEGER NOT NULL, PRIMARY KEY (slot, model, cls)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tallies (
  slot INTEGER PRIMARY KEY, prompts INTEGER NOT NULL, calls INTEGER NOT NULL, errors INTEGER NOT NULL,
  rejections INTEGER NOT NULL, apierrors INTEGER NOT NULL, retries INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS limits_seen (
  kind TEXT NOT NULL, time INTEGER NOT NULL, percent REAL NOT NULL, resets_at INTEGER, origin INTEGER NOT NULL, session INTEGER,
  PRIMARY KEY (kind, time)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cc_costs (session INTEGER PRIMARY KEY, time INTEGER NOT NULL, usd REAL NOT NULL, version TEXT, started INTEGER);
`;

/** Indexes that only speed up reading (the key hashes' are needed to write). */
export const SECONDARY_INDEXES = [
  "responses_time",
  "responses_session",
  "tools_call",
  "tools_result",
  "prompts_time",
  "prompts_session",
  "errors_time",
  "errors_session",
  "turns_time",
];

/** Creates the tables of a new store, or checks and upgrades an existing one. Returns what happened. */
export function prepareStore(db: SqlDatabase, parserVersion = PARSER_VERSION): { upgraded: { from: number } | null; newer: boolean } {
  const version = db.get<{ user_version: number }>("PRAGMA user_version")?.user_version ?? 0;
  if (version > SCHEMA_VERSION) return { upgraded: null, newer: true };
  // A store that is as it should be is only read here: no write lock (another process may be filling it).
  if (version === SCHEMA_VERSION && isCurrent(db, parserVersion)) return { upgraded: null, newer: false };
  let upgraded: { from: number } | null = null;
  db.transaction(() => {
    // Version 1 kept no rate class: each stored response gets the class its tokens give (its input size; whether it
    // ran in fast mode was not kept, so a deleted transcript's responses count as normal speed), and the rollup,
    // which now sums each class apart, is built again.
    if (version === 1) {
      db.exec(`ALTER TABLE responses ADD COLUMN cls INTEGER NOT NULL DEFAULT 0;
        UPDATE responses SET cls = CASE WHEN uncached + w5 + w1 + rd > 200000 THEN 4 WHEN uncached + w5 + w1 + rd > 100000 THEN 2 ELSE 0 END;
        DROP TABLE cells;
        INSERT OR REPLACE INTO meta (k, v) VALUES ('rollup', 'stale');`);
    }
    // Version 3 kept Claude Code's figures without when their run began (a column added since).
    if (version === 3 && !db.query<{ name: string }>("SELECT name FROM pragma_table_info('cc_costs')").some((c) => c.name === "started"))
      db.exec("ALTER TABLE cc_costs ADD COLUMN started INTEGER");
    db.exec(SCHEMA);
    if (version < SCHEMA_VERSION) db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    const stored = Number(db.get<{ v: string }>("SELECT v FROM meta WHERE k = 'parser'")?.v ?? NaN);
    if (version === 0 || !Number.isFinite(stored)) {
      db.run("INSERT OR REPLACE INTO meta (k, v) VALUES ('parser', ?)", String(parserVersion));
    } else if (stored !== parserVersion) {
      // Facts were read by another parser: files still on disk are read again (their facts replaced); the facts of
      // files that are gone cannot be read again and stay.
      db.run("UPDATE files SET reread = 1");
      db.run("INSERT OR REPLACE INTO meta (k, v) VALUES ('parser', ?)", String(parserVersion));
      upgraded = { from: stored };
    }
  });
  return { upgraded, newer: false };
}

/** True when the store's facts are this parser's and every index is there (a fill that stopped leaves some out). */
function isCurrent(db: SqlDatabase, parserVersion: number): boolean {
  try {
    if (db.get<{ v: string }>("SELECT v FROM meta WHERE k = 'parser'")?.v !== String(parserVersion)) return false;
    const names = new Set(db.query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index'").map((r) => r.name));
    return SECONDARY_INDEXES.every((i) => names.has(i));
  } catch {
    return false; // (no meta table yet)
  }
}
