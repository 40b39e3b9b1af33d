// SUMMARY: input, output, responses, effective tokens (1 h and window), cost, cache mix, counts.
import { rect, type Canvas, type Rect } from "../canvas.ts";
import type { Counts } from "../../model/selectors.ts";
import { compact, count, percent, spanLabel, usd } from "../format.ts";
import { fit, padLeft, padRight, textWidth } from "../text.ts";
import { theme } from "../theme.ts";
import { drawBox } from "./box.ts";
import { PATTERNS } from "./chart.ts";

/** The six activity counters come straight from the model's Counts. */
export interface SummaryProps extends Counts {
  windowHours: number;
  /** true when the window was cut to the newest buckets a given bucket size fits. */
  windowCut?: boolean;
  /** the window chosen, when it was cut */
  chosenHours?: number;
  input: number;
  uncached: number;
  write5m: number;
  write1h: number;
  read: number;
  miss: number;
  output: number;
  responses: number;
  effective1h: number;
  effectiveWindow: number;
  cost1h: number;
  costWindow: number;
  /** colour is off: the bar's parts by pattern */
  mono?: boolean;
}

export function drawSummary(c: Canvas, r: Rect, p: SummaryProps): void {
  const inner = drawBox(c, r, {
    title: "SUMMARY",
    note: p.windowCut && p.chosenHours ? `${spanLabel(p.windowHours)} of ${spanLabel(p.chosenHours)}` : spanLabel(p.windowHours),
  });
  if (inner.w < 10 || inner.h < 1) return;
  type Item = [string, string, typeof theme.text];
  const input: Item = ["input", compact(p.input), theme.uncached];
  const output: Item = ["output", compact(p.output), theme.output];
  const eff: Item = ["effective", compact(p.effectiveWindow), theme.accent];
  const eff1h: Item = ["eff. 1 h", compact(p.effective1h), theme.accent];
  const cost: Item = ["cost", usd(p.costWindow), theme.warn];
  const cost1h: Item = ["cost 1 h", usd(p.cost1h), theme.warn];
  const responses: Item = ["responses", count(p.responses), theme.text];
  const prompts: Item = ["prompts", count(p.prompts), theme.text];
  // Two columns in the side panel; three or four across a narrow screen, most important first.
  // (in two columns each figure sits beside its last-hour twin, when all four rows fit; otherwise cost comes before
  // the last hour's figures, so a short panel keeps what a window cost)
  const cols = Math.max(2, Math.min(4, Math.floor(inner.w / 24)));
  const paired = cols === 2 && inner.h >= 4;
  const items = paired ? [input, output, eff, eff1h, cost, cost1h, responses, prompts] : [input, output, eff, cost, responses, prompts, eff1h, cost1h];
  // (columns one cell apart; the last one also takes the cells the division leaves over, so nothing is cut while
  // the panel has a blank column at its right)
  const colW = Math.floor((inner.w - 1) / cols);
  const kw = Math.min(10, colW - 7);
  const rowsForNumbers = Math.min(Math.ceil(items.length / cols), inner.h);
  items.forEach(([k, v, color], i) => {
    const row = Math.floor(i / cols);
    if (row >= rowsForNumbers) return;
    const col = i % cols;
    const w = col === cols - 1 ? inner.w - 2 - col * colW : colW - 1;
    figure(c, inner.x + 1 + col * colW, inner.y + row, w, kw, k, v, color);
  });
  let y = inner.y + rowsForNumbers;
  const end = inner.y + inner.h;
  const w = inner.w - 2;
  if (y + 1 < end) {
    mixBar(c, rect(inner.x + 1, y++, inner.w - 2, 1), p);
    mixLegend(c, rect(inner.x + 1, y++, inner.w - 2, 1), p);
  }
  // (a cache miss is not a part of the bar: input written again that a read could have served)
  if (y + 2 < end && p.input > 0)
    c.text(inner.x + 1, y++, fit(`cache miss ${percent(p.miss, p.input)} of input`, w), { fg: p.miss > 0 ? theme.miss : theme.dim });
  const tools = [
    `tool calls ${count(p.toolCalls)} · ${count(p.toolErrors)} err · ${count(p.toolRejections)} rej`,
    `tools ${count(p.toolCalls)} · ${count(p.toolErrors)} err · ${count(p.toolRejections)} rej`,
  ];
  const api = [`API errors ${count(p.apiErrors)} · ${count(p.apiRetries)} retries`, `API err ${count(p.apiErrors)} · ${count(p.apiRetries)} retries`];
  if (y < end) c.text(inner.x + 1, y++, longestFitting(tools, w), { fg: theme.dim });
  if (y < end) c.text(inner.x + 1, y++, longestFitting(api, w), { fg: p.apiErrors > 0 ? theme.error : theme.dim });
}

/**
 * A label and its figure in `w` columns: the label in the first `kw`, the figure right-aligned after it. A figure
 * wider than its part takes the room a shorter label leaves (one blank between them); only then is it cut.
 */
function figure(c: Canvas, x: number, y: number, w: number, kw: number, label: string, value: string, color: typeof theme.text): void {
  const vw = Math.max(w - kw, Math.min(textWidth(value), w - textWidth(label) - 1));
  c.text(x, y, padRight(label, w - vw), { fg: theme.dim });
  c.text(x + w - vw, y, padLeft(value, vw), { fg: color, bold: true });
}

/** The first (fullest) wording that fits the width, else the shortest one cut with "…". */
function longestFitting(wordings: readonly string[], width: number): string {
  return wordings.find((s) => textWidth(s) <= width) ?? fit(wordings[wordings.length - 1]!, width);
}

/** The cache mix as one proportional bar. */
function mixBar(c: Canvas, r: Rect, p: SummaryProps): void {
  const parts = mixParts(p);
  const total = parts.reduce((a, x) => a + x.v, 0);
  if (total <= 0 || r.w <= 0) {
    c.text(r.x, r.y, "no input in this window", { fg: theme.dim });
    return;
  }
  let x = r.x;
  let acc = 0;
  for (const part of parts) {
    acc += part.v;
    const end = r.x + Math.round((acc / total) * r.w);
    for (; x < end; x++) c.cell(x, r.y, p.mono ? part.pattern : "█", { fg: part.color });
  }
}

/** What the input was made of: read from cache, written (5 m, 1 h), sent uncached. Adds up to `input`. */
function mixParts(p: SummaryProps) {
  return [
    { label: "read", v: p.read, color: theme.read, pattern: PATTERNS[0]! },
    { label: "5m", v: p.write5m, color: theme.write5m, pattern: PATTERNS[1]! },
    { label: "1h", v: p.write1h, color: theme.write1h, pattern: PATTERNS[2]! },
    { label: "uncached", v: p.uncached, color: theme.uncached, pattern: PATTERNS[3]! },
  ];
}

/**
 * Names every part of the bar, in its order, each with its chip: spaced out when there is room, then closer, then
 * with "unc" for uncached, then without the chips, each name in its part's colour; narrower still, that line is cut
 * with "…".
 */
function mixLegend(c: Canvas, r: Rect, p: SummaryProps): void {
  const with_ = (short: boolean) => mixParts(p).map((m) => ({ ...m, text: `${short && m.label === "uncached" ? "unc" : m.label} ${percent(m.v, p.input)}` }));
  const need = (parts: { text: string }[], gap: number, chips: boolean) =>
    parts.reduce((a, m) => a + m.text.length + (chips ? 2 : 0), 0) + gap * (parts.length - 1);
  const options: [boolean, number, boolean][] = [
    [false, 2, true],
    [false, 1, true],
    [true, 1, true],
    [true, 1, false],
  ];
  const [short, gap, chips] = options.find(([s, g, ch]) => need(with_(s), g, ch) <= r.w) ?? options[options.length - 1]!;
  const parts = with_(short);
  let x = r.x;
  if (!chips) {
    // (the names are ASCII: a part's place in the line is its place in the string)
    const line = fit(parts.map((m) => m.text).join(" "), r.w);
    let at = 0;
    for (const m of parts) {
      x += c.text(x, r.y, line.slice(at, at + m.text.length + 1), { fg: m.color });
      at += m.text.length + 1;
    }
    return;
  }
  for (const m of parts) {
    c.cell(x, r.y, p.mono ? m.pattern : "■", { fg: m.color });
    x += c.text(x + 2, r.y, m.text, { fg: theme.dim }) + 2 + gap;
  }
}
