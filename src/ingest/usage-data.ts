// Bringing the usage store up to date with the transcripts, and keeping the numbers exact when the store fails on the
// way: a damaged store is moved aside, what can be read of it salvaged into a new one, and the transcripts read again;
// when the disk fills up, every fact read so far is kept in memory and the run goes on writing nothing. Either way the
// user is told (StoreStatus.notice), and history that could not be saved is counted against the store's marker and
// said until it is acknowledged. The marker is kept up to date here, once the store has changed.
import { POOL_MIN_BYTES, readerThreads, readInThreads, startReaders } from "./pool.ts";
import { copyToMemory, memoryStore, openUsageStore, sqliteProblem, type StoreStatus } from "./store-open.ts";
import { lossNotice, MarkerKeeper, mergeLoss, thousands, type StoreLoss } from "./store-marker.ts";
import type { StoredFile, UsageStore } from "./store.ts";
import { TranscriptSource, type SourceOptions } from "./source.ts";

export interface UsageData {
  store: UsageStore;
  status: StoreStatus;
  source: TranscriptSource;
}

export interface LoadOptions extends SourceOptions {
  roots: string[];
  /** the store's file, or null for a store in memory (--no-store). */
  storeAt: string | null;
  /** a store already opened (tests; otherwise it is opened here). */
  opened?: { store: UsageStore; status: StoreStatus };
  /** reader threads for a large backlog (default: one per core, up to 4; 1 reads on this thread only). */
  threads?: number;
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
      const source = new TranscriptSource(o.roots, store, status.recovery ? { ...o, since: -Infinity } : o);
      await catchUp(source, store, o.threads ?? readerThreads());
      status = settleStore(store, status, o.clock ?? Date.now);
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
export function replaceStore(store: UsageStore, problem: "full" | "corrupt" | "busy", o: { roots: string[]; storeAt: string | null; clock?: () => number }): { store: UsageStore; status: StoreStatus } {
  if (problem === "full" || problem === "busy") {
    const copy = store.kind === "file" ? copyToMemory(store) : null;
    store.close();
    return { store: copy ?? memoryStore(), status: problem === "full" ? { state: "full", path: o.storeAt, notice: FULL } : { state: "busy", path: o.storeAt, notice: BUSY } };
  }
  const damagedId = store.fileId;
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
  return { store, status: settleStore(store, status, o.clock ?? Date.now), source };
}

const keepers = new WeakMap<UsageStore, MarkerKeeper>();

/** The keeper of a store file's marker, following its writes from now on (null for a store in memory). */
function keepMarker(store: UsageStore, status: StoreStatus, clock: () => number): MarkerKeeper | null {
  if (store.kind !== "file" || status.path === null) return null;
  let keeper = keepers.get(store);
  if (!keeper) {
    const k = new MarkerKeeper(store, clock, status.marker ?? null);
    keepers.set(store, (keeper = k));
    store.onChange = () => k.note();
  }
  return keeper;
}

/**
 * After the transcripts are read: the store's marker brought up to date (when the store changed), and for a store this
 * run replaced — damaged, emptied or deleted — what could not be saved counted (what the marker says it held, less what
 * the new store holds of that span) and said, until it is acknowledged (--acknowledge-loss).
 */
export function settleStore(store: UsageStore, status: StoreStatus, clock: () => number): StoreStatus {
  const keeper = keepMarker(store, status, clock);
  if (!keeper) return status;
  const r = status.recovery;
  if (!r) {
    keeper.flush();
    return status;
  }
  let lost: StoreLoss | null = null;
  try {
    if (r.before) {
      const last = r.before.last;
      const kept = last === null ? 0 : (store.db.get<{ n: number }>("SELECT count(*) AS n FROM responses WHERE time <= ?", last)?.n ?? 0);
      const n = Math.max(0, r.before.responses - kept);
      if (n > 0) lost = { at: clock(), responses: n, of: r.before.responses, cause: r.cause, movedTo: r.movedTo };
    } else if (r.cause === "emptied" || (r.salvage && !r.salvage.complete)) lost = { at: clock(), responses: null, of: null, cause: r.cause, movedTo: r.movedTo };
  } catch {
    lost = { at: clock(), responses: null, of: r.before?.responses ?? null, cause: r.cause, movedTo: r.movedTo };
  }
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
 * read, or threads cannot start here: a standalone binary, a runtime without workers). A store that fails, fails here.
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
