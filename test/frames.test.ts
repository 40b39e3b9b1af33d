// Whole frames of the LIVE dashboard as a user sees them: `--once --plain` at three sizes on the demo corpus
// with a pinned clock, ALLOWANCE from an estimate and from Claude Code's status line (snapshots: review every change
// as a picture), colours of one frame as style runs, ANSI output, layout at many sizes, and the hit map (a click at
// x,y does what was drawn there).
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { join, resolve } from "node:path";
import { autoBucketMinutes, DashboardApp } from "../src/ui/app.ts";
import { demoAllowance, demoFiles } from "../src/ingest/demo.ts";
import { memoryStore } from "../src/ingest/store-open.ts";
import { StoreQueries } from "../src/ingest/store-query.ts";
import type { ModelEvent } from "../src/model/events.ts";
import type { LimitSeen } from "../src/model/queries.ts";
import { demoApp as demoAppOf } from "./builders.ts";
import { CellGrid } from "../src/ui/grid.ts";
import { layout, MIN_HEIGHT, MIN_WIDTH } from "../src/ui/layout.ts";

process.env.TZ = "UTC"; // hour labels are local time: pin the zone
// Many tests here run the CLI, or draw thousands of frames: seconds on a loaded machine. (bun test does not read a
// timeout from bunfig.toml: without this, each test would have bun's 5 s.)
setDefaultTimeout(60_000);

const REPO = resolve(import.meta.dir, "..");
const BUN = process.execPath;
const NOW = Date.parse("2026-11-26T18:00:00Z");

function once(args: string[]) {
  const p = Bun.spawnSync([BUN, join(REPO, "src/cli.ts"), "--once", "--demo", "--now", "2026-11-26T18:00:00Z", ...args], {
    cwd: REPO,
    env: { ...process.env, TZ: "UTC", NO_COLOR: "" },
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
}

function demoApp(): DashboardApp {
  return demoAppOf(NOW, { windowHours: 12, bucketMinutes: null, activeWindowHours: 1, banner: "DEMO DATA — generated", account: null, still: true });
}

describe("--once --plain frames", () => {
  for (const [w, h] of [
    [80, 24],
    [120, 40],
    [160, 50],
  ] as const) {
    test(`${w}×${h}`, () => {
      const r = once(["--plain", "--width", String(w), "--height", String(h)]);
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      const lines = r.out.split("\n");
      expect(lines.length).toBe(h + 1); // h rows and the final newline
      expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(w);
      expect(r.out).toContain("DEMO DATA");
      expect(r.out).toMatchSnapshot();
    });
  }

  test("a month-long window labels its time axis with days, not a row of 00:00", () => {
    const r = once(["--plain", "--width", "120", "--height", "40", "--window-hours", "720", "--bucket-minutes", "360"]);
    expect(r.code).toBe(0);
    const axis = r.out.split("\n").find((l) => l.includes("╵"))!;
    expect(axis).not.toContain("00:00");
    expect(axis).toContain("╵Thu 19"); // a Thursday, a week before --now
    expect(axis).toContain("╵Wed 25"); // the day before --now
  });

  test("SUMMARY's activity counts switch to a shorter wording rather than being cut off", () => {
    const r = once(["--plain", "--width", "120", "--height", "40", "--window-hours", "720", "--bucket-minutes", "360"]);
    expect(r.out).toContain("tools 1,238 · 61 err · 20 rej");
    expect(r.out).not.toContain("tool calls 1,238");
    const wide = once(["--plain", "--width", "160", "--height", "50"]);
    expect(wide.out).toMatch(/tool calls [\d,]+ · [\d,]+ err · [\d,]+ rej/);
  });

  test("--once on a size too small for a frame exits 2 naming the flag and the minimum, and prints no frame", () => {
    const r = once(["--plain", "--width", "50", "--height", "12"]);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err.trim()).toBe(`claude-dash: --width 50 is too small for a frame: --once needs at least ${MIN_WIDTH}×${MIN_HEIGHT}`);
  });

  test("the live dashboard on a terminal too small for a frame says what it needs", () => {
    const g = new CellGrid(50, 12);
    demoApp().render(g, NOW, NOW);
    expect(g.toPlain()).toContain(`too small: need ${MIN_WIDTH}×${MIN_HEIGHT}`);
  });
});

describe("ALLOWANCE by source (the demo's transcripts, --now pinned)", () => {
  /** The demo's transcripts with these recorded official figures; `endpoint`: with the demo's claude.ai answer. */
  function appWith(figures: LimitSeen[], endpoint: boolean): DashboardApp {
    const store = memoryStore();
    for (const f of demoFiles(NOW)) store.putEvents(f.path, f.events);
    store.recordLimits(figures, true);
    const app = new DashboardApp(new StoreQueries(store), {
      windowHours: 12,
      bucketMinutes: null,
      activeWindowHours: 1,
      banner: null,
      account: null,
      still: true,
      allowance: endpoint,
    });
    if (endpoint) app.apply(demoAllowance(NOW, [] as ModelEvent[]));
    return app;
  }
  const plain = (app: DashboardApp, w: number, h: number) => {
    const g = new CellGrid(w, h);
    app.render(g, NOW, NOW);
    return g.toPlain();
  };
  const at = (iso: string) => Date.parse(iso);

  test("an estimate from the transcripts (--no-allowance, the 5-hour figure last seen at noon has reset)", () => {
    // 12 % at 12:00 of the window 08:00–13:00: the limit in dollars is what the demo spent then ÷ 0.12
    const app = appWith(
      [{ kind: "session", time: at("2026-11-26T12:00:00Z"), percent: 12, resetsAt: at("2026-11-26T13:00:00Z"), origin: "statusline", sessionId: null }],
      false,
    );
    const f = plain(app, 120, 40);
    expect(f).toContain("estimate from transcripts");
    expect(f).not.toContain("off (--no-allowance)");
    expect(f).toMatchSnapshot();
  });

  test("Claude Code's status line, fresher than claude.ai's answer: its figures, claude.ai's for the kind it alone gives", () => {
    const seen = at("2026-11-26T17:59:20Z");
    const app = appWith(
      [
        { kind: "session", time: seen, percent: 64, resetsAt: at("2026-11-26T19:43:00Z"), origin: "statusline", sessionId: null },
        { kind: "weekly", time: seen, percent: 32, resetsAt: at("2026-11-30T18:17:00Z"), origin: "statusline", sessionId: null },
      ],
      true,
    );
    const f = plain(app, 160, 50);
    expect(f).toContain("from Claude Code's status line, 40s ago");
    expect(f).toContain("5h 64% · wk 32% · status line");
    expect(f).toMatchSnapshot();
  });
});

describe("colour", () => {
  test("the 160×50 frame's style runs (colours and attributes)", () => {
    const app = demoApp();
    const g = new CellGrid(160, 50);
    app.render(g, NOW, NOW);
    expect(g.styleRuns().join("\n")).toMatchSnapshot();
  });

  test("--once --color always prints truecolour ANSI; NO_COLOR keeps only bold/underline/dim", () => {
    const colour = once(["--width", "100", "--height", "30", "--color", "always"]);
    expect(colour.out).toContain("\x1b[0;38;2;");
    const p = Bun.spawnSync(
      [BUN, join(REPO, "src/cli.ts"), "--once", "--demo", "--color", "always", "--now", "2026-11-26T18:00:00Z", "--width", "100", "--height", "30"],
      {
        cwd: REPO,
        env: { ...process.env, TZ: "UTC", NO_COLOR: "1" },
        stdout: "pipe",
      },
    );
    const mono = p.stdout.toString();
    expect(mono).not.toContain("38;2;");
    expect(mono).not.toContain("48;2;");
    expect(mono).toContain("\x1b[0;1m"); // bold titles survive
  });

  test("--color auto (the default) writes text without escape codes to a pipe or file; never is --plain", () => {
    const auto = once(["--width", "100", "--height", "30"]);
    expect(auto.code).toBe(0);
    expect(auto.out).not.toContain("\x1b[");
    expect(auto.out).toBe(once(["--width", "100", "--height", "30", "--plain"]).out);
    expect(once(["--width", "100", "--height", "30", "--color", "never"]).out).toBe(auto.out);
    const bad = once(["--color", "sometimes"]);
    expect(bad.code).toBe(2);
    expect(bad.err.trim()).toBe("claude-dash: --color must be auto, always or never");
  });
});

describe("layout", () => {
  test("never throws and keeps every rectangle inside the terminal, 1×1 to 300×100", () => {
    for (let w = 1; w <= 300; w += 7)
      for (let h = 1; h <= 100; h += 3) {
        const l = layout(w, h);
        if (l.tooSmall) continue;
        for (const r of [l.menu, l.footer, ...l.charts, l.summary, l.sessions, ...(l.allowance ? [l.allowance] : [])]) {
          expect(r.x).toBeGreaterThanOrEqual(0);
          expect(r.y).toBeGreaterThanOrEqual(0);
          expect(r.x + r.w).toBeLessThanOrEqual(w);
          expect(r.y + r.h).toBeLessThanOrEqual(h);
        }
      }
  });

  /** A grid that records every cell drawn outside it (CellGrid drops those silently). */
  class BoundsGrid extends CellGrid {
    readonly outside: string[] = [];
    override cell(x: number, y: number, ch: string, style: Parameters<CellGrid["cell"]>[3]): void {
      if (x < 0 || y < 0 || x >= this.width || y >= this.height) this.outside.push(`${JSON.stringify(ch)} at ${x},${y}`);
      super.cell(x, y, ch, style);
    }
  }

  test("below the minimum size the frame says so, as much of it as fits; nothing is drawn outside it", () => {
    const app = demoApp();
    for (const [w, h, said] of [
      [59, 19, ["too small: need 60×20", "now 59×19", "q quits"]],
      [59, 40, ["too small: need 60×20", "now 59×40", "q quits"]],
      [200, 19, ["too small: need 60×20", "now 200×19", "q quits"]],
      [2, 40, ["t…", "n…", "q…"]],
      [1, 1, ["…"]],
    ] as const) {
      const g = new BoundsGrid(w, h);
      app.render(g, NOW, NOW);
      const rows = g.toPlain().split("\n").slice(0, -1);
      expect(rows).toHaveLength(h);
      expect([w, h, rows.map((r) => r.trim()).filter(Boolean)]).toEqual([w, h, [...said]]);
      // (1×1: the message's three lines are drawn on rows 0, 1 and 2 and clipped — see too-small.ts drawTooSmall)
      if (h >= 3) expect([w, h, g.outside]).toEqual([w, h, []]);
    }
  });

  test("at and above the minimum size a whole frame shows its tabs, charts, SUMMARY, ACTIVE SESSIONS and footer, inside the terminal", () => {
    const app = demoApp();
    for (const [w, h] of [
      [60, 20],
      [61, 21],
      [109, 30],
      [110, 30],
      [200, 60],
      [400, 120],
    ] as const) {
      const g = new BoundsGrid(w, h);
      app.render(g, NOW, NOW);
      expect([w, h, g.outside]).toEqual([w, h, []]);
      const rows = g.toPlain().split("\n").slice(0, -1);
      expect(rows).toHaveLength(h);
      for (const row of rows) expect([...row].length).toBeLessThanOrEqual(w);
      const at = (text: string) => rows.findIndex((r) => r.includes(text));
      expect(rows[0]).toMatch(/^ claude-dash {3}LIVE {3}HISTORY {3}INSIGHTS {3}DEMO .*18:00:00$/);
      for (const title of ["INPUT · by cache write", "CONTEXT · how it was assembled", "OUTPUT", "─ SUMMARY ─", "─ ACTIVE SESSIONS ─"])
        expect([w, h, title, at(title) > 0]).toEqual([w, h, title, true]);
      expect(at("─ ACTIVE SESSIONS ─")).toBeGreaterThan(at("OUTPUT")); // (below the charts, at every size)
      expect(rows.some((r) => /│ +17:58 +claude-dash/.test(r))).toBe(true); // the newest session's row
      expect(rows.at(-1)).toStartWith(" ? help");
    }
  });

  test("wide screens put SUMMARY and ALLOWANCE beside the charts; narrow ones stack them", () => {
    const wide = layout(152, 48);
    expect(wide.wide).toBe(true);
    expect(wide.summary.x).toBeGreaterThan(0);
    expect(wide.allowance).not.toBeNull();
    const narrow = layout(80, 24);
    expect(narrow.wide).toBe(false);
    expect(narrow.summary.x).toBe(0);
  });

  test("ACTIVE SESSIONS drops its least useful columns on a narrow terminal instead of running over the border", () => {
    for (const [w, cols] of [
      [60, ["eff win", "$ win"]],
      [72, ["main 1h", "eff win", "$ win"]],
      [100, ["main 1h", "sub 1h", "eff win", "$ win"]],
    ] as const) {
      const g = new CellGrid(w, 20);
      demoApp().render(g, NOW, NOW);
      const rows = g.toPlain().split("\n");
      const top = rows.findIndex((l) => l.includes("ACTIVE SESSIONS"));
      const bottom = rows.findIndex((l, i) => i > top && l.startsWith("╰"));
      for (let y = top + 1; y < bottom; y++) expect([...rows[y]!].at(-1)).toBe("│");
      for (const h of cols) expect(rows[top + 1]).toContain(h);
      if (w === 60) expect(rows[top + 1]).not.toContain("main 1h"); // (the cost stays longest)
    }
  });

  test("a given bucket too small for the window: SUMMARY counts the span the charts draw, and says it is cut", () => {
    const r = once(["--plain", "--width", "120", "--height", "40", "--window-hours", "24", "--bucket-minutes", "5"]);
    expect(r.code).toBe(0);
    expect(r.out.split("\n")[1]).toContain("SUMMARY ───── 6 h 10 m of 24 h ─╮"); // 74 five-minute bars
    const app = demoAppOf(NOW, { windowHours: 24, bucketMinutes: 5, activeWindowHours: 1, banner: null, account: null, still: true });
    const v = app.view(NOW, layout(120, 40));
    expect(v.buckets.length).toBe(74); // (the window's ends fall on bucket ends: no partial bucket at the start)
    expect(v.totals.responses).toBe(v.buckets.reduce((a, b) => a + b.responses, 0));
    expect(v.totals.responses).toBeLessThan(app.view(NOW, layout(300, 40)).totals.responses); // a wider chart shows more
  });

  test("the bucket size fits the 12-hour window to the chart width", () => {
    expect(autoBucketMinutes(12, 145)).toBe(5); // 144 whole buckets and the one the start cuts
    expect(autoBucketMinutes(12, 144)).toBe(6);
    expect(autoBucketMinutes(12, 100)).toBe(8);
    expect(autoBucketMinutes(12, 721)).toBe(1);
    expect(autoBucketMinutes(12, 1)).toBe(720);
  });
});

describe("clicks", () => {
  function frame(app: DashboardApp, w = 152, h = 48) {
    const g = new CellGrid(w, h);
    app.render(g, NOW, NOW);
    return g.toPlain().split("\n");
  }

  test("clicking a session row opens its detail; q closes it, a second q quits", () => {
    const app = demoApp();
    const rows = frame(app);
    const y = rows.findIndex((l) => l.includes("render pipeline"));
    expect(y).toBeGreaterThan(0);
    app.click(40, y);
    expect(app.ui.popups.map((p) => p.kind)).toEqual(["session"]);
    const popup = frame(app).join("\n");
    expect(popup).toContain("subagent");
    expect(popup).toContain("model claude-opus-4-6");
    app.key({ name: "q" });
    expect(app.ui.popups).toEqual([]);
    expect(app.quit).toBe(false);
    app.key({ name: "q" });
    expect(app.quit).toBe(true);
  });

  test("clicking a bar opens that slice broken down by session", () => {
    const app = demoApp();
    const rows = frame(app);
    // the tallest bar of the first chart is near the right end; click the column just left of the axis end
    const y = rows.findIndex((l) => l.includes("INPUT")) + 5;
    const chartPart = rows[y]!.slice(0, rows[y]!.indexOf("││"));
    const x = chartPart.lastIndexOf("█");
    expect(x).toBeGreaterThan(0);
    app.click(x, y);
    expect(app.ui.popups.map((p) => p.kind)).toEqual(["slice"]);
    expect(frame(app).join("\n")).toContain("BY SESSION");
  });

  test("on 80 columns the slice keeps its effective tokens and cost, dropping the cache-write and miss columns", () => {
    const app = demoApp();
    const rows = frame(app, 80, 24);
    const y = rows.findIndex((l) => l.includes("INPUT")) + 1;
    const x = rows[y]!.lastIndexOf("▇") >= 0 ? rows[y]!.lastIndexOf("▇") : rows[y]!.lastIndexOf("▆");
    app.click(x, y);
    expect(app.ui.popups.map((p) => p.kind)).toEqual(["slice"]);
    const shown = frame(app, 80, 24);
    const header = shown.find((l) => l.includes("project · t"))!;
    for (const h of ["new input", "read", "output", "effective", "cost"]) expect(header).toContain(h);
    for (const h of ["1h write", "miss"]) expect(header).not.toContain(h);
    expect(shown.some((l) => /\$\d+\.\d\d │/.test(l))).toBe(true); // a cost, inside the border
  });

  test("clicking a tab switches view; L comes back", () => {
    const app = demoApp();
    const rows = frame(app);
    app.click(rows[0]!.indexOf("HISTORY"), 0);
    expect(app.ui.tab).toBe("history");
    expect(frame(app).join("\n")).toContain("ACTIVITY");
    app.key({ name: "L" });
    expect(app.ui.tab).toBe("live");
    app.click(rows[0]!.indexOf("INSIGHTS"), 0);
    expect(frame(app).join("\n")).toContain("TOOL TYPES");
    app.key({ name: "q" }); // q leaves a non-LIVE tab for LIVE before it quits
    expect(app.ui.tab).toBe("live");
    expect(app.quit).toBe(false);
  });

  test("keys: ? toggles help, arrows move the selection, Enter opens the selected session", () => {
    const app = demoApp();
    frame(app);
    app.key({ name: "?" });
    expect(frame(app).join("\n")).toContain("HELP");
    app.key({ name: "escape" });
    app.key({ name: "down" });
    expect(app.ui.selected).toBe(1);
    app.key({ name: "return" });
    expect(app.ui.popups[0]).toMatchObject({ kind: "session" });
    app.key({ name: "c", ctrl: true });
    expect(app.quit).toBe(true);
  });

  test("on an 80-column terminal the help wraps its descriptions instead of cutting them", () => {
    const app = demoApp();
    app.key({ name: "?" });
    const seen: string[] = [];
    for (let i = 0; i < 200; i++) {
      seen.push(...frame(app, 80, 24).slice(2, 22));
      app.key({ name: "down" });
    }
    const text = seen.join("\n");
    expect(text).not.toContain("…"); // nothing cut off
    expect(text).toContain("LIVE, HISTORY, INSIGHTS tabs (or click a tab)");
    expect(text).toContain("its detail: own charts, model, subagents, last API");
    expect(seen.some((l) => /│ {20}error +│/.test(l))).toBe(true); // the rest, under its description
    expect(text).toContain("A red ! marks a session whose last action was an API error.");
  });

  test("a session's detail on a 60-column terminal wraps its figures and keeps its border", () => {
    const app = demoApp();
    frame(app, 60, 30);
    app.key({ name: "return" });
    expect(app.ui.popups[0]).toMatchObject({ kind: "session" });
    const rows = frame(app, 60, 30);
    const top = rows.findIndex((l) => l.includes("q closes"));
    const left = rows[top]!.indexOf("╭");
    const right = [...rows[top]!].lastIndexOf("╮");
    const bottom = rows.findIndex((l, i) => i > top && [...l][left] === "╰");
    for (let y = top + 1; y < bottom; y++) expect([...rows[y]!][right]).toBe("│");
    const body = rows.slice(top + 1, bottom).join("\n");
    for (const s of ["model claude-opus-4-6", "context 62.5k of 200k", "effective 2.26M", "window: main 656k", "subagent", "peak context"])
      expect(body).toContain(s);
  });

  test("an empty place does nothing", () => {
    const app = demoApp();
    frame(app);
    app.click(151, 47);
    expect(app.ui.popups).toEqual([]);
  });
});
