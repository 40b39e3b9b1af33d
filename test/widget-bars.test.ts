// INSIGHTS' proportion bars drawn alone into a small grid with hand-built rows: ranked horizontal bars (tools,
// models, entrypoints) and the one 100 % bar with its legend (tokens, decisions).
import { describe, expect, test } from "bun:test";
import { theme } from "../src/ui/theme.ts";
import { type BarRow, drawRankedBars, drawShareBar } from "../src/ui/widgets/bars.ts";
import { attrsAt, drawn, fgAt, lines } from "./buffer.ts";

const ranked = (w: number, h: number, rows: BarRow[], total?: number) => drawn(w, h, (g, r) => drawRankedBars(g, r, rows, total));

const cache = [
  { label: "read", value: 70, color: theme.read },
  { label: "write", value: 20, color: theme.write5m },
  { label: "uncached", value: 10, color: theme.uncached },
];
const share = (w: number, h: number, parts = cache) => drawn(w, h, (g, r) => drawShareBar(g, r, parts));

describe("ranked bars", () => {
  const tools: BarRow[] = [
    { label: "Bash", value: 1200 },
    { label: "Read", value: 900, color: theme.sub },
    { label: "Edit", value: 150, text: "150 · 3 err" },
    { label: "Grep", value: 1 },
  ];

  test("a row per item: its label, a bar scaled to the largest, its text right-aligned and its share of the sum", () => {
    expect(lines(ranked(40, 4, tools))).toEqual([
      "Bash   ██████████████       1,200  53%  ",
      "Read   ██████████▌            900  40%  ",
      "Edit   █▊             150 · 3 err   7%  ",
      "Grep                            1   0%  ",
    ]);
  });

  test("a count reads with thousands separators, as the other figures do", () => {
    expect(
      lines(
        ranked(40, 2, [
          { label: "cli", value: 12_345 },
          { label: "vscode", value: 1234 },
        ]),
      ),
    ).toEqual(["cli    ███████████████████ 12,345  91%  ", "vscode █▉                   1,234   9%  "]);
  });

  test("a bar that ends inside a cell ends in an eighth block, ▏ for one eighth up to ▉ for seven", () => {
    // 21 cells of bar at this width: the largest value is 21 × 8 eighths
    const rows = [168, 1, 2, 3, 4, 5, 6, 7].map((value, i) => ({ label: `r${i}`, value }));
    const g = ranked(40, 8, rows);
    expect(lines(g)[0]!.slice(7, 28)).toBe("█".repeat(21));
    expect(
      lines(g)
        .slice(1)
        .map((l) => l.slice(7, 9)),
    ).toEqual(["▏ ", "▎ ", "▍ ", "▌ ", "▋ ", "▊ ", "▉ "]);
  });

  test("each bar in its row's colour (the accent when none), the text bold and the share dim", () => {
    const g = ranked(40, 4, tools);
    expect([fgAt(g, 7, 0), fgAt(g, 7, 1), fgAt(g, 17, 1)]).toEqual([theme.accent, theme.sub, theme.sub]);
    expect(attrsAt(g, 32, 0)).toContain("bold");
    expect(fgAt(g, 35, 0)).toEqual(theme.dim);
  });

  test("a long label is cut with … to about a third of the width", () => {
    expect(
      lines(
        ranked(40, 2, [
          { label: "mcp__github__create_pull_request", value: 10 },
          { label: "b", value: 5 },
        ]),
      ),
    ).toEqual(["mcp__github__… █████████████   10  67%  ", "b              ██████▌          5  33%  "]);
  });

  test("with a total given, the shares are of that total, not of the rows shown", () => {
    expect(
      lines(
        ranked(
          40,
          2,
          [
            { label: "cli", value: 3 },
            { label: "vscode", value: 1 },
          ],
          8,
        ),
      ),
    ).toEqual(["cli    █████████████████████    3  38%  ", "vscode ███████                  1  13%  "]);
  });

  test("all zero: no bars and no shares, only the values", () => {
    expect(
      lines(
        ranked(40, 2, [
          { label: "x", value: 0 },
          { label: "y", value: 0 },
        ]),
      ),
    ).toEqual(["x                               0       ", "y                               0       "]);
  });

  test("more rows than fit: the first rows as given (the largest), the rest left out", () => {
    const g = ranked(40, 2, [
      { label: "a", value: 3 },
      { label: "b", value: 2 },
      { label: "c", value: 1 },
    ]);
    expect(lines(g).map((l) => l[0])).toEqual(["a", "b"]);
    expect(lines(g)[1]).toBe("b      ██████████████           2  33%  ");
  });
});

describe("share bar", () => {
  test("one bar split in proportion, each part in its colour, and a legend of chips with each part's share", () => {
    const g = share(40, 2);
    expect(lines(g)).toEqual([
      "████████████████████████████████████████", //
      "■ read 70%  ■ write 20%  ■ uncached 10% ",
    ]);
    expect([fgAt(g, 0, 0), fgAt(g, 27, 0), fgAt(g, 28, 0), fgAt(g, 35, 0), fgAt(g, 36, 0), fgAt(g, 39, 0)]).toEqual([
      theme.read,
      theme.read,
      theme.write5m,
      theme.write5m,
      theme.uncached,
      theme.uncached,
    ]);
    expect([fgAt(g, 0, 1), fgAt(g, 12, 1), fgAt(g, 25, 1), fgAt(g, 2, 1)]).toEqual([theme.read, theme.write5m, theme.uncached, theme.dim]);
  });

  test("a legend entry that does not fit is left out whole, not cut", () => {
    expect(lines(share(24, 2))).toEqual([
      "████████████████████████", //
      "■ read 70%  ■ write 20% ",
    ]);
  });

  test("one row high: the bar without its legend; no total: nothing at all", () => {
    expect(lines(share(20, 1))).toEqual(["████████████████████"]);
    expect(lines(share(20, 2, [{ label: "read", value: 0, color: theme.read }]))).toEqual([" ".repeat(20), " ".repeat(20)]);
  });
});
