// The transcript source: discovers files under the roots, keeps a tailer per file and stores the facts of what was
// appended in the usage store. A file the store already knows continues from where the last read ended (by this or
// an earlier process), so a start reads only bytes never seen; a file that vanished keeps its facts; a file that was
// rewritten, truncated or replaced has its facts replaced. `refresh()` re-scans directories (only changed ones are
// re-read) and reads what was appended to any file; `refreshFiles(paths)` reads just the named files (for file-watch
// notifications). Facts that were stored go on to an optional event sink (the in-memory model of the live views).

import { Buffer } from "node:buffer";
import { statSync, type Stats } from "node:fs";
import { collectGarbage } from "../platform.ts";
import type { ModelEvent } from "../model/events.ts";
import { Discovery, fileInfo, isQuiet, pathHash, sameMtime, type FileInfo, type QuietCheck } from "./discover.ts";
import { FactCollector, factEvents, type FileFacts } from "./facts.ts";
import { LineProcessor } from "./fastpath.ts";
import { MAX_LINE_BYTES, type EventSink, type LineContext } from "./records.ts";
import type { StoredFile, UsageStore } from "./store.ts";
import { FileTailer } from "./tailer.ts";

interface SourceStats {
  /** files read (and followed from now on). */
  files: number;
  /** files not read yet because nothing in them can fall in the requested span (see `since`). */
  deferred: number;
  bytesRead: number;
  linesRead: number;
  /** files that could not be read at the last attempt, with the reason. */
  unreadable: Map<string, string>;
}

/** What a read did beyond adding facts. */
export interface ReadReport {
  /** facts were stored. */
  changed: boolean;
  /** files whose facts were replaced (rewritten, truncated or replaced, or replaced by another process): a view
   *  built from their earlier facts is out of date. */
  replaced: number;
}

interface Tracked {
  tailer: FileTailer;
  ctx: LineContext;
  hash: number;
  /** generation of the stored file this tailer continues (-1: not stored yet). */
  gen: number;
  /** read it again from its first byte (another process replaced its facts meanwhile). */
  restart: boolean;
}

/** A file or directory unchanged for 10 minutes is checked on one poll in 15 (30 s at the default 2 s). */
const QUIET_AFTER_MS = 10 * 60_000;
const QUIET_EVERY = 15;
/** Facts are stored in transactions of about this many facts (or 16 MB of transcript read). */
const FACTS_PER_WRITE = 20_000;
const BYTES_PER_WRITE = 16 * 1024 * 1024;

export interface SourceOptions {
  /**
   * (epoch ms) Files the store does not know and last modified before this are not read until `readDeferred` — a line
   * is written at its timestamp, so such a file holds nothing newer than its mtime. Callers pass the start of the
   * earliest window they show, less a margin for clock skew. Default: read everything.
   */
  since?: number;
  maxLine?: number;
  /** A root the user named that does not exist (or has no projects folder) is a problem to show. */
  reportMissingRoots?: boolean;
  /** The wall clock, for when a file was found missing. */
  clock?: () => number;
  /** Never wait for the write lock (the live dashboard: another process may hold it for a while); reads wait in
   *  memory for the next try. */
  shared?: boolean;
  /**
   * A source for these files only (the status line: one session's transcripts): nothing else of the store is loaded
   * and nothing is listed, so it costs what those files cost, not what the history holds. Use refreshFiles.
   */
  only?: readonly string[];
}

export class TranscriptSource {
  private discovery: Discovery;
  private files = new Map<string, Tracked>();
  /** stored files found unchanged since they were read (no tailer until they change). */
  private resting = new Set<string>();
  /** files reader threads stored moments ago (see takeOver): the next refresh need not look at them again. */
  private justTaken = new Set<string>();
  /** the files `backlog` listed, for the refresh that follows it. */
  private listed: string[] | null = null;
  private hashes = new Map<string, number>();
  private deferred = new Set<string>();
  /** what the store knows of each file, by path (kept in step with what this source writes). */
  private stored = new Map<string, StoredFile>();
  private tick = 0;
  private sinceCollect = 0;
  readonly stats: SourceStats = { files: 0, deferred: 0, bytesRead: 0, linesRead: 0, unreadable: new Map() };
  private since: number;
  readonly maxLine: number;
  private readonly clock: () => number;
  private readonly shared: boolean;
  /** reads waiting to be stored, and how much they hold. */
  private pending: FileFacts[] = [];
  private pendingFacts = 0;
  private pendingBytes = 0;
  private report: ReadReport = { changed: false, replaced: 0 };

  constructor(
    readonly roots: readonly string[],
    readonly store: UsageStore,
    private readonly opts: SourceOptions = {},
  ) {
    this.discovery = new Discovery(roots, opts.reportMissingRoots ?? false, opts.only ? undefined : store);
    this.since = opts.since ?? -Infinity;
    this.maxLine = opts.maxLine ?? MAX_LINE_BYTES;
    this.clock = opts.clock ?? Date.now;
    this.shared = opts.shared ?? false;
    if (opts.only) {
      for (const p of opts.only) {
        const f = store.file(p);
        if (f) this.stored.set(p, f);
      }
    } else for (const f of store.files()) this.stored.set(f.path, f);
  }

  /** A source like this one on another store (when the store had to be replaced), nothing read yet. */
  reopen(store: UsageStore): TranscriptSource {
    return new TranscriptSource(this.roots, store, this.opts);
  }

  /** The files left unread so far (see `since`), newest first. */
  deferredPaths(): string[] {
    return [...this.deferred].sort((a, b) => (this.files.get(b)?.tailer.mtimeMs ?? 0) - (this.files.get(a)?.tailer.mtimeMs ?? 0));
  }

  /**
   * Reads the files that were deferred (newest first), for about `budgetMs` at most; call again while `stats.deferred`
   * > 0. Once none is left, every file is read as it comes.
   */
  readDeferred(sink?: EventSink, budgetMs = Infinity): ReadReport {
    const start = performance.now();
    for (const p of this.deferredPaths()) {
      this.deferred.delete(p);
      this.readFile(p, sink, -Infinity);
      if (performance.now() - start > budgetMs) break;
    }
    if (this.deferred.size === 0) this.since = -Infinity;
    return this.finish(sink);
  }

  /**
   * The files a refresh would read from their first byte (present, not known to the store, not left unread as older
   * than `since`), with their sizes: what reader threads can take (see `takeOver`). Scans the roots.
   */
  backlog(deferred = false): { path: string; size: number }[] {
    const out: { path: string; size: number }[] = [];
    if (!deferred) this.listed = this.scan();
    for (const path of deferred ? this.deferredPaths() : this.listed!) {
      if (this.stored.has(path) || (!deferred && this.files.has(path))) continue;
      try {
        const st = statSync(path);
        if (st.isFile() && (deferred || st.mtimeMs >= this.since)) out.push({ path, size: st.size });
      } catch {
        // the refresh that follows says what is wrong with it
      }
    }
    return out;
  }

  /** Counts what reader threads read for this source (diagnostics). */
  noteRead(bytes: number, lines: number, unreadable: Map<string, string>): void {
    this.stats.bytesRead += bytes;
    this.stats.linesRead += lines;
    for (const [p, why] of unreadable) this.stats.unreadable.set(p, why);
  }

  /**
   * Another reader (a worker) stored these files: continue from the store's positions. Files it could not read stay
   * deferred for this source.
   */
  takeOver(files: readonly StoredFile[]): void {
    for (const f of files) {
      const p = f.path;
      this.stored.set(p, f);
      this.deferred.delete(p);
      this.files.delete(p);
      this.resting.add(p); // (checked against its stored position on the next read)
      this.justTaken.add(p);
    }
    if (this.deferred.size === 0) this.since = -Infinity;
    this.updateCounts();
  }

  private updateCounts(): void {
    this.stats.files = this.files.size + this.resting.size - this.deferred.size;
    this.stats.deferred = this.deferred.size;
  }

  /** Problems seen while listing directories and reading files. */
  problems(): Map<string, string> {
    const all = new Map(this.discovery.problems);
    for (const [k, v] of this.stats.unreadable) all.set(k, v);
    return all;
  }

  /** Scans for new and vanished files and reads everything appended since the last call. */
  refresh(sink?: EventSink): ReadReport {
    // (the listing a backlog just made is not made again)
    const present = this.listed ?? this.scan();
    this.listed = null;
    const taken = this.justTaken;
    this.justTaken = new Set();
    for (const p of present) if (!taken.has(p)) this.readFile(p, sink);
    return this.finish(sink);
  }

  /**
   * The live safety-net poll (file-watch events do the fast path): like `refresh`, but files and directories
   * unchanged for QUIET_AFTER_MS are checked only on one poll in QUIET_EVERY, so a poll costs what is active,
   * not what the history holds. New files are always read at once.
   */
  poll(now: number, sink?: EventSink): ReadReport {
    this.justTaken.clear();
    this.listed = null;
    const quiet: QuietCheck = { now, tick: ++this.tick, afterMs: QUIET_AFTER_MS, every: QUIET_EVERY };
    const present = this.scan(quiet);
    for (const p of present) {
      const t = this.files.get(p);
      if (t && !t.restart && t.tailer.mtimeMs >= 0 && isQuiet(t.tailer.mtimeMs, t.hash, quiet)) continue;
      if (!t && this.resting.has(p) && isQuiet(this.stored.get(p)?.mtimeMs ?? NaN, this.hashOf(p), quiet)) continue;
      this.readFile(p, sink);
    }
    return this.finish(sink);
  }

  /** Reads only the given files (new ones are tracked when they are transcripts). */
  refreshFiles(paths: readonly string[], sink?: EventSink): ReadReport {
    for (const p of paths) if (p.endsWith(".jsonl")) this.readFile(p, sink);
    return this.finish(sink);
  }

  /**
   * Lists the files, forgets vanished ones (noting them gone in the store: their facts stay) and, for files the parser
   * must read again, removes their facts in one go.
   */
  private scan(quiet?: QuietCheck): string[] {
    const present = this.discovery.scan(quiet);
    const keep = new Set(present);
    for (const p of this.files.keys()) if (!keep.has(p)) this.files.delete(p);
    for (const p of this.resting) if (!keep.has(p)) this.resting.delete(p);
    for (const p of this.deferred) if (!keep.has(p)) this.deferred.delete(p);
    const gone: string[] = [];
    const back: string[] = [];
    const reread: StoredFile[] = [];
    for (const [p, f] of this.stored) {
      if (!keep.has(p)) {
        if (f.gone === null && !quiet) gone.push(p); // (a quiet poll may not have listed it)
      } else {
        if (f.gone !== null) back.push(p);
        if (f.reread) reread.push(f);
      }
    }
    if (gone.length > 0) {
      const now = this.clock();
      this.store.markGone(gone, now);
      for (const p of gone) this.stored.get(p)!.gone = now;
    }
    if (back.length > 0) {
      this.store.markPresent(back);
      for (const p of back) this.stored.get(p)!.gone = null;
    }
    if (reread.length > 0) {
      this.store.removeFiles(reread.map((f) => f.id));
      for (const f of reread) {
        const now = this.store.file(f.path);
        if (now) this.stored.set(f.path, now);
        this.files.delete(f.path);
      }
      this.report.replaced += reread.length;
    }
    return present;
  }

  private track(path: string): Tracked {
    let t = this.files.get(path);
    if (!t) {
      const info: FileInfo = fileInfo(path);
      const tailer = new FileTailer(path, this.maxLine);
      const stored = this.stored.get(path);
      if (stored) tailer.restore(stored);
      t = {
        tailer,
        ctx: { file: path, fileSessionId: info.sessionId, fileAgentId: info.agentId },
        hash: pathHash(path),
        gen: stored?.gen ?? -1,
        restart: false,
      };
      this.files.set(path, t);
    }
    return t;
  }

  private hashOf(path: string): number {
    let h = this.hashes.get(path);
    if (h === undefined) this.hashes.set(path, (h = pathHash(path)));
    return h;
  }

  /** A stored file that has not changed since it was read (by this or an earlier process): one stat, no tailer. */
  private unchanged(path: string): boolean {
    const f = this.stored.get(path);
    if (!f || f.reread || this.files.has(path)) return false;
    let st: Stats | undefined;
    try {
      st = statSync(path, { throwIfNoEntry: false });
    } catch {
      return false; // the tailer says what is wrong
    }
    return st !== undefined && st.isFile() && st.size === f.size && sameMtime(st.mtimeMs, f.mtimeMs) && st.dev === f.dev && st.ino === f.ino;
  }

  private readFile(path: string, sink: EventSink | undefined, since = this.since): void {
    if (this.unchanged(path)) {
      this.resting.add(path);
      return;
    }
    this.resting.delete(path);
    const t = this.track(path);
    let restart = false;
    if (t.restart) {
      t.restart = false;
      t.tailer = new FileTailer(path, this.maxLine);
      restart = true;
    }
    const facts = new FactCollector();
    const lines = new LineProcessor(t.ctx, facts);
    const res = t.tailer.refreshBytes(
      (buf, start, end, lineNo) => lines.line(buf, start, end, lineNo),
      (lineNo) => {
        lines.flush();
        facts.push({ type: "LineRejected", file: path, line: lineNo, reason: `line longer than ${this.maxLine} bytes` });
      },
      since,
    );
    lines.flush();
    if (res.bytes > 0) readUnfinishedTail(t.tailer, t.ctx, this.maxLine, facts);
    if (res.deferred) this.deferred.add(path);
    else this.deferred.delete(path);
    this.stats.bytesRead += res.bytes;
    this.stats.linesRead += res.lines;
    if (res.gone) {
      this.files.delete(path);
      this.deferred.delete(path);
    }
    if (res.error) this.stats.unreadable.set(path, res.error);
    else this.stats.unreadable.delete(path);
    if (res.gone || res.deferred || res.error || (res.bytes === 0 && !restart && !res.restarted)) return;
    const f = facts.facts(path, t.tailer.position(), restart || res.restarted, restart ? (this.stored.get(path)?.gen ?? -1) : t.gen);
    this.pending.push(f);
    this.pendingFacts += facts.events + 1;
    this.pendingBytes += res.bytes;
    // A long first read leaves a lot of short-lived garbage; collecting it every 16 MB read keeps the peak memory low
    // for a few per cent more time.
    this.sinceCollect += res.bytes;
    if (this.sinceCollect > 16 * 1024 * 1024) {
      this.sinceCollect = 0;
      collectGarbage(false);
    }
    if (this.pendingFacts >= FACTS_PER_WRITE || this.pendingBytes >= BYTES_PER_WRITE) this.store_(sink);
  }

  /**
   * Stores the reads waiting; the stored facts go on to the sink. A shared reader does not wait while another process
   * holds the write lock: its reads wait (in memory) for the next try.
   */
  private store_(sink: EventSink | undefined, wait = !this.shared): void {
    const batch = this.pending;
    if (batch.length === 0) return;
    const outcomes = this.store.write(batch, wait);
    if (!outcomes) return; // another writer holds the store: the reads wait for the next try
    this.pending = [];
    this.pendingFacts = 0;
    this.pendingBytes = 0;
    batch.forEach((f, i) => {
      const t = this.files.get(f.path);
      const o = outcomes[i]!;
      if (o === "conflict") {
        // Another process replaced this file's facts since our position was taken: start it again.
        if (t) t.restart = true;
        this.report.replaced++;
        return;
      }
      if (t) t.gen = o.gen;
      this.stored.set(f.path, { ...f.pos, id: o.id, path: f.path, gen: o.gen, gone: null, reread: false, rejected: 0 });
      if (f.restart) this.report.replaced++;
      this.report.changed = true;
      if (sink) for (const e of factEvents(f)) sink.push(e);
    });
  }

  private finish(sink: EventSink | undefined): ReadReport {
    this.store_(sink);
    // A conflict leaves files to read again: do it now (once), so a caller sees a settled state.
    const again = [...this.files].filter(([, t]) => t.restart);
    for (const [p] of again) this.readFile(p, sink);
    this.store_(sink);
    this.updateCounts();
    const r = this.report;
    this.report = { changed: false, replaced: 0 };
    return r;
  }
}

/**
 * A last line without its newline is normally still being written, and is kept for the next read. But some files simply
 * end that way (copies, other tools' captures). When the unfinished tail is already a whole JSON object, its events are
 * taken now, provisionally: if it is still being written it is not valid yet and is ignored (no rejection), and when its
 * newline arrives it is read again, which changes nothing (facts are idempotent).
 */
function readUnfinishedTail(tailer: FileTailer, ctx: LineContext, maxLine: number, out: EventSink): void {
  const tail = tailer.pending;
  if (tail.length === 0 || tail.length > maxLine) return;
  let end = tail.length;
  while (end > 0 && tail[end - 1]! <= 32) end--;
  if (end === 0 || tail[0] !== 0x7b || tail[end - 1] !== 0x7d) return;
  const events: ModelEvent[] = [];
  const p = new LineProcessor(ctx, events);
  p.line(Buffer.from(tail.buffer, tail.byteOffset, end), 0, end, tailer.lineNo + 1);
  if (events.some((e) => e.type === "LineRejected")) return;
  for (const e of events) out.push(e);
}

/** Reads one file whole into its facts (or says why it could not). */
export function readWhole(path: string, maxLine: number): { facts: FileFacts | null; bytes: number; lines: number; error: string | null } {
  const info = fileInfo(path);
  const ctx = { file: path, fileSessionId: info.sessionId, fileAgentId: info.agentId };
  const facts = new FactCollector();
  const lines = new LineProcessor(ctx, facts);
  const t = new FileTailer(path, maxLine);
  const res = t.refreshBytes(
    (buf, start, end, lineNo) => lines.line(buf, start, end, lineNo),
    (lineNo) => facts.push({ type: "LineRejected", file: path, line: lineNo, reason: `line longer than ${maxLine} bytes` }),
  );
  if (res.error || res.gone) return { facts: null, bytes: res.bytes, lines: res.lines, error: res.error ?? "gone" };
  if (res.bytes > 0) readUnfinishedTail(t, ctx, maxLine, facts);
  return { facts: facts.facts(path, t.position(), false, -1), bytes: res.bytes, lines: res.lines, error: null };
}
