// Making a new usage store and opening an existing one (store-open.ts decides which): a new store is made whole under
// a name of its own and linked into place, so no empty or half-made store is ever at the store's path; an existing one
// is opened without following a link, and its failure told by kind.
import { linkSync, renameSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { openDatabase, type SqlDatabase } from "../sqlite.ts";
import { prepareStore, UsageStore } from "./store.ts";
import { entryAt, fileIdAt } from "./store-marker.ts";
import { CHANGED, createExclusive, openExisting, refusal } from "./store-nofollow.ts";
import { codeOf, dirProblem, diskFull, type OpenOptions, type Problem, type RaceHooks, sqliteProblem, type StoreState } from "./store-status.ts";

type Made = { ok: true; store: UsageStore; mine: boolean } | { ok: false; state: StoreState; notice: string };

/**
 * A new store at `o.path`, made whole under another name first — created by us, exclusively and 0600, never through a
 * link — then linked into place (if another process put one there meanwhile, that one is used: `mine` is then false).
 * So no empty or half-made store is ever at the store's path, and nothing is left behind when the disk is full.
 */
export function createStore(o: OpenOptions, parser: number): Made {
  const path = o.path!;
  const tmp = `${path}.new-${process.pid}-${Math.floor(Math.random() * 1e9).toString(36)}`;
  const clean = () => {
    for (const ext of ["", "-wal", "-shm", "-journal"]) rmSync(tmp + ext, { force: true });
  };
  let mine: boolean;
  try {
    mine = makeAndLink(o, parser, tmp);
  } catch (e) {
    clean();
    return cannotMake(path, e);
  }
  clean();
  const refused = refusal(path);
  if (refused) return { ok: false, state: "refused", notice: `usage store not used: ${refused}; showing the transcripts only` };
  const opened = tryOpen(path, parser, undefined, o.busyMs);
  if (!opened.ok) {
    if (opened.problem === "changed")
      return { ok: false, state: "refused", notice: `usage store not used: ${refusal(path) ?? opened.detail}; showing the transcripts only` };
    return {
      ok: false,
      state: opened.problem === "full" ? "full" : "unreadable",
      notice: `the new usage store cannot be opened (${opened.detail}): showing the transcripts only`,
    };
  }
  try {
    opened.store.setMetaIfMissing("roots", JSON.stringify(o.roots));
  } catch {
    /* recorded by a later run */
  }
  return { ok: true, store: opened.store, mine };
}

/**
 * The new store made whole at `tmp` (its tables, in WAL mode), then linked to the store's path: true when it is ours
 * there, false when another process linked one first (that one is used). Throws what kept it from being made.
 */
function makeAndLink(o: OpenOptions, parser: number, tmp: string): boolean {
  const path = o.path!;
  createExclusive(tmp);
  const db = openDatabase(tmp);
  try {
    if (o.pageLimit !== undefined) db.exec(`PRAGMA max_page_count = ${o.pageLimit}`);
    db.exec("PRAGMA journal_mode = WAL");
    prepareStore(db, parser);
  } finally {
    db.close();
  }
  o.race?.beforeLink?.();
  try {
    linkSync(tmp, path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "EEXIST") return false;
    // (a file system without hard links: a rename, unless a store appeared meanwhile)
    if (entryAt(path).kind !== "absent") throw e;
    renameSync(tmp, path);
  }
  return true;
}

/** Why no store could be made at `path`, in the user's terms: a full disk, a directory not writable, or else. */
function cannotMake(path: string, e: unknown): Made {
  const p = sqliteProblem(e);
  const code = (e as { code?: string }).code;
  if (p === "full" || code === "ENOSPC" || diskFull(dirname(path)))
    return {
      ok: false,
      state: "full",
      notice: `the disk is full: no usage store can be made in ${dirname(path)} (the numbers are exact; nothing is kept this run)`,
    };
  if (code === "EROFS" || code === "EACCES" || code === "EPERM")
    return { ok: false, state: "read-only", notice: `usage history is not kept this run: ${dirProblem(dirname(path), e)}` };
  return { ok: false, state: "unreadable", notice: `no usage store can be made (${codeOf(e)}): showing the transcripts only` };
}

export type Tried =
  | { ok: true; store: UsageStore; upgraded: { from: number } | null }
  | {
      ok: false;
      problem: Problem | "newer" | "read-only" | "changed";
      detail: string /** the file that was looked at (device and inode). */;
      id: string | null;
    };

/**
 * Opens an existing store (never creating one, never following a link, never changing its mode: the file is ours
 * already, or not ours to change). See openExisting: what SQLite opened is checked to be the file looked at.
 */
export function tryOpen(path: string, parser: number, race?: RaceHooks, busyMs = 10_000): Tried {
  let db: SqlDatabase | null = null;
  let id: string | null = null;
  try {
    ({ db, id } = openExisting(path, { beforeOpen: race?.beforeOpen }));
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.round(busyMs))}`);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA cache_size = -8000"); // 8 MB: the key index of a heavy year stays in memory while writing
    const { upgraded, newer } = prepareStore(db, parser);
    if (newer) {
      db.close();
      return { ok: false, problem: "newer", detail: "newer", id };
    }
    const store = new UsageStore(db, "file", path);
    store.fileId = id;
    return { ok: true, store, upgraded };
  } catch (e) {
    try {
      db?.close();
    } catch {
      /* already closed */
    }
    if ((e as { code?: string }).code === CHANGED) return { ok: false, problem: "changed", detail: (e as Error).message, id };
    const p = sqliteProblem(e);
    if (p === "unreadable" && /readonly|read-only/i.test(String((e as Error)?.message)))
      return { ok: false, problem: "read-only", detail: "read-only", id: id ?? fileIdAt(path) };
    return { ok: false, problem: p, detail: codeOf(e), id: id ?? fileIdAt(path) };
  }
}
