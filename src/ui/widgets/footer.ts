// The footer: the main keys.
import type { Canvas, Rect } from "../canvas.ts";
import { theme } from "../theme.ts";

export function drawFooter(c: Canvas, r: Rect, keys: readonly [string, string][], status: string | null): void {
  c.fill(r, { bg: theme.panel });
  // The status (file counts, a missing root) wins over the key hints after "? help", which always stays.
  let text = status ?? "";
  const room = r.w - 12;
  if ([...text].length > room) text = room > 1 ? `${[...text].slice(0, room - 1).join("")}…` : "";
  const w = [...text].length;
  const limit = w > 0 ? r.x + r.w - w - 2 : r.x + r.w;
  let x = r.x + 1;
  for (const [key, what] of keys) {
    if (x + key.length + what.length + 3 > limit) break;
    x += c.text(x, r.y, key, { fg: theme.accent, bg: theme.panel, bold: true });
    x += c.text(x, r.y, ` ${what}  `, { fg: theme.dim, bg: theme.panel });
  }
  if (w > 0) c.text(r.x + r.w - w - 1, r.y, text, { fg: theme.dim, bg: theme.panel });
}
