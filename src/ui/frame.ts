// drawFrame: the whole screen, redrawn every frame from view models (immediate mode). Only draws.
import type { Canvas } from "./canvas.ts";
import type { Bucket, SessionView } from "../model/selectors.ts";
import type { LiveView, SliceRow } from "../model/live-view.ts";
import type { HitMap } from "./hits.ts";
import type { Layout } from "./layout.ts";
import { theme } from "./theme.ts";
import type { UiState } from "./ui-state.ts";
import { drawAllowance } from "./widgets/allowance.ts";
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

export type PopupView =
  | { kind: "help"; scroll: number }
  | { kind: "session"; session: SessionView; buckets: readonly Bucket[]; scroll: number }
  | { kind: "slice"; from: number; to: number; rows: readonly SliceRow[]; scroll: number };

export interface FrameView {
  live: LiveView;
  windowHours: number;
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

export function drawFrame(c: Canvas, v: FrameView, lay: Layout, hits: HitMap, ui: UiState, time: number): void {
  hits.clear();
  c.fill({ x: 0, y: 0, w: c.width, h: c.height }, { bg: theme.bg });
  if (lay.tooSmall) {
    drawTooSmall(c, lay.tooSmall);
    return;
  }
  drawMenuBar(c, lay.menu, { tab: ui.tab, clock: v.clock, account: v.account, banner: v.banner, coming: ["history", "insights"] }, hits);
  if (ui.tab !== "live") {
    const msg = `${ui.tab.toUpperCase()} is coming in a later release — press L for LIVE`;
    c.text(Math.max(0, Math.floor((c.width - msg.length) / 2)), Math.floor(c.height / 2), msg, { fg: theme.dim });
  } else {
    const series = chartSeries(v.live.buckets);
    lay.charts.forEach((r, i) => drawChart(c, r, { ...series[i]!, time, still: v.still }, hits));
    const t = v.live.totals;
    const miss = v.live.buckets.reduce((a, b) => a + b.cacheMiss, 0);
    drawSummary(c, lay.summary, {
      windowHours: v.windowHours,
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
    if (lay.allowance) drawAllowance(c, lay.allowance);
    drawSessions(c, lay.sessions, { sessions: v.live.sessions, scroll: ui.sessionScroll, selected: ui.selected, time: v.still ? 0 : time, activeWindowHours: v.activeWindowHours }, hits);
  }
  drawFooter(c, lay.footer, FOOTER_KEYS, v.status);
  for (const p of v.popups) {
    // an open overlay takes every click that lands on it (nothing behind it reacts)
    if (p.kind === "help") drawHelp(c, p.scroll);
    else if (p.kind === "session") drawSessionPopup(c, { session: p.session, buckets: p.buckets, time: v.still ? 0 : time, scroll: p.scroll });
    else drawSlicePopup(c, { from: p.from, to: p.to, rows: p.rows, scroll: p.scroll });
  }
  if (v.popups.length > 0) {
    hits.clear();
    hits.add({ x: 0, y: 0, w: c.width, h: c.height }, { type: "back" });
  }
}
