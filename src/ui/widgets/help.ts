// The help overlay: every key, click and flag.
import type { Canvas, Rect } from "../canvas.ts";
import { padRight, textWidth, wrap } from "../text.ts";
import { theme } from "../theme.ts";
import { helpFlags } from "../../shared/flags.ts";
import { KEYS } from "../ui-state.ts";
import { INSIGHT_MODELS } from "../../model/insights/registry.ts";
import { drawLines, drawOverlay, overlayRect, type Line } from "./overlay.ts";
import { SESSION_COLUMN_HELP } from "./sessions.ts";

/** The keys, from the one table (ui-state.ts KEYS) that also binds them. */
export const HELP_KEYS: [string, string][] = KEYS.map((k) => [k.label, k.help]);

export const HELP_CLICKS: [string, string][] = [
  ["a session row", "its detail: own charts, model, subagents, last API error"],
  ["a bar", "that time slice broken down by session"],
  ["a row of a slice", "that session's detail"],
  ["the 5h · wk badge", "ALLOWANCE as an overlay (or press a)"],
  ["an activity cell", "that hour of the week's totals (HISTORY)"],
  ["an INSIGHTS panel", "that panel full screen, with more rows"],
  ["a projects column", "sort the projects by it"],
  ["a tab", "switch view"],
  ["the wheel", "move the selection; scroll an open panel or INSIGHTS"],
  ["outside a panel", "close it (a click inside it keeps it open)"],
];

/** What is on the screen: the charts and panels (their titles), then ACTIVE SESSIONS' columns. */
export const HELP_SCREEN: [string, string][] = [
  ["INPUT", "input tokens per bar by what the cache did with them: sent uncached, written to the 5-minute cache, written to the 1-hour cache"],
  ["CONTEXT", "how each response's context was assembled: read from the cache, new input, and cache misses (written again where a read could have served)"],
  ["OUTPUT", "output tokens per bar"],
  ["EFFECTIVE TOKENS", "HISTORY: effective tokens per bar by model family"],
  [
    "SUMMARY",
    "the window's input, output, effective tokens and cost (and the last hour's), responses and prompts; its bar is the input's mix (read, 5m, 1h, uncached); tool calls with errors and rejections; API errors and retries",
  ],
  ["ALLOWANCE", "the subscription's 5-hour and weekly limits with their resets, and when the 5-hour limit is reached at the last hour's rate"],
  ["ACTIVITY", "HISTORY: effective tokens by weekday and hour"],
  ["ACTIVE SESSIONS", "sessions that did anything in the active window (default 1 h), newest first"],
  ...SESSION_COLUMN_HELP,
];

/** The flags, from the one table (options.ts). */
export const HELP_FLAGS: [string, string][] = helpFlags();

const HELP_NOTES: string[] = [
  "Effective tokens = uncached + 1.25×5m write + 2×1h write + 0.1×read + 5×output.",
  "Cost is priced per response from the model's price table (estimates for unknown models).",
  "Context light: green / yellow / amber / red at 100k / 125k / 150k / 175k tokens of a 200k window (150k / 300k / 450k / 600k of 1M); above that it flashes. Without colour (NO_COLOR) it is a shape: ○ ◔ ◑ ◕, ◉ above.",
  "A red ! marks a session whose last action was an API error.",
];

/** Draws the help; returns the overlay's rectangle. */
export function drawHelp(c: Canvas, scroll: number): Rect {
  const r = overlayRect(c, 88, 44);
  const inner = drawOverlay(c, r, "HELP", "q closes");
  const width = inner.w - 2;
  // Each section's key column is as wide as its longest key; descriptions wrap under themselves.
  const section = (title: string, rows: readonly [string, string][]): Line[] => {
    const keyW = Math.min(Math.max(...rows.map(([k]) => textWidth(k))) + 2, Math.floor(width / 2));
    const out: Line[] = [[[title, { fg: theme.dim, bold: true }]]];
    for (const [k, v] of rows) {
      wrap(v, width - keyW).forEach((part, i) =>
        out.push([
          [i === 0 ? padRight(k, keyW) : " ".repeat(keyW), { fg: theme.accent, bold: true }],
          [part, { fg: theme.text }],
        ]),
      );
    }
    return out;
  };
  const prose = (title: string, rows: readonly Line[][]): Line[] => [[[title, { fg: theme.dim, bold: true }]], ...rows.flat()];
  const note = (text: string, style: Line[number][1]): Line[] => wrap(text, width).map((part): Line => [[part, style]]);
  const lines: Line[] = [
    ...section("KEYS", HELP_KEYS),
    [],
    ...section("CLICKS", HELP_CLICKS),
    [],
    ...section("THE SCREEN", HELP_SCREEN),
    [],
    ...section("FLAGS", HELP_FLAGS),
    [],
    ...prose(
      "HOW IT COUNTS",
      HELP_NOTES.map((n) => note(n, { fg: theme.dim })),
    ),
    [],
    ...prose(
      "INSIGHTS PANELS",
      INSIGHT_MODELS.map((p) => note(`${p.title.toLowerCase()}: ${p.note}`, { fg: theme.dim })),
    ),
  ];
  drawLines(c, inner, lines, scroll);
  return r;
}
