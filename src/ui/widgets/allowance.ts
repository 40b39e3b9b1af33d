// ALLOWANCE: the subscription's 5-hour and weekly limits as gauges with reset times, where they come from and how
// old they are, the usage endpoint's problem (with "retry in m:ss"), and when the 5-hour limit would be reached at
// the recent pace; without an official figure, the estimate from the transcripts, marked `~` and labelled as one.
import type { Canvas, Rect, RGB } from "../canvas.ts";
import { SOURCE_LABELS, type AllowanceView } from "../../model/allowance-view.ts";
import { hhmm, usd } from "../format.ts";
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

/** Where the official figures shown come from, and their age: "from Claude Code's status line, 40s ago",
 *  "from claude.ai, 1m ago" (the 5-hour figure's, else the newest's); null when none is shown. */
export function officialLine(v: AllowanceView, now: number): string | null {
  const head = v.limits.find((l) => l.kind === "session") ?? [...v.limits].sort((x, y) => y.time - x.time)[0];
  return head ? `${SOURCE_LABELS[head.origin]}, ${ageLabel(now - head.time)}` : null;
}

/** A dollar figure of the estimate: "~$12.40". */
export const approxUSD = (n: number) => `~${usd(n)}`;

export function drawAllowance(c: Canvas, r: Rect, v: AllowanceView, now: number, time: number, hits: HitMap): void {
  const inner = drawBox(c, r, { title: "ALLOWANCE", note: v.account ?? undefined });
  if (inner.h < 1 || inner.w < 16) return;
  hits.add(r, { type: "allowance" });
  let y = inner.y;
  const width = inner.w - 2;
  const room = () => y < inner.y + inner.h;
  /** Text wrapped at spaces to the panel's width (the last line that fits ends with "…" when cut). */
  const line = (s: string, fg: RGB, bold = false) => {
    let rest = s.trim();
    while (rest.length > 0 && room()) {
      let cut = rest.length <= width ? rest.length : rest.lastIndexOf(" ", width);
      if (cut <= 0) cut = Math.min(width, rest.length);
      const last = y === inner.y + inner.h - 1;
      c.text(inner.x + 1, y++, last ? fit(rest, width) : rest.slice(0, cut), { fg, bold });
      rest = rest.slice(cut).trim();
    }
  };
  /** A number in the text colour and what it is, dim ("~$12.40 spent since 16:00"). */
  const figure = (value: string, what: string) => {
    if (!room()) return;
    c.text(inner.x + 1, y, value, { fg: theme.text, bold: true }, width);
    if (value.length + 1 < width) c.text(inner.x + 2 + value.length, y, what, { fg: theme.dim }, width - value.length - 1);
    y++;
  };
  const labelW = Math.max(...v.limits.map((l) => l.label.length), 6) + 1;
  const gauge = (label: string, percent: number, pct: string, color: RGB, below: string) => {
    if (!room()) return;
    const barW = Math.max(4, inner.w - 2 - labelW - 6);
    c.text(inner.x + 1, y, padRight(label, labelW), { fg: theme.dim });
    const filled = Math.round((Math.min(100, Math.max(0, percent)) / 100) * barW * 8);
    for (let k = 0; k < barW; k++) {
      const eighths = Math.max(0, Math.min(8, filled - k * 8));
      c.cell(inner.x + 1 + labelW + k, y, eighths === 0 ? "░" : ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"][eighths]!, {
        fg: eighths === 0 ? theme.rule : color,
      });
    }
    c.text(inner.x + 1 + labelW + barW + 1, y, pct.padStart(4), { fg: color, bold: true });
    y++;
    if (below && room()) c.text(inner.x + 1 + labelW, y++, below, { fg: theme.dim }, width - labelW);
  };
  const e = v.estimate;
  if (e) {
    // The 5-hour part from the transcripts (an estimate is never an alarm: its gauge does not flash).
    if (e.percent !== null)
      gauge(
        "5-hour",
        e.percent,
        `~${Math.round(e.percent)}%`,
        gaugeColor(e.percent, 0),
        e.blockStart !== null && e.blockEnd !== null ? `block ${hhmm(e.blockStart)}–${hhmm(e.blockEnd)}` : "",
      );
    if (e.blockStart !== null && e.blockEnd !== null) {
      figure(approxUSD(e.blockCostUSD), `spent since ${hhmm(e.blockStart)}`);
      if (e.projectedUSD !== null) figure(approxUSD(e.projectedUSD), `by ${hhmm(e.blockEnd)} at this pace`);
    } else line("no 5-hour block running", theme.dim);
    if (e.burnUSDPerHour > 0) figure(`${approxUSD(e.burnUSDPerHour)}/h`, `burn, last ${Math.round(e.burnSpanMs / 60_000)} min`);
    if (e.limitAt !== null) line(`5-hour limit ~${hhmm(e.limitAt)} at this pace`, theme.warn);
    line(v.sourceLabel, theme.dim);
  }
  for (const l of v.limits) gauge(l.label, l.percent, `${Math.round(l.percent)}%`, gaugeColor(l.percent, time), resetLabel(l.resetsAt, now));
  if (v.projectedLimitAt !== null) line(`5-hour limit at ${hhmm(v.projectedLimitAt)} at this pace`, theme.warn);
  const official = officialLine(v, now);
  if (official) line(official, theme.dim);
  if (v.status === "waiting") line("asking claude.ai for your limits…", theme.dim);
  // (without credentials the recorded figures say it all; the popup still tells why claude.ai is not asked)
  if (v.problem && !(v.problem.problem === "no-credentials" && v.limits.length > 0)) {
    const retry = v.problem.retryAt !== null && v.problem.retryAt > now ? ` · retry in ${countdown(v.problem.retryAt - now)}` : "";
    line(`${v.problem.message}${retry}`, v.problem.problem === "no-credentials" ? theme.dim : theme.warn);
    if (room()) c.text(inner.x + 1, y++, "click for details", { fg: theme.dim }, width);
  }
}

/**
 * A compact badge for the menu bar, naming the 5-hour figure's source: "5h 62% · wk 31% · status line", "… ·
 * claude.ai", and for the estimate "5h ~44% · estimate" (against the limit last seen) or "5h ~$12.40 · estimate"
 * (the block's cost), a current weekly figure beside it ("5h ~44% · wk 31% · estimate").
 */
export function allowanceBadge(v: AllowanceView): string | null {
  const e = v.estimate;
  const parts: string[] = [];
  if (e?.percent != null) parts.push(`5h ~${Math.round(e.percent)}%`);
  else if (e && e.blockStart !== null) parts.push(`5h ${approxUSD(e.blockCostUSD)}`);
  const short: Record<string, string> = { session: "5h", weekly: "wk" };
  parts.push(...v.limits.filter((l) => short[l.kind]).map((l) => `${short[l.kind]} ${Math.round(l.percent)}%`));
  if (parts.length === 0) return null;
  return `${parts.join(" · ")} · ${{ statusline: "status line", endpoint: "claude.ai", estimate: "estimate" }[v.source]}`;
}
