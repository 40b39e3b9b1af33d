// The store as it is, for --store-info: read-only, nothing created, upgraded, moved or followed.
import { dirname } from "node:path";
import { pathToFileURL } from "node:url";
import { openDatabase, type SqlDatabase } from "../sqlite.ts";
import { SCHEMA_VERSION, UsageStore } from "./store.ts";
import { entryAt, lossNotice, type Marker, readMarker } from "./store-marker.ts";
import { refusal } from "./store-nofollow.ts";
import { codeOf, type StoreStatus, sqliteProblem, unwritable } from "./store-status.ts";

type Inspected = { store: UsageStore | null; status: StoreStatus };

/** The store as it is, read-only (for --store-info: nothing is created, upgraded, moved or followed). */
export function inspectStore(path: string | null): Inspected {
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
  if (at.kind === "file" && at.size === 0) return emptyFile(path, base, held);
  const readOnlyDir = unwritable(dirname(path));
  try {
    const store = openAsIs(path, readOnlyDir);
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

/**
 * An empty (0-byte) store file: damage when its marker says it held history or transcripts, or a log beside it holds
 * some (the next run replaces it and counts what is lost); else what an older version left when the disk was full.
 */
function emptyFile(path: string, base: { path: string; marker: Marker | null; loss: Marker["loss"] | null }, held: string | null): Inspected {
  const { marker } = base;
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

/**
 * The store opened read-only, or "newer" when a newer claude-dash wrote it. On a read-only file system
 * (`readOnlyDir`) the write-ahead log cannot be opened: the file is then read as it is. Throws when it cannot be read.
 */
function openAsIs(path: string, readOnlyDir: string | null): UsageStore | "newer" {
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
}
