// The usage store: the compact facts of every transcript read so far, in SQLite, so that a start reads only bytes
// it has never seen and usage outlives Claude Code's cleanup of old transcripts. It holds, per transcript file,
// where the last read ended, and per fact the file it came from:
// - responses (key, time, session, agent, model, the five token counts), tool calls and results (one row per
//   tool_use id), prompts, API errors and retries, turns;
// - sessions (working directory, branch, entry point, title, 1M context);
// - never message text, tool input or tool output.
// A fact seen in several files is one row, the winner (for a response the largest usage, on a tie the later line;
// otherwise the first seen); the other files' copies wait in `copies`, so that when a file is rewritten its facts
// are replaced and a copy elsewhere takes over. A file that disappears keeps its facts. Every write is one
// transaction; several processes may read and write at once (WAL), and a file whose facts another process replaced
// meanwhile is reported as a conflict so that its reader starts it again.
import { basename, dirname, join, sep } from "node:path";
import type { ApiErrorObserved, ModelEvent, PromptObserved, ResponseObserved, SessionMeta, ToolCallObserved, ToolOutcome, ToolResultObserved, TurnCompleted, Usage } from "../model/events.ts";
import { beats, noteWhere } from "../model/state.ts";
import { isCopy, isFast, type RateClass } from "../model/pricing.ts";
import { classOf } from "../model/tokens.ts";
import type { SqlDatabase, SqlValue } from "../sqlite.ts";
import type { LimitSeen } from "../model/queries.ts";
import type { DirCache, DirEntry } from "./discover.ts";
import { FactCollector, type FileFacts, type FilePos } from "./facts.ts";
import { keyId } from "./key-id.ts";
import type { Hashed } from "./wire.ts";
import { redact } from "./sanitize.ts";

export { keyId };

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
const SCHEMA = `
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
const SECONDARY_INDEXES = ["responses_time", "responses_session", "tools_call", "tools_result", "prompts_time", "prompts_session", "errors_time", "errors_session", "turns_time"];

/** The rollup's slot: 15 minutes (every zone offset in use is a multiple of it, so a slot is in one local hour). */
export const CELL_MS = 15 * 60_000;
/**
 * The quarter hour a time belongs to. Slots, like windows, include their end and not their start (slot k holds
 * k·15 min < time <= (k+1)·15 min), so a window whose ends fall on quarter hours is whole slots, and a day in a
 * report is the same span as the window from its midnight to the next.
 */
export const slotOf = (time: number): number => Math.floor((time - 1) / CELL_MS);
/** A write with more responses than this marks the rollup for a rebuild instead of updating it response by response. */
const ROLLUP_BULK = 2000;
/** A first fill holds at most this many rollup cells' changes before writing them. */
const HELD_CELLS = 100_000;

const ID_SPACE = 2 ** 53;

/** The kinds of fact a copy holds. */
const COPIED = new Set(["ResponseObserved", "ToolCallObserved", "ToolResultObserved", "PromptObserved", "ApiErrorObserved", "TurnCompleted"]);

/** A stored copy of a fact, read back: its JSON must be an event of a kind a copy holds, with a key and a time. */
function readFact(json: string): (ModelEvent & { time: number }) | null {
  try {
    const f = JSON.parse(json) as { type?: unknown; key?: unknown; time?: unknown };
    if (f === null || typeof f !== "object" || !COPIED.has(f.type as string) || typeof f.key !== "string" || typeof f.time !== "number") return null;
    if (f.type === "ResponseObserved" && (typeof (f as { usage?: unknown }).usage !== "object" || (f as { usage?: unknown }).usage === null)) return null;
    return f as ModelEvent & { time: number };
  } catch {
    return null;
  }
}

/** A fact's key hash: computed by the reader thread that decoded it, or here. */
const hashOf = (e: { key: string } & Hashed): number => e.h ?? keyId(e.key);

/** What a copy is a copy of. */
const enum Kind {
  Response = 0,
  ToolCall = 1,
  ToolResult = 2,
  Prompt = 3,
  ApiError = 4,
  Turn = 5,
}

const OUTCOMES: readonly ToolOutcome[] = ["ok", "error", "rejected"];

/** A transcript file as the store knows it. */
export interface StoredFile extends FilePos {
  id: number;
  path: string;
  /** bumps each time the file's facts are replaced. */
  gen: number;
  /** read it again from its first byte (the parser changed since its facts were read). */
  reread: boolean;
  /** when it was found missing from disk (its facts stay), or null. */
  gone: number | null;
  rejected: number;
}

interface Claim {
  id: number;
  gen: number;
  offset: number;
  lines: number;
  rejected: number;
  /** the file's row was made by this claim, already as settle would leave it. */
  fresh?: boolean;
}

/** How one file's facts went in: stored (with the file's generation now), or not, because another process
 *  replaced this file's facts since this reader's position was taken: read it again from the start. */
export type WriteOutcome = { id: number; gen: number } | "conflict";

interface FileRow {
  id: number;
  dir: number;
  name: string;
  dev: number;
  ino: number;
  size: number;
  mtime: number;
  offset: number;
  lines: number;
  head_len: number;
  head_hash: number;
  tail_hash: number;
  gen: number;
  reread: number;
  gone: number | null;
  rejected: number;
}

const isSorted = (a: readonly string[]): boolean => {
  for (let i = 1; i < a.length; i++) if (a[i - 1]! > a[i]!) return false;
  return true;
};

const toStored = (r: FileRow, path: string): StoredFile => ({
  id: r.id,
  path,
  dev: r.dev,
  ino: r.ino,
  size: r.size,
  mtimeMs: r.mtime < 0 ? NaN : r.mtime, // (unknown: written to while it was read)
  offset: r.offset,
  lines: r.lines,
  headLen: r.head_len,
  headHash: r.head_hash,
  tailHash: r.tail_hash,
  gen: r.gen,
  reread: r.reread !== 0,
  gone: r.gone,
  rejected: r.rejected,
});

type Tables = "responses" | "tools" | "prompts" | "errors" | "turns";

/** One response's part of a rollup cell, added (sign 1) or taken away (-1). */
interface CellDelta {
  slot: number;
  model: number;
  cls: RateClass;
  d: number[];
}

/** A response's rate class (see model/pricing.ts), kept with it so that the rollup prices each class apart. */
const clsOf = (e: ResponseObserved): RateClass => classOf(e.usage, e.fast === true, e.copy === true);

/** Strings kept once in a table (`column`, unique) and held by the facts as its row ids, both ways cached. */
class Interned {
  private ids = new Map<string, number>();
  private texts = new Map<number, string>();

  constructor(
    private readonly db: SqlDatabase,
    private readonly table: string,
    private readonly column: string,
  ) {}

  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      // (kept as the redactor leaves it: a transcript's model name or session id holding a credential of this run is
      // stored without it; the text a query gives back finds the same row)
      const kept = redact(s);
      const r = this.db.run(`INSERT INTO ${this.table} (${this.column}) VALUES (?) ON CONFLICT DO NOTHING`, kept);
      id = r.changes > 0 ? r.lastInsertRowid : this.db.get<{ id: number }>(`SELECT id FROM ${this.table} WHERE ${this.column} = ?`, kept)!.id;
      this.ids.set(s, id);
      this.ids.set(kept, id);
      this.texts.set(id, kept);
    }
    return id;
  }

  text(id: number): string {
    let s = this.texts.get(id);
    if (s === undefined) {
      s = this.db.get<Record<string, string>>(`SELECT ${this.column} AS v FROM ${this.table} WHERE id = ?`, id)?.v ?? "?";
      this.texts.set(id, s);
      this.ids.set(s, id);
    }
    return s;
  }
}

/**
 * Two reads' metadata of one session as one, as storing the first and then the second would leave it: the newest
 * working directory and branch (a tie goes to the second), the earliest entry point (a tie to the first), the last
 * title, 1M context once seen.
 */
function laterMeta(a: SessionMeta, b: SessionMeta): SessionMeta {
  // (a summary's title, weak, fills in only where there is none, and gives way to any other)
  const bWins = b.title !== null && (!b.titleWeak || a.title === null || a.titleWeak === true);
  const m: SessionMeta = { ...a, title: bWins ? b.title : a.title, window1M: a.window1M || b.window1M };
  if (bWins && b.titleWeak) m.titleWeak = true;
  else if (bWins) delete m.titleWeak;
  noteWhere(m, b.cwdTime, b.cwd, null, null);
  noteWhere(m, b.branchTime, null, b.branch, null);
  noteWhere(m, b.entrypointTime, null, null, b.entrypoint);
  return m;
}

export class UsageStore implements DirCache {
  /** model, agent and tool names, and session ids, as the small numbers the facts hold. */
  private readonly names: Interned;
  private readonly sessions: Interned;
  private dirIds = new Map<string, number>();
  private dirById = new Map<number, string>();
  private listings: [string, DirEntry][] | null = null;
  /** bumps on every write through this connection (PRAGMA data_version covers the other connections). */
  private writes = 0;
  /** rollup changes of the current transaction, or null when the rollup is being rebuilt instead. */
  private deltas: Map<string, CellDelta> | null = null;
  /** the same for the tallies: per slot, prompts, tool calls, tool errors, rejections, API errors, retries. */
  private tallyDeltas: Map<number, number[]> | null = null;
  /** in a first fill that sums its rollup changes to the end (or the next commit): the sums so far. */
  private held: { deltas: Map<string, CellDelta>; tallies: Map<number, number[]> } | null = null;
  /** called after each write that changed the facts (the store's marker keeps up with it: see store-marker.ts). */
  onChange: (() => void) | null = null;
  /** the file this connection opened (device and inode), to tell it from another put at its path since. */
  fileId: string | null = null;

  /**
   * `db` must already hold the schema (see `prepareStore`). `kind`: "file" for a store on disk, "memory" for one that
   * lives as long as the process (--no-store, or no usable file).
   */
  constructor(
    readonly db: SqlDatabase,
    readonly kind: "file" | "memory",
    readonly path: string | null,
  ) {
    this.names = new Interned(db, "names", "s");
    this.sessions = new Interned(db, "sessions", "sid");
  }

  /** Changes whenever the facts change, in this process or another: views cache on it. */
  version(): string {
    const dv = this.db.get<{ data_version: number }>("PRAGMA data_version")?.data_version ?? 0;
    return `${this.writes}.${dv}`;
  }

  close(): void {
    try {
      this.db.close();
    } catch {
      /* already closed */
    }
  }

  // ---- directories and files -----------------------------------------------------------------------------------

  private dirId(path: string): number {
    let id = this.dirIds.get(path);
    if (id === undefined) {
      this.db.run("INSERT OR IGNORE INTO dirs (path) VALUES (?)", path);
      id = this.db.get<{ id: number }>("SELECT id FROM dirs WHERE path = ?", path)!.id;
      this.dirIds.set(path, id);
      this.dirById.set(id, path);
    }
    return id;
  }

  /** Directory listings kept by earlier scans (read once per connection). */
  load(): [string, DirEntry][] {
    if (this.listings) return this.listings;
    const out: [string, DirEntry][] = [];
    for (const r of this.db.query<{ id: number; path: string; inode: string | null; mtime: number | null; read_at: number | null; entries: string | null }>("SELECT * FROM dirs")) {
      this.dirIds.set(r.path, r.id);
      this.dirById.set(r.id, r.path);
      if (r.entries === null || r.inode === null || r.mtime === null || r.read_at === null) continue;
      const dirs: string[] = [];
      const files: string[] = [];
      const at = r.path + sep;
      for (const name of r.entries.split("\n")) {
        if (name.endsWith("/")) dirs.push(at + name.slice(0, -1));
        else if (name) files.push(at + name);
      }
      // (listings are kept sorted; one an older version kept in directory order is sorted here)
      if (!isSorted(dirs)) dirs.sort();
      if (!isSorted(files)) files.sort();
      out.push([r.path, { mtimeMs: r.mtime, readAt: r.read_at, id: r.inode, dirs, files }]);
    }
    this.listings = out;
    return out;
  }

  /** Keeps directory listings (so a later start lists only directories that changed). */
  save(entries: readonly [string, DirEntry][]): void {
    this.listings = null;
    // (one statement per directory: on a first run this is every directory of the history)
    const upsert =
      "INSERT INTO dirs (path, inode, mtime, read_at, entries) VALUES (?, ?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET inode = excluded.inode, mtime = excluded.mtime, read_at = excluded.read_at, entries = excluded.entries RETURNING id";
    this.db.transaction(() => {
      for (const [path, e] of entries) {
        const names = [...e.dirs.map((d) => `${basename(d)}/`), ...e.files.map((f) => basename(f))].join("\n");
        const id = this.db.get<{ id: number }>(upsert, path, e.id, e.mtimeMs, e.readAt, names)!.id;
        this.dirIds.set(path, id);
        this.dirById.set(id, path);
      }
    });
    this.writes++;
  }

  /** True when the store knows at least one transcript file. */
  hasFiles(): boolean {
    return this.db.get("SELECT 1 FROM files LIMIT 1") !== undefined;
  }

  /** Every transcript file the store knows, present or gone. */
  files(): StoredFile[] {
    if (this.dirById.size === 0) this.load();
    return this.db.query<FileRow>("SELECT * FROM files").map((r) => toStored(r, this.dirPath(r.dir) + sep + r.name));
  }

  private dirPath(id: number): string {
    let p = this.dirById.get(id);
    if (p === undefined) {
      p = this.db.get<{ path: string }>("SELECT path FROM dirs WHERE id = ?", id)?.path ?? "";
      this.dirById.set(id, p);
      this.dirIds.set(p, id);
    }
    return p;
  }

  private fileRow(path: string): FileRow | undefined {
    const dir = this.dirIds.get(dirname(path)) ?? this.db.get<{ id: number }>("SELECT id FROM dirs WHERE path = ?", dirname(path))?.id;
    if (dir === undefined) return undefined;
    return this.db.get<FileRow>("SELECT * FROM files WHERE dir = ? AND name = ?", dir, basename(path));
  }

  file(path: string): StoredFile | null {
    const r = this.fileRow(path);
    return r ? toStored(r, path) : null;
  }

  /** Notes files that are no longer on disk (their facts stay), at `now`. */
  markGone(paths: readonly string[], now: number): void {
    this.setGone(paths, now);
  }

  /** Notes files that are on disk again. */
  markPresent(paths: readonly string[]): void {
    this.setGone(paths, null);
  }

  private setGone(paths: readonly string[], when: number | null): void {
    if (paths.length === 0) return;
    this.db.transaction(() => {
      for (const p of paths) {
        const r = this.fileRow(p);
        if (r) this.db.run("UPDATE files SET gone = ? WHERE id = ?", when, r.id);
      }
    });
    this.writes++;
  }

  // ---- writing -------------------------------------------------------------------------------------------------

  /**
   * Stores the facts of several file reads in one transaction. With `wait` false, returns null at once (nothing
   * written) when another connection holds the write lock.
   */
  write(batches: readonly FileFacts[], wait?: true): WriteOutcome[];
  write(batches: readonly FileFacts[], wait: boolean): WriteOutcome[] | null;
  write(batches: readonly FileFacts[], wait = true): WriteOutcome[] | null {
    if (batches.length === 0) return [];
    const body = () => {
      const responses = batches.reduce((n, f) => n + f.responses.length, 0);
      this.beginRollup(responses > ROLLUP_BULK);
      const claims = batches.map((f) => this.claim(f));
      const accepted: [FileFacts, number][] = [];
      batches.forEach((f, i) => {
        const c = claims[i]!;
        if (c !== "conflict") accepted.push([f, c.id]);
      });
      this.putAll(accepted);
      const outcomes = batches.map((f, i) => {
        const c = claims[i]!;
        if (c === "conflict") return c;
        this.settle(f, c);
        return { id: c.id, gen: c.gen };
      });
      this.endRollup();
      return outcomes;
    };
    const out = wait ? this.db.transaction(body) : this.db.tryTransaction(body);
    if (out) {
      this.writes++;
      this.onChange?.();
    }
    return out;
  }

  /** The stored row of a file whose facts are about to be written (replacing them when it was read from its start);
   *  "conflict" when another process replaced them since this reader's position was taken. */
  private claim(f: FileFacts): Claim | "conflict" {
    const db = this.db;
    const row = this.fileRow(f.path);
    const p = f.pos;
    if (!row) {
      const id = db.run(
        "INSERT INTO files (dir, name, dev, ino, size, mtime, offset, lines, head_len, head_hash, tail_hash, rejected) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        this.dirId(dirname(f.path)),
        basename(f.path),
        p.dev,
        p.ino,
        p.size,
        Number.isNaN(p.mtimeMs) ? -1 : p.mtimeMs,
        p.offset,
        p.lines,
        p.headLen,
        p.headHash,
        p.tailHash,
        f.rejectedCount,
      ).lastInsertRowid;
      return { id, gen: 0, offset: p.offset, lines: p.lines, rejected: f.rejectedCount, fresh: true };
    }
    const sameFile = row.dev === p.dev && row.ino === p.ino && row.head_hash === p.headHash && row.head_len <= p.headLen;
    if (f.restart || row.reread !== 0) {
      if (!f.restart) return "conflict"; // read it again from the start, as the parser changed
      this.removeFacts([row.id]);
      return { id: row.id, gen: db.get<{ gen: number }>("SELECT gen FROM files WHERE id = ?", row.id)!.gen, offset: p.offset, lines: p.lines, rejected: f.rejectedCount };
    }
    if (f.gen === -1 ? !sameFile : f.gen !== row.gen) return "conflict";
    // The same file, continued (perhaps also by another process: facts are idempotent, positions only advance).
    const ahead = row.offset > p.offset;
    return { id: row.id, gen: row.gen, offset: ahead ? row.offset : p.offset, lines: ahead ? row.lines : p.lines, rejected: f.rejectedCount + row.rejected };
  }

  /** Records where the read ended. */
  private settle(f: FileFacts, c: Claim): void {
    if (c.fresh) return;
    const p = f.pos;
    this.db.run(
      "UPDATE files SET dev = ?, ino = ?, size = ?, mtime = ?, offset = ?, lines = ?, head_len = ?, head_hash = ?, tail_hash = ?, gen = ?, reread = 0, gone = NULL, rejected = ? WHERE id = ?",
      p.dev,
      p.ino,
      p.size,
      Number.isNaN(p.mtimeMs) ? -1 : p.mtimeMs,
      c.offset,
      c.lines,
      p.headLen,
      p.headHash,
      p.tailHash,
      c.gen,
      c.rejected,
      c.id,
    );
  }

  /**
   * The facts of several files, each kind together, in the order read (sorting them by key hash, so that each page of
   * a key index is written once, cost more than it saved once a first fill became one transaction; read order also
   * leaves the rows roughly in time order, which makes the time indexes quicker to build).
   */
  private putAll(files: readonly (readonly [FileFacts, number])[]): void {
    const tools: [ToolCallObserved | undefined, ToolResultObserved | undefined, number][] = [];
    const sessions = new Map<string, SessionMeta>();
    for (const [f, file] of files) {
      for (const m of f.sessions) {
        const was = sessions.get(m.sessionId);
        sessions.set(m.sessionId, was ? laterMeta(was, m) : m);
      }
      for (const e of f.responses) this.putResponse(e, file);
      const results = new Map<string, ToolResultObserved>();
      for (const r of f.toolResults) results.set(r.key, r);
      for (const c of f.toolCalls) {
        tools.push([c, results.get(c.key), file]);
        results.delete(c.key);
      }
      for (const r of results.values()) tools.push([undefined, r, file]);
    }
    for (const [c, r, file] of tools) this.putTool(c, r, file);
    for (const [f, file] of files) {
      for (const e of f.prompts) this.putPrompt(e, file);
      for (const e of f.apiErrors) this.putApiError(e, file);
      for (const e of f.turns) this.putTurn(e, file);
      for (const r of f.rejected) this.db.run("INSERT OR IGNORE INTO rejected (file, line, reason) VALUES (?, ?, ?)", file, r.line, r.reason);
    }
    for (const m of sessions.values()) this.putSession(m);
  }

  private nameId(s: string): number {
    return this.names.id(s);
  }

  /** The name of an interned id (models, agents, tools). */
  name(id: number): string {
    return this.names.text(id);
  }

  private sessionRow(sid: string): number {
    return this.sessions.id(sid);
  }

  /** The session id of a stored session row. */
  sessionId(id: number): string {
    return this.sessions.text(id);
  }

  private putSession(m: SessionMeta): void {
    const id = this.sessionRow(m.sessionId);
    const t = (x: number) => (Number.isFinite(x) ? x : null);
    this.db.run(
      `UPDATE sessions SET
         cwd = CASE WHEN ?2 IS NOT NULL AND (cwd_time IS NULL OR cwd_time <= ?3) THEN ?2 ELSE cwd END,
         cwd_time = CASE WHEN ?2 IS NOT NULL AND (cwd_time IS NULL OR cwd_time <= ?3) THEN ?3 ELSE cwd_time END,
         branch = CASE WHEN ?4 IS NOT NULL AND (branch_time IS NULL OR branch_time <= ?5) THEN ?4 ELSE branch END,
         branch_time = CASE WHEN ?4 IS NOT NULL AND (branch_time IS NULL OR branch_time <= ?5) THEN ?5 ELSE branch_time END,
         entrypoint = CASE WHEN ?6 IS NOT NULL AND (ep_time IS NULL OR ep_time > ?7) THEN ?6 ELSE entrypoint END,
         ep_time = CASE WHEN ?6 IS NOT NULL AND (ep_time IS NULL OR ep_time > ?7) THEN ?7 ELSE ep_time END,
         title = CASE WHEN ?10 = 1 THEN coalesce(title, ?8) ELSE coalesce(?8, title) END,
         window1m = max(window1m, ?9)
       WHERE id = ?1`,
      id,
      m.cwd === null ? null : redact(m.cwd),
      t(m.cwdTime),
      m.branch === null ? null : redact(m.branch),
      t(m.branchTime),
      m.entrypoint === null ? null : redact(m.entrypoint),
      t(m.entrypointTime),
      m.title,
      m.window1M ? 1 : 0,
      m.titleWeak ? 1 : 0,
    );
  }

  /** The row that holds `key` in `table`, or the free hash it would take. */
  private locate(table: Tables, key: string): { h: number; id: number | null } {
    for (let h = keyId(key); ; h = (h + 1) % ID_SPACE) {
      const r = this.db.get<{ id: number; key: string }>(`SELECT id, key FROM ${table} WHERE h = ?`, h);
      if (!r) return { h, id: null };
      if (r.key === key) return { h, id: r.id };
    }
  }

  private copy(kind: Kind, key: string, file: number, fact: ModelEvent): void {
    this.db.run("INSERT OR REPLACE INTO copies (kind, key, file, fact) VALUES (?, ?, ?, ?)", kind, key, file, JSON.stringify(fact));
  }

  private storedCopy<T>(kind: Kind, key: string, file: number): T | null {
    const r = this.db.get<{ fact: string }>("SELECT fact FROM copies WHERE kind = ? AND key = ? AND file = ?", kind, key, file);
    return r ? (readFact(r.fact) as T | null) : null;
  }

  // -- the rollup: responses summed per 15 minutes and model, for long spans

  private beginRollup(bulk: boolean): void {
    if (this.held) {
      this.deltas = this.held.deltas;
      this.tallyDeltas = this.held.tallies;
      return;
    }
    const stale = this.db.get<{ v: string }>("SELECT v FROM meta WHERE k = 'rollup'")?.v === "stale";
    if (bulk && !stale) this.db.run("INSERT OR REPLACE INTO meta (k, v) VALUES ('rollup', 'stale')");
    this.deltas = bulk || stale ? null : new Map();
    this.tallyDeltas = bulk || stale ? null : new Map();
  }

  /** Counts one fact into (sign 1) or out of (-1) the tallies: `col` 0 prompts … 5 retries. */
  private tally(time: number | null, col: number, sign: 1 | -1): void {
    if (!this.tallyDeltas || time === null) return;
    const slot = slotOf(time);
    let d = this.tallyDeltas.get(slot);
    if (!d) this.tallyDeltas.set(slot, (d = [0, 0, 0, 0, 0, 0]));
    d[col]! += sign;
  }

  private delta(time: number, model: number, cls: RateClass, u: Usage, sign: 1 | -1): void {
    if (!this.deltas) return;
    const slot = slotOf(time);
    const k = `${slot}|${model}|${cls}`;
    let c = this.deltas.get(k);
    if (!c) this.deltas.set(k, (c = { slot, model, cls, d: [0, 0, 0, 0, 0, 0, 0, 0] }));
    const fresh = u.uncached + u.cacheWrite5m + u.cacheWrite1h;
    const d = c.d;
    d[0]! += sign;
    d[1]! += sign * u.uncached;
    d[2]! += sign * u.cacheWrite5m;
    d[3]! += sign * u.cacheWrite1h;
    d[4]! += sign * u.cacheRead;
    d[5]! += sign * u.output;
    if (u.cacheRead > 0) d[6]! += sign * fresh;
    else d[7]! += sign * fresh;
  }

  private endRollup(): void {
    const deltas = this.deltas;
    const tallies = this.tallyDeltas;
    this.deltas = null;
    this.tallyDeltas = null;
    // A first fill sums its changes to the end, unless they grow large (a long history read at once).
    if (this.held && this.held.deltas.size + this.held.tallies.size < HELD_CELLS) return;
    if (this.held) this.held = { deltas: new Map(), tallies: new Map() };
    this.applyRollup(deltas, tallies);
  }

  private applyRollup(deltas: Map<string, CellDelta> | null, tallies: Map<number, number[]> | null): void {
    for (const [slot, d] of tallies ?? []) {
      if (d.every((x) => x === 0)) continue;
      this.db.run(
        "INSERT INTO tallies (slot, prompts, calls, errors, rejections, apierrors, retries) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (slot) DO UPDATE SET prompts = prompts + excluded.prompts, calls = calls + excluded.calls, errors = errors + excluded.errors, rejections = rejections + excluded.rejections, apierrors = apierrors + excluded.apierrors, retries = retries + excluded.retries",
        slot,
        ...(d as [number, number, number, number, number, number]),
      );
      if (d.some((x) => x < 0)) this.db.run("DELETE FROM tallies WHERE slot = ? AND prompts = 0 AND calls = 0 AND errors = 0 AND rejections = 0 AND apierrors = 0 AND retries = 0", slot);
    }
    if (!deltas) return;
    for (const { slot, model, cls, d } of deltas.values()) {
      if (d.every((x) => x === 0)) continue;
      this.db.run(
        "INSERT INTO cells (slot, model, cls, n, u, a, b, r, o, hit, miss) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (slot, model, cls) DO UPDATE SET n = n + excluded.n, u = u + excluded.u, a = a + excluded.a, b = b + excluded.b, r = r + excluded.r, o = o + excluded.o, hit = hit + excluded.hit, miss = miss + excluded.miss",
        slot,
        model,
        cls,
        ...(d as [number, number, number, number, number, number, number, number]),
      );
      if (d[0]! < 0) this.db.run("DELETE FROM cells WHERE slot = ? AND model = ? AND cls = ? AND n <= 0", slot, model, cls);
    }
  }

  /** The rollup changes a first fill holds, written now (before a commit, so the rollup always matches the facts). */
  private releaseHeld(): void {
    if (!this.held) return;
    const { deltas, tallies } = this.held;
    this.held = { deltas: new Map(), tallies: new Map() };
    this.applyRollup(deltas, tallies);
  }

  /** True when the rollup holds every stored response (it is rebuilt after a bulk write). */
  rollupReady(): boolean {
    return this.db.get<{ v: string }>("SELECT v FROM meta WHERE k = 'rollup'")?.v !== "stale";
  }

  /** Rebuilds the rollups (responses per slot and model, counts per slot) from the facts (after bulk writes). */
  rebuildRollup(): void {
    this.db.transaction(() => {
      this.db.exec(`DELETE FROM cells;
        INSERT INTO cells (slot, model, cls, n, u, a, b, r, o, hit, miss)
          SELECT (time - 1) / ${CELL_MS}, model, cls, count(*), sum(uncached), sum(w5), sum(w1), sum(rd), sum(out),
            sum(CASE WHEN rd > 0 THEN uncached + w5 + w1 ELSE 0 END), sum(CASE WHEN rd > 0 THEN 0 ELSE uncached + w5 + w1 END)
          FROM responses GROUP BY 1, 2, 3;
        DELETE FROM tallies;
        INSERT INTO tallies (slot, prompts, calls, errors, rejections, apierrors, retries)
          SELECT slot, sum(p), sum(c), sum(e), sum(j), sum(a), sum(t) FROM (
            SELECT (time - 1) / ${CELL_MS} AS slot, 1 AS p, 0 AS c, 0 AS e, 0 AS j, 0 AS a, 0 AS t FROM prompts
            UNION ALL SELECT (call_time - 1) / ${CELL_MS}, 0, 1, 0, 0, 0, 0 FROM tools WHERE call_time IS NOT NULL
            UNION ALL SELECT (result_time - 1) / ${CELL_MS}, 0, 0, outcome = 1, outcome = 2, 0, 0 FROM tools WHERE result_time IS NOT NULL AND outcome > 0
            UNION ALL SELECT (time - 1) / ${CELL_MS}, 0, 0, 0, 0, retry = 0, retry = 1 FROM errors)
          GROUP BY slot;
        INSERT OR REPLACE INTO meta (k, v) VALUES ('rollup', 'ok');`);
    });
    this.writes++;
  }

  // -- facts

  private responseParams(e: ResponseObserved, file: number): SqlValue[] {
    const u = e.usage;
    return [file, e.time, this.sessionRow(e.sessionId), e.agentId === null ? null : this.nameId(e.agentId), this.nameId(e.model), u.uncached, u.cacheWrite5m, u.cacheWrite1h, u.cacheRead, u.output, clsOf(e)];
  }

  private putResponse(e: ResponseObserved, file: number, h = hashOf(e)): void {
    const db = this.db;
    const sql = "INSERT INTO responses (h, key, file, time, session, agent, model, uncached, w5, w1, rd, out, cls) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
    const u = e.usage;
    const model = this.nameId(e.model);
    const agent = e.agentId === null ? null : this.nameId(e.agentId);
    const cls = clsOf(e);
    // (the common case, a new response, without building arrays of parameters)
    if (db.prepare(sql).run(h, e.key, file, e.time, this.sessionRow(e.sessionId), agent, model, u.uncached, u.cacheWrite5m, u.cacheWrite1h, u.cacheRead, u.output, cls).changes > 0) {
      this.delta(e.time, model, cls, u, 1);
      return;
    }
    const params = this.responseParams(e, file);
    const at = this.locate("responses", e.key);
    if (at.id === null) {
      db.run(sql, at.h, e.key, ...params);
      this.delta(e.time, model, cls, e.usage, 1);
      return;
    }
    const id = at.id;
    const old = this.storedResponse(id)!;
    const replace = (cand: ResponseObserved, from: number) => {
      this.delta(old.e.time, old.model, clsOf(old.e), old.e.usage, -1);
      db.run("UPDATE responses SET file = ?, time = ?, session = ?, agent = ?, model = ?, uncached = ?, w5 = ?, w1 = ?, rd = ?, out = ?, cls = ? WHERE id = ?", ...this.responseParams(cand, from), id);
      this.delta(cand.time, this.nameId(cand.model), clsOf(cand), cand.usage, 1);
    };
    if (old.file === file) {
      if (beats(e, old.e)) replace(e, file);
      return;
    }
    // Seen in another file too: the better of this file's observations competes with the stored winner (an exact tie
    // goes to the file whose path sorts first, so the result does not depend on which file was read first).
    const mine = this.storedCopy<ResponseObserved>(Kind.Response, e.key, file);
    const cand = mine && !beats(e, mine) ? mine : e;
    if (beats(cand, old.e) || (!beats(old.e, cand) && this.filePath(file) < this.filePath(old.file))) {
      replace(cand, file);
      this.copy(Kind.Response, e.key, old.file, old.e);
      db.run("DELETE FROM copies WHERE kind = ? AND key = ? AND file = ?", Kind.Response, e.key, file);
    } else this.copy(Kind.Response, e.key, file, cand);
  }

  private storedResponse(id: number): { file: number; model: number; e: ResponseObserved } | null {
    const r = this.db.get<ResponseRow>("SELECT * FROM responses WHERE id = ?", id);
    return r ? { file: r.file, model: r.model, e: this.responseEvent(r) } : null;
  }

  /** A stored response row as the event that would reproduce it. */
  responseEvent(r: ResponseRow): ResponseObserved {
    const bar = r.key.indexOf("|");
    return {
      type: "ResponseObserved",
      key: r.key,
      requestId: bar >= 0 ? r.key.slice(bar + 1) : null,
      time: r.time,
      sessionId: this.sessionId(r.session),
      agentId: r.agent === null ? null : this.name(r.agent),
      model: this.name(r.model),
      usage: { uncached: r.uncached, cacheWrite5m: r.w5, cacheWrite1h: r.w1, cacheRead: r.rd, output: r.out },
      ...(isFast(r.cls) ? { fast: true } : {}),
      ...(isCopy(r.cls) ? { copy: true } : {}),
      cwd: null,
      entrypoint: null,
    };
  }

  /**
   * A tool call and its result (either may be missing), one row per tool_use id: the first file to give each part
   * holds it; another file's sighting of a part is kept as a copy.
   */
  private putTool(call: ToolCallObserved | undefined, result: ToolResultObserved | undefined, file: number, h = hashOf((call ?? result)!)): void {
    const db = this.db;
    const e = (call ?? result)!;
    const insert = (at: number) =>
      db.prepare("INSERT INTO tools (h, key, session, agent, call_file, call_time, name, result_file, result_time, outcome, ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING").run(
        at,
        e.key,
        this.sessionRow(e.sessionId),
        e.agentId === null ? null : this.nameId(e.agentId),
        call ? file : null,
        call?.time ?? null,
        call ? this.nameId(call.name) : null,
        result ? file : null,
        result?.time ?? null,
        result ? OUTCOMES.indexOf(result.outcome) : null,
        result?.reportedMs ?? null,
      );
    if (insert(h).changes > 0) {
      if (call) this.tally(call.time, 1, 1);
      if (result && result.outcome !== "ok") this.tally(result.time, result.outcome === "error" ? 2 : 3, 1);
      return;
    }
    const tallyCall = () => call && this.tally(call.time, 1, 1);
    const tallyResult = () => result && result.outcome !== "ok" && this.tally(result.time, result.outcome === "error" ? 2 : 3, 1);
    const at = this.locate("tools", e.key);
    if (at.id === null) {
      tallyCall();
      tallyResult();
      insert(at.h);
      return;
    }
    const row = db.get<ToolRow>("SELECT * FROM tools WHERE id = ?", at.id)!;
    const sessionId = this.sessionId(row.session);
    const agentId = row.agent === null ? null : this.name(row.agent);
    if (call) {
      const wins = row.call_file === null || (row.call_file !== file && this.earlier(call.time, file, row.call_time!, row.call_file));
      if (wins) {
        if (row.call_file !== null) {
          this.copy(Kind.ToolCall, e.key, row.call_file, { type: "ToolCallObserved", key: e.key, time: row.call_time!, sessionId, agentId, name: this.name(row.name!) });
          this.tally(row.call_time, 1, -1);
          db.run("DELETE FROM copies WHERE kind = ? AND key = ? AND file = ?", Kind.ToolCall, e.key, file);
        }
        // the call's sighting says whose tool it is
        db.run(
          "UPDATE tools SET call_file = ?, call_time = ?, name = ?, session = ?, agent = ? WHERE id = ?",
          file,
          call.time,
          this.nameId(call.name),
          this.sessionRow(call.sessionId),
          call.agentId === null ? null : this.nameId(call.agentId),
          at.id,
        );
        row.call_file = file;
        tallyCall();
      } else if (row.call_file !== file) this.copy(Kind.ToolCall, e.key, file, call);
    }
    if (result) {
      const wins = row.result_file === null || (row.result_file !== file && this.earlier(result.time, file, row.result_time!, row.result_file));
      if (wins) {
        if (row.result_file !== null) {
          const outcome = OUTCOMES[row.outcome ?? 0] ?? "ok";
          this.copy(Kind.ToolResult, e.key, row.result_file, { type: "ToolResultObserved", key: e.key, time: row.result_time!, sessionId, agentId, outcome, reportedMs: row.ms });
          if (outcome !== "ok") this.tally(row.result_time, outcome === "error" ? 2 : 3, -1);
          db.run("DELETE FROM copies WHERE kind = ? AND key = ? AND file = ?", Kind.ToolResult, e.key, file);
        }
        db.run("UPDATE tools SET result_file = ?, result_time = ?, outcome = ?, ms = ? WHERE id = ?", file, result.time, OUTCOMES.indexOf(result.outcome), result.reportedMs ?? null, at.id);
        if (row.call_file === null) db.run("UPDATE tools SET session = ?, agent = ? WHERE id = ?", this.sessionRow(result.sessionId), result.agentId === null ? null : this.nameId(result.agentId), at.id);
        tallyResult();
      } else if (row.result_file !== file) this.copy(Kind.ToolResult, e.key, file, result);
    }
  }

  private paths = new Map<number, string>();

  /** The path of a stored file (by id). */
  private filePath(id: number): string {
    let p = this.paths.get(id);
    if (p === undefined) {
      const r = this.db.get<{ dir: number; name: string }>("SELECT dir, name FROM files WHERE id = ?", id);
      p = r ? this.dirPath(r.dir) + sep + r.name : "";
      this.paths.set(id, p);
    }
    return p;
  }

  /** Of two sightings of a fact in different files, the one that holds it: the earlier line, on a tie the file whose
   *  path sorts first (so the result does not depend on the order files are read in). */
  private earlier(time: number, file: number, oldTime: number, oldFile: number): boolean {
    return time < oldTime || (time === oldTime && this.filePath(file) < this.filePath(oldFile));
  }

  /** Inserts a fact whose earliest sighting wins (true when it was new); a sighting in another file is kept as a copy. */
  private putFirst(kind: Kind, table: "prompts" | "errors" | "turns", key: string, file: number, sql: string, params: SqlValue[], e: PromptObserved | ApiErrorObserved | TurnCompleted): boolean {
    if (this.db.run(sql, hashOf(e), key, file, ...params).changes > 0) return true;
    const at = this.locate(table, key);
    if (at.id === null) {
      this.db.run(sql, at.h, key, file, ...params);
      return true;
    }
    const old = this.db.get<Record<string, SqlValue>>(`SELECT * FROM ${table} WHERE id = ?`, at.id)!;
    const oldFile = old.file as number;
    if (oldFile === file) return false;
    if (!this.earlier(e.time, file, old.time as number, oldFile)) {
      this.copy(kind, key, file, e);
      return false;
    }
    // This sighting wins: the stored one becomes a copy, and this one takes its row.
    const was = this.firstEvent(table, old);
    this.copy(kind, key, oldFile, was);
    this.db.run(`DELETE FROM ${table} WHERE id = ?`, at.id);
    this.db.run(sql, at.h, key, file, ...params);
    this.db.run("DELETE FROM copies WHERE kind = ? AND key = ? AND file = ?", kind, key, file);
    this.untally(was);
    return true;
  }

  /** A stored prompt, API error or turn row as its event. */
  private firstEvent(table: "prompts" | "errors" | "turns", r: Record<string, SqlValue>): PromptObserved | ApiErrorObserved | TurnCompleted {
    const base = { key: r.key as string, time: r.time as number, sessionId: this.sessionId(r.session as number) };
    if (table === "prompts") return { type: "PromptObserved", ...base, cwd: null };
    if (table === "turns") return { type: "TurnCompleted", ...base, durationMs: r.ms as number };
    return { type: "ApiErrorObserved", ...base, agentId: r.agent === null ? null : this.name(r.agent as number), status: r.status as number | null, message: r.message as string, retry: r.retry !== 0 };
  }

  /** Takes a prompt or an API error out of the tallies. */
  private untally(e: PromptObserved | ApiErrorObserved | TurnCompleted): void {
    if (e.type === "PromptObserved") this.tally(e.time, 0, -1);
    else if (e.type === "ApiErrorObserved") this.tally(e.time, e.retry ? 5 : 4, -1);
  }

  private putPrompt(e: PromptObserved, file: number): void {
    if (this.putFirst(Kind.Prompt, "prompts", e.key, file, "INSERT INTO prompts (h, key, file, time, session) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", [e.time, this.sessionRow(e.sessionId)], e))
      this.tally(e.time, 0, 1);
  }

  private putApiError(e: ApiErrorObserved, file: number): void {
    const added = this.putFirst(
      Kind.ApiError,
      "errors",
      e.key,
      file,
      "INSERT INTO errors (h, key, file, time, session, agent, status, message, retry) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
      [e.time, this.sessionRow(e.sessionId), e.agentId === null ? null : this.nameId(e.agentId), e.status, e.message, e.retry ? 1 : 0],
      e,
    );
    if (added) this.tally(e.time, e.retry ? 5 : 4, 1);
  }

  private putTurn(e: TurnCompleted, file: number): void {
    this.putFirst(Kind.Turn, "turns", e.key, file, "INSERT INTO turns (h, key, file, time, session, ms) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", [e.time, this.sessionRow(e.sessionId), e.durationMs], e);
  }

  /**
   * Removes the facts that came from these files, to be read again from their first byte: a copy of a removed fact in
   * another file, present or gone, takes its place. The files' rows stay, at offset 0 with their generation bumped.
   */
  removeFiles(ids: readonly number[]): void {
    if (ids.length === 0) return;
    this.db.transaction(() => {
      this.beginRollup(false);
      this.removeFacts(ids);
      this.endRollup();
    });
    this.writes++;
    this.onChange?.();
  }

  private removeFacts(ids: readonly number[]): void {
    const db = this.db;
    db.exec("CREATE TEMP TABLE IF NOT EXISTS gone_files (id INTEGER PRIMARY KEY)");
    db.exec("DELETE FROM temp.gone_files");
    for (const id of ids) db.run("INSERT OR IGNORE INTO temp.gone_files (id) VALUES (?)", id);
    const lost: { kind: Kind; key: string }[] = [];
    for (const r of db.query<ResponseRow>("SELECT * FROM responses WHERE file IN (SELECT id FROM temp.gone_files)")) {
      lost.push({ kind: Kind.Response, key: r.key });
      this.delta(r.time, r.model, r.cls, UsageStore.usageOf(r), -1);
    }
    db.run("DELETE FROM responses WHERE file IN (SELECT id FROM temp.gone_files)");
    for (const r of db.query<{ key: string; time: number }>("SELECT key, time FROM prompts WHERE file IN (SELECT id FROM temp.gone_files)")) {
      lost.push({ kind: Kind.Prompt, key: r.key });
      this.tally(r.time, 0, -1);
    }
    for (const r of db.query<{ key: string; time: number; retry: number }>("SELECT key, time, retry FROM errors WHERE file IN (SELECT id FROM temp.gone_files)")) {
      lost.push({ kind: Kind.ApiError, key: r.key });
      this.tally(r.time, r.retry ? 5 : 4, -1);
    }
    for (const r of db.query<{ key: string }>("SELECT key FROM turns WHERE file IN (SELECT id FROM temp.gone_files)")) lost.push({ kind: Kind.Turn, key: r.key });
    for (const table of ["prompts", "errors", "turns"]) db.run(`DELETE FROM ${table} WHERE file IN (SELECT id FROM temp.gone_files)`);
    for (const r of db.query<{ key: string; call_time: number }>("SELECT key, call_time FROM tools WHERE call_file IN (SELECT id FROM temp.gone_files)")) {
      lost.push({ kind: Kind.ToolCall, key: r.key });
      this.tally(r.call_time, 1, -1);
    }
    for (const r of db.query<{ key: string; result_time: number; outcome: number }>("SELECT key, result_time, outcome FROM tools WHERE result_file IN (SELECT id FROM temp.gone_files)")) {
      lost.push({ kind: Kind.ToolResult, key: r.key });
      if (r.outcome > 0) this.tally(r.result_time, r.outcome === 1 ? 2 : 3, -1);
    }
    db.run("UPDATE tools SET call_file = NULL, call_time = NULL, name = NULL WHERE call_file IN (SELECT id FROM temp.gone_files)");
    db.run("UPDATE tools SET result_file = NULL, result_time = NULL, outcome = NULL, ms = NULL WHERE result_file IN (SELECT id FROM temp.gone_files)");
    db.run("DELETE FROM tools WHERE call_file IS NULL AND result_file IS NULL");
    db.run("DELETE FROM copies WHERE file IN (SELECT id FROM temp.gone_files)");
    db.run("DELETE FROM rejected WHERE file IN (SELECT id FROM temp.gone_files)");
    db.run("UPDATE files SET rejected = 0, offset = 0, lines = 0, size = -1, mtime = -1, reread = 0, gen = gen + 1 WHERE id IN (SELECT id FROM temp.gone_files)");
    for (const { kind, key } of lost) this.promote(kind, key);
  }

  /** The best remaining copy of a fact (from another file) becomes its stored row (see putResponse and earlier). */
  private promote(kind: Kind, key: string): void {
    // (a copy that no longer reads back as a fact, a damaged row, is passed over: its file is read again if present)
    const rows = this.db
      .query<{ file: number; fact: string }>("SELECT file, fact FROM copies WHERE kind = ? AND key = ?", kind, key)
      .flatMap((r) => {
        const f = readFact(r.fact);
        return f ? [{ file: r.file, f }] : [];
      });
    if (rows.length === 0) return;
    let best = rows[0]!;
    let bestFact = best.f;
    for (const r of rows.slice(1)) {
      const f = r.f;
      const better =
        kind === Kind.Response
          ? beats(f as ResponseObserved, bestFact as ResponseObserved) || (!beats(bestFact as ResponseObserved, f as ResponseObserved) && this.filePath(r.file) < this.filePath(best.file))
          : this.earlier(f.time, r.file, bestFact.time, best.file);
      if (better) {
        best = r;
        bestFact = f;
      }
    }
    this.db.run("DELETE FROM copies WHERE kind = ? AND key = ? AND file = ?", kind, key, best.file);
    switch (bestFact.type) {
      case "ResponseObserved":
        return this.putResponse(bestFact, best.file);
      case "ToolCallObserved":
        return this.putTool(bestFact, undefined, best.file);
      case "ToolResultObserved":
        return this.putTool(undefined, bestFact, best.file);
      case "PromptObserved":
        return this.putPrompt(bestFact, best.file);
      case "ApiErrorObserved":
        return this.putApiError(bestFact, best.file);
      case "TurnCompleted":
        return this.putTurn(bestFact, best.file);
      default:
        return;
    }
  }

  /**
   * Stores events as the facts of one file (for built-in data and tests: a path that is not a real transcript). Later
   * calls for the same path add to its facts.
   */
  putEvents(path: string, events: Iterable<ModelEvent>): void {
    const c = new FactCollector();
    for (const e of events) c.push(e);
    const pos: FilePos = { dev: 0, ino: 0, size: 0, mtimeMs: 0, offset: 0, lines: 0, headLen: 0, headHash: 0, tailHash: 0 };
    this.write([c.facts(path, pos, false, this.file(path)?.gen ?? -1)]);
  }

  /** How many lines could not be used, and the first `max` of them (by file and line). */
  rejectedLines(max: number): { count: number; samples: { file: string; line: number; reason: string }[] } {
    const count = this.db.get<{ n: number | null }>("SELECT sum(rejected) AS n FROM files")?.n ?? 0;
    const samples = this.db
      .query<{ dir: number; name: string; line: number; reason: string }>("SELECT f.dir AS dir, f.name AS name, r.line AS line, r.reason AS reason FROM rejected r JOIN files f ON f.id = r.file")
      .map((r) => ({ file: join(this.dirPath(r.dir), r.name), line: r.line, reason: r.reason }))
      .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line))
      .slice(0, max);
    return { count, samples };
  }

  /**
   * A first fill of an empty store, as one transaction (other connections see the store as it was until `endBulk`,
   * or a `bulkCommit` on the way): the indexes that only speed up reading are dropped while it lasts and built once at
   * the end, and each page of the key indexes is written once instead of once per write. False when it did not begin:
   * the store holds facts, or another connection is writing.
   */
  beginBulk(o: { holdRollup?: boolean } = {}): boolean {
    if (this.db.inTransaction) return false;
    // Nothing a first fill writes needs to survive a crash of the machine (it is all read again from the transcripts
    // on disk): its commits skip the syncs (set outside a transaction; back to normal if it does not begin).
    if (this.kind === "file") this.db.exec("PRAGMA synchronous = OFF");
    if (!this.db.begin(false)) {
      this.syncNormal();
      return false;
    }
    try {
      const empty = this.db.get<{ n: number }>("SELECT (SELECT count(*) FROM responses) + (SELECT count(*) FROM tools) + (SELECT count(*) FROM prompts) AS n")!.n === 0;
      if (!empty) {
        this.db.rollback();
        this.syncNormal();
        return false;
      }
      this.db.exec(SECONDARY_INDEXES.map((i) => `DROP INDEX IF EXISTS ${i};`).join(" "));

      // The rollup's changes summed over the fill and written once (not cell by cell, write by write, nor rebuilt
      // from all the facts at the end).
      if (o.holdRollup && this.rollupReady()) this.held = { deltas: new Map(), tallies: new Map() };
      return true;
    } catch (e) {
      this.db.rollback();
      this.syncNormal();
      throw e;
    }
  }

  private syncNormal(): void {
    if (this.kind === "file") this.db.exec("PRAGMA synchronous = NORMAL");
  }

  /** Commits the fill so far (so that other connections may write, and a stop loses little) and goes on. */
  bulkCommit(): void {
    if (!this.db.inTransaction) return;
    this.releaseHeld();
    this.db.commit();
    this.db.begin(true);
  }

  /** Builds the read indexes again and commits the fill (prepareStore builds them too, should a process stop first). */
  endBulk(): void {
    if (!this.db.inTransaction) this.db.begin(true);
    try {
      this.releaseHeld();
      this.held = null;
      this.db.exec(SCHEMA);
      if (!this.rollupReady()) this.rebuildRollup();
      this.db.commit();
    } catch (e) {
      this.held = null;
      this.db.rollback();
      this.syncNormal();
      throw e;
    }
    if (this.kind === "file") this.db.exec("PRAGMA wal_checkpoint(PASSIVE)");
    this.syncNormal();
    this.writes++;
  }

  /** Gives up a fill that failed (the store is as it was before it, or at its last bulkCommit). */
  abortBulk(): void {
    this.held = null;
    this.db.rollback();
    this.syncNormal();
  }

  // ---- what Claude Code tells us ------------------------------------------------------------------------------

  /**
   * Official limits as seen (Claude Code's status line payload, or the usage endpoint). A figure equal to the last one
   * of its kind only moves that row's time (the status line runs after every response: the table keeps changes, not
   * repeats). With `wait` false nothing waits for another process's write lock: false when the store was busy.
   */
  recordLimits(seen: readonly LimitSeen[], wait = false): boolean {
    if (seen.length === 0) return true;
    const body = () => {
      for (const l of seen) {
        // (a figure out of all reason is not kept: it would stand for a window for ever; nor one whose window had reset
        // when it was seen: it says nothing of the window then current; a reset time beyond the next 8 days is not
        // one, and the figure is kept without it)
        if (!Number.isFinite(l.time) || !Number.isFinite(l.percent) || l.percent < 0 || l.percent > 1000) continue;
        if (l.resetsAt !== null && Number.isFinite(l.resetsAt) && l.resetsAt <= l.time) continue;
        const resetsAt = l.resetsAt !== null && Number.isFinite(l.resetsAt) && l.resetsAt < l.time + 8 * 86_400_000 ? Math.round(l.resetsAt) : null;
        const last = this.db.get<{ time: number; percent: number; resets_at: number | null; origin: number }>(
          "SELECT time, percent, resets_at, origin FROM limits_seen WHERE kind = ? ORDER BY time DESC LIMIT 1",
          l.kind,
        );
        if (last && last.time >= l.time) continue; // (an older figure than the newest kept says nothing new)
        const session = l.sessionId ? this.sessionRow(l.sessionId) : null;
        const origin = ORIGIN_CODE[l.origin];
        if (last && last.percent === l.percent && last.resets_at === resetsAt && last.origin === origin)
          this.db.run("UPDATE limits_seen SET time = ?, session = ? WHERE kind = ? AND time = ?", l.time, session, l.kind, last.time);
        else this.db.run("INSERT OR REPLACE INTO limits_seen (kind, time, percent, resets_at, origin, session) VALUES (?, ?, ?, ?, ?, ?)", l.kind, l.time, l.percent, resetsAt, origin, session);
      }
    };
    const ok = wait ? (this.db.transaction(body), true) : this.db.tryTransaction(() => (body(), true)) === true;
    if (ok) this.writes++;
    return ok;
  }

  /** The newest official figure of each kind of limit. */
  latestLimits(): LimitSeen[] {
    return this.db
      .query<{ kind: string; time: number; percent: number; resets_at: number | null; origin: number; session: number | null }>(
        "SELECT kind, max(time) AS time, percent, resets_at, origin, session FROM limits_seen GROUP BY kind",
      )
      .map((r) => ({ kind: r.kind, time: r.time, percent: r.percent, resetsAt: r.resets_at, origin: r.origin === 2 ? "endpoint" : "statusline", sessionId: r.session === null ? null : this.sessionId(r.session) }));
  }

  /** Figures of one kind seen from `from` to `to`, oldest first (the insights' quota history, the limit last seen). */
  limitsSeen(kind: string, from: number, to: number): LimitSeen[] {
    return this.db
      .query<{ time: number; percent: number; resets_at: number | null; origin: number }>("SELECT time, percent, resets_at, origin FROM limits_seen WHERE kind = ? AND time > ? AND time <= ? ORDER BY time", kind, clampTime(from), clampTime(to))
      .map((r) => ({ kind, time: r.time, percent: r.percent, resetsAt: r.resets_at, origin: r.origin === 2 ? "endpoint" : "statusline", sessionId: null }));
  }

  /**
   * Claude Code's own dollar figure for a session (cost.total_cost_usd): the newest seen is kept, with when the Claude
   * Code run it covers began (`started`: the figure's time less cost.total_duration_ms), when known.
   */
  recordClaudeCodeCost(sessionId: string, time: number, usd: number, version: string | null, wait = false, started: number | null = null): boolean {
    if (!Number.isFinite(usd) || usd < 0 || !Number.isFinite(time)) return true;
    const body = () => {
      const id = this.sessionRow(sessionId);
      this.db.run(
        "INSERT INTO cc_costs (session, time, usd, version, started) VALUES (?, ?, ?, ?, ?) ON CONFLICT (session) DO UPDATE SET time = excluded.time, usd = excluded.usd, version = excluded.version, started = excluded.started WHERE excluded.time >= cc_costs.time",
        id,
        time,
        usd,
        version === null ? null : redact(version),
        started !== null && Number.isFinite(started) && started <= time ? Math.round(started) : null,
      );
    };
    const ok = wait ? (this.db.transaction(body), true) : this.db.tryTransaction(() => (body(), true)) === true;
    if (ok) this.writes++;
    return ok;
  }

  /** Claude Code's figures for these sessions (those it reported), by session id. */
  claudeCodeCosts(sessionIds: readonly string[]): Map<string, { usd: number; time: number; started: number | null }> {
    const out = new Map<string, { usd: number; time: number; started: number | null }>();
    for (const sid of sessionIds) {
      const r = this.db.get<{ usd: number; time: number; started: number | null }>("SELECT c.usd, c.time, c.started FROM cc_costs c JOIN sessions s ON s.id = c.session WHERE s.sid = ?", redact(sid));
      if (r) out.set(sid, { usd: r.usd, time: r.time, started: r.started });
    }
    return out;
  }

  // ---- meta ----------------------------------------------------------------------------------------------------

  meta(k: string): string | null {
    return this.db.get<{ v: string }>("SELECT v FROM meta WHERE k = ?", k)?.v ?? null;
  }

  setMetaIfMissing(k: string, v: string): void {
    if (this.meta(k) === null) this.setMeta(k, v);
  }

  setMeta(k: string, v: string): void {
    this.db.run("INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)", k, v);
    this.writes++;
  }

  /** Plain usage sums, for tests and checks. */
  static usageOf(r: { uncached: number; w5: number; w1: number; rd: number; out: number }): Usage {
    return { uncached: r.uncached, cacheWrite5m: r.w5, cacheWrite1h: r.w1, cacheRead: r.rd, output: r.out };
  }
}

interface ToolRow {
  id: number;
  key: string;
  session: number;
  agent: number | null;
  call_file: number | null;
  call_time: number | null;
  name: number | null;
  result_file: number | null;
  result_time: number | null;
  outcome: number | null;
  ms: number | null;
}

export interface ResponseRow {
  id: number;
  h: number;
  key: string;
  file: number;
  time: number;
  session: number;
  agent: number | null;
  model: number;
  uncached: number;
  w5: number;
  w1: number;
  rd: number;
  out: number;
  cls: RateClass;
}

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

const ORIGIN_CODE = { statusline: 1, endpoint: 2 } as const;

/** Epoch ms bounds as SQLite integers (±Infinity would bind as REAL and compare oddly with NULLs). */
const clampTime = (t: number) => Math.max(-8.64e15, Math.min(8.64e15, t));
