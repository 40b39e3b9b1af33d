// ALLOWANCE: the subscription's 5-hour and weekly limits as gauges with reset times, their age, the current
// problem (with "retry in m:ss"), and when the 5-hour limit would be reached at the current rate.
import { rect, type Canvas, type Rect, type RGB } from "../canvas.ts";
import type { AllowanceView } from "../../model/allowance-view.ts";
import { hhmm } from "../format.ts";
import type { HitMap } from "../hits.ts";
import { fit, padRight } from "../text.ts";
import { shade, theme } from "../theme.ts";
import { drawBox } from "./box.ts";

/** green ≤70 %, yellow ≤80, amber ≤90, red ≤95, flashing above. */
export function gaugeColor(percent: number, time: number): RGB {
  if (percent <= 70) return theme.ok;
  if (percent <= 80) return theme.warn;
  if (percent <= 90) return theme.amber;
  if (percent <= 95) return theme.error;
  return Math.floor(time / 500) % 2 === 0 ? theme.error : shade(theme.error, 0.45);
}

/** "resets 14:05" today, "resets Tue 14:00" on another day. */
export function resetLabel(t: number | null, now: number): string {
  if (t === null) return "";
  const d = new Date(t);
  const sameDay = new Date(now).toDateString() === d.toDateString();
  return sameDay ? `resets ${hhmm(t)}` : `resets ${d.toDateString().slice(0, 3)} ${hhmm(t)}`;
}

export function ageLabel(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m ago`;
}

export function countdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export function drawAllowance(c: Canvas, r: Rect, v: AllowanceView, now: number, time: number, hits: HitMap): void {
  const inner = drawBox(c, r, { title: "ALLOWANCE", note: v.account ?? undefined });
  if (inner.h < 1 || inner.w < 16) return;
  hits.add(r, { type: "allowance" });
  let y = inner.y;
  /** Text wrapped at spaces to the panel's width (the last line that fits ends with "…" when cut). */
  const line = (s: string, fg: RGB, bold = false) => {
    const width = inner.w - 2;
    let rest = s.trim();
    while (rest.length > 0 && y < inner.y + inner.h) {
      let cut = rest.length <= width ? rest.length : rest.lastIndexOf(" ", width);
      if (cut <= 0) cut = Math.min(width, rest.length);
      const last = y === inner.y + inner.h - 1;
      c.text(inner.x + 1, y++, last ? fit(rest, width) : rest.slice(0, cut), { fg, bold });
      rest = rest.slice(cut).trim();
    }
  };
  if (v.status === "off") return line("off (--no-allowance)", theme.dim);
  if (v.status === "waiting") return line("asking claude.ai for your limits…", theme.dim);
  const labelW = Math.max(...v.limits.map((l) => l.label.length), 6) + 1;
  for (const l of v.limits) {
    if (y >= inner.y + inner.h) break;
    const pct = `${Math.round(l.percent)}%`;
    const barW = Math.max(4, inner.w - 2 - labelW - 6);
    const color = gaugeColor(l.percent, time);
    c.text(inner.x + 1, y, padRight(l.label, labelW), { fg: theme.dim });
    const filled = Math.round((Math.min(100, Math.max(0, l.percent)) / 100) * barW * 8);
    for (let k = 0; k < barW; k++) {
      const eighths = Math.max(0, Math.min(8, filled - k * 8));
      c.cell(inner.x + 1 + labelW + k, y, eighths === 0 ? "░" : ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"][eighths]!, { fg: eighths === 0 ? theme.rule : color });
    }
    c.text(inner.x + 1 + labelW + barW + 1, y, pct.padStart(4), { fg: color, bold: true });
    y++;
    const reset = resetLabel(l.resetsAt, now);
    if (reset && y < inner.y + inner.h) c.text(inner.x + 1 + labelW, y++, reset, { fg: theme.dim });
  }
  if (v.projectedLimitAt !== null) line(`5-hour limit at ${hhmm(v.projectedLimitAt)} at this rate`, theme.warn);
  if (v.fetchedAt !== null) line(`updated ${ageLabel(now - v.fetchedAt)}`, theme.dim);
  if (v.problem) {
    const retry = v.problem.retryAt !== null && v.problem.retryAt > now ? ` · retry in ${countdown(v.problem.retryAt - now)}` : "";
    line(`${v.problem.message}${retry}`, v.problem.problem === "no-credentials" ? theme.dim : theme.warn);
    if (y < inner.y + inner.h) c.text(inner.x + 1, y++, "click for details", { fg: theme.dim }, inner.w - 2);
  }
}

/** A compact badge for the menu bar: "5h 62% · wk 31%". */
export function allowanceBadge(v: AllowanceView): string | null {
  if (v.status !== "ok") return null;
  const short: Record<string, string> = { session: "5h", weekly: "wk" };
  const parts = v.limits.filter((l) => short[l.kind]).map((l) => `${short[l.kind]} ${Math.round(l.percent)}%`);
  return parts.length > 0 ? parts.join(" · ") : null;
}

export { rect };
