// What every live backend does around its frames, the same on OpenTUI (live.ts) and on the portable ANSI terminal
// (ansi-live.ts): ingest applied at frame boundaries (file watch + poll), the allowance's events (its answers also
// recorded in the usage store) and team telemetry's, the demo that ends when transcripts appear, the engine's poller,
// and after input: the clipboard (OSC 52) and exports. Portable: no OpenTUI, no Bun.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ViewExport } from "../model/export-view.ts";
import type { TranscriptSource } from "../ingest/source.ts";
import { LiveIngest } from "../ingest/live-ingest.ts";
import { flushStoreMarkers } from "../ingest/usage-data.ts";
import { StoreQueries } from "../ingest/store-query.ts";
import { endpointFigures } from "../model/allowance-view.ts";
import type { ModelEvent } from "../model/events.ts";
import type { DashboardApp } from "./app.ts";

/** The allowance client and the events it emits (applied at frame boundaries like ingest's). */
interface LiveAllowance {
  client: { tick(): Promise<void>; fetchProfile(): Promise<void>; fetchNow(): Promise<void> };
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
  /** that history has all been read (see LiveIngest). */
  historyRead?: () => void;
  /** a failed usage store replaced by one that works (see LiveIngest). */
  recover?: (e: unknown) => TranscriptSource | null;
  /**
   * The dashboard shows the demo while `source` (the real roots) has nothing: at the first frame after it has,
   * `end` switches the app to the real data. The allowance's answers wait until then.
   */
  demoUntil?: { ready: () => boolean; end: () => void } | null;
  /** where `e` writes the view on screen (default: the current folder) */
  exportDir?: string;
  /** --prometheus: asked while INSIGHTS shows the engine (one batch at a time, at its interval) */
  prometheus?: { tick(now: number, hours: number): void } | null;
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

/**
 * Writes an export's two files into `dir`, both or neither; returns what the footer says (where they went, or why not).
 * A name taken by either file (a file, a folder, a symlink, even a dangling one: created exclusively, never followed)
 * moves both to the next free name.
 */
export function writeExport(files: ViewExport, dir: string): string {
  try {
    mkdirSync(dir, { recursive: true });
    // (never over an earlier export: a second one in the same second is -2, then -3…)
    for (let n = 1; n < 100; n++) {
      const name = n === 1 ? files.name : `${files.name}-${n}`;
      const written: string[] = [];
      try {
        for (const [ext, body] of [
          ["csv", files.csv],
          ["json", files.json],
        ] as const) {
          const path = join(dir, `${name}.${ext}`);
          writeFileSync(path, body, { flag: "wx" });
          written.push(path);
        }
        return `exported ${name}.csv and .json${dir === "." ? "" : ` to ${dir}`}`;
      } catch (e) {
        for (const path of written) rmSync(path, { force: true }); // (ours: made by this call, exclusively)
        if ((e as { code?: string }).code === "EEXIST") continue;
        throw e;
      }
    }
    return "export failed: 99 exports of this second already";
  } catch (e) {
    return `export failed: ${(e as { code?: string }).code ?? (e as Error)?.message ?? String(e)}`;
  }
}

/** Text to the terminal's clipboard: OSC 52 ("c" selection), the text in base64 (so nothing in it is a control code). */
export function osc52(text: string): string {
  let bin = "";
  for (const byte of new TextEncoder().encode(text)) bin += String.fromCharCode(byte);
  return `\x1b]52;c;${btoa(bin)}\x07`;
}

/** Exit codes of the signals every backend answers (128 + the signal's number). */
export const EXIT_SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129, SIGQUIT: 131 } as const;

/** The glue around a backend's frames; the backend calls beforeFrame and afterInput, start and stop. */
export class LiveLoop {
  private readonly ingest: LiveIngest;
  private allowanceTimer: ReturnType<typeof setInterval> | null = null;
  private demo: { ready: () => boolean; end: () => void } | null;
  private readonly heldAccount: ModelEvent[] = [];

  constructor(
    private readonly app: DashboardApp,
    private readonly o: RunLiveOptions,
    onFatal: (e: unknown) => void,
  ) {
    this.demo = o.demoUntil ?? null;
    this.ingest = new LiveIngest(o.source, {
      intervalSeconds: o.intervalSeconds,
      statusLine: o.statusLine,
      onError: onFatal,
      threads: o.threads,
      recover: o.recover,
      historyRead: o.historyRead,
    });
  }

  start(): void {
    const allowance = this.o.allowance;
    if (allowance) {
      void allowance.client.fetchProfile();
      void allowance.client.tick();
      // (asked once a second whether a request is due: the client keeps to its interval and backoff)
      this.allowanceTimer = setInterval(() => void allowance.client.tick(), 1000);
    }
    this.ingest.start();
  }

  stop(): void {
    this.ingest.stop();
    if (this.allowanceTimer) clearInterval(this.allowanceTimer);
    if (this.o.telemetry) void this.o.telemetry.stop();
    // (the usage store's marker says what the store holds now, the last minute's writes included)
    flushStoreMarkers();
  }

  /** At the start of every frame: what arrived since the last one goes into the app. */
  beforeFrame(): void {
    const { app, o } = this;
    this.ingest.frame(app);
    if (o.prometheus && app.ui.tab === "insights" && app.ui.insightsSource === "prometheus")
      o.prometheus.tick(o.pinnedNow ?? Date.now(), app.insightsHoursNow());
    const allowance = o.allowance;
    if (this.demo && this.demo.ready()) {
      this.demo.end();
      this.demo = null;
      if (this.heldAccount.length > 0) app.apply(this.heldAccount.splice(0));
      if (allowance) void allowance.client.fetchNow();
    }
    if (allowance) this.recordLimits(allowance.events);
    // (the demo's own account stays until it ends; the real account's name, asked once, waits for then)
    if (this.demo && allowance) for (const e of allowance.events.splice(0)) if (e.type === "AccountIdentified") this.heldAccount.push(e);
    if (allowance && allowance.events.length > 0) app.apply(allowance.events.splice(0));
    if (o.telemetry && o.telemetry.events.length > 0) app.apply(o.telemetry.events.splice(0));
  }

  /**
   * The usage endpoint's answers go into the usage store too (origin "endpoint"), so that Claude Code's status line
   * and later runs can show them: into the store the dashboard reads (under the demo, which drops them, the real
   * one it waits for). Never waits for the store's lock: a busy store skips the figure (the next answer is recorded),
   * and a failing one is left to ingest, which replaces it; the figure still shows from the model.
   */
  private recordLimits(events: readonly ModelEvent[]): void {
    const q = this.app.q;
    const store = this.demo ? (this.o.source?.store ?? null) : q instanceof StoreQueries ? q.store : null;
    if (!store) return;
    for (const e of events) {
      if (e.type !== "AllowanceFetched") continue;
      try {
        store.recordLimits(endpointFigures(e), false);
      } catch {
        // (see above)
      }
    }
  }

  /** After every key or click: what the app asked the terminal or the disk for. `write` goes to the terminal. */
  afterInput(write: (s: string) => void): void {
    const copied = this.app.takeClipboard();
    if (copied !== null) write(osc52(copied));
    const files = this.app.takeExport();
    if (files) this.app.notify(writeExport(files, this.o.exportDir ?? "."));
  }
}
