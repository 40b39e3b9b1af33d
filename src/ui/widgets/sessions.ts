// ACTIVE SESSIONS: one row per session active in the active window, newest first; scrolls; click opens it.
import type { Canvas, Rect } from "../canvas.ts";
import { cleanText } from "../../shared/sanitize.ts";
import type { SessionView } from "../../model/selectors.ts";
import { compact, count, shortModel, usd, whenShort } from "../format.ts";
import type { HitMap } from "../hits.ts";
import { fit, padLeft } from "../text.ts";
import { theme } from "../theme.ts";
import { drawBox } from "./box.ts";
import { lightColor, lightGlyph } from "./context-light.ts";
import { drawTable, type Column } from "./table.ts";
import type { SessionSort } from "../../model/session-list.ts";

export interface SessionsProps {
  sessions: readonly SessionView[];
  scroll: number;
  selected: number;
  time: number;
  /** the data clock: "last" is a time today, a date before */
  now: number;
  /** colour is off: the selection in reverse video, context lights by shape */
  mono?: boolean;
  activeWindowHours: number;
  /** how the user arranged the list (said in the title; the sorted column's header is marked) */
  sort?: SessionSort;
  query?: string;
  project?: string | null;
}

/** Branches that name nothing in particular: a list does not repeat them on every row (the detail shows them). */
const DEFAULT_BRANCHES = new Set(["main", "master", "trunk", "HEAD"]);

/** How a session is named: its project and title (Claude Code's /rename), else its project and git branch. */
export function sessionLabel(s: SessionView): string {
  const branch = s.branch && !DEFAULT_BRANCHES.has(s.branch) ? s.branch : null;
  return cleanText(s.title ? `${s.project} · ${s.title}` : branch ? `${s.project} (${branch})` : s.project, 80);
}

/** Each session's name in a list; sessions that would share one get the start of their id after it. */
function sessionLabels(list: readonly SessionView[]): Map<string, string> {
  const base = new Map(list.map((s) => [s.sessionId, sessionLabel(s)] as const));
  const seen = new Map<string, number>();
  for (const l of base.values()) seen.set(l, (seen.get(l) ?? 0) + 1);
  return new Map([...base].map(([id, l]) => [id, (seen.get(l) ?? 0) > 1 ? `${l} · ${cleanText(id, 40).slice(0, 8)}` : l]));
}

/** The fewest columns the project · title column gets before numeric columns are dropped. */
const TITLE_MIN = 12;

/** Rows of the list that fit in the panel. */
export function sessionRows(r: Rect): number {
  return Math.max(0, r.h - 3);
}

export function drawSessions(c: Canvas, r: Rect, p: SessionsProps, hits: HitMap): void {
  const filters = [p.project ? `project ${cleanText(p.project, 40)}` : "", p.query ? `/${cleanText(p.query, 40)}` : ""].filter(Boolean).join(" · ");
  const note = [p.sessions.length > 0 ? `${count(p.sessions.length)} in the last ${p.activeWindowHours} h` : "", filters].filter(Boolean).join(" · ");
  const inner = drawBox(c, r, { title: "ACTIVE SESSIONS", note });
  if (inner.h < 1 || inner.w < 20) return;
  if (p.sessions.length === 0) {
    const why = filters ? `no active session matches ${filters} (Esc clears)` : `no session did anything in the last ${p.activeWindowHours} h`;
    c.text(inner.x + 1, inner.y, fit(why, inner.w - 2), { fg: theme.dim });
    return;
  }
  const wide = inner.w >= 130;
  const labels = sessionLabels(p.sessions);
  const sorted = (cols: Column<SessionView>[]) =>
    cols.map((col) => {
      const by = SORT_OF[col.head];
      return by ? { ...col, onHead: { type: "sortSessions" as const, by }, active: p.sort !== undefined && p.sort !== "last" && by === p.sort } : col;
    });
  drawTable(
    c,
    inner,
    {
      columns: sorted(sessionColumns(wide, p.time, labels, p.now, p.mono ?? false)),
      rows: p.sessions,
      scroll: p.scroll,
      selected: p.selected,
      mono: p.mono,
      margin: 1,
      onRow: (s) => ({ type: "openSession", sessionId: s.sessionId }),
      countOnBorder: true,
    },
    hits,
  );
}

/** The columns a click on the header sorts by (the list is by last activity until then). */
const SORT_OF: Record<string, SessionSort> = { last: "last", context: "context", "eff win": "effective", "$ win": "cost" };

/** What each column means, for the help (a test checks every column has its line). */
export const SESSION_COLUMN_HELP: [string, string][] = [
  ["last", "the session's last action: a time today, a date before"],
  ["project · title", "the folder it runs in and its /rename title (else a branch other than main; the start of its id when two would look alike)"],
  ["model", "the main thread's model, short name"],
  ["context", "tokens in the main thread's context now, of its window (200k or 1M), with its light"],
  ["main 1h", "fresh tokens (uncached + cache writes) of the main thread in the last hour"],
  ["sub 1h", "fresh tokens of its subagents in the last hour"],
  ["sub%", "the subagents' share of the fresh tokens in the window"],
  ["main win", "fresh tokens of the main thread in the window"],
  ["sub win", "fresh tokens of its subagents in the window"],
  ["eff win", "effective tokens in the window (subagents included)"],
  ["$ win", "what it cost in the window (subagents included)"],
];

/** The headers of every column the table can show (the widest screen's). */
export function sessionColumnHeads(): string[] {
  return sessionColumns(true, 0, new Map(), 0, false)
    .map((c) => c.head)
    .filter((h) => h !== "");
}

const share = (s: SessionView) => {
  const all = s.mainFreshWindow + s.subFreshWindow;
  return s.subFreshWindow > 0 && all > 0 ? `${Math.round((100 * s.subFreshWindow) / all)}%` : "–";
};

/**
 * ACTIVE SESSIONS' columns, left to right. The title takes the room left (at least TITLE_MIN); on a narrow panel the
 * numeric columns with the lowest `keep` go first; model and the per-window split only on a wide one.
 */
function sessionColumns(wide: boolean, time: number, labels: Map<string, string>, now: number, mono: boolean): Column<SessionView>[] {
  const cols: (Column<SessionView> | false)[] = [
    { head: "", w: 2, color: theme.error, bold: true, value: () => "", draw: (c, x, y, _w, s, st) => void (s.apiErrorLast && c.text(x, y, " !", st)) },
    { head: "last", w: 6, color: theme.dim, value: (s) => whenShort(s.lastActivity, now) },
    { head: "project · title", w: TITLE_MIN, flex: true, color: theme.text, value: (s) => labels.get(s.sessionId) ?? sessionLabel(s) },
    wide && { head: "model", w: 16, color: theme.dim, value: (s) => shortModel(cleanText(s.model ?? "", 40)) },
    {
      head: "context",
      w: 14,
      align: "right",
      color: theme.text,
      value: (s) => `${compact(s.contextTokens)}/${s.contextWindow >= 1_000_000 ? "1M" : "200k"}`,
      draw: (c, x, y, w, s, st) => {
        c.text(x, y, padLeft(`${compact(s.contextTokens)}/${s.contextWindow >= 1_000_000 ? "1M" : "200k"}`, w - 2), st);
        c.cell(x + w - 1, y, mono ? lightGlyph(s.contextTokens, s.contextWindow) : "●", {
          fg: lightColor(s.contextTokens, s.contextWindow, time),
          bg: st.bg,
          bold: st.bold,
          reverse: st.reverse,
        });
      },
    },
    { head: "main 1h", w: 9, keep: 2, align: "right", color: theme.main, value: (s) => compact(s.mainFresh1h) },
    { head: "sub 1h", w: 9, keep: 1, align: "right", color: theme.sub, value: (s) => compact(s.subFresh1h) },
    wide && { head: "sub%", w: 6, keep: 0, align: "right", color: theme.sub, value: share },
    wide && { head: "main win", w: 9, keep: 0, align: "right", color: theme.main, value: (s) => compact(s.mainFreshWindow) },
    wide && { head: "sub win", w: 9, keep: 0, align: "right", color: theme.sub, value: (s) => compact(s.subFreshWindow) },
    { head: "eff win", w: 8, keep: 3, align: "right", color: theme.accent, value: (s) => compact(s.effectiveTokens) },
    // (what a session cost is what users ask first: it stays when the token columns go)
    { head: "$ win", w: 8, keep: 4, align: "right", color: theme.warn, value: (s) => usd(s.costUSD) },
  ];
  return cols.filter((c): c is Column<SessionView> => c !== false);
}
