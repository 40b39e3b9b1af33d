// The one table widget: a header row and rows of columns with width, priority and alignment. Used by ACTIVE
// SESSIONS, the slice popup and INSIGHTS' per-project table. Only draws.
import { rect, type Canvas, type Rect, type RGB, type Style } from "../canvas.ts";
import { count } from "../format.ts";
import type { HitMap } from "../hits.ts";
import type { UiAction } from "../ui-state.ts";
import { padLeft, padRight } from "../text.ts";
import { theme } from "../theme.ts";

export interface Column<R> {
  head: string;
  /** width in cells (for the flexible column, the fewest it gets before other columns are dropped) */
  w: number;
  /** on a narrow table the columns with the lowest `keep` go first; a column without one always stays */
  keep?: number;
  /** default: left */
  align?: "left" | "right";
  /** this column takes the room the others leave */
  flex?: boolean;
  color: RGB | ((row: R) => RGB);
  bold?: boolean;
  value: (row: R) => string;
  /** draws the cell itself instead of `value` (a cell with a symbol beside its text) */
  draw?: (c: Canvas, x: number, y: number, w: number, row: R, style: Style) => void;
  /** a click on its header does this (sorting), and `active` marks the column the rows are sorted by */
  onHead?: UiAction;
  active?: boolean;
}

interface Placed<R> extends Column<R> {
  x: number;
  width: number;
}

/**
 * The columns that fit in `w` cells from `x`, one cell apart, in their order. The lowest `keep` level goes first
 * until the rest fit; the flexible column then takes what is left.
 */
export function placeColumns<R>(cols: readonly Column<R>[], x: number, w: number): Placed<R>[] {
  let out = [...cols];
  const need = () => out.reduce((a, c) => a + c.w, 0) + Math.max(0, out.length - 1);
  const levels = [...new Set(cols.flatMap((c) => (c.keep === undefined ? [] : [c.keep])))].sort((a, b) => a - b);
  for (const level of levels) {
    if (need() <= w) break;
    const fewer = out.filter((c) => c.keep === undefined || c.keep > level);
    if (fewer.length === 0) break;
    out = fewer;
  }
  const spare = Math.max(0, w - need());
  const placed: Placed<R>[] = [];
  let at = x;
  for (const c of out) {
    const width = c.flex ? c.w + spare : c.w;
    placed.push({ ...c, x: at, width });
    at += width + 1;
  }
  return placed;
}

interface TableProps<R> {
  columns: readonly Column<R>[];
  rows: readonly R[];
  /** first row shown */
  scroll: number;
  /** index (in `rows`) of the highlighted row, if any */
  selected?: number;
  /** colour is off: the highlighted row is in reverse video */
  mono?: boolean;
  /** empty cells inside `r` before the first column and after the last (they still belong to a row) */
  margin?: number;
  /** the background of the panel the table sits on (a popup's) */
  bg?: RGB;
  /** what a click on a row does */
  onRow?: (row: R) => UiAction;
  /** "a–b of n" on the border below the table when not every row fits */
  countOnBorder?: boolean;
}

/** Draws the header on `r`'s first row and the rows below it; returns the scroll actually used (clamped). */
export function drawTable<R>(c: Canvas, r: Rect, p: TableProps<R>, hits: HitMap | null = null): number {
  const margin = p.margin ?? 0;
  const cols = placeColumns(p.columns, r.x + margin, r.w - 2 * margin);
  const right = r.x + r.w;
  for (const col of cols) {
    const head = col.active ? `${col.head}▼` : col.head;
    const text = col.align === "right" ? padLeft(head, col.width) : padRight(head, col.width);
    // (styles keep the shapes the other widgets use: a cell's style is read every frame for every cell)
    const style: Style = col.active ? { fg: theme.accent, bg: p.bg, underline: true } : p.bg ? { fg: theme.dim, bg: p.bg } : { fg: theme.dim };
    c.text(col.x, r.y, text, style, right - col.x);
    if (col.onHead && hits) hits.add(rect(col.x, r.y, col.width, 1), col.onHead);
  }
  const visible = Math.max(0, r.h - 1);
  const from = Math.max(0, Math.min(p.scroll, p.rows.length - visible));
  p.rows.slice(from, from + visible).forEach((row, k) => {
    const y = r.y + 1 + k;
    const selected = from + k === p.selected;
    const bg = selected ? theme.selection : p.bg;
    if (selected) c.fill(rect(r.x, y, r.w, 1), p.mono ? { bg: theme.selection, reverse: true } : { bg: theme.selection });
    if (p.onRow && hits) hits.add(rect(r.x, y, r.w, 1), p.onRow(row));
    for (const col of cols) {
      const style: Style =
        selected && p.mono
          ? { fg: typeof col.color === "function" ? col.color(row) : col.color, bg, bold: col.bold, reverse: true }
          : { fg: typeof col.color === "function" ? col.color(row) : col.color, bg, bold: col.bold };
      if (col.draw) col.draw(c, col.x, y, col.width, row, style);
      else c.text(col.x, y, col.align === "right" ? padLeft(col.value(row), col.width) : padRight(col.value(row), col.width), style, right - col.x);
    }
  });
  if (p.countOnBorder && p.rows.length > visible) {
    const more = `${count(from + 1)}–${count(Math.min(p.rows.length, from + visible))} of ${count(p.rows.length)}`;
    c.text(r.x + r.w - more.length - 1, r.y + r.h, more, { fg: theme.dim, bg: p.bg });
  }
  return from;
}
