// The palette (DESIGN.md §6): a dark, calm terminal with saturated data colours and dim chrome.
import type { RGB } from "./canvas.ts";

export const theme = {
  bg: [16, 17, 26] as RGB,
  panel: [22, 23, 34] as RGB,
  text: [216, 220, 240] as RGB,
  dim: [124, 128, 158] as RGB,
  rule: [72, 74, 102] as RGB,
  accent: [90, 232, 232] as RGB,
  selection: [40, 44, 66] as RGB,
  uncached: [84, 160, 255] as RGB,
  write5m: [170, 120, 255] as RGB,
  write1h: [214, 150, 255] as RGB,
  read: [52, 224, 150] as RGB,
  miss: [255, 88, 96] as RGB,
  output: [255, 205, 82] as RGB,
  ok: [52, 224, 150] as RGB,
  warn: [255, 205, 82] as RGB,
  amber: [255, 138, 56] as RGB,
  error: [255, 88, 96] as RGB,
  // (each colour means one thing on a screen: new input, main and sub threads are not the cache classes' colours)
  newInput: [226, 228, 244] as RGB,
  main: [120, 214, 255] as RGB,
  sub: [255, 128, 200] as RGB,
  opus: [84, 160, 255] as RGB,
  sonnet: [52, 224, 150] as RGB,
  haiku: [255, 138, 56] as RGB,
  other: [150, 150, 165] as RGB,
} as const;

export type ColorMode = "truecolor" | "256" | "none";

type Palette = { -readonly [K in keyof typeof theme]: RGB };

/** For a light terminal: dark text, deeper data colours. */
const LIGHT: Palette = {
  bg: [250, 250, 252],
  panel: [238, 239, 245],
  text: [28, 30, 44],
  dim: [100, 105, 128],
  rule: [186, 189, 204],
  accent: [0, 128, 150],
  selection: [206, 218, 242],
  uncached: [28, 98, 214],
  write5m: [118, 66, 206],
  write1h: [168, 86, 196],
  read: [0, 138, 88],
  miss: [206, 38, 48],
  output: [184, 124, 0],
  ok: [0, 138, 88],
  warn: [176, 118, 0],
  amber: [208, 98, 18],
  error: [198, 28, 40],
  newInput: [70, 72, 96],
  main: [0, 118, 186],
  sub: [186, 46, 136],
  opus: [28, 98, 214],
  sonnet: [0, 138, 88],
  haiku: [208, 98, 18],
  other: [118, 118, 134],
};

/** Okabe–Ito's colour-blind-safe set on the dark background: blue, orange, bluish green, yellow, vermillion, purple. */
const CB: Palette = {
  bg: [16, 17, 26],
  panel: [22, 23, 34],
  text: [216, 220, 240],
  dim: [124, 128, 158],
  rule: [72, 74, 102],
  accent: [86, 180, 233],
  selection: [40, 44, 66],
  uncached: [86, 180, 233],
  write5m: [204, 121, 167],
  write1h: [230, 159, 0],
  read: [0, 158, 115],
  miss: [213, 94, 0],
  output: [240, 228, 66],
  ok: [0, 158, 115],
  warn: [240, 228, 66],
  amber: [230, 159, 0],
  error: [213, 94, 0],
  newInput: [226, 228, 244],
  main: [230, 230, 240],
  sub: [204, 121, 167],
  opus: [86, 180, 233],
  sonnet: [0, 158, 115],
  haiku: [230, 159, 0],
  other: [150, 150, 165],
};

const DARK: Palette = { ...(theme as Palette) };

/**
 * Chooses the palette (before the first frame: widgets read theme's colours as they load and draw). "dark" is the
 * palette above.
 */
export function setTheme(name: "dark" | "light" | "cb"): void {
  Object.assign(theme as Palette, name === "light" ? LIGHT : name === "cb" ? CB : DARK);
}

/** Scales a colour's brightness (the shimmer, dim states). */
export function shade(c: RGB, k: number): RGB {
  const f = (v: number) => Math.max(0, Math.min(255, Math.round(v * k)));
  return [f(c[0]), f(c[1]), f(c[2])];
}

/** Mixes two colours: t = 0 gives a, 1 gives b. */
export function mix(a: RGB, b: RGB, t: number): RGB {
  return [Math.round(a[0] + (b[0] - a[0]) * t), Math.round(a[1] + (b[1] - a[1]) * t), Math.round(a[2] + (b[2] - a[2]) * t)];
}

/** The nearest xterm-256 colour index (6×6×6 cube or the grey ramp). */
export function xterm256(c: RGB): number {
  const [r, g, b] = c;
  const level = (v: number) => (v < 48 ? 0 : v < 115 ? 1 : Math.floor((v - 35) / 40));
  const cube = 16 + 36 * level(r) + 6 * level(g) + level(b);
  const steps = [0, 95, 135, 175, 215, 255];
  const cubeRgb: RGB = [steps[level(r)]!, steps[level(g)]!, steps[level(b)]!];
  const avg = Math.round((r + g + b) / 3);
  const greyIdx = avg > 238 ? 23 : Math.max(0, Math.round((avg - 8) / 10));
  const grey = 8 + greyIdx * 10;
  const d = (x: RGB) => (x[0] - r) ** 2 + (x[1] - g) ** 2 + (x[2] - b) ** 2;
  return d([grey, grey, grey]) < d(cubeRgb) ? 232 + greyIdx : cube;
}
