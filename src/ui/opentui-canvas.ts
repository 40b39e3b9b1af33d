// The Canvas on OpenTUI: the only file that touches OpenTUI's drawing API (Bun only).
//
// Widgets draw into a CellGrid (grid.ts) first, so the live frame has exactly the semantics of --once and the
// snapshot tests: a style without fg or bg keeps the colour already in the cell (an overlay's border drawn with
// only a fg stays on the overlay's panel colour), and a colour never set counts as theme.text on theme.bg.
// present() then brings the finished grid to the screen.
//
// Speed (the live process should stay under 10 % of a core at 30 fps): every draw call on a frame buffer is a
// recorded command that native code replays, about 2.5 µs each, and a frame paints many cells more than once.
// So the canvas keeps its own OptimizedBuffer that lives from frame to frame, repaints in it only what changed
// since the last frame — one drawText per run of cells with one style on a row (a blank's colour does not show,
// so blanks join any run on their background) — and copies it into the frame with one drawFrameBuffer. A
// steady dashboard costs a handful of calls a frame; the shimmer, a few dozen. Only characters whose width
// OpenTUI and text.ts agree on join runs; the others (wide characters, emoji, rare symbols) get one setCell each.
import { OptimizedBuffer, RGBA, TextAttributes, type RenderContext } from "@opentui/core";
import type { Canvas, Rect, Style } from "./canvas.ts";
import { CellGrid } from "./grid.ts";
import { clusterWidth } from "./text.ts";
import { theme } from "./theme.ts";

const MAX_CACHED_COLORS = 8192;
/** CellGrid's attribute bits. */
const GRID_BOLD = 1;
const GRID_DIM = 2;
const GRID_UNDERLINE = 4;
const GRID_REVERSE = 8;
/** A run that has only blanks so far has no foreground yet. */
const NO_FG = -2;

const packRgb = (c: readonly [number, number, number]): number => ((c[0] & 255) << 16) | ((c[1] & 255) << 8) | (c[2] & 255);

/** Characters OpenTUI draws one column wide inside drawText, as text.ts counts them. */
function joinable(cp: number): boolean {
  return (
    (cp >= 0x20 && cp <= 0x7e) ||
    (cp >= 0xa0 && cp <= 0x2ff && cp !== 0xad) ||
    (cp >= 0x2010 && cp <= 0x2027) || // dashes, quotes, bullet, ellipsis
    (cp >= 0x2190 && cp <= 0x21ff) || // arrows
    (cp >= 0x2500 && cp <= 0x25fc) // box drawing, block elements, geometric shapes (before the emoji ◽◾)
  );
}

/** C0 and C1 control characters never reach the buffer (an escape sequence must not reach the terminal). */
const isControl = (cp: number): boolean => cp < 0x20 || (cp >= 0x7f && cp < 0xa0);

/** Whether cells [from, to) are the same in both grids. */
function sameRow(p: CellGrid, q: CellGrid, from: number, to: number): boolean {
  const { chars: pc, fg: pf, bg: pb, attrs: pa } = p;
  const { chars: qc, fg: qf, bg: qb, attrs: qa } = q;
  for (let j = from; j < to; j++) if (pc[j] !== qc[j] || pf[j] !== qf[j] || pb[j] !== qb[j] || pa[j] !== qa[j]) return false;
  return true;
}

/** Whether cell j looks different: its character, background or attributes, or its foreground where it shows. */
function differs(p: CellGrid, q: CellGrid, j: number, loose: boolean): boolean {
  if (p.chars[j] !== q.chars[j] || p.bg[j] !== q.bg[j] || p.attrs[j] !== q.attrs[j]) return true;
  return p.fg[j] !== q.fg[j] && !(loose && q.chars[j] === " ");
}

function attrsOf(a: number): number {
  return (
    (a & GRID_BOLD ? TextAttributes.BOLD : 0) |
    (a & GRID_DIM ? TextAttributes.DIM : 0) |
    (a & GRID_UNDERLINE ? TextAttributes.UNDERLINE : 0) |
    (a & GRID_REVERSE ? TextAttributes.INVERSE : 0)
  );
}

interface OpenTuiCanvasOptions {
  /** false (NO_COLOR): the terminal's own colours everywhere; bold, dim and underline stay. */
  color?: boolean;
}

export class OpenTuiCanvas implements Canvas {
  /** The frame being drawn, and the one the offscreen buffer shows (null: the buffer must be repainted whole). */
  private grid = new CellGrid(0, 0);
  private shown: CellGrid | null = null;
  private offscreen: OptimizedBuffer | null = null;
  private readonly color: boolean;
  private readonly rgba = new Map<number, RGBA>();
  private readonly defaultFg = RGBA.defaultForeground();
  private readonly defaultBg = RGBA.defaultBackground();
  /** Draw calls made by the last present() (for tests and benchmarks). */
  calls = 0;

  /** `ctx`: the renderer (or any render context) the offscreen buffer belongs to. */
  constructor(
    private readonly ctx: RenderContext,
    opts: OpenTuiCanvasOptions = {},
  ) {
    this.color = opts.color ?? true;
  }

  get width(): number {
    return this.grid.width;
  }

  get height(): number {
    return this.grid.height;
  }

  /** Starts a new frame of `width` × `height` cells. */
  begin(width: number, height: number): void {
    const w = Math.max(0, Math.trunc(width));
    const h = Math.max(0, Math.trunc(height));
    if (w !== this.grid.width || h !== this.grid.height) {
      this.grid = new CellGrid(w, h);
      this.shown = null;
      return;
    }
    this.grid.clear();
  }

  cell(x: number, y: number, ch: string, style: Style): void {
    this.grid.cell(x, y, ch, style);
  }

  text(x: number, y: number, s: string, style: Style, maxWidth?: number): number {
    return this.grid.text(x, y, s, style, maxWidth);
  }

  fill(r: Rect, style: Style, ch?: string): void {
    this.grid.fill(r, style, ch);
  }

  /** Brings the frame drawn since begin() to `frame` at (x, y), clipped to `frame`. */
  present(frame: OptimizedBuffer, x: number, y: number): void {
    const { width: w, height: h } = this.grid;
    this.calls = 0;
    if (w === 0 || h === 0) return;
    let buf = this.offscreen;
    if (!buf) {
      buf = this.offscreen = OptimizedBuffer.create(w, h, this.ctx.widthMethod, { owner: this.ctx.nativeScene, id: "claude-dash-canvas" });
      this.shown = null;
    } else if (buf.width !== w || buf.height !== h) {
      buf.resize(w, h);
      this.shown = null;
    }
    this.paint(buf);
    // Keep this frame as what the buffer shows; its arrays are reused for the next frame.
    const old = this.shown;
    this.shown = this.grid;
    this.grid = old ?? new CellGrid(w, h);
    frame.drawFrameBuffer(Math.trunc(x), Math.trunc(y), buf);
  }

  /** Frees the offscreen buffer. */
  destroy(): void {
    this.offscreen?.destroy();
    this.offscreen = null;
    this.shown = null;
  }

  /** Paints the runs of the current grid that hold a cell different from the shown one (all when none is). */
  private paint(buf: OptimizedBuffer): void {
    const { width: w, height: h, chars, fg, bg, attrs } = this.grid;
    const old = this.shown;
    for (let y = 0; y < h; y++) {
      const row = y * w;
      if (old && sameRow(old, this.grid, row, row + w)) continue;
      let x = 0;
      while (x < w) {
        const i = row + x;
        const ch = chars[i]!;
        if (ch === "") {
          x++; // the right half of a wide character: OpenTUI keeps that cell for the character on its left
          continue;
        }
        const cp = ch.codePointAt(0)!;
        const a = attrs[i]!;
        const b = bg[i]!;
        const loose = (a & GRID_UNDERLINE) === 0;
        if (!joinable(cp)) {
          if (!old || differs(old, this.grid, i, loose)) {
            // A wide character in the last column does not fit: leave the cell blank rather than draw half of it.
            const fits = clusterWidth(ch) !== 2 || x + 1 < w;
            const shown = fits && !isControl(cp) ? ch : " ";
            // (a cluster of several code points, an emoji with a skin tone say, is text to OpenTUI, not one cell's char)
            if (shown.length > 1 && [...shown].length > 1) buf.drawText(shown, x, y, this.fgOf(fg[i]!), this.bgOf(b), attrsOf(a));
            else buf.setCell(x, y, shown, this.fgOf(fg[i]!), this.bgOf(b), attrsOf(a));
            this.calls++;
          }
          x++;
          continue;
        }
        // A run: one background and attributes; a blank (not underlined) takes whatever foreground the run has.
        let f = ch === " " && loose ? NO_FG : fg[i]!;
        let changed = !old || differs(old, this.grid, i, loose);
        let end = x + 1;
        while (end < w) {
          const j = row + end;
          const c = chars[j]!;
          if (c === "" || bg[j] !== b || attrs[j] !== a || !joinable(c.codePointAt(0)!)) break;
          if (c !== " " || !loose) {
            if (f === NO_FG) f = fg[j]!;
            else if (fg[j] !== f) break;
          }
          if (!changed) changed = differs(old!, this.grid, j, loose);
          end++;
        }
        if (changed) {
          const text = end === x + 1 ? ch : chars.slice(i, row + end).join("");
          buf.drawText(text, x, y, this.fgOf(f === NO_FG ? fg[i]! : f), this.bgOf(b), attrsOf(a));
          this.calls++;
        }
        x = end;
      }
    }
  }

  private fgOf(v: number): RGBA {
    if (!this.color) return this.defaultFg;
    return this.rgbaOf(v < 0 ? packRgb(theme.text) : v);
  }

  private bgOf(v: number): RGBA {
    if (!this.color) return this.defaultBg;
    return this.rgbaOf(v < 0 ? packRgb(theme.bg) : v);
  }

  /** One RGBA per colour (the shimmer makes many shades; the cache is emptied when it grows too big). */
  private rgbaOf(v: number): RGBA {
    let c = this.rgba.get(v);
    if (c === undefined) {
      if (this.rgba.size >= MAX_CACHED_COLORS) this.rgba.clear();
      c = RGBA.fromInts((v >> 16) & 255, (v >> 8) & 255, v & 255, 255);
      this.rgba.set(v, c);
    }
    return c;
  }
}
