// The context traffic light: how full a context window is, scaled to the window's size.
import type { RGB } from "../canvas.ts";
import { shade, theme } from "../theme.ts";

/** Thresholds (tokens) for green / yellow / amber / red; above the last, flashing red. */
function lightThresholds(window: number): [number, number, number, number] {
  return window >= 1_000_000 ? [150_000, 300_000, 450_000, 600_000] : [100_000, 125_000, 150_000, 175_000];
}

/** The light as a shape, for a screen without colour: ○ ◔ ◑ ◕ ● (green … red), ◉ above red. */
export function lightGlyph(tokens: number, window: number): string {
  const [g, y, a, r] = lightThresholds(window);
  return tokens <= g ? "○" : tokens <= y ? "◔" : tokens <= a ? "◑" : tokens <= r ? "◕" : "◉";
}

export function lightColor(tokens: number, window: number, time: number): RGB {
  const [g, y, a, r] = lightThresholds(window);
  if (tokens <= g) return theme.ok;
  if (tokens <= y) return theme.warn;
  if (tokens <= a) return theme.amber;
  if (tokens <= r) return theme.error;
  return Math.floor(time / 500) % 2 === 0 ? theme.error : shade(theme.error, 0.45); // almost full: flashing
}
