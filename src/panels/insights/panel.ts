// What an INSIGHTS panel is on the drawing side: how its part of the view is drawn, keyed by its id. Its id, title,
// note, selector and --json are its model (src/model/insights/).
import type { Canvas, Rect } from "../../ui/canvas.ts";
import type { HitMap } from "../../ui/hits.ts";
import type { InsightsView } from "../../model/insights-view.ts";
import type { ProjectSort } from "../../model/insights/panel.ts";

/** What a drawer is told besides the view: full screen or not, the projects' order, the animation clock, clicks. */
export interface PanelContext {
  full: boolean;
  sort: ProjectSort;
  time: number;
  hits: HitMap;
}

/** Draws a panel inside its border (`inner`). */
export type InsightDraw = (c: Canvas, inner: Rect, v: InsightsView, ctx: PanelContext) => void;
