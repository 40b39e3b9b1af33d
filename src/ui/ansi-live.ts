// The live dashboard on any runtime (Deno, Node, Bun) without OpenTUI: the same app drawn into the pure cell grid,
// and only the cells that changed since the last frame written as ANSI (inside synchronized-output marks); stdin in
// raw mode through node:process, keys, SGR mouse and bracketed paste parsed by terminal-input.ts (an unfinished paste
// or sequence ends on its own time; after Ctrl-C or Ctrl-Z inside a paste, the rest of it is read and dropped before
// the terminal is given back); redrawn on SIGWINCH; the terminal restored on every way out (q, Ctrl-C, SIGTERM,
// SIGHUP, an error, and around Ctrl-Z/fg).
import { writeErr } from "../platform.ts";
import type { DashboardApp } from "./app.ts";
import { CellGrid } from "./grid.ts";
import { EXIT_SIGNALS, LiveLoop, type RunLiveOptions } from "./live-loop.ts";
import { applyInput, InputReader, systemInputClock, type InputClock, type TerminalInput } from "./terminal-input.ts";

export { applyInput };

/** Alternate screen, cursor hidden, mouse (press/release, drag, SGR coordinates), bracketed paste — and back. */
const ENTER_SCREEN = "\x1b[?1049h\x1b[?25l\x1b[?1000h\x1b[?1002h\x1b[?1006h\x1b[?2004h";
const LEAVE_SCREEN = "\x1b[?2004l\x1b[?1006l\x1b[?1002l\x1b[?1000l\x1b[0m\x1b[?25h\x1b[?1049l";

export interface AnsiTerminal {
  columns(): number;
  rows(): number;
  write(s: string): void;
  /** raw mode on or off (a terminal only) */
  raw(on: boolean): void;
  onData(f: (chunk: string) => void): () => void;
}

/** The process's own terminal, through node:process (the same on Deno, Node and Bun). */
function processTerminal(): AnsiTerminal {
  const out = process.stdout as { columns?: number; rows?: number; write(s: string): boolean };
  const inp = process.stdin as {
    isTTY?: boolean;
    setRawMode?(on: boolean): void;
    resume(): void;
    pause(): void;
    on(e: "data", f: (b: Uint8Array | string) => void): void;
    off(e: "data", f: (b: Uint8Array | string) => void): void;
  };
  const decoder = new TextDecoder();
  return {
    columns: () => out.columns || 80,
    rows: () => out.rows || 24,
    write: (s) => void out.write(s),
    raw(on) {
      if (inp.isTTY) inp.setRawMode?.(on);
      if (on) inp.resume();
      else inp.pause();
    },
    onData(f) {
      const h = (b: Uint8Array | string) => f(typeof b === "string" ? b : decoder.decode(b, { stream: true }));
      inp.on("data", h);
      return () => inp.off("data", h);
    },
  };
}

/** Draws the app and diffs frames: what a frame writes is only what changed since the one before. */
export class AnsiScreen {
  private shown: CellGrid | null = null;
  private spare: CellGrid | null = null;

  constructor(
    private readonly term: AnsiTerminal,
    private readonly color: boolean,
  ) {}

  /** The next frame paints everything (after a resize or a return from Ctrl-Z). */
  invalidate(): void {
    this.shown = null;
  }

  /** Renders the app at this size and writes the changes; returns the bytes written. */
  frame(app: DashboardApp, now: number, time: number): number {
    const w = Math.max(1, this.term.columns());
    const h = Math.max(1, this.term.rows());
    const grid = this.spare && this.spare.width === w && this.spare.height === h ? this.spare : new CellGrid(w, h);
    grid.clear();
    app.render(grid, now, time);
    const bytes = grid.frameAnsi(this.shown, this.color ? "truecolor" : "none");
    if (bytes) this.term.write(bytes);
    this.spare = this.shown;
    this.shown = grid;
    return bytes.length;
  }
}

export async function runAnsiLive(
  app: DashboardApp,
  o: RunLiveOptions & { color: boolean; note?: string | null },
  term: AnsiTerminal = processTerminal(),
  clock: InputClock = systemInputClock,
): Promise<number> {
  const screen = new AnsiScreen(term, o.color);
  const fps = o.fps > 0 ? o.fps : 2;
  if (o.note) app.notify(o.note);
  return new Promise<number>((resolve) => {
    let finished = false;
    let suspended = false;
    const now = () => o.pinnedNow ?? Date.now();
    const onFatal = (e: unknown) => finish(1, e);
    const loop = new LiveLoop(app, o, onFatal);
    const frame = () => {
      if (finished || suspended) return;
      try {
        loop.beforeFrame();
        screen.frame(app, now(), Date.now());
      } catch (e) {
        onFatal(e);
      }
    };
    const enter = () => {
      term.raw(true);
      term.write(ENTER_SCREEN);
      screen.invalidate();
    };
    const leave = () => {
      term.write(LEAVE_SCREEN);
      term.raw(false);
    };
    /** stdin goes to the parser (also while a paste is drained before we quit or suspend) */
    let reading = true;
    const suspend = () => {
      if (suspended || finished) return;
      suspended = true;
      // (a Ctrl-Z inside a paste: the rest of the paste is read and dropped first, or the shell would run it)
      reader.settle(() => {
        if (finished) return;
        reading = false;
        reader.reset();
        leave();
        process.once("SIGCONT", () => {
          suspended = false;
          reading = true;
          reader.reset(); // (what is left of a paste is dropped from now, not read as keys)
          enter();
          frame();
        });
        process.kill(process.pid, "SIGSTOP");
      });
    };
    // (a paste left open ends on the reader's timer, so its inputs may come between chunks)
    const reader = new InputReader((inputs: TerminalInput[]) => {
      if (finished || suspended) return;
      try {
        for (const ev of inputs) {
          if (ev.kind === "key" && ev.key.ctrl && ev.key.name === "c") return finish(EXIT_SIGNALS.SIGINT);
          if (ev.kind === "key" && ev.key.ctrl && ev.key.name === "z") return suspend();
          applyInput(app, ev);
        }
        loop.afterInput((s) => term.write(s));
        if (app.quit) return finish(0);
        frame();
      } catch (e) {
        onFatal(e);
      }
    }, clock);
    const offData = term.onData((chunk) => {
      if (reading) reader.push(chunk);
    });
    const onSignal = Object.fromEntries(Object.entries(EXIT_SIGNALS).map(([s, code]) => [s, () => finish(code)])) as Record<
      keyof typeof EXIT_SIGNALS,
      () => void
    >;
    const onResize = () => {
      screen.invalidate();
      frame();
    };
    const timer = setInterval(frame, Math.round(1000 / fps));

    function finish(code: number, err?: unknown): void {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      try {
        loop.stop();
      } catch {
        // (the terminal is restored whatever happens)
      }
      // (a Ctrl-C inside a paste: the rest of the paste is read and dropped first, or the shell would run it)
      reader.settle(() => {
        reading = false;
        offData();
        reader.stop();
        leave();
        for (const s of Object.keys(EXIT_SIGNALS) as (keyof typeof EXIT_SIGNALS)[]) process.off(s, onSignal[s]);
        process.off("SIGWINCH", onResize);
        process.off("SIGTSTP", suspend);
        process.off("uncaughtException", onFatal);
        process.off("unhandledRejection", onFatal);
        if (err !== undefined) writeErr(`claude-dash: ${(err as Error)?.stack ?? String(err)}\n`);
        resolve(code);
      });
    }

    for (const s of Object.keys(EXIT_SIGNALS) as (keyof typeof EXIT_SIGNALS)[]) process.on(s, onSignal[s]);
    process.on("SIGWINCH", onResize);
    process.on("SIGTSTP", suspend);
    process.on("uncaughtException", onFatal);
    process.on("unhandledRejection", onFatal);
    enter();
    loop.start();
    frame();
  });
}
