// Bringing the usage store up to date with the transcripts, and keeping the numbers exact when the store fails on the
// way: a damaged store is moved aside, what can be read of it salvaged into a new one, and the transcripts read again;
// when the disk fills up, every fact read so far is kept in memory and the run goes on writing nothing. Either way the
// user is told (StoreStatus.notice), and history that could not be saved is counted against the store's marker and
// said until it is acknowledged. The marker is kept up to date here, once the store has changed.
import { statSync } from "node:fs";
import { POOL_MIN_BYTES, readerThreads, readInThreads, startReaders } from "./pool.ts";
import { copyToMemory, memoryStore, openUsageStore, sqliteProblem, type Recovery, type StoreStatus } from "./store-open.ts";
import { lossNotice, MarkerKeeper, mergeLoss, thousands, type StoreLoss, type Unread } from "./store-marker.ts";
import type { StoredFile, UsageStore } from "./store.ts";
import { TranscriptSource, type SourceOptions } from "./source.ts";

export interface UsageData {
  store: UsageStore;
  status: StoreStatus;
  source: TranscriptSource;
}

interface LoadOptions extends SourceOptions {
  roots: string[];
  /** the store's file, or null for a store in memory (--no-store). */
  storeAt: string | null;
  /** a store already opened (tests; otherwise it is opened here). */
  opened?: { store: UsageStore; status: StoreStatus };
  /** reader threads for a large backlog (default: one per core, up to 4; 1 reads on this thread only). */
  threads?: number;
  /** the live dashboard: on a store that knows no transcript yet (a first run), none is read here — all are left for
   *  the read after the first frame (see LiveIngest), so that the dashboard is up at once and fills as they are read. */
  deferFirstRun?: boolean;
}

/** A first fill commits about this often (transcript bytes): other processes may write between, and a stop loses
 *  little; fewer commits write each page of the key indexes fewer times. */
const COMMIT_BYTES = 256 * 1024 * 1024;

const BUSY = "another claude-dash is filling the usage store: this run reads the transcripts itself (the numbers are exact)";
const FULL = "the disk is full: usage history is not updated this run (the numbers are exact)";

/**
 * Opens the store (unless given), reads what it has not seen and runs `use` on the result. If the store turns out
 * damaged or the disk full, at any point, the store is replaced as described above and everything is done again (once).
 */
export async function withUsage<T>(o: LoadOptions, use: (d: UsageData) => T | Promise<T>): Promise<T> {
  let { store, status } = o.opened ?? openUsageStore({ path: o.storeAt, roots: o.roots, now: (o.clock ?? Date.now)() });
  for (let attempt = 0; ; attempt++) {
    try {
      keepMarker(store, status, o.clock ?? Date.now);
      // (a store made again reads every transcript on disk before counting what could not be saved)
      const later = o.deferFirstRun === true && !status.recovery && !store.hasFiles();
      const source = new TranscriptSource(o.roots, store, status.recovery ? { ...o, since: -Infinity } : later ? { ...o, since: Infinity } : o);
      if (later) source.refresh();
      else await catchUp(source, store, o.threads ?? readerThreads());
      status = settleStore(store, status, o.clock ?? Date.now, source);
      return await use({ store, status, source });
    } catch (e) {
      const problem = sqliteProblem(e);
      if (attempt > 1 || (problem !== "full" && problem !== "corrupt" && problem !== "busy")) throw e;
      ({ store, status } = replaceStore(store, problem, o));
    }
  }
}

/**
 * A store that failed (damaged, the disk full, or held by another process for longer than a write may wait) replaced
 * by one that works; the failed one is closed.
 */
export function replaceStore(
  store: UsageStore,
  problem: "full" | "corrupt" | "busy",
  o: { roots: string[]; storeAt: string | null; clock?: () => number },
): { store: UsageStore; status: StoreStatus } {
  if (problem === "full" || problem === "busy") {
    const copy = store.kind === "file" ? copyToMemory(store) : null;
    forgetMarker(store);
    store.close();
    return {
      store: copy ?? memoryStore(),
      status: problem === "full" ? { state: "full", path: o.storeAt, notice: FULL } : { state: "busy", path: o.storeAt, notice: BUSY },
    };
  }
  const damagedId = store.fileId;
  forgetMarker(store);
  store.close();
  return openUsageStore({ path: o.storeAt, roots: o.roots, now: (o.clock ?? Date.now)(), damaged: true, damagedId });
}

/**
 * A store that failed under a running dashboard (damaged, the disk full, or held too long by another process):
 * replaced as `replaceStore` says, and a source on the new store that has read what it lacks. Null when the failure
 * is of another kind (it is not the store's).
 */
export function replaceUnderway(e: unknown, current: UsageData, o: { roots: string[]; storeAt: string | null; clock?: () => number }): UsageData | null {
  const problem = sqliteProblem(e);
  if (problem !== "full" && problem !== "corrupt" && problem !== "busy") return null;
  const { store, status } = replaceStore(current.store, problem, o);
  keepMarker(store, status, o.clock ?? Date.now);
  const source = current.source.reopen(store);
  source.refresh();
  if (status.recovery) source.readDeferred();
  return { store, status: settleStore(store, status, o.clock ?? Date.now, source), source };
}

/** The keepers of the store files this process has open (their markers are written when it stops). */
const keepers = new Map<UsageStore, MarkerKeeper>();
let exitHook = false;

/** The keeper of a store file's marker, following its writes from now on (null for a store in memory). */
function keepMarker(store: UsageStore, status: StoreStatus, clock: () => number): MarkerKeeper | null {
  if (store.kind !== "file" || status.path === null) return null;
  let keeper = keepers.get(store);
  if (!keeper) {
    const k = new MarkerKeeper(store, clock, status.marker ?? null);
    keepers.set(store, (keeper = k));
    store.onChange = () => k.note();
    if (!exitHook) {
      // (whatever way the process ends, what its stores took last is in their markers)
      exitHook = true;
      process.once("exit", () => flushStoreMarkers());
    }
  }
  return keeper;
}

/** A store given up (closed, replaced): its marker is no longer kept by this process. */
function forgetMarker(store: UsageStore): void {
  const k = keepers.get(store);
  if (!k) return;
  keepers.delete(store);
  store.onChange = null;
  try {
    k.stop();
  } catch {
    /* (the store failed: its marker stays as it was) */
  }
}

/** Writes the store's marker now if the store changed since it was last written (a first run's history read in the
 *  background: what it holds counts from then on, not from the marker's next minute). */
export function markStoreNow(store: UsageStore): void {
  try {
    keepers.get(store)?.flush();
  } catch {
    /* (a store that cannot be counted now keeps its last marker; the keeper tries again) */
  }
}

/**
 * The live dashboard quits, the headless receiver shuts down, the process exits: every store's marker says what the
 * store holds now (the last minute's writes included), so that a later loss is counted in full.
 */
export function flushStoreMarkers(): void {
  for (const k of keepers.values()) {
    try {
      k.stop();
    } catch {
      /* (a store that cannot be counted now keeps its last marker) */
    }
  }
  keepers.clear();
}

/** The transcripts on disk a source left unread (older than its window), and the newest mtime among them. */
function unreadOf(source: TranscriptSource): Unread {
  const paths = source.deferredPaths(); // (newest first)
  for (const p of paths) {
    try {
      return { n: paths.length, newest: statSync(p).mtimeMs };
    } catch {
      /* gone meanwhile: the next */
    }
  }
  return { n: 0, newest: null };
}

/**
 * After the transcripts are read: the store's marker brought up to date (when the store changed, or the transcripts it
 * left unread are not those its marker names), and for a store this run replaced — damaged, emptied or deleted — what
 * could not be saved counted (see lostOf) and said, until it is acknowledged (--acknowledge-loss).
 */
function settleStore(store: UsageStore, status: StoreStatus, clock: () => number, source?: TranscriptSource): StoreStatus {
  const keeper = keepMarker(store, status, clock);
  if (!keeper) return status;
  if (source) {
    keeper.unread = () => unreadOf(source);
    keeper.noteUnread();
  }
  const r = status.recovery;
  if (!r) {
    keeper.flush();
    return status;
  }
  const lost = lostOf(store, r, clock());
  // (said even when the marker cannot be written: a full disk)
  const loss = keeper.flush(lost) ?? mergeLoss(status.loss ?? null, lost);
  let notice: string;
  if (lost && loss) notice = lossNotice(loss, { first: true });
  else {
    const saved =
      r.cause === "missing"
        ? "usage store was deleted: a new one is made, and nothing was lost (the transcripts on disk hold every response it held)"
        : `usage store ${r.cause === "emptied" ? "was emptied" : "was damaged"}: moved to ${r.movedTo}; nothing was lost (${thousands(r.salvage?.responses ?? 0)} responses of deleted transcripts saved from it, the rest read again from the transcripts on disk)`;
    notice = loss ? `${lossNotice(loss, { first: false })} · ${saved}` : saved;
  }
  return { state: status.state, path: status.path, notice, loss, marker: status.marker };
}

/**
 * What a replaced store held that the new one does not: the responses its marker counts, less those the new store
 * holds that the old one held too. Those are the new store's responses within the old one's span (its first to its
 * last response), saved from the old file or read from a transcript the old store held. A transcript it never read
 * (older than every window a run showed: the marker counts them and names the newest mtime among them) is read by the
 * new store too; its responses within that span may or may not have been the old store's (it may have read the file
 * for a wider window once), so then the loss is bounded — at least, up to — rather than counted. Null: nothing lost.
 */
function lostOf(store: UsageStore, r: Recovery, now: number): StoreLoss | null {
  const base = { at: now, of: r.before?.responses ?? null, cause: r.cause, movedTo: r.movedTo, from: r.before ? [r.before.at] : [] };
  const unknown: StoreLoss = { ...base, responses: null, atLeast: null, upTo: null };
  const b = r.before;
  if (!b) return r.cause === "emptied" || (r.salvage && !r.salvage.complete) ? unknown : null;
  if (b.responses === 0) return null;
  try {
    let sure = 0;
    let maybe = 0;
    if (b.first !== null && b.last !== null) {
      const newest = b.unread > 0 ? b.unreadNewest : null;
      const row = store.db.get<{ n: number; maybe: number | null }>(
        // (a transcript no longer on disk — saved from the old file — was the old store's; so is one written to while
        // it was read, mtime < 0, or last written after every transcript the old store left unread)
        `SELECT count(*) AS n, sum(CASE WHEN f.gone IS NULL AND f.mtime >= 0 AND f.mtime <= ? THEN 1 ELSE 0 END) AS maybe
         FROM responses r LEFT JOIN files f ON f.id = r.file WHERE r.time >= ? AND r.time <= ?`,
        newest ?? -1,
        b.first,
        b.last,
      );
      maybe = newest === null ? 0 : (row?.maybe ?? 0);
      sure = (row?.n ?? 0) - maybe;
    }
    const upTo = Math.max(0, b.responses - sure);
    const atLeast = Math.max(0, b.responses - sure - maybe);
    if (upTo === 0) return null;
    if (atLeast === upTo) return { ...base, responses: upTo, atLeast: null, upTo: null };
    return { ...base, responses: null, atLeast, upTo };
  } catch {
    return { ...unknown, of: b.responses };
  }
}

/**
 * Reads what the store has not seen: a large backlog of new files (a first run) on reader threads (see readBacklog),
 * then the rest (appends, rewrites, what the threads left) on this thread alone.
 */
export async function catchUp(source: TranscriptSource, store: UsageStore, threads: number, o: { minBytes?: number } = {}): Promise<void> {
  // A first run starts its reader threads at once: they load while the files are listed.
  const early = threads > 1 && !store.hasFiles() ? startReaders(threads - 1) : [];
  try {
    await readBacklog(source, store, threads, { ...o, started: early });
  } finally {
    for (const w of early) w.terminate();
  }
  source.refresh();
}

/**
 * Reads the backlog (files the store does not know; with `deferred`, those left unread as older than the windows) on
 * reader threads when it is large, this thread storing their facts as they come. False when it did not (too little to
 * read, or threads cannot start here: a runtime without workers). A store that fails, fails here.
 */
export async function readBacklog(
  source: TranscriptSource,
  store: UsageStore,
  threads: number,
  o: { deferred?: boolean; minBytes?: number; writeBytes?: number; commitBytes?: number; started?: Worker[] } = {},
): Promise<boolean> {
  if (threads <= 1) return false;
  const backlog = source.backlog(o.deferred ?? false);
  if (backlog.reduce((n, f) => n + f.size, 0) < (o.minBytes ?? POOL_MIN_BYTES)) return false;
  // (The live dashboard reads the store while it fills it: its rollup must keep up write by write.)
  const bulk = store.beginBulk({ holdRollup: !o.deferred });
  const commitBytes = o.commitBytes ?? COMMIT_BYTES;
  let uncommitted = 0;
  let failed = false;
  try {
    const r = await readInThreads(
      backlog,
      threads,
      (batch) => {
        // The live dashboard never waits for another process's write: what it could not store now, its source reads
        // again later.
        const outcomes = store.write(batch, !o.deferred);
        if (!outcomes) return [];
        uncommitted += batch.reduce((n, f) => n + f.pos.offset, 0);
        if (bulk && uncommitted >= commitBytes) {
          store.bulkCommit();
          uncommitted = 0;
        }
        const stored: StoredFile[] = [];
        batch.forEach((f, i) => {
          const out = outcomes[i]!;
          if (out !== "conflict") stored.push({ ...f.pos, id: out.id, path: f.path, gen: out.gen, gone: null, reread: false, rejected: f.rejectedCount });
        });
        return stored;
      },
      // A one-shot run reads on this thread too; the live dashboard keeps it for frames.
      { maxLine: source.maxLine, writeBytes: o.writeBytes, readHere: !o.deferred, started: o.started },
    );
    source.noteRead(r.bytes, r.lines, r.unreadable);
    source.takeOver(r.stored);
    return true;
  } catch (e) {
    const p = sqliteProblem(e);
    if (p === "corrupt" || p === "full") {
      failed = true;
      throw e;
    }
    return false;
  } finally {
    if (bulk && failed) store.abortBulk();
    else if (bulk) store.endBulk();
  }
}
