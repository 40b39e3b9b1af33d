// The help overlay: every key, click and flag.
import type { Canvas } from "../canvas.ts";
import { theme } from "../theme.ts";
import { INSIGHT_NOTES } from "../../model/insights-view.ts";
import { PANELS } from "./insight-panels.ts";
import { drawLines, drawOverlay, overlayRect, type Line } from "./overlay.ts";

export const HELP_KEYS: [string, string][] = [
  ["?", "open or close this help"],
  ["L  H  I", "LIVE, HISTORY, INSIGHTS tabs (or click a tab)"],
  ["↑ ↓  j k", "move the selection; scroll an open panel"],
  ["PgUp PgDn", "scroll a page"],
  ["Enter", "open the selected session"],
  ["S  M", "HISTORY on a small screen: the summary, the activity map"],
  ["1 2 3 4 5", "INSIGHTS window: 1 h, 5 h, 24 h, 7 d, 30 d"],
  ["o", "INSIGHTS: sort the projects by the next column"],
  ["q  Esc", "close the top panel; then back to LIVE; then quit"],
  ["Ctrl-C", "quit"],
];

export const HELP_CLICKS: [string, string][] = [
  ["a session row", "its detail: own charts, model, subagents, last API error"],
  ["a bar", "that time slice broken down by session"],
  ["an activity cell", "that hour of the week's totals (HISTORY)"],
  ["an INSIGHTS panel", "that panel full screen, with more rows"],
  ["a projects column", "sort the projects by it"],
  ["a tab", "switch view"],
];

export const HELP_FLAGS: [string, string][] = [
  ["--once [--plain]", "print one frame (ANSI, or text) and exit"],
  ["--width W --height H", "frame size for --once"],
  ["--json", "print the numbers as JSON"],
  ["--demo", "built-in demo data"],
  ["--root DIR", "a Claude config dir to read (repeatable)"],
  ["--now ISO", "pin the clock"],
  ["--window-hours H", "chart span (12)"],
  ["--bucket-minutes M", "bar width (fits the screen when not given)"],
  ["--active-window-hours H", "what counts as an active session (1)"],
  ["--view live|history|insights", "the view to start in (and for --once, --json)"],
  ["--insights-hours H", "INSIGHTS window (168); keys 1–5 in the view"],
  ["--history-hours H", "HISTORY span (168)"],
  ["--history-bucket-minutes M", "HISTORY bar width (span = bar × columns)"],
  ["--tz ZONE", "time zone of the activity map and day labels"],
  ["--price-per-mtok USD", "base input price for every model"],
  ["--fps N", "frames per second (30)"],
  ["--interval S", "seconds between file checks (2)"],
];

export const HELP_NOTES: string[] = [
  "Effective tokens = uncached + 1.25×5m write + 2×1h write + 0.1×read + 5×output.",
  "Cost is priced per response from the model's price table (estimates for unknown models).",
  "Context light: green / yellow / amber / red at 100k / 125k / 150k / 175k of a 200k window",
  "(150k / 300k / 450k / 600k of 1M); above that it flashes.",
  "A red ! marks a session whose last action was an API error.",
];

export function drawHelp(c: Canvas, scroll: number): number {
  const r = overlayRect(c, 88, 44);
  const inner = drawOverlay(c, r, "HELP", "q closes");
  const key = (k: string, v: string): Line => [
    [k.padEnd(30), { fg: theme.accent, bold: true }],
    [v, { fg: theme.text }],
  ];
  const head = (t: string): Line => [[t, { fg: theme.dim, bold: true }]];
  const lines: Line[] = [
    head("KEYS"),
    ...HELP_KEYS.map(([k, v]) => key(k, v)),
    [],
    head("CLICKS"),
    ...HELP_CLICKS.map(([k, v]) => key(k, v)),
    [],
    head("FLAGS"),
    ...HELP_FLAGS.map(([k, v]) => key(k, v)),
    [],
    head("HOW IT COUNTS"),
    ...HELP_NOTES.map((n): Line => [[n, { fg: theme.dim }]]),
    [],
    head("INSIGHTS PANELS"),
    ...PANELS.map((p): Line => [
      [`${p.title.toLowerCase()}: `, { fg: theme.accent }],
      [INSIGHT_NOTES[p.id] ?? "", { fg: theme.dim }],
    ]),
  ];
  return drawLines(c, inner, lines, scroll);
}
