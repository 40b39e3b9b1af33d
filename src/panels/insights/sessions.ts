// SESSIONS AND CONVERSATIONS: sessions with a response and prompts typed, in all and per day.
import { compact } from "../../ui/format.ts";
import { theme } from "../../ui/theme.ts";
import { big, sparkRow } from "../../ui/widgets/figures.ts";
import { insightPanel } from "./panel.ts";

export const sessions = insightPanel<"sessions">({
  id: "sessions",
  title: "SESSIONS AND CONVERSATIONS",
  note: "Sessions with a response in the window; prompts = what the user typed in the main thread (not tool results or meta lines).",
  select(i) {
    const seen = new Set<string>();
    const perDaySessions = Array.from({ length: i.days }, () => new Set<string>());
    const perDayPrompts = new Array<number>(i.days).fill(0);
    let prompts = 0;
    for (const cells of i.priced())
      for (const c of cells) {
        seen.add(c.sessionId);
        const d = i.dayIndex(c.day);
        if (d >= 0) perDaySessions[d]!.add(c.sessionId);
      }
    for (const p of i.parts)
      for (const c of p.prompts) {
        prompts += c.prompts;
        const d = i.dayIndex(c.day);
        if (d >= 0) perDayPrompts[d]! += c.prompts;
      }
    return { sessions: { count: seen.size, prompts, perDay: perDaySessions.map((set, k) => ({ label: i.dayLabel(k), sessions: set.size, prompts: perDayPrompts[k]! })) } };
  },
  draw(c, inner, v) {
    let x = inner.x;
    x += big(c, x, inner.y, "sessions", String(v.sessions.count), theme.accent);
    // (an engine's metrics count sessions, not prompts)
    if (v.source !== "prometheus") big(c, x + 2, inner.y, "prompts", String(v.sessions.prompts), theme.text);
    // (an engine's metrics also say how long people worked with Claude Code and what came of it)
    const a = v.activity;
    if (a && inner.h >= 4) {
      const hours = a.activeTimeSeconds / 3600;
      const lines = [`active ${hours >= 10 ? hours.toFixed(0) : hours.toFixed(1)} h`, `+${compact(a.linesAdded)} / −${compact(a.linesRemoved)} lines`, `${a.commits} commits`, `${a.pullRequests} pull requests`];
      c.text(inner.x, inner.y + 3, lines.join(" · "), { fg: theme.text }, inner.w);
    }
    if (inner.h >= 4 && v.sessions.perDay.length > 1) {
      sparkRow(c, inner.x, inner.y + 3, inner.w, "prompts/day", v.sessions.perDay.map((d) => d.prompts), String, theme.accent);
      sparkRow(c, inner.x, inner.y + 4, inner.w, "sessions/day", v.sessions.perDay.map((d) => d.sessions), String, theme.sub);
    }
  },
  json: (v) => ({ sessions: v.sessions }),
});
