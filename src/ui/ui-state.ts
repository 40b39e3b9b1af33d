// UI state and its reducer: which tab, which overlays are open (a stack: q/Esc closes the top one), scroll
// positions and the selected session. Keys and clicks both become UiActions. Pure.

export type Tab = "live" | "history" | "insights";

export type Popup =
  | { kind: "help"; scroll: number }
  | { kind: "session"; sessionId: string; scroll: number }
  | { kind: "bucket"; start: number; scroll: number }
  | { kind: "hour"; weekday: number; hour: number; scroll: number }
  | { kind: "summary"; scroll: number }
  | { kind: "heatmap"; scroll: number }
  | { kind: "allowance"; scroll: number }
  | { kind: "insight"; id: string; scroll: number };

export interface UiState {
  tab: Tab;
  popups: Popup[];
  /** first visible row of the sessions list, and the selected row. */
  sessionScroll: number;
  selected: number;
  quit: boolean;
  /** INSIGHTS: first visible row of the page, the chosen window (null: --insights-hours), the projects' order. */
  insightsScroll: number;
  insightsHours: number | null;
  projectSort: "cost" | "prompts" | "responses" | "sessions";
  /** INSIGHTS: local transcripts, team telemetry or both; one user or all. */
  insightsSource: "local" | "team" | "both";
  insightsUser: string | null;
}

export type UiAction =
  | { type: "tab"; tab: Tab }
  | { type: "help" }
  | { type: "openSession"; sessionId: string }
  | { type: "openBucket"; start: number }
  | { type: "openHour"; weekday: number; hour: number }
  | { type: "panel"; panel: "summary" | "heatmap" }
  | { type: "allowance" }
  | { type: "openInsight"; id: string }
  | { type: "sortProjects"; by: "cost" | "prompts" | "responses" | "sessions" }
  | { type: "insightsWindow"; hours: number }
  | { type: "cycleSort" }
  | { type: "cycleSource" }
  | { type: "cycleUser" }
  | { type: "source"; source: "local" | "team" | "both" }
  | { type: "select"; index: number }
  | { type: "move"; delta: number }
  | { type: "scroll"; delta: number }
  | { type: "enter" }
  | { type: "back" }
  | { type: "quit" };

export interface UiContext {
  /** users known to INSIGHTS (team telemetry), for the user filter. */
  users?: readonly string[];
  /** ids of the rows of the sessions list, in order. */
  sessionIds: readonly string[];
  /** rows of the sessions list that fit on screen. */
  sessionRows: number;
}

export const initialUi: UiState = { tab: "live", popups: [], sessionScroll: 0, selected: 0, quit: false, insightsScroll: 0, insightsHours: null, projectSort: "cost", insightsSource: "both", insightsUser: null };

/** The windows INSIGHTS offers (keys 1–5). */
export const INSIGHT_WINDOWS = [1, 5, 24, 168, 720];
const SORTS = ["cost", "prompts", "responses", "sessions"] as const;

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

export function reduceUi(s: UiState, a: UiAction, ctx: UiContext): UiState {
  const top = s.popups[s.popups.length - 1];
  switch (a.type) {
    case "tab":
      return { ...s, tab: a.tab, popups: [] };
    case "help":
      return top?.kind === "help" ? { ...s, popups: s.popups.slice(0, -1) } : { ...s, popups: [...s.popups, { kind: "help", scroll: 0 }] };
    case "openSession":
      return { ...s, popups: [...s.popups, { kind: "session", sessionId: a.sessionId, scroll: 0 }] };
    case "openBucket":
      return { ...s, popups: [...s.popups, { kind: "bucket", start: a.start, scroll: 0 }] };
    case "openHour":
      return { ...s, popups: [...s.popups, { kind: "hour", weekday: a.weekday, hour: a.hour, scroll: 0 }] };
    case "openInsight":
      return { ...s, popups: [...s.popups, { kind: "insight", id: a.id, scroll: 0 }] };
    case "sortProjects":
      return { ...s, projectSort: a.by };
    case "cycleSource": {
      const order = ["both", "local", "team"] as const;
      return { ...s, insightsSource: order[(order.indexOf(s.insightsSource) + 1) % order.length]! };
    }
    case "source":
      return { ...s, insightsSource: a.source };
    case "cycleUser": {
      const users = ctx.users ?? [];
      if (users.length === 0) return { ...s, insightsUser: null };
      const i = s.insightsUser === null ? -1 : users.indexOf(s.insightsUser);
      return { ...s, insightsUser: i + 1 < users.length ? users[i + 1]! : null };
    }
    case "cycleSort":
      return { ...s, projectSort: SORTS[(SORTS.indexOf(s.projectSort) + 1) % SORTS.length]! };
    case "insightsWindow":
      return { ...s, insightsHours: a.hours, insightsScroll: 0 };
    case "allowance":
      return top?.kind === "allowance" ? s : { ...s, popups: [...s.popups, { kind: "allowance", scroll: 0 }] };
    case "panel":
      if (s.tab !== "history") return s;
      return top?.kind === a.panel ? { ...s, popups: s.popups.slice(0, -1) } : { ...s, popups: [...s.popups, { kind: a.panel, scroll: 0 }] };
    case "select":
      return follow({ ...s, selected: clamp(a.index, 0, Math.max(0, ctx.sessionIds.length - 1)) }, ctx);
    case "move":
      if (top) return { ...s, popups: [...s.popups.slice(0, -1), { ...top, scroll: Math.max(0, top.scroll + a.delta) }] };
      if (s.tab === "insights") return { ...s, insightsScroll: Math.max(0, s.insightsScroll + a.delta) };
      return follow({ ...s, selected: clamp(s.selected + a.delta, 0, Math.max(0, ctx.sessionIds.length - 1)) }, ctx);
    case "scroll":
      if (top) return { ...s, popups: [...s.popups.slice(0, -1), { ...top, scroll: Math.max(0, top.scroll + a.delta) }] };
      if (s.tab === "insights") return { ...s, insightsScroll: Math.max(0, s.insightsScroll + a.delta) };
      return follow({ ...s, selected: clamp(s.selected + a.delta, 0, Math.max(0, ctx.sessionIds.length - 1)) }, ctx);
    case "enter": {
      if (top) return s;
      const id = ctx.sessionIds[s.selected];
      return id === undefined ? s : { ...s, popups: [...s.popups, { kind: "session", sessionId: id, scroll: 0 }] };
    }
    case "back":
      // close the top overlay; then leave HISTORY/INSIGHTS for LIVE; then quit
      if (top) return { ...s, popups: s.popups.slice(0, -1) };
      return s.tab !== "live" ? { ...s, tab: "live" } : { ...s, quit: true };
    case "quit":
      return { ...s, quit: true };
  }
}

/** Keeps the selected row visible. */
function follow(s: UiState, ctx: UiContext): UiState {
  const rows = Math.max(1, ctx.sessionRows);
  let scroll = s.sessionScroll;
  if (s.selected < scroll) scroll = s.selected;
  if (s.selected >= scroll + rows) scroll = s.selected - rows + 1;
  scroll = clamp(scroll, 0, Math.max(0, ctx.sessionIds.length - rows));
  return scroll === s.sessionScroll ? s : { ...s, sessionScroll: scroll };
}

export interface KeyPress {
  name: string;
  ctrl?: boolean;
  shift?: boolean;
}

/** The action of a key, or null. Keys: ? help, L/H/I tabs, arrows j k PgUp PgDn, Enter, q/Esc back, Ctrl-C quit. */
export function keyAction(k: KeyPress, pageRows: number): UiAction | null {
  if (k.ctrl && k.name === "c") return { type: "quit" };
  switch (k.name) {
    case "?":
      return { type: "help" };
    case "l":
    case "L":
      return { type: "tab", tab: "live" };
    case "h":
    case "H":
      return { type: "tab", tab: "history" };
    case "i":
    case "I":
      return { type: "tab", tab: "insights" };
    case "up":
    case "k":
    case "K":
      return { type: "move", delta: -1 };
    case "down":
    case "j":
    case "J":
      return { type: "move", delta: 1 };
    case "pageup":
      return { type: "scroll", delta: -Math.max(1, pageRows) };
    case "pagedown":
      return { type: "scroll", delta: Math.max(1, pageRows) };
    case "return":
    case "enter":
      return { type: "enter" };
    case "q":
    case "Q":
    case "escape":
      return { type: "back" };
    case "1":
    case "2":
    case "3":
    case "4":
    case "5":
      return { type: "insightsWindow", hours: INSIGHT_WINDOWS[Number(k.name) - 1]! };
    case "o":
    case "O":
      return { type: "cycleSort" };
    case "t":
    case "T":
      return { type: "cycleSource" };
    case "u":
    case "U":
      return { type: "cycleUser" };
    case "s":
    case "S":
      return { type: "panel", panel: "summary" };
    case "m":
    case "M":
      return { type: "panel", panel: "heatmap" };
    default:
      return null;
  }
}
