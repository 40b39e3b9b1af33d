// Team telemetry kept on disk, so a restart of the receiver loses nothing: an SQLite database (bun:sqlite, opened
// through platform.ts) in WAL mode. Events are stored as JSON with indexed key, type and time columns; metric samples
// likewise. Every append is one transaction and idempotent (INSERT OR IGNORE on the event's type + key, the sample's
// key), so an OTLP retry that delivers the same records again stores nothing new, and a crash mid-write leaves the
// database as it was before that append.
//
// Durability: WAL with synchronous=NORMAL — a committed append survives the process crashing or being killed; a power
// loss may lose the last few appends but never corrupts the database.
import { chmodSync, mkdirSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import type { ModelEvent } from "../model/events.ts";
import { openDatabase, type SqlDatabase } from "../platform.ts";
import { MetricState, type MetricSample } from "./otlp-map.ts";

export const DAY_MS = 86_400_000;
export const DEFAULT_RETENTION_DAYS = 30;

/** `$XDG_DATA_HOME/claude-dash/telemetry.sqlite`, or `<home>/.local/share/claude-dash/telemetry.sqlite` (a relative XDG_DATA_HOME is ignored, per the XDG spec). */
export function defaultStorePath(env: Record<string, string | undefined>, home: string): string {
  const xdg = env.XDG_DATA_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(home, ".local", "share");
  return join(base, "claude-dash", "telemetry.sqlite");
}

const SCHEMA_VERSION = 1;

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
`;

/** The identity and time of an event for the indexed columns (events without a key are keyed by their content). */
function keyOf(e: ModelEvent): { key: string; time: number } {
  const k = "key" in e && typeof e.key === "string" ? e.key : JSON.stringify(e);
  const t = "time" in e && typeof e.time === "number" && Number.isFinite(e.time) ? e.time : 0;
  return { key: k, time: Math.round(t) };
}

export class TelemetryStore {
  readonly path: string;
  private db: SqlDatabase | null;

  /** Opens (creating the file and its directory if needed) the store at `path`. */
  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const db = openDatabase(path);
    try {
      // Who used Claude Code, when and how much: readable by the user only.
      try {
        chmodSync(path, 0o600);
      } catch {
        /* not ours to change (e.g. a shared file); leave it */
      }
      db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
      const version = db.query<{ user_version: number }>("PRAGMA user_version")[0]?.user_version ?? 0;
      if (version > SCHEMA_VERSION) throw new Error(`${path}: written by a newer claude-dash (schema ${version})`);
      db.transaction(() => {
        db.exec(SCHEMA);
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
        added += db.run("INSERT OR IGNORE INTO events (type, key, time, json) VALUES (?, ?, ?, ?)", e.type, key, time, JSON.stringify(e)).changes;
      }
      for (const s of samples) {
        added += db.run("INSERT OR IGNORE INTO samples (key, name, time, json) VALUES (?, ?, ?, ?)", s.key, s.name, Math.round(s.time), JSON.stringify(s)).changes;
      }
      if (metricState) db.run("INSERT OR REPLACE INTO meta (k, v) VALUES ('metric_state', ?)", JSON.stringify(metricState));
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
    return db.transaction(
      () => db.run("DELETE FROM events WHERE time < ?", cutoff).changes + db.run("DELETE FROM samples WHERE time < ?", cutoff).changes,
    );
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
