// The dashboard as a daily driver (issue 14): what an experienced user of btop, k9s or lazygit would trip over,
// each tried through the app as a user drives it (keys, clicks, frames) on built data with a fixed clock.
import { describe, expect, test } from "bun:test";
import { memoryStore } from "../src/ingest/store-open.ts";
import { StoreQueries } from "../src/ingest/store-query.ts";
import type { ModelEvent } from "../src/model/events.ts";
import { DashboardApp, type AppOptions } from "../src/ui/app.ts";
import { CellGrid } from "../src/ui/grid.ts";
import { apiError, demoApp, MIN, NOW, response } from "./builders.ts";
import { shortModel } from "../src/ui/format.ts";

process.env.TZ = "UTC";

const OPTS: AppOptions = { windowHours: 12, bucketMinutes: null, activeWindowHours: 1, banner: null, account: null, still: true, allowance: false };

/** An app over a store that the test can add transcript facts to later (as a file being appended to). */
function live(events: ModelEvent[], opts: Partial<AppOptions> = {}) {
  const store = memoryStore();
  let n = 0;
  const add = (more: ModelEvent[]) => store.putEvents(`/t/file-${n++}.jsonl`, more);
  add(events);
  const app = new DashboardApp(new StoreQueries(store), { ...OPTS, ...opts });
  const frame = (w = 160, h = 50, now = NOW) => {
    const g = new CellGrid(w, h);
    app.render(g, now, now);
    return g.toPlain().split("\n");
  };
  return { app, add, frame };
}

const session = (id: string, project: string, minutesAgo: number) =>
  response({ sessionId: id, cwd: `/home/dev/${project}`, time: NOW - minutesAgo * MIN, usage: { output: 100 } });

describe("the selection", () => {
  test("stays on its session when another session's new line moves that one to the top; Enter opens it", () => {
    const { app, add, frame } = live([session("a", "alpha", 5), session("b", "cli-tool", 10), session("c", "gamma", 20)]);
    const order = (rows: string[]) => rows.filter((l) => /alpha|cli-tool|gamma/.test(l) && l.includes("│ ")).map((l) => /alpha|cli-tool|gamma/.exec(l)![0]);
    expect(order(frame())).toEqual(["alpha", "cli-tool", "gamma"]);
    app.key({ name: "down" });
    frame();
    expect(app.ui.selectedId).toBe("b");
    add([response({ sessionId: "c", cwd: "/home/dev/gamma", time: NOW - MIN, usage: { output: 5 } })]);
    expect(order(frame())).toEqual(["gamma", "alpha", "cli-tool"]);
    expect(app.ui.selected).toBe(2); // the highlight moved down with cli-tool
    app.key({ name: "return" });
    expect(app.ui.popups.at(-1)).toMatchObject({ kind: "session", sessionId: "b" });
  });

  test("moves from where its session is now, and goes to the row's new session when its own left the list", () => {
    const { app, add, frame } = live([session("a", "alpha", 5), session("b", "beta", 10)]);
    frame();
    app.key({ name: "down" }); // b
    add([session("b", "beta", 1)]); // b to the top
    frame();
    expect(app.ui.selected).toBe(0);
    app.key({ name: "down" });
    expect(app.ui.selectedId).toBe("a");
    frame(160, 50, NOW + 58 * MIN); // b (last seen 1 min ago) stays, a (5 min) leaves the active hour
    expect(app.ui.selectedId).toBe("b");
  });
});

const demo = () => demoApp(NOW, { ...OPTS, allowance: true });
function shot(app: DashboardApp, w = 160, h = 50): string[] {
  const g = new CellGrid(w, h);
  app.render(g, NOW, NOW);
  return g.toPlain().split("\n");
}

describe("ALLOWANCE on any screen", () => {
  test("on a 100-column screen (no room for the panel) a click on the 5h · wk badge opens it, and `a` toggles it", () => {
    const app = demo();
    const rows = shot(app, 100, 30);
    expect(rows.join("\n")).not.toContain("╭─ ALLOWANCE");
    const x = rows[0]!.indexOf("5h ");
    expect(x).toBeGreaterThan(0);
    app.click(x + 2, 0);
    expect(app.ui.popups.map((p) => p.kind)).toEqual(["allowance"]);
    expect(shot(app, 100, 30).join("\n")).toContain("ALLOWANCE");
    app.key({ name: "a" });
    expect(app.ui.popups).toEqual([]);
    app.key({ name: "a" });
    expect(app.ui.popups.map((p) => p.kind)).toEqual(["allowance"]);
  });

  test("at 60×20 SUMMARY keeps the window's cost rather than the last hour's effective tokens", () => {
    const text = shot(demo(), 60, 20).join("\n");
    expect(text).toMatch(/cost\s+\$\d/);
  });
});

describe("finding your way", () => {
  test("Esc closes panels and leaves a tab for LIVE, but never quits; q does", () => {
    const app = demo();
    shot(app);
    app.key({ name: "H" });
    app.key({ name: "escape" });
    expect(app.ui.tab).toBe("live");
    app.key({ name: "escape" });
    app.key({ name: "escape" });
    expect(app.quit).toBe(false);
    app.key({ name: "q" });
    expect(app.quit).toBe(true);
  });

  test("a click inside an open panel keeps it open, a click outside closes it", () => {
    const app = demo();
    shot(app);
    app.key({ name: "return" });
    const rows = shot(app);
    const y = rows.findIndex((l) => l.includes("q closes"));
    const x = rows[y]!.indexOf("q closes");
    app.click(x - 20, y + 3); // inside the detail
    expect(app.ui.popups.map((p) => p.kind)).toEqual(["session"]);
    app.click(0, 49); // outside it
    expect(app.ui.popups).toEqual([]);
  });

  test("a row of a slice opens that session's detail over it, even a session no longer active; q goes back to the slice", () => {
    const { app, frame } = live([session("old", "archive", 5 * 60), session("now", "alpha", 5)]);
    const rows = frame();
    // the bar of the old session's response, five hours ago, in the first chart
    const chartRow = rows.findIndex((l) => l.includes("OUTPUT"));
    let hit: { x: number; y: number } | null = null;
    for (let y = chartRow; y < chartRow + 10 && !hit; y++) for (let x = 0; x < 100 && !hit; x++) if ("▁▂▃▄▅▆▇█".includes(rows[y]![x]!)) hit = { x, y };
    expect(hit).not.toBeNull();
    app.click(hit!.x, hit!.y);
    const slice = frame();
    expect(slice.join("\n")).toContain("BY SESSION");
    const rowY = slice.findIndex((l) => l.includes("archive") && l.includes("$"));
    app.click(slice[rowY]!.indexOf("archive"), rowY);
    expect(app.ui.popups.map((p) => p.kind)).toEqual(["slice", "session"]);
    const detail = frame().join("\n");
    expect(detail).toContain("session old");
    app.key({ name: "q" });
    expect(app.ui.popups.map((p) => p.kind)).toEqual(["slice"]);
  });
});

describe("telling sessions apart", () => {
  test("two sessions of one project get the start of their ids; a branch other than main is named; the detail shows id, branch and folder", () => {
    const a = response({ sessionId: "aaaa1111-0000-4000-8000-000000000000", cwd: "/home/dev/alpha", time: NOW - 5 * MIN });
    const b = response({ sessionId: "bbbb2222-0000-4000-8000-000000000000", cwd: "/home/dev/alpha", time: NOW - 6 * MIN });
    const c: ModelEvent = { type: "PromptObserved", key: "p-c", time: NOW - 7 * MIN, sessionId: "c", cwd: "/home/dev/beta", branch: "fix/login" };
    const { app, frame } = live([a, b, c, response({ sessionId: "c", cwd: "/home/dev/beta", time: NOW - 7 * MIN })]);
    const text = frame().join("\n");
    expect(text).toContain("alpha · aaaa1111");
    expect(text).toContain("alpha · bbbb2222");
    expect(text).toContain("beta (fix/login)");
    app.key({ name: "down" });
    app.key({ name: "down" });
    app.key({ name: "return" });
    const detail = frame().join("\n");
    expect(detail).toContain("session c");
    expect(detail).toContain("branch fix/login");
    expect(detail).toContain("in /home/dev/beta");
  });
});

describe("charts and times", () => {
  test("the charts fill their width: no band of empty columns on the left of LIVE or HISTORY at 220 columns", () => {
    // a response every four minutes for the last 8 days (so every bar has data)
    const events: ModelEvent[] = [];
    for (let t = NOW - 8 * 24 * 60 * MIN; t < NOW; t += 4 * MIN) events.push(response({ time: t, usage: { output: 1000 } }));
    const { app, frame } = live(events);
    const plotted = (rows: string[], title: string) => {
      const y = rows.findIndex((l) => l.includes(title));
      const base = rows[y + 1]!.indexOf("│", 2) + 1; // the y axis
      const bottom = rows.slice(y + 1).find((l) => /^│ +0 │/.test(l))!;
      const plot = bottom.slice(base, bottom.indexOf("│", base));
      return { blankLeft: plot.length - plot.trimStart().length, width: plot.length };
    };
    const liveChart = plotted(frame(220, 60), "OUTPUT");
    expect(liveChart.blankLeft).toBe(0);
    app.key({ name: "H" });
    const history = plotted(frame(220, 60), "OUTPUT");
    expect(history.width).toBeGreaterThan(150);
    expect(history.blankLeft).toBe(0);
  });

  test("a window across midnight names today under its first hour", () => {
    const { frame } = live([response({ time: NOW - 3 * 60 * MIN, usage: { output: 10 } })]);
    const at = Date.parse("2026-11-27T04:00:00Z");
    const text = frame(160, 50, at).join("\n");
    expect(text).toContain("╵Fri 27");
  });

  test("'last' is a time for today's sessions and a date for older ones; the slice popup names its day", () => {
    const { app, frame } = live(
      [response({ sessionId: "old", time: NOW - 26 * 60 * MIN, cwd: "/w/old" }), response({ sessionId: "new", time: NOW - 5 * MIN, cwd: "/w/new" })],
      { activeWindowHours: 48 },
    );
    const rows = frame();
    expect(rows.find((l) => l.includes("│ ") && l.includes(" new"))).toContain("17:55");
    expect(rows.find((l) => l.includes("│ ") && l.includes(" old"))).toContain("25 Nov");
    app.dispatch({ type: "openBucket", start: NOW - 10 * MIN });
    expect(frame().join("\n")).toMatch(/Thu 26 17:\d\d–\d\d:\d\d BY SESSION/);
  });
});

describe("without colour (NO_COLOR)", () => {
  test("↓ visibly moves the selection (reverse video), lights read by shape, stacked series and their legend by pattern", () => {
    const app = demoApp(NOW, { ...OPTS, mono: true, allowance: true });
    const g = new CellGrid(160, 50);
    app.render(g, NOW, NOW);
    const before = g.toAnsi("none");
    app.key({ name: "down" });
    const g2 = new CellGrid(160, 50);
    app.render(g2, NOW, NOW);
    const after = g2.toAnsi("none");
    expect(after).not.toBe(before);
    const reversedRow = (ansi: string) => ansi.split("\n").findIndex((l) => l.includes("\x1b[0;7m"));
    expect(reversedRow(after)).toBe(reversedRow(before) + 1);
    const plain = g2.toPlain();
    expect(plain).toMatch(/[○◔◑◕◉]/); // context lights by shape
    expect(plain).toContain("▓ 5m write"); // the INPUT chart's legend: one pattern per series
    expect(plain).toMatch(/▓+/);
  });

  test("with colour the frame is as before: no reverse video, the usual chips", () => {
    const app = demoApp(NOW, { ...OPTS, allowance: true });
    const g = new CellGrid(160, 50);
    app.render(g, NOW, NOW);
    expect(g.toAnsi("truecolor")).not.toMatch(/\x1b\[0(;[124])*;7[;m]/);
    expect(g.toPlain()).toContain("■ 5m write");
  });
});

describe("legends and formats agree", () => {
  test("SUMMARY's legend names the four parts of its bar, in its order, at every width; cache miss apart", () => {
    for (const w of [160, 120, 100]) {
      const text = shot(demo(), w, 40).join("\n");
      expect(text).toMatch(/read \d+%.*5m \d+%.*1h \d+%.*(uncached|unc) \d+%/);
      if (w >= 110) expect(text).toMatch(/cache miss \d+% of input/); // (beside the charts; a stacked SUMMARY has no row for it)
    }
  });

  test("cost always has cents (below $10,000); ✗ means a rejection only (tool errors say err)", async () => {
    const { usd } = await import("../src/ui/format.ts");
    expect([usd(104.2), usd(95.857), usd(0.5), usd(12345.6)]).toEqual(["$104.20", "$95.86", "$0.50", "$12,346"]);
    const app = demo();
    app.key({ name: "I" });
    const text = shot(app).join("\n");
    expect(text).toMatch(/417 · 21 err/);
    expect(text).not.toMatch(/\(\d+✗\)/);
  });

  test("INSIGHTS on team telemetry when none was received says why its panels are empty and how to get it", () => {
    const app = demo();
    app.key({ name: "I" });
    app.key({ name: "t" });
    app.key({ name: "t" }); // both → local → team
    expect(app.ui.insightsSource).toBe("team");
    expect(shot(app).join("\n")).toContain("no team telemetry in this window: run claude-dash --otlp");
  });
});

describe("text is not cut where there is room", () => {
  test("a 500's whole message wraps in the session's detail", () => {
    const message =
      'API Error: 500 {"type":"error","error":{"type":"api_error","message":"Internal server error while processing the request; the upstream model backend timed out after 600 seconds, please retry"}} END-OF-MESSAGE';
    const { app, frame } = live([response({ sessionId: "s", time: NOW - 9 * MIN }), apiError({ sessionId: "s", time: NOW - 2 * MIN, status: 500, message })]);
    frame();
    app.key({ name: "return" });
    const text = frame().join("\n");
    expect(text).toContain("END-OF-MESSAGE");
    expect(text).not.toContain('please retry"}}…');
  });

  test("model names are short names, never cut mid-word", () => {
    expect(
      [
        "claude-sonnet-4-5-20250929",
        "claude-opus-4-6",
        "claude-haiku-4-5-20251001",
        "claude-opus-4-1-20250805",
        "claude-3-5-haiku-20241022",
        "claude-3-opus-20240229",
        "claude-sonnet-4-5-20250929[1m]",
        "gpt-x",
      ].map(shortModel),
    ).toEqual(["sonnet-4.5", "opus-4.6", "haiku-4.5", "opus-4.1", "haiku-3.5", "opus-3", "sonnet-4.5[1m]", "gpt-x"]);
    const text = shot(demo()).join("\n");
    expect(text).toContain("sonnet-4.5");
    expect(text).not.toContain("sonnet-4-5-2025");
  });
});

describe("the demo", () => {
  test("with no transcripts, --once shows the demo and names the folders it looked in", () => {
    const { mkdtempSync } = require("node:fs") as typeof import("node:fs");
    const { tmpdir } = require("node:os") as typeof import("node:os");
    const { join } = require("node:path") as typeof import("node:path");
    const home = mkdtempSync(join(tmpdir(), "cd-empty-"));
    const p = Bun.spawnSync(
      [process.execPath, join(import.meta.dir, "../src/cli.ts"), "--once", "--plain", "--width", "200", "--height", "30", "--now", "2026-11-26T18:00:00Z"],
      {
        env: { PATH: process.env.PATH ?? "", HOME: home, TZ: "UTC", XDG_DATA_HOME: join(home, "data") },
      },
    );
    const out = p.stdout.toString();
    expect(p.exitCode).toBe(0);
    expect(out).toContain("DEMO DATA");
    expect(out).toContain("demo data · no Claude Code transcripts in ~/.claude");
  });

  test("ends when the first real transcript arrives: the banner and the demo account go, the real session shows", () => {
    const app = demoApp(NOW, { ...OPTS, banner: "DEMO DATA — example", allowance: true });
    expect(shot(app).join("\n")).toContain("demo@example.com");
    const store = memoryStore();
    store.putEvents("/real/s.jsonl", [response({ sessionId: "real", cwd: "/home/dev/my-real-project", time: NOW - 2 * MIN })]);
    app.endDemo(new StoreQueries(store));
    const text = shot(app).join("\n");
    expect(text).not.toContain("DEMO DATA");
    expect(text).not.toContain("demo@example.com");
    expect(text).toContain("my-real-project");
    expect(text).not.toContain("ml-notebooks"); // (a demo project)
  });
});

describe("the help explains the screen", () => {
  test("every key, every column header of ACTIVE SESSIONS, every chart and panel has its line", async () => {
    const { HELP_KEYS, HELP_SCREEN, HELP_CLICKS } = await import("../src/ui/widgets/help.ts");
    const { KEYS } = await import("../src/ui/ui-state.ts");
    const { sessionColumnHeads } = await import("../src/ui/widgets/sessions.ts");
    const { chartSeries } = await import("../src/ui/widgets/chart-series.ts");
    expect(HELP_KEYS.map(([k]) => k)).toEqual(KEYS.map((k) => k.label));
    const explained = new Set(HELP_SCREEN.map(([k]) => k));
    for (const head of sessionColumnHeads()) expect(explained.has(head)).toBe(true);
    for (const chart of chartSeries([])) expect(explained.has(chart.title.split(" · ")[0]!)).toBe(true);
    for (const panel of ["SUMMARY", "ALLOWANCE", "ACTIVITY", "ACTIVE SESSIONS", "EFFECTIVE TOKENS"]) expect(explained.has(panel)).toBe(true);
    const clicks = HELP_CLICKS.map(([k]) => k).join(" | ");
    for (const c of ["the wheel", "the 5h · wk badge", "a row of a slice"]) expect(clicks).toContain(c);
    // and the overlay shows them: sections, not sentences broken in the middle
    const app = demo();
    app.key({ name: "?" });
    let text = "";
    for (let i = 0; i < 60; i++) {
      text += shot(app, 160, 50).join("\n");
      app.key({ name: "pagedown" });
    }
    for (const h of ["THE SCREEN", "sub%", "eff win", "the wheel", "t  ", "Without colour"]) expect(text).toContain(h);
  });
});

describe("sort, filter, search", () => {
  const three = () =>
    live([
      response({ sessionId: "s-alpha", cwd: "/home/dev/alpha", time: NOW - 2 * MIN, usage: { output: 10 } }),
      response({ sessionId: "s-beta", cwd: "/home/dev/beta", time: NOW - 4 * MIN, usage: { output: 50_000 } }),
      response({ sessionId: "s-gamma", cwd: "/home/dev/gamma", time: NOW - 6 * MIN, usage: { output: 2_000, cacheRead: 150_000 } }),
    ]);
  const order = (rows: string[]) => rows.filter((l) => l.startsWith("│ ") && /alpha|beta|gamma/.test(l)).map((l) => /alpha|beta|gamma/.exec(l)![0]);

  test("o steps the sessions' order (last activity, cost, effective tokens, context); a header click sorts by its column", () => {
    const { app, frame } = three();
    expect(order(frame())).toEqual(["alpha", "beta", "gamma"]);
    app.key({ name: "o" });
    expect(app.ui.sessionSort).toBe("cost");
    const rows = frame();
    expect(order(rows)).toEqual(["beta", "gamma", "alpha"]);
    expect(rows.join("\n")).toContain("$ win▼");
    const head = rows.findIndex((l) => l.includes("context") && l.includes("eff win"));
    app.click(rows[head]!.indexOf("context") + 2, head);
    expect(app.ui.sessionSort).toBe("context");
    expect(order(frame())).toEqual(["gamma", "alpha", "beta"]); // (a tie on context: newest first)
  });

  test("/ searches as you type (q is a letter then), Enter keeps it, Esc clears it", () => {
    const { app, frame } = three();
    frame();
    app.key({ name: "/" });
    for (const ch of "gam") app.key({ name: ch });
    let rows = frame();
    expect(order(rows)).toEqual(["gamma"]);
    expect(rows.at(-2)).toContain("/gam▏");
    app.key({ name: "backspace" });
    app.key({ name: "q" }); // typed, not quit
    expect(app.quit).toBe(false);
    expect(app.ui.query).toBe("gaq");
    for (let i = 0; i < 3; i++) app.key({ name: "backspace" });
    app.key({ name: "b" });
    app.key({ name: "e" });
    app.key({ name: "return" });
    rows = frame();
    expect(order(rows)).toEqual(["beta"]);
    expect(rows.join("\n")).toContain("· /be");
    app.key({ name: "escape" });
    expect(order(frame())).toEqual(["alpha", "beta", "gamma"]);
    expect(app.quit).toBe(false);
  });

  test("p keeps only the selected session's project, p again shows all; a slice's rows follow the same filter", () => {
    const { app, frame } = three();
    frame();
    app.key({ name: "down" }); // beta
    app.key({ name: "p" });
    expect(order(frame())).toEqual(["beta"]);
    app.dispatch({ type: "openBucket", start: Math.floor((NOW - 10 * MIN) / (5 * MIN)) * 5 * MIN });
    const slice = frame().join("\n");
    expect(slice).toContain("BY SESSION");
    expect(slice).not.toMatch(/│ (alpha|gamma)/);
    app.key({ name: "escape" });
    app.key({ name: "p" });
    expect(order(frame())).toEqual(["alpha", "beta", "gamma"]);
  });
});

describe("the time range while running", () => {
  test("] and [ (or + and -) step LIVE's window through 1 h, 5 h, 12 h, 24 h, 7 d, 30 d; the charts rebucket and the title says the span", () => {
    const { app, frame } = live([response({ time: NOW - 20 * 60 * MIN, usage: { output: 500 } }), response({ time: NOW - 30 * MIN, usage: { output: 100 } })]);
    expect(frame().join("\n")).toContain("INPUT · by cache write · 12 h");
    app.key({ name: "]" });
    let text = frame().join("\n");
    expect(text).toContain("INPUT · by cache write · 24 h");
    expect(text).toMatch(/SUMMARY ─+ 24 h/);
    expect(app.view(NOW, (app as unknown as { lay: never }).lay).window.from).toBe(NOW - 24 * 60 * MIN);
    app.key({ name: "+" });
    app.key({ name: "+" });
    expect(frame().join("\n")).toContain("· 30 d");
    app.key({ name: "+" }); // stays at the longest
    expect(frame().join("\n")).toContain("· 30 d");
    for (let i = 0; i < 6; i++) app.key({ name: "[" });
    expect(frame().join("\n")).toContain("INPUT · by cache write · 1 h");
  });

  test("HISTORY steps its own span, and a given bar width gives way to the chosen span", () => {
    const { app, frame } = live([response({ time: NOW - 3 * 24 * 60 * MIN })], { historyBucketMinutes: 60 });
    app.key({ name: "H" });
    app.key({ name: "-" });
    expect(app.ui.historyHours).toBe(24);
    expect(frame().join("\n")).toContain("INPUT · by cache write · 24 h");
    app.key({ name: "]" });
    app.key({ name: "]" });
    expect(frame().join("\n")).toContain("· 30 d");
    app.key({ name: "L" });
    expect(frame().join("\n")).toContain("INPUT · by cache write · 12 h"); // LIVE kept its own
  });
});

describe("session actions", () => {
  test("in a session's detail y copies its id and r the command that resumes it; the footer confirms; OSC 52 carries it", async () => {
    const { app, frame } = live([response({ sessionId: "3f2a9c10-0000-4000-8000-000000000001", time: NOW - 3 * MIN })]);
    frame();
    app.key({ name: "y" }); // (nothing open: nothing copied)
    expect(app.takeClipboard()).toBeNull();
    app.key({ name: "return" });
    app.key({ name: "y" });
    expect(app.takeClipboard()).toBe("3f2a9c10-0000-4000-8000-000000000001");
    expect(frame().at(-2)).toContain("copied 3f2a9c10-0000-4000-8000-000000000001");
    app.key({ name: "r" });
    expect(app.takeClipboard()).toBe("claude --resume 3f2a9c10-0000-4000-8000-000000000001");
    const { osc52 } = await import("../src/ui/live.ts");
    expect(osc52("claude --resume x")).toBe(`\x1b]52;c;${Buffer.from("claude --resume x").toString("base64")}\x07`);
  });

  test("an id that is not a plain word is never put on the clipboard (a newline in it would run a pasted command); the footer says why", () => {
    for (const sessionId of ["we ird'id", "x\nrm -rf ~\n", "a\u001b]0;t\u0007"]) {
      const { app, frame } = live([response({ sessionId, time: NOW - 3 * MIN })]);
      frame();
      app.key({ name: "return" });
      for (const key of ["y", "r"]) {
        app.key({ name: key });
        expect(app.takeClipboard()).toBeNull();
        expect(frame().at(-2)).toContain("not copied");
      }
    }
  });
});

describe("config file and themes", () => {
  const { mkdtempSync, mkdirSync, writeFileSync } = require("node:fs") as typeof import("node:fs");
  const { tmpdir } = require("node:os") as typeof import("node:os");
  const { join } = require("node:path") as typeof import("node:path");
  function withConfig(toml: string, args: string[]) {
    const home = mkdtempSync(join(tmpdir(), "cd-cfg-"));
    mkdirSync(join(home, "xdg", "claude-dash"), { recursive: true });
    writeFileSync(join(home, "xdg", "claude-dash", "config.toml"), toml);
    const p = Bun.spawnSync([process.execPath, join(import.meta.dir, "../src/cli.ts"), "--demo", "--now", "2026-11-26T18:00:00Z", ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: home, TZ: "UTC", XDG_CONFIG_HOME: join(home, "xdg"), XDG_DATA_HOME: join(home, "data") },
    });
    return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString().trim() };
  }

  test("the config file sets defaults for flags; a flag given overrides it", () => {
    const r = withConfig('# mine\nwindow-hours = 24   # a day\ntheme = "light"\n', ["--json"]);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.out);
    expect(Date.parse(d.window.to) - Date.parse(d.window.from)).toBe(24 * 3_600_000);
    const o = JSON.parse(withConfig("window-hours = 24\n", ["--json", "--window-hours", "5"]).out);
    expect(Date.parse(o.window.to) - Date.parse(o.window.from)).toBe(5 * 3_600_000);
  });

  test("a bad file stops with one line naming the key (exit 2)", () => {
    expect(withConfig("window-hourz = 24\n", ["--json"])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/^claude-dash: ~\/xdg\/claude-dash\/config.toml: unknown key window-hourz/),
    });
    expect(withConfig('window-hours = "a day"\n', ["--json"]).err).toBe("claude-dash: ~/xdg/claude-dash/config.toml: window-hours must be a number");
    expect(withConfig("window-hours = -3\n", ["--json"]).err).toBe("claude-dash: ~/xdg/claude-dash/config.toml: window-hours must be more than 0");
    expect(withConfig("theme = light\n", ["--json"]).err).toBe(
      "claude-dash: ~/xdg/claude-dash/config.toml line 1: theme: light is not a value (a string needs quotes)",
    );
    expect(withConfig('theme = "pink"\n', ["--json"]).err).toBe(
      "claude-dash: ~/xdg/claude-dash/config.toml: --theme must be dark, light or cb".replace("--theme", "theme"),
    );
  });

  test("themes: light and colour-blind-safe palettes change the frame's colours; animation = false is fps 0", () => {
    const frameOf = (toml: string, args: string[] = []) => withConfig(toml, ["--once", "--color", "always", "--width", "100", "--height", "30", ...args]).out;
    const dark = frameOf("");
    const light = frameOf('theme = "light"\n');
    const cb = frameOf("", ["--theme", "cb"]);
    expect(dark).toContain("48;2;16;17;26"); // the dark background
    expect(light).toContain("48;2;250;250;252");
    expect(light).not.toContain("48;2;16;17;26");
    expect(cb).toContain("38;2;86;180;233"); // Okabe–Ito sky blue
    expect(withConfig("animation = false\n", ["--once", "--plain", "--width", "100", "--height", "30"]).code).toBe(0);
    expect(withConfig("animation = 0\n", ["--json"]).err).toContain("animation must be true or false");
  });
});

test("the config file's TOML: comments (not inside strings), strings with escapes, numbers, booleans, arrays of strings", async () => {
  const { parseConfig, ConfigError } = await import("../src/config.ts");
  expect(parseConfig('a = "x # not a comment" # a comment\nb = 1_000\nc = true\nd = ["/p q", \'/r\']\ne = "tab\\tquote\\""\nf = 2.5e1\n')).toEqual({
    a: "x # not a comment",
    b: 1000,
    c: true,
    d: ["/p q", "/r"],
    e: 'tab\tquote"',
    f: 25,
  });
  for (const bad of ["[section]", "a", 'a = "open', "a = 1\na = 2", "a = [1, 2]", 'a = "\\q"']) expect(() => parseConfig(bad)).toThrow(ConfigError);
});

describe("export", () => {
  test("e writes the view on screen as CSV and JSON, named after the view and the time; the footer names them; a file is never overwritten", async () => {
    const { mkdtempSync, readFileSync, readdirSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { writeExport } = await import("../src/ui/live.ts");
    const { app, frame } = live([
      response({ sessionId: "s1", cwd: "/home/dev/alpha", time: NOW - 3 * MIN, usage: { output: 100 } }),
      { type: "SessionTitled", sessionId: "s1", title: '=cmd|"calc", with comma' },
    ]);
    frame();
    expect(app.takeExport()).toBeNull();
    app.key({ name: "e" });
    const files = app.takeExport()!;
    expect(files.name).toMatch(/^claude-dash-live-20261126-\d{6}$/);
    const lines = files.csv.trim().split("\n");
    expect(lines[0]).toStartWith("sessionId,project,title,branch,cwd,lastActivity,model");
    expect(lines[1]).toContain(`"'=cmd|""calc"", with comma"`); // quoted, and never a spreadsheet formula
    expect(JSON.parse(files.json)).toMatchObject({ view: "live", sessions: [{ sessionId: "s1", project: "alpha" }] });
    const dir = mkdtempSync(join(tmpdir(), "cd-export-"));
    const said = writeExport(files, dir);
    expect(said).toBe(`exported ${files.name}.csv and .json to ${dir}`);
    expect(readdirSync(dir).sort()).toEqual([`${files.name}.csv`, `${files.name}.json`]);
    expect(readFileSync(join(dir, `${files.name}.csv`), "utf8")).toBe(files.csv);
    expect(writeExport(files, dir)).toBe(`exported ${files.name}-2.csv and .json to ${dir}`); // (the same second again: a new name, nothing overwritten)
    expect(readdirSync(dir).length).toBe(4);
    app.notify(said);
    expect(frame().at(-2)).toContain("exported claude-dash-live-");
    app.key({ name: "H" });
    frame();
    app.key({ name: "e" });
    expect(app.takeExport()!.csv.split("\n")[0]).toBe("start,uncached,cacheWrite5m,cacheWrite1h,cacheRead,newInput,cacheMiss,output,responses");
    app.key({ name: "I" });
    frame();
    app.key({ name: "e" });
    const ins = app.takeExport()!;
    expect(ins.csv.split("\n")[0]).toBe("project,sessions,prompts,responses,costUSD");
    expect(JSON.parse(ins.json)).toMatchObject({ view: "insights", tokens: { output: 100 } });
  });
});

test("a summary line titles its file's session until a /rename does, whichever comes first in the file", async () => {
  const { lineToEvents } = await import("../src/ingest/records.ts");
  const ctx = { file: "/p/aaaa.jsonl", fileSessionId: "aaaa", fileAgentId: null };
  const events = (lines: string[]) => {
    const out: ModelEvent[] = [];
    lines.forEach((l, i) => lineToEvents(l, i + 1, ctx, out));
    return out;
  };
  const summary = '{"type":"summary","summary":"Fixing the login redirect loop","leafUuid":"u-1"}';
  const rename = '{"type":"custom-title","customTitle":"login fix","sessionId":"aaaa"}';
  const resp = response({ sessionId: "aaaa", cwd: "/home/dev/app", time: NOW - 5 * MIN });
  const titleOf = (lines: string[]) => {
    const { app, frame } = live([resp, ...events(lines)]);
    void app;
    return frame().find((l) => l.startsWith("│ ") && l.includes("app"));
  };
  expect(events([summary])).toEqual([{ type: "SessionTitled", sessionId: "aaaa", title: "Fixing the login redirect loop", weak: true }]);
  expect(titleOf([summary])).toContain("app · Fixing the login redirect loop");
  expect(titleOf([summary, rename])).toContain("app · login fix");
  expect(titleOf([rename, summary])).toContain("app · login fix");
});

test("HISTORY's SUMMARY names its span in words: 1 day, 7 days, 5 h", () => {
  const { app, frame } = live([response({ time: NOW - 60 * MIN })]);
  app.key({ name: "H" });
  expect(frame().join("\n")).toMatch(/SUMMARY ─+ 7 days/);
  app.key({ name: "[" });
  expect(frame().join("\n")).toMatch(/SUMMARY ─+ 1 day ─/);
  app.key({ name: "[" });
  app.key({ name: "[" });
  expect(frame().join("\n")).toMatch(/SUMMARY ─+ 5 h ─/);
});

describe("review mends", () => {
  test("the demo's panels and selection end with it", () => {
    const app = demoApp(NOW, { ...OPTS, banner: "DEMO DATA", allowance: true });
    shot(app);
    app.key({ name: "down" });
    app.key({ name: "return" });
    const store = memoryStore();
    store.putEvents("/real/s.jsonl", [response({ sessionId: "real", cwd: "/home/dev/real", time: NOW - 2 * MIN })]);
    app.endDemo(new StoreQueries(store));
    expect(app.ui.popups).toEqual([]);
    shot(app);
    app.key({ name: "return" });
    expect(app.ui.popups.at(-1)).toMatchObject({ kind: "session", sessionId: "real" });
  });

  test("a summary's title stored earlier gives way to a /rename; a later summary never replaces a /rename", () => {
    const store = memoryStore();
    const r = response({ sessionId: "t", cwd: "/home/dev/app", time: NOW - 5 * MIN });
    store.putEvents("/p/t.jsonl", [r, { type: "SessionTitled", sessionId: "t", title: "from a summary", weak: true }]);
    const titleNow = () => new StoreQueries(store).labels(["t"])[0]!.title;
    expect(titleNow()).toBe("from a summary");
    store.putEvents("/p/t2.jsonl", [{ type: "SessionTitled", sessionId: "t", title: "my rename" }]);
    expect(titleNow()).toBe("my rename");
    store.putEvents("/p/t3.jsonl", [{ type: "SessionTitled", sessionId: "t", title: "another summary", weak: true }]);
    expect(titleNow()).toBe("my rename");
  });

  test("[ and ] past the ends leave the window as it is; p acts on LIVE only; a click ends typing a search", async () => {
    const { stepRange } = await import("../src/ui/ui-state.ts");
    expect([stepRange(0.5, -1), stepRange(1000, 1), stepRange(12, 1), stepRange(12, -1)]).toEqual([0.5, 1000, 24, 5]);
    const { app, frame } = live([session("a", "alpha", 5), session("b", "beta", 9)]);
    const rows = frame();
    app.key({ name: "H" });
    app.key({ name: "p" });
    expect(app.ui.project).toBeNull();
    app.key({ name: "L" });
    app.key({ name: "/" });
    app.key({ name: "z" });
    const y = rows.findIndex((l) => l.includes("beta"));
    app.click(10, y);
    expect(app.ui.typing).toBe(false);
    app.key({ name: "q" }); // closes the detail the click opened, not typed into the search
    expect(app.ui.query).toBe("z");
  });

  test("a slice whose rows a filter hides says so, and that Esc clears it", () => {
    const { app, frame } = live([session("a", "alpha", 5)]);
    frame();
    app.key({ name: "/" });
    for (const ch of "zzz") app.key({ name: ch });
    app.key({ name: "return" });
    app.dispatch({ type: "openBucket", start: Math.floor((NOW - 5 * MIN) / (5 * MIN)) * 5 * MIN });
    expect(frame().join("\n")).toContain("no session of this slice matches /zzz (Esc clears)");
  });

  test("config: --color given on the command line beats plain = true in the file; ~ in a path; a BOM, built-in names, # in single quotes", async () => {
    const { parseOptions } = await import("../src/options.ts");
    const { parseConfig } = await import("../src/config.ts");
    const parse = (args: string[], values: Record<string, unknown>) => parseOptions(args, "0", () => {}, { values, file: "config.toml", home: "/home/me" })!;
    expect(parse(["--color", "always"], { plain: true })).toMatchObject({ color: "always", plain: false });
    expect(parse([], { plain: true })).toMatchObject({ color: "never", plain: true });
    expect(parse([], { "export-dir": "~/exports" }).exportDir).toBe("/home/me/exports");
    expect(parseConfig("\uFEFFtz = 'a#b' # comment\ntoString = 1\n")).toEqual(Object.assign(Object.create(null), { tz: "a#b", toString: 1 }));
  });
});

test("a store written under Bun (fractions of a millisecond in mtimes) and read under Deno (whole ones) sees the same files", async () => {
  const { sameMtime } = await import("../src/ingest/discover.ts");
  expect(sameMtime(1796306165615.8257, 1796306165615)).toBe(true);
  expect(sameMtime(1794117939915, 1794117939914)).toBe(true); // (kept rounded, read truncated)
  expect(sameMtime(1796306165615, 1796306165617)).toBe(false);
  expect(sameMtime(NaN, 1)).toBe(false);
});
