// ENTRY POINT / TERMINAL, drawn: sessions by terminal type where telemetry says, else by entry point
// (model: src/model/insights/entrypoints.ts).
import { cleanText } from "../../shared/sanitize.ts";
import { theme } from "../../ui/theme.ts";
import { drawRankedBars } from "../../ui/widgets/bars.ts";
import { empty } from "../../ui/widgets/figures.ts";
import type { InsightDraw } from "./panel.ts";

export const drawEntrypoints: InsightDraw = (c, inner, v) => {
  const rows = v.terminals.length > 0 ? v.terminals : v.entrypoints;
  if (rows.length === 0) return empty(c, inner, "no sessions in this window");
  drawRankedBars(
    c,
    inner,
    rows.map((e) => ({ label: cleanText(e.name, 30), value: e.sessions, color: theme.sub })),
  );
};
