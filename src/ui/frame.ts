// drawFrame: the whole screen, redrawn every frame from view models (immediate mode). Only draws.
import type { Canvas } from "./canvas.ts";
import type { Bucket, SessionView } from "../model/selectors.ts";
import type { LiveView, SliceRow } from "../model/live-view.ts";
import type { HitMap } from "./hits.ts";
import type { Layout } from "./layout.ts";
import { theme } from "./theme.ts";
import type { UiState } from "./ui-state.ts";
import type { AllowanceView } from "../model/allowance-view.ts";
import { allowanceBadge, drawAllowance } from "./widgets/allowance.ts";
import { drawAllowancePopup } from "./widgets/allowance-popup.ts";
import { chartSeries } from "./widgets/chart-series.ts";
import { drawChart } from "./widgets/chart.ts";
import { drawFooter } from "./widgets/footer.ts";
import { drawHelp } from "./widgets/help.ts";
import { drawMenuBar } from "./widgets/menu-bar.ts";
import { drawSessionPopup } from "./widgets/session-popup.ts";
import { drawSessions } from "./widgets/sessions.ts";
import { drawSlicePopup } from "./widgets/slice-popup.ts";
import { drawSummary } from "./widgets/summary.ts";
import { drawTooSmall } from "./widgets/too-small.ts";
import { dayTicks, zoneOf, type HeatCell, type HistoryView } from "../model/history-view.ts";
import type { HistoryLayout } from "./layout.ts";
import { HitMap as FreshHits } from "./hits.ts";
import { AXIS_W } from "./widgets/chart.ts";
import { drawHeatmap, heatmapSize } from "./widgets/heatmap.ts";
import { historySeries } from "./widgets/history-charts.ts";
import { drawHistorySummary } from "./widgets/history-summary.ts";
import { drawHourPopup } from "./widgets/hour-popup.ts";
import { clearedOverlay } from "./widgets/overlay.ts";
import type { InsightsView } from "../model/insights-view.ts";
import { drawInsightFull, drawInsightsPage } from "./widgets/insights-page.ts";

export type PopupView =
  | { kind: "help"; scroll: number }
  | { kind: "session"; session: SessionView; buckets: readonly Bucket[]; scroll: number }
  | { kind: "slice"; from: number; to: number; rows: readonly SliceRow[]; scroll: number }
  | { kind: "hour"; cell: HeatCell; weekTotal: number }
  | { kind: "summary" }
  | { kind: "heatmap" }
  | { kind: "allowance" }
  | { kind: "insight"; id: string };

export interface HistoryFrame {
  view: HistoryView;
  layout: HistoryLayout;
  hours: number;
  zoneLabel: string;
  /** IANA zone of the heatmap and the day labels; undefined: the system's. */
  zone: string | undefined;
  priceOverride: number | undefined;
}

export interface FrameView {
  /** the data clock. */
  now: number;
  live: LiveView;
  allowance: AllowanceView;
  /** set on the HISTORY tab. */
  history: HistoryFrame | null;
  /** set on the INSIGHTS tab. */
  insights: InsightsView | null;
  /** the hours LIVE shows (windowOf unless a given bucket size cut it). */
  windowHours: number;
  windowOf: number;
  activeWindowHours: number;
  clock: string;
  account: string | null;
  banner: string | null;
  status: string | null;
  popups: readonly PopupView[];
  /** true when colour is off (NO_COLOR): no animation either. */
  still: boolean;
}

const FOOTER_KEYS: [string, string][] = [
  ["?", "help"],
  ["↑↓", "select"],
  ["Enter", "open"],
  ["click", "bar · session · tab"],
  ["L H I", "tabs"],
  ["q", "back/quit"],
];

const INSIGHTS_KEYS: [string, string][] = [
  ["?", "help"],
  ["1–5", "window"],
  ["click", "full screen"],
  ["o", "sort projects"],
  ["↑↓", "scroll"],
  ["L q", "back to LIVE"],
];

const HISTORY_KEYS: [string, string][] = [
  ["?", "help"],
  ["click", "bar · hour"],
  ["S", "summary"],
  ["M", "activity map"],
  ["L q", "back to LIVE"],
];

function drawHistory(c: Canvas, h: HistoryFrame, hits: HitMap, time: number, still: boolean): void {
  const lay = h.layout;
  const series = historySeries(h.view);
  const ticks = (plotCols: number) => dayTicks(h.view.buckets.map((b) => b.start), h.view.window.bucketMinutes, zoneOf(h.zone), Math.max(1, Math.floor(plotCols / Math.max(1, h.view.buckets.length))));
  lay.charts.forEach((r, i) => drawChart(c, r, { ...series[i]!, time, still, ticks: ticks(r.w - AXIS_W - 2) }, hits));
  if (lay.summary) drawHistorySummary(c, lay.summary, h.view, h.hours, h.priceOverride);
  if (lay.heatmap) drawHeatmap(c, lay.heatmap, h.view.heatmap, h.zoneLabel, hits);
}

export function drawFrame(c: Canvas, v: FrameView, lay: Layout, hits: HitMap, ui: UiState, time: number): void {
  hits.clear();
  c.fill({ x: 0, y: 0, w: c.width, h: c.height }, { bg: theme.bg });
  if (lay.tooSmall) {
    drawTooSmall(c, lay.tooSmall);
    return;
  }
  drawMenuBar(c, lay.menu, { tab: ui.tab, clock: v.clock, account: v.allowance.account ?? v.account, badge: allowanceBadge(v.allowance), banner: v.banner, coming: [] }, hits);
  if (ui.tab === "history" && v.history) {
    drawHistory(c, v.history, hits, time, v.still);
  } else if (ui.tab === "insights" && v.insights) {
    drawInsightsPage(c, { x: 0, y: 1, w: c.width, h: c.height - 2 }, v.insights, { scroll: ui.insightsScroll, sort: ui.projectSort, time }, hits);
  } else if (ui.tab !== "live") {
    const msg = `${ui.tab.toUpperCase()} is coming in a later release — press L for LIVE`;
    c.text(Math.max(0, Math.floor((c.width - msg.length) / 2)), Math.floor(c.height / 2), msg, { fg: theme.dim });
  } else {
    const series = chartSeries(v.live.buckets);
    lay.charts.forEach((r, i) => drawChart(c, r, { ...series[i]!, time, still: v.still }, hits));
    const t = v.live.totals;
    const miss = v.live.buckets.reduce((a, b) => a + b.cacheMiss, 0);
    drawSummary(c, lay.summary, {
      windowHours: v.windowHours,
      windowCut: v.windowHours < v.windowOf,
      windowOf: v.windowOf,
      input: t.uncached + t.cacheWrite5m + t.cacheWrite1h + t.cacheRead,
      uncached: t.uncached,
      write5m: t.cacheWrite5m,
      write1h: t.cacheWrite1h,
      read: t.cacheRead,
      miss,
      output: t.output,
      responses: t.responses,
      effective1h: v.live.totals1h.effectiveTokens,
      effectiveWindow: t.effectiveTokens,
      cost1h: v.live.totals1h.costUSD,
      costWindow: t.costUSD,
      ...v.live.counts,
    });
    if (lay.allowance) drawAllowance(c, lay.allowance, v.allowance, v.now, v.still ? 0 : time, hits);
    drawSessions(c, lay.sessions, { sessions: v.live.sessions, scroll: ui.sessionScroll, selected: ui.selected, time: v.still ? 0 : time, activeWindowHours: v.activeWindowHours }, hits);
  }
  drawFooter(c, lay.footer, ui.tab === "history" ? HISTORY_KEYS : ui.tab === "insights" ? INSIGHTS_KEYS : FOOTER_KEYS, v.status);
  for (const p of v.popups) {
    // an open overlay takes every click that lands on it (nothing behind it reacts)
    if (p.kind === "help") drawHelp(c, p.scroll);
    else if (p.kind === "session") drawSessionPopup(c, { session: p.session, buckets: p.buckets, time: v.still ? 0 : time, scroll: p.scroll });
    else if (p.kind === "slice") drawSlicePopup(c, { from: p.from, to: p.to, rows: p.rows, scroll: p.scroll });
    else if (p.kind === "hour") drawHourPopup(c, p.cell, p.weekTotal);
    else if (p.kind === "allowance") drawAllowancePopup(c, v.allowance, v.now);
    else if (p.kind === "insight" && v.insights) drawInsightFull(c, p.id, v.insights, { sort: ui.projectSort, time }, new FreshHits());
    else if (v.history && p.kind === "summary") drawHistorySummary(c, clearedOverlay(c, 64, 12), v.history.view, v.history.hours, v.history.priceOverride);
    else if (v.history && p.kind === "heatmap") {
      const size = heatmapSize();
      drawHeatmap(c, clearedOverlay(c, size.w, size.h), v.history.view.heatmap, v.history.zoneLabel, new FreshHits());
    }
  }
  if (v.popups.length > 0) {
    hits.clear();
    hits.add({ x: 0, y: 0, w: c.width, h: c.height }, { type: "back" });
  }
}
