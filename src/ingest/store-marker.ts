// The usage store's marker: a small JSON file beside the store (`usage.sqlite.marker`) saying what the store last held
// (responses, transcripts, their span) and any loss of history not yet acknowledged. With it, a store that vanished,
// was emptied or damaged is told apart from "no store yet", and what could not be saved is counted. It is written
// atomically (a new file, 0600, renamed over the old one), only when the store changed; a run that changes nothing
// only reads it. Nothing here follows a symbolic link.
import { Buffer } from "node:buffer";
import { closeSync, constants, fstatSync, fsyncSync, lstatSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import type { UsageStore } from "./store.ts";

/** What a store held when its marker was written. */
export interface MarkerCounts {
  responses: number;
  /** transcripts whose facts it held (present or gone). */
  files: number;
  /** the first and last response's time (epoch ms), or null when it held none. */
  first: number | null;
  last: number | null;
}

/** History that could not be saved when a store was damaged, emptied or deleted. */
export interface StoreLoss {
  /** when it was found (epoch ms; the first of several losses not yet acknowledged). */
  at: number;
  /** responses whose usage is gone, or null when it cannot be counted (a store without a marker). */
  responses: number | null;
  /** responses the store held before (from its marker), or null when unknown. */
  of: number | null;
  /** what happened to the store. */
  cause: "damaged" | "emptied" | "missing";
  /** where the damaged file was moved (null when it was deleted). */
  movedTo: string | null;
}

export interface Marker extends MarkerCounts {
  /** when it was written (epoch ms). */
  at: number;
  /** history lost and not yet acknowledged (--acknowledge-loss), or null. */
  loss: StoreLoss | null;
  /** the last loss acknowledged, and when. */
  acknowledged: (StoreLoss & { acknowledgedAt: number }) | null;
}

const MAX_MARKER_BYTES = 64 * 1024;

export const markerPath = (storePath: string): string => `${storePath}.marker`;

/** open(2) flags that refuse a symbolic link at the last component (0 where the platform has none: lstat guards). */
export const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/** What is at a path, without following a symbolic link: absent, a regular file (with its size), a link, or something else. */
export function entryAt(path: string): { kind: "absent" } | { kind: "file"; size: number } | { kind: "link" } | { kind: "other" } {
  try {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return { kind: "link" };
    if (st.isFile()) return { kind: "file", size: st.size };
    return { kind: "other" };
  } catch {
    return { kind: "absent" };
  }
}

const num = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);
const count = (x: unknown): number | null => (num(x) && x >= 0 && Number.isInteger(x) ? x : null);
const time = (x: unknown): number | null => (num(x) ? x : null);

function lossOf(x: unknown): StoreLoss | null {
  if (x === null || typeof x !== "object") return null;
  const l = x as Record<string, unknown>;
  const cause = l.cause === "damaged" || l.cause === "emptied" || l.cause === "missing" ? l.cause : null;
  const at = time(l.at);
  if (cause === null || at === null) return null;
  return { at, responses: count(l.responses), of: count(l.of), cause, movedTo: typeof l.movedTo === "string" ? l.movedTo : null };
}

/**
 * The marker beside a store, or null when there is none or it cannot be read (not JSON, too large, a symbolic link:
 * such a marker says nothing, and the next write replaces it).
 */
export function readMarker(storePath: string): Marker | null {
  let fd: number;
  try {
    fd = openSync(markerPath(storePath), constants.O_RDONLY | NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > MAX_MARKER_BYTES) return null;
    const buf = Buffer.alloc(st.size);
    let n = 0;
    while (n < buf.length) {
      const r = readSync(fd, buf, n, buf.length - n, n);
      if (r <= 0) break;
      n += r;
    }
    const m = JSON.parse(buf.subarray(0, n).toString("utf8")) as Record<string, unknown>;
    const responses = count(m.responses);
    const files = count(m.files);
    const at = time(m.at);
    if (responses === null || files === null || at === null) return null;
    const ack = lossOf(m.acknowledged);
    const ackAt = time((m.acknowledged as { acknowledgedAt?: unknown } | null)?.acknowledgedAt);
    return {
      responses,
      files,
      first: time(m.first),
      last: time(m.last),
      at,
      loss: lossOf(m.loss),
      acknowledged: ack && ackAt !== null ? { ...ack, acknowledgedAt: ackAt } : null,
    };
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes the marker atomically: a new file made exclusively (0600, never through a link), then renamed over the old
 * one (a rename replaces a link itself, never its target). False when it cannot be written (a full disk, a read-only
 * folder): the store is still right, and the next run that changes it tries again.
 */
export function writeMarker(storePath: string, m: Marker): boolean {
  const final = markerPath(storePath);
  if (entryAt(final).kind === "link" || entryAt(final).kind === "other") return false;
  const tmp = `${final}.tmp-${process.pid}-${Math.floor(Math.random() * 1e9).toString(36)}`;
  let fd: number | null = null;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o600);
    const bytes = Buffer.from(`${JSON.stringify(m)}\n`);
    let n = 0;
    while (n < bytes.length) n += writeSync(fd, bytes, n, bytes.length - n);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, final);
    return true;
  } catch {
    if (fd !== null)
      try {
        closeSync(fd);
      } catch {
        /* closed */
      }
    rmSync(tmp, { force: true });
    return false;
  }
}

/** What a store holds now, for its marker (a count of its responses: a few ms on a year of heavy use). */
export function storeCounts(store: UsageStore): MarkerCounts {
  const r = store.db.get<{ n: number; f: number; first: number | null; last: number | null }>(
    "SELECT (SELECT count(*) FROM responses) AS n, (SELECT count(*) FROM files) AS f, (SELECT min(time) FROM responses) AS first, (SELECT max(time) FROM responses) AS last",
  );
  return { responses: r?.n ?? 0, files: r?.f ?? 0, first: r?.first ?? null, last: r?.last ?? null };
}

/** Two losses not yet acknowledged, as one: counted together, dated by the first, named by the latest. */
export function mergeLoss(a: StoreLoss | null, b: StoreLoss | null): StoreLoss | null {
  if (!a) return b;
  if (!b) return a;
  return {
    at: Math.min(a.at, b.at),
    responses: a.responses === null || b.responses === null ? null : a.responses + b.responses,
    of: b.of ?? a.of,
    cause: b.cause,
    movedTo: b.movedTo ?? a.movedTo,
  };
}

/** 1,234,567. */
export const thousands = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/**
 * The loss in one line (the footer, --json diagnostics, --store-info): what and how much first, then how to stop being
 * told, then where the damaged file went (a narrow footer cuts the end).
 */
export function lossNotice(l: StoreLoss, o: { first: boolean }): string {
  const head = o.first ? "usage history lost" : `usage history lost on ${new Date(l.at).toISOString().slice(0, 10)}`;
  const store = l.cause === "missing" ? "store deleted, its marker kept" : `store ${l.cause}`;
  const what =
    l.responses === null
      ? `${head}: ${l.cause === "emptied" ? "what the emptied store held" : "part of the damaged store"} could not be saved, and with no marker beside it how much is not known`
      : `${head}: ${thousands(l.responses)}${l.of !== null ? ` of ${thousands(l.of)}` : ""} responses${o.first ? " could not be saved" : ""} (${store})`;
  return `${what} · claude-dash --acknowledge-loss${l.movedTo ? ` · the damaged file was moved to ${l.movedTo}` : ""}`;
}

/**
 * The marker a run leaves: what the store holds now, the loss still to acknowledge (an earlier one and this run's,
 * together), and the last acknowledged one kept.
 */
export function markerOf(counts: MarkerCounts, now: number, loss: StoreLoss | null, previous: Marker | null): Marker {
  return { ...counts, at: now, loss, acknowledged: previous?.acknowledged ?? null };
}

/** Which file is at a path (device and inode), or null. */
export function fileIdAt(path: string): string | null {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    return null;
  }
}

/** A running process writes the marker at most this often while the store keeps changing (a one-shot run: at its end). */
const MARKER_EVERY_MS = 60_000;

/**
 * Keeps a store's marker up to date: written when the store changed, at most once a minute while a dashboard runs and
 * at the end of a one-shot run, never inside an open transaction (a fill not yet committed is not yet held). A run that
 * changes nothing writes nothing, unless the marker is missing.
 */
export class MarkerKeeper {
  private dirty: boolean;
  private last: number;

  constructor(
    private readonly store: UsageStore,
    private readonly clock: () => number,
    found: Marker | null,
  ) {
    this.dirty = found === null;
    this.last = clock();
  }

  /** The store changed. */
  note(): void {
    this.dirty = true;
    if (this.clock() - this.last >= MARKER_EVERY_MS) this.flush();
  }

  /**
   * Writes the marker if the store changed (or `add`, a loss found now, is to be recorded with any earlier one not yet
   * acknowledged). Returns the loss the marker now holds (null when none, or when nothing was written).
   */
  flush(add: StoreLoss | null = null): StoreLoss | null {
    const path = this.store.path;
    if ((!this.dirty && !add) || path === null || this.store.db.inTransaction) return null;
    // (a connection to a store that another process has since moved aside speaks for that file, not for the store)
    if (this.store.fileId !== null && fileIdAt(path) !== this.store.fileId) return null;
    const now = this.clock();
    // (read again: another process may have recorded or acknowledged a loss meanwhile)
    const current = readMarker(path);
    const loss = mergeLoss(current?.loss ?? null, add);
    let counts: MarkerCounts;
    try {
      counts = storeCounts(this.store);
    } catch {
      return null;
    }
    if (writeMarker(path, markerOf(counts, now, loss, current))) {
      this.dirty = false;
      this.last = now;
    }
    return loss;
  }
}

/** A loss as --json gives it (times as ISO-8601 UTC). */
export function lossJson(l: StoreLoss | null | undefined): { at: string; responses: number | null; of: number | null; cause: StoreLoss["cause"]; movedTo: string | null } | null {
  return l ? { at: new Date(l.at).toISOString(), responses: l.responses, of: l.of, cause: l.cause, movedTo: l.movedTo } : null;
}

/**
 * `--acknowledge-loss`: the loss the marker holds is marked acknowledged (kept as the last one acknowledged, and no
 * longer said on every run). Returns what was acknowledged (null when nothing was pending), or the reason it could not
 * be recorded.
 */
export function acknowledgeLoss(storePath: string, now: number): { acknowledged: StoreLoss | null } | { error: string } {
  const m = readMarker(storePath);
  if (!m?.loss) return { acknowledged: null };
  const ok = writeMarker(storePath, { ...m, loss: null, acknowledged: { ...m.loss, acknowledgedAt: now } });
  return ok ? { acknowledged: m.loss } : { error: `cannot write ${markerPath(storePath)}` };
}
