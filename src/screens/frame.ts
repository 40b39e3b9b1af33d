// drawFrame: the whole screen, redrawn every frame from view models (immediate mode): the menu bar, the tab's screen
// (LIVE's and HISTORY's panels from their registries below, INSIGHTS' page), the footer and the open popups. Only draws.
import type { Canvas, Rect } from "../ui/canvas.ts";
import type { HitMap } from "../ui/hits.ts";
import type { HistoryLayout, Layout } from "../ui/layout.ts";
import { theme } from "../ui/theme.ts";
import { footerHints, type UiState } from "../ui/ui-state.ts";
import { allowanceBadge } from "../ui/widgets/allowance.ts";
import { drawAllowancePopup } from "../ui/widgets/allowance-popup.ts";
import { drawFooter } from "../ui/widgets/footer.ts";
import { drawHelp } from "../ui/widgets/help.ts";
import { drawMenuBar } from "../ui/widgets/menu-bar.ts";
import { drawSessionPopup } from "../ui/widgets/session-popup.ts";
import { drawSlicePopup } from "../ui/widgets/slice-popup.ts";
import { drawTooSmall } from "../ui/widgets/too-small.ts";
import type { AnyScreenPanel, DrawContext } from "../panels/screen.ts";
import { historyCharts } from "../panels/history/charts.ts";
import { historyHeatmap } from "../panels/history/heatmap.ts";
import { historySummary } from "../panels/history/summary.ts";
import { liveAllowance } from "../panels/live/allowance.ts";
import { liveCharts } from "../panels/live/charts.ts";
import { liveSessions } from "../panels/live/sessions.ts";
import { liveSummary } from "../panels/live/summary.ts";
import { HitMap as FreshHits } from "../ui/hits.ts";
import { drawHeatmap, heatmapSize } from "../ui/widgets/heatmap.ts";
import { drawHistorySummary } from "../ui/widgets/history-summary.ts";
import { drawHourPopup } from "../ui/widgets/hour-popup.ts";
import { clearedOverlay } from "../ui/widgets/overlay.ts";
import type { FrameView, HistoryFrame, PopupView } from "../ui/frame-view.ts";

export type { FrameView, HistoryFrame, PopupView };
import { drawInsightFull, drawInsightsPage } from "./insights-page.ts";

// The screens' registries: their panels in drawing order (the layouts in ui/layout.ts say where each goes).
const LIVE_PANELS: readonly AnyScreenPanel<Layout>[] = [liveCharts, liveSummary, liveAllowance, liveSessions];
const HISTORY_PANELS: readonly AnyScreenPanel<HistoryLayout>[] = [historyCharts, historySummary, historyHeatmap];

/** Draws every panel of a screen's registry at the place its layout gives it. */
function drawScreen<L>(c: Canvas, panels: readonly AnyScreenPanel<L>[], lay: L, v: FrameView, ctx: DrawContext): void {
  for (const p of panels) {
    if ("places" in p) p.places(lay).forEach((r, i) => p.draw(c, r, i, v, ctx));
    else {
      const r = p.place(lay);
      if (r) p.draw(c, r, v, ctx);
    }
  }
}

export function drawFrame(c: Canvas, v: FrameView, lay: Layout, hits: HitMap, ui: UiState, time: number): void {
  hits.clear();
  c.fill({ x: 0, y: 0, w: c.width, h: c.height }, { bg: theme.bg });
  if (lay.tooSmall) {
    drawTooSmall(c, lay.tooSmall);
    return;
  }
  drawMenuBar(
    c,
    lay.menu,
    { tab: ui.tab, clock: v.clock, account: v.allowance.account ?? v.account, badge: allowanceBadge(v.allowance), banner: v.banner, coming: [] },
    hits,
  );
  const ctx = { hits, ui, time };
  if (ui.tab === "history" && v.history) {
    drawScreen(c, HISTORY_PANELS, v.history.layout, v, ctx);
  } else if (ui.tab === "insights" && v.insights) {
    drawInsightsPage(c, { x: 0, y: 1, w: c.width, h: c.height - 2 }, v.insights, { scroll: ui.insightsScroll, sort: ui.projectSort, time }, hits);
  } else {
    drawScreen(c, LIVE_PANELS, lay, v, ctx);
  }
  drawFooter(c, lay.footer, footerHints(ui.tab), v.status);
  // An open panel takes every click: one outside it closes it, one on it does what was drawn there (a row of the
  // slice opens that session) or nothing; nothing behind it reacts.
  let top: { rect: Rect | null; hits: HitMap } | null = null;
  for (const p of v.popups) {
    const own = new FreshHits();
    top = { rect: drawPopup(c, p, v, ui, time, own), hits: own };
  }
  if (top) {
    hits.clear();
    hits.add({ x: 0, y: 0, w: c.width, h: c.height }, { type: "back" });
    if (top.rect) hits.add(top.rect, { type: "none" });
    hits.addAll(top.hits);
  }
}

/** Draws one open panel; returns where it is on screen, with what in it can be clicked in `hits`. */
function drawPopup(c: Canvas, p: PopupView, v: FrameView, ui: UiState, time: number, hits: HitMap): Rect | null {
  switch (p.kind) {
    case "help":
      return drawHelp(c, p.scroll);
    case "session":
      return drawSessionPopup(c, { session: p.session, buckets: p.buckets, time: v.still ? 0 : time, scroll: p.scroll });
    case "slice":
      return drawSlicePopup(c, { from: p.from, to: p.to, rows: p.rows, scroll: p.scroll, filtered: p.filtered }, hits);
    case "hour":
      return drawHourPopup(c, p.cell, p.weekTotal);
    case "allowance":
      return drawAllowancePopup(c, v.allowance, v.now);
    case "insight":
      return v.insights ? drawInsightFull(c, p.id, v.insights, { sort: ui.projectSort, time }, hits) : null;
    case "summary": {
      if (!v.history) return null;
      const r = clearedOverlay(c, 64, 12);
      drawHistorySummary(c, r, v.history.view, v.history.hours, v.history.priceOverride);
      return r;
    }
    case "heatmap": {
      if (!v.history) return null;
      const size = heatmapSize();
      const r = clearedOverlay(c, size.w, size.h);
      drawHeatmap(c, r, v.history.view.heatmap, v.history.zoneLabel, new FreshHits());
      return r;
    }
  }
}
