// A pure-TypeScript cell grid: the Canvas for --once, snapshot tests and benchmarks. It serialises to ANSI
// (truecolour, 256 colours, or attributes only for NO_COLOR) and to plain text.
import type { Canvas, Rect, RGB, Style } from "./canvas.ts";
import { clusters, clusterWidth } from "./text.ts";
import { isUnsafe, redact } from "../shared/sanitize.ts";
import { type ColorMode, xterm256 } from "./theme.ts";

const BOLD = 1;
const DIM = 2;
const UNDERLINE = 4;
const REVERSE = 8;

export class CellGrid implements Canvas {
  readonly chars: string[];
  /** fg and bg as 0xRRGGBB, or -1 for the terminal default. */
  readonly fg: Int32Array;
  readonly bg: Int32Array;
  readonly attrs: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    const n = Math.max(0, width * height);
    this.chars = new Array<string>(n).fill(" ");
    this.fg = new Int32Array(n).fill(-1);
    this.bg = new Int32Array(n).fill(-1);
    this.attrs = new Uint8Array(n);
  }

  /** Back to an empty frame (spaces, default colours), keeping the size. */
  clear(): void {
    this.chars.fill(" ");
    this.fg.fill(-1);
    this.bg.fill(-1);
    this.attrs.fill(0);
  }

  cell(x: number, y: number, ch: string, style: Style): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = y * this.width + x;
    // (the one gate to the terminal: no control, bidi or separator character reaches a cell, whoever draws it)
    this.chars[i] = ch.length > 0 && isUnsafe(ch.codePointAt(0)!) ? " " : ch;
    if (style.fg) this.fg[i] = pack(style.fg);
    if (style.bg) this.bg[i] = pack(style.bg);
    this.attrs[i] = (style.bold ? BOLD : 0) | (style.dim ? DIM : 0) | (style.underline ? UNDERLINE : 0) | (style.reverse ? REVERSE : 0);
  }

  text(x: number, y: number, s: string, style: Style, maxWidth = Infinity): number {
    let used = 0;
    // One cell per grapheme cluster (a base with its combining marks, an emoji with its modifiers), as wide as a
    // terminal draws it; a cluster that takes no column (a stray combining mark, a format character) is left out.
    // (and no registered secret, nor a run of one, whoever passes it: see sanitize.ts)
    for (const g of clusters(redact(s))) {
      const w = clusterWidth(g);
      if (w === 0) continue;
      if (used + w > maxWidth) break;
      this.cell(x + used, y, g, style);
      if (w === 2) this.cell(x + used + 1, y, "", style); // the right half of a wide character
      used += w;
    }
    return used;
  }

  fill(r: Rect, style: Style, ch = " "): void {
    for (let y = Math.max(0, r.y); y < Math.min(this.height, r.y + r.h); y++)
      for (let x = Math.max(0, r.x); x < Math.min(this.width, r.x + r.w); x++) this.cell(x, y, ch, style);
  }

  /** The frame as text: one line per row, trailing spaces removed. */
  toPlain(): string {
    const rows: string[] = [];
    for (let y = 0; y < this.height; y++)
      rows.push(
        this.chars
          .slice(y * this.width, (y + 1) * this.width)
          .join("")
          .trimEnd(),
      );
    return `${rows.join("\n")}\n`;
  }

  /** The frame as ANSI escape sequences (no cursor movement: rows are separated by newlines). */
  toAnsi(mode: ColorMode = "truecolor"): string {
    let out = "";
    for (let y = 0; y < this.height; y++) {
      let cur = "";
      for (let x = 0; x < this.width; x++) {
        const i = y * this.width + x;
        const sgr = sgrOf(this.fg[i]!, this.bg[i]!, this.attrs[i]!, mode);
        if (sgr !== cur) {
          out += `\x1b[0${sgr}m`;
          cur = sgr;
        }
        out += this.chars[i];
      }
      out += "\x1b[0m\n";
    }
    return out;
  }

  /**
   * The bytes that turn a screen showing `prev` into this frame: only the runs of cells that changed, each as a
   * cursor move, its styles and its characters, inside synchronized-output marks (mode 2026: no tearing). Without
   * `prev` (or at another size) the whole frame is painted.
   */
  frameAnsi(prev: CellGrid | null, mode: ColorMode = "truecolor"): string {
    const w = this.width;
    const full = !prev || prev.width !== w || prev.height !== this.height;
    let out = full ? "\x1b[?2026h\x1b[0m\x1b[2J" : "\x1b[?2026h";
    const same = (i: number) =>
      !full && prev!.chars[i] === this.chars[i] && prev!.fg[i] === this.fg[i] && prev!.bg[i] === this.bg[i] && prev!.attrs[i] === this.attrs[i];
    let changed = full;
    for (let y = 0; y < this.height; y++) {
      let x = 0;
      while (x < w) {
        if (same(y * w + x)) {
          x++;
          continue;
        }
        changed = true;
        // (a run that starts on the right half of a wide character starts on its left half)
        if (x > 0 && this.chars[y * w + x] === "") x--;
        out += `\x1b[${y + 1};${x + 1}H`;
        let cur: string | null = null;
        while (x < w && !same(y * w + x)) {
          const i = y * w + x;
          const sgr = sgrOf(this.fg[i]!, this.bg[i]!, this.attrs[i]!, mode);
          if (sgr !== cur) {
            out += `\x1b[0${sgr}m`;
            cur = sgr;
          }
          out += this.chars[i];
          x++;
        }
      }
    }
    return changed ? `${out}\x1b[0m\x1b[?2026l` : "";
  }

  /** Runs of equal style per row, for snapshot tests of colour: "row x-x fg bg attrs". */
  styleRuns(): string[] {
    const runs: string[] = [];
    for (let y = 0; y < this.height; y++) {
      let start = 0;
      for (let x = 1; x <= this.width; x++) {
        const a = y * this.width + start;
        const b = y * this.width + x;
        if (x === this.width || this.fg[a] !== this.fg[b] || this.bg[a] !== this.bg[b] || this.attrs[a] !== this.attrs[b]) {
          runs.push(`${y} ${start}-${x - 1} fg=${hex(this.fg[a]!)} bg=${hex(this.bg[a]!)} ${attrName(this.attrs[a]!)}`.trimEnd());
          start = x;
        }
      }
    }
    return runs;
  }
}

function pack(c: RGB): number {
  return ((c[0] & 255) << 16) | ((c[1] & 255) << 8) | (c[2] & 255);
}

function unpack(v: number): RGB {
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

function hex(v: number): string {
  return v < 0 ? "-" : `#${v.toString(16).padStart(6, "0")}`;
}

function attrName(a: number): string {
  return [a & BOLD ? "bold" : "", a & DIM ? "dim" : "", a & UNDERLINE ? "underline" : "", a & REVERSE ? "reverse" : ""].filter(Boolean).join(",");
}

function sgrOf(fg: number, bg: number, attrs: number, mode: ColorMode): string {
  let s = "";
  if (attrs & BOLD) s += ";1";
  if (attrs & DIM) s += ";2";
  if (attrs & UNDERLINE) s += ";4";
  if (attrs & REVERSE) s += ";7";
  if (mode === "none") return s;
  if (fg >= 0) s += mode === "truecolor" ? `;38;2;${unpack(fg).join(";")}` : `;38;5;${xterm256(unpack(fg))}`;
  if (bg >= 0) s += mode === "truecolor" ? `;48;2;${unpack(bg).join(";")}` : `;48;5;${xterm256(unpack(bg))}`;
  return s;
}
