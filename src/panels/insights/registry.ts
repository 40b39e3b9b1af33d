// INSIGHTS' registry: its panels in page order. The page, the full-screen view, the help, `--json --view insights`
// and the view model itself are all made by walking this list.
import { rect, type Canvas, type Rect } from "../../ui/canvas.ts";
import { wrap } from "../../ui/text.ts";
import { theme } from "../../ui/theme.ts";
import { insightsInput, type InsightsOptions, type InsightsView, type TeamSource } from "../../model/insights-view.ts";
import type { ModelState } from "../../model/state.ts";
import type { UsageQueries } from "../../model/queries.ts";
import type { Diagnostics } from "../../model/json-view.ts";
import { cost } from "./cost.ts";
import { decisions } from "./decisions.ts";
import { durations } from "./durations.ts";
import { entrypoints } from "./entrypoints.ts";
import { models } from "./models.ts";
import { overTime } from "./over-time.ts";
import type { InsightId, InsightPanel, PanelContext } from "./panel.ts";
import { iso } from "./panel.ts";
import { projects } from "./projects.ts";
import { quota } from "./quota.ts";
import { sessions } from "./sessions.ts";
import { success } from "./success.ts";
import { tokens } from "./tokens.ts";
import { toolTypes } from "./tool-types.ts";

export const INSIGHT_PANELS: readonly InsightPanel[] = [tokens, sessions, cost, durations, overTime, success, entrypoints, projects, models, toolTypes, decisions, quota];

export function insightPanelOf(id: string): InsightPanel | undefined {
  return INSIGHT_PANELS.find((p) => p.id === id);
}

/**
 * INSIGHTS for the window ending at `now`: the window's facts (see insightsInput: the store's sums, team telemetry,
 * the in-memory model; a response seen in both counts once, from the transcript), then each panel's part.
 */
export function selectInsights(s: ModelState, q: UsageQueries | null, o: InsightsOptions, team: TeamSource | null = null): InsightsView {
  const input = insightsInput(s, q, o, team);
  const knownUsers = new Set<string>();
  for (const p of input.parts) for (const u of p.knownUsers) knownUsers.add(u);
  const view: Partial<InsightsView> = { window: { from: input.from, to: input.to, hours: o.hours }, knownUsers: [...knownUsers].sort(), source: o.source ?? "both", user: o.user ?? null };
  for (const p of INSIGHT_PANELS) Object.assign(view, p.select(input));
  return view as InsightsView;
}

/** How each panel is computed, by id (the help overlay and --json show it). */
export const INSIGHT_NOTES: Record<string, string> = Object.fromEntries(INSIGHT_PANELS.map((p) => [p.id, p.note]));

/** `--json --view insights`: every panel's data in page order, times as ISO strings. */
export function insightsJson(v: InsightsView, diagnostics: Diagnostics | null, demo: boolean) {
  return {
    view: "insights",
    demo,
    source: v.source,
    user: v.user,
    window: { from: iso(v.window.from), to: iso(v.window.to), hours: v.window.hours },
    ...Object.assign({}, ...INSIGHT_PANELS.map((p) => p.json(v))),
    notes: INSIGHT_NOTES,
    diagnostics,
  };
}

/** One panel's content inside its box (`r` is the box's inner area; a column of margin is kept on each side). */
export function drawInsightPanel(id: InsightId, c: Canvas, r: Rect, v: InsightsView, ctx: PanelContext): void {
  const inner = rect(r.x + 1, r.y, r.w - 2, r.h);
  // (a source that cannot fill this panel says why, in words that wrap, instead of zeros)
  const why = v.unavailable?.[id];
  if (why) {
    wrap(why, Math.max(1, inner.w - 2)).slice(0, Math.max(1, inner.h)).forEach((line, i) => c.text(inner.x + 1, inner.y + i, line, { fg: theme.dim }));
    return;
  }
  insightPanelOf(id)?.draw(c, inner, v, ctx);
}
