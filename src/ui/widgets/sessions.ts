// ACTIVE SESSIONS: one row per session active in the active window, newest first; scrolls; click opens it.
import { rect, type Canvas, type Rect, type RGB } from "../canvas.ts";
import { cleanText } from "../../ingest/sanitize.ts";
import type { SessionView } from "../../model/selectors.ts";
import { compact, hhmm, usd } from "../format.ts";
import type { HitMap } from "../hits.ts";
import { fit, padLeft, padRight } from "../text.ts";
import { theme } from "../theme.ts";
import { drawBox } from "./box.ts";
import { fitColumns } from "./columns.ts";
import { lightColor } from "./context-light.ts";

export interface SessionsProps {
  sessions: readonly SessionView[];
  scroll: number;
  selected: number;
  time: number;
  activeWindowHours: number;
}

export function sessionLabel(s: SessionView): string {
  return cleanText(s.title ? `${s.project} · ${s.title}` : s.project, 80);
}

/** The fewest columns the project · title column gets before numeric columns are dropped. */
const TITLE_MIN = 12;

/** Rows of the list that fit in the panel. */
export function sessionRows(r: Rect): number {
  return Math.max(0, r.h - 3);
}

export function drawSessions(c: Canvas, r: Rect, p: SessionsProps, hits: HitMap): void {
  const note = p.sessions.length > 0 ? `${p.sessions.length} in the last ${p.activeWindowHours} h` : "";
  const inner = drawBox(c, r, { title: "ACTIVE SESSIONS", note });
  if (inner.h < 1 || inner.w < 20) return;
  if (p.sessions.length === 0) {
    c.text(inner.x + 1, inner.y, fit(`no session did anything in the last ${p.activeWindowHours} h`, inner.w - 2), { fg: theme.dim });
    return;
  }
  const wide = inner.w >= 130;
  // Numeric columns, left to right; on a narrow panel the ones with the lowest `keep` go first, so the title
  // keeps at least TITLE_MIN columns and nothing runs over the border.
  type Num = { head: string; w: number; keep: number; color: RGB; value: (s: SessionView) => string };
  const share = (s: SessionView) => {
    const all = s.mainFreshWindow + s.subFreshWindow;
    return s.subFreshWindow > 0 && all > 0 ? `${Math.round((100 * s.subFreshWindow) / all)}%` : "–";
  };
  const all: (Num & { wideOnly?: boolean })[] = [
    { head: "main 1h", w: 9, keep: 2, color: theme.main, value: (s) => compact(s.mainFresh1h) },
    { head: "sub 1h", w: 9, keep: 1, color: theme.sub, value: (s) => compact(s.subFresh1h) },
    { head: "sub%", w: 6, keep: 0, color: theme.sub, value: share, wideOnly: true },
    { head: "main win", w: 9, keep: 0, color: theme.main, value: (s) => compact(s.mainFreshWindow), wideOnly: true },
    { head: "sub win", w: 9, keep: 0, color: theme.sub, value: (s) => compact(s.subFreshWindow), wideOnly: true },
    { head: "eff win", w: 8, keep: 3, color: theme.accent, value: (s) => compact(s.effectiveTokens) },
    // (what a session cost is what users ask first: it stays when the token columns go)
    { head: "$ win", w: 8, keep: 4, color: theme.warn, value: (s) => usd(s.costUSD) },
  ];
  const base = [2, 6, 0, ...(wide ? [24] : []), 14];
  const nums = fitColumns(all.filter((n) => wide || !n.wideOnly), inner.w - 1 - TITLE_MIN - base.reduce((a, b) => a + b + 1, 0));
  const cols = [...base, ...nums.map((n) => n.w)];
  const headers = ["", "last", "project · title", ...(wide ? ["model"] : []), "context", ...nums.map((n) => n.head)];
  const fixed = cols.reduce((a, b) => a + b, 0) + cols.length;
  cols[2] = Math.max(TITLE_MIN, inner.w - fixed - 1);
  const xs: number[] = [];
  let x = inner.x + 1;
  for (const w of cols) {
    xs.push(x);
    x += w + 1;
  }
  const ctxCol = wide ? 4 : 3;
  headers.forEach((h, i) => {
    const right = i >= ctxCol;
    c.text(xs[i]!, inner.y, right ? padLeft(h, cols[i]!) : padRight(h, cols[i]!), { fg: theme.dim }, inner.x + inner.w - xs[i]!);
  });
  const rows = inner.h - 1;
  const list = p.sessions.slice(p.scroll, p.scroll + rows);
  list.forEach((s, k) => {
    const y = inner.y + 1 + k;
    const index = p.scroll + k;
    const selected = index === p.selected;
    const bg = selected ? theme.selection : undefined;
    if (selected) c.fill(rect(inner.x, y, inner.w, 1), { bg: theme.selection });
    hits.add(rect(inner.x, y, inner.w, 1), { type: "openSession", sessionId: s.sessionId });
    const st = (fg: typeof theme.text, bold = false) => ({ fg, bg, bold });
    if (s.apiErrorLast) c.text(xs[0]!, y, " !", st(theme.error, true));
    c.text(xs[1]!, y, padRight(hhmm(s.lastActivity), cols[1]!), st(theme.dim));
    c.text(xs[2]!, y, padRight(sessionLabel(s), cols[2]!), st(theme.text));
    const ctx = `${compact(s.contextTokens)}/${s.contextWindow >= 1_000_000 ? "1M" : "200k"}`;
    const light = lightColor(s.contextTokens, s.contextWindow, p.time);
    if (wide) c.text(xs[3]!, y, padRight(cleanText(s.model ?? "", 40).replace(/^claude-/, ""), cols[3]!), st(theme.dim));
    c.text(xs[ctxCol]!, y, padLeft(ctx, cols[ctxCol]! - 2), st(theme.text));
    c.cell(xs[ctxCol]! + cols[ctxCol]! - 1, y, "●", st(light));
    nums.forEach((n, j) => c.text(xs[ctxCol + 1 + j]!, y, padLeft(n.value(s), cols[ctxCol + 1 + j]!), st(n.color)));
  });
  if (p.sessions.length > rows) {
    const more = `${p.scroll + 1}–${Math.min(p.sessions.length, p.scroll + rows)} of ${p.sessions.length}`;
    c.text(inner.x + inner.w - more.length - 1, inner.y + inner.h, more, { fg: theme.dim });
  }
}
