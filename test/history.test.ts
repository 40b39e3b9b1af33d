// HISTORY: frames on a fixed corpus spanning eight days (so the week's edge is crossed), the bucket choice at
// several widths, the activity map across daylight-saving changes in a fixed zone, --json --view history.
import { describe, expect, test } from "bun:test";
import { join, resolve } from "node:path";
import { generateSession } from "../src/synth/corpus.ts";
import { lineToEvents } from "../src/ingest/records.ts";
import { rng, uuidFrom } from "../src/synth/lines.ts";
import type { ModelEvent, ResponseObserved } from "../src/model/events.ts";
import { historyBucketMinutes, selectHistory, zoneOf } from "../src/model/history-view.ts";
import { createState, reduce } from "../src/model/state.ts";
import type { DashboardApp } from "../src/ui/app.ts";
import { CellGrid } from "../src/ui/grid.ts";
import { appOf, queriesOf } from "./builders.ts";

process.env.TZ = "UTC";

const NOW = Date.parse("2026-11-26T18:00:00Z");
const HOUR = 3_600_000;
const MODELS = ["claude-opus-4-6", "claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001", "claude-opus-4-1-20250805"];

/** Twelve sessions, one every 16 hours back to eight days ago, on four models. */
function eightDays(): ModelEvent[] {
  const sink: ModelEvent[] = [];
  for (let i = 0; i < 12; i++) {
    const seed = 900 + i;
    const plan = { sessionId: uuidFrom(rng(seed)), cwd: `/home/dev/src/p${i % 3}`, model: MODELS[i % 4]!, turns: 4, subagents: i % 3 === 0 ? 1 : 0, start: 0 };
    const dry = generateSession(rng(seed), plan);
    const g = generateSession(rng(seed), { ...plan, start: NOW - (i * 16 + 1) * HOUR - dry.end });
    const ctx = { file: `f${i}`, fileSessionId: plan.sessionId, fileAgentId: null };
    g.main.forEach((l, n) => lineToEvents(l, n + 1, ctx, sink));
    for (const a of g.agents) a.lines.forEach((l, n) => lineToEvents(l, n + 1, { ...ctx, file: `a${i}`, fileAgentId: a.agentId }, sink));
  }
  return sink;
}

function app(opts: { historyBucketMinutes?: number } = {}): DashboardApp {
  return appOf(eightDays(), { windowHours: 12, bucketMinutes: null, activeWindowHours: 1, banner: null, account: null, still: true, ...opts });
}

function historyFrame(w: number, h: number): string {
  const a = app();
  a.dispatch({ type: "tab", tab: "history" });
  const g = new CellGrid(w, h);
  a.render(g, NOW, NOW);
  return g.toPlain();
}

describe("HISTORY frames (eight days of data, a seven-day window)", () => {
  test("160×50", () => {
    const f = historyFrame(160, 50);
    for (const s of ["EFFECTIVE TOKENS · by model", "ACTIVITY", "SUMMARY", "cost: an estimate (list prices)", "Thu 26", "Fri 20"]) expect(f).toContain(s);
    expect(f).toMatchSnapshot();
  });

  test("100×30: the summary and the map open as overlays (S, M)", () => {
    const f = historyFrame(100, 30);
    expect(f).not.toContain("ACTIVITY");
    expect(f).toContain("S summary");
    expect(f).toMatchSnapshot();
    const a = app();
    a.dispatch({ type: "tab", tab: "history" });
    a.key({ name: "M" });
    const g = new CellGrid(100, 30);
    a.render(g, NOW, NOW);
    expect(g.toPlain()).toContain("ACTIVITY");
    a.key({ name: "q" });
    a.key({ name: "S" });
    const g2 = new CellGrid(100, 30);
    a.render(g2, NOW, NOW);
    expect(g2.toPlain()).toContain("cache hits");
  });

  test("at 120×30 the side panels keep their borders: the map's legend and the cost note fit inside", () => {
    const rows = historyFrame(120, 30)
      .split("\n")
      .map((l) => [...l]);
    for (const title of ["SUMMARY", "ACTIVITY"]) {
      const top = rows.findIndex((r) => r.join("").includes(`╭─ ${title}`));
      const right = rows[top]!.lastIndexOf("╮");
      for (let y = top + 1; rows[y]![right] !== "╯"; y++) expect(rows[y]![right]).toBe("│");
    }
    const text = rows.map((r) => r.join("")).join("\n");
    expect(text).toContain("cost: an estimate (list prices)");
    expect(text).toMatch(/0 ·░░▒▒▓▓▓███ [\d.]+[kM]?/);
  });

  test("at 80×24 the map and summary overlays hide the charts behind them completely", () => {
    const a = app();
    a.dispatch({ type: "tab", tab: "history" });
    const inside = (title: string) => {
      const g = new CellGrid(80, 24);
      a.render(g, NOW, NOW);
      const rows = g
        .toPlain()
        .split("\n")
        .map((l) => [...l]);
      const top = rows.findIndex((r) => r.join("").includes(`╭─ ${title}`));
      const left = rows[top]!.join("").indexOf(`╭─ ${title}`);
      const right = rows[top]!.indexOf("╮", left);
      const out: string[] = [];
      for (let y = top + 1; rows[y]![left] !== "╰"; y++) out.push(rows[y]!.slice(left + 1, right).join(""));
      return out;
    };
    a.key({ name: "M" });
    const map = inside("ACTIVITY");
    expect(map.some((l) => l.startsWith("Mon "))).toBe(true);
    expect(map.find((l) => l.startsWith("Mon "))!.trimEnd().length).toBe(4 + 48); // two columns an hour
    for (const l of map) expect(l).not.toMatch(/[╵■]|Sun \d|Mon \d/); // no axis, legend or chart label from behind
    a.key({ name: "q" });
    a.key({ name: "S" });
    const summary = inside("SUMMARY");
    expect(summary.join("\n")).toContain("cache hits");
    for (const l of summary) expect(l).not.toMatch(/[╵■]/);
  });

  test("only the window counts: the oldest session (eight days back) is outside it", () => {
    const events = eightDays();
    const s = createState();
    for (const e of events) reduce(s, e);
    const v = selectHistory(queriesOf(events), { now: NOW, hours: 168, bucketMinutes: 60 });
    let inWindow = 0;
    for (const r of s.responses.values()) if (r.time > NOW - 168 * HOUR && r.time <= NOW) inWindow++;
    expect(v.totals.responses).toBe(inWindow);
    expect(inWindow).toBeLessThan(s.responses.size);
    const sumFamilies = Object.values(v.familyTotals).reduce((a, b) => a + b, 0);
    expect(sumFamilies).toBeCloseTo(v.totals.effectiveTokens, 3);
    const sumHeat = v.heatmap.reduce((a, c) => a + c.effectiveTokens, 0);
    expect(sumHeat).toBeCloseTo(v.totals.effectiveTokens, 3);
  });
});

describe("bucket size", () => {
  test("the smallest quarter-hour multiple whose buckets fit the width", () => {
    expect(historyBucketMinutes(168, 700)).toBe(15);
    expect(historyBucketMinutes(168, 336)).toBe(30);
    expect(historyBucketMinutes(168, 168)).toBe(60);
    expect(historyBucketMinutes(168, 110)).toBe(105);
    expect(historyBucketMinutes(168, 100)).toBe(105);
    expect(historyBucketMinutes(168, 60)).toBe(180);
    expect(historyBucketMinutes(168, 20)).toBe(720);
  });

  test("--history-bucket-minutes fixes the bar; the span is bar × columns (the window's start cuts one)", () => {
    const h = app({ historyBucketMinutes: 30 }).history(NOW, 160, 50);
    expect(h.view.window.bucketMinutes).toBe(30);
    const plot = h.layout.charts[0]!.w - 9;
    expect(h.hours).toBeCloseTo((30 * (plot - 1)) / 60, 6);
    expect(h.view.buckets.length).toBeLessThanOrEqual(plot); // plot − 1 whole bars, and one the start may cut
    expect(h.view.buckets.length).toBeGreaterThanOrEqual(plot - 1);
  });
});

describe("activity map across daylight-saving changes (Europe/Berlin)", () => {
  const at = (iso: string, key: string): ResponseObserved => ({
    type: "ResponseObserved",
    key,
    time: Date.parse(iso),
    sessionId: "s",
    agentId: null,
    model: "claude-opus-4-6",
    usage: { uncached: 10, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, output: 0 },
    cwd: null,
    entrypoint: null,
  });
  const SUN = 6;

  test("autumn: 02:00–03:00 happens twice on 25 Oct 2026, both land in Sunday 02", () => {
    const q = queriesOf([at("2026-10-25T00:30:00Z", "a"), at("2026-10-25T01:30:00Z", "b"), at("2026-10-25T02:30:00Z", "c")]);
    const v = selectHistory(q, { now: Date.parse("2026-10-26T00:00:00Z"), hours: 48, bucketMinutes: 60, timeZone: "Europe/Berlin" });
    const cell = (h: number) => v.heatmap[SUN * 24 + h]!;
    expect(cell(2).responses).toBe(2); // 02:30 CEST and 02:30 CET
    expect(cell(3).responses).toBe(1); // 03:30 CET
    expect(cell(1).responses).toBe(0);
  });

  test("spring: 29 Mar 2026 skips 02:00–03:00", () => {
    const q = queriesOf([at("2026-03-29T00:30:00Z", "a"), at("2026-03-29T01:30:00Z", "b")]);
    const v = selectHistory(q, { now: Date.parse("2026-03-30T00:00:00Z"), hours: 48, bucketMinutes: 60, timeZone: "Europe/Berlin" });
    const cell = (h: number) => v.heatmap[SUN * 24 + h]!;
    expect(cell(1).responses).toBe(1); // 01:30 CET
    expect(cell(2).responses).toBe(0); // does not exist
    expect(cell(3).responses).toBe(1); // 03:30 CEST
  });

  test("a zone with a half-hour offset (Asia/Kolkata) puts 18:45Z at 00:15 the next day", () => {
    expect(zoneOf("Asia/Kolkata")(Date.parse("2026-11-26T18:45:00Z"))).toEqual({ weekday: 4, hour: 0, day: 27 });
  });
});

describe("--json --view history", () => {
  test("prints the window, totals with cost and cache-hit rate, buckets, models, heatmap", () => {
    const p = Bun.spawnSync(
      [
        process.execPath,
        join(resolve(import.meta.dir, ".."), "src/cli.ts"),
        "--json",
        "--demo",
        "--view",
        "history",
        "--now",
        "2026-11-26T18:00:00Z",
        "--tz",
        "UTC",
      ],
      { stdout: "pipe", stderr: "pipe" },
    );
    expect(p.exitCode).toBe(0);
    const d = JSON.parse(p.stdout.toString());
    expect(Object.keys(d).sort()).toEqual([
      "buckets",
      "cost",
      "counts",
      "demo",
      "diagnostics",
      "heatmap",
      "models",
      "now",
      "timeZone",
      "totals",
      "view",
      "window",
    ]);
    expect(d.view).toBe("history");
    expect(d.window.bucketMinutes).toBe(60);
    expect(d.heatmap).toHaveLength(168);
    expect(d.models.map((m: { family: string }) => m.family)).toEqual(["opus", "sonnet", "haiku", "other"]);
    expect(d.totals.cacheHitRate).toBeGreaterThan(0.5);
    expect(d.cost.estimate).toBe(true);
    const bucketSum = d.buckets.reduce((a: number, b: { responses: number }) => a + b.responses, 0);
    expect(bucketSum).toBe(d.totals.responses);
  });

  test("--price-per-mtok changes the cost and says so; a bad --tz exits 2", () => {
    const run = (args: string[]) =>
      Bun.spawnSync(
        [
          process.execPath,
          join(resolve(import.meta.dir, ".."), "src/cli.ts"),
          "--json",
          "--demo",
          "--view",
          "history",
          "--now",
          "2026-11-26T18:00:00Z",
          ...args,
        ],
        { stdout: "pipe", stderr: "pipe" },
      );
    const base = JSON.parse(run([]).stdout.toString());
    const cheap = JSON.parse(run(["--price-per-mtok", "1"]).stdout.toString());
    expect(cheap.cost.priceOverridePerMtok).toBe(1);
    expect(cheap.totals.costUSD).toBeLessThan(base.totals.costUSD);
    const bad = run(["--tz", "Mars/Olympus"]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.toString()).toContain("--tz");
  });
});
