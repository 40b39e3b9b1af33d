// The ALLOWANCE view model and panel: last good numbers survive a failure with their age, the projection is
// shown only when honest, gauge colours follow the thresholds, reset labels, and what a frame shows.
import { describe, expect, test } from "bun:test";
import type { ModelEvent } from "../src/model/events.ts";
import { selectAllowance } from "../src/model/allowance-view.ts";
import { createState, reduce } from "../src/model/state.ts";
import type { UsageQueries } from "../src/model/queries.ts";
import { queriesOf } from "./builders.ts";
import { CellGrid } from "../src/ui/grid.ts";
import { HitMap } from "../src/ui/hits.ts";
import { theme } from "../src/ui/theme.ts";
import { countdown, drawAllowance, gaugeColor, resetLabel } from "../src/ui/widgets/allowance.ts";
import { drawAllowancePopup } from "../src/ui/widgets/allowance-popup.ts";

process.env.TZ = "UTC";
const NOW = Date.parse("2026-11-26T18:00:00Z");
const MIN = 60_000;

function response(key: string, minutesAgo: number, effectiveOutput: number): ModelEvent {
  return { type: "ResponseObserved", key, time: NOW - minutesAgo * MIN, sessionId: "s", agentId: null, model: "claude-opus-4-6", usage: { uncached: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, output: effectiveOutput / 5 }, cwd: null, entrypoint: null };
}

/** No usage stored. */
const NONE: UsageQueries = queriesOf([]);

const fetched = (percent: number, resetsInMin: number | null, time = NOW - MIN): ModelEvent => ({
  type: "AllowanceFetched",
  time,
  limits: [
    { kind: "weekly", percent: 20, resetsAt: NOW + 3 * 24 * 60 * MIN },
    { kind: "session", percent, resetsAt: resetsInMin === null ? null : NOW + resetsInMin * MIN },
  ],
});

describe("the allowance view model", () => {
  test("limits come in order (5-hour first) with labels; a failure keeps the last good numbers and their time", () => {
    const s = createState();
    reduce(s, fetched(40, 120));
    reduce(s, { type: "AllowanceFailed", time: NOW, problem: "rate-limited", message: "rate-limited (HTTP 429)", retryAt: NOW + 5 * MIN });
    const v = selectAllowance(s, NONE, NOW, true);
    expect(v.status).toBe("ok");
    expect(v.limits.map((l) => l.label)).toEqual(["5-hour", "weekly"]);
    expect(v.fetchedAt).toBe(NOW - MIN);
    expect(v.problem?.retryAt).toBe(NOW + 5 * MIN);
    reduce(s, fetched(41, 119, NOW + MIN)); // a success clears the problem
    expect(selectAllowance(s, NONE, NOW + MIN, true).problem).toBeNull();
  });

  test("an older answer arriving late changes nothing", () => {
    const s = createState();
    reduce(s, fetched(40, 120, NOW));
    expect(reduce(s, fetched(10, 120, NOW - 10 * MIN))).toBe(false);
    expect(selectAllowance(s, NONE, NOW, true).limits[0]!.percent).toBe(40);
  });

  test("projection: 50 % used by 100k effective tokens, burning 50k an hour, the rest lasts 2 h", () => {
    const s = createState();
    const q = queriesOf([response("a", 90, 50_000), response("b", 30, 50_000)]); // last hour: 50k
    reduce(s, fetched(50, 180));
    expect(selectAllowance(s, q, NOW, true).projectedLimitAt).toBe(NOW + 2 * 60 * MIN);
  });

  test("no projection when it would not be honest: little use, no recent burn, or the window resets first", () => {
    const s = createState();
    reduce(s, fetched(50, 180));
    expect(selectAllowance(s, queriesOf([response("a", 90, 50_000)]), NOW, true).projectedLimitAt).toBeNull(); // nothing in the last hour
    const q = queriesOf([response("a", 90, 50_000), response("b", 30, 50_000)]);
    reduce(s, fetched(3, 180, NOW));
    expect(selectAllowance(s, q, NOW, true).projectedLimitAt).toBeNull(); // 3 % is too little to extrapolate
    reduce(s, fetched(50, 60, NOW + 1));
    expect(selectAllowance(s, q, NOW, true).projectedLimitAt).toBeNull(); // resets in 1 h, before the 2 h
  });

  test("status: off with --no-allowance, waiting before any answer, problem without numbers", () => {
    const s = createState();
    expect(selectAllowance(s, NONE, NOW, false).status).toBe("off");
    expect(selectAllowance(s, NONE, NOW, true).status).toBe("waiting");
    reduce(s, { type: "AllowanceFailed", time: NOW, problem: "no-credentials", message: "sign in with `claude` to see your allowance", retryAt: null });
    expect(selectAllowance(s, NONE, NOW, true).status).toBe("problem");
  });
});

describe("the panel", () => {
  test("gauge colours: green ≤70, yellow ≤80, amber ≤90, red ≤95, flashing above", () => {
    expect(gaugeColor(70, 0)).toEqual(theme.ok);
    expect(gaugeColor(71, 0)).toEqual(theme.warn);
    expect(gaugeColor(85, 0)).toEqual(theme.amber);
    expect(gaugeColor(95, 0)).toEqual(theme.error);
    expect(gaugeColor(96, 0)).not.toEqual(gaugeColor(96, 500));
  });

  test("reset labels: a time today, a weekday and time later; countdowns in m:ss", () => {
    expect(resetLabel(Date.parse("2026-11-26T19:40:00Z"), NOW)).toBe("resets 19:40");
    expect(resetLabel(Date.parse("2026-12-01T14:00:00Z"), NOW)).toBe("resets Tue 14:00");
    expect(countdown(4 * MIN + 12_000)).toBe("4:12");
  });

  test("draws gauges, the age, the problem with its retry countdown; the panel is clickable", () => {
    const s = createState();
    reduce(s, fetched(62, 100));
    reduce(s, { type: "AllowanceFailed", time: NOW, problem: "server", message: "api failed (HTTP 503)", retryAt: NOW + 5 * MIN });
    const g = new CellGrid(44, 14);
    const hits = new HitMap();
    drawAllowance(g, { x: 0, y: 0, w: 44, h: 14 }, selectAllowance(s, NONE, NOW, true), NOW, 0, hits);
    const text = g.toPlain();
    expect(text).toContain("5-hour");
    expect(text).toContain("62%");
    expect(text).toContain("resets 19:40");
    expect(text).toContain("updated 1m ago");
    expect(text).toContain("retry in 5:00");
    expect(hits.at(5, 5)).toEqual({ type: "allowance" });
  });

  test("the popup lists every limit and the last problem word for word, wrapped inside its border, and is as tall as that", () => {
    const s = createState();
    reduce(s, fetched(62, 100));
    const long = "the usage endpoint answered 503 Service Unavailable: upstream connect error or disconnect/reset before headers, retried too many times";
    reduce(s, { type: "AllowanceFailed", time: NOW, problem: "server", message: long, retryAt: NOW + 5 * MIN });
    const g = new CellGrid(70, 40);
    drawAllowancePopup(g, selectAllowance(s, NONE, NOW, true), NOW);
    const rows = g.toPlain().split("\n").map((l) => [...l]);
    const top = rows.findIndex((r) => r.join("").includes("╭─ ALLOWANCE"));
    const left = rows[top]!.indexOf("╭");
    const right = rows[top]!.lastIndexOf("╮");
    const bottom = rows.findIndex((r, y) => y > top && r[left] === "╰");
    for (let y = top + 1; y < bottom; y++) expect(rows[y]![right]).toBe("│");
    const body = rows.slice(top + 1, bottom).map((r) => r.slice(left + 1, right).join("").trim());
    expect(body.join(" ")).toContain(long); // every word, in order, across the wrapped lines
    expect(body.some((l) => l.startsWith("5-hour") && l.includes("62.0%"))).toBe(true);
    expect(body.at(-1)).toBe("next try in 5:00 (18:05)"); // no blank rows below the last line
  });
});
