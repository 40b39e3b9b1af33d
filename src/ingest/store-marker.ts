// The usage store's marker: a small JSON file beside the store (`usage.sqlite.marker`) saying what the store last held
// (responses, transcripts, their span) and any loss of history not yet acknowledged. With it, a store that vanished,
// was emptied or damaged is told apart from "no store yet", and what could not be saved is counted. It is written
// atomically (a new file, 0600, renamed over the old one), only when the store changed; a run that changes nothing
// only reads it. Nothing here follows a symbolic link.
import { Buffer } from "node:buffer";
import { closeSync, constants, fstatSync, fsyncSync, lstatSync, openSync, readSync, renameSync, rmSync, writeSync } from "node:fs";
import type { UsageStore } from "./store.ts";

/** What a store held when its marker was written. */
interface MarkerCounts {
  responses: number;
  /** transcripts whose facts it held (present or gone). */
  files: number;
  /** the first and last response's time (epoch ms), or null when it held none. */
  first: number | null;
  last: number | null;
  /**
   * Transcripts on disk the store did not hold when the marker was written (left unread as older than every window a
   * run showed), and the newest mtime among them (epoch ms, null when none): a store made again reads them too, and
   * what they hold is not counted as kept from the old one.
   */
  unread: number;
  unreadNewest: number | null;
}

/** History that could not be saved when a store was damaged, emptied or deleted. */
export interface StoreLoss {
  /** when it was found (epoch ms; the first of several losses not yet acknowledged). */
  at: number;
  /**
   * responses whose usage is gone, or null when it cannot be counted exactly: then `atLeast` and `upTo` bound it where
   * they can (a store whose marker says some transcripts were never read, and whose new store holds responses of the
   * old one's span from such transcripts), or nothing is known (a store without a marker).
   */
  responses: number | null;
  /** (when not exact) at least this many are gone, and at most `upTo` (null: no bound known). */
  atLeast: number | null;
  upTo: number | null;
  /** responses the store held before (from its marker), or null when unknown. */
  of: number | null;
  /** what happened to the store. */
  cause: "damaged" | "emptied" | "missing";
  /** where the damaged file was moved (null when it was deleted). */
  movedTo: string | null;
  /**
   * the `at` of the markers whose store was lost (one per loss counted here): a loss of the same store found by two
   * processes at once is counted once.
   */
  from: number[];
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
  const responses = count(l.responses);
  const from = Array.isArray(l.from) ? l.from.filter(num).slice(0, 64) : [];
  return {
    at,
    responses,
    atLeast: responses === null ? count(l.atLeast) : null,
    upTo: responses === null ? count(l.upTo) : null,
    of: count(l.of),
    cause,
    movedTo: typeof l.movedTo === "string" ? l.movedTo : null,
    from,
  };
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
      // (a marker written before these were kept says nothing of unread transcripts)
      unread: count(m.unread) ?? 0,
      unreadNewest: time(m.unreadNewest),
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
function writeMarker(storePath: string, m: Marker): boolean {
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

/** Transcripts on disk a store does not hold (see MarkerCounts.unread). */
export interface Unread {
  n: number;
  newest: number | null;
}

/** What a store holds now, for its marker (a count of its responses: a few ms on a year of heavy use). */
function storeCounts(store: UsageStore, unread: Unread = { n: 0, newest: null }): MarkerCounts {
  const r = store.db.get<{ n: number; f: number; first: number | null; last: number | null }>(
    "SELECT (SELECT count(*) FROM responses) AS n, (SELECT count(*) FROM files) AS f, (SELECT min(time) FROM responses) AS first, (SELECT max(time) FROM responses) AS last",
  );
  return {
    responses: r?.n ?? 0,
    files: r?.f ?? 0,
    first: r?.first ?? null,
    last: r?.last ?? null,
    unread: unread.n,
    unreadNewest: unread.n > 0 ? unread.newest : null,
  };
}

/** The fewest and the most responses a loss may be (most null: not known). */
const least = (l: StoreLoss): number => l.responses ?? l.atLeast ?? 0;
const most = (l: StoreLoss): number | null => l.responses ?? l.upTo;

/**
 * Two losses not yet acknowledged, as one: counted together, dated by the first, named by the latest. The same loss
 * found twice (two processes that found the same store gone: the same marker's `at`) is counted once, as the smaller
 * of the two counts (the one made knowing more).
 */
export function mergeLoss(a: StoreLoss | null, b: StoreLoss | null): StoreLoss | null {
  if (!a) return b;
  if (!b) return a;
  const same = (x: StoreLoss, y: StoreLoss) => y.from.length > 0 && y.from.every((t) => x.from.includes(t));
  if (same(a, b) && same(b, a)) {
    // (one store's loss, counted by two processes)
    const [lo, hi] = [Math.min(least(a), least(b)), most(a) === null ? most(b) : most(b) === null ? most(a) : Math.min(most(a)!, most(b)!)];
    const exact = hi !== null && lo === hi ? lo : null;
    return { ...a, at: Math.min(a.at, b.at), responses: exact, atLeast: exact === null ? lo : null, upTo: exact === null ? hi : null };
  }
  if (same(a, b)) return a;
  if (same(b, a)) return b;
  const exact = a.responses !== null && b.responses !== null ? a.responses + b.responses : null;
  const hiA = most(a);
  const hiB = most(b);
  const unknown =
    exact === null && a.responses === null && a.atLeast === null && a.upTo === null && b.responses === null && b.atLeast === null && b.upTo === null;
  return {
    at: Math.min(a.at, b.at),
    responses: exact,
    atLeast: exact === null && !unknown ? least(a) + least(b) : null,
    upTo: exact === null && hiA !== null && hiB !== null ? hiA + hiB : null,
    of: b.of ?? a.of,
    cause: b.cause,
    movedTo: b.movedTo ?? a.movedTo,
    from: [...a.from, ...b.from.filter((t) => !a.from.includes(t))].slice(-64),
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
  const of = l.of !== null ? ` of ${thousands(l.of)}` : "";
  let what: string;
  if (l.responses !== null) what = `${head}: ${thousands(l.responses)}${of} responses${o.first ? " could not be saved" : ""} (${store})`;
  else if (l.atLeast !== null && l.atLeast > 0)
    what = `${head}: at least ${thousands(l.atLeast)}${l.upTo !== null ? ` (up to ${thousands(l.upTo)})` : ""}${of} responses${o.first ? " could not be saved" : ""} (${store})`;
  else if (l.upTo !== null)
    what = `${head}: up to ${thousands(l.upTo)}${of} responses${o.first ? " may not have been saved" : ", not known exactly"} (${store}; transcripts it never read were read since)`;
  else
    what = `${head}: ${l.cause === "emptied" ? "what the emptied store held" : l.cause === "missing" ? "what the deleted store held" : "part of the damaged store"} could not be saved, and with no marker beside it how much is not known`;
  return `${what} · claude-dash --acknowledge-loss${l.movedTo ? ` · the damaged file was moved to ${l.movedTo}` : ""}`;
}

/**
 * The marker a run leaves: what the store holds now, the loss still to acknowledge (an earlier one and this run's,
 * together), and the last acknowledged one kept.
 */
function markerOf(counts: MarkerCounts, now: number, loss: StoreLoss | null, previous: Marker | null): Marker {
  return { ...counts, at: now, loss, acknowledged: previous?.acknowledged ?? null };
}

/** Which file is at a path (device and inode; a symbolic link there is itself, never its target), or null. */
export function fileIdAt(path: string): string | null {
  try {
    const st = lstatSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    return null;
  }
}

/** A running process writes the marker at most this often while the store keeps changing (a one-shot run: at its end). */
export const MARKER_EVERY_MS = 60_000;
/** A marker that could not be written because a transaction was open (here or in another process) is tried again this soon. */
const RETRY_MS = 1000;

/** How a keeper waits (a timer that never holds the process open; tests give their own). */
export interface MarkerTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: MarkerTimers = {
  set: (fn, ms) => {
    const t = setTimeout(fn, ms);
    (t as { unref?: () => void }).unref?.();
    return t;
  },
  clear: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
};

/**
 * Keeps a store's marker up to date: written when the store changed, at most once a minute while a dashboard runs (a
 * change within the minute is written when the minute is up, even if nothing changes after it), at the end of a
 * one-shot run and when a running process stops (`stop`), never inside an open transaction (a fill not yet committed
 * is not yet held). A run that changes nothing writes nothing, unless the marker is missing or says other transcripts
 * are unread than this run finds.
 */
export class MarkerKeeper {
  private dirty: boolean;
  private last: number;
  private timer: unknown = null;
  private stopped = false;
  /** what the marker last said of unread transcripts (as found, then as written). */
  private said: Unread;
  /** a loss found by this process and not yet written into the marker. */
  private pendingLoss: StoreLoss | null = null;
  /** the last try failed (not for want of the lock): the next is in a minute, not a moment. */
  private failed = false;
  /** the transcripts on disk the store does not hold, as this process sees them (null: none known). */
  unread: (() => Unread) | null = null;

  constructor(
    private readonly store: UsageStore,
    private readonly clock: () => number,
    found: Marker | null,
    private readonly timers: MarkerTimers = realTimers,
  ) {
    this.dirty = found === null;
    this.last = clock();
    this.said = { n: found?.unread ?? 0, newest: found?.unreadNewest ?? null };
  }

  /** The store changed. */
  note(): void {
    this.dirty = true;
    if (this.stopped) return;
    const wait = this.last + MARKER_EVERY_MS - this.clock();
    if (wait <= 0) {
      this.flush();
      if (this.dirty) this.later(this.failed ? MARKER_EVERY_MS : RETRY_MS);
    } else this.later(wait);
  }

  /** The unread transcripts may differ from what the marker says (a run with another window): written if so. */
  noteUnread(): void {
    const u = this.unreadNow();
    if (u.n !== this.said.n || (u.n > 0 && u.newest !== this.said.newest)) this.dirty = true;
  }

  /** The process stops (the dashboard quits, the receiver shuts down): what is not yet written is written now. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
    this.flush();
  }

  private later(ms: number): void {
    if (this.timer !== null || this.stopped) return;
    this.timer = this.timers.set(
      () => {
        this.timer = null;
        if (!this.dirty || this.stopped) return;
        this.flush();
        if (this.dirty) this.later(this.failed ? MARKER_EVERY_MS : RETRY_MS);
      },
      Math.max(0, ms),
    );
  }

  private unreadNow(): Unread {
    try {
      return this.unread?.() ?? { n: 0, newest: null };
    } catch {
      return { n: 0, newest: null };
    }
  }

  /**
   * Writes the marker if the store changed (or `add`, a loss found now, is to be recorded with any earlier one not yet
   * acknowledged). Returns the loss the marker now holds (null when none, or when nothing was written).
   *
   * The marker is read, merged and written under the store's write lock, so that two processes writing it at once
   * never drop what the other recorded (a loss above all). A loss to record waits for the lock (as long as a write
   * may); otherwise a keeper that cannot have it at once leaves the marker to the process that holds it (which writes
   * its own) and tries again a moment later.
   */
  flush(add: StoreLoss | null = null): StoreLoss | null {
    if (add) this.pendingLoss = mergeLoss(this.pendingLoss, add);
    const path = this.store.path;
    if ((!this.dirty && !this.pendingLoss) || path === null || this.store.db.inTransaction) return null;
    // (a connection to a store that another process has since moved aside speaks for that file, not for the store)
    if (this.store.fileId !== null && fileIdAt(path) !== this.store.fileId) {
      this.dirty = false;
      return null;
    }
    const pending = this.pendingLoss;
    const unread = this.unreadNow();
    const write = () => {
      const now = this.clock();
      // (read again: another process may have recorded or acknowledged a loss meanwhile)
      const current = readMarker(path);
      const loss = mergeLoss(current?.loss ?? null, pending);
      const counts = storeCounts(this.store, unread);
      return { loss, counts, now, ok: writeMarker(path, markerOf(counts, now, loss, current)) };
    };
    let r: ReturnType<typeof write> | null;
    try {
      r = pending ? this.store.db.transaction(write) : this.store.db.tryTransaction(write);
    } catch {
      // (the store failed, or is closed: the marker stays as it was; a loss is still said by the caller)
      this.failed = true;
      return pending ? mergeLoss(readMarker(path)?.loss ?? null, pending) : null;
    }
    if (r === null) return null;
    this.failed = false;
    if (r.ok) {
      this.dirty = false;
      this.pendingLoss = null;
      this.last = r.now;
      this.said = { n: r.counts.unread, newest: r.counts.unreadNewest };
    }
    return r.loss;
  }
}

/** A loss as --json gives it (times as ISO-8601 UTC; `atLeast` and `upTo` bound a count not known exactly). */
export function lossJson(l: StoreLoss | null | undefined): {
  at: string;
  responses: number | null;
  atLeast: number | null;
  upTo: number | null;
  of: number | null;
  cause: StoreLoss["cause"];
  movedTo: string | null;
} | null {
  return l
    ? { at: new Date(l.at).toISOString(), responses: l.responses, atLeast: l.atLeast, upTo: l.upTo, of: l.of, cause: l.cause, movedTo: l.movedTo }
    : null;
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
