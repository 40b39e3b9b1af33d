// The allowance in full: where the numbers come from (the three sources explained, the one in use marked), every
// limit with its own source and age, the estimate's workings, and the last problem word for word.
import type { Canvas, Rect } from "../canvas.ts";
import type { AllowanceSource, AllowanceView } from "../../model/allowance-view.ts";
import { cleanText } from "../../shared/sanitize.ts";
import { hhmm, whenShort } from "../format.ts";
import { wrap } from "../text.ts";
import { theme } from "../theme.ts";
import { ageLabel, approxUSD, countdown, gaugeColor, officialLine, resetLabel } from "./allowance.ts";
import { drawLines, drawOverlay, overlayRect, type Line } from "./overlay.ts";

const ORIGIN: Record<"statusline" | "endpoint", string> = { statusline: "status line", endpoint: "claude.ai" };

/** The three sources, best first; the one in use is marked. */
const SOURCES: { source: AllowanceSource; name: string; what: string }[] = [
  {
    source: "statusline",
    name: "Claude Code's status line",
    what: "the official limits Claude Code hands `claude-dash statusline` after each response (claude.ai plans), recorded in the usage store",
  },
  {
    source: "endpoint",
    name: "claude.ai",
    what: "the usage endpoint, asked every few minutes with Claude Code's sign-in (not with --no-allowance); its answers are recorded too",
  },
  {
    source: "estimate",
    name: "estimate from transcripts",
    what: "when neither has a current figure: the current 5-hour block's cost (ccusage's blocks) and the last 30 minutes' burn, against the 5-hour limit in dollars the last official figure implies",
  },
];

export function drawAllowancePopup(c: Canvas, v: AllowanceView, now: number): Rect {
  const width = Math.min(86, c.width - 4);
  const lines: Line[] = [];
  const row = (label: string, value: string, fg = theme.text) =>
    lines.push([
      [label.padEnd(14), { fg: theme.dim }],
      [value, { fg }],
    ]);
  if (v.account) row("account", cleanText(v.account, 80));
  const official = officialLine(v, now);
  row("source", v.source === "estimate" ? `${v.sourceLabel}${official ? ` (other limits ${official})` : ""}` : `${official} (${hhmm(v.fetchedAt!)})`);
  for (const l of v.limits)
    lines.push([
      [l.label.padEnd(14), { fg: theme.dim }],
      [`${l.percent.toFixed(1)}%`.padEnd(8), { fg: gaugeColor(l.percent, 0), bold: true }],
      [resetLabel(l.resetsAt, now).padEnd(18), { fg: theme.dim }],
      [`${ORIGIN[l.origin]}, ${ageLabel(now - l.time)}`, { fg: theme.dim }],
    ]);
  if (v.projectedLimitAt !== null) row("projection", `5-hour limit at ${hhmm(v.projectedLimitAt)} at this pace`, theme.warn);
  const e = v.estimate;
  if (e) {
    if (e.blockStart !== null && e.blockEnd !== null) {
      row("5-hour block", `${hhmm(e.blockStart)}–${hhmm(e.blockEnd)} (from the first response after 5 h idle, on the hour)`);
      row("spent", `${approxUSD(e.blockCostUSD)} so far · ${approxUSD(e.projectedUSD ?? e.blockCostUSD)} by ${hhmm(e.blockEnd)} at this pace`);
    } else row("5-hour block", "none running: the next response starts one", theme.dim);
    row("burn", `${approxUSD(e.burnUSDPerHour)}/h over the last ${Math.round(e.burnSpanMs / 60_000)} minutes`);
    if (e.limitUSD !== null && e.limitSeen) {
      const when = whenShort(e.limitSeen.time, now).trim();
      const seen = `${e.limitSeen.percent.toFixed(0)}% ${e.limitSeen.origin === "statusline" ? "the status line" : "claude.ai"} showed ${when.includes(":") ? "at" : "on"} ${when}`;
      row("5-hour limit", `${approxUSD(e.limitUSD)}, from the ${seen}${e.percent !== null ? ` · ~${e.percent.toFixed(0)}% used` : ""}`);
    } else row("5-hour limit", "not known yet: needs an official 5-hour figure of 5 % or more, with use here in its window", theme.dim);
    if (e.limitAt !== null) row("projection", `5-hour limit ~${hhmm(e.limitAt)} at this pace`, theme.warn);
  }
  if (!v.endpointAsked) lines.push([["claude.ai is not asked (--no-allowance)", { fg: theme.dim }]]);
  if (v.status === "waiting") lines.push([["claude.ai has not answered yet", { fg: theme.dim }]]);
  lines.push([]);
  for (const src of SOURCES) {
    const on = src.source === v.source;
    const text = wrap(`${src.name}: ${src.what}`, width - 6);
    text.forEach((part, i) =>
      lines.push([
        [i === 0 ? (on ? "▸ " : "· ") : "  ", { fg: on ? theme.accent : theme.dim }],
        [part, { fg: on ? theme.text : theme.dim, bold: on && i === 0 }],
      ]),
    );
  }
  for (const part of wrap("Each limit shows its freshest official figure, never one whose window has reset.", width - 4))
    lines.push([[part, { fg: theme.dim }]]);
  if (v.problem) {
    lines.push([]);
    lines.push([[`last problem (${hhmm(v.problem.time)}): ${v.problem.problem}`, { fg: theme.warn, bold: true }]]);
    for (const part of wrap(cleanText(v.problem.message, 600), width - 4)) lines.push([[part, { fg: theme.text }]]);
    if (v.problem.retryAt !== null)
      lines.push([
        [v.problem.retryAt > now ? `next try in ${countdown(v.problem.retryAt - now)} (${hhmm(v.problem.retryAt)})` : "trying again now", { fg: theme.dim }],
      ]);
  }
  // As tall as what it says (it scrolls past the screen's height).
  const r = overlayRect(c, width, lines.length + 2);
  drawLines(c, drawOverlay(c, r, "ALLOWANCE", "q closes"), lines, 0);
  return r;
}
