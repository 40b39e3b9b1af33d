// INSIGHTS' drawing registry: how each panel is drawn, by id. The page order, titles and notes are the model
// registry's (src/model/insights/registry.ts); the page and the full-screen view draw a panel through here.
import { rect, type Canvas, type Rect } from "../../ui/canvas.ts";
import { wrap } from "../../ui/text.ts";
import { theme } from "../../ui/theme.ts";
import type { InsightsView } from "../../model/insights-view.ts";
import type { InsightId } from "../../model/insights/panel.ts";
import { drawCost } from "./cost.ts";
import { drawDecisions } from "./decisions.ts";
import { drawDurations } from "./durations.ts";
import { drawEntrypoints } from "./entrypoints.ts";
import { drawModels } from "./models.ts";
import { drawOverTime } from "./over-time.ts";
import type { InsightDraw, PanelContext } from "./panel.ts";
import { drawProjects } from "./projects.ts";
import { drawQuota } from "./quota.ts";
import { drawSessions } from "./sessions.ts";
import { drawSuccess } from "./success.ts";
import { drawTokens } from "./tokens.ts";
import { drawToolTypes } from "./tool-types.ts";

/** Each panel's drawer by its id (every id of the model registry has one). */
const INSIGHT_DRAW: Record<InsightId, InsightDraw> = {
  tokens: drawTokens,
  sessions: drawSessions,
  cost: drawCost,
  durations: drawDurations,
  overTime: drawOverTime,
  success: drawSuccess,
  entrypoints: drawEntrypoints,
  projects: drawProjects,
  models: drawModels,
  toolTypes: drawToolTypes,
  decisions: drawDecisions,
  quota: drawQuota,
};

/** One panel's content inside its box (`r` is the box's inner area; a column of margin is kept on each side). */
export function drawInsightPanel(id: InsightId, c: Canvas, r: Rect, v: InsightsView, ctx: PanelContext): void {
  const inner = rect(r.x + 1, r.y, r.w - 2, r.h);
  // (a source that cannot fill this panel says why, in words that wrap, instead of zeros)
  const why = v.unavailable?.[id];
  if (why) {
    wrap(why, Math.max(1, inner.w - 2))
      .slice(0, Math.max(1, inner.h))
      .forEach((line, i) => c.text(inner.x + 1, inner.y + i, line, { fg: theme.dim }));
    return;
  }
  INSIGHT_DRAW[id]?.(c, inner, v, ctx);
}
