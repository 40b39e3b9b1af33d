// An overlay panel centred over the frame: a box on a solid background, returning its inner area.
import { rect, type Canvas, type Rect, type Style } from "../canvas.ts";
import { theme } from "../theme.ts";
import { drawBox } from "./box.ts";

export function overlayRect(c: Canvas, w: number, h: number): Rect {
  const ww = Math.min(c.width - 4, w);
  const hh = Math.min(c.height - 2, h);
  return rect(Math.floor((c.width - ww) / 2), Math.max(1, Math.floor((c.height - hh) / 2)), ww, hh);
}

/** A centred overlay rectangle, cleared (for a panel drawn as a popup: nothing behind may show through it). */
export function clearedOverlay(c: Canvas, w: number, h: number): Rect {
  const r = overlayRect(c, w, h);
  c.fill(r, { bg: theme.panel });
  return r;
}

export function drawOverlay(c: Canvas, r: Rect, title: string, note: string): Rect {
  c.fill(r, { bg: theme.panel });
  return drawBox(c, r, { title, note, focused: true });
}

/** A line of text in styled parts. */
export type Line = readonly (readonly [string, Style])[];

/** Draws scrollable lines into `r`, from line `scroll`; returns the clamped scroll. */
export function drawLines(c: Canvas, r: Rect, lines: readonly Line[], scroll: number): number {
  const max = Math.max(0, lines.length - r.h);
  const from = Math.min(scroll, max);
  for (let k = 0; k < r.h && from + k < lines.length; k++) {
    let x = r.x + 1;
    for (const [text, st] of lines[from + k]!) x += c.text(x, r.y + k, text, { ...st, bg: theme.panel }, r.x + r.w - 1 - x);
  }
  if (max > 0) {
    const label = `${from + 1}–${Math.min(lines.length, from + r.h)} of ${lines.length}`;
    c.text(r.x + r.w - label.length - 1, r.y + r.h, label, { fg: theme.dim, bg: theme.panel });
  }
  return from;
}
