// The write-only drawing surface every widget draws on. Two implementations: CellGrid (pure TypeScript, for
// --once, snapshots and tests) and the OpenTUI adapter (the live terminal). Coordinates are cells, 0-based;
// anything outside the canvas is clipped silently.

/** 24-bit colour, components 0–255. */
export type RGB = readonly [number, number, number];

export interface Style {
  fg?: RGB;
  bg?: RGB;
  bold?: boolean;
  dim?: boolean;
  underline?: boolean;
  /** reverse video (used where colour is off: the selection) */
  reverse?: boolean;
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Canvas {
  readonly width: number;
  readonly height: number;
  /** One cell. `ch` is one character (one terminal column). */
  cell(x: number, y: number, ch: string, style: Style): void;
  /** A run of text from (x, y), clipped to `maxWidth` columns when given; returns the columns used. */
  text(x: number, y: number, s: string, style: Style, maxWidth?: number): number;
  /** Fills a rectangle with `ch` (default space). */
  fill(r: Rect, style: Style, ch?: string): void;
}

export const rect = (x: number, y: number, w: number, h: number): Rect => ({ x, y, w: Math.max(0, w), h: Math.max(0, h) });

export function inside(r: Rect, x: number, y: number): boolean {
  return x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
}
