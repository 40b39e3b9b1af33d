// ACTIVE SESSIONS drawn alone into a small grid with hand-built sessions (no store, no clock): the rows a user
// reads, the selected row, the `!` of a failed request, the context light's colours, and what goes first on a
// narrow panel.
import { describe, expect, test } from "bun:test";
import type { SessionView } from "../src/model/selectors.ts";
import { HitMap } from "../src/ui/hits.ts";
import { shade, theme } from "../src/ui/theme.ts";
import { drawSessions, type SessionsProps } from "../src/ui/widgets/sessions.ts";
import { attrsAt, bgAt, drawn, fgAt, find, lines } from "./buffer.ts";

process.env.TZ = "UTC"; // "last" is a local time: pin the zone

const NOW = Date.parse("2026-11-26T18:00:00Z");
const MIN = 60_000;

function session(o: Partial<SessionView>): SessionView {
  return {
    sessionId: "aaaaaaaa-1",
    project: "dash",
    title: null,
    cwd: null,
    branch: null,
    lastActivity: NOW - 5 * MIN,
    model: "claude-opus-4-6",
    contextTokens: 80_000,
    contextWindow: 200_000,
    mainFresh1h: 12_300,
    subFresh1h: 4_560,
    mainFreshWindow: 50_000,
    subFreshWindow: 25_000,
    effectiveTokens: 1_234_567,
    costUSD: 3.5,
    apiErrorLast: false,
    lastApiError: null,
    subagents: [],
    claudeCode: null,
    ...o,
  };
}

const three = [
  session({}),
  session({
    sessionId: "b",
    project: "api",
    title: "fix the login flow please",
    lastActivity: NOW - 60 * MIN,
    contextTokens: 120_000,
    apiErrorLast: true,
    effectiveTokens: 987_000,
    costUSD: 12_345.6,
  }),
  session({
    sessionId: "c",
    project: "web",
    branch: "feat/x",
    lastActivity: NOW - 2 * 24 * 60 * MIN,
    contextTokens: 640_000,
    contextWindow: 1_000_000,
    mainFresh1h: 0,
    subFresh1h: 0,
    effectiveTokens: 45_600,
    costUSD: 0.42,
  }),
];

const base: SessionsProps = { sessions: three, scroll: 0, selected: 1, time: 0, now: NOW, activeWindowHours: 24 };

function sessions(w: number, h: number, p: Partial<SessionsProps> = {}, hits = new HitMap()) {
  return drawn(w, h, (g, r) => drawSessions(g, r, { ...base, ...p }, hits));
}

/** The column headers of the table's first row. */
const heads = (w: number) =>
  lines(sessions(w, 4))[1]!
    .slice(1, -1)
    .trim()
    .split(/\s{2,}/);

describe("ACTIVE SESSIONS widget", () => {
  test("a row per session: a time today, a date before; the name cut with …; numbers right-aligned; dollars with thousands separators", () => {
    expect(lines(sessions(60, 6))).toEqual([
      "╭─ ACTIVE SESSIONS ─────────────────── 3 in the last 24 h ─╮",
      "│    last   project · ti…        context  eff win    $ win │",
      "│    17:55  dash            80.0k/200k ●    1.23M    $3.50 │",
      "│  ! 17:00  api · fix th…    120k/200k ●     987k  $12,346 │",
      "│    24 Nov web (feat/x)       640k/1M ●    45.6k    $0.42 │",
      "╰──────────────────────────────────────────────────────────╯",
    ]);
  });

  test("the selected row is on the selection background from edge to edge of the panel, its light included", () => {
    const g = sessions(60, 6, { selected: 1 });
    const light = find(g, "120k/200k ●");
    for (const x of [1, 10, light.x + 10, 58]) expect(bgAt(g, x, 3)).toEqual(theme.selection);
    expect(bgAt(g, 0, 3)).toBeNull(); // the border
    for (const y of [1, 2, 4]) expect(bgAt(g, 10, y)).toBeNull();
    expect(attrsAt(g, 10, 3)).not.toContain("reverse");
  });

  test("`!` marks a session whose last request failed, in the error colour, bold", () => {
    const g = sessions(60, 6);
    expect(find(g, "!")).toEqual({ x: 3, y: 3 });
    expect(fgAt(g, 3, 3)).toEqual(theme.error);
    expect(attrsAt(g, 3, 3)).toContain("bold");
    expect(lines(g)[2]!.slice(1, 5)).toBe("    ");
  });

  test("the context light: green to 100k of a 200k window, then yellow, amber, red, and flashing red above 175k; a 1M window's are later", () => {
    const contexts: [number, number][] = [
      [100_000, 200_000],
      [100_001, 200_000],
      [125_001, 200_000],
      [150_001, 200_000],
      [175_001, 200_000],
      [150_000, 1_000_000],
      [150_001, 1_000_000],
      [600_001, 1_000_000],
    ];
    const list = contexts.map(([contextTokens, contextWindow], i) => session({ sessionId: `s${i}`, contextTokens, contextWindow }));
    const lightsAt = (time: number) => {
      const g = sessions(60, list.length + 3, { sessions: list, selected: -1, time });
      return list.map((_, k) => {
        const row = lines(g)[2 + k]!;
        return fgAt(g, row.lastIndexOf("●"), 2 + k);
      });
    };
    const flash = shade(theme.error, 0.45);
    expect(lightsAt(0)).toEqual([theme.ok, theme.warn, theme.amber, theme.error, theme.error, theme.ok, theme.warn, theme.error]);
    // half a second later only the lights above red have changed
    expect(lightsAt(500)).toEqual([theme.ok, theme.warn, theme.amber, theme.error, flash, theme.ok, theme.warn, flash]);
    expect(lightsAt(1000)).toEqual(lightsAt(0));
  });

  test("colour off: the light is a shape (○ ◔ ◑ ◕, ◉ above red) and the selected row is in reverse video", () => {
    const list = [100_000, 110_000, 130_000, 160_000, 190_000].map((contextTokens, i) => session({ sessionId: `s${i}`, contextTokens }));
    const g = sessions(60, 8, { sessions: list, selected: 2, mono: true });
    expect(
      lines(g)
        .slice(2, 7)
        .map((l) => /\/200k (.)/.exec(l)?.[1]),
    ).toEqual(["○", "◔", "◑", "◕", "◉"]);
    expect(attrsAt(g, 10, 4)).toContain("reverse");
    expect(attrsAt(g, 10, 3)).not.toContain("reverse");
  });

  test("more sessions than rows: the border below says which are shown", () => {
    expect(lines(sessions(60, 5)).at(-1)).toBe("╰─────────────────────────────────────────────────1–2 of 3─╯");
    expect(
      lines(sessions(60, 5, { scroll: 1 }))
        .slice(2, 4)
        .map((l) => l.slice(12, 25)),
    ).toEqual(["api · fix th…", "web (feat/x) "]);
  });

  test("a long list counts its sessions with thousands separators, in the title and on the border below", () => {
    const many = Array.from({ length: 1234 }, (_, i) => session({ sessionId: `s${i}` }));
    const rows = lines(sessions(60, 5, { sessions: many, scroll: 999 }));
    expect(rows[0]).toBe("╭─ ACTIVE SESSIONS ─────────────── 1,234 in the last 24 h ─╮");
    expect(rows.at(-1)).toBe("╰─────────────────────────────────────1,000–1,001 of 1,234─╯");
  });

  test("the sorted column's header is marked ▼; a click on a header sorts by it, a click on a row opens that session", () => {
    const hits = new HitMap();
    const g = sessions(60, 6, { sort: "cost" }, hits);
    const head = find(g, "$ win▼");
    expect(head.y).toBe(1);
    expect(fgAt(g, head.x, 1)).toEqual(theme.accent);
    expect(attrsAt(g, head.x, 1)).toContain("underline");
    expect(hits.at(find(g, "eff win").x, 1)).toEqual({ type: "sortSessions", by: "effective" });
    expect(hits.at(find(g, "context").x, 1)).toEqual({ type: "sortSessions", by: "context" });
    expect(hits.at(20, 4)).toEqual({ type: "openSession", sessionId: "c" });
    // sorted by last activity (the default), no header is marked
    expect(lines(sessions(60, 6, { sort: "last" })).join("")).not.toContain("▼");
  });

  test("no session: it says so, with the active window; with a filter, it names the filter and how to clear it", () => {
    expect(lines(sessions(50, 4, { sessions: [], activeWindowHours: 1 }))).toEqual([
      "╭─ ACTIVE SESSIONS ──────────────────────────────╮",
      "│ no session did anything in the last 1 h        │",
      "│                                                │",
      "╰────────────────────────────────────────────────╯",
    ]);
    expect(lines(sessions(62, 4, { sessions: [], query: "foo", project: "dash" })).slice(0, 2)).toEqual([
      "╭─ ACTIVE SESSIONS ──────────────────── project dash · /foo ─╮",
      "│ no active session matches project dash · /foo (Esc clears) │",
    ]);
    // narrower, the sentence is cut with …
    expect(lines(sessions(50, 4, { sessions: [], query: "foo", project: "dash" }))[1]).toBe("│ no active session matches project dash · /foo… │");
  });

  test("a narrower panel drops sub 1h, then main 1h, then eff win; what a session cost stays", () => {
    const always = ["last", "context"];
    expect(heads(80).filter((h) => !always.includes(h) && !h.startsWith("project"))).toEqual(["main 1h", "sub 1h", "eff win", "$ win"]);
    expect(heads(70).filter((h) => !always.includes(h) && !h.startsWith("project"))).toEqual(["main 1h", "eff win", "$ win"]);
    expect(heads(60).filter((h) => !always.includes(h) && !h.startsWith("project"))).toEqual(["eff win", "$ win"]);
    expect(heads(52).filter((h) => !always.includes(h) && !h.startsWith("project"))).toEqual(["$ win"]);
  });

  test("a wide panel adds the model and the window's main/sub split", () => {
    expect(heads(134)).toEqual(["last", "project · title", "model", "context", "main 1h", "sub 1h", "sub%", "main win", "sub win", "eff win", "$ win"]);
    expect(lines(sessions(134, 4))[2]).toContain("opus-4.6           80.0k/200k ●     12.3k     4.56k    33%     50.0k     25.0k");
  });

  test("sessions that would share a name get the start of their id after it", () => {
    const list = [session({}), session({ sessionId: "11111111-x" }), session({ sessionId: "22222222-y", title: "x" })];
    const rows = lines(sessions(134, 6, { sessions: list, selected: -1 }));
    expect(rows.slice(2, 5).map((l) => l.slice(12, 27))).toEqual(["dash · aaaaaaaa", "dash · 11111111", "dash · x       "]);
    // (at the narrowest, the name column keeps its first 12 columns)
    expect(lines(sessions(60, 6, { sessions: list, selected: -1 }))[3]!.slice(12, 25)).toBe("dash · 11111…");
  });
});
