// Salvaging a damaged usage store before it is replaced: every fact that can still be read from it goes into the new
// store, so that the usage of transcripts no longer on disk is not lost with it. (SQLite's `.recover` idea, done row by
// row through node:sqlite.) The damaged file itself is never changed: a copy is read (its header repaired when it is
// broken), each table is walked in rowid order, and a stretch of rows that cannot be read (a zeroed or garbled page) is
// stepped over by probing for the next rowid that can; rows whose values are impossible are passed over too.
//
// Only the facts of transcripts that are no longer on disk are taken: those on disk are read again from their first
// byte, which gives their facts exactly (a fact kept from the old store as well would be the same key in two files:
// still counted once, but kept alive when its transcript is later rewritten without it). Facts whose transcript cannot
// be named (its row in `files` is lost) are kept under a made-up path that is never on disk; a key they share with a
// transcript on disk still counts once.
//
// This file turns the rows read into facts and writes them; reading is done elsewhere: the copy and its header's
// repair in salvage-repair.ts, the tables' walks in salvage-tables.ts, the pages in salvage-pages.ts.
import { closeSync, constants, openSync, rmSync, statSync } from "node:fs";
import { basename, join, sep } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import { type ModelEvent, type SessionMeta, TOOL_OUTCOMES } from "../model/events.ts";
import { isCopy, isFast } from "../model/pricing.ts";
import { FactCollector, type FilePos } from "./facts.ts";
import { copyPrivately, openReadable } from "./salvage-repair.ts";
import { type Row, TableReader } from "./salvage-tables.ts";
import { entryAt } from "./store-marker.ts";
import type { UsageStore } from "./store.ts";

export interface SalvageResult {
  /** responses of transcripts no longer on disk, written into the new store (each once, however many copies it had). */
  responses: number;
  /** their other facts (prompts, tool calls and results, API errors, turns). */
  facts: number;
  /** transcripts no longer on disk whose facts were saved. */
  files: number;
  /** every table was read to its end (nothing stepped over, no row passed over). */
  complete: boolean;
  /** why nothing could be read (not an SQLite file even with its header repaired, no room for a copy), or null. */
  problem: string | null;
}

/** Facts held before they are written (a store of a heavy year is salvaged in pieces, not all in memory). */
const FACTS_PER_WRITE = 20_000;

const int = (x: unknown, max = 2 ** 53): x is number => typeof x === "number" && Number.isInteger(x) && x >= 0 && x <= max;
const str = (x: unknown, max = 100_000): x is string => typeof x === "string" && x.length > 0 && x.length <= max;
/** A plausible time of a fact (epoch ms, 2015 to 2200): a garbled row gives something else. */
const when = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x) && x > 1_420_070_400_000 && x < 7_258_118_400_000;
const TOKENS = 1e10;

/**
 * Reads what can be read of the damaged store at `damaged` (and its -wal, if any) into `store`, a new store, empty.
 * `workDir` holds the copy that is read (removed after); `now` is when the transcripts not on disk were found gone.
 */
export function salvageInto(store: UsageStore, damaged: string, o: { workDir: string; now: number }): SalvageResult {
  const result: SalvageResult = { responses: 0, facts: 0, files: 0, complete: true, problem: null };
  const src = entryAt(damaged);
  if (src.kind !== "file") return { ...result, complete: false, problem: "it is not a file" };
  if (src.size === 0 && entryAt(`${damaged}-wal`).kind !== "file") return result; // (nothing was there to read)
  const work = join(o.workDir, `${basename(damaged)}.salvage-${process.pid}-${Math.floor(Math.random() * 1e9).toString(36)}`);
  try {
    try {
      copyPrivately(damaged, work);
      if (entryAt(`${damaged}-wal`).kind === "file") copyPrivately(`${damaged}-wal`, `${work}-wal`);
    } catch (e) {
      return { ...result, complete: false, problem: `no copy of it could be made to read (${(e as { code?: string }).code ?? "error"})` };
    }
    const db = openReadable(work);
    if (!db) return { ...result, complete: false, problem: "it cannot be read as SQLite, even with its header repaired" };
    try {
      // (the log's pages into the copy itself, so that its pages can be read one by one too)
      try {
        db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      } catch {
        /* read through the log as it is */
      }
      const held = () => store.db.get<{ n: number }>("SELECT count(*) AS n FROM responses")?.n ?? 0;
      const before = held();
      new Salvager(db, work, join(damaged, "file"), store, o.now, result).run();
      // (counted in the new store: a response read from its row and again from a copy in another gone transcript — a
      // resumed session repeats earlier ones — is one response, kept once)
      result.responses = held() - before;
    } finally {
      db.close();
    }
    return result;
  } finally {
    for (const ext of ["", "-wal", "-shm", "-journal"]) rmSync(work + ext, { force: true });
  }
}

interface OldFile {
  path: string;
  pos: FilePos;
  rejected: number;
}

/** One salvage: the old store's rows, walked table by table, written into the new store file by file. */
class Salvager {
  private dirs = new Map<number, string>();
  private files = new Map<number, OldFile>();
  /** per old file id: whether its transcript is on disk (its facts are then read from it again). */
  private present = new Map<number, boolean>();
  private names = new Map<number, string>();
  private sessions = new Map<number, string>();
  private metas: SessionMeta[] = [];
  /** facts waiting to be written, per path. */
  private pending = new Map<string, { c: FactCollector; id: number | null }>();
  private pendingFacts = 0;
  private written = new Set<string>();
  private bulk = false;
  /** per table, the rowids read so far (a row found again on a page of its own is not taken twice). */
  private seen = new Map<string, RowidSet>();
  /** the copy's tables, walked or read page by page. */
  private readonly tables: TableReader;

  constructor(
    private readonly db: DatabaseSync,
    /** the copy being read (its pages are read one by one when its tables could not be walked whole). */
    copyPath: string,
    /** made-up paths for facts whose transcript cannot be named start with this. */
    private readonly unnamed: string,
    private readonly store: UsageStore,
    private readonly now: number,
    private readonly result: SalvageResult,
  ) {
    this.tables = new TableReader(db, copyPath, () => this.passOver());
  }

  run(): void {
    for (const r of this.tables.walk("dirs")) this.take("dirs", r);
    for (const r of this.tables.walk("files")) this.take("files", r);
    for (const r of this.tables.walk("names")) this.take("names", r);
    for (const r of this.tables.walk("sessions")) this.take("sessions", r);
    this.bulk = this.store.beginBulk({ holdRollup: true });
    try {
      for (const table of FACT_TABLES) for (const r of this.tables.walk(table)) this.take(table, r);
      this.copies();
      // Rows the walks could not reach (under a damaged page of a table's tree) may still sit whole on pages of their
      // own: every page is read, and the rows found there that were not read already are taken too. (Only when a walk
      // stepped over something: otherwise such pages are free pages, whose rows were deleted.)
      if (!this.result.complete) this.scanPages();
      this.flush();
      if (this.bulk) this.store.endBulk();
    } catch (e) {
      if (this.bulk) this.store.abortBulk();
      throw e;
    }
    this.store.markGone([...this.written], this.now);
    this.result.files = [...this.written].length;
    try {
      const hint = this.db.prepare("SELECT v FROM meta WHERE k = 'cleanup-hint'").get() as { v?: unknown } | undefined;
      if (typeof hint?.v === "string") this.store.setMetaIfMissing("cleanup-hint", hint.v);
    } catch {
      /* (only saves showing the hint again) */
    }
  }

  /** One row of a table, read by a walk or found on a page: used once per rowid. */
  private take(table: string, r: Row): void {
    const rowid = r._rowid;
    if (!int(rowid)) return this.passOver();
    let seen = this.seen.get(table);
    if (!seen) this.seen.set(table, (seen = new RowidSet()));
    if (seen.has(rowid)) return;
    seen.add(rowid);
    r.id = rowid;
    switch (table) {
      case "dirs":
        if (str(r.path)) this.dirs.set(rowid, r.path);
        else this.passOver();
        return;
      case "files":
        return this.file(r);
      case "names":
        if (str(r.s, 10_000)) this.names.set(rowid, r.s);
        else this.passOver();
        return;
      case "sessions":
        return this.session(r);
      case "responses":
        return this.response(r);
      case "tools":
        return this.tool(r);
      case "prompts":
        return this.keyed(r, "PromptObserved");
      case "errors":
        return this.keyed(r, "ApiErrorObserved");
      case "turns":
        return this.keyed(r, "TurnCompleted");
      default:
        return;
    }
  }

  /**
   * Reads every page of the copy and takes the rows of our tables found on them (known by their columns) that no walk
   * read: first those that name things (directories, transcripts, models, sessions), then the facts. Pages on the free
   * list hold deleted rows and are skipped (when the free list itself cannot be read, every page is read: a row deleted
   * from a transcript that was rewritten and is now gone could then come back, which is rarer than losing history).
   */
  private scanPages(): void {
    for (const { table, row } of this.tables.pageRows()) this.take(table, row);
  }

  private file(r: Row): void {
    if (!int(r.id) || !int(r.dir) || !str(r.name, 4096)) return this.passOver();
    const dir = this.dirs.get(r.dir);
    if (dir === undefined) return; // (its facts are kept under a made-up path)
    const n = (x: unknown) => (typeof x === "number" && Number.isFinite(x) ? x : 0);
    this.files.set(r.id, {
      path: dir + sep + r.name,
      pos: {
        dev: n(r.dev),
        ino: n(r.ino),
        size: n(r.size),
        mtimeMs: typeof r.mtime === "number" && r.mtime >= 0 ? r.mtime : NaN,
        offset: n(r.offset),
        lines: n(r.lines),
        headLen: n(r.head_len),
        headHash: n(r.head_hash),
        tailHash: n(r.tail_hash),
      },
      rejected: int(r.rejected) ? r.rejected : 0,
    });
  }

  private session(r: Row): void {
    if (!int(r.id) || !str(r.sid, 1000)) return this.passOver();
    this.sessions.set(r.id, r.sid);
    const t = (x: unknown, dflt: number) => (typeof x === "number" && Number.isFinite(x) ? x : dflt);
    const s = (x: unknown) => (typeof x === "string" ? x : null);
    this.metas.push({
      type: "SessionMeta",
      sessionId: r.sid,
      cwd: s(r.cwd),
      cwdTime: t(r.cwd_time, -Infinity),
      branch: s(r.branch),
      branchTime: t(r.branch_time, -Infinity),
      entrypoint: s(r.entrypoint),
      entrypointTime: t(r.ep_time, Infinity),
      title: s(r.title),
      window1M: r.window1m === 1,
    });
  }

  private passOver(): void {
    this.result.complete = false;
  }

  /** Whether a fact of this old file is taken: not when its transcript is on disk and can be read (it is read again). */
  private wanted(file: unknown): file is number {
    if (!int(file)) return false;
    let p = this.present.get(file);
    if (p === undefined) {
      const f = this.files.get(file);
      p = f !== undefined && readable(f.path);
      this.present.set(file, p);
    }
    return !p;
  }

  private sessionOf(id: unknown): string {
    return (int(id) && this.sessions.get(id)) || `salvaged-session-${String(id)}`;
  }

  private nameOf(id: unknown, unknown: string): string {
    return (int(id) && this.names.get(id)) || unknown;
  }

  private response(r: Row): void {
    if (!str(r.key, 2000) || !when(r.time) || ![r.uncached, r.w5, r.w1, r.rd, r.out].every((x) => int(x, TOKENS))) return this.passOver();
    if (!this.wanted(r.file)) return;
    const cls = int(r.cls) ? r.cls : 0;
    const bar = r.key.indexOf("|");
    this.add(r.file, {
      type: "ResponseObserved",
      key: r.key,
      requestId: bar >= 0 ? r.key.slice(bar + 1) : null,
      time: r.time,
      sessionId: this.sessionOf(r.session),
      agentId: r.agent === null ? null : this.nameOf(r.agent, "unknown-agent"),
      model: this.nameOf(r.model, "unknown"),
      usage: { uncached: r.uncached as number, cacheWrite5m: r.w5 as number, cacheWrite1h: r.w1 as number, cacheRead: r.rd as number, output: r.out as number },
      ...(isFast(cls) ? { fast: true } : {}),
      ...(isCopy(cls) ? { copy: true } : {}),
      cwd: null,
      entrypoint: null,
    });
    this.result.responses++;
  }

  private tool(r: Row): void {
    if (!str(r.key, 2000)) return this.passOver();
    const sessionId = this.sessionOf(r.session);
    const agentId = r.agent === null || r.agent === undefined ? null : this.nameOf(r.agent, "unknown-agent");
    if (r.call_file !== null && when(r.call_time) && this.wanted(r.call_file)) {
      this.add(r.call_file, { type: "ToolCallObserved", key: r.key, time: r.call_time, sessionId, agentId, name: this.nameOf(r.name, "unknown") });
      this.result.facts++;
    }
    if (r.result_file !== null && when(r.result_time) && this.wanted(r.result_file)) {
      const outcome = TOOL_OUTCOMES[int(r.outcome) ? r.outcome : 0] ?? "ok";
      this.add(r.result_file, {
        type: "ToolResultObserved",
        key: r.key,
        time: r.result_time,
        sessionId,
        agentId,
        outcome,
        reportedMs: typeof r.ms === "number" ? r.ms : null,
      });
      this.result.facts++;
    }
  }

  private keyed(r: Row, type: "PromptObserved" | "ApiErrorObserved" | "TurnCompleted"): void {
    if (!str(r.key, 2000) || !when(r.time)) return this.passOver();
    if (!this.wanted(r.file)) return;
    const base = { key: r.key, time: r.time, sessionId: this.sessionOf(r.session) };
    if (type === "PromptObserved") this.add(r.file, { type, ...base, cwd: null });
    else if (type === "TurnCompleted") this.add(r.file, { type, ...base, durationMs: typeof r.ms === "number" && Number.isFinite(r.ms) ? r.ms : 0 });
    else
      this.add(r.file, {
        type,
        ...base,
        agentId: r.agent === null || r.agent === undefined ? null : this.nameOf(r.agent, "unknown-agent"),
        status: int(r.status, 999) ? r.status : null,
        message: typeof r.message === "string" ? r.message : "",
        retry: r.retry === 1,
      });
    this.result.facts++;
  }

  /**
   * Other files' sightings of facts (a resumed session repeats its earlier responses): those of transcripts no longer
   * on disk are theirs to keep. (Keyed by text, a stretch that cannot be read ends that kind's walk.)
   */
  private copies(): void {
    for (let kind = 0; kind <= 5; kind++) {
      let key = "";
      let file = -1;
      try {
        for (const r of this.db
          .prepare("SELECT key, file, fact FROM copies WHERE kind = ? AND (key, file) > (?, ?) ORDER BY key, file")
          .iterate(kind, key, file) as IterableIterator<Row>) {
          key = String(r.key);
          file = Number(r.file);
          if (!this.wanted(r.file)) continue;
          const f = readCopy(r.fact);
          if (!f) {
            this.passOver();
            continue;
          }
          this.add(r.file as number, f);
          if (f.type === "ResponseObserved") this.result.responses++;
          else this.result.facts++;
        }
      } catch {
        this.passOver();
      }
    }
  }

  private pathOf(file: number): string {
    return this.files.get(file)?.path ?? `${this.unnamed}-${file}.jsonl`;
  }

  private add(file: number, e: ModelEvent): void {
    const path = this.pathOf(file);
    let p = this.pending.get(path);
    if (!p) this.pending.set(path, (p = { c: new FactCollector(), id: file }));
    p.c.push(e);
    if (++this.pendingFacts >= FACTS_PER_WRITE) this.flush();
  }

  private flush(): void {
    if (this.pending.size === 0) return;
    const batches = [...this.pending].map(([path, { c, id }]) => {
      const old = id === null ? undefined : this.files.get(id);
      const first = !this.written.has(path);
      const facts = c.facts(
        path,
        old?.pos ?? { dev: 0, ino: 0, size: 0, mtimeMs: 0, offset: 0, lines: 0, headLen: 0, headHash: 0, tailHash: 0 },
        false,
        this.store.file(path)?.gen ?? -1,
      );
      if (first && old && old.rejected > 0) facts.rejectedCount = old.rejected;
      else if (!first) facts.rejectedCount = 0;
      this.written.add(path);
      return facts;
    });
    // (what the old store knew of each session — where it ran, its title — comes with the first write)
    if (this.metas.length > 0) {
      batches[0]!.sessions.push(...this.metas);
      this.metas = [];
    }
    this.store.write(batches);
    this.pending.clear();
    this.pendingFacts = 0;
  }
}

const COPIED = new Set(["ResponseObserved", "ToolCallObserved", "ToolResultObserved", "PromptObserved", "ApiErrorObserved", "TurnCompleted"]);

/** A stored copy of a fact, if it reads back as one (see store.ts). */
function readCopy(json: unknown): ModelEvent | null {
  if (typeof json !== "string") return null;
  try {
    const f = JSON.parse(json) as { type?: unknown; key?: unknown; time?: unknown; usage?: unknown; sessionId?: unknown };
    if (f === null || typeof f !== "object" || !COPIED.has(f.type as string) || !str(f.key, 2000) || !when(f.time) || typeof f.sessionId !== "string")
      return null;
    if (f.type === "ResponseObserved") {
      const u = f.usage as Record<string, unknown> | null;
      if (typeof u !== "object" || u === null || ![u.uncached, u.cacheWrite5m, u.cacheWrite1h, u.cacheRead, u.output].every((x) => int(x, TOKENS))) return null;
    }
    return f as ModelEvent;
  } catch {
    return null;
  }
}

const FACT_TABLES = ["responses", "tools", "prompts", "errors", "turns"];

/** A set of rowids (small, dense numbers in our tables): a bitmap, with a set for any beyond it. */
class RowidSet {
  private bits = new Uint8Array(1024);
  private far = new Set<number>();

  has(n: number): boolean {
    if (n < 2 ** 26) return n >> 3 < this.bits.length && (this.bits[n >> 3]! & (1 << (n & 7))) !== 0;
    return this.far.has(n);
  }

  add(n: number): void {
    if (n >= 2 ** 26) {
      this.far.add(n);
      return;
    }
    if (n >> 3 >= this.bits.length) {
      const grown = new Uint8Array(Math.max(this.bits.length * 2, (n >> 3) + 1));
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[n >> 3]! |= 1 << (n & 7);
  }
}

/** A transcript that will be read again: a file (through a link, as discovery takes it) that can be opened for reading. */
function readable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    closeSync(openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)));
    return true;
  } catch {
    return false;
  }
}
