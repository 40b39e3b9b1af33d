// What an INSIGHTS panel is on the model side: one module exporting its id, title, how it is computed (the note the
// help and the full-screen view show), its selector (the window's facts → its part of the view) and its --json.
// How it is drawn lives apart, in src/panels/insights/ (keyed by the same id).
import type { InsightsInput, InsightsView } from "../insights-view.ts";

export type InsightId =
  | "tokens"
  | "sessions"
  | "cost"
  | "durations"
  | "overTime"
  | "success"
  | "entrypoints"
  | "projects"
  | "models"
  | "toolTypes"
  | "decisions"
  | "quota";

/** The orders of REQUESTS PER USER / PROJECT (a click on a column's header, or o). */
export type ProjectSort = "cost" | "prompts" | "responses" | "sessions";

/** The fields of InsightsView that belong to panels (the rest describe the window and the source). */
type PanelFields = Exclude<keyof InsightsView, "window" | "knownUsers" | "source" | "user">;

export interface InsightModel<K extends PanelFields = PanelFields> {
  id: InsightId;
  title: string;
  note: string;
  /** its part of the view, from the window's facts (pure) */
  select(input: InsightsInput): Pick<InsightsView, K>;
  /** its fields in `--json --view insights` (times as ISO strings, money to 1/100 of a cent) */
  json(v: InsightsView): Record<string, unknown>;
}

/** A panel's model, typed by the fields it selects (the registry holds them as plain models). */
export function insightModel<K extends PanelFields>(p: InsightModel<K>): InsightModel {
  return p as unknown as InsightModel;
}

export const round = (x: number, digits = 0): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

export const iso = (t: number): string => new Date(t).toISOString();
