// Replacing what is at the store's path when it cannot be used as it is: a damaged (or emptied) store moved aside —
// never deleted: it may hold the usage of deleted transcripts — and a new one made with what can be read of the old;
// an empty file left by an older version removed. Only the very file that was looked at is moved or removed: another
// process may be replacing it at the same moment.
import { linkSync, renameSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { PARSER_VERSION } from "./store.ts";
import { createStore } from "./store-create.ts";
import { entryAt, fileIdAt, type Marker } from "./store-marker.ts";
import { memoryStore } from "./store-memory.ts";
import { type SalvageResult, salvageInto } from "./store-salvage.ts";
import { codeOf, type OpenOptions, type Opened, sqliteProblem, type StoreState } from "./store-status.ts";

/**
 * An empty file at the store's path that held nothing (no marker, no log): removed — but only that very file (moved
 * to a name of our own first, and looked at there: if another process put a store at the path meanwhile, that store
 * is put back). True when it is gone, "changed" when what was there was not it, or the error.
 */
export function removeLeftover(path: string, id: string | null, now: number): true | "changed" | { error: string } {
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
 * meanwhile, the new store is opened instead: `reopen` opens it (openUsageStore, once more; passed in, so that this file
 * and store-open.ts do not import each other).
 */
export function replaceDamaged(
  o: OpenOptions,
  cause: "damaged" | "emptied",
  marker: Marker | null,
  retried: boolean,
  damagedId: string | null,
  reopen: (o: OpenOptions) => Opened,
): Opened {
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
    if (!retried) return reopen({ ...o, damaged: false });
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
export function moveAside(path: string, now: number, store: boolean, expect: string | null = null): string | "gone" | { error: string } | null {
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
