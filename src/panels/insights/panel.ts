// What an INSIGHTS panel is: one module exporting its id, title, how it is computed (the note the help and the
// full-screen view show), its selector (the window's facts → its part of the view), its drawer and its --json.
import type { Canvas, Rect } from "../../ui/canvas.ts";
import type { HitMap } from "../../ui/hits.ts";
import type { InsightsInput, InsightsView } from "../../model/insights-view.ts";

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

export type ProjectSort = "cost" | "prompts" | "responses" | "sessions";

/** What a drawer is told besides the view: full screen or not, the projects' order, the animation clock, clicks. */
export interface PanelContext {
  full: boolean;
  sort: ProjectSort;
  time: number;
  hits: HitMap;
}

/** The fields of InsightsView that belong to panels (the rest describe the window and the source). */
export type PanelFields = Exclude<keyof InsightsView, "window" | "knownUsers" | "source" | "user">;

export interface InsightPanel<K extends PanelFields = PanelFields> {
  id: InsightId;
  title: string;
  note: string;
  /** its part of the view, from the window's facts (pure) */
  select(input: InsightsInput): Pick<InsightsView, K>;
  /** draws inside the panel's border (`inner`) */
  draw(c: Canvas, inner: Rect, v: InsightsView, ctx: PanelContext): void;
  /** its fields in `--json --view insights` (times as ISO strings, money to 1/100 of a cent) */
  json(v: InsightsView): Record<string, unknown>;
}

/** A panel, typed by the fields it selects (the registry holds them as plain panels). */
export function insightPanel<K extends PanelFields>(p: InsightPanel<K>): InsightPanel {
  return p as unknown as InsightPanel;
}

export const round = (x: number, digits = 0): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

export const iso = (t: number): string => new Date(t).toISOString();
