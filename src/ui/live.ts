// The live dashboard on OpenTUI (Bun only): one full-screen renderable that redraws the whole DashboardApp each
// frame at a fixed rate, keys and mouse turned into app actions, ingest (file watch + poll) queued and applied at
// frame boundaries, and the terminal restored on every way out.
import { existsSync, watch, type FSWatcher } from "node:fs";
import { join } from "node:path";
import { createCliRenderer, Renderable, type CliRenderer, type KeyEvent, type MouseEvent, type OptimizedBuffer, type RenderContext } from "@opentui/core";
import type { TranscriptSource } from "../ingest/source.ts";
import type { ModelEvent } from "../model/events.ts";
import { env, writeErr } from "../platform.ts";
import type { DashboardApp } from "./app.ts";
import { OpenTuiCanvas } from "./opentui-canvas.ts";
import { theme } from "./theme.ts";
import type { KeyPress } from "./ui-state.ts";

export interface LiveOptions {
  source: TranscriptSource | null;
  fps: number;
  intervalSeconds: number;
  pinnedNow: number | null;
  statusLine: (source: TranscriptSource | null) => string | null;
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
      const area = { x: this.x, y: this.y, w: this.width, h: this.height };
      if (this.canvas) this.canvas.reset(buffer, area);
      else this.canvas = new OpenTuiCanvas(buffer, area, { color: this.hooks.color ?? true });
      this.app.render(this.canvas, this.clock.now(), this.clock.time());
      this.canvas.flush();
    } catch (e) {
      this.fail(e);
    }
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
    renderable.key(keyPressOf(k));
  };
  renderer.keyInput.on("keypress", onKey);
  return { renderable, detach: () => renderer.keyInput.off("keypress", onKey) };
}

const hex = (c: readonly [number, number, number]) => `#${c.map((v) => v.toString(16).padStart(2, "0")).join("")}`;
const EXIT_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const;
/** How long to wait for the renderer to finish restoring the terminal before giving up on it. */
const CLOSE_TIMEOUT_MS = 2_000;

export async function runLive(app: DashboardApp, o: LiveOptions): Promise<number> {
  const color = (env("NO_COLOR") ?? "") === "";
  const fps = Math.max(1, o.fps);
  const renderer = await createCliRenderer({
    screenMode: "alternate-screen",
    useMouse: true,
    targetFps: fps,
    maxFps: Math.max(60, fps),
    exitOnCtrlC: false, // Ctrl-C is a key the app handles (it quits)
    exitSignals: [], // signals are ours: see below, so that runLive's promise settles on every way out
    openConsoleOnError: false,
    backgroundColor: color ? hex(theme.bg) : undefined,
  });

  return new Promise<number>((resolve) => {
    let finished = false;
    const source = o.source;
    const queue: ModelEvent[] = [];
    let statusStale = false;
    let firstFrame = true;
    let pollTimer: ReturnType<typeof setInterval> | null = null;
    let deferredTimer: ReturnType<typeof setTimeout> | null = null;
    let debounceTimer: ReturnType<typeof setTimeout> | null = null;
    const watchers = new Map<string, FSWatcher>();
    const changed = new Set<string>();

    const onSignal = () => finish(0);
    const onFatal = (e: unknown) => finish(1, e);
    const onDestroyed = () => finish(0);

    function finish(code: number, err?: unknown): void {
      if (finished) return;
      finished = true;
      if (pollTimer) clearInterval(pollTimer);
      if (deferredTimer) clearTimeout(deferredTimer);
      if (debounceTimer) clearTimeout(debounceTimer);
      for (const w of watchers.values()) {
        try {
          w.close();
        } catch {
          // closing is best effort
        }
      }
      watchers.clear();
      for (const s of EXIT_SIGNALS) process.off(s, onSignal);
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

    /** Runs ingest work; an exception in it ends the dashboard with the error (never a silent death). */
    const guarded = (f: () => void) => {
      if (finished) return;
      try {
        f();
        statusStale = true;
      } catch (e) {
        finish(1, e);
      }
    };

    const flushChanged = () => {
      debounceTimer = null;
      if (!source || changed.size === 0) return;
      const paths = [...changed];
      changed.clear();
      guarded(() => source.refreshFiles(paths, queue));
    };

    /** Watches each root's projects folder that exists and is not watched yet (a folder can appear later). */
    const watchRoots = () => {
      if (!source) return;
      for (const root of source.roots) {
        const dir = join(root, "projects");
        if (watchers.has(dir) || !existsSync(dir)) continue;
        try {
          const w = watch(dir, { recursive: true }, (_event, name) => {
            if (typeof name !== "string" || !name.endsWith(".jsonl")) return;
            changed.add(join(dir, name));
            debounceTimer ??= setTimeout(flushChanged, 50);
          });
          w.on("error", () => {
            // The poll still sees every change; try watching again on a later poll.
            watchers.delete(dir);
            try {
              w.close();
            } catch {
              // already closed
            }
          });
          watchers.set(dir, w);
        } catch {
          // No watch on this runtime or folder: the poll covers it.
        }
      }
    };

    const { detach } = createDashboardRenderable(
      renderer,
      app,
      { now: () => o.pinnedNow ?? Date.now(), time: () => Date.now() },
      {
        color,
        beforeFrame: () => {
          if (queue.length > 0) {
            app.apply(queue.splice(0));
            statusStale = true;
          }
          if (statusStale) {
            statusStale = false;
            app.status = o.statusLine(source);
          }
          if (firstFrame) {
            firstFrame = false;
            // Older history is read once the first frame is up, not before it.
            if (source) deferredTimer = setTimeout(() => guarded(() => source.readDeferred(queue)), 200);
          }
        },
        afterInput: () => {
          if (app.quit) finish(0);
        },
        onError: (e) => finish(1, e),
      },
    );

    for (const s of EXIT_SIGNALS) process.on(s, onSignal);
    process.on("uncaughtException", onFatal);
    process.on("unhandledRejection", onFatal);
    renderer.on("destroy", onDestroyed);

    if (source) {
      watchRoots();
      pollTimer = setInterval(
        () =>
          guarded(() => {
            source.poll(queue, Date.now());
            watchRoots();
          }),
        Math.max(0.1, o.intervalSeconds) * 1000,
      );
    }
    renderer.start(); // a fixed frame rate: the charts' shimmer moves every frame
  });
}
