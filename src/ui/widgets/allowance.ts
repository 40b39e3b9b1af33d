// ALLOWANCE: the subscription's 5-hour and weekly limits (a placeholder until the allowance client lands).
import type { Canvas, Rect } from "../canvas.ts";
import { fit } from "../text.ts";
import { theme } from "../theme.ts";
import { drawBox } from "./box.ts";

export function drawAllowance(c: Canvas, r: Rect): void {
  const inner = drawBox(c, r, { title: "ALLOWANCE" });
  if (inner.h < 1) return;
  c.text(inner.x + 1, inner.y, fit("not connected", inner.w - 2), { fg: theme.dim });
  if (inner.h >= 3) c.text(inner.x + 1, inner.y + 2, fit("5-hour and weekly limits appear here", inner.w - 2), { fg: theme.dim });
}
