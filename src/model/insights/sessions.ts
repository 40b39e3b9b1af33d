// SESSIONS AND CONVERSATIONS: sessions with a response and prompts typed, in all and per day.
import { insightModel } from "./panel.ts";

export const sessions = insightModel<"sessions">({
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
    return {
      sessions: {
        count: seen.size,
        prompts,
        perDay: perDaySessions.map((set, k) => ({ label: i.dayLabel(k), sessions: set.size, prompts: perDayPrompts[k]! })),
      },
    };
  },
  json: (v) => ({ sessions: v.sessions }),
});
