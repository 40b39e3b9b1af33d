// ACTIVE SESSIONS: one row per session active in the active window, newest first; scrolls; click opens it.
import { rect, type Canvas, type Rect } from "../canvas.ts";
import { cleanText } from "../../ingest/sanitize.ts";
import type { SessionView } from "../../model/selectors.ts";
import { compact, hhmm } from "../format.ts";
import type { HitMap } from "../hits.ts";
import { fit, padLeft, padRight } from "../text.ts";
import { theme } from "../theme.ts";
import { drawBox } from "./box.ts";
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
  const cols = wide
    ? [2, 6, 0, 24, 14, 9, 9, 6, 9, 9, 8]
    : [2, 6, 0, 14, 9, 9, 8];
  const headers = wide
    ? ["", "last", "project · title", "model", "context", "main 1h", "sub 1h", "sub%", "main win", "sub win", "eff win"]
    : ["", "last", "project · title", "context", "main 1h", "sub 1h", "eff win"];
  const fixed = cols.reduce((a, b) => a + b, 0) + cols.length;
  cols[2] = Math.max(10, inner.w - fixed - 1);
  const xs: number[] = [];
  let x = inner.x + 1;
  for (const w of cols) {
    xs.push(x);
    x += w + 1;
  }
  headers.forEach((h, i) => {
    const right = i >= 4 || (!wide && i >= 3);
    c.text(xs[i]!, inner.y, right && i !== 2 ? padLeft(h, cols[i]!) : padRight(h, cols[i]!), { fg: theme.dim });
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
    const sub = s.subFreshWindow;
    const share = s.mainFreshWindow + sub > 0 ? Math.round((100 * sub) / (s.mainFreshWindow + sub)) : 0;
    const ctx = `${compact(s.contextTokens)}/${s.contextWindow >= 1_000_000 ? "1M" : "200k"}`;
    const light = lightColor(s.contextTokens, s.contextWindow, p.time);
    let i = 3;
    if (wide) c.text(xs[i++]!, y, padRight(cleanText(s.model ?? "", 40).replace(/^claude-/, ""), cols[3]!), st(theme.dim));
    const ctxCol = i++;
    c.text(xs[ctxCol]!, y, padLeft(ctx, cols[ctxCol]! - 2), st(theme.text));
    c.cell(xs[ctxCol]! + cols[ctxCol]! - 1, y, "●", st(light));
    const num = (v: string, color = theme.text) => {
      c.text(xs[i]!, y, padLeft(v, cols[i]!), st(color));
      i++;
    };
    num(compact(s.mainFresh1h), theme.main);
    num(compact(s.subFresh1h), theme.sub);
    if (wide) {
      num(sub > 0 ? `${share}%` : "–", theme.sub);
      num(compact(s.mainFreshWindow), theme.main);
      num(compact(s.subFreshWindow), theme.sub);
    }
    num(compact(s.effectiveTokens), theme.accent);
  });
  if (p.sessions.length > rows) {
    const more = `${p.scroll + 1}–${Math.min(p.sessions.length, p.scroll + rows)} of ${p.sessions.length}`;
    c.text(inner.x + inner.w - more.length - 1, inner.y + inner.h, more, { fg: theme.dim });
  }
}
