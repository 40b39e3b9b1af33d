// ENTRY POINT / TERMINAL: sessions by how Claude Code was started, or by terminal type where telemetry says.
import { cleanText } from "../../shared/sanitize.ts";
import { byName } from "../../model/insights-view.ts";
import { theme } from "../../ui/theme.ts";
import { drawRankedBars } from "../../ui/widgets/bars.ts";
import { empty } from "../../ui/widgets/figures.ts";
import { insightPanel } from "./panel.ts";

const ranked = (m: Map<string, number>) => [...m.entries()].map(([name, sessions]) => ({ name, sessions })).sort((a, b) => b.sessions - a.sessions || byName(a, b));

export const entrypoints = insightPanel<"entrypoints" | "terminals">({
  id: "entrypoints",
  title: "ENTRY POINT / TERMINAL",
  note: "Sessions by how Claude Code was started (transcripts record it from 2.1.78; older ones are 'unknown'); by terminal.type where team telemetry gives it.",
  select(i) {
    const seen = new Set<string>();
    for (const cells of i.priced()) for (const c of cells) seen.add(c.sessionId);
    const entry = new Map<string, number>();
    const terminals = new Map<string, number>();
    for (const id of seen) {
      const w = i.where(id);
      const e = w?.entrypoint ?? "unknown";
      entry.set(e, (entry.get(e) ?? 0) + 1);
      if (w?.terminal) terminals.set(w.terminal, (terminals.get(w.terminal) ?? 0) + 1);
    }
    return { entrypoints: ranked(entry), terminals: ranked(terminals) };
  },
  draw(c, inner, v) {
    const rows = v.terminals.length > 0 ? v.terminals : v.entrypoints;
    if (rows.length === 0) return empty(c, inner, "no sessions in this window");
    drawRankedBars(c, inner, rows.map((e) => ({ label: cleanText(e.name, 30), value: e.sessions, color: theme.sub })));
  },
  json: (v) => ({ entrypoints: v.entrypoints, terminals: v.terminals }),
});
