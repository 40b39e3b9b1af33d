// INSIGHTS: a window chooser and the twelve panels, reflowed from one column at 80 wide to three at 160+,
// scrolled by panel rows; a click on a panel opens it full screen.
import { rect, type Canvas, type Rect } from "../ui/canvas.ts";
import type { InsightsView } from "../model/insights-view.ts";
import type { HitMap } from "../ui/hits.ts";
import { fit } from "../ui/text.ts";
import { theme } from "../ui/theme.ts";
import { INSIGHT_WINDOWS } from "../ui/ui-state.ts";
import { drawBox } from "../ui/widgets/box.ts";
import { INSIGHT_MODELS, insightModelOf } from "../model/insights/registry.ts";
import type { ProjectSort } from "../model/insights/panel.ts";
import { drawInsightPanel } from "../panels/insights/registry.ts";
import { drawOverlay } from "../ui/widgets/overlay.ts";

const PANEL_HEIGHT = 9;

export function insightColumns(width: number): number {
  return width >= 160 ? 3 : width >= 110 ? 2 : 1;
}

const windowLabel = (h: number) => (h % 24 === 0 ? `${h / 24}d` : `${h}h`);

export function drawInsightsPage(c: Canvas, r: Rect, v: InsightsView, opts: { scroll: number; sort: ProjectSort; time: number }, hits: HitMap): void {
  // the window chooser
  let x = r.x + 1;
  x += c.text(x, r.y, "window ", { fg: theme.dim });
  INSIGHT_WINDOWS.forEach((h, i) => {
    const on = Math.abs(h - v.window.hours) < 1e-9;
    const label = ` ${i + 1} ${windowLabel(h)} `;
    c.text(x, r.y, label, { fg: on ? theme.bg : theme.text, bg: on ? theme.accent : undefined, bold: on });
    hits.add(rect(x, r.y, label.length, 1), { type: "insightsWindow", hours: h });
    x += label.length + 1;
  });
  if (!INSIGHT_WINDOWS.includes(v.window.hours)) x += c.text(x + 1, r.y, `(${windowLabel(v.window.hours)})`, { fg: theme.accent }) + 2;
  // source (t) and user (u) — the user filter only when team telemetry knows users
  const src = ` t ${v.source === "both" ? "local+team" : v.source} `;
  hits.add(rect(x + 1, r.y, src.length, 1), { type: "cycleSource" });
  x += 1 + c.text(x + 1, r.y, src, { fg: theme.bg, bg: theme.sub, bold: true }) + 1;
  if (v.knownUsers.length > 0) {
    const who = ` u ${v.user ?? "all users"} `;
    hits.add(rect(x + 1, r.y, who.length, 1), { type: "cycleUser" });
    x += 1 + c.text(x + 1, r.y, who, { fg: theme.bg, bg: theme.sub, bold: true }) + 1;
  }
  // A team's engine: where the numbers come from, and whether they are stale (with why).
  if (v.origin) {
    c.text(x + 1, r.y, fit(v.origin.text, r.x + r.w - x - 2), { fg: v.origin.stale ? theme.warn : theme.dim });
    x = r.x + r.w;
  }
  // Team telemetry chosen but none received: say why the panels are empty and how to get it.
  const noTeam = v.source === "team" && v.sessions.count === 0 && v.tokens.input + v.tokens.output === 0;
  const hint = noTeam
    ? "no team telemetry in this window: run claude-dash --otlp and point Claude Code's OTLP export at it (README: Team telemetry)"
    : "click a panel: full screen · o: sort · ↑↓ scroll";
  const room = r.w - (x - r.x) - 2;
  if (noTeam) c.text(x + 1, r.y, fit(hint, room), { fg: theme.warn });
  else if (room > hint.length + 2) c.text(r.x + r.w - hint.length - 1, r.y, hint, { fg: theme.dim });
  const cols = insightColumns(r.w);
  const colW = Math.floor(r.w / cols);
  const rowsVisible = Math.max(1, Math.floor((r.h - 1) / PANEL_HEIGHT));
  const totalRows = Math.ceil(INSIGHT_MODELS.length / cols);
  const first = Math.max(0, Math.min(opts.scroll, totalRows - rowsVisible));
  // The rows on screen share the height (up to twice the usual), so no band of empty rows is left below them;
  // the last row of the page is kept for "rows a–b of n" when there is more to scroll to.
  const shown = Math.min(rowsVisible, totalRows);
  const spare = r.h - 1 - (totalRows > rowsVisible ? 1 : 0);
  const panelH = Math.min(PANEL_HEIGHT * 2, Math.max(PANEL_HEIGHT, Math.floor(spare / shown)));
  INSIGHT_MODELS.forEach((p, i) => {
    const row = Math.floor(i / cols) - first;
    if (row < 0 || row >= rowsVisible) return;
    const col = i % cols;
    const w = col === cols - 1 ? r.w - col * colW : colW;
    const pr = rect(r.x + col * colW, r.y + 1 + row * panelH, w, panelH);
    hits.add(pr, { type: "openInsight", id: p.id });
    const inner = drawBox(c, pr, { title: p.title });
    drawInsightPanel(p.id, c, inner, v, { full: false, sort: opts.sort, time: opts.time, hits });
  });
  if (totalRows > rowsVisible) {
    const label = ` rows ${first + 1}–${first + rowsVisible} of ${totalRows} `;
    c.text(r.x + r.w - label.length - 1, r.y + r.h - 1, label, { fg: theme.dim });
  }
}

/** One panel full screen, with how it is computed. */
export function drawInsightFull(c: Canvas, id: string, v: InsightsView, opts: { sort: ProjectSort; time: number }, hits: HitMap): Rect | null {
  const panel = insightModelOf(id);
  if (!panel) return null;
  const r = rect(2, 2, c.width - 4, c.height - 4);
  const inner = drawOverlay(c, r, panel.title, "q closes");
  drawInsightPanel(panel.id, c, rect(inner.x, inner.y, inner.w, inner.h - 2), v, { full: true, sort: opts.sort, time: opts.time, hits });
  c.text(inner.x + 1, inner.y + inner.h - 1, panel.note, { fg: theme.dim, bg: theme.panel }, inner.w - 2);
  return r;
}
