// The one table widget (ACTIVE SESSIONS, the slice popup, INSIGHTS' per-project table): its header stays while
// rows scroll, the least important columns go first on a narrow screen, the flexible column takes what is left,
// and header and row clicks do what they say.
import { describe, expect, test } from "bun:test";
import { CellGrid } from "../src/ui/grid.ts";
import { HitMap } from "../src/ui/hits.ts";
import { theme } from "../src/ui/theme.ts";
import { drawTable, placeColumns, type Column } from "../src/ui/widgets/table.ts";

type Row = { name: string; a: number; b: number; cost: number };
const rows: Row[] = Array.from({ length: 10 }, (_, i) => ({ name: `row-${i + 1}`, a: i, b: 10 * i, cost: i / 4 }));
const cols: Column<Row>[] = [
  { head: "name", w: 6, flex: true, color: theme.text, value: (r) => r.name },
  { head: "a", w: 5, keep: 1, align: "right", color: theme.text, value: (r) => String(r.a) },
  { head: "b", w: 5, keep: 0, align: "right", color: theme.text, value: (r) => String(r.b), onHead: { type: "sortProjects", by: "prompts" } },
  { head: "cost", w: 6, align: "right", color: theme.warn, value: (r) => `$${r.cost.toFixed(2)}` },
];

function draw(w: number, h: number, scroll: number, hits = new HitMap()): string[] {
  const g = new CellGrid(w, h + 1);
  drawTable(g, { x: 0, y: 0, w, h }, { columns: cols, rows, scroll, countOnBorder: true, onRow: (r) => ({ type: "openSession", sessionId: r.name }) }, hits);
  return g.toPlain().split("\n");
}

describe("table widget", () => {
  test("the header stays on top while the rows scroll, and the border says which rows are shown", () => {
    const lines = draw(40, 5, 3);
    expect(lines[0]).toMatch(/^name\s+a\s+b\s+cost$/);
    expect(lines.slice(1, 5).map((l) => l.split(/\s+/)[0])).toEqual(["row-4", "row-5", "row-6", "row-7"]);
    expect(lines[5]).toContain("4–7 of 10");
  });

  test("a scroll past the end shows the last rows, not an empty table", () => {
    const lines = draw(40, 5, 99);
    expect(lines.slice(1, 5).map((l) => l.split(/\s+/)[0])).toEqual(["row-7", "row-8", "row-9", "row-10"]);
  });

  test("numbers are right-aligned under their header, and the flexible column takes the spare width", () => {
    const [head, first] = draw(40, 5, 0);
    expect(head!.length).toBe(40);
    expect(first!.endsWith("$0.00")).toBe(true);
    expect(head!.indexOf("cost") + 4).toBe(first!.length);
    expect(placeColumns(cols, 0, 40)[0]!.width).toBe(40 - (5 + 5 + 6) - 3);
  });

  test("on a narrow table the lowest `keep` goes first; columns without one and the flexible minimum stay", () => {
    expect(placeColumns(cols, 0, 6 + 5 + 5 + 6 + 3).map((c) => c.head)).toEqual(["name", "a", "b", "cost"]);
    expect(placeColumns(cols, 0, 6 + 5 + 5 + 6 + 2).map((c) => c.head)).toEqual(["name", "a", "cost"]);
    expect(placeColumns(cols, 0, 6 + 6 + 1).map((c) => c.head)).toEqual(["name", "cost"]);
    expect(placeColumns(cols, 0, 3).map((c) => c.head)).toEqual(["name", "cost"]);
  });

  test("a click on a header sorts, a click on a row opens it", () => {
    const hits = new HitMap();
    const [head] = draw(40, 5, 0, hits);
    expect(hits.at(head!.indexOf(" b ") + 1, 0)).toEqual({ type: "sortProjects", by: "prompts" });
    expect(hits.at(0, 0)).toBeNull();
    expect(hits.at(3, 2)).toEqual({ type: "openSession", sessionId: "row-2" });
  });
});
