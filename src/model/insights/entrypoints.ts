// ENTRY POINT / TERMINAL: sessions by how Claude Code was started, or by terminal type where telemetry says.
import { byName } from "../insights-view.ts";
import { insightModel } from "./panel.ts";

const ranked = (m: Map<string, number>) =>
  [...m.entries()].map(([name, sessions]) => ({ name, sessions })).sort((a, b) => b.sessions - a.sessions || byName(a, b));

export const entrypoints = insightModel<"entrypoints" | "terminals">({
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
  json: (v) => ({ entrypoints: v.entrypoints, terminals: v.terminals }),
});
