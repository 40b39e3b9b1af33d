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
import { Buffer } from "node:buffer";
import { closeSync, constants, openSync, readSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, join, sep } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { ModelEvent, SessionMeta, ToolOutcome } from "../model/events.ts";
import { isCopy, isFast } from "../model/pricing.ts";
import { FactCollector, type FilePos } from "./facts.ts";
import { entryAt, NOFOLLOW } from "./store-marker.ts";
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

const OUTCOMES: readonly ToolOutcome[] = ["ok", "error", "rejected"];
/** Facts held before they are written (a store of a heavy year is salvaged in pieces, not all in memory). */
const FACTS_PER_WRITE = 20_000;
const MAGIC = Buffer.from("SQLite format 3\0", "latin1");
const PAGE_SIZES = [4096, 1024, 2048, 8192, 16384, 32768, 65536, 512];
const TABLES = ["responses", "files"];

type Row = Record<string, unknown>;

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

/** Copies a file into a new one made exclusively, 0600, never through a link. */
function copyPrivately(from: string, to: string): void {
  const src = openSync(from, constants.O_RDONLY | NOFOLLOW);
  let dst: number | null = null;
  try {
    dst = openSync(to, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o600);
    const buf = Buffer.alloc(1 << 20);
    for (let at = 0; ; ) {
      const n = readSync(src, buf, 0, buf.length, at);
      if (n <= 0) break;
      for (let w = 0; w < n; ) w += writeSync(dst, buf, w, n - w, at + w);
      at += n;
    }
  } finally {
    closeSync(src);
    if (dst !== null) closeSync(dst);
  }
}

/** The copy opened so that its tables can be read: as it is, or with its header repaired (trying the page sizes). */
function openReadable(path: string): DatabaseSync | null {
  const attempt = (): DatabaseSync | null => {
    let db: DatabaseSync | null = null;
    try {
      db = new DatabaseSync(path);
      const names = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
      if (TABLES.every((t) => names.has(t))) return db;
    } catch {
      /* not readable as it is */
    }
    try {
      db?.close();
    } catch {
      /* closed */
    }
    return null;
  };
  const first = attempt();
  if (first) return first;
  let header: Buffer;
  try {
    header = readHead(path);
  } catch {
    return null;
  }
  if (header.length < 100) return null;
  const stated = header.readUInt16BE(16) === 1 ? 65536 : header.readUInt16BE(16);
  const sizes = [...new Set([...(PAGE_SIZES.includes(stated) ? [stated] : []), ...PAGE_SIZES])];
  const wal = entryAt(`${path}-wal`).kind === "file";
  for (const size of sizes) {
    const h = Buffer.from(header);
    MAGIC.copy(h, 0);
    h.writeUInt16BE(size === 65536 ? 1 : size, 16);
    h[18] = wal ? 2 : 1; // (write and read versions: WAL when there is a log to read)
    h[19] = wal ? 2 : 1;
    h[20] = 0; // reserved bytes per page: none in our stores
    h[21] = 64;
    h[22] = 32;
    h[23] = 32;
    h.writeUInt32BE(0, 28); // the page count: taken from the file's size
    if (h.readUInt32BE(44) < 1 || h.readUInt32BE(44) > 4) h.writeUInt32BE(4, 44);
    h.writeUInt32BE(0, 52); // no auto-vacuum
    if (h.readUInt32BE(56) < 1 || h.readUInt32BE(56) > 3) h.writeUInt32BE(1, 56);
    h.writeUInt32BE(0, 64);
    try {
      writeHead(path, h);
    } catch {
      return null;
    }
    const db = attempt();
    if (db) return db;
  }
  return null;
}

function readHead(path: string): Buffer {
  const fd = openSync(path, constants.O_RDONLY | NOFOLLOW);
  try {
    const b = Buffer.alloc(100);
    const n = readSync(fd, b, 0, 100, 0);
    return b.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function writeHead(path: string, h: Buffer): void {
  const fd = openSync(path, constants.O_WRONLY | NOFOLLOW);
  try {
    writeSync(fd, h, 0, h.length, 0);
  } finally {
    closeSync(fd);
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

  constructor(
    private readonly db: DatabaseSync,
    /** the copy being read (its pages are read one by one when its tables could not be walked whole). */
    private readonly copyPath: string,
    /** made-up paths for facts whose transcript cannot be named start with this. */
    private readonly unnamed: string,
    private readonly store: UsageStore,
    private readonly now: number,
    private readonly result: SalvageResult,
  ) {}

  run(): void {
    for (const r of this.walk("dirs")) this.take("dirs", r);
    for (const r of this.walk("files")) this.take("files", r);
    for (const r of this.walk("names")) this.take("names", r);
    for (const r of this.walk("sessions")) this.take("sessions", r);
    this.bulk = this.store.beginBulk({ holdRollup: true });
    try {
      for (const table of FACT_TABLES) for (const r of this.walk(table)) this.take(table, r);
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

  /**
   * The rows of a table in rowid order. A stretch that cannot be read is stepped over: the next rowid from which a
   * row can be read is found by probing (doubling, then halving back), and the walk goes on from there.
   */
  private *walk(table: string): Generator<Row> {
    let max: number | null = null;
    try {
      const m = (this.db.prepare(`SELECT max(rowid) AS m FROM ${table}`).get() as { m: unknown } | undefined)?.m;
      max = typeof m === "number" ? m : null;
    } catch {
      this.result.complete = false;
    }
    let after = -1;
    let stuck = -2;
    for (;;) {
      try {
        for (const r of this.db.prepare(`SELECT rowid AS _rowid, * FROM ${table} WHERE rowid > ? ORDER BY rowid`).iterate(after) as IterableIterator<Row>) {
          after = r._rowid as number;
          yield r;
        }
        return;
      } catch {
        this.result.complete = false;
      }
      // (a row that reads alone but not in the walk is passed over, so that the walk always moves on)
      if (after === stuck) after++;
      stuck = after;
      const next = this.nextReadable(table, after, max);
      if (next === null) return;
      after = next - 1;
    }
  }

  /** The smallest rowid above `after` from which a row can be read, or null when none can. */
  private nextReadable(table: string, after: number, max: number | null): number | null {
    const probe = (s: number): number | null | "bad" => {
      try {
        const r = this.db.prepare(`SELECT rowid AS _rowid, * FROM ${table} WHERE rowid >= ? ORDER BY rowid LIMIT 1`).get(s) as Row | undefined;
        return r ? (r._rowid as number) : null;
      } catch {
        return "bad";
      }
    };
    const limit = max ?? 2 ** 53;
    let bad = after;
    let good: number | null = null;
    for (let step = 1; after + step <= limit; step *= 2) {
      const p = probe(after + step);
      if (p === null) return null; // nothing beyond: the end
      if (p !== "bad") {
        good = after + step;
        break;
      }
      bad = after + step;
    }
    if (good === null) return null;
    while (good - bad > 1) {
      const mid = Math.floor((bad + good) / 2);
      if (probe(mid) === "bad") bad = mid;
      else good = mid;
    }
    return good;
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
    let pages: PageReader;
    try {
      pages = new PageReader(this.copyPath);
    } catch {
      return;
    }
    try {
      const free = pages.freePages();
      for (const naming of [true, false])
        for (let n = 1; n <= pages.count; n++) {
          if (free?.has(n)) continue;
          for (const { rowid, values } of pages.tableLeafRows(n)) {
            const t = tableOf(values);
            if (t === null || NAMING.has(t.table) !== naming) continue;
            const row: Row = { _rowid: rowid };
            t.columns.forEach((c, i) => (row[c] = i < values.length ? values[i] : c === "cls" ? 0 : null));
            this.take(t.table, row);
          }
        }
    } finally {
      pages.close();
    }
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
      const outcome = OUTCOMES[int(r.outcome) ? r.outcome : 0] ?? "ok";
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
/** Tables that name what the facts refer to by number. */
const NAMING = new Set(["dirs", "files", "names", "sessions"]);

/** The columns of our rowid tables (the first, the rowid itself, is stored as null), as prepareStore makes them. */
const COLUMNS: Record<string, string[]> = {
  dirs: ["id", "path", "inode", "mtime", "read_at", "entries"],
  files: ["id", "dir", "name", "dev", "ino", "size", "mtime", "offset", "lines", "head_len", "head_hash", "tail_hash", "gen", "reread", "gone", "rejected"],
  names: ["id", "s"],
  sessions: ["id", "sid", "cwd", "cwd_time", "branch", "branch_time", "entrypoint", "ep_time", "title", "window1m"],
  responses: ["id", "h", "key", "file", "time", "session", "agent", "model", "uncached", "w5", "w1", "rd", "out", "cls"],
  tools: ["id", "h", "key", "session", "agent", "call_file", "call_time", "name", "result_file", "result_time", "outcome", "ms"],
  prompts: ["id", "h", "key", "file", "time", "session"],
  errors: ["id", "h", "key", "file", "time", "session", "agent", "status", "message", "retry"],
  turns: ["id", "h", "key", "file", "time", "session", "ms"],
};

type Value = number | string | Uint8Array | null;

/** Which of our tables a row found on a page belongs to, by its number of columns and what the first ones hold. */
function tableOf(v: Value[]): { table: string; columns: string[] } | null {
  if (v[0] !== null) return null;
  const text1 = typeof v[1] === "string";
  const keyed = typeof v[1] === "number" && typeof v[2] === "string"; // (h, key, …)
  let table: string | null = null;
  switch (v.length) {
    case 2:
      table = text1 ? "names" : null;
      break;
    case 6:
      table = text1 ? "dirs" : keyed ? "prompts" : null;
      break;
    case 7:
      table = keyed ? "turns" : null;
      break;
    case 10:
      table = text1 ? "sessions" : keyed ? "errors" : null;
      break;
    case 12:
      table = keyed ? "tools" : null;
      break;
    case 13: // (a response stored before the rate class was kept: it reads as class 0)
    case 14:
      table = keyed ? "responses" : null;
      break;
    case 16:
      table = typeof v[1] === "number" && typeof v[2] === "string" ? "files" : null;
      break;
  }
  return table === null ? null : { table, columns: COLUMNS[table]! };
}

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

/**
 * An SQLite file read page by page (its format: https://www.sqlite.org/fileformat2.html), for the rows of table leaf
 * pages that no tree leads to any more. Every length and pointer read from a page is checked against the file, so a
 * garbled page gives no rows, never an error or a loop.
 */
class PageReader {
  private fd: number;
  readonly size: number;
  readonly count: number;
  /** the usable bytes of a page (its size less the bytes reserved at its end). */
  private usable: number;
  private head: Buffer;

  constructor(path: string) {
    this.fd = openSync(path, constants.O_RDONLY | NOFOLLOW);
    this.head = Buffer.alloc(100);
    readSync(this.fd, this.head, 0, 100, 0);
    const s = this.head.readUInt16BE(16);
    this.size = s === 1 ? 65536 : s;
    if (this.size < 512 || this.size > 65536 || (this.size & (this.size - 1)) !== 0) throw new Error("no page size");
    this.usable = this.size - this.head[20]!;
    if (this.usable < 480) throw new Error("no usable size");
    this.count = Math.floor(entrySize(path) / this.size);
  }

  close(): void {
    closeSync(this.fd);
  }

  page(n: number): Buffer | null {
    if (n < 1 || n > this.count) return null;
    const b = Buffer.alloc(this.size);
    return readSync(this.fd, b, 0, this.size, (n - 1) * this.size) === this.size ? b : null;
  }

  /** The pages on the free list, or null when the list cannot be read (its pointers lead outside the file, or loop). */
  freePages(): Set<number> | null {
    const free = new Set<number>();
    let trunk = this.head.readUInt32BE(32);
    const total = this.head.readUInt32BE(36);
    if (total > this.count) return null;
    while (trunk !== 0) {
      if (free.has(trunk) || free.size > this.count) return null;
      const p = this.page(trunk);
      if (!p) return null;
      free.add(trunk);
      const leaves = p.readUInt32BE(4);
      if (leaves > (this.usable - 8) / 4) return null;
      for (let i = 0; i < leaves; i++) {
        const leaf = p.readUInt32BE(8 + 4 * i);
        if (leaf < 1 || leaf > this.count) return null;
        free.add(leaf);
      }
      trunk = p.readUInt32BE(0);
    }
    return free;
  }

  /** The rows of page `n` if it is a table leaf page (none otherwise, or where it is garbled). */
  *tableLeafRows(n: number): Generator<{ rowid: number; values: Value[] }> {
    const p = this.page(n);
    if (!p) return;
    const at = n === 1 ? 100 : 0;
    if (p[at] !== 0x0d) return;
    const cells = p.readUInt16BE(at + 3);
    if (at + 8 + 2 * cells > this.usable) return;
    const maxLocal = this.usable - 35;
    const minLocal = Math.floor(((this.usable - 12) * 32) / 255) - 23;
    for (let i = 0; i < cells; i++) {
      const off = p.readUInt16BE(at + 8 + 2 * i);
      if (off < at + 8 || off >= this.usable) continue;
      const len = varint(p, off, this.usable);
      if (!len) continue;
      const id = varint(p, off + len.n, this.usable);
      if (!id) continue;
      const start = off + len.n + id.n;
      const total = len.v;
      let local = total;
      if (total > maxLocal) {
        local = minLocal + ((total - minLocal) % (this.usable - 4));
        if (local > maxLocal) local = minLocal;
      }
      if (start + local + (local < total ? 4 : 0) > this.usable || total > 64 * 1024 * 1024) continue;
      let payload: Buffer = p.subarray(start, start + local);
      if (local < total) {
        const rest = this.overflow(p.readUInt32BE(start + local), total - local);
        if (!rest) continue;
        payload = Buffer.concat([payload, rest]);
      }
      const values = record(payload);
      if (values) yield { rowid: id.v, values };
    }
  }

  /** `want` bytes of a payload continued on overflow pages from `first`, or null when the chain is broken. */
  private overflow(first: number, want: number): Buffer | null {
    const parts: Buffer[] = [];
    let got = 0;
    let next = first;
    for (let hops = 0; got < want; hops++) {
      if (hops > this.count) return null;
      const p = this.page(next);
      if (!p) return null;
      const take = Math.min(want - got, this.usable - 4);
      parts.push(p.subarray(4, 4 + take));
      got += take;
      next = p.readUInt32BE(0);
    }
    return Buffer.concat(parts);
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

function entrySize(path: string): number {
  const e = entryAt(path);
  return e.kind === "file" ? e.size : 0;
}

/** An SQLite varint at `off` (its value, up to 2^53, and length), or null when it runs past `end`. */
function varint(b: Buffer, off: number, end: number): { v: number; n: number } | null {
  let v = 0;
  for (let i = 0; i < 9; i++) {
    if (off + i >= end) return null;
    const byte = b[off + i]!;
    if (i === 8) return { v: v * 256 + byte, n: 9 };
    v = v * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) return { v, n: i + 1 };
  }
  return null;
}

/** The values of a record (its header of serial types, then the values), or null when it does not add up. */
function record(b: Buffer): Value[] | null {
  const h = varint(b, 0, b.length);
  if (!h || h.v > b.length || h.v < 1) return null;
  const types: number[] = [];
  for (let at = h.n; at < h.v; ) {
    const t = varint(b, at, h.v);
    if (!t) return null;
    types.push(t.v);
    at += t.n;
  }
  const out: Value[] = [];
  let at = h.v;
  for (const t of types) {
    const size = t >= 12 ? Math.floor((t - 12) / 2) : [0, 1, 2, 3, 4, 6, 8, 8, 0, 0, -1, -1][t]!;
    if (size < 0 || at + size > b.length) return null;
    if (t === 0) out.push(null);
    else if (t <= 6) out.push(signed(b, at, size));
    else if (t === 7) out.push(b.readDoubleBE(at));
    else if (t === 8 || t === 9) out.push(t - 8);
    else if (t % 2 === 0) out.push(new Uint8Array(b.subarray(at, at + size)));
    else out.push(b.toString("utf8", at, at + size));
    at += size;
  }
  return out;
}

/** A big-endian two's complement integer of 1 to 8 bytes (as a number: our values are below 2^53). */
function signed(b: Buffer, at: number, size: number): number {
  if (size === 8) return Number(b.readBigInt64BE(at));
  if (size === 6) return b.readIntBE(at, 6);
  return b.readIntBE(at, size);
}
