// The dashboard as an object with no I/O: it holds the model and the UI state, turns keys and clicks into
// actions, and draws a frame on any Canvas for a given time. The live terminal (live.ts) and --once both use it.
import type { ModelEvent } from "../model/events.ts";
import { selectSessionBuckets, selectSlice } from "../model/slice-view.ts";
import { selectSession, withClaudeCode, type SessionView, selectLive, type LiveView } from "../model/selectors.ts";
import { cleanText, redact } from "../shared/sanitize.ts";
import { arrangeSessions, arrangeSlice } from "../model/session-list.ts";
import { exportHistory, exportInsights, exportLive, type ViewExport } from "../model/export-view.ts";
import type { UsageQueries } from "../model/queries.ts";
import { createState, reduce, type ModelState } from "../model/state.ts";
import type { Canvas } from "./canvas.ts";
import { drawFrame, type FrameView, type HistoryFrame, type PopupView } from "../screens/frame.ts";
import { historyBucketMinutes, selectHistory } from "../model/history-view.ts";
import { selectAllowance, type AllowanceView } from "../model/allowance-view.ts";
import type { InsightsView, TeamSource } from "../model/insights-view.ts";
import { insightsJson, selectInsights } from "../model/insights/registry.ts";
import { insightsFromPrometheus } from "../net/prom-insights-view.ts";
import type { PromState } from "../net/prom-poller.ts";
import { insightColumns } from "../screens/insights-page.ts";
import { HitMap } from "./hits.ts";
import { historyLayout, layout, type Layout } from "./layout.ts";
import { followSelection, initialUi, keyAction, reduceUi, type KeyPress, type UiAction, type UiState } from "./ui-state.ts";
import { AXIS_W } from "./widgets/chart.ts";
import { sessionRows } from "./widgets/sessions.ts";

export interface AppOptions {
  windowHours: number;
  /** null: chosen so the window's buckets fit the chart width. */
  bucketMinutes: number | null;
  activeWindowHours: number;
  banner: string | null;
  account: string | null;
  /** no animation (colour off, or --plain). */
  still: boolean;
  /** colour off (NO_COLOR): the selection in reverse video, series told apart by pattern, lights by shape. */
  mono?: boolean;
  /** HISTORY span and bucket (null: a round size that fits the width, the span kept). */
  historyHours?: number;
  historyBucketMinutes?: number | null;
  /** IANA zone for HISTORY's heatmap and day labels; undefined: the system's. */
  timeZone?: string;
  /** USD per Mtok replacing every model's base input price (for the cost note). */
  priceOverride?: number;
  /** false with --no-allowance. */
  allowance?: boolean;
  /** INSIGHTS' default window (hours). */
  insightsHours?: number;
}

/** A team's Prometheus-compatible engine as INSIGHTS' source: its poller's state, and its URL as shown. */
interface PromFeed {
  state: PromState;
  readonly version: number;
  url: string;
}

const AXIS_AND_BORDER = AXIS_W + 2;

/**
 * Bucket minutes that make the window fit the plot width (whole minutes, at least 1). The window's start usually
 * cuts its first bucket, so plotWidth − 1 whole buckets must cover it.
 */
export function autoBucketMinutes(windowHours: number, plotWidth: number): number {
  const m = Math.max(1, Math.ceil((windowHours * 60) / Math.max(1, plotWidth - 1)));
  // (past an hour a bar is whole quarter hours, which the store sums ahead: a 30-day window stays quick)
  return m > 60 ? Math.ceil(m / 15) * 15 : m;
}

/** A fact read from a transcript (the store has it); team telemetry and the allowance are not. */
function isTranscriptFact(e: ModelEvent): boolean {
  switch (e.type) {
    case "ResponseObserved":
    case "PromptObserved":
    case "ToolCallObserved":
    case "ToolResultObserved":
    case "ApiErrorObserved":
      return e.origin !== "team";
    case "TurnCompleted":
    case "SessionTitled":
    case "SessionMeta":
    case "LineRejected":
      return true;
    default:
      return false;
  }
}

export class DashboardApp {
  ui: UiState = initialUi;
  readonly hits = new HitMap();
  private lay: Layout | null = null;
  /** The views of the last frame, each made again only when what it depends on changed (see Memos). */
  private readonly memos = new Memos();
  /** team telemetry's version INSIGHTS last summed, and when (a busy receiver is summed again at most once a second). */
  private insightsTeam = { version: "", at: -Infinity };
  status: string | null = null;
  /** the menu bar's banner (the demo's notice): gone when the demo ends. */
  banner: string | null;
  /**
   * The in-memory model: the allowance and team telemetry. Transcripts' facts are in the store, which every view
   * asks (INSIGHTS too, as sums over its window).
   */
  state: ModelState;
  /** team telemetry applied so far (to rebuild the model with), when it is not read from its store. */
  private team: ModelEvent[] = [];
  /** team telemetry's store, which INSIGHTS asks for sums (its events then never enter the in-memory model). */
  private teamSource: TeamSource | null = null;
  /** --prometheus: the engine INSIGHTS can show (t), fed by the runner's poller */
  prom: PromFeed | null = null;
  /** Text for the clipboard, waiting for the terminal (see takeClipboard). */
  private clipboard: string | null = null;
  /** A short confirmation in the footer ("copied …"), shown for a moment from the next frame. */
  private flash: { text: string; until: number | null } | null = null;
  /** Files for `e`, waiting for the runner (see takeExport). */
  private pendingExport = false;
  /** what the last frame showed (for the export) */
  private lastFrame: { now: number; live: LiveView; history: HistoryFrame | null; insights: InsightsView | null } | null = null;

  /** Reads team telemetry from its store from now on (received events are stored before they are applied). */
  useTeam(t: TeamSource | null): void {
    this.teamSource = t;
    this.team = [];
    this.memos.forget("insights");
    this.reload();
  }

  constructor(
    public q: UsageQueries,
    readonly opts: AppOptions,
  ) {
    this.state = createState({ priceOverride: opts.priceOverride });
    this.banner = opts.banner;
  }

  /**
   * The demo ends: the first real transcript arrived. The app reads the real facts from now on, and forgets the
   * demo's account and allowance (the real ones follow).
   */
  endDemo(q: UsageQueries): void {
    this.banner = null;
    this.ui = { ...this.ui, popups: [], selectedId: null, selected: 0, sessionScroll: 0 }; // (the demo's panels and selection go with it)
    this.state = createState({ priceOverride: this.opts.priceOverride });
    this.team = [];
    this.useQueries(q);
  }

  /** Applies events from ingest, the allowance client or team telemetry (call between frames). */
  apply(events: readonly ModelEvent[]): number {
    let n = 0;
    for (const e of events) {
      if (isTranscriptFact(e)) {
        n++; // (stored already: the views read it from the store)
        continue;
      }
      if ("origin" in e && e.origin === "team") {
        if (this.teamSource) {
          n++; // (stored already: INSIGHTS sums it from the telemetry store)
          continue;
        }
        this.team.push(e);
      }
      if (reduce(this.state, e)) n++;
    }
    return n;
  }

  /** Reads from other stored facts from now on (the store was replaced). */
  useQueries(q: UsageQueries): void {
    this.q = q;
    this.memos.clear();
    this.reload();
  }

  /**
   * Some stored facts were replaced (a transcript was rewritten or truncated, or older history was read): the
   * in-memory model starts again (with the allowance and team telemetry), and the views sum the store again.
   */
  reload(): void {
    const allowance = this.state.allowance;
    this.state = createState({ priceOverride: this.opts.priceOverride });
    this.state.allowance = allowance;
    for (const e of this.team) reduce(this.state, e);
    this.memos.clear();
  }

  get quit(): boolean {
    return this.ui.quit;
  }

  /** LIVE's window: the one [ and ] chose, else --window-hours. */
  liveHours(): number {
    return this.ui.liveHours ?? this.opts.windowHours;
  }

  /** HISTORY's span: the one [ and ] chose, else --history-hours (7 days). */
  historyHours(): number {
    return this.ui.historyHours ?? this.opts.historyHours ?? 168;
  }

  /** --bucket-minutes, until [ or ] chose a window (which then gets a bar that fits it). */
  private givenBucket(): number | null {
    return this.ui.liveHours === null ? (this.opts.bucketMinutes ?? null) : null;
  }

  bucketMinutes(lay: Layout): number {
    return this.givenBucket() ?? autoBucketMinutes(this.liveHours(), lay.charts[0].w - AXIS_AND_BORDER);
  }

  /**
   * The hours LIVE shows: the window, or, when a given bucket size does not fit it into the chart, as many of the
   * newest buckets as fit, so the charts and SUMMARY always cover the same span.
   */
  shownHours(lay: Layout): number {
    const given = this.givenBucket();
    if (given == null) return this.liveHours();
    const plot = Math.max(1, lay.charts[0].w - AXIS_AND_BORDER);
    if ((this.liveHours() * 60) / given <= plot) return this.liveHours();
    // The window's first bucket is usually cut by its start: plot − 1 whole buckets make plot bars.
    return (given * Math.max(1, plot - 1)) / 60;
  }

  /** The LIVE view model, recomputed only when the data, the second or the size changed. */
  view(now: number, lay: Layout): LiveView {
    const bm = this.bucketMinutes(lay);
    const hours = this.shownHours(lay);
    return this.memos.get("live", `${this.q.version()}|${Math.floor(now / 1000)}|${bm}|${hours}`, () =>
      selectLive(this.q, {
        now,
        windowHours: hours,
        bucketMinutes: bm,
        activeWindowHours: this.opts.activeWindowHours,
        priceOverride: this.opts.priceOverride,
      }),
    );
  }

  /** The HISTORY view for a size: the window keeps its span with a round bucket that fits, unless one was given. */
  history(now: number, width: number, height: number): HistoryFrame {
    const lay = historyLayout(width, height);
    const plot = Math.max(1, (lay.charts[0]?.w ?? width) - AXIS_AND_BORDER);
    const given = this.ui.historyHours === null ? (this.opts.historyBucketMinutes ?? null) : null;
    const hours = given ? (given * Math.max(1, plot - 1)) / 60 : this.historyHours();
    const bucketMinutes = given ?? historyBucketMinutes(hours, Math.max(1, plot - 1)); // the start cuts the first bar
    return this.memos.get("history", `${this.q.version()}|${Math.floor(now / 1000)}|${width}x${height}|${hours}`, (): HistoryFrame => {
      const view = selectHistory(this.q, { now, hours, bucketMinutes, timeZone: this.opts.timeZone, priceOverride: this.opts.priceOverride });
      const zoneLabel = this.opts.timeZone ?? (Intl.DateTimeFormat().resolvedOptions().timeZone || "local time");
      return { view, layout: lay, hours, zoneLabel, zone: this.opts.timeZone, priceOverride: this.opts.priceOverride };
    });
  }

  /** INSIGHTS' window now (hours): the one 1–5 chose, else --insights-hours. */
  insightsHoursNow(): number {
    return this.ui.insightsHours ?? this.opts.insightsHours ?? 168;
  }

  /** The INSIGHTS view for the chosen window. */
  insights(now: number, width: number, allowance: AllowanceView): InsightsView {
    const hours = this.insightsHoursNow();
    if (this.ui.insightsSource === "prometheus" && this.prom) return insightsFromPrometheus(this.prom.state, { now, hours, url: this.prom.url });
    const session = allowance.status === "ok" ? (allowance.limits.find((l) => l.kind === "session") ?? null) : null;
    const buckets = Math.max(10, Math.floor(width / insightColumns(width)) - 4);
    const { insightsSource: source, insightsUser: user } = this.ui;
    // Summed again as the window moves, every 1/6000 of it (between 1 s and a minute): a month of heavy use takes a
    // few hundred milliseconds to sum, and a month-long panel does not need the newest second. New stored facts show
    // at the next step; team telemetry at once.
    const step = Math.min(60_000, Math.max(1000, (hours * 3_600_000) / 6000));
    const key = `${this.state.version}|${Math.floor(now / step)}|${hours}|${buckets}|${session?.percent ?? ""}|${source}|${user ?? ""}`;
    // (a busy receiver stores something every few milliseconds: the team's sums are taken again at most once a second)
    const team = this.teamSource?.version() ?? "";
    if (team !== this.insightsTeam.version && Math.abs(now - this.insightsTeam.at) >= 1000) this.insightsTeam.version = team;
    return this.memos.get("insights", `${key}|${this.insightsTeam.version}`, () => {
      this.insightsTeam = { version: team, at: now };
      return selectInsights(
        this.state,
        this.q,
        { now, hours, buckets, timeZone: this.opts.timeZone, session: session ? { percent: session.percent, resetsAt: session.resetsAt } : null, source, user },
        this.teamSource,
      );
    });
  }

  /** Draws one frame. `now` is the data clock (what "now" means for the windows); `time` drives animation. */
  render(c: Canvas, now: number, time = now): void {
    const lay = layout(c.width, c.height);
    this.lay = lay;
    const live = this.arranged(this.view(now, lay));
    this.ui = followSelection(this.ui, { sessionIds: live.sessions.map((s) => s.sessionId), sessionRows: sessionRows(lay.sessions) });
    const history = this.ui.tab === "history" ? this.history(now, c.width, c.height) : null;
    // (the allowance asks the store for the figures recorded by Claude Code's status line or another run, and sums
    // the last hours: once a second and change, not every frame)
    const allowance = this.memo("allowance", `${this.q.version()}|${this.state.version}|${Math.floor(now / 1000)}`, () =>
      selectAllowance(this.state, this.q, now, this.opts.allowance ?? true),
    );
    const insights = this.ui.tab === "insights" ? this.insights(now, c.width, allowance) : null;
    const window = history ? history.view.window : live.window;
    const popups: PopupView[] = [];
    for (const p of this.ui.popups) {
      if (p.kind === "help") popups.push({ kind: "help", scroll: p.scroll });
      else if (p.kind === "session") {
        // (a row of a slice can open a session that is not active now)
        // (an active one is LIVE's row, with Claude Code's own figure for it looked up while its popup is open)
        const found = live.sessions.find((s) => s.sessionId === p.sessionId);
        const session = found
          ? this.memo(
              "sessionClaudeCode",
              `${this.q.version()}|${Math.floor(now / 1000)}|${found.sessionId}`,
              () => withClaudeCode(this.q, [found], now, this.opts.priceOverride)[0]!,
            )
          : this.inactiveSession(now, live, p.sessionId);
        if (session) {
          const buckets = this.memo(
            "sessionBuckets",
            `${this.q.version()}|${Math.floor(now / 1000)}|${live.window.from}|${live.window.bucketMinutes}|${session.sessionId}`,
            () => selectSessionBuckets(this.q, live.window, session.sessionId),
          );
          popups.push({ kind: "session", session, buckets, scroll: p.scroll });
        }
      } else if (p.kind === "slice") {
        const to = p.start + window.bucketMinutes * 60_000;
        const from = Math.max(p.start - 1, window.from);
        const until = Math.min(to - 1, window.to);
        const rows = this.memo("slice", `${this.q.version()}|${Math.floor(now / 1000)}|${from}|${until}`, () =>
          selectSlice(this.q, from, until, this.opts.priceOverride),
        );
        const { query, project } = this.ui;
        const filtered = [project ? `project ${project}` : "", query ? `/${query}` : ""].filter(Boolean).join(" · ");
        popups.push({ kind: "slice", from: p.start, to, rows: arrangeSlice(rows, { sort: this.ui.sessionSort, query, project }), scroll: p.scroll, filtered });
      } else if (p.kind === "hour" && history) {
        const cell = history.view.heatmap[p.weekday * 24 + p.hour];
        if (cell) popups.push({ kind: "hour", cell, weekTotal: history.view.totals.effectiveTokens });
      } else if (p.kind === "summary" || p.kind === "heatmap" || p.kind === "allowance") popups.push({ kind: p.kind });
      else if (p.kind === "insight") popups.push({ kind: "insight", id: p.id });
    }
    this.lastFrame = { now, live, history, insights };
    const frame: FrameView = {
      now,
      live,
      allowance,
      insights,
      history,
      windowHours: this.shownHours(lay),
      chosenHours: this.liveHours(),
      activeWindowHours: this.opts.activeWindowHours,
      clock: clock(now),
      account: this.opts.account,
      banner: this.banner,
      status: this.ui.typing ? `/${this.ui.query}▏  Enter keeps · Esc clears` : (this.flashText(time) ?? this.status),
      popups,
      still: this.opts.still,
      mono: this.opts.mono ?? false,
    };
    drawFrame(c, frame, lay, this.hits, this.ui, time);
  }

  /** `f()` for `slot`, made again only when `key` changed (see Memos). */
  private memo<T>(slot: string, key: string, f: () => T): T {
    return this.memos.get(slot, key, f);
  }

  /** A session that is not in the active list (opened from a slice), read from the store once per second and change. */
  private inactiveSession(now: number, live: LiveView, sessionId: string): SessionView | null {
    return this.memos.get(
      "inactiveSession",
      `${this.q.version()}|${Math.floor(now / 1000)}|${live.window.from}|${live.window.bucketMinutes}|${sessionId}`,
      () => {
        const hours = (live.window.to - live.window.from) / 3_600_000;
        return selectSession(
          this.q,
          {
            now,
            windowHours: hours > 0 ? hours : this.liveHours(),
            bucketMinutes: live.window.bucketMinutes,
            activeWindowHours: this.opts.activeWindowHours,
            priceOverride: this.opts.priceOverride,
          },
          sessionId,
        );
      },
    );
  }

  /** LIVE's view with its sessions as the user arranged them (sorted, searched, one project). */
  private arranged(v: LiveView): LiveView {
    const { sessionSort: sort, query, project } = this.ui;
    if (sort === "last" && query === "" && project === null) return v;
    return { ...v, sessions: arrangeSessions(v.sessions, { sort, query, project }) };
  }

  private flashText(time: number): string | null {
    const t = flashFor(this.flash, time);
    if (t === null) this.flash = null;
    return t;
  }

  /** What was copied since the last call (the live runner writes it to the terminal as OSC 52). */
  takeClipboard(): string | null {
    const t = this.clipboard;
    this.clipboard = null;
    return t;
  }

  /** y and r in a session's detail: its id, or the command that resumes it. */
  private copy(what: "id" | "resume"): void {
    const top = this.ui.popups[this.ui.popups.length - 1];
    if (top?.kind !== "session") return;
    const id = top.sessionId;
    // (a session id from a transcript is untrusted: one with anything but letters, digits, '.', '_', ':' and '-' — a
    // newline that runs a pasted command, an escape, a redacted secret — is never put on the clipboard)
    if (!/^[\w.:-]+$/.test(id) || redact(id) !== id) {
      this.flash = { text: "not copied: this session's id holds characters that are not safe to paste", until: null };
      return;
    }
    this.clipboard = what === "id" ? id : `claude --resume ${id}`;
    this.flash = { text: `copied ${cleanText(this.clipboard, 80)}`, until: null };
  }

  /** The view on screen as files, when `e` asked for them since the last call (the live runner writes them). */
  takeExport(): ViewExport | null {
    if (!this.pendingExport || !this.lastFrame) return null;
    this.pendingExport = false;
    const f = this.lastFrame;
    if (this.ui.tab === "history" && f.history) return exportHistory(f.history.view, f.now);
    if (this.ui.tab === "insights" && f.insights) {
      const { view: _v, demo: _d, diagnostics: _g, ...panels } = insightsJson(f.insights, null, false);
      return exportInsights(f.insights, panels, f.now);
    }
    return exportLive(f.live, f.now);
  }

  /** A line for the footer for a moment ("exported …", "export failed: …"). */
  notify(text: string): void {
    this.flash = { text, until: null };
  }

  dispatch(a: UiAction): void {
    if (a.type === "copy") return this.copy(a.what);
    if (a.type === "export") {
      this.pendingExport = true;
      return;
    }
    const lay = this.lay;
    const shown = this.memos.last<LiveView>("live");
    const sessions = shown ? this.arranged(shown).sessions : [];
    this.ui = reduceUi(this.ui, a, {
      sessionIds: sessions.map((s) => s.sessionId),
      sessionProjects: sessions.map((s) => s.project),
      sessionRows: lay ? sessionRows(lay.sessions) : 1,
      users: this.memos.last<InsightsView>("insights")?.knownUsers ?? [],
      prometheus: this.prom !== null,
    });
  }

  key(k: KeyPress): void {
    const a = keyAction(k, this.lay ? sessionRows(this.lay.sessions) : 10, this.ui.typing);
    // (a range step starts from the one chosen last, else from the span on screen)
    if (a?.type === "range") {
      const current =
        this.ui.tab === "history"
          ? (this.ui.historyHours ?? this.memos.last<HistoryFrame>("history")?.hours ?? this.historyHours())
          : (this.ui.liveHours ?? (this.lay ? this.shownHours(this.lay) : this.liveHours()));
      this.dispatch({ ...a, current });
    } else if (a) this.dispatch(a);
  }

  /** A click at (x, y) (0-based cells): the action of what was drawn there in the last frame. */
  click(x: number, y: number): void {
    const a = this.hits.at(x, y);
    if (!a) return;
    if (this.ui.typing) this.dispatch({ type: "endSearch", keep: true }); // (a click ends typing: keys are keys again)
    if (a.type === "openSession") {
      const shown = this.memos.last<LiveView>("live");
      const i = shown ? this.arranged(shown).sessions.findIndex((s) => s.sessionId === a.sessionId) : -1;
      if (i >= 0) this.dispatch({ type: "select", index: i });
    }
    this.dispatch(a);
  }
}

/**
 * The app's one cache: per slot, the last value and the key it was made for (the stored facts' version, the model's,
 * the second, the size, …); a value is made again only when its key changed.
 */
class Memos {
  private slots = new Map<string, { key: string; value: unknown }>();

  get<T>(slot: string, key: string, make: () => T): T {
    const m = this.slots.get(slot);
    if (m && m.key === key) return m.value as T;
    const value = make();
    this.slots.set(slot, { key, value });
    return value;
  }

  /** The value last made for `slot`, whatever its key (what the last frame showed). */
  last<T>(slot: string): T | undefined {
    return this.slots.get(slot)?.value as T | undefined;
  }

  forget(slot: string): void {
    this.slots.delete(slot);
  }

  clear(): void {
    this.slots.clear();
  }
}

/** (the footer's confirmation stays for 2.5 s of animation time from the frame that first shows it) */
function flashFor(flash: { text: string; until: number | null } | null, time: number): string | null {
  if (!flash) return null;
  flash.until ??= time + 2500;
  return time < flash.until ? flash.text : null;
}

function clock(now: number): string {
  const d = new Date(now);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.toDateString().slice(0, 10)} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
