// The stacked bar chart (LIVE's and HISTORY's charts, the session popup's) drawn alone into a small grid with
// hand-built series: what a user reads on it (the scale, the bar tops, the hour labels, the legend) line by line,
// and the colours that tell its series apart.
import { describe, expect, test } from "bun:test";
import type { HistoryView } from "../src/model/history-view.ts";
import type { Bucket } from "../src/model/queries.ts";
import type { RGB } from "../src/ui/canvas.ts";
import { HitMap } from "../src/ui/hits.ts";
import { theme } from "../src/ui/theme.ts";
import { type ChartProps, drawChart, type Series } from "../src/ui/widgets/chart.ts";
import { chartSeries } from "../src/ui/widgets/chart-series.ts";
import { historySeries } from "../src/ui/widgets/history-charts.ts";
import { drawn, fgAt, find, lines } from "./buffer.ts";

process.env.TZ = "UTC"; // hour labels are local time: pin the zone

const H = 3_600_000;
const T0 = Date.parse("2026-11-26T10:00:00Z");
const hourly = (n: number, from = T0) => Array.from({ length: n }, (_, i) => from + i * H);
const one = (values: number[], label = "output", color: RGB = theme.output): Series[] => [{ label, color, values }];

/** The chart drawn on a w×h grid; the bars flat (no shimmer) unless the props say otherwise. */
function chart(w: number, h: number, p: Partial<ChartProps> & Pick<ChartProps, "series" | "starts">, hits = new HitMap()) {
  return drawn(w, h, (g, r) => drawChart(g, r, { title: "OUTPUT", time: 0, still: true, ...p }, hits));
}

describe("chart widget", () => {
  test("a boxed chart: title in the border, legend at the right, a 0 / half / top scale, hour labels under the bars", () => {
    const g = chart(40, 8, { series: one([1000, 2500, 12_300, 0, 4000, 8000]), starts: hourly(6) });
    expect(lines(g)).toEqual([
      "╭─ OUTPUT ────────────────── ■ output ─╮",
      "│15.0k │          ▁▁▁▁▁                │",
      "│      │          █████                │",
      "│7.50k │          █████          ▅▅▅▅▅▅│",
      "│      │          █████     ▃▃▃▃▃██████│",
      "│    0 │▃▃▃▃▃▇▇▇▇▇█████     ███████████│",
      "│       ╵10:00    ╵12:00    ╵14:00     │",
      "╰──────────────────────────────────────╯",
    ]);
    expect(fgAt(g, 18, 5)).toEqual(theme.output);
    expect(fgAt(g, 1, 1)).toEqual(theme.dim); // the scale is dim
  });

  test("a bar whose top ends inside a cell ends in an eighth block: ▁ for one eighth up to █ for a whole cell", () => {
    const g = chart(15, 3, { title: "OUT", series: one([1, 2, 3, 4, 5, 6, 7, 8], "o"), starts: hourly(8), ticks: [] });
    expect(lines(g)).toEqual([
      "OUT        ■ o ", //
      "    8 │▁▂▃▄▅▆▇█",
      "               ",
    ]);
  });

  test("the scale rounds the tallest bar up to a round maximum, written with k, M or B in at most 4 significant digits", () => {
    const cases: [number, string, string][] = [
      [999, "1.00k", "  500"],
      [12_300, "15.0k", "7.50k"],
      [123_456, " 150k", "75.0k"],
      [1_100_000, "1.20M", " 600k"],
      [7_990_000_000, "8.00B", "4.00B"],
    ];
    for (const [tallest, top, half] of cases) {
      const rows = lines(chart(30, 7, { series: one([tallest, 3]), starts: hourly(2) }));
      expect([rows[1]!.slice(1, 6), rows[3]!.slice(1, 6), rows[4]!.slice(1, 6)]).toEqual([top, half, "    0"]);
      for (const label of [top, half]) expect(label.replace(/\D/g, "").length).toBeLessThanOrEqual(4);
    }
  });

  test("the middle label of a small scale keeps its half: 7.5 of 15, 0.5 of an empty chart's 1 (they read 8 and 1)", () => {
    const label = (values: number[]) =>
      lines(chart(40, 8, { series: one(values), starts: hourly(values.length) }))[3]!
        .slice(1, 6)
        .trim();
    expect(label([3, 15, 9])).toBe("7.5");
    expect(label([0, 0, 0])).toBe("0.5");
    expect(label([3, 25, 9])).toBe("12.5");
    expect(label([300, 1500, 900])).toBe("750");
  });

  test("stacked series: each cell takes the colour of the series it shows, the first at the bottom; the legend's chips match", () => {
    const series: Series[] = [
      { label: "uncached", color: theme.uncached, values: [1_000_000, 2_000_000, 0, 3_000_000] },
      { label: "5m write", color: theme.write5m, values: [500_000, 2_000_000, 0, 600_000] },
    ];
    const g = chart(40, 8, { title: "INPUT", series, starts: hourly(4) });
    expect(lines(g)).toEqual([
      "╭─ INPUT ────── ■ uncached ■ 5m write ─╮",
      "│4.00M │       ████████        ▄▄▄▄▄▄▄▄│",
      "│      │       ████████        ████████│",
      "│2.00M │       ████████        ████████│",
      "│      │▇▇▇▇▇▇▇████████        ████████│",
      "│    0 │███████████████        ████████│",
      "│       ╵10:00 ╵11:00  ╵12:00  ╵13:00  │",
      "╰──────────────────────────────────────╯",
    ]);
    // the second bar: 2M of each, the scale's top at 4M
    expect(fgAt(g, 15, 5)).toEqual(theme.uncached);
    expect(fgAt(g, 15, 3)).toEqual(theme.uncached);
    expect(fgAt(g, 15, 2)).toEqual(theme.write5m);
    expect(fgAt(g, 15, 1)).toEqual(theme.write5m);
    const chip = (label: string) => {
      const at = find(g, `■ ${label}`);
      return [fgAt(g, at.x, at.y), fgAt(g, at.x + 2, at.y)];
    };
    expect(chip("uncached")).toEqual([theme.uncached, theme.dim]);
    expect(chip("5m write")).toEqual([theme.write5m, theme.dim]);
  });

  test("no data: the plot says 'no responses in this window' and draws no bar", () => {
    const rows = lines(chart(40, 8, { series: one([0, 0, 0]), starts: hourly(3) }));
    expect(rows[3]!.slice(8)).toBe("  no responses in this window  │");
    expect(rows[5]).toBe("│    0 │                               │");
    expect(rows.join("")).not.toMatch(/[▁▂▃▄▅▆▇█]/);
  });

  test("a chart too small for its box: the title on the first row, cut with …, and no legend where it would touch it", () => {
    const title = "CONTEXT · how it was assembled";
    const g = chart(28, 5, { title, series: one([3, 1, 2], "cache read", theme.read), starts: hourly(3) });
    expect(lines(g)).toEqual([
      "CONTEXT · how it was assemb…",
      "    3 │███████              ",
      "      │███████       ███████",
      "    0 │█████████████████████",
      "       ╵10:00 ╵11:00 ╵12:00 ",
    ]);
    expect(fgAt(g, 0, 0)).toEqual(theme.accent);
  });

  test("more buckets than columns: the newest fill the plot, the scale is theirs, hour labels every 2 h so none touch", () => {
    // 40 quarter hours from 10:00 in 21 columns: the 21 newest (14:45 to 19:45); the older ones were larger
    const values = Array.from({ length: 40 }, (_, i) => (i < 19 ? 1000 : i));
    const g = chart(30, 7, { title: "OUT", series: one(values, "o"), starts: values.map((_, i) => T0 + (i * H) / 4) });
    expect(lines(g)).toEqual([
      "╭─ OUT ──────────────── ■ o ─╮",
      "│   40 │            ▁▂▂▃▄▅▆▆▇│",
      "│      │  ▁▂▂▃▄▅▆▆▇██████████│",
      "│   20 │▇████████████████████│",
      "│    0 │█████████████████████│",
      "│            ╵16:00  ╵18:00  │",
      "╰────────────────────────────╯",
    ]);
  });

  test("a window across midnight names the day at 00:00, so it says which day is today", () => {
    const rows = lines(
      chart(40, 5, {
        title: "OUT",
        series: one([5, 9, 2, 7], "o"),
        starts: hourly(4, Date.parse("2026-11-26T22:00:00Z")),
      }),
    );
    expect(rows[4]).toBe("       ╵22:00  ╵23:00  ╵Fri 27 ╵01:00   ");
  });

  test("labels given by the caller (HISTORY's days) replace the hours; one that would touch the last or run past the edge is left out", () => {
    const ticks = [
      { index: 0, label: "Mon 23" },
      { index: 1, label: "Tue 24" },
      { index: 2, label: "Wed 25" },
      { index: 4, label: "Fri 27" },
    ];
    const rows = lines(chart(30, 4, { title: "OUT", series: one([5, 9, 2, 7, 1], "o"), starts: hourly(5), ticks }));
    expect(rows[3]).toBe("       ╵Mon 23  ╵Wed 25       ");
  });

  test("colour off: each stacked series fills whole cells with its own pattern, and the legend shows which", () => {
    const series: Series[] = [
      { label: "a", color: theme.read, values: [8, 4] },
      { label: "b", color: theme.newInput, values: [8, 0] },
    ];
    const rows = lines(chart(30, 7, { title: "OUT", series, starts: hourly(2), mono: true }));
    expect(rows.slice(0, 5)).toEqual([
      "╭─ OUT ──────────── █ a ▓ b ─╮",
      "│   20 │▂▂▂▂▂▂▂▂▂▂           │",
      "│      │▓▓▓▓▓▓▓▓▓▓           │",
      "│   10 │██████████           │",
      "│    0 │██████████▆▆▆▆▆▆▆▆▆▆▆│",
    ]);
  });

  test("a click on a bar opens its bucket", () => {
    const hits = new HitMap();
    const starts = hourly(6);
    chart(40, 8, { series: one([1000, 2500, 12_300, 0, 4000, 8000]), starts }, hits);
    expect(hits.at(20, 1)).toEqual({ type: "openBucket", start: starts[2]! });
    expect(hits.at(25, 5)).toEqual({ type: "openBucket", start: starts[3]! }); // an empty bar too
    expect(hits.at(3, 3)).toBeNull(); // the scale
  });

  test("the shimmer is a function of the frame time alone: brighter under the sweep, the same cells for the same time", () => {
    const p = { series: one([8000, 8000, 8000, 8000, 8000, 8000]), starts: hourly(6), still: false };
    // at time 1000 the sweep is halfway: over the 4th bar (column 24), far from the first (column 8)
    const a = chart(40, 8, { ...p, time: 1000 });
    expect(lines(a)).toEqual(lines(chart(40, 8, { ...p, time: 1000 })));
    expect(a.fg).toEqual(chart(40, 8, { ...p, time: 1000 }).fg);
    expect(fgAt(a, 8, 5)).toEqual(theme.output);
    const lit = fgAt(a, 24, 5)!;
    expect(lit[0] + lit[1] + lit[2]).toBeGreaterThan(theme.output[0] + theme.output[1] + theme.output[2]);
    expect(fgAt(chart(40, 8, { ...p, still: true, time: 1000 }), 24, 5)).toEqual(theme.output);
  });
});

describe("the LIVE and HISTORY chart series", () => {
  const bucket = (start: number, k: number): Bucket => ({
    start,
    uncached: 1 * k,
    cacheWrite5m: 2 * k,
    cacheWrite1h: 3 * k,
    cacheRead: 4 * k,
    newInput: 5 * k,
    cacheMiss: 6 * k,
    output: 7 * k,
    responses: k,
  });

  test("LIVE's three charts: input by cache write, context by how it was assembled, output; each series in its colour", () => {
    const starts = hourly(2);
    const specs = chartSeries([bucket(starts[0]!, 1), bucket(starts[1]!, 10)]);
    expect(specs.map((s) => [s.title, s.series.map((x) => x.label)])).toEqual([
      ["INPUT · by cache write", ["uncached", "5m write", "1h write"]],
      ["CONTEXT · how it was assembled", ["cache read", "new input", "cache miss"]],
      ["OUTPUT", ["output"]],
    ]);
    expect(specs.map((s) => s.series.map((x) => x.color))).toEqual([
      [theme.uncached, theme.write5m, theme.write1h],
      [theme.read, theme.newInput, theme.miss],
      [theme.output],
    ]);
    expect(specs.map((s) => s.series.map((x) => x.values))).toEqual([
      [
        [1, 10],
        [2, 20],
        [3, 30],
      ],
      [
        [4, 40],
        [5, 50],
        [6, 60],
      ],
      [[7, 70]],
    ]);
    expect(specs.every((s) => s.starts === specs[0]!.starts && s.starts[1] === starts[1])).toBe(true);
  });

  test("HISTORY's model chart names each family with its total in the legend; 'other' only when it has tokens", () => {
    const starts = hourly(3);
    // (only what historySeries reads)
    const view = (other: number) =>
      ({
        buckets: starts.map((s) => bucket(s, 1)),
        families: {
          opus: [1_000_000, 200_000, 34_567],
          sonnet: [0, 45_600, 0],
          haiku: [900, 0, 0],
          other: [0, other, 0],
        },
        familyTotals: { opus: 1_234_567, sonnet: 45_600, haiku: 900, other },
      }) as unknown as HistoryView;
    const spec = historySeries(view(0))[3]!;
    expect(spec.title).toBe("EFFECTIVE TOKENS · by model");
    const g = drawn(76, 7, (c, r) => drawChart(c, r, { ...spec, time: 0, still: true }, new HitMap()));
    expect(lines(g)[0]).toBe("╭─ EFFECTIVE TOKENS · by model ── ■ Opus 1.23M ■ Sonnet 45.6k ■ Haiku 900 ─╮");
    expect(fgAt(g, find(g, "■ Sonnet").x, 0)).toEqual(theme.sonnet);
    expect(historySeries(view(1500))[3]!.series.map((s) => s.label)).toEqual(["Opus 1.23M", "Sonnet 45.6k", "Haiku 900", "other 1.50k"]);
  });
});
