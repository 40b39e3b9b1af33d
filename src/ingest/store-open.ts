// Where the usage store lives and how it is opened: `$XDG_DATA_HOME/claude-dash/` (default ~/.local/share/claude-dash/),
// a 0700 directory and 0600 files. A store that cannot be used never costs a number: the facts are then kept in memory
// for this run (read from the transcripts, as without a store) and the reason is shown. A damaged file is moved aside,
// never deleted, and what can still be read from it is salvaged into a new store; a read-only home or `--no-store`
// writes nothing at all. Nothing at the store's path (nor its -wal, -shm or marker) is followed if it is a symbolic
// link, a new store is made by us, exclusively, inside the data directory, and no file we did not make is chmodded.
// A marker beside the store (store-marker.ts) tells a store that was deleted or emptied from "no store yet".
import {
  accessSync,
  closeSync,
  constants,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  writeSync,
  type Stats,
} from "node:fs";
import { basename, dirname, isAbsolute, join } from "node:path";
import { pathToFileURL } from "node:url";
import { openDatabase, type SqlDatabase, type SqlValue } from "../sqlite.ts";
import { hashBytes } from "./tailer.ts";
import { PARSER_VERSION, prepareStore, SCHEMA_VERSION, UsageStore } from "./store.ts";
import { entryAt, fileIdAt, lossNotice, markerPath, NOFOLLOW, readMarker, type Marker, type StoreLoss } from "./store-marker.ts";
import { salvageInto, type SalvageResult } from "./store-salvage.ts";

export type StoreState =
  /** a store on disk, in use */
  | "ok"
  /** a store on disk, created by this run */
  | "created"
  /** a store on disk, updated for a new parser: transcripts on disk are read again */
  | "upgraded"
  /** a damaged, emptied or deleted store was replaced by a new one (what could be read of a damaged one salvaged) */
  | "recovered"
  /** --no-store */
  | "off"
  /** the data directory is not writable (a read-only file system, no permission): nothing is written */
  | "read-only"
  /** the store exists but cannot be opened */
  | "unreadable"
  /** written by a newer claude-dash: left alone */
  | "newer"
  /** the disk filled up: facts of this run are kept in memory */
  | "full"
  /** another process held the store longer than a write may wait: this run keeps its facts in memory */
  | "busy"
  /** a symbolic link (or not a regular file) at the store's path or beside it: not followed, nothing written */
  | "refused"
  /** (--store-info) there is no store file yet */
  | "none"
  /** (--store-info) the store is gone but its marker says it held history */
  | "missing"
  /** (--store-info) the store file is damaged or empty */
  | "damaged";

/** A store this run replaced (damaged, emptied or deleted): what to count once the transcripts on disk are read. */
export interface Recovery {
  cause: StoreLoss["cause"];
  /** where the old file was moved, or null when there was none. */
  movedTo: string | null;
  /** its marker: what it held (null when it had none). */
  before: Marker | null;
  /** what was read from the old file into the new store. */
  salvage: SalvageResult | null;
}

export interface StoreStatus {
  state: StoreState;
  /** the store's file (also when it could not be used), or null with --no-store. */
  path: string | null;
  /** what the user should know, in one line (footer, --json diagnostics, --store-info), or null. */
  notice: string | null;
  /** usage history lost and not yet acknowledged (--acknowledge-loss), if any. */
  loss?: StoreLoss | null;
  /** (this run replaced the store: see Recovery; settled by withUsage once the transcripts are read) */
  recovery?: Recovery;
  /** the marker as this run found it (undefined: not read). */
  marker?: Marker | null;
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
  /** the store turned out damaged while in use: move it aside and start a new one — unless the file at its path is no
   *  longer the one that failed (`damagedId`: another process has replaced it already), which is then opened. */
  damaged?: boolean;
  damagedId?: string | null;
  /** how long a statement may wait for another process's lock (default 10 s; the status line waits only moments). */
  busyMs?: number;
  /** (tests) a new store can grow to this many pages: the disk fills up while it is made. */
  pageLimit?: number;
  /** (tests) called at the moments another process may act: to make a race happen at that very point. */
  race?: RaceHooks;
}

/** (tests) What another process may do between two steps of opening a store. */
export interface RaceHooks {
  /** after the file at the store's path was looked at (lstat), before SQLite opens it. */
  beforeOpen?: () => void;
  /** after a new store was made under its own name, before it is linked into place. */
  beforeLink?: () => void;
  /** after the store was found damaged (or emptied), before it is moved aside. */
  beforeReplace?: () => void;
}

/** A private in-memory store: facts for this run only. */
export function memoryStore(parserVersion = PARSER_VERSION): UsageStore {
  const db = openDatabase(":memory:");
  prepareStore(db, parserVersion);
  return new UsageStore(db, "memory", null);
}

type Opened = { store: UsageStore; status: StoreStatus };

/**
 * Why nothing at a store's path may be used, or null: a symbolic link there (or at its -wal, -shm or, for the usage
 * store, its marker) would make SQLite write, or chmod, a file elsewhere; something that is not a regular file is not
 * ours either. (The telemetry store asks for its -wal and -shm only.)
 */
export function refusal(path: string, beside: readonly string[] = [`${path}-wal`, `${path}-shm`, markerPath(path)]): string | null {
  for (const p of [path, ...beside]) {
    const kind = entryAt(p).kind;
    if (kind === "link") return `${p} is a symbolic link (claude-dash does not follow one there)`;
    if (kind === "other") return `${p} is not a regular file`;
  }
  return null;
}

/** The code an error of openExisting carries when the file at the path is not the one that was looked at. */
export const CHANGED = "ESTORECHANGED";

const changed = (message: string) => Object.assign(new Error(message), { code: CHANGED });

/**
 * Makes a new, empty file at `path` for a store: created by us, exclusively (EEXIST when anything, a dangling link
 * included, is there already), 0600, never through a link.
 */
export function createExclusive(path: string): void {
  closeSync(openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o600));
}

/**
 * Opens an SQLite file that is at `path` already: never creating one (not even at a link's target), and making sure
 * that what SQLite opened is the regular file that was looked at — no symbolic link put there meanwhile, the same
 * device and inode before and after, and the name SQLite resolved is the path itself — before anything is read from
 * or written to it. Throws (code CHANGED) when it is not, closing what was opened; otherwise SQLite's own errors.
 */
export function openExisting(path: string, o: { beforeOpen?: () => void } = {}): { db: SqlDatabase; id: string } {
  const look = (): string => {
    let st: Stats;
    try {
      st = lstatSync(path);
    } catch {
      throw changed(`${path} is gone`);
    }
    if (st.isSymbolicLink()) throw changed(`${path} is a symbolic link (claude-dash does not follow one there)`);
    if (!st.isFile()) throw changed(`${path} is not a regular file`);
    return `${st.dev}:${st.ino}`;
  };
  const id = look();
  o.beforeOpen?.();
  // (mode=rw: SQLite opens what is there, and makes nothing where nothing is)
  let db: SqlDatabase;
  try {
    db = openDatabase(path, { existing: true });
  } catch (e) {
    // (it could not be opened because something else is there now — a dangling link —: said as such)
    if (look() !== id) throw changed(`${path} was replaced while it was being opened`);
    throw e;
  }
  try {
    if (look() !== id) throw changed(`${path} was replaced while it was being opened`);
    let expected = path;
    try {
      expected = join(realpathSync(dirname(path)), basename(path));
    } catch {
      /* (compared as given) */
    }
    const file = db.get<{ file: string }>("SELECT file FROM pragma_database_list WHERE name = 'main'")?.file;
    if (file !== undefined && file !== "" && file !== expected && file !== path)
      throw changed(`${path} led SQLite to ${file} (a symbolic link put there while it was being opened)`);
  } catch (e) {
    db.close();
    throw e;
  }
  return { db, id };
}

/** Why the data directory cannot be written (a read-only file system, no permission), or null. */
function unwritable(dir: string): string | null {
  try {
    accessSync(dir, constants.W_OK);
    return null;
  } catch (e) {
    // (anything else — Deno asks for another permission to check — is found out when the store is opened)
    const code = (e as { code?: string }).code;
    return code === "EROFS" || code === "EACCES" || code === "EPERM" ? dirProblem(dir, e) : null;
  }
}

/** Whether the disk holding `dir` is full: a small file cannot be written there (the probe is removed). */
function diskFull(dir: string): boolean {
  const probe = join(dir, `.claude-dash-space-${process.pid}-${Math.floor(Math.random() * 1e9).toString(36)}`);
  let fd: number | null = null;
  try {
    fd = openSync(probe, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o600);
    const bytes = new Uint8Array(64 * 1024);
    for (let n = 0; n < bytes.length; ) n += writeSync(fd, bytes, n, bytes.length - n);
    fsyncSync(fd);
    return false;
  } catch (e) {
    return (e as { code?: string }).code === "ENOSPC" || (e as { code?: string }).code === "EDQUOT";
  } finally {
    if (fd !== null) closeSync(fd);
    rmSync(probe, { force: true });
  }
}

function dirProblem(dir: string, e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === "EROFS") return `${dir} is on a read-only file system`;
  if (code === "EACCES" || code === "EPERM") return `${dir} is not writable (${code})`;
  if (code === "ENOSPC") return `the disk is full (${dir})`;
  if ((e as { name?: string }).name === "NotCapable" || (e as { name?: string }).name === "PermissionDenied")
    return `claude-dash may not write ${dir} (on Deno: --allow-write)`;
  return `cannot write ${dir} (${codeOf(e)})`;
}

/** Opens the store (creating it if needed); never throws: a store that cannot be used gives a memory store and a notice. */
export function openUsageStore(o: OpenOptions, retried = false): Opened {
  const parser = o.parserVersion ?? PARSER_VERSION;
  if (o.path === null) return { store: memoryStore(parser), status: { state: "off", path: null, notice: null } };
  const path = o.path;
  const dir = dirname(path);
  const inMemory = (state: StoreState, notice: string, extra: Partial<StoreStatus> = {}): Opened => ({
    store: memoryStore(parser),
    status: { state, path, notice, ...extra },
  });
  let cannotMake: string | null = null;
  try {
    // (a folder we make is 0700 from the start; one that exists is the user's, and left as it is)
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    if ((e as { code?: string }).code === "ENOSPC") return inMemory("full", `usage history is not kept: ${dirProblem(dir, e)}`);
    cannotMake = dirProblem(dir, e);
  }
  const refused = refusal(path);
  if (refused) return inMemory("refused", `usage store not used: ${refused}; showing the transcripts only`);
  const marker = readMarker(path);
  const pending = { loss: marker?.loss ?? null, marker };
  const readOnly = cannotMake ?? unwritable(dir);
  let at = entryAt(path);
  if (readOnly) {
    // The history is read (as the file is: its log cannot be opened on a read-only file system) and this run's facts
    // kept in memory beside it.
    const lossLine = marker?.loss ? `${lossNotice(marker.loss, { first: false })} · ` : "";
    const copy = at.kind === "file" && at.size > 0 ? copyFileToMemory(path, { immutable: true }, parser) : null;
    if (copy)
      return { store: copy, status: { state: "read-only", path, notice: `${lossLine}usage history is read but not kept this run: ${readOnly}`, ...pending } };
    return inMemory(
      "read-only",
      `${lossLine}usage history is not kept this run: ${readOnly}${at.kind === "file" && at.size > 0 ? " (and the store cannot be read)" : ""}`,
      pending,
    );
  }
  if (o.damaged) {
    if (o.damagedId && at.kind === "file" && fileIdAt(path) !== o.damagedId) return openUsageStore({ ...o, damaged: false }, true);
    return replaceDamaged(o, "damaged", marker, retried, o.damagedId ?? null);
  }
  const held = marker !== null && (marker.responses > 0 || marker.files > 0);
  if (at.kind === "file" && at.size === 0) {
    // An empty file where a store was is damage, not "no store yet" (a new store is never empty: it is made whole
    // under another name and linked into place) — when a marker says a store held history there, or a log beside it
    // holds some. Without either it is what an older version left when the disk was full: it held nothing, and is
    // replaced without a word.
    const wal = entryAt(`${path}-wal`);
    const id = fileIdAt(path);
    if (held || (wal.kind === "file" && wal.size > 0)) return replaceDamaged(o, "emptied", marker, retried, id);
    const gone = removeLeftover(path, id, o.now);
    if (gone === "changed")
      return retried
        ? inMemory("unreadable", "usage store is being replaced by another process: showing the transcripts only", pending)
        : openUsageStore(o, true);
    if (gone !== true) return inMemory("unreadable", `an empty usage store file cannot be replaced (${gone.error}): showing the transcripts only`, pending);
    at = { kind: "absent" };
  }
  if (at.kind === "absent") {
    // A store held history, and is gone while its marker stayed: what the transcripts on disk do not give is lost.
    // (a log left without its store is not replayed into a new one: it is moved aside with the rest)
    const movedTo = moveAside(path, o.now, false);
    const made = createStore(o, parser);
    if (!made.ok) return inMemory(made.state, made.notice, pending);
    // (when another process has just moved a damaged store aside, that process counts what is lost; and when another
    // process made the new store first — both found it gone — that process counts it: a loss is counted once)
    if (!held || retried || !made.mine)
      return { store: made.store, status: { state: made.mine ? "created" : "ok", path, notice: null, marker, loss: marker?.loss ?? null } };
    return {
      store: made.store,
      status: {
        state: "recovered",
        path,
        notice: "usage store was deleted: a new one is made from the transcripts on disk",
        marker,
        loss: marker.loss,
        recovery: { cause: "missing", movedTo: typeof movedTo === "string" ? movedTo : null, before: marker, salvage: null },
      },
    };
  }
  const first = tryOpen(path, parser, o.race, o.busyMs);
  if (first.ok) {
    const { store, upgraded } = first;
    try {
      store.setMetaIfMissing("roots", JSON.stringify(o.roots));
    } catch {
      /* (another process may be filling it: the roots are recorded next time) */
    }
    const loss = marker?.loss ?? null;
    const lossLine = loss ? lossNotice(loss, { first: false }) : null;
    if (upgraded) {
      const line = `usage store updated for this version (facts from parser ${upgraded.from}): transcripts on disk are read again; deleted ones keep their usage`;
      return { store, status: { state: "upgraded", path, notice: lossLine ? `${lossLine} · ${line}` : line, marker, loss } };
    }
    return { store, status: { state: "ok", path, notice: lossLine, marker, loss } };
  }
  if (first.problem === "changed") {
    // (another process replaced it meanwhile — looked at again — or a link was put there: refused)
    if (!retried) return openUsageStore(o, true);
    return inMemory("refused", `usage store not used: ${refusal(path) ?? first.detail}; showing the transcripts only`, pending);
  }
  if (first.problem === "newer")
    return inMemory("newer", `usage store ${path} was written by a newer claude-dash: not used (history is not kept this run)`, pending);
  if (first.problem === "read-only") return inMemory("read-only", `usage history is not kept this run: ${path} is read-only`, pending);
  if (first.problem === "full")
    return inMemory("full", `the disk is full: the usage store cannot be opened (the numbers are exact; nothing is kept this run)`, pending);
  if (first.problem === "busy")
    return inMemory("busy", `another claude-dash holds the usage store: this run reads the transcripts itself (the numbers are exact)`, pending);
  if (first.problem !== "corrupt") {
    // (SQLite reports some writes a full disk refused — its shared-memory index — as an I/O error)
    if (diskFull(dir)) return inMemory("full", `the disk is full: the usage store cannot be opened (the numbers are exact; nothing is kept this run)`, pending);
    return inMemory("unreadable", `usage store cannot be opened (${first.detail}): showing the transcripts only`, pending);
  }
  return replaceDamaged(o, "damaged", marker, retried, first.id);
}

/**
 * An empty file at the store's path that held nothing (no marker, no log): removed — but only that very file (moved
 * to a name of our own first, and looked at there: if another process put a store at the path meanwhile, that store
 * is put back). True when it is gone, "changed" when what was there was not it, or the error.
 */
function removeLeftover(path: string, id: string | null, now: number): true | "changed" | { error: string } {
  const tmp = `${path}.empty-${process.pid}-${Math.floor(Math.random() * 1e9).toString(36)}`;
  try {
    renameSync(path, tmp);
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return "changed";
    return { error: codeOf(e) };
  }
  const e = entryAt(tmp);
  if (id !== null && fileIdAt(tmp) === id && e.kind === "file" && e.size === 0) {
    rmSync(tmp, { force: true });
    return true;
  }
  // (not the empty file: another process's, put back where it was — or, when the path is taken again, kept aside)
  try {
    linkSync(tmp, path);
    rmSync(tmp, { force: true });
  } catch {
    try {
      renameSync(tmp, `${path}.damaged-${new Date(now).toISOString().replace(/[:.]/g, "-")}-${process.pid}`);
    } catch {
      /* (left under its own name) */
    }
  }
  return "changed";
}

/**
 * A damaged (or emptied) store: moved aside (never deleted: it may hold the usage of deleted transcripts), a new one
 * made, and what can still be read of the old one salvaged into it. The transcripts on disk are read after. Only the
 * file that was found damaged (`damagedId`: its device and inode) is moved: when another process has replaced it
 * meanwhile, the new store is opened instead.
 */
function replaceDamaged(o: OpenOptions, cause: "damaged" | "emptied", marker: Marker | null, retried: boolean, damagedId: string | null): Opened {
  const path = o.path!;
  const parser = o.parserVersion ?? PARSER_VERSION;
  const inMemory = (state: StoreState, notice: string): Opened => ({
    store: memoryStore(parser),
    status: { state, path, notice, marker, loss: marker?.loss ?? null },
  });
  o.race?.beforeReplace?.();
  const aside = moveAside(path, o.now, true, damagedId);
  if (aside === "gone" || aside === null) {
    // Another process moved it a moment ago (and is making the new one, counting what is lost): open what is there now.
    if (!retried) return openUsageStore({ ...o, damaged: false }, true);
    return inMemory("unreadable", "usage store is damaged and another process is replacing it: showing the transcripts only");
  }
  if (typeof aside !== "string")
    return inMemory("unreadable", `usage store is ${cause} and cannot be moved aside (${aside.error}): showing the transcripts only`);
  const made = createStore(o, parser);
  if (!made.ok)
    return inMemory(
      made.state,
      `usage store was ${cause} (moved to ${aside}) and ${made.state === "full" ? "the disk is full" : "a new one cannot be made"}: showing the transcripts only`,
    );
  let salvage: SalvageResult;
  try {
    salvage = salvageInto(made.store, aside, { workDir: dirname(path), now: o.now });
  } catch (e) {
    // The new store could not take what was read (the disk filled up): it holds part of the history only, and is
    // removed (it is ours), so that a later run does not take it for whole; this run keeps its facts in memory.
    made.store.close();
    if (made.mine) for (const ext of ["", "-wal", "-shm"]) rmSync(path + ext, { force: true });
    const problem = sqliteProblem(e);
    return inMemory(
      problem === "full" ? "full" : "unreadable",
      `usage store was ${cause} (moved to ${aside}); ${problem === "full" ? "the disk is full" : "its facts could not be saved"}: showing the transcripts only`,
    );
  }
  const what = cause === "emptied" ? "was emptied (0 bytes)" : "was damaged";
  return {
    store: made.store,
    status: {
      state: "recovered",
      path,
      notice: `usage store ${what}: moved to ${aside}; ${salvage.responses} responses of deleted transcripts were saved from it`,
      marker,
      loss: marker?.loss ?? null,
      // (a loss found by two processes, both from this marker, is counted once: see mergeLoss)
      recovery: { cause, movedTo: aside, before: marker, salvage },
    },
  };
}

/**
 * Moves the store (and its -wal and -shm) aside as `<store>.damaged-<time>`: the new name, "gone" when the store was
 * not there to move (another process moved it, or put another file there: `expect`, the device and inode of the file
 * to move, differs), or the error. With `store` false only a -wal or -shm left without their store are moved (null
 * when there were none).
 */
function moveAside(path: string, now: number, store: boolean, expect: string | null = null): string | "gone" | { error: string } | null {
  const stamp = new Date(now).toISOString().replace(/[:.]/g, "-");
  let aside = `${path}.damaged-${stamp}`;
  for (let i = 2; entryAt(aside).kind !== "absent" || entryAt(`${aside}-wal`).kind !== "absent"; i++) aside = `${path}.damaged-${stamp}-${i}`;
  const parts = store ? ["", "-wal", "-shm"] : ["-wal", "-shm"];
  let moved = false;
  for (const ext of parts) {
    if (ext === "" && expect !== null && fileIdAt(path) !== expect) return "gone";
    if (entryAt(path + ext).kind === "absent") {
      if (ext === "" && store) return "gone";
      continue;
    }
    try {
      renameSync(path + ext, aside + ext);
      moved = true;
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "ENOENT" && ext === "") return "gone";
      if (ext === "") return { error: codeOf(e) };
      continue;
    }
    if (ext === "" && expect !== null && fileIdAt(aside) !== expect) {
      // Another process put a new store at the path between the look and the move: that store is put back.
      try {
        linkSync(aside, path);
        rmSync(aside, { force: true });
      } catch {
        /* (the path is taken again: this one stays aside, whole) */
      }
      return "gone";
    }
  }
  return moved ? aside : null;
}

type Made = { ok: true; store: UsageStore; mine: boolean } | { ok: false; state: StoreState; notice: string };

/**
 * A new store at `o.path`, made whole under another name first — created by us, exclusively and 0600, never through a
 * link — then linked into place (if another process put one there meanwhile, that one is used: `mine` is then false).
 * So no empty or half-made store is ever at the store's path, and nothing is left behind when the disk is full.
 */
function createStore(o: OpenOptions, parser: number): Made {
  const path = o.path!;
  const tmp = `${path}.new-${process.pid}-${Math.floor(Math.random() * 1e9).toString(36)}`;
  const clean = () => {
    for (const ext of ["", "-wal", "-shm", "-journal"]) rmSync(tmp + ext, { force: true });
  };
  let mine = true;
  try {
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
      if (code === "EEXIST") mine = false;
      else {
        // (a file system without hard links: a rename, unless a store appeared meanwhile)
        if (entryAt(path).kind !== "absent") throw e;
        renameSync(tmp, path);
      }
    }
  } catch (e) {
    clean();
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

type Tried =
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
function tryOpen(path: string, parser: number, race?: RaceHooks, busyMs = 10_000): Tried {
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

function codeOf(e: unknown): string {
  const err = e as { code?: string; message?: string };
  if (err.code && err.code !== "ERR_SQLITE_ERROR") return err.code;
  return String(err.message ?? e)
    .split("\n")[0]!
    .slice(0, 80);
}

/**
 * The facts of a store on disk, copied into a new store in memory (when the disk is full: this run goes on with every
 * fact, writing nothing more); null when they cannot be read.
 */
export function copyToMemory(from: UsageStore, parserVersion = PARSER_VERSION): UsageStore | null {
  if (from.path === null) return null;
  return copyFileToMemory(from.path, {}, parserVersion);
}

/**
 * The same from a store's file: attached (the quickest), or, where attaching is not allowed (Deno without every
 * permission) or the file cannot be opened for writing (a read-only file system), read row by row through a read-only
 * connection (`immutable`: as the file is, its log left aside). Null when it is not of this layout or cannot be read.
 */
function copyFileToMemory(path: string, o: { immutable?: boolean } = {}, parserVersion = PARSER_VERSION): UsageStore | null {
  const uri = `${pathToFileURL(path).href}?immutable=1`;
  const to = memoryStore(parserVersion);
  const tables = to.db.query<{ name: string }>("SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").map((r) => r.name);
  try {
    to.db.exec(`ATTACH DATABASE '${(o.immutable ? uri : path).replace(/'/g, "''")}' AS old`);
    try {
      if (to.db.get<{ user_version: number }>("PRAGMA old.user_version")?.user_version !== SCHEMA_VERSION) throw new Error("another layout");
      to.db.transaction(() => {
        for (const t of tables) to.db.exec(`DELETE FROM main.${t}; INSERT INTO main.${t} SELECT * FROM old.${t}`);
      });
    } finally {
      to.db.exec("DETACH DATABASE old");
    }
    return to;
  } catch {
    /* copied row by row below */
  }
  for (const source of o.immutable ? [path, uri] : [path]) {
    let from: SqlDatabase | null = null;
    try {
      from = openDatabase(source, { readOnly: true });
      if (from.get<{ user_version: number }>("PRAGMA user_version")?.user_version !== SCHEMA_VERSION) break;
      const src = from;
      to.db.transaction(() => {
        for (const t of tables) {
          const n = to.db.query("SELECT name FROM pragma_table_info(?)", t).length;
          const insert = to.db.prepare(`INSERT INTO main.${t} VALUES (${Array.from({ length: n }, () => "?").join(", ")})`);
          to.db.exec(`DELETE FROM main.${t}`);
          for (const row of src.iterate<Record<string, SqlValue>>(`SELECT * FROM ${t}`)) insert.run(...Object.values(row));
        }
      });
      from.close();
      return to;
    } catch {
      try {
        from?.close();
      } catch {
        /* closed */
      }
    }
  }
  to.close();
  return null;
}

/** Another connection to a store in use, as it is (tests use it to put figures in a store a run made): no creating,
 *  upgrading or moving; throws on failure. */
export function joinStore(path: string): UsageStore {
  const db = openDatabase(path);
  db.exec("PRAGMA busy_timeout = 10000");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA cache_size = -8000");
  return new UsageStore(db, "file", path);
}

/** The store as it is, read-only (for --store-info: nothing is created, upgraded, moved or followed). */
export function inspectStore(path: string | null): { store: UsageStore | null; status: StoreStatus } {
  if (path === null) return { store: null, status: { state: "off", path: null, notice: "--no-store: nothing is kept" } };
  const refused = refusal(path);
  if (refused) return { store: null, status: { state: "refused", path, notice: `not used: ${refused}` } };
  const marker = readMarker(path);
  const base = { path, marker, loss: marker?.loss ?? null };
  const held =
    marker !== null && marker.responses > 0
      ? `its marker says it held ${marker.responses} responses on ${new Date(marker.at).toISOString().slice(0, 10)}`
      : null;
  const at = entryAt(path);
  if (at.kind === "absent") {
    if (held)
      return {
        store: null,
        status: { state: "missing", ...base, notice: `the store is gone but ${held}: the next run counts what the transcripts on disk do not give as lost` },
      };
    return { store: null, status: { state: "none", ...base, notice: "no store yet: the next run creates it" } };
  }
  if (at.kind === "file" && at.size === 0) {
    const wal = entryAt(`${path}-wal`);
    if (held || (marker !== null && marker.files > 0) || (wal.kind === "file" && wal.size > 0))
      return {
        store: null,
        status: {
          state: "damaged",
          ...base,
          notice: `empty (0 bytes)${held ? `, but ${held}` : marker !== null && marker.files > 0 ? ", but its marker says it held transcripts" : ", but its log holds some"}: the next run moves it aside and makes a new one${held ? ", counting what is lost" : ""}`,
        },
      };
    // (what an older version left when the disk was full: it never held anything)
    return {
      store: null,
      status: {
        state: "none",
        ...base,
        notice: "no store yet: an empty file left by an earlier version is there, which held nothing; the next run replaces it",
      },
    };
  }
  const readOnlyDir = unwritable(dirname(path));
  const open = (): UsageStore | "newer" => {
    // (on a read-only file system the write-ahead log cannot be opened: the file is then read as it is)
    let db: SqlDatabase;
    try {
      db = openDatabase(path, { readOnly: true });
      db.get("SELECT count(*) FROM files");
    } catch (e) {
      if (!readOnlyDir) throw e;
      db = openDatabase(`${pathToFileURL(path).href}?immutable=1`, { readOnly: true });
    }
    const version = db.get<{ user_version: number }>("PRAGMA user_version")?.user_version ?? 0;
    if (version > SCHEMA_VERSION) {
      db.close();
      return "newer";
    }
    db.get("SELECT count(*) FROM files");
    return new UsageStore(db, "file", path);
  };
  try {
    const store = open();
    if (store === "newer")
      return {
        store: null,
        status: { state: "newer", ...base, notice: "written by a newer claude-dash (a newer layout of its tables): not read, and left as it is" },
      };
    const loss = marker?.loss ? lossNotice(marker.loss, { first: false }) : null;
    const ro = readOnlyDir ? `runs keep no new history here: ${readOnlyDir}` : null;
    return { store, status: { state: readOnlyDir ? "read-only" : "ok", ...base, notice: [loss, ro].filter((x) => x !== null).join(" · ") || null } };
  } catch (e) {
    const p = sqliteProblem(e);
    if (p === "corrupt")
      return {
        store: null,
        status: { state: "damaged", ...base, notice: `cannot be read (${codeOf(e)}): the next run moves it aside and saves what it can of it` },
      };
    return { store: null, status: { state: "unreadable", ...base, notice: `cannot be read (${readOnlyDir ?? codeOf(e)})` } };
  }
}
