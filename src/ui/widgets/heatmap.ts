// ACTIVITY: effective tokens by local weekday × hour of day (7 × 24) on a perceptual colour scale, with a legend;
// each cell is clickable.
import { rect, type Canvas, type Rect, type RGB } from "../canvas.ts";
import type { HeatCell } from "../../model/history-view.ts";
import { WEEKDAY_NAMES } from "../../model/history-view.ts";
import { compact } from "../format.ts";
import type { HitMap } from "../hits.ts";
import { fit, textWidth } from "../text.ts";
import { mix, theme } from "../theme.ts";
import { drawBox } from "./box.ts";

/** Dark to bright through blue, teal and green to yellow: brightness rises evenly, so more always looks more. */
const RAMP: RGB[] = [
  [30, 32, 48],
  [38, 60, 120],
  [40, 120, 170],
  [52, 180, 160],
  [150, 215, 100],
  [255, 220, 90],
];

function heatColor(v: number, max: number): RGB {
  if (v <= 0 || max <= 0) return RAMP[0]!;
  const t = Math.sqrt(Math.min(1, v / max)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(t));
  return mix(RAMP[i]!, RAMP[i + 1]!, t - i);
}

/** The level as a shade character too, so the map reads without colour (NO_COLOR, --plain). */
function shadeChar(v: number, max: number): string {
  if (v <= 0 || max <= 0) return "·";
  const t = Math.sqrt(Math.min(1, v / max));
  return t < 0.25 ? "░" : t < 0.5 ? "▒" : t < 0.75 ? "▓" : "█";
}

/** The box that shows the map at its best (two columns an hour): borders, day labels, 48 cells, a margin. */
export function heatmapSize(): { w: number; h: number } {
  return { w: 2 + 4 + 24 * 2 + 1, h: 2 + 1 + 7 + 1 };
}

export function drawHeatmap(c: Canvas, r: Rect, cells: readonly HeatCell[], zoneLabel: string, hits: HitMap): void {
  const inner = drawBox(c, r, { title: "ACTIVITY", note: zoneLabel });
  if (inner.w < 28 || inner.h < 8) {
    c.text(inner.x + 1, inner.y, fit("make the terminal larger (or press M)", inner.w - 2), { fg: theme.dim });
    return;
  }
  const max = Math.max(0, ...cells.map((x) => x.effectiveTokens));
  const cellW = Math.max(1, Math.min(2, Math.floor((inner.w - 5) / 24)));
  const x0 = inner.x + 4;
  // hour labels every 6 hours
  for (let h = 0; h < 24; h += 6) c.text(x0 + h * cellW, inner.y, String(h).padStart(2, "0"), { fg: theme.dim });
  for (let d = 0; d < 7; d++) {
    const y = inner.y + 1 + d;
    c.text(inner.x, y, WEEKDAY_NAMES[d]!, { fg: theme.dim });
    for (let h = 0; h < 24; h++) {
      const cell = cells[d * 24 + h]!;
      const x = x0 + h * cellW;
      const ch = shadeChar(cell.effectiveTokens, max);
      for (let k = 0; k < cellW; k++) c.cell(x + k, y, ch, { fg: heatColor(cell.effectiveTokens, max) });
      hits.add(rect(x, y, cellW, 1), { type: "openHour", weekday: d, hour: h });
    }
  }
  const ly = inner.y + 8;
  if (ly < inner.y + inner.h) {
    let x = x0;
    x += c.text(x, ly, "0 ", { fg: theme.dim });
    for (let k = 0; k <= 10; k++) c.cell(x + k, ly, shadeChar((k / 10) ** 2 * max, max), { fg: heatColor((k / 10) ** 2 * max, max) });
    const room = inner.x + inner.w - (x + 12);
    const label = textWidth(`${compact(max)} eff. tokens`) <= room ? `${compact(max)} eff. tokens` : compact(max);
    c.text(x + 12, ly, label, { fg: theme.dim }, room);
  }
}
