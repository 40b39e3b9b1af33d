// SUMMARY drawn alone into a small grid with hand-built figures (no store, no clock): the figures a user reads and
// where they sit at each width, the cache-mix bar and its legend, and the lines below them.
import { describe, expect, test } from "bun:test";
import type { HistoryView } from "../src/model/history-view.ts";
import type { CellGrid } from "../src/ui/grid.ts";
import { theme } from "../src/ui/theme.ts";
import { drawHistorySummary } from "../src/ui/widgets/history-summary.ts";
import { drawHourPopup } from "../src/ui/widgets/hour-popup.ts";
import { drawSummary, type SummaryProps } from "../src/ui/widgets/summary.ts";
import { drawn, fgAt, find, lines } from "./buffer.ts";

// 1M of input: 70 % read from the cache, 15 % written for 5 m, 5 % for 1 h, 10 % uncached
const base: SummaryProps = {
  windowHours: 12,
  input: 1_000_000,
  read: 700_000,
  write5m: 150_000,
  write1h: 50_000,
  uncached: 100_000,
  miss: 20_000,
  output: 45_600,
  responses: 1234,
  effective1h: 230_000,
  effectiveWindow: 1_234_567,
  cost1h: 1.5,
  costWindow: 12_345.678,
  prompts: 42,
  toolCalls: 310,
  toolErrors: 4,
  toolRejections: 1,
  apiErrors: 0,
  apiRetries: 5,
};

const summary = (w: number, h: number, p: Partial<SummaryProps> = {}) => drawn(w, h, (g, r) => drawSummary(g, r, { ...base, ...p }));

/** Runs of equal foreground along part of a row: [colour, cells]. */
function colourRuns(g: CellGrid, y: number, from: number, to: number): [unknown, number][] {
  const runs: [unknown, number][] = [];
  for (let x = from; x < to; x++) {
    const fg = fgAt(g, x, y);
    const last = runs.at(-1);
    if (last && JSON.stringify(last[0]) === JSON.stringify(fg)) last[1]++;
    else runs.push([fg, 1]);
  }
  return runs;
}

describe("SUMMARY widget", () => {
  test("the side panel: each figure beside its last-hour twin, numbers right-aligned, dollars with thousands separators, the window in the title", () => {
    const g = summary(40, 8);
    expect(lines(g)).toEqual([
      "╭─ SUMMARY ───────────────────── 12 h ─╮",
      "│ input       1.00M output       45.6k │",
      "│ effective   1.23M eff. 1 h      230k │",
      "│ cost      $12,346 cost 1 h     $1.50 │",
      "│ responses   1,234 prompts         42 │",
      "│ ████████████████████████████████████ │",
      "│ read 70% 5m 15% 1h 5% unc 10%        │",
      "╰──────────────────────────────────────╯",
    ]);
    const at = (s: string) => fgAt(g, find(g, s).x, find(g, s).y);
    expect([at("input"), at("1.00M"), at("45.6k"), at("$12,346"), at("230k")]).toEqual([theme.dim, theme.uncached, theme.output, theme.warn, theme.accent]);
  });

  test("at 36 columns (LIVE's side panel at its narrowest) a cost reads whole: the window's takes the room its short label leaves, the last hour's the panel's spare cell", () => {
    expect(lines(summary(36, 8, { cost1h: 104.37 })).slice(1, 4)).toEqual([
      "│ input     1.00M output     45.6k │",
      "│ effective 1.23M eff. 1 h    230k │",
      "│ cost    $12,346 cost 1 h $104.37 │",
    ]);
    // a figure is cut only when it and its label do not fit the column together
    expect(lines(summary(36, 8, { costWindow: 123_456_789 }))[3]).toBe("│ cost $123,456,… cost 1 h   $1.50 │");
  });

  test("a window that was cut to fit the bucket size says so in the title: '6 h of 12 h'", () => {
    expect(lines(summary(40, 8, { windowHours: 6, windowCut: true, chosenHours: 12 }))[0]).toBe("╭─ SUMMARY ────────────── 6 h of 12 h ─╮");
    expect(lines(summary(40, 8, { windowHours: 0.75 }))[0]).toBe("╭─ SUMMARY ───────────────────── 45 m ─╮");
  });

  test("the cache-mix bar: read, 5m, 1h and uncached in proportion and in that order, each in its colour", () => {
    const g = summary(40, 8);
    // 36 cells: 70 % is 25, 15 % is 6, 5 % is 1, 10 % is 4 (each boundary rounded once)
    expect(colourRuns(g, 5, 2, 38)).toEqual([
      [theme.read, 25],
      [theme.write5m, 6],
      [theme.write1h, 1],
      [theme.uncached, 4],
    ]);
  });

  test("the legend names every part with its share: with chips and room when it fits, then closer, then 'unc', then without chips, each name in its part's colour", () => {
    const legend = (w: number) => lines(summary(w, 8))[6]!;
    expect(legend(50)).toBe("│ ■ read 70%  ■ 5m 15%  ■ 1h 5%  ■ uncached 10%  │");
    expect(legend(48)).toBe("│ ■ read 70% ■ 5m 15% ■ 1h 5% ■ uncached 10%   │");
    expect(legend(42)).toBe("│ ■ read 70% ■ 5m 15% ■ 1h 5% ■ unc 10%  │");
    expect(legend(40)).toBe("│ read 70% 5m 15% 1h 5% unc 10%        │");
    const chips = summary(50, 8);
    expect(["■ read", "■ 5m", "■ 1h", "■ uncached"].map((s) => fgAt(chips, find(chips, s).x, 6))).toEqual([
      theme.read,
      theme.write5m,
      theme.write1h,
      theme.uncached,
    ]);
    expect(fgAt(chips, find(chips, "read 70%").x, 6)).toEqual(theme.dim);
    const bare = summary(40, 8);
    expect(["read", "5m", "1h", "unc"].map((s) => fgAt(bare, find(bare, `${s} `).x, 6))).toEqual([theme.read, theme.write5m, theme.write1h, theme.uncached]);
  });

  test("a line too narrow for its panel is cut with …: the legend's shortest form, the cache-miss, tool and API lines", () => {
    const g = summary(30, 12);
    expect(lines(g)[6]).toBe("│ read 70% 5m 15% 1h 5% unc… │");
    expect(fgAt(g, find(g, "unc…").x, 6)).toEqual(theme.uncached);
    expect(lines(summary(24, 12)).slice(6, 10)).toEqual([
      "│ read 70% 5m 15% 1h … │",
      "│ cache miss 2% of in… │",
      "│ tools 310 · 4 err ·… │",
      "│ API err 0 · 5 retri… │",
    ]);
  });

  test("colour off: the bar's parts are told apart by pattern, █ read ▓ 5m ▒ 1h ░ uncached, and the chips show them", () => {
    expect(lines(summary(40, 8, { mono: true }))[5]).toBe("│ █████████████████████████▓▓▓▓▓▓▒░░░░ │");
    expect(lines(summary(50, 8, { mono: true }))[6]).toBe("│ █ read 70%  ▓ 5m 15%  ▒ 1h 5%  ░ uncached 10%  │");
  });

  test("no input in the window: the bar says so", () => {
    const rows = lines(summary(40, 8, { input: 0, read: 0, write5m: 0, write1h: 0, uncached: 0, miss: 0 }));
    expect(rows[1]).toBe("│ input           0 output       45.6k │");
    expect(rows[5]).toBe("│ no input in this window              │");
  });

  test("with room below: the cache misses as a share of input, the tool calls, then API errors, red when there were any", () => {
    const g = summary(40, 12, { apiErrors: 2 });
    expect(lines(g).slice(7)).toEqual([
      "│ cache miss 2% of input               │",
      "│ tool calls 310 · 4 err · 1 rej       │",
      "│ API errors 2 · 5 retries             │",
      "│                                      │",
      "╰──────────────────────────────────────╯",
    ]);
    expect([fgAt(g, 2, 7), fgAt(g, 2, 8), fgAt(g, 2, 9)]).toEqual([theme.miss, theme.dim, theme.error]);
    const calm = summary(40, 12, { miss: 0 });
    expect(lines(calm)[7]).toBe("│ cache miss 0% of input               │");
    expect([fgAt(calm, 2, 7), fgAt(calm, 2, 9)]).toEqual([theme.dim, theme.dim]);
  });

  test("counts read with thousands separators, as the token and dollar figures do: responses, prompts, tool calls, API errors", () => {
    const rows = lines(summary(44, 12, { prompts: 5678, toolCalls: 12_345, toolErrors: 1001, toolRejections: 2, apiErrors: 1500, apiRetries: 20_000 }));
    expect(rows[4]).toBe("│ responses     1,234 prompts        5,678 │");
    expect(rows.slice(8, 10)).toEqual(["│ tool calls 12,345 · 1,001 err · 2 rej    │", "│ API errors 1,500 · 20,000 retries        │"]);
  });

  test("a narrow panel cuts the labels with … and says 'tools' and 'API err'", () => {
    const rows = lines(summary(26, 12, { costWindow: 3.5 }));
    expect(rows.slice(1, 5)).toEqual(["│ inp… 1.00M out…  45.6k │", "│ eff… 1.23M eff…   230k │", "│ cost $3.50 cos…  $1.50 │", "│ res… 1,234 pro…     42 │"]);
    expect(rows[9]).toBe("│ API err 0 · 5 retries  │");
    expect(lines(summary(30, 12))[8]).toBe("│ tools 310 · 4 err · 1 rej  │");
  });

  test("across a narrow screen, three columns: the window's figures and its cost first, the last hour's after", () => {
    expect(lines(summary(80, 6))).toEqual([
      "╭─ SUMMARY ───────────────────────────────────────────────────────────── 12 h ─╮",
      "│ input              1.00M output             45.6k effective            1.23M │",
      "│ cost             $12,346 responses          1,234 prompts                 42 │",
      "│ eff. 1 h            230k cost 1 h           $1.50                            │",
      "│ tool calls 310 · 4 err · 1 rej                                               │",
      "╰──────────────────────────────────────────────────────────────────────────────╯",
    ]);
  });

  test("a panel two rows high keeps what the window cost, before the last hour's figures", () => {
    expect(lines(summary(60, 4)).slice(1, 3)).toEqual([
      "│ input                 1.00M output                 45.6k │",
      "│ effective             1.23M cost                 $12,346 │",
    ]);
  });
});

describe("HISTORY's SUMMARY and the hour popup", () => {
  // (only what the widgets read)
  const view = {
    totals: { responses: 12_345, uncached: 1000, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 9000, output: 4560, effectiveTokens: 98_765, costUSD: 106.25 },
    counts: { prompts: 2345, toolCalls: 12_380, toolErrors: 1061, toolRejections: 0, apiErrors: 0, apiRetries: 0 },
    cacheHitRate: 0.9,
    estimatedResponses: 1500,
  } as unknown as HistoryView;

  test("HISTORY's SUMMARY counts responses, prompts and tool calls with thousands separators, and says how many responses were priced by family", () => {
    const rows = lines(drawn(40, 16, (g, r) => drawHistorySummary(g, r, view, 168, undefined)));
    expect([rows[3], rows[7], rows[8]]).toEqual([
      "│ responses                     12,345 │",
      "│ prompts                        2,345 │",
      "│ tool calls        12,380 (1,061 err) │",
    ]);
    expect(rows.slice(12, 15)).toEqual([
      "│ cost is an estimate from list prices │",
      "│ per model; 1,500 responses of        │",
      "│ unknown models priced by family      │",
    ]);
  });

  test("the hour popup counts that hour's responses with thousands separators", () => {
    const cell = { weekday: 3, hour: 14, effectiveTokens: 1_234_567, responses: 4321, costUSD: 12.5 };
    const g = drawn(60, 13, (c) => void drawHourPopup(c, cell, 10_000_000));
    expect(lines(g).find((l) => l.includes("responses"))).toContain("responses         4,321");
  });
});
