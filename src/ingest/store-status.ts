// What opening the usage store can find, and where it looks (store-open.ts opens it): the data directory and the store's
// file for a set of roots, the states a store can be in and the status a run shows, and what went wrong, told by kind
// (an SQLite failure, a directory that cannot be written, a full disk) so that each is said in the user's terms.
import { accessSync, closeSync, constants, fsyncSync, openSync, rmSync, writeSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import type { UsageStore } from "./store.ts";
import { type Marker, NOFOLLOW, type StoreLoss } from "./store-marker.ts";
import type { SalvageResult } from "./store-salvage.ts";
import { hashBytes } from "./tailer.ts";

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

export type Problem = "corrupt" | "full" | "unreadable" | "busy" | "other";

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

/** A store to use and what to say of it. */
export type Opened = { store: UsageStore; status: StoreStatus };

/** Why the data directory cannot be written (a read-only file system, no permission), or null. */
export function unwritable(dir: string): string | null {
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
export function diskFull(dir: string): boolean {
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

export function dirProblem(dir: string, e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === "EROFS") return `${dir} is on a read-only file system`;
  if (code === "EACCES" || code === "EPERM") return `${dir} is not writable (${code})`;
  if (code === "ENOSPC") return `the disk is full (${dir})`;
  if ((e as { name?: string }).name === "NotCapable" || (e as { name?: string }).name === "PermissionDenied")
    return `claude-dash may not write ${dir} (on Deno: --allow-write)`;
  return `cannot write ${dir} (${codeOf(e)})`;
}

/** An error in a few words: its code, or the first line of its message. */
export function codeOf(e: unknown): string {
  const err = e as { code?: string; message?: string };
  if (err.code && err.code !== "ERR_SQLITE_ERROR") return err.code;
  return String(err.message ?? e)
    .split("\n")[0]!
    .slice(0, 80);
}
