// INSIGHTS' model registry: its panels in page order (id, title, note, selector, --json). The view model itself,
// `--json --view insights`, the help and the page's order and titles are all made by walking this list; how each
// panel is drawn is looked up by id in src/panels/insights/registry.ts.
import { insightsInput, type InsightsOptions, type InsightsView, type TeamSource } from "../insights-view.ts";
import type { Diagnostics } from "../json-view.ts";
import type { UsageQueries } from "../queries.ts";
import type { ModelState } from "../state.ts";
import { cost } from "./cost.ts";
import { decisions } from "./decisions.ts";
import { durations } from "./durations.ts";
import { entrypoints } from "./entrypoints.ts";
import { models } from "./models.ts";
import { overTime } from "./over-time.ts";
import { type InsightModel, iso } from "./panel.ts";
import { projects } from "./projects.ts";
import { quota } from "./quota.ts";
import { sessions } from "./sessions.ts";
import { success } from "./success.ts";
import { tokens } from "./tokens.ts";
import { toolTypes } from "./tool-types.ts";

export const INSIGHT_MODELS: readonly InsightModel[] = [
  tokens,
  sessions,
  cost,
  durations,
  overTime,
  success,
  entrypoints,
  projects,
  models,
  toolTypes,
  decisions,
  quota,
];

export function insightModelOf(id: string): InsightModel | undefined {
  return INSIGHT_MODELS.find((p) => p.id === id);
}

/**
 * INSIGHTS for the window ending at `now`: the window's facts (see insightsInput: the store's sums, team telemetry,
 * the in-memory model; a response seen in both counts once, from the transcript), then each panel's part.
 */
export function selectInsights(s: ModelState, q: UsageQueries | null, o: InsightsOptions, team: TeamSource | null = null): InsightsView {
  const input = insightsInput(s, q, o, team);
  const knownUsers = new Set<string>();
  for (const p of input.parts) for (const u of p.knownUsers) knownUsers.add(u);
  const view: Partial<InsightsView> = {
    window: { from: input.from, to: input.to, hours: o.hours },
    knownUsers: [...knownUsers].sort(),
    source: o.source ?? "both",
    user: o.user ?? null,
  };
  for (const p of INSIGHT_MODELS) Object.assign(view, p.select(input));
  return view as InsightsView;
}

/** How each panel is computed, by id (--json shows it; the help and the full-screen view read the models' notes). */
const INSIGHT_NOTES: Record<string, string> = Object.fromEntries(INSIGHT_MODELS.map((p) => [p.id, p.note]));

/** `--json --view insights`: every panel's data in page order, times as ISO strings. */
export function insightsJson(v: InsightsView, diagnostics: Diagnostics | null, demo: boolean) {
  return {
    view: "insights",
    demo,
    source: v.source,
    user: v.user,
    window: { from: iso(v.window.from), to: iso(v.window.to), hours: v.window.hours },
    ...Object.assign({}, ...INSIGHT_MODELS.map((p) => p.json(v))),
    notes: INSIGHT_NOTES,
    diagnostics,
  };
}
