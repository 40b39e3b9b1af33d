// Widget tests in the style of ratatui's `Buffer::with_lines`: draw one widget alone into a small CellGrid and
// compare its rows, each exactly as wide as the grid, with the lines a user would read; then the colour of the few
// cells whose colour carries meaning.
import type { Rect, RGB } from "../src/ui/canvas.ts";
import { CellGrid } from "../src/ui/grid.ts";

/** A w×h grid with `draw` run on the whole of it. */
export function drawn(w: number, h: number, draw: (g: CellGrid, r: Rect) => void): CellGrid {
  const g = new CellGrid(w, h);
  draw(g, { x: 0, y: 0, w, h });
  return g;
}

/** The grid's rows as text, each exactly `width` columns (unlike toPlain, trailing spaces are kept). */
export function lines(g: CellGrid): string[] {
  return Array.from({ length: g.height }, (_, y) => g.chars.slice(y * g.width, (y + 1) * g.width).join(""));
}

/** The foreground of the cell at (x, y), or null for the terminal's default. */
export function fgAt(g: CellGrid, x: number, y: number): RGB | null {
  return unpack(g.fg[y * g.width + x]!);
}

/** The background of the cell at (x, y), or null for the terminal's default. */
export function bgAt(g: CellGrid, x: number, y: number): RGB | null {
  return unpack(g.bg[y * g.width + x]!);
}

/** The attributes of the cell at (x, y) by name: "bold", "dim", "underline", "reverse". */
export function attrsAt(g: CellGrid, x: number, y: number): string[] {
  const a = g.attrs[y * g.width + x]!;
  return (["bold", "dim", "underline", "reverse"] as const).filter((_, i) => a & (1 << i));
}

/** Where `text` first starts in the grid (column and row), read row by row; throws when it is not there. */
export function find(g: CellGrid, text: string): { x: number; y: number } {
  const rows = lines(g);
  for (const [y, row] of rows.entries()) {
    const i = row.indexOf(text);
    if (i >= 0) return { x: [...row.slice(0, i)].length, y };
  }
  throw new Error(`"${text}" is not in the grid:\n${rows.join("\n")}`);
}

function unpack(v: number): RGB | null {
  return v < 0 ? null : [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}
