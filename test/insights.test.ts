// INSIGHTS: each panel's numbers on builders with known answers, rejection detection on the real fixtures,
// frames at 80×24 and 160×50, the window keys, sorting, full screen, and --json --view insights.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileInfo } from "../src/ingest/discover.ts";
import { lineToEvents } from "../src/ingest/records.ts";
import type { ModelEvent } from "../src/model/events.ts";
import { quantile, stat, toolGroup, type InsightsOptions, type InsightsView } from "../src/model/insights-view.ts";
import { selectInsights } from "../src/model/insights/registry.ts";
import { createState, reduceAll } from "../src/model/state.ts";
import type { DashboardApp } from "../src/ui/app.ts";
import { CellGrid } from "../src/ui/grid.ts";
import { appOf, demoApp as demoAppOf, queriesOf } from "./builders.ts";

process.env.TZ = "UTC";
const NOW = Date.parse("2026-11-26T18:00:00Z");
const MIN = 60_000;
const HOUR = 60 * MIN;
const FIXTURES = resolve(import.meta.dir, "fixtures/real");

const usage = { uncached: 10, cacheWrite5m: 100, cacheWrite1h: 0, cacheRead: 1000, output: 50 };
const resp = (key: string, at: number, sessionId = "s1", model = "claude-opus-4-6", entrypoint: string | null = "cli"): ModelEvent => ({
  type: "ResponseObserved",
  key,
  time: at,
  sessionId,
  agentId: null,
  model,
  usage,
  cwd: `/home/dev/${sessionId === "s1" ? "alpha" : "beta"}`,
  entrypoint,
});
const call = (key: string, at: number, name: string): ModelEvent => ({ type: "ToolCallObserved", key, time: at, sessionId: "s1", agentId: null, name });
const result = (key: string, at: number, outcome: "ok" | "error" | "rejected", reportedMs: number | null = null): ModelEvent => ({
  type: "ToolResultObserved",
  key,
  time: at,
  sessionId: "s1",
  agentId: null,
  outcome,
  reportedMs,
});

/**
 * INSIGHTS of these transcript facts, as the dashboard computes them (sums over the window from the store); the
 * in-memory model (used without a store) must give the same.
 */
function insightsOf(events: ModelEvent[], o: InsightsOptions): InsightsView {
  const v = selectInsights(createState(), queriesOf(events), o);
  const s = createState();
  reduceAll(s, events);
  // (the same up to the last bits of sums of costs: per response there, per session and model here)
  const round = (x: unknown): unknown => JSON.parse(JSON.stringify(x, (_k, n) => (typeof n === "number" ? Number(n.toPrecision(12)) : n)));
  expect(round(selectInsights(s, null, o))).toEqual(round(v));
  return v;
}

describe("panel numbers", () => {
  test("p50 and p95 by nearest rank, on a known set", () => {
    const s = Array.from({ length: 20 }, (_, i) => (i + 1) * 100); // 100 … 2000
    expect(quantile(s, 0.5)).toBe(1000);
    expect(quantile(s, 0.95)).toBe(1900);
    expect(stat([5, 1, 3])).toEqual({ p50: 3, p95: 5, max: 5, count: 3 });
    expect(stat([])).toBeNull();
  });

  test("tool durations: tool_use → tool_result time, or the tool's own figure when it reports one", () => {
    const s: ModelEvent[] = [];
    s.push(
      ...([
        call("a", NOW - 10 * MIN, "Bash"),
        result("a", NOW - 10 * MIN + 2000, "ok"),
        call("b", NOW - 9 * MIN, "Bash"),
        result("b", NOW - 9 * MIN + 4000, "ok"),
        call("c", NOW - 8 * MIN, "WebFetch"),
        result("c", NOW - 8 * MIN + 9000, "ok", 1500), // reports 1.5 s itself
        call("d", NOW - 7 * MIN, "Edit"),
        result("d", NOW - 7 * MIN + 60_000, "rejected"), // waiting for the user is not a duration
      ] as ModelEvent[]),
    );
    const v = insightsOf(s, { now: NOW, hours: 24, buckets: 24 });
    expect(v.durations.tools.find((t) => t.name === "Bash")).toMatchObject({ p50: 2000, p95: 4000, max: 4000, count: 2 });
    expect(v.durations.tools.find((t) => t.name === "WebFetch")).toMatchObject({ p95: 1500 });
    expect(v.durations.tools.find((t) => t.name === "Edit")).toBeUndefined();
    expect(v.durations.all).toMatchObject({ count: 3, max: 4000 });
  });

  test("turn durations come from turn_duration lines", () => {
    const s: ModelEvent[] = [];
    for (const [i, d] of [1000, 2000, 3000, 40_000].entries())
      s.push({ type: "TurnCompleted", key: `t${i}`, time: NOW - i * MIN, sessionId: "s1", durationMs: d });
    expect(insightsOf(s, { now: NOW, hours: 24, buckets: 24 }).durations.turns).toEqual({ p50: 2000, p95: 40_000, max: 40_000, count: 4 });
  });

  test("success rates, tool types (MCP grouped by server), decisions per tool", () => {
    const s: ModelEvent[] = [];
    s.push(
      ...([
        resp("r1", NOW - 5 * MIN),
        resp("r2", NOW - 4 * MIN),
        { type: "ApiErrorObserved", key: "e1", time: NOW - 3 * MIN, sessionId: "s1", agentId: null, status: 529, message: "overloaded", retry: false },
        { type: "ApiErrorObserved", key: "e2", time: NOW - 3 * MIN, sessionId: "s1", agentId: null, status: 529, message: "retry", retry: true },
        call("m1", NOW - 10 * MIN, "mcp__github__create_issue"),
        call("m2", NOW - 10 * MIN, "mcp__github__list_prs"),
        call("b1", NOW - 10 * MIN, "Bash"),
        result("m1", NOW - 9 * MIN, "ok"),
        result("m2", NOW - 9 * MIN, "error"),
        result("b1", NOW - 9 * MIN, "rejected"),
      ] as ModelEvent[]),
    );
    const v = insightsOf(s, { now: NOW, hours: 24, buckets: 24 });
    expect(v.success).toEqual({ apiOk: 2, apiFailed: 1, apiRetries: 1, toolsOk: 1, toolsFailed: 1 });
    expect(v.toolTypes).toEqual([
      { name: "mcp:github", calls: 2, errors: 1, rejections: 0 },
      { name: "Bash", calls: 1, errors: 0, rejections: 1 },
    ]);
    expect(v.decisions).toEqual({
      accepted: 2,
      rejected: 1,
      byTool: [
        { name: "Bash", accepted: 0, rejected: 1 },
        { name: "mcp:github", accepted: 2, rejected: 0 },
      ],
    });
    expect(toolGroup("mcp__claude_ai_Gmail__search")).toBe("mcp:claude_ai_Gmail");
  });

  test("sessions, prompts per day, entry points, projects, models and cost", () => {
    const s: ModelEvent[] = [];
    s.push(
      ...([
        resp("r1", NOW - 30 * HOUR, "s1", "claude-opus-4-6", "cli"),
        resp("r2", NOW - 1 * HOUR, "s1", "claude-opus-4-6", "cli"),
        resp("r3", NOW - 2 * HOUR, "s2", "claude-haiku-4-5-20251001", null),
        { type: "PromptObserved", key: "p1", time: NOW - 30 * HOUR, sessionId: "s1", cwd: null },
        { type: "PromptObserved", key: "p2", time: NOW - HOUR, sessionId: "s2", cwd: null },
        { type: "PromptObserved", key: "p3", time: NOW - HOUR, sessionId: "s2", cwd: null },
      ] as ModelEvent[]),
    );
    const v = insightsOf(s, { now: NOW, hours: 48, buckets: 24 });
    expect(v.sessions.count).toBe(2);
    expect(v.sessions.prompts).toBe(3);
    expect(v.sessions.perDay.map((d) => d.prompts)).toEqual([1, 2]);
    expect(v.entrypoints).toEqual([
      { name: "cli", sessions: 1 },
      { name: "unknown", sessions: 1 },
    ]);
    expect(v.projects.map((p) => [p.project, p.sessions, p.prompts, p.responses])).toEqual([
      ["alpha", 1, 1, 2],
      ["beta", 1, 2, 1],
    ]);
    expect(v.cost.byModel.map((m) => [m.model, m.responses])).toEqual([
      ["claude-opus-4-6", 2],
      ["claude-haiku-4-5-20251001", 1],
    ]);
    expect(v.tokens.input).toBe(3 * 1110);
  });

  test("quota: the live allowance when known, else the last 5 h against the busiest 5 h (an estimate)", () => {
    const s: ModelEvent[] = [];
    s.push(...[resp("r1", NOW - 30 * HOUR), resp("r2", NOW - 29 * HOUR), resp("r3", NOW - HOUR)]);
    const est = insightsOf(s, { now: NOW, hours: 48, buckets: 24 }).quota;
    expect(est).toMatchObject({ kind: "estimate", percent: 50 });
    expect(insightsOf(s, { now: NOW, hours: 48, buckets: 24, session: { percent: 62, resetsAt: null } }).quota).toEqual({
      kind: "live",
      percent: 62,
      resetsAt: null,
    });
  });

  test("rejections in the real fixtures: the two wordings, and parallel calls rejected together", () => {
    for (const [file, expected] of [
      ["chiphuyen__sniffly/-Users-chip-dev-ai-music/fed8ce56-bc79-401f-a83e-af084253362f.jsonl", 2],
      ["marot__spotter/short.jsonl", 2],
      ["entireio__cli/b0/be9accda39/0/full.jsonl", 1],
    ] as const) {
      const s: ModelEvent[] = [];
      const path = join(FIXTURES, file);
      const info = fileInfo(path);
      const events: ModelEvent[] = [];
      readFileSync(path, "utf8")
        .split("\n")
        .forEach((l, i) => lineToEvents(l, i + 1, { file: path, fileSessionId: info.sessionId, fileAgentId: info.agentId }, events));
      s.push(...events);
      const v = insightsOf(s, { now: Date.parse("2027-01-01T00:00:00Z"), hours: 24 * 366 * 2, buckets: 10 });
      expect(v.decisions.rejected).toBe(expected);
    }
  });

  test("every panel degrades cleanly with no data", () => {
    const app = appOf([], { windowHours: 12, bucketMinutes: null, activeWindowHours: 1, banner: null, account: null, still: true, allowance: false });
    app.dispatch({ type: "tab", tab: "insights" });
    const g = new CellGrid(160, 50);
    app.render(g, NOW, NOW);
    const f = g.toPlain();
    expect(f).toContain("no tool calls in this window");
    expect(f).toContain("no responses in this window");
  });
});

function demoApp(): DashboardApp {
  const app = demoAppOf(NOW, { windowHours: 12, bucketMinutes: null, activeWindowHours: 1, banner: null, account: null, still: true });
  app.dispatch({ type: "tab", tab: "insights" });
  return app;
}

function frame(app: DashboardApp, w: number, h: number): string {
  const g = new CellGrid(w, h);
  app.render(g, NOW, NOW);
  return g.toPlain();
}

describe("INSIGHTS frames", () => {
  test("80×24: one column, scrolled by panel rows", () => {
    const app = demoApp();
    const f = frame(app, 80, 24);
    expect(f).toContain("TOTAL TOKEN USAGE");
    expect(f).not.toContain("TOOL TYPES");
    expect(f).toMatchSnapshot();
    for (let i = 0; i < 9; i++) app.key({ name: "down" });
    expect(frame(app, 80, 24)).toContain("TOOL TYPES");
  });

  test("160×50: three columns, all twelve panels", () => {
    const f = frame(demoApp(), 160, 50);
    for (const t of [
      "TOTAL TOKEN USAGE",
      "SESSIONS AND CONVERSATIONS",
      "TOTAL COST",
      "COMMAND DURATION",
      "TOKEN USAGE OVER TIME",
      "SUCCESS RATE",
      "ENTRY POINT / TERMINAL",
      "REQUESTS PER USER / PROJECT",
      "MODEL DISTRIBUTION",
      "TOOL TYPES",
      "USER DECISIONS",
      "QUOTA",
    ])
      expect(f).toContain(t);
    expect(f).toMatchSnapshot();
  });

  test("per-day sparklines widen to the panel, line their days up, and carry their peak", () => {
    const rows = frame(demoApp(), 80, 24).split("\n");
    const spark = (label: string) => {
      const row = rows.find((l) => l.includes(label))!;
      return { bars: /[▁▂▃▄▅▆▇█ ]+(?=  peak)/.exec(row.slice(row.indexOf(label) + 13))![0], row };
    };
    const prompts = spark("prompts/day");
    const sessions = spark("sessions/day");
    expect(prompts.bars.length).toBe(7 * 4); // a week at 4 columns a day
    expect(sessions.bars.length).toBe(prompts.bars.length);
    expect(prompts.bars.endsWith("████")).toBe(true); // today is the busiest day of the demo
    expect(prompts.row).toContain("peak 75");
  });

  test("keys 1–5 choose the window; o sorts projects; a click opens a panel full screen", () => {
    const app = demoApp();
    frame(app, 160, 50);
    app.key({ name: "1" });
    expect(app.ui.insightsHours).toBe(1);
    app.key({ name: "o" });
    expect(app.ui.projectSort).toBe("prompts");
    const rows = frame(app, 160, 50).split("\n");
    const y = rows.findIndex((l) => l.includes("TOOL TYPES"));
    app.click(rows[y]!.indexOf("TOOL TYPES"), y + 2);
    expect(app.ui.popups[0]).toMatchObject({ kind: "insight", id: "toolTypes" });
    expect(frame(app, 160, 50)).toContain("MCP tools grouped by server");
  });
});

describe("--json --view insights", () => {
  test("holds every panel's data", () => {
    const p = Bun.spawnSync(
      [process.execPath, join(resolve(import.meta.dir, ".."), "src/cli.ts"), "--json", "--demo", "--view", "insights", "--now", "2026-11-26T18:00:00Z"],
      { stdout: "pipe" },
    );
    const d = JSON.parse(p.stdout.toString());
    expect(Object.keys(d)).toEqual([
      "view",
      "demo",
      "source",
      "user",
      "window",
      "tokens",
      "sessions",
      "cost",
      "durations",
      "tokensOverTime",
      "successRate",
      "entrypoints",
      "terminals",
      "projects",
      "users",
      "models",
      "toolTypes",
      "decisions",
      "quota",
      "notes",
      "diagnostics",
    ]);
    expect(d.quota.kind).toBe("live");
    expect(d.decisions.rejected).toBeGreaterThan(0);
  });
});
