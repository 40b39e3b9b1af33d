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
//
// `UsageStore` is the store's one door; each of its jobs lives in a file of its own, over the same connection:
// - store-schema.ts: the tables, their versions, creating and upgrading a store;
// - store-files.ts: directories and transcript files (the directory cache, where each read ended);
// - store-facts.ts: the facts and their copies (which sighting wins, which copy takes over);
// - store-rollup.ts: the per-15-minute sums kept in step with the facts; store-bulk.ts: a first fill;
// - store-observed.ts: what Claude Code tells us beside the transcripts (official limits, its dollar figures);
// - store-names.ts: the interned strings (names, session ids) the facts hold as numbers.
import type { LimitSeen } from "../model/queries.ts";
import type { ModelEvent, Usage } from "../model/events.ts";
import type { SqlDatabase } from "../sqlite.ts";
import type { DirCache, DirEntry } from "./discover.ts";
import { FactCollector, type FileFacts, type FilePos } from "./facts.ts";
import { BulkFill } from "./store-bulk.ts";
import { Facts, usageOf } from "./store-facts.ts";
import { FileTable, type StoredFile } from "./store-files.ts";
import { Interned } from "./store-names.ts";
import { Observed } from "./store-observed.ts";
import { Rollup, ROLLUP_BULK } from "./store-rollup.ts";

export { PARSER_VERSION, prepareStore, SCHEMA_VERSION } from "./store-schema.ts";
export { CELL_MS } from "./store-rollup.ts";
export type { StoredFile } from "./store-files.ts";

/** How one file's facts went in: stored (with the file's generation now), or not, because another process
 *  replaced this file's facts since this reader's position was taken: read it again from the start. */
type WriteOutcome = { id: number; gen: number } | "conflict";

export class UsageStore implements DirCache {
  /** model, agent and tool names, and session ids, as the small numbers the facts hold. */
  private readonly names: Interned;
  private readonly sessions: Interned;
  private readonly fileTable: FileTable;
  private readonly rollup: Rollup;
  private readonly facts: Facts;
  private readonly bulk: BulkFill;
  private readonly observed: Observed;
  /** bumps on every write through this connection (PRAGMA data_version covers the other connections). */
  private writes = 0;
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
    const changed = () => {
      this.writes++;
    };
    this.names = new Interned(db, "names", "s");
    this.sessions = new Interned(db, "sessions", "sid");
    this.fileTable = new FileTable(db, changed);
    this.rollup = new Rollup(db, changed);
    this.facts = new Facts(db, this.names, this.sessions, this.fileTable, this.rollup);
    this.bulk = new BulkFill(db, kind, this.rollup, changed);
    this.observed = new Observed(db, this.sessions, changed);
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

  // ---- directories and files (store-files.ts) -----------------------------------------------------------------

  /** Directory listings kept by earlier scans (read once per connection). */
  load(): [string, DirEntry][] {
    return this.fileTable.load();
  }

  /** Keeps directory listings (so a later start lists only directories that changed). */
  save(entries: readonly [string, DirEntry][]): void {
    this.fileTable.save(entries);
  }

  /** True when the store knows at least one transcript file. */
  hasFiles(): boolean {
    return this.fileTable.hasFiles();
  }

  /** Every transcript file the store knows, present or gone. */
  files(): StoredFile[] {
    return this.fileTable.files();
  }

  file(path: string): StoredFile | null {
    return this.fileTable.file(path);
  }

  /** Notes files that are no longer on disk (their facts stay), at `now`. */
  markGone(paths: readonly string[], now: number): void {
    this.fileTable.setGone(paths, now);
  }

  /** Notes files that are on disk again. */
  markPresent(paths: readonly string[]): void {
    this.fileTable.setGone(paths, null);
  }

  /** How many lines could not be used, and the first `max` of them (by file and line). */
  rejectedLines(max: number): { count: number; samples: { file: string; line: number; reason: string }[] } {
    return this.fileTable.rejectedLines(max);
  }

  // ---- writing (the facts: store-facts.ts) ----------------------------------------------------------------------

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
      this.rollup.begin(responses > ROLLUP_BULK);
      const claims = batches.map((f) => this.fileTable.claim(f, this.removeFacts));
      const accepted: [FileFacts, number][] = [];
      batches.forEach((f, i) => {
        const c = claims[i]!;
        if (c !== "conflict") accepted.push([f, c.id]);
      });
      this.facts.putAll(accepted);
      const outcomes = batches.map((f, i) => {
        const c = claims[i]!;
        if (c === "conflict") return c;
        this.fileTable.settle(f, c);
        return { id: c.id, gen: c.gen };
      });
      this.rollup.end();
      return outcomes;
    };
    const out = wait ? this.db.transaction(body) : this.db.tryTransaction(body);
    if (out) {
      this.writes++;
      this.onChange?.();
    }
    return out;
  }

  /** (a claim of a file read from its start replaces the file's facts) */
  private readonly removeFacts = (ids: readonly number[]): void => this.facts.removeFacts(ids);

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

  /**
   * Removes the facts that came from these files, to be read again from their first byte: a copy of a removed fact in
   * another file, present or gone, takes its place. The files' rows stay, at offset 0 with their generation bumped.
   */
  removeFiles(ids: readonly number[]): void {
    if (ids.length === 0) return;
    this.db.transaction(() => {
      this.rollup.begin(false);
      this.facts.removeFacts(ids);
      this.rollup.end();
    });
    this.writes++;
    this.onChange?.();
  }

  /** The name of an interned id (models, agents, tools). */
  name(id: number): string {
    return this.names.text(id);
  }

  /** The session id of a stored session row. */
  sessionId(id: number): string {
    return this.sessions.text(id);
  }

  // ---- the rollup (store-rollup.ts) and a first fill (store-bulk.ts) ----------------------------------------------

  /** True when the rollup holds every stored response (it is rebuilt after a bulk write). */
  rollupReady(): boolean {
    return this.rollup.ready();
  }

  /** Rebuilds the rollups (responses per slot and model, counts per slot) from the facts (after bulk writes). */
  rebuildRollup(): void {
    this.rollup.rebuild();
  }

  /**
   * A first fill of an empty store, as one transaction (other connections see the store as it was until `endBulk`,
   * or a `bulkCommit` on the way): the indexes that only speed up reading are dropped while it lasts and built once at
   * the end, and each page of the key indexes is written once instead of once per write. False when it did not begin:
   * the store holds facts, or another connection is writing.
   */
  beginBulk(o: { holdRollup?: boolean } = {}): boolean {
    return this.bulk.begin(o);
  }

  /** Commits the fill so far (so that other connections may write, and a stop loses little) and goes on. */
  bulkCommit(): void {
    this.bulk.commit();
  }

  /** Builds the read indexes again and commits the fill (prepareStore builds them too, should a process stop first). */
  endBulk(): void {
    this.bulk.end();
  }

  /** Gives up a fill that failed (the store is as it was before it, or at its last bulkCommit). */
  abortBulk(): void {
    this.bulk.abort();
  }

  // ---- what Claude Code tells us (store-observed.ts) --------------------------------------------------------------

  /**
   * Official limits as seen (Claude Code's status line payload, or the usage endpoint). A figure equal to the last one
   * of its kind only moves that row's time (the status line runs after every response: the table keeps changes, not
   * repeats). With `wait` false nothing waits for another process's write lock: false when the store was busy.
   */
  recordLimits(seen: readonly LimitSeen[], wait = false): boolean {
    return this.observed.recordLimits(seen, wait);
  }

  /** The newest official figure of each kind of limit. */
  latestLimits(): LimitSeen[] {
    return this.observed.latestLimits();
  }

  /** Figures of one kind seen from `from` to `to`, oldest first (the insights' quota history, the limit last seen). */
  limitsSeen(kind: string, from: number, to: number): LimitSeen[] {
    return this.observed.limitsSeen(kind, from, to);
  }

  /**
   * Claude Code's own dollar figure for a session (cost.total_cost_usd): the newest seen is kept, with when the Claude
   * Code run it covers began (`started`: the figure's time less cost.total_duration_ms), when known.
   */
  recordClaudeCodeCost(sessionId: string, time: number, usd: number, version: string | null, wait = false, started: number | null = null): boolean {
    return this.observed.recordClaudeCodeCost(sessionId, time, usd, version, wait, started);
  }

  /** Claude Code's figures for these sessions (those it reported), by session id. */
  claudeCodeCosts(sessionIds: readonly string[]): Map<string, { usd: number; time: number; started: number | null }> {
    return this.observed.claudeCodeCosts(sessionIds);
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
    return usageOf(r);
  }
}
