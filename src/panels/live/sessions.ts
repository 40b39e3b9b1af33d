// LIVE's ACTIVE SESSIONS: sessions active in the active window, newest first; a click or Enter opens one.
import type { Layout } from "../../ui/layout.ts";
import { drawSessions } from "../../ui/widgets/sessions.ts";
import type { ScreenPanel } from "../screen.ts";

export const liveSessions: ScreenPanel<Layout> = {
  id: "sessions",
  place: (lay) => lay.sessions,
  draw(c, r, v, ctx) {
    drawSessions(
      c,
      r,
      {
        sessions: v.live.sessions,
        scroll: ctx.ui.sessionScroll,
        selected: ctx.ui.selected,
        time: v.still ? 0 : ctx.time,
        now: v.now,
        mono: v.mono,
        sort: ctx.ui.sessionSort,
        query: ctx.ui.query,
        project: ctx.ui.project,
        activeWindowHours: v.activeWindowHours,
      },
      ctx.hits,
    );
  },
};
