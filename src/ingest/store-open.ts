// Where the usage store lives and how it is opened: `$XDG_DATA_HOME/claude-dash/` (default ~/.local/share/claude-dash/),
// a 0700 directory and 0600 files. A store that cannot be used never costs a number: the facts are then kept in memory
// for this run (read from the transcripts, as without a store) and the reason is shown. A damaged file is moved aside,
// never deleted, and a new store starts; a read-only home or `--no-store` writes nothing at all.
import { chmodSync, existsSync, mkdirSync, renameSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { openDatabase, type SqlDatabase } from "../sqlite.ts";
import { hashBytes } from "./tailer.ts";
import { PARSER_VERSION, prepareStore, SCHEMA_VERSION, UsageStore } from "./store.ts";

export type StoreState =
  /** a store on disk, in use */
  | "ok"
  /** a store on disk, created by this run */
  | "created"
  /** a store on disk, updated for a new parser: transcripts on disk are read again */
  | "upgraded"
  /** a damaged store was moved aside and a new one started */
  | "recovered"
  /** --no-store */
  | "off"
  /** the data directory is not writable: nothing is written */
  | "read-only"
  /** the store exists but cannot be opened */
  | "unreadable"
  /** written by a newer claude-dash: left alone */
  | "newer"
  /** the disk filled up: facts of this run are kept in memory */
  | "full"
  /** another process held the store longer than a write may wait: this run keeps its facts in memory */
  | "busy"
  /** (--store-info) there is no store file yet, or it cannot be read */
  | "none"
  | "damaged";

export interface StoreStatus {
  state: StoreState;
  /** the store's file (also when it could not be used), or null with --no-store. */
  path: string | null;
  /** what the user should know, in one line (footer, --json diagnostics, --store-info), or null. */
  notice: string | null;
}

/** The data directory: `$XDG_DATA_HOME/claude-dash`, or `<home>/.local/share/claude-dash` (a relative XDG_DATA_HOME is ignored, per the XDG spec). */
export function dataDir(env: Record<string, string | undefined>, home: string): string {
  const xdg = env.XDG_DATA_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, ".local", "share"), "claude-dash");
}

/**
 * The store for a set of transcript roots: `usage.sqlite` for the default roots (~/.claude and ~/.config/claude), and
 * `usage-<hash>.sqlite` for any other set (CLAUDE_CONFIG_DIR, --root), so that one set's history never shows in another's.
 */
export function storeFile(dir: string, roots: readonly string[], defaultRoots: readonly string[]): string {
  const key = [...roots].sort().join("\n");
  if (key === [...defaultRoots].sort().join("\n")) return join(dir, "usage.sqlite");
  const bytes = new TextEncoder().encode(key);
  const hash = hashBytes(bytes, bytes.length).toString(16).padStart(8, "0");
  return join(dir, `usage-${hash}.sqlite`);
}

type Problem = "corrupt" | "full" | "unreadable" | "busy" | "other";

/** What kind of SQLite failure an error is (node:sqlite on Bun gives a code; on Deno only the message is reliable). */
export function sqliteProblem(e: unknown): Problem {
  const err = e as { errcode?: number; message?: string; code?: string };
  const base = typeof err.errcode === "number" ? err.errcode & 0xff : -1;
  const msg = String(err.message ?? e);
  if (base === 11 || base === 26 || /not a database|malformed|corrupt/i.test(msg)) return "corrupt";
  if (base === 13 || /disk is full|database or disk is full/i.test(msg)) return "full";
  if (base === 5 || base === 6 || /database is locked|database is busy/i.test(msg)) return "busy";
  if (base === 14 || base === 3 || base === 8 || /unable to open|permission|readonly|read-only|EACCES|EROFS|EPERM/i.test(msg)) return "unreadable";
  return "other";
}

export interface OpenOptions {
  /** the store's file, or null for --no-store (a store in memory for this run only). */
  path: string | null;
  /** the roots it is for (recorded in it, shown by --store-info). */
  roots: readonly string[];
  /** when moving a damaged file aside (its name says when). */
  now: number;
  parserVersion?: number;
  /** the store turned out damaged while in use: move it aside and start a new one. */
  damaged?: boolean;
}

/** A private in-memory store: facts for this run only. */
export function memoryStore(parserVersion = PARSER_VERSION): UsageStore {
  const db = openDatabase(":memory:");
  prepareStore(db, parserVersion);
  return new UsageStore(db, "memory", null);
}

/** Opens the store (creating it if needed); never throws: a store that cannot be used gives a memory store and a notice. */
export function openUsageStore(o: OpenOptions): { store: UsageStore; status: StoreStatus } {
  const parser = o.parserVersion ?? PARSER_VERSION;
  if (o.path === null) return { store: memoryStore(parser), status: { state: "off", path: null, notice: null } };
  const path = o.path;
  const inMemory = (state: StoreState, notice: string) => ({ store: memoryStore(parser), status: { state, path, notice } });
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  } catch (e) {
    return inMemory("read-only", `usage history is not kept: cannot write ${dirname(path)} (${codeOf(e)})`);
  }
  const existed = existsSync(path);
  const first: Tried = o.damaged ? { ok: false, problem: "corrupt", detail: "damaged" } : tryOpen(path, parser);
  if (first.ok) {
    const { store, upgraded } = first;
    store.setMetaIfMissing("roots", JSON.stringify(o.roots));
    if (upgraded)
      return { store, status: { state: "upgraded", path, notice: `usage store updated for this version (facts from parser ${upgraded.from}): transcripts on disk are read again; deleted ones keep their usage` } };
    return { store, status: { state: existed ? "ok" : "created", path, notice: null } };
  }
  if (first.problem === "newer") return inMemory("newer", `usage store ${path} was written by a newer claude-dash: not used (history is not kept this run)`);
  if (first.problem === "read-only") return inMemory("read-only", `usage history is not kept: ${path} is read-only`);
  if (first.problem !== "corrupt") return inMemory("unreadable", `usage store cannot be opened (${first.detail}): showing the transcripts only`);
  // Damaged: move it aside (never delete it: it may hold the usage of deleted transcripts) and start a new one.
  const aside = `${path}.damaged-${new Date(o.now).toISOString().replace(/[:.]/g, "-")}`;
  try {
    renameSync(path, aside);
    for (const ext of ["-wal", "-shm"]) if (existsSync(path + ext)) renameSync(path + ext, aside + ext);
  } catch (e) {
    return inMemory("unreadable", `usage store is damaged and cannot be moved aside (${codeOf(e)}): showing the transcripts only`);
  }
  const again = tryOpen(path, parser);
  if (!again.ok) return inMemory("unreadable", `usage store is damaged (moved to ${aside}) and a new one cannot be made: showing the transcripts only`);
  again.store.setMetaIfMissing("roots", JSON.stringify(o.roots));
  return { store: again.store, status: { state: "recovered", path, notice: `usage store was damaged: moved to ${aside}; a new one starts from the transcripts on disk` } };
}

type Tried = { ok: true; store: UsageStore; upgraded: { from: number } | null } | { ok: false; problem: Problem | "newer" | "read-only"; detail: string };

function tryOpen(path: string, parser: number): Tried {
  let db: SqlDatabase | null = null;
  try {
    db = openDatabase(path);
    try {
      chmodSync(path, 0o600); // who used Claude Code, when and how much: readable by the user only
    } catch {
      /* not ours to change */
    }
    db.exec("PRAGMA busy_timeout = 10000");
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA cache_size = -8000"); // 8 MB: the key index of a heavy year stays in memory while writing
    const { upgraded, newer } = prepareStore(db, parser);
    if (newer) {
      db.close();
      return { ok: false, problem: "newer", detail: "newer" };
    }
    return { ok: true, store: new UsageStore(db, "file", path), upgraded };
  } catch (e) {
    try {
      db?.close();
    } catch {
      /* already closed */
    }
    const p = sqliteProblem(e);
    if (p === "unreadable" && /readonly|read-only/i.test(String((e as Error)?.message))) return { ok: false, problem: "read-only", detail: "read-only" };
    return { ok: false, problem: p, detail: codeOf(e) };
  }
}

function codeOf(e: unknown): string {
  const err = e as { code?: string; message?: string };
  if (err.code && err.code !== "ERR_SQLITE_ERROR") return err.code;
  return String(err.message ?? e).split("\n")[0]!.slice(0, 80);
}

/**
 * The facts of a store on disk, copied into a new store in memory (when the disk is full: this run goes on with every
 * fact, writing nothing more); null when they cannot be read.
 */
export function copyToMemory(from: UsageStore, parserVersion = PARSER_VERSION): UsageStore | null {
  if (from.path === null) return null;
  const to = memoryStore(parserVersion);
  try {
    to.db.exec(`ATTACH DATABASE '${from.path.replace(/'/g, "''")}' AS old`);
    to.db.transaction(() => {
      const tables = to.db.query<{ name: string }>("SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").map((r) => r.name);
      for (const t of tables) {
        to.db.exec(`DELETE FROM main.${t}; INSERT INTO main.${t} SELECT * FROM old.${t}`);
      }
    });
    to.db.exec("DETACH DATABASE old");
    return to;
  } catch {
    to.close();
    return null;
  }
}

/** Another connection to a store in use (a reader thread's): no creating, upgrading or moving; throws on failure. */
export function joinStore(path: string): UsageStore {
  const db = openDatabase(path);
  db.exec("PRAGMA busy_timeout = 10000");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA cache_size = -8000");
  return new UsageStore(db, "file", path);
}

/** The store as it is, read-only (for --store-info: nothing is created, upgraded or moved). */
export function inspectStore(path: string | null): { store: UsageStore | null; status: StoreStatus } {
  if (path === null) return { store: null, status: { state: "off", path: null, notice: "--no-store: nothing is kept" } };
  if (!existsSync(path)) return { store: null, status: { state: "none", path, notice: "no store yet: the next run creates it" } };
  try {
    const db = openDatabase(path, { readOnly: true });
    const version = db.get<{ user_version: number }>("PRAGMA user_version")?.user_version ?? 0;
    if (version > SCHEMA_VERSION) {
      db.close();
      return { store: null, status: { state: "newer", path, notice: "written by a newer claude-dash" } };
    }
    db.get("SELECT count(*) FROM files");
    return { store: new UsageStore(db, "file", path), status: { state: "ok", path, notice: null } };
  } catch (e) {
    const p = sqliteProblem(e);
    return { store: null, status: { state: p === "corrupt" ? "damaged" : "unreadable", path, notice: `cannot be read (${codeOf(e)})` } };
  }
}
