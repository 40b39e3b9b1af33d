// UI state and its reducer: which tab, which overlays are open (a stack: q/Esc closes the top one), scroll
// positions and the selected session. Keys and clicks both become UiActions. Pure.
import { SESSION_SORTS, type SessionSort } from "../model/session-list.ts";

export type Tab = "live" | "history" | "insights";

type Popup =
  | { kind: "help"; scroll: number }
  | { kind: "session"; sessionId: string; scroll: number }
  | { kind: "slice"; start: number; scroll: number }
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
  /** the selected session: the selection follows it when the list reorders (see followSelection). */
  selectedId: string | null;
  quit: boolean;
  /** INSIGHTS: first visible row of the page, the chosen window (null: --insights-hours), the projects' order. */
  insightsScroll: number;
  insightsHours: number | null;
  projectSort: "cost" | "prompts" | "responses" | "sessions";
  /** INSIGHTS: local transcripts, team telemetry or both; one user or all. */
  insightsSource: "local" | "team" | "both" | "prometheus";
  insightsUser: string | null;
  /** the sessions list (and a slice's rows): sorted by, searched for (typing: the search line takes the keys), one project */
  sessionSort: SessionSort;
  query: string;
  typing: boolean;
  project: string | null;
  /** LIVE's window and HISTORY's span as stepped with [ ] (null: the flags') */
  liveHours: number | null;
  historyHours: number | null;
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
  | { type: "source"; source: "local" | "team" | "both" | "prometheus" }
  | { type: "select"; index: number }
  | { type: "move"; delta: number }
  | { type: "scroll"; delta: number }
  | { type: "enter" }
  | { type: "back" }
  /** like back, but never quits (Esc) */
  | { type: "close" }
  | { type: "quit" }
  /** a click that lands on an open panel where nothing is clickable: it stays open */
  | { type: "none" }
  | { type: "sortSessions"; by: SessionSort }
  | { type: "search" }
  | { type: "type"; text: string }
  | { type: "erase" }
  | { type: "endSearch"; keep: boolean }
  | { type: "toggleProject" }
  /** step the window of LIVE or HISTORY through RANGES (given the current hours) */
  | { type: "range"; step: 1 | -1; current: number }
  /** in a session's detail: copy its id, or the command that resumes it (the app hands it to the terminal) */
  | { type: "copy"; what: "id" | "resume" }
  /** write the view on screen to files (the app hands them to the runner) */
  | { type: "export" };

interface UiContext {
  /** users known to INSIGHTS (team telemetry), for the user filter. */
  users?: readonly string[];
  /** ids of the rows of the sessions list, in order. */
  sessionIds: readonly string[];
  /** rows of the sessions list that fit on screen. */
  sessionRows: number;
  /** the project of each row of the sessions list (for p) */
  sessionProjects?: readonly string[];
  /** --prometheus named an engine (t offers it) */
  prometheus?: boolean;
}

export const initialUi: UiState = {
  tab: "live",
  popups: [],
  sessionScroll: 0,
  selected: 0,
  selectedId: null,
  quit: false,
  insightsScroll: 0,
  insightsHours: null,
  projectSort: "cost",
  insightsSource: "both",
  insightsUser: null,
  sessionSort: "last",
  query: "",
  typing: false,
  project: null,
  liveHours: null,
  historyHours: null,
};

/** The windows [ and ] step LIVE and HISTORY through. */
const RANGES = [1, 5, 12, 24, 168, 720];

/** The next range up or down from `hours` (a window between two steps goes to the nearer one in that direction). */
export function stepRange(hours: number, step: 1 | -1): number {
  // (no step that way — already past the last one — leaves the window as it is)
  if (step > 0) return RANGES.find((r) => r > hours + 1e-9) ?? hours;
  return [...RANGES].reverse().find((r) => r < hours - 1e-9) ?? hours;
}

/** The windows INSIGHTS offers (keys 1–5). */
export const INSIGHT_WINDOWS = [1, 5, 24, 168, 720];
const SORTS = ["cost", "prompts", "responses", "sessions"] as const;

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

export function reduceUi(s: UiState, a: UiAction, ctx: UiContext): UiState {
  return popupsAfter(s, a, ctx) ?? insightsAfter(s, a, ctx) ?? listAfter(s, a, ctx) ?? s;
}

/** Tabs and popups: opening, closing, backing out, quitting. Null for an action of another kind. */
function popupsAfter(s: UiState, a: UiAction, ctx: UiContext): UiState | null {
  const top = s.popups[s.popups.length - 1];
  const push = (p: Popup): UiState => ({ ...s, popups: [...s.popups, p] });
  const pop = (): UiState => ({ ...s, popups: s.popups.slice(0, -1) });
  switch (a.type) {
    case "tab":
      return { ...s, tab: a.tab, popups: [] };
    case "help":
      return top?.kind === "help" ? pop() : push({ kind: "help", scroll: 0 });
    case "openSession":
      return push({ kind: "session", sessionId: a.sessionId, scroll: 0 });
    case "openBucket":
      return push({ kind: "slice", start: a.start, scroll: 0 });
    case "openHour":
      return push({ kind: "hour", weekday: a.weekday, hour: a.hour, scroll: 0 });
    case "openInsight":
      return push({ kind: "insight", id: a.id, scroll: 0 });
    case "allowance":
      return top?.kind === "allowance" ? pop() : push({ kind: "allowance", scroll: 0 });
    case "panel":
      if (s.tab !== "history") return s;
      return top?.kind === a.panel ? pop() : push({ kind: a.panel, scroll: 0 });
    case "enter": {
      if (top) return s;
      const id = ctx.sessionIds[indexOf(s, ctx)];
      return id === undefined ? s : push({ kind: "session", sessionId: id, scroll: 0 });
    }
    case "back":
      // close the top overlay; then leave HISTORY/INSIGHTS for LIVE; then quit
      if (top) return pop();
      return s.tab !== "live" ? { ...s, tab: "live" } : { ...s, quit: true };
    case "close":
      if (top) return pop();
      if (s.query !== "" || s.project !== null) return { ...s, query: "", project: null }; // (Esc clears a search and a filter first)
      return s.tab !== "live" ? { ...s, tab: "live" } : s;
    case "quit":
      return { ...s, quit: true };
    default:
      return null;
  }
}

/** INSIGHTS' choices: its window, its source, one user, the projects' order. Null for an action of another kind. */
function insightsAfter(s: UiState, a: UiAction, ctx: UiContext): UiState | null {
  switch (a.type) {
    case "sortProjects":
      return { ...s, projectSort: a.by };
    case "cycleSource": {
      // (a team's engine is one of the sources when --prometheus names one)
      const order: readonly UiState["insightsSource"][] = ctx.prometheus ? ["both", "local", "team", "prometheus"] : ["both", "local", "team"];
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
    case "insightsWindow":
      return { ...s, insightsHours: a.hours, insightsScroll: 0 };
    default:
      return null;
  }
}

/** The sessions list (and a slice's rows): selection, scrolling, sorting, search, one project, the window's span. */
function listAfter(s: UiState, a: UiAction, ctx: UiContext): UiState | null {
  const top = s.popups[s.popups.length - 1];
  switch (a.type) {
    case "cycleSort":
      // (INSIGHTS sorts its projects; LIVE and HISTORY the sessions and a slice's rows)
      if (s.tab === "insights") return { ...s, projectSort: SORTS[(SORTS.indexOf(s.projectSort) + 1) % SORTS.length]! };
      return { ...s, sessionSort: SESSION_SORTS[(SESSION_SORTS.indexOf(s.sessionSort) + 1) % SESSION_SORTS.length]! };
    case "range": {
      if (s.tab === "insights") return s;
      const hours = stepRange(a.current, a.step);
      return s.tab === "history" ? { ...s, historyHours: hours, popups: [] } : { ...s, liveHours: hours, popups: [] };
    }
    case "sortSessions":
      return { ...s, sessionSort: a.by };
    case "search":
      return { ...s, typing: true };
    case "type":
      return { ...s, query: (s.query + a.text).slice(0, 80), sessionScroll: 0 };
    case "erase":
      return { ...s, query: [...s.query].slice(0, -1).join("") };
    case "endSearch":
      return { ...s, typing: false, query: a.keep ? s.query : "" };
    case "toggleProject": {
      if (s.project !== null) return { ...s, project: null };
      if (s.tab !== "live") return s; // (the selected session is LIVE's)
      const p = ctx.sessionProjects?.[indexOf(s, ctx)];
      return p === undefined ? s : { ...s, project: p };
    }
    case "select":
      return pick(s, a.index, ctx);
    case "move":
    case "scroll":
      if (top) return { ...s, popups: [...s.popups.slice(0, -1), { ...top, scroll: Math.max(0, top.scroll + a.delta) }] };
      if (s.tab === "insights") return { ...s, insightsScroll: Math.max(0, s.insightsScroll + a.delta) };
      return pick(s, indexOf(s, ctx) + a.delta, ctx);
    default:
      return null;
  }
}

/** Where the selected session is in the list now (its old row when it left the list). */
function indexOf(s: UiState, ctx: UiContext): number {
  const i = s.selectedId === null ? -1 : ctx.sessionIds.indexOf(s.selectedId);
  return i >= 0 ? i : clamp(s.selected, 0, Math.max(0, ctx.sessionIds.length - 1));
}

/** Selects the row at `index` (clamped) and the session on it. */
function pick(s: UiState, index: number, ctx: UiContext): UiState {
  const selected = clamp(index, 0, Math.max(0, ctx.sessionIds.length - 1));
  return follow({ ...s, selected, selectedId: ctx.sessionIds[selected] ?? null }, ctx);
}

/**
 * The selection after the list changed: it stays on its session, wherever that session moved (a session that
 * gets a new line goes to the top; the others move down). A session that left the list gives its row to the one
 * now on it.
 */
export function followSelection(s: UiState, ctx: UiContext): UiState {
  const selected = indexOf(s, ctx);
  const selectedId = ctx.sessionIds[selected] ?? null;
  if (selected === s.selected && selectedId === s.selectedId) return s;
  return follow({ ...s, selected, selectedId }, ctx);
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

/** One row of the key table: the keys it binds (each to an action), and how the help overlay shows it. */
interface KeyBinding {
  /** as the help shows it, e.g. "L  H  I" */
  label: string;
  help: string;
  /** key name (as KeyPress names it; "ctrl+c" for Ctrl-C) → its action, given the rows of a page */
  bind: Record<string, (pageRows: number) => UiAction>;
  /** the footer's short hints for it, on the screens where it does something there (see footerHints) */
  footer?: readonly FooterHint[];
}

/** One hint in the footer: on which screen, what to press (short), what it does (short), and where in the row. */
interface FooterHint {
  on: Tab;
  key: string;
  hint: string;
  at: number;
}

/** Hints for what a click does (no key binds it). */
const CLICK_HINTS: readonly FooterHint[] = [
  { on: "live", key: "click", hint: "bar · session · tab", at: 4 },
  { on: "insights", key: "click", hint: "full screen", at: 3 },
  { on: "history", key: "click", hint: "bar · hour", at: 2 },
];

/** The footer's hints on a screen, in order: from the key bindings that say where they act (KEYS), and the clicks. */
export function footerHints(tab: Tab): [string, string][] {
  return [...KEYS.flatMap((k) => k.footer ?? []), ...CLICK_HINTS]
    .filter((h) => h.on === tab)
    .sort((a, b) => a.at - b.at)
    .map((h) => [h.key, h.hint]);
}

const both = (key: string, action: (pageRows: number) => UiAction) => ({ [key.toLowerCase()]: action, [key.toUpperCase()]: action });

/** Every key: the reducer's bindings and the help overlay's KEYS section come from this one table. */
export const KEYS: readonly KeyBinding[] = [
  {
    label: "?",
    help: "open or close this help",
    bind: { "?": () => ({ type: "help" }) },
    footer: [
      { on: "live", key: "?", hint: "help", at: 1 },
      { on: "insights", key: "?", hint: "help", at: 1 },
      { on: "history", key: "?", hint: "help", at: 1 },
    ],
  },
  {
    label: "L  H  I",
    help: "LIVE, HISTORY, INSIGHTS tabs (or click a tab)",
    bind: {
      ...both("l", () => ({ type: "tab", tab: "live" })),
      ...both("h", () => ({ type: "tab", tab: "history" })),
      ...both("i", () => ({ type: "tab", tab: "insights" })),
    },
    footer: [{ on: "live", key: "L H I", hint: "tabs", at: 5 }],
  },
  {
    label: "↑ ↓  j k",
    help: "move the selection; scroll an open panel",
    bind: {
      up: () => ({ type: "move", delta: -1 }),
      ...both("k", () => ({ type: "move", delta: -1 })),
      down: () => ({ type: "move", delta: 1 }),
      ...both("j", () => ({ type: "move", delta: 1 })),
    },
    footer: [
      { on: "live", key: "↑↓", hint: "select", at: 2 },
      { on: "insights", key: "↑↓", hint: "scroll", at: 5 },
    ],
  },
  {
    label: "PgUp PgDn",
    help: "scroll a page",
    bind: { pageup: (rows) => ({ type: "scroll", delta: -Math.max(1, rows) }), pagedown: (rows) => ({ type: "scroll", delta: Math.max(1, rows) }) },
  },
  {
    label: "Enter",
    help: "open the selected session",
    bind: { return: () => ({ type: "enter" }), enter: () => ({ type: "enter" }) },
    footer: [{ on: "live", key: "Enter", hint: "open", at: 3 }],
  },
  { label: "a", help: "ALLOWANCE: the subscription's limits and resets (or click the 5h · wk badge)", bind: both("a", () => ({ type: "allowance" })) },
  {
    label: "S  M",
    help: "HISTORY on a small screen: the summary, the activity map",
    bind: { ...both("s", () => ({ type: "panel", panel: "summary" })), ...both("m", () => ({ type: "panel", panel: "heatmap" })) },
    footer: [
      { on: "history", key: "S", hint: "summary", at: 3 },
      { on: "history", key: "M", hint: "activity map", at: 4 },
    ],
  },
  {
    label: "1 2 3 4 5",
    help: "INSIGHTS window: 1 h, 5 h, 24 h, 7 d, 30 d",
    bind: Object.fromEntries(INSIGHT_WINDOWS.map((hours, i) => [String(i + 1), () => ({ type: "insightsWindow", hours }) as UiAction])),
    footer: [{ on: "insights", key: "1–5", hint: "window", at: 2 }],
  },
  {
    label: "o",
    help: "sort by the next column: sessions by last activity, cost, effective tokens or context (or click a header); INSIGHTS: its projects",
    bind: both("o", () => ({ type: "cycleSort" })),
    footer: [{ on: "insights", key: "o", hint: "sort projects", at: 4 }],
  },
  {
    label: "[ ]  - +",
    help: "LIVE and HISTORY: a shorter or longer window (1 h, 5 h, 12 h, 24 h, 7 d, 30 d)",
    bind: {
      "[": () => ({ type: "range", step: -1, current: NaN }),
      "-": () => ({ type: "range", step: -1, current: NaN }),
      "]": () => ({ type: "range", step: 1, current: NaN }),
      "+": () => ({ type: "range", step: 1, current: NaN }),
      "=": () => ({ type: "range", step: 1, current: NaN }),
    },
  },
  {
    label: "y  r",
    help: "in a session's detail: copy its id, or claude --resume <id> (to the clipboard, through the terminal)",
    bind: { y: () => ({ type: "copy", what: "id" }), r: () => ({ type: "copy", what: "resume" }) },
  },
  {
    label: "e",
    help: "export the view on screen: its table as CSV and its numbers as JSON, into the current folder (or --export-dir)",
    bind: both("e", () => ({ type: "export" })),
  },
  {
    label: "/",
    help: "search sessions (titles, projects, branches, ids) as you type; Enter keeps it, Esc clears it",
    bind: { "/": () => ({ type: "search" }) },
  },
  { label: "p", help: "only the selected session's project (p again: all)", bind: both("p", () => ({ type: "toggleProject" })) },
  { label: "t", help: "INSIGHTS: data from local transcripts, team telemetry or both", bind: both("t", () => ({ type: "cycleSource" })) },
  { label: "u", help: "INSIGHTS with team telemetry: one user, or all", bind: both("u", () => ({ type: "cycleUser" })) },
  { label: "Esc", help: "close the top panel; then clear a search or filter; then back to LIVE (never quits)", bind: { escape: () => ({ type: "close" }) } },
  {
    label: "q",
    help: "close the top panel; then back to LIVE; then quit",
    bind: both("q", () => ({ type: "back" })),
    footer: [
      { on: "live", key: "q", hint: "back/quit", at: 6 },
      { on: "insights", key: "L q", hint: "back to LIVE", at: 6 },
      { on: "history", key: "L q", hint: "back to LIVE", at: 5 },
    ],
  },
  { label: "Ctrl-C", help: "quit", bind: { "ctrl+c": () => ({ type: "quit" }) } },
];

const BINDINGS = new Map(KEYS.flatMap((k) => Object.entries(k.bind)));

/** The action of a key (see KEYS), or null. While a search is typed, printable keys go to it. */
export function keyAction(k: KeyPress, pageRows: number, typing = false): UiAction | null {
  if (typing && !k.ctrl) {
    if (k.name === "escape") return { type: "endSearch", keep: false };
    if (k.name === "return" || k.name === "enter") return { type: "endSearch", keep: true };
    if (k.name === "backspace") return { type: "erase" };
    if (k.name === "space") return { type: "type", text: " " };
    if ([...k.name].length === 1) return { type: "type", text: k.name };
  }
  const name = k.ctrl ? `ctrl+${k.name.toLowerCase()}` : k.name;
  return BINDINGS.get(name)?.(pageRows) ?? null;
}
