// Following the transcripts while the app runs, for the live dashboard and the headless receiver alike: file-watch
// notifications (fast path, debounced) and a poll every `intervalSeconds` (safety net) read new lines into a queue,
// which the runner applies at its own pace (the dashboard at frame boundaries); history left unread at startup is
// read once, shortly after the first frame; a store that fails is replaced through `recover`.
import { existsSync, watch, type FSWatcher } from "node:fs";
import { join } from "node:path";
import type { ModelEvent } from "../model/events.ts";
import type { ReadReport, TranscriptSource } from "./source.ts";
import { readBacklog } from "./usage-data.ts";

/** What the read facts are applied to: the dashboard app, or a runner that only keeps the store up to date. */
interface IngestTarget {
  apply(events: readonly ModelEvent[]): unknown;
  /** stored facts were replaced: whatever the target derived from them starts again. */
  reload(): void;
  status: string | null;
}

/**
 * Live ingest: file-watch notifications (fast path, debounced) and a poll every `intervalSeconds` (safety net)
 * read the transcripts into a queue; frame() applies the queue to the app at a frame boundary and refreshes the
 * status line. The history left unread at startup is read once, shortly after the first frame.
 */
export class LiveIngest {
  readonly queue: ModelEvent[] = [];
  /** stored facts were replaced (a transcript rewritten or truncated): the in-memory model starts again. */
  private replaced = false;
  private statusStale = true;
  private stopped = false;
  private pollTimer: ReturnType<typeof setInterval> | null = null;
  private deferredTimer: ReturnType<typeof setTimeout> | null = null;
  private debounceTimer: ReturnType<typeof setTimeout> | null = null;
  private firstFrameSeen = false;
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly changed = new Set<string>();

  constructor(
    private source: TranscriptSource | null,
    private readonly opts: {
      intervalSeconds: number;
      statusLine: (source: TranscriptSource | null) => string | null;
      /** An exception from ingest: the dashboard ends with it (never a silent death). */
      onError: (e: unknown) => void;
      /**
       * A failure of the usage store (damaged, disk full): a source on a store that works, which the app now reads
       * too, or null when the failure is not the store's. The dashboard goes on with the exact numbers.
       */
      recover?: (e: unknown) => TranscriptSource | null;
      /** Delay of the deferred history read after the first frame (ms). */
      deferredDelayMs?: number;
      /** Reader threads for a large deferred history (1: read in slices between frames on this thread). */
      threads?: number;
      /** Debounce of file-watch notifications (ms). */
      debounceMs?: number;
      /** The history left unread at startup has all been read (a first run's whole backlog, or the older files). */
      historyRead?: () => void;
    },
  ) {}

  /** Starts watching and polling (nothing to do without a source). */
  start(): void {
    if (!this.source || this.stopped) return;
    this.watchRoots();
    this.pollTimer = setInterval(
      () =>
        this.guarded(() => {
          this.note(this.source!.poll(Date.now(), this.queue));
          this.watchRoots();
          this.statusStale = true; // (a status may change with time alone: a hint that is shown for a while)
        }),
      Math.max(0.1, this.opts.intervalSeconds) * 1000,
    );
  }

  /** At the start of each frame (or each tick of a runner without one): applies what was read since the last. */
  frame(app: IngestTarget): void {
    if (this.replaced) {
      this.replaced = false;
      this.queue.length = 0;
      app.reload();
      this.statusStale = true;
    }
    if (this.queue.length > 0) {
      app.apply(this.queue.splice(0));
      this.statusStale = true;
    }
    if (this.statusStale) {
      this.statusStale = false;
      app.status = this.opts.statusLine(this.source);
    }
    if (!this.firstFrameSeen) {
      this.firstFrameSeen = true;
      const source = this.source;
      // Older history is read once the first frame is up, not before it: on reader threads when there is a lot (this
      // thread stores their facts in transactions of a few milliseconds between frames), else in slices of ~25 ms.
      // (work for a source that was replaced meanwhile is dropped)
      const step = () => {
        if (!source || this.stopped || source !== this.source) return;
        this.guarded(() => this.note(source.readDeferred(this.queue, 25)));
        this.statusStale = true;
        if (source.stats.deferred > 0) this.deferredTimer = setTimeout(step, 15);
        else this.opts.historyRead?.();
      };
      const threads = this.opts.threads ?? 1;
      const start = () => {
        if (!source || this.stopped || source !== this.source) return;
        if (threads <= 1) return step();
        readBacklog(source, source.store, threads, { deferred: true, writeBytes: 2 * 1024 * 1024 }).then(
          (read) => {
            if (source !== this.source) return;
            // The in-memory model (INSIGHTS) starts again from the store, which now holds the older history too.
            if (read) this.replaced = true;
            this.statusStale = true;
            step(); // what is left (or everything, without threads)
          },
          (e) =>
            source === this.source &&
            this.guarded(() => {
              throw e;
            }),
        );
      };
      if (source && !this.stopped) this.deferredTimer = setTimeout(start, this.opts.deferredDelayMs ?? 200);
    }
  }

  /** Stops the timers and closes the watchers. */
  stop(): void {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.deferredTimer) clearTimeout(this.deferredTimer);
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.pollTimer = this.deferredTimer = this.debounceTimer = null;
    for (const w of this.watchers.values()) closeQuietly(w);
    this.watchers.clear();
  }

  /** The folders being watched. */
  get watched(): string[] {
    return [...this.watchers.keys()];
  }

  private note(r: ReadReport): void {
    if (r.replaced > 0) this.replaced = true;
  }

  private guarded(f: () => void): void {
    if (this.stopped) return;
    try {
      f();
      this.statusStale = true;
    } catch (e) {
      let next: TranscriptSource | null = null;
      try {
        next = this.opts.recover?.(e) ?? null;
      } catch (again) {
        e = again;
      }
      if (next) {
        // A new store: the in-memory model starts again from it, and history it lacks is read after the next frame.
        this.source = next;
        this.queue.length = 0;
        this.replaced = true;
        this.statusStale = true;
        this.firstFrameSeen = false;
        return;
      }
      this.stop();
      this.opts.onError(e);
    }
  }

  private flushChanged(): void {
    this.debounceTimer = null;
    const source = this.source;
    if (!source || this.changed.size === 0) return;
    const paths = [...this.changed];
    this.changed.clear();
    this.guarded(() => this.note(source.refreshFiles(paths, this.queue)));
  }

  /** Watches each root's projects folder that exists and is not watched yet (a folder can appear later). */
  private watchRoots(): void {
    if (!this.source) return;
    for (const root of this.source.roots) {
      const dir = join(root, "projects");
      if (this.watchers.has(dir) || !existsSync(dir)) continue;
      try {
        const w = watch(dir, { recursive: true }, (_event, name) => {
          if (this.stopped || typeof name !== "string" || !name.endsWith(".jsonl")) return;
          this.changed.add(join(dir, name));
          this.debounceTimer ??= setTimeout(() => this.flushChanged(), this.opts.debounceMs ?? 50);
        });
        w.on("error", () => {
          // The poll still sees every change; the folder is watched again on a later poll.
          this.watchers.delete(dir);
          closeQuietly(w);
        });
        this.watchers.set(dir, w);
      } catch {
        // No watch for this folder: the poll covers it.
      }
    }
  }
}

function closeQuietly(w: FSWatcher): void {
  try {
    w.close();
  } catch {
    // already closed
  }
}
