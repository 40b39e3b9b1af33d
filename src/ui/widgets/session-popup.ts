// A session's detail: its own three charts, model, context, effective tokens, Claude Code's own figure for it beside
// ours, the subagents that ran in the window, and its last API error.
import { rect, type Canvas, type Rect, type RGB } from "../canvas.ts";
import { cleanText } from "../../shared/sanitize.ts";
import type { Bucket, SessionView } from "../../model/selectors.ts";
import { compact, hhmm, shortModel, usd } from "../format.ts";
import { HitMap } from "../hits.ts";
import { fit, padLeft, padRight, textWidth, wrap } from "../text.ts";
import { theme } from "../theme.ts";
import { chartSeries } from "./chart-series.ts";
import { drawChart } from "./chart.ts";
import { lightColor } from "./context-light.ts";
import { drawOverlay, overlayRect } from "./overlay.ts";
import { sessionLabel } from "./sessions.ts";

/** "+12.5 %", "-0.3 %" (to a tenth). */
const percent = (p: number): string => {
  const r = Math.round(p * 10) / 10;
  return `${r < 0 ? "-" : "+"}${Math.abs(r).toFixed(1)} %`;
};

interface SessionPopupProps {
  session: SessionView;
  buckets: readonly Bucket[];
  time: number;
  scroll: number;
}

/** Draws the session's detail; returns the overlay's rectangle. */
export function drawSessionPopup(c: Canvas, p: SessionPopupProps): Rect {
  const r = overlayRect(c, 110, 40);
  drawDetail(c, drawOverlay(c, r, fit(sessionLabel(p.session), 60), "q closes"), p);
  return r;
}

function drawDetail(c: Canvas, inner: Rect, p: SessionPopupProps): void {
  const s = p.session;
  if (inner.h < 4) return;
  let y = drawFacts(c, inner, p);
  y = drawClaudeCode(c, inner, y, s);
  const agentsH = Math.min(s.subagents.length + 1, 6) + 1;
  // The last API error in full (wrapped, up to 6 lines), not cut at the panel's width.
  const errorLines = s.lastApiError
    ? wrap(
        `last API error ${hhmm(s.lastApiError.time)}${s.lastApiError.status ? ` (${s.lastApiError.status})` : ""}: ${cleanText(s.lastApiError.message, 600)}`,
        inner.w - 2,
      ).slice(0, 6)
    : [];
  const errorH = errorLines.length > 0 ? errorLines.length + 1 : 0;
  const chartsH = inner.y + inner.h - y - agentsH - errorH;
  const noHits = new HitMap(); // bars in a popup are not clickable
  if (chartsH >= 6) {
    const each = Math.floor(chartsH / 3);
    chartSeries(p.buckets).forEach((spec, i) => {
      drawChart(c, rect(inner.x, y + i * each, inner.w, each), { ...spec, time: p.time }, noHits);
    });
    y += each * 3;
  }
  if (errorLines.length > 0) {
    for (const line of errorLines)
      if (y < inner.y + inner.h) c.text(inner.x + 1, y++, line, { fg: s.apiErrorLast ? theme.error : theme.dim, bg: theme.panel }, inner.w - 2);
    y++;
  }
  if (y >= inner.y + inner.h) return;
  drawSubagents(c, inner, y, p);
}

/** The session's facts as label–value pairs; the row below them. */
function drawFacts(c: Canvas, inner: Rect, p: SessionPopupProps): number {
  const s = p.session;
  let y = inner.y;
  // Label–value pairs flow left to right and wrap to a new line rather than run over the border.
  const right = inner.x + inner.w - 1;
  const flow = (items: readonly [string, string, RGB][]) => {
    let x = inner.x + 1;
    for (const [k, v, fg] of items) {
      const w = textWidth(`${k} ${v}`);
      if (x > inner.x + 1 && x + w > right) {
        y++;
        x = inner.x + 1;
      }
      const used = c.text(x, y, `${k} `, { fg: theme.dim, bg: theme.panel }, right - x);
      x += used + c.text(x + used, y, v, { fg, bg: theme.panel, bold: true }, right - x - used) + 3;
    }
    y++;
  };
  flow([
    ["model", cleanText(s.model ?? "?", 40), theme.text],
    ["context", `${compact(s.contextTokens)} of ${s.contextWindow >= 1_000_000 ? "1M" : "200k"}`, lightColor(s.contextTokens, s.contextWindow, p.time)],
    ["effective", compact(s.effectiveTokens), theme.accent],
    ["cost", usd(s.costUSD), theme.warn],
    ["last", hhmm(s.lastActivity), theme.text],
  ]);
  // (which session this is: its id to resume it by, where it ran)
  flow([
    ["session", cleanText(s.sessionId, 60), theme.text],
    ...(s.branch ? [["branch", cleanText(s.branch, 60), theme.text] as [string, string, RGB]] : []),
    ["in", cleanText(s.cwd ?? "?", 120), theme.dim],
  ]);
  flow([
    ["fresh 1 h: main", compact(s.mainFresh1h), theme.main],
    ["sub", compact(s.subFresh1h), theme.sub],
    ["window: main", compact(s.mainFreshWindow), theme.main],
    ["sub", compact(s.subFreshWindow), theme.sub],
  ]);
  return y;
}

/**
 * Claude Code's own figure for the session beside ours (the whole session, not the window), and when they differ by
 * more than 1 %, why (wrapped, up to 3 lines); the row below.
 */
function drawClaudeCode(c: Canvas, inner: Rect, y: number, s: SessionView): number {
  const cc = s.claudeCode;
  if (!cc) return y;
  const why = cc.differs ? `: ${cc.causes.map((x) => cleanText(x, 300)).join("; ")}` : "";
  const lines = wrap(
    `Claude Code ${usd(cc.claudeCodeUSD)} (ours ${usd(cc.oursUSD)}${cc.deltaPercent === null ? "" : `, ${percent(cc.deltaPercent)}`}${why})`,
    inner.w - 2,
  ).slice(0, 3);
  for (const line of lines)
    if (y < inner.y + inner.h) c.text(inner.x + 1, y++, line, { fg: cc.differs ? theme.warn : theme.dim, bg: theme.panel }, inner.w - 2);
  return y;
}

/** The session's subagents from row `y`: id, model (when it fits), peak context, effective tokens, cost. */
function drawSubagents(c: Canvas, inner: Rect, top: number, p: SessionPopupProps): void {
  const s = p.session;
  let y = top;
  if (s.subagents.length === 0) {
    c.text(inner.x + 1, y, "no subagents in this window", { fg: theme.dim, bg: theme.panel });
    return;
  }
  const withModel = inner.w >= 80; // the model column goes first when the table would not fit
  const idW = Math.max(8, Math.min(22, inner.w - 2 - (withModel ? 27 : 0) - 37));
  c.text(
    inner.x + 1,
    y,
    `${padRight("subagent", idW)} ${withModel ? `${padRight("model", 26)} ` : ""}${padLeft("peak context", 14)}   ${padLeft("effective", 10)} ${padLeft("cost", 9)}`,
    { fg: theme.dim, bg: theme.panel },
    inner.w - 2,
  );
  y++;
  const rows = inner.y + inner.h - y;
  const from = Math.min(p.scroll, Math.max(0, s.subagents.length - rows));
  for (const a of s.subagents.slice(from, from + rows)) {
    if (y >= inner.y + inner.h) break; // (a note line took a row)
    const st = { fg: theme.text, bg: theme.panel };
    let ax = inner.x + 1;
    ax += c.text(ax, y, padRight(cleanText(a.agentId, 40), idW), st) + 1;
    if (withModel) ax += c.text(ax, y, padRight(shortModel(cleanText(a.model, 40)), 26), { ...st, fg: theme.dim }) + 1;
    ax += c.text(ax, y, padLeft(compact(a.peakContext), 12), st);
    c.cell(ax + 1, y, "●", { fg: lightColor(a.peakContext, a.peakContext > 200_000 ? 1_000_000 : 200_000, p.time), bg: theme.panel });
    c.text(ax + 3, y, padLeft(compact(a.effectiveTokens), 11), { ...st, fg: theme.accent }, inner.x + inner.w - ax - 4);
    c.text(ax + 15, y, padLeft(usd(a.costUSD), 9), { ...st, fg: theme.warn }, Math.max(0, inner.x + inner.w - ax - 16));
    y++;
    if (a.fromCopy && y < inner.y + inner.h) {
      // (its own transcript is missing: its responses come from the parent's progress copies, whose output is a placeholder)
      c.text(inner.x + 3, y, "↳ from the parent's copy; output under-counted", { fg: theme.dim, bg: theme.panel }, inner.w - 4);
      y++;
    }
  }
}
