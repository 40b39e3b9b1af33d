// SESSIONS AND CONVERSATIONS, drawn: sessions and prompts, with both per day (model: src/model/insights/sessions.ts).
import { compact, count } from "../../ui/format.ts";
import { theme } from "../../ui/theme.ts";
import { big, sparkRow } from "../../ui/widgets/figures.ts";
import type { InsightDraw } from "./panel.ts";

export const drawSessions: InsightDraw = (c, inner, v) => {
  let x = inner.x;
  x += big(c, x, inner.y, "sessions", count(v.sessions.count), theme.accent);
  // (an engine's metrics count sessions, not prompts)
  if (v.source !== "prometheus") big(c, x + 2, inner.y, "prompts", count(v.sessions.prompts), theme.text);
  // (an engine's metrics also say how long people worked with Claude Code and what came of it)
  const a = v.activity;
  if (a && inner.h >= 4) {
    const hours = a.activeTimeSeconds / 3600;
    const lines = [
      `active ${hours >= 10 ? hours.toFixed(0) : hours.toFixed(1)} h`,
      `+${compact(a.linesAdded)} / −${compact(a.linesRemoved)} lines`,
      `${a.commits} commits`,
      `${a.pullRequests} pull requests`,
    ];
    c.text(inner.x, inner.y + 3, lines.join(" · "), { fg: theme.text }, inner.w);
  }
  if (inner.h >= 4 && v.sessions.perDay.length > 1) {
    sparkRow(
      c,
      inner.x,
      inner.y + 3,
      inner.w,
      "prompts/day",
      v.sessions.perDay.map((d) => d.prompts),
      String,
      theme.accent,
    );
    sparkRow(
      c,
      inner.x,
      inner.y + 4,
      inner.w,
      "sessions/day",
      v.sessions.perDay.map((d) => d.sessions),
      String,
      theme.sub,
    );
  }
};
