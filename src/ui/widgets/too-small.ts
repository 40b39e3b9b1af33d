// The notice for a terminal that cannot hold a frame.
import type { Canvas } from "../canvas.ts";
import { fit } from "../text.ts";
import { theme } from "../theme.ts";

export function drawTooSmall(c: Canvas, need: { width: number; height: number }): void {
  const lines = [`too small: need ${need.width}×${need.height}`, `now ${c.width}×${c.height}`, "q quits"];
  const top = Math.max(0, Math.floor((c.height - lines.length) / 2));
  lines.forEach((l, i) => {
    const s = fit(l, c.width);
    c.text(Math.max(0, Math.floor((c.width - s.length) / 2)), top + i, s, { fg: i === 0 ? theme.warn : theme.dim, bold: i === 0 });
  });
}
