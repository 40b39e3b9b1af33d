// A panel: rounded border in the rule colour with its title set into the top edge; returns the inner area.
import { rect, type Canvas, type Rect } from "../canvas.ts";
import { fit } from "../text.ts";
import { theme } from "../theme.ts";

interface BoxProps {
  title: string;
  /** text set into the top edge at the right (a legend, a total). */
  note?: string;
  focused?: boolean;
}

export function drawBox(c: Canvas, r: Rect, p: BoxProps): Rect {
  if (r.w < 2 || r.h < 2) return rect(r.x, r.y, 0, 0);
  const line = { fg: p.focused ? theme.accent : theme.rule };
  const right = r.x + r.w - 1;
  const bottom = r.y + r.h - 1;
  c.cell(r.x, r.y, "╭", line);
  c.cell(right, r.y, "╮", line);
  c.cell(r.x, bottom, "╰", line);
  c.cell(right, bottom, "╯", line);
  for (let x = r.x + 1; x < right; x++) {
    c.cell(x, r.y, "─", line);
    c.cell(x, bottom, "─", line);
  }
  for (let y = r.y + 1; y < bottom; y++) {
    c.cell(r.x, y, "│", line);
    c.cell(right, y, "│", line);
  }
  const title = fit(` ${p.title} `, r.w - 4);
  const used = c.text(r.x + 2, r.y, title, { fg: theme.accent, bold: true });
  if (p.note) {
    const room = r.w - 4 - used - 2;
    const note = fit(` ${p.note} `, room);
    if (room > 4) c.text(right - 1 - [...note].length, r.y, note, { fg: theme.dim });
  }
  return rect(r.x + 1, r.y + 1, r.w - 2, r.h - 2);
}
