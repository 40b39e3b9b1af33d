// The live dashboard on OpenTUI (Bun only): one full-screen renderable that redraws the whole DashboardApp each
// frame at a fixed rate, keys and mouse turned into app actions, ingest (file watch + poll) queued and applied at
// frame boundaries, and the terminal restored on every way out.
import { existsSync, watch, type FSWatcher } from "node:fs";
import { join } from "node:path";
import { createCliRenderer, Renderable, type CliRenderer, type KeyEvent, type MouseEvent, type OptimizedBuffer, type RenderContext } from "@opentui/core";
import type { ReadReport, TranscriptSource } from "../ingest/source.ts";
import { readBacklog } from "../ingest/usage-data.ts";
import type { ModelEvent } from "../model/events.ts";
import { env, writeErr } from "../platform.ts";
import type { DashboardApp } from "./app.ts";
import { OpenTuiCanvas } from "./opentui-canvas.ts";
import { theme } from "./theme.ts";
import type { KeyPress } from "./ui-state.ts";

/** The allowance client and the events it emits (applied at frame boundaries like ingest's). */
export interface LiveAllowance {
  client: { tick(): Promise<void>; fetchProfile(): Promise<void> };
  events: ModelEvent[];
}

export interface RunLiveOptions {
  source: TranscriptSource | null;
  allowance: LiveAllowance | null;
  /** team telemetry received over OTLP: events to apply between frames, and how to stop the receiver. */
  telemetry?: { events: ModelEvent[]; stop: () => Promise<void> } | null;
  fps: number;
  intervalSeconds: number;
  pinnedNow: number | null;
  statusLine: (source: TranscriptSource | null) => string | null;
  /** reader threads for the older history read after the first frame. */
  threads?: number;
  /** a failed usage store replaced by one that works (see LiveIngest). */
  recover?: (e: unknown) => TranscriptSource | null;
}

/** `now`: the data clock (what the windows end at); `time`: drives animation. Both epoch milliseconds. */
export interface DashboardClock {
  now(): number;
  time(): number;
}

export interface DashboardHooks {
  /** Called at the start of every frame, before drawing (apply queued ingest here). */
  beforeFrame?: () => void;
  /** Called after every key or click was handed to the app (check app.quit here). */
  afterInput?: () => void;
  /** An exception while drawing or handling input. Default: rethrown. */
  onError?: (e: unknown) => void;
  /** false (NO_COLOR): the terminal's own colours. */
  color?: boolean;
  /** Ctrl-Z (the terminal's suspend key arrives as a key in raw mode): give the terminal back and stop. */
  suspend?: () => void;
  /** Ctrl-C (a key in raw mode, as SIGINT is outside it): quit as an interrupt (exit 130). */
  interrupt?: () => void;
}

/** OpenTUI's key names to the names keyAction expects ("?", "L", "up", "pagedown", "return", "escape", …). */
export function keyPressOf(k: Pick<KeyEvent, "name" | "sequence" | "ctrl" | "meta" | "shift">): KeyPress {
  const seq = k.sequence;
  // A printable character as typed: "?" and capitals come through as themselves.
  if (!k.ctrl && !k.meta && seq.length === 1 && seq >= "!" && seq <= "~") return { name: seq, ctrl: false, shift: k.shift };
  let name = k.name;
  if (k.shift && !k.ctrl && name.length === 1 && name >= "a" && name <= "z") name = name.toUpperCase();
  else if (k.shift && name === "/") name = "?";
  return { name, ctrl: k.ctrl, shift: k.shift };
}

/** The whole dashboard as one renderable: draws the app every frame and turns mouse events into app input. */
export class DashboardRenderable extends Renderable {
  private canvas: OpenTuiCanvas | null = null;
  private failed = false;

  constructor(
    ctx: RenderContext,
    private readonly app: DashboardApp,
    private readonly clock: DashboardClock,
    private readonly hooks: DashboardHooks,
  ) {
    super(ctx, { id: "claude-dash", position: "absolute", left: 0, top: 0, width: "100%", height: "100%" });
    this.onMouseDown = (e: MouseEvent) => {
      if (e.button !== 0) return;
      this.input(() => this.app.click(e.x - this.x, e.y - this.y));
    };
    this.onMouseScroll = (e: MouseEvent) => {
      const dir = e.scroll?.direction;
      if (dir === "up" || dir === "down") this.input(() => this.app.key({ name: dir }));
    };
  }

  /** Hands one key to the app. */
  key(k: KeyPress): void {
    this.input(() => this.app.key(k));
  }

  private input(f: () => void): void {
    if (this.failed) return;
    try {
      f();
      this.hooks.afterInput?.();
    } catch (e) {
      this.fail(e);
    }
    this.requestRender();
  }

  private fail(e: unknown): void {
    this.failed = true;
    if (!this.hooks.onError) throw e;
    this.hooks.onError(e);
  }

  protected override renderSelf(buffer: OptimizedBuffer): void {
    if (this.failed) return;
    try {
      this.hooks.beforeFrame?.();
      const canvas = (this.canvas ??= new OpenTuiCanvas(this.ctx, { color: this.hooks.color ?? true }));
      const x = Math.max(0, Math.trunc(this.x));
      const y = Math.max(0, Math.trunc(this.y));
      canvas.begin(Math.min(this.width, buffer.width - x), Math.min(this.height, buffer.height - y));
      this.app.render(canvas, this.clock.now(), this.clock.time());
      canvas.present(buffer, x, y);
    } catch (e) {
      this.fail(e);
    }
  }

  protected override destroySelf(): void {
    this.canvas?.destroy();
    this.canvas = null;
    super.destroySelf();
  }
}

/** Mounts the dashboard on `renderer` (full screen) and routes its keys to the app; `detach` undoes the key route. */
export function createDashboardRenderable(
  renderer: CliRenderer,
  app: DashboardApp,
  clock: DashboardClock,
  hooks: DashboardHooks = {},
): { renderable: DashboardRenderable; detach: () => void } {
  const renderable = new DashboardRenderable(renderer, app, clock, hooks);
  renderer.root.add(renderable);
  const onKey = (k: KeyEvent) => {
    if (k.eventType === "release") return;
    if (k.ctrl && k.name === "z" && hooks.suspend) return hooks.suspend();
    if (k.ctrl && k.name === "c" && hooks.interrupt) return hooks.interrupt();
    renderable.key(keyPressOf(k));
  };
  renderer.keyInput.on("keypress", onKey);
  return { renderable, detach: () => renderer.keyInput.off("keypress", onKey) };
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

  /** At the start of each frame: applies what was read since the last frame. */
  frame(app: DashboardApp): void {
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

const hex = (c: readonly [number, number, number]) => `#${c.map((v) => v.toString(16).padStart(2, "0")).join("")}`;
/** The signals that end the dashboard, with the exit code a shell expects for each (128 + the signal's number). */
const EXIT_SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129, SIGQUIT: 131 } as const;
/** How long to wait for the renderer to finish restoring the terminal before giving up on it. */
const CLOSE_TIMEOUT_MS = 2_000;

export async function runLive(app: DashboardApp, o: RunLiveOptions): Promise<number> {
  const color = (env("NO_COLOR") ?? "") === "";
  const fps = Math.max(1, o.fps);
  const renderer = await createCliRenderer({
    screenMode: "alternate-screen",
    useMouse: true,
    targetFps: fps,
    maxFps: Math.max(60, fps),
    exitOnCtrlC: false, // Ctrl-C is a key the app handles (it quits)
    exitSignals: [], // signals are ours (below), so that runLive's promise settles on every way out
    openConsoleOnError: false,
    backgroundColor: color ? hex(theme.bg) : undefined,
  });

  return new Promise<number>((resolve) => {
    let finished = false;
    const onSignal = Object.fromEntries(Object.entries(EXIT_SIGNALS).map(([s, code]) => [s, () => finish(code)])) as Record<keyof typeof EXIT_SIGNALS, () => void>;
    // Ctrl-Z or a SIGTSTP: the terminal is restored (main screen, cooked mode, no mouse), the process stops (SIGSTOP:
    // our own SIGTSTP handler would only call us again), and on `fg` (SIGCONT) the dashboard takes the screen back.
    let suspended = false;
    const suspend = (): void => {
      if (suspended || finished) return;
      suspended = true;
      void renderer
        .suspend()
        .catch(() => undefined)
        .then(() => {
          // (nothing else holds the event loop while the renderer is suspended: this does, until `fg`)
          const hold = setInterval(() => undefined, 60_000);
          process.once("SIGCONT", () => {
            clearInterval(hold);
            void renderer
              .resume()
              .catch(onFatal)
              .finally(() => {
                suspended = false;
                renderer.requestRender();
              });
          });
          process.kill(process.pid, "SIGSTOP");
        });
    };
    const onFatal = (e: unknown) => finish(1, e);
    const onDestroyed = () => finish(0);
    const ingest = new LiveIngest(o.source, { intervalSeconds: o.intervalSeconds, statusLine: o.statusLine, onError: onFatal, threads: o.threads, recover: o.recover });
    // The allowance: asked once a second whether a request is due (the client keeps to its interval and backoff).
    const allowance = o.allowance;
    let allowanceTimer: ReturnType<typeof setInterval> | null = null;
    if (allowance) {
      void allowance.client.fetchProfile();
      void allowance.client.tick();
      allowanceTimer = setInterval(() => void allowance.client.tick(), 1000);
    }

    function finish(code: number, err?: unknown): void {
      if (finished) return;
      finished = true;
      ingest.stop();
      if (allowanceTimer) clearInterval(allowanceTimer);
      if (o.telemetry) void o.telemetry.stop();
      for (const s of Object.keys(EXIT_SIGNALS) as (keyof typeof EXIT_SIGNALS)[]) process.off(s, onSignal[s]);
      process.off("SIGTSTP", suspend);
      renderer.off("destroy", onDestroyed);
      detach();
      // Leave the current frame or input handler before tearing the renderer down.
      setImmediate(() => {
        try {
          renderer.destroy(); // leaves the alternate screen, disables the mouse, restores the terminal modes
        } catch (e) {
          err ??= e;
        }
        let timeout: ReturnType<typeof setTimeout> | undefined;
        const waited = new Promise<void>((r) => {
          timeout = setTimeout(r, CLOSE_TIMEOUT_MS);
        });
        Promise.race([renderer.closed.catch(() => undefined), waited]).then(() => {
          clearTimeout(timeout);
          // The error handlers stay until the terminal is back, so a late error cannot crash mid-restore.
          process.off("uncaughtException", onFatal);
          process.off("unhandledRejection", onFatal);
          if (err !== undefined) writeErr(`claude-dash: ${(err as Error)?.stack ?? String(err)}\n`);
          resolve(code);
        });
      });
    }

    const { detach } = createDashboardRenderable(
      renderer,
      app,
      { now: () => o.pinnedNow ?? Date.now(), time: () => Date.now() },
      {
        color,
        beforeFrame: () => {
          ingest.frame(app);
          if (allowance && allowance.events.length > 0) app.apply(allowance.events.splice(0));
          if (o.telemetry && o.telemetry.events.length > 0) app.apply(o.telemetry.events.splice(0));
        },
        afterInput: () => {
          if (app.quit) finish(0);
        },
        suspend,
        interrupt: () => finish(EXIT_SIGNALS.SIGINT),
        onError: onFatal,
      },
    );

    for (const s of Object.keys(EXIT_SIGNALS) as (keyof typeof EXIT_SIGNALS)[]) process.on(s, onSignal[s]);
    process.on("SIGTSTP", suspend);
    process.on("uncaughtException", onFatal);
    process.on("unhandledRejection", onFatal);
    renderer.on("destroy", onDestroyed);
    ingest.start();
    renderer.start(); // a fixed frame rate: the charts' shimmer moves every frame
  });
}
