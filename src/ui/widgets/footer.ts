// The footer: the main keys.
import type { Canvas, Rect } from "../canvas.ts";
import { theme } from "../theme.ts";

export function drawFooter(c: Canvas, r: Rect, keys: readonly [string, string][], status: string | null): void {
  c.fill(r, { bg: theme.panel });
  let x = r.x + 1;
  for (const [key, what] of keys) {
    if (x + key.length + what.length + 3 > r.x + r.w) break;
    x += c.text(x, r.y, key, { fg: theme.accent, bg: theme.panel, bold: true });
    x += c.text(x, r.y, ` ${what}  `, { fg: theme.dim, bg: theme.panel });
  }
  if (status) {
    const w = [...status].length;
    if (r.x + r.w - w - 1 > x) c.text(r.x + r.w - w - 1, r.y, status, { fg: theme.dim, bg: theme.panel });
  }
}
