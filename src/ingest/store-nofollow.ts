// Files at a store's path opened without following a link: nothing at the path (nor its -wal, -shm or marker) is used
// if it is a symbolic link or not a regular file, a new file is made by us, exclusively, and what SQLite opened is
// checked to be the file that was looked at. Shared by the usage store and the telemetry store.
import { closeSync, constants, lstatSync, openSync, realpathSync, type Stats } from "node:fs";
import { basename, dirname, join } from "node:path";
import { openDatabase, type SqlDatabase } from "../sqlite.ts";
import { entryAt, markerPath, NOFOLLOW } from "./store-marker.ts";

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
