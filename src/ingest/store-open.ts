// Where the usage store lives and how it is opened: `$XDG_DATA_HOME/claude-dash/` (default ~/.local/share/claude-dash/),
// a 0700 directory and 0600 files. A store that cannot be used never costs a number: the facts are then kept in memory
// for this run (read from the transcripts, as without a store) and the reason is shown. A damaged file is moved aside,
// never deleted, and what can still be read from it is salvaged into a new store; a read-only home or `--no-store`
// writes nothing at all. Nothing at the store's path (nor its -wal, -shm or marker) is followed if it is a symbolic
// link, a new store is made by us, exclusively, inside the data directory, and no file we did not make is chmodded.
// A marker beside the store (store-marker.ts) tells a store that was deleted or emptied from "no store yet".
//
// This file decides what to do with what is at the store's path; the doing is in files of their own: where the store
// lives and what can go wrong (store-status.ts), opening without following a link (store-nofollow.ts), making a new
// store and opening one (store-create.ts), replacing a damaged one (store-replace.ts), stores in memory and copies to
// memory (store-memory.ts), and --store-info's look at a store (store-inspect.ts).
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { openDatabase } from "../sqlite.ts";
import { PARSER_VERSION, UsageStore } from "./store.ts";
import { createStore, type Tried, tryOpen } from "./store-create.ts";
import { entryAt, fileIdAt, lossNotice, type Marker, readMarker } from "./store-marker.ts";
import { copyFileToMemory, memoryStore } from "./store-memory.ts";
import { refusal } from "./store-nofollow.ts";
import { moveAside, removeLeftover, replaceDamaged } from "./store-replace.ts";
import { diskFull, dirProblem, type OpenOptions, type Opened, type StoreState, type StoreStatus, unwritable } from "./store-status.ts";

export { inspectStore } from "./store-inspect.ts";
export { copyToMemory, memoryStore } from "./store-memory.ts";
export { CHANGED, createExclusive, openExisting, refusal } from "./store-nofollow.ts";
export { dataDir, sqliteProblem, storeFile } from "./store-status.ts";
export type { Recovery, StoreStatus } from "./store-status.ts";

/** One opening of a store at `path`: what it was asked, and the marker found beside the store (`pending`: what every
 *  status that keeps the facts in memory carries of it). */
interface Opening {
  o: OpenOptions;
  path: string;
  parser: number;
  retried: boolean;
  marker: Marker | null;
  pending: { loss: Marker["loss"] | null; marker: Marker | null };
}

/** A store in memory for this run, and why. */
function inMemory(path: string, parser: number, state: StoreState, notice: string, extra: Partial<StoreStatus> = {}): Opened {
  return { store: memoryStore(parser), status: { state, path, notice, ...extra } };
}

/** The same store opened once more (after another process moved or replaced it): tried once, never in a loop. */
const reopen = (o: OpenOptions): Opened => openUsageStore(o, true);

/** Opens the store (creating it if needed); never throws: a store that cannot be used gives a memory store and a notice. */
export function openUsageStore(o: OpenOptions, retried = false): Opened {
  const parser = o.parserVersion ?? PARSER_VERSION;
  if (o.path === null) return { store: memoryStore(parser), status: { state: "off", path: null, notice: null } };
  const path = o.path;
  const dir = dirname(path);
  const cannotMake = makeDir(dir);
  if (cannotMake?.full) return inMemory(path, parser, "full", `usage history is not kept: ${cannotMake.why}`);
  const refused = refusal(path);
  if (refused) return inMemory(path, parser, "refused", `usage store not used: ${refused}; showing the transcripts only`);
  const marker = readMarker(path);
  const c: Opening = { o, path, parser, retried, marker, pending: { loss: marker?.loss ?? null, marker } };
  const readOnly = cannotMake?.why ?? unwritable(dir);
  const at = entryAt(path);
  if (readOnly) return openReadOnly(c, readOnly, at);
  if (o.damaged) {
    if (o.damagedId && at.kind === "file" && fileIdAt(path) !== o.damagedId) return reopen({ ...o, damaged: false });
    return replaceDamaged(o, "damaged", marker, retried, o.damagedId ?? null, reopen);
  }
  const held = marker !== null && (marker.responses > 0 || marker.files > 0);
  if (at.kind === "file" && at.size === 0) {
    const replaced = openEmpty(c, held);
    if (replaced) return replaced;
  } else if (at.kind !== "absent") return openFound(c);
  return openMissing(c, held);
}

/** Makes the data directory: a folder we make is 0700 from the start; one that exists is the user's, and left as it
 *  is. Why it cannot be made (`full`: the disk is full), or null. */
function makeDir(dir: string): { why: string; full: boolean } | null {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return null;
  } catch (e) {
    return { why: dirProblem(dir, e), full: (e as { code?: string }).code === "ENOSPC" };
  }
}

/**
 * The data directory cannot be written: the history is read (as the file is: its log cannot be opened on a read-only
 * file system) and this run's facts kept in memory beside it.
 */
function openReadOnly(c: Opening, readOnly: string, at: ReturnType<typeof entryAt>): Opened {
  const { path, parser, marker, pending } = c;
  const lossLine = marker?.loss ? `${lossNotice(marker.loss, { first: false })} · ` : "";
  const copy = at.kind === "file" && at.size > 0 ? copyFileToMemory(path, { immutable: true }, parser) : null;
  if (copy)
    return { store: copy, status: { state: "read-only", path, notice: `${lossLine}usage history is read but not kept this run: ${readOnly}`, ...pending } };
  return inMemory(
    path,
    parser,
    "read-only",
    `${lossLine}usage history is not kept this run: ${readOnly}${at.kind === "file" && at.size > 0 ? " (and the store cannot be read)" : ""}`,
    pending,
  );
}

/**
 * An empty file where a store was is damage, not "no store yet" (a new store is never empty: it is made whole under
 * another name and linked into place) — when a marker says a store held history there, or a log beside it holds some.
 * Without either it is what an older version left when the disk was full: it held nothing, and is replaced without a
 * word. Null when it was removed: the store is then made as if none had been there.
 */
function openEmpty(c: Opening, held: boolean): Opened | null {
  const { o, path, parser, retried, marker, pending } = c;
  const wal = entryAt(`${path}-wal`);
  const id = fileIdAt(path);
  if (held || (wal.kind === "file" && wal.size > 0)) return replaceDamaged(o, "emptied", marker, retried, id, reopen);
  const gone = removeLeftover(path, id, o.now);
  if (gone === "changed")
    return retried
      ? inMemory(path, parser, "unreadable", "usage store is being replaced by another process: showing the transcripts only", pending)
      : openUsageStore(o, true);
  if (gone !== true)
    return inMemory(path, parser, "unreadable", `an empty usage store file cannot be replaced (${gone.error}): showing the transcripts only`, pending);
  return null;
}

/**
 * No store at the path: a new one is made. If a store held history there and is gone while its marker stayed, what
 * the transcripts on disk do not give is lost. (a log left without its store is not replayed into a new one: it is
 * moved aside with the rest)
 */
function openMissing(c: Opening, held: boolean): Opened {
  const { o, path, parser, retried, marker, pending } = c;
  const movedTo = moveAside(path, o.now, false);
  const made = createStore(o, parser);
  if (!made.ok) return inMemory(path, parser, made.state, made.notice, pending);
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
      loss: marker!.loss,
      recovery: { cause: "missing", movedTo: typeof movedTo === "string" ? movedTo : null, before: marker, salvage: null },
    },
  };
}

/** A store at the path: opened (and its roots recorded, if they were not), or what kept it from being opened. */
function openFound(c: Opening): Opened {
  const { o, path, parser, marker } = c;
  const first = tryOpen(path, parser, o.race, o.busyMs);
  if (!first.ok) return notOpened(c, first);
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

/** The store could not be opened: each kind of failure said in the user's terms; a damaged store is replaced. */
function notOpened(c: Opening, first: Extract<Tried, { ok: false }>): Opened {
  const { o, path, parser, retried, marker, pending } = c;
  const memory = (state: StoreState, notice: string) => inMemory(path, parser, state, notice, pending);
  if (first.problem === "changed") {
    // (another process replaced it meanwhile — looked at again — or a link was put there: refused)
    if (!retried) return openUsageStore(o, true);
    return memory("refused", `usage store not used: ${refusal(path) ?? first.detail}; showing the transcripts only`);
  }
  if (first.problem === "newer") return memory("newer", `usage store ${path} was written by a newer claude-dash: not used (history is not kept this run)`);
  if (first.problem === "read-only") return memory("read-only", `usage history is not kept this run: ${path} is read-only`);
  if (first.problem === "full") return memory("full", `the disk is full: the usage store cannot be opened (the numbers are exact; nothing is kept this run)`);
  if (first.problem === "busy")
    return memory("busy", `another claude-dash holds the usage store: this run reads the transcripts itself (the numbers are exact)`);
  if (first.problem !== "corrupt") {
    // (SQLite reports some writes a full disk refused — its shared-memory index — as an I/O error)
    if (diskFull(dirname(path))) return memory("full", `the disk is full: the usage store cannot be opened (the numbers are exact; nothing is kept this run)`);
    return memory("unreadable", `usage store cannot be opened (${first.detail}): showing the transcripts only`);
  }
  return replaceDamaged(o, "damaged", marker, retried, first.id, reopen);
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
