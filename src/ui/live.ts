// The live dashboard on OpenTUI (Bun only): one full-screen renderable that redraws the whole DashboardApp each
// frame at a fixed rate, ingest (file watch + poll) queued and applied at frame boundaries, and the terminal restored
// on every way out. OpenTUI only draws: stdin is read by our parser (terminal-input.ts), the same as the ANSI
// backend's, and OpenTUI is handed only the terminal's answers to its queries. Its own parser took a stray byte for
// Alt + a key (0x83 = Alt-Ctrl-C quit with 130, 0xF1 = Alt-q quit, a split "ă" the same) and waited for the end of
// an unterminated paste for ever (no key, Ctrl-C included, got through), and none of its options changes that.
import { PassThrough } from "node:stream";
import { createCliRenderer, Renderable, type CliRenderer, type KeyEvent, type MouseEvent, type OptimizedBuffer, type RenderContext } from "@opentui/core";
import { LiveIngest } from "../ingest/live-ingest.ts";
import { env, writeErr } from "../platform.ts";
import type { DashboardApp } from "./app.ts";
import { OpenTuiCanvas } from "./opentui-canvas.ts";
import { theme } from "./theme.ts";
import type { KeyPress } from "./ui-state.ts";
import { applyInput, InputReader, type TerminalInput } from "./terminal-input.ts";

import { EXIT_SIGNALS, LiveLoop, type DashboardClock, type DashboardHooks, type RunLiveOptions } from "./live-loop.ts";

export { LiveIngest };
export { osc52, writeExport } from "./live-loop.ts";

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
class DashboardRenderable extends Renderable {
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

  /** Hands one input read by our parser to the app (a click at terminal coordinates). */
  apply(ev: TerminalInput): void {
    // (OpenTUI asks the terminal for every mouse move: a move, a release or another button does nothing here)
    if (ev.kind === "reply" || (ev.kind === "mouse" && (ev.action !== "press" || ev.button !== 0))) return;
    const at = ev.kind === "mouse" || ev.kind === "wheel" ? { ...ev, x: ev.x - this.x, y: ev.y - this.y } : ev;
    this.input(() => applyInput(this.app, at));
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

/**
 * Mounts the dashboard on `renderer` (full screen) and, with `openTuiInput` (tests), routes OpenTUI's keys and mouse
 * to the app; `detach` undoes the key route. The live dashboard hands it our parser's inputs instead (apply).
 */
export function createDashboardRenderable(
  renderer: CliRenderer,
  app: DashboardApp,
  clock: DashboardClock,
  hooks: DashboardHooks = {},
  { openTuiInput = true }: { openTuiInput?: boolean } = {},
): { renderable: DashboardRenderable; detach: () => void } {
  const renderable = new DashboardRenderable(renderer, app, clock, hooks);
  renderer.root.add(renderable);
  if (!openTuiInput) {
    renderable.onMouseDown = undefined;
    renderable.onMouseScroll = undefined;
    return { renderable, detach: () => undefined };
  }
  const onKey = (k: KeyEvent) => {
    if (k.eventType === "release") return;
    if (k.ctrl && k.name === "z" && hooks.suspend) return hooks.suspend();
    if (k.ctrl && k.name === "c" && hooks.interrupt) return hooks.interrupt();
    renderable.key(keyPressOf(k));
  };
  renderer.keyInput.on("keypress", onKey);
  return { renderable, detach: () => renderer.keyInput.off("keypress", onKey) };
}

const hex = (c: readonly [number, number, number]) => `#${c.map((v) => v.toString(16).padStart(2, "0")).join("")}`;
/** The signals that end the dashboard, with the exit code a shell expects for each (128 + the signal's number). */
/** How long to wait for the renderer to finish restoring the terminal before giving up on it. */
const CLOSE_TIMEOUT_MS = 2_000;

/** OpenTUI's stdin: only what our parser passes on (the terminal's answers); raw mode goes to the real one. */
type ForwardStream = PassThrough & { isTTY?: boolean; setRawMode?: (on: boolean) => ForwardStream };

/**
 * Reads stdin with our parser from now on: the terminal's answers go to `forward` (OpenTUI's stdin), every other
 * input to `handle` once one is set (until then it waits). `stop` stops reading.
 */
export function readStdin(source: NodeJS.ReadStream = process.stdin): {
  forward: ForwardStream;
  setHandler(h: (inputs: TerminalInput[]) => void): void;
  settle(done: () => void): void;
  pause(): void;
  resume(): void;
  stop(): void;
} {
  const forward = new PassThrough() as ForwardStream;
  forward.isTTY = source.isTTY;
  forward.setRawMode = (on: boolean) => {
    if (source.isTTY) source.setRawMode(on);
    return forward;
  };
  let handle: ((inputs: TerminalInput[]) => void) | null = null;
  let early: TerminalInput[] = [];
  const reader = new InputReader((inputs) => {
    const rest: TerminalInput[] = [];
    for (const ev of inputs) {
      if (ev.kind === "reply") forward.write(Buffer.from(ev.raw, "utf8"));
      else rest.push(ev);
    }
    if (rest.length === 0) return;
    if (handle) handle(rest);
    else early.push(...rest);
  });
  const decoder = new TextDecoder();
  const onData = (b: Uint8Array | string) => reader.push(typeof b === "string" ? b : decoder.decode(b, { stream: true }));
  source.on("data", onData);
  source.resume();
  return {
    forward,
    setHandler(h) {
      handle = h;
      const waiting = early;
      early = [];
      if (waiting.length > 0) h(waiting);
    },
    /** `done` once no paste is open (see InputReader.settle) */
    settle(done) {
      reader.settle(done);
    },
    /** (around Ctrl-Z: the shell has the terminal; anything unfinished is forgotten, what is left of a paste dropped) */
    pause() {
      reader.reset();
      source.pause();
    },
    resume() {
      reader.reset();
      source.resume();
    },
    stop() {
      reader.stop();
      source.off("data", onData);
      source.pause();
      forward.end();
    },
  };
}

export async function runLive(app: DashboardApp, o: RunLiveOptions): Promise<number> {
  const color = (env("NO_COLOR") ?? "") === "";
  const fps = o.fps > 0 ? o.fps : 2; // (--fps 0: no animation; the data still shows within half a second)
  // Our parser reads stdin from before the renderer starts, so that the answers to its first queries reach it.
  const input = readStdin();
  const renderer = await startRenderer(input, fps, color);

  return new Promise<number>((resolve) => {
    const state = { finished: false, suspended: false };
    const onSignal = Object.fromEntries(Object.entries(EXIT_SIGNALS).map(([s, code]) => [s, () => finish(code)])) as Record<
      keyof typeof EXIT_SIGNALS,
      () => void
    >;
    const onFatal = (e: unknown) => finish(1, e);
    const onDestroyed = () => finish(0);
    const suspend = suspender(renderer, input, state, onFatal);
    const loop = new LiveLoop(app, o, onFatal);

    function finish(code: number, err?: unknown): void {
      if (state.finished) return;
      state.finished = true;
      loop.stop();
      // (a Ctrl-C inside a paste: the rest of the paste is read and dropped first, or the shell would run it)
      input.settle(() => {
        for (const s of Object.keys(EXIT_SIGNALS) as (keyof typeof EXIT_SIGNALS)[]) process.off(s, onSignal[s]);
        process.off("SIGTSTP", suspend);
        renderer.off("destroy", onDestroyed);
        input.stop();
        tearDown(renderer, err, (error) => {
          // The error handlers stay until the terminal is back, so a late error cannot crash mid-restore.
          process.off("uncaughtException", onFatal);
          process.off("unhandledRejection", onFatal);
          if (error !== undefined) writeErr(`claude-dash: ${(error as Error)?.stack ?? String(error)}\n`);
          resolve(code);
        });
      });
    }

    const { renderable } = createDashboardRenderable(
      renderer,
      app,
      { now: () => o.pinnedNow ?? Date.now(), time: () => Date.now() },
      {
        color,
        beforeFrame: () => loop.beforeFrame(),
        afterInput: () => {
          // y / r in a session's detail: to the clipboard through the terminal (OSC 52); e: the files
          loop.afterInput((text) => process.stdout.write(text));
          if (app.quit) finish(0);
        },
        suspend,
        interrupt: () => finish(EXIT_SIGNALS.SIGINT),
        onError: onFatal,
      },
      { openTuiInput: false },
    );
    input.setHandler((inputs) => {
      for (const ev of inputs) {
        if (state.finished || state.suspended) return;
        if (ev.kind === "key" && ev.key.ctrl && ev.key.name === "c") return finish(EXIT_SIGNALS.SIGINT);
        if (ev.kind === "key" && ev.key.ctrl && ev.key.name === "z") return suspend();
        renderable.apply(ev);
      }
    });

    for (const s of Object.keys(EXIT_SIGNALS) as (keyof typeof EXIT_SIGNALS)[]) process.on(s, onSignal[s]);
    process.on("SIGTSTP", suspend);
    process.on("uncaughtException", onFatal);
    process.on("unhandledRejection", onFatal);
    renderer.on("destroy", onDestroyed);
    loop.start();
    renderer.start(); // a fixed frame rate: the charts' shimmer moves every frame
  });
}

/** OpenTUI's renderer on the alternate screen, reading keys through our parser (stopped again if it cannot start). */
async function startRenderer(input: ReturnType<typeof readStdin>, fps: number, color: boolean): Promise<CliRenderer> {
  try {
    return await createCliRenderer({
      stdin: input.forward as unknown as NodeJS.ReadStream,
      screenMode: "alternate-screen",
      useMouse: true,
      // (no kitty keyboard protocol: the terminal sends keys as it does for the ANSI backend)
      useKittyKeyboard: { disambiguate: false, alternateKeys: false },
      targetFps: fps,
      maxFps: Math.max(60, fps),
      exitOnCtrlC: false, // Ctrl-C is a key the app handles (it quits)
      exitSignals: [], // signals are ours (see runLive), so that runLive's promise settles on every way out
      openConsoleOnError: false,
      backgroundColor: color ? hex(theme.bg) : undefined,
    });
  } catch (e) {
    input.stop();
    throw e;
  }
}

/**
 * Ctrl-Z or a SIGTSTP: the terminal is restored (main screen, cooked mode, no mouse), the process stops (SIGSTOP: our
 * own SIGTSTP handler would only call us again), and on `fg` (SIGCONT) the dashboard takes the screen back.
 */
function suspender(
  renderer: CliRenderer,
  input: ReturnType<typeof readStdin>,
  state: { finished: boolean; suspended: boolean },
  onFatal: (e: unknown) => void,
): () => void {
  return () => {
    if (state.suspended || state.finished) return;
    state.suspended = true;
    // (a Ctrl-Z inside a paste: the rest of the paste is read and dropped first, or the shell would run it)
    input.settle(() => {
      if (state.finished) return;
      input.pause();
      void renderer
        .suspend()
        .catch(() => undefined)
        .then(() => {
          // (nothing else holds the event loop while the renderer is suspended: this does, until `fg`)
          const hold = setInterval(() => undefined, 60_000);
          process.once("SIGCONT", () => {
            clearInterval(hold);
            input.resume();
            void renderer
              .resume()
              .catch(onFatal)
              .finally(() => {
                state.suspended = false;
                renderer.requestRender();
              });
          });
          process.kill(process.pid, "SIGSTOP");
        });
    });
  };
}

/** The terminal back as it was (main screen, modes, no mouse), once the current frame or input handler is left. */
function tearDown(renderer: CliRenderer, err: unknown, done: (err: unknown) => void): void {
  setImmediate(() => {
    let error = err;
    try {
      renderer.destroy(); // leaves the alternate screen, disables the mouse, restores the terminal modes
    } catch (e) {
      error ??= e;
    }
    let timeout: ReturnType<typeof setTimeout> | undefined;
    const waited = new Promise<void>((r) => {
      timeout = setTimeout(r, CLOSE_TIMEOUT_MS);
    });
    Promise.race([renderer.closed.catch(() => undefined), waited]).then(() => {
      clearTimeout(timeout);
      done(error);
    });
  });
}
