// The status line's one line of text: `claude-dash statusline` prints it after each of Claude Code's responses, which
// shows it under the prompt (rendering our SGR colours). A template of `{segment}`s and literal text says what goes
// on it; a segment with nothing to show is left out with the separator before it; a line too wide for `width` loses
// detail and then whole segments, least important first, and is cut with "…" only when one segment is left.
//
// This runs in a process Claude Code starts after every response, with some 30 ms for all of it: the module imports
// only the view model's types and the sanitizer, measures widths itself (string-width costs ~6 ms to import), makes
// no Intl object unless a time zone is asked for (the process zone's clock comes from Date), and parses a format once.

import type { StatuslineView, WindowView } from "../model/statusline-view.ts";
import { cleanText, isUnsafe, replaceUnsafe } from "../shared/sanitize.ts";

// ---------------------------------------------------------------------------------------------------------------
// Formats

/** The segments a template can name, in the order the help lists them. */
export const SEGMENT_NAMES = ["model", "session", "cc", "today", "5h", "week", "context", "burn", "block", "dir", "note"] as const;
type SegmentName = (typeof SEGMENT_NAMES)[number];

/** A parsed template: literal text and segments, in order. */
type FormatPart = { kind: "text"; text: string } | { kind: "segment"; name: SegmentName };
type ParsedFormat = { ok: true; segments: FormatPart[] } | { ok: false; message: string };

export const DEFAULT_FORMAT = "{model} │ {session} │ {today} │ {5h} │ {week} │ {context} │ {burn}";

/** The named formats `--format` accepts besides a template. */
export const FORMATS: Readonly<Record<string, string>> = Object.freeze({
  default: DEFAULT_FORMAT,
  compact: "{model} · {session} · {5h} · {context}",
  cost: "{model} │ {session} │ {cc} │ {today} │ {block} │ {burn}",
  full: "{dir} │ {model} │ {session} │ {cc} │ {today} │ {5h} │ {block} │ {week} │ {context} │ {burn}",
});

const KNOWN = new Set<string>(SEGMENT_NAMES);
const hexCp = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;

/**
 * A preset's name or a template, parsed. A template is literal text with `{name}` segments; `{{` and `}}` are literal
 * braces. It must name at least one segment (so a misspelt preset name is an error, not a line of literal text) and
 * hold no control or bidi character. The message is one line, for `--format`'s exit 2.
 */
export function parseFormat(text: string): ParsedFormat {
  const preset = Object.hasOwn(FORMATS, text) ? FORMATS[text] : undefined;
  const t = preset ?? text;
  if (t.trim() === "") return { ok: false, message: `empty format (presets: ${presetList()}; or a template such as "{model} │ {5h}")` };
  let col = 0;
  for (const ch of t) {
    col++;
    const cp = ch.codePointAt(0)!;
    if (isUnsafe(cp)) return { ok: false, message: `control or bidi character ${hexCp(cp)} at column ${col} of the format` };
  }
  const parts: FormatPart[] = [];
  let lit = "";
  let i = 0;
  const at = (k: number) => [...t.slice(0, k)].length + 1; // (a column counts code points)
  while (i < t.length) {
    const c = t[i]!;
    if (c === "{") {
      if (t[i + 1] === "{") {
        lit += "{";
        i += 2;
        continue;
      }
      const end = t.indexOf("}", i + 1);
      const name = end < 0 ? "" : t.slice(i + 1, end);
      if (end < 0 || name.includes("{")) return { ok: false, message: `unclosed "{" at column ${at(i)} of the format (write "{{" for a literal brace)` };
      if (name === "") return { ok: false, message: `empty segment "{}" at column ${at(i)} of the format (segments: ${SEGMENT_NAMES.join(", ")})` };
      if (!KNOWN.has(name)) return { ok: false, message: `unknown segment "{${name}}" in the format (segments: ${SEGMENT_NAMES.join(", ")})` };
      if (lit !== "") parts.push({ kind: "text", text: lit });
      lit = "";
      parts.push({ kind: "segment", name: name as SegmentName });
      i = end + 1;
    } else if (c === "}") {
      if (t[i + 1] !== "}") return { ok: false, message: `unmatched "}" at column ${at(i)} of the format (write "}}" for a literal brace)` };
      lit += "}";
      i += 2;
    } else {
      lit += c;
      i++;
    }
  }
  if (lit !== "") parts.push({ kind: "text", text: lit });
  if (!parts.some((p) => p.kind === "segment")) {
    return {
      ok: false,
      message: /^[\w-]+$/.test(t)
        ? `unknown format "${t}" (presets: ${presetList()}; or a template such as "{model} │ {5h}")`
        : `the format names no segment (segments: ${SEGMENT_NAMES.map((n) => `{${n}}`).join(", ")})`,
    };
  }
  return { ok: true, segments: parts };
}

function presetList(): string {
  return Object.keys(FORMATS).join(", ");
}

// ---------------------------------------------------------------------------------------------------------------
// Runs of styled text

type Style = "" | "dim" | "green" | "yellow" | "orange" | "red";
interface Run {
  t: string;
  s: Style;
}
const SGR: Record<Exclude<Style, "">, string> = { dim: "2", green: "32", yellow: "33", orange: "38;5;208", red: "31" };
const run = (t: string, s: Style = ""): Run => ({ t, s });

// ---------------------------------------------------------------------------------------------------------------
// Numbers and times

function commas(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** "$0.42", "$14.20", "$1,234" (whole dollars from $1,000), "$2.5B"; "$?" for what is not a number. */
export function money(n: number): string {
  if (!Number.isFinite(n)) return "$?";
  if (n < 0) return `-${money(-n)}`;
  const cents = Math.round(n * 100);
  if (cents < 100_000) return `$${(cents / 100).toFixed(2)}`;
  if (n < 999_999_999.5) return `$${commas(Math.round(n))}`;
  if (n < 999.5e12) return `$${n / 1e9 < 999.95 ? (n / 1e9).toFixed(1) + "B" : (n / 1e12).toFixed(1) + "T"}`;
  return ">$999T";
}

/** Dollars an hour: "$0.42/h", "$3.1/h", "$12.4/h", "$123/h", "$1,234/h". */
export function burnRate(n: number): string {
  if (!Number.isFinite(n)) return "$?/h";
  const v = Math.max(0, n);
  if (Math.round(v * 100) < 100) return `$${v.toFixed(2)}/h`;
  if (Math.round(v * 10) < 1000) return `$${(Math.round(v * 10) / 10).toFixed(1)}/h`;
  return v < 999_999_999.5 ? `$${commas(Math.round(v))}/h` : `${money(v)}/h`;
}

/** A whole percent: 99.6 reads "99%" (it is not the limit yet), 100 and more read as they are; ">999%" beyond. */
function percentNumber(p: number): number {
  const v = Math.max(0, p);
  return v < 100 ? Math.min(99, Math.round(v)) : Math.floor(v);
}
function pct(p: number): string {
  if (!Number.isFinite(p)) return "?%";
  const n = percentNumber(p);
  return n > 999 ? ">999%" : `${n}%`;
}

/** An age: "<1m", "3m", "2h", "4d". */
function age(ms: number): string {
  const m = Math.floor(ms / 60_000);
  if (!(m >= 1)) return "<1m";
  if (m < 60) return `${m}m`;
  if (m < 48 * 60) return `${Math.floor(m / 60)}h`;
  return `${Math.floor(m / 1440)}d`;
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
interface LocalTime {
  y: number;
  mo: number; // 1-12
  d: number;
  wd: number; // 0 = Sunday
  h: number;
  mi: number;
}

const zoneFormats = new Map<string, Intl.DateTimeFormat | null>();
function zoneFormat(timeZone: string): Intl.DateTimeFormat | null {
  let f = zoneFormats.get(timeZone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        weekday: "short",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
      });
    } catch {
      f = null; // (an unknown zone: the process zone instead)
    }
    zoneFormats.set(timeZone, f);
  }
  return f;
}

/** The wall clock at `t` in `timeZone` (the process zone when none, or when the zone is not known). */
function localTime(t: number, timeZone: string | undefined): LocalTime {
  const f = timeZone === undefined ? null : zoneFormat(timeZone);
  if (f === null) {
    const d = new Date(t);
    return { y: d.getFullYear(), mo: d.getMonth() + 1, d: d.getDate(), wd: d.getDay(), h: d.getHours(), mi: d.getMinutes() };
  }
  const out: LocalTime = { y: 0, mo: 1, d: 1, wd: 0, h: 0, mi: 0 };
  for (const p of f.formatToParts(t)) {
    if (p.type === "year") out.y = Number(p.value);
    else if (p.type === "month") out.mo = Number(p.value);
    else if (p.type === "day") out.d = Number(p.value);
    else if (p.type === "hour") out.h = Number(p.value) % 24;
    else if (p.type === "minute") out.mi = Number(p.value);
    else if (p.type === "weekday") out.wd = Math.max(0, WEEKDAYS.indexOf(p.value));
  }
  return out;
}

const two = (n: number) => String(n).padStart(2, "0");

/** A time on the clock: "15:30" today, "Mon 09:00" on another day within the week, "Dec 14 09:00" further. */
export function clockText(t: number, now: number, timeZone?: string): string {
  if (!Number.isFinite(t)) return "?";
  const a = localTime(t, timeZone);
  const hm = `${two(a.h)}:${two(a.mi)}`;
  const b = localTime(now, timeZone);
  if (a.y === b.y && a.mo === b.mo && a.d === b.d) return hm;
  if (Math.abs(t - now) < 6 * 86_400_000) return `${WEEKDAYS[a.wd]} ${hm}`;
  return `${MONTHS[a.mo - 1] ?? "?"} ${a.d} ${hm}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Widths (columns a terminal gives the text)

/** Characters one column wide that are a cluster of their own (as in src/ui/text.ts, checked against string-width there). */
function oneColumn(c: number): boolean {
  return (
    (c >= 0x20 && c <= 0x7e) ||
    (c >= 0xa0 && c <= 0x2ff && c !== 0xad) ||
    (c >= 0x2010 && c <= 0x2027) ||
    (c >= 0x2190 && c <= 0x21ff) ||
    (c >= 0x2500 && c <= 0x25fc)
  );
}
/** Combining diacritics: no column of their own after a one-column base. */
function diacritic(c: number): boolean {
  return (c >= 0x300 && c <= 0x36f) || (c >= 0x1ab0 && c <= 0x1aff) || (c >= 0x1dc0 && c <= 0x1dff) || (c >= 0xfe20 && c <= 0xfe2f);
}

let segmenter: Intl.Segmenter | null = null;
/** The grapheme clusters of `s` (one per UTF-16 unit when every unit is a simple one-column character). */
function clustersOf(s: string): string[] {
  let simple = true;
  for (let i = 0; i < s.length && simple; i++) simple = oneColumn(s.charCodeAt(i));
  if (simple) return s.split("");
  segmenter ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  const out: string[] = [];
  for (const { segment } of segmenter.segment(s)) out.push(segment);
  return out;
}

/**
 * Columns of one cluster, never fewer than a terminal gives it: 1 for a simple character (with diacritics), 2 for
 * anything else (wide, emoji, other scripts; a few of these take 1 or 0, so a line with them may come out a little
 * short, never too wide).
 */
function clusterColumns(g: string): number {
  const first = g.codePointAt(0)!;
  if (!oneColumn(first)) return 2;
  for (let i = 1; i < g.length; i++) if (!diacritic(g.charCodeAt(i))) return 2;
  return 1;
}

/** Columns `s` takes, an upper bound (see clusterColumns). */
export function columns(s: string): number {
  let simple = true;
  for (let i = 0; i < s.length && simple; i++) simple = oneColumn(s.charCodeAt(i));
  if (simple) return s.length;
  let w = 0;
  for (const g of clustersOf(s)) w += clusterColumns(g);
  return w;
}

/** `s` cut to at most `w` columns, ending "…" when cut. */
function fitText(s: string, w: number): string {
  if (columns(s) <= w) return s;
  if (w <= 0) return "";
  let out = "";
  let used = 0;
  for (const g of clustersOf(s)) {
    const cw = clusterColumns(g);
    if (used + cw > w - 1) break;
    out += g;
    used += cw;
  }
  return `${out}…`;
}

const runsColumns = (runs: readonly Run[]) => runs.reduce((w, r) => w + columns(r.t), 0);

/** Runs cut to `w` columns, the last one ending "…". */
function cutRuns(runs: readonly Run[], w: number): Run[] {
  if (w <= 0) return [];
  const out: Run[] = [];
  let used = 0;
  for (const r of runs) {
    const rw = columns(r.t);
    if (used + rw <= w - 1) {
      out.push(r);
      used += rw;
      continue;
    }
    let t = "";
    for (const g of clustersOf(r.t)) {
      const cw = clusterColumns(g);
      if (used + cw > w - 1) break;
      t += g;
      used += cw;
    }
    if (t !== "") out.push(run(t, r.s));
    break;
  }
  out.push(run("…", "dim"));
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Segments

/** How much a segment shows: the windows lose detail before anything is dropped. */
interface Detail {
  pace: boolean;
  reset: boolean;
}
const FULL: Detail = { pace: true, reset: true };
const DETAILS: Partial<Record<SegmentName, readonly Detail[]>> = {
  // the weekly window gives up its reset first (days away), then its pace; the 5-hour window its pace, then its reset
  week: [FULL, { pace: true, reset: false }, { pace: false, reset: false }],
  "5h": [FULL, { pace: false, reset: true }, { pace: false, reset: false }],
};

const MODEL_COLUMNS = 32;
const DIR_COLUMNS = 32;
const NOTE_COLUMNS = 48;

function limitStyle(p: number): Style {
  const n = percentNumber(p);
  return n <= 70 ? "green" : n <= 80 ? "yellow" : n <= 90 ? "orange" : "red";
}

function contextStyle(p: number): Style {
  const n = percentNumber(p);
  return n < 50 ? "green" : n < 80 ? "yellow" : "red";
}

interface Ctx {
  v: StatuslineView;
  timeZone: string | undefined;
}

/** The `5h` / `week` segment: `5h 42% (60% gone) ↻15:30`, `5h ~42%`, `5h 42% (3m ago, 60% gone)`, `5h ~$4.20→$9.80 limit ~16:40`. */
function windowRuns(label: string, w: WindowView, c: Ctx, d: Detail): Run[] | null {
  const estimate = w.origin === "estimate";
  const runs: Run[] = [run(label, "dim")];
  const percent = w.percent !== null && Number.isFinite(w.percent) ? w.percent : null;
  let body = false;
  if (percent !== null) {
    runs.push(run(" "));
    if (estimate) runs.push(run("~", "dim"));
    runs.push(run(pct(percent), limitStyle(percent)));
    body = true;
  } else if (estimate && w.costUSD !== null && Number.isFinite(w.costUSD)) {
    const projected = w.projectedUSD !== null && Number.isFinite(w.projectedUSD) ? `→${money(w.projectedUSD)}` : "";
    runs.push(run(" "), run(`~${money(w.costUSD)}${projected}`, "dim"));
    body = true;
  }
  if (body) {
    const inner: Run[] = [];
    if (w.origin === "recorded" && w.ageMs !== null && Number.isFinite(w.ageMs)) inner.push(run(`${age(w.ageMs)} ago`, "dim"));
    if (d.pace && percent !== null && w.elapsedPercent !== null && Number.isFinite(w.elapsedPercent)) {
      if (inner.length > 0) inner.push(run(", ", "dim"));
      const ahead = percentNumber(percent) - percentNumber(w.elapsedPercent);
      inner.push(run(`${pct(w.elapsedPercent)} gone`, ahead > 25 ? "red" : ahead > 10 ? "yellow" : "dim"));
    }
    if (inner.length > 0) runs.push(run(" (", "dim"), ...inner, run(")", "dim"));
    if (d.pace && w.limitAt !== null && Number.isFinite(w.limitAt)) runs.push(run(" "), run(`limit ~${clockText(w.limitAt, c.v.now, c.timeZone)}`, "yellow"));
  }
  if (d.reset && w.resetsAt !== null && Number.isFinite(w.resetsAt)) {
    runs.push(run(" "), run(`↻${clockText(w.resetsAt, c.v.now, c.timeZone)}`, "dim"));
    body = true;
  }
  return body ? runs : null;
}

/** Whether our figure for the session and Claude Code's differ by more than 1 % (and by half a cent or more). */
function differs(ours: number, theirs: number): boolean {
  const gap = Math.abs(ours - theirs);
  return gap >= 0.005 && gap > 0.01 * Math.max(Math.abs(ours), Math.abs(theirs));
}

const finite = (n: number | null): n is number => n !== null && Number.isFinite(n);

function segmentRuns(name: SegmentName, c: Ctx, d: Detail): Run[] | null {
  const v = c.v;
  switch (name) {
    case "model": {
      const m = v.model === null ? "" : fitText(cleanText(v.model, 200), MODEL_COLUMNS);
      return m === "" ? null : [run(m)];
    }
    case "session": {
      if (!finite(v.sessionUSD)) return null;
      const mark = finite(v.claudeCodeUSD) && differs(v.sessionUSD, v.claudeCodeUSD) ? [run("*", "dim")] : [];
      return [run(money(v.sessionUSD)), ...mark, run(" session", "dim")];
    }
    case "cc":
      return finite(v.claudeCodeUSD) ? [run("cc ", "dim"), run(money(v.claudeCodeUSD))] : null;
    case "today":
      return finite(v.todayUSD) ? [run(money(v.todayUSD)), run(" today", "dim")] : null;
    case "5h":
      return v.fiveHour === null ? null : windowRuns("5h", v.fiveHour, c, d);
    case "week":
      return v.weekly === null ? null : windowRuns("week", v.weekly, c, d);
    case "context":
      return v.context !== null && Number.isFinite(v.context.percent)
        ? [run("ctx ", "dim"), run(pct(v.context.percent), contextStyle(v.context.percent))]
        : null;
    case "burn":
      return finite(v.burnUSDPerHour) ? [run(burnRate(v.burnUSDPerHour))] : null;
    case "block": {
      const w = v.fiveHour;
      if (w === null || !finite(w.costUSD)) return null;
      return [run("block ", "dim"), run(money(w.costUSD)), ...(finite(w.projectedUSD) ? [run(`→~${money(w.projectedUSD)}`, "dim")] : [])];
    }
    case "dir": {
      const t = v.dir === null ? "" : fitText(cleanText(v.dir, 200), DIR_COLUMNS);
      return t === "" ? null : [run(t)];
    }
    case "note": {
      const t = v.note === null ? "" : fitText(cleanText(v.note, 200), NOTE_COLUMNS);
      return t === "" ? null : [run(t, "dim")];
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The line

/** What the line gives up, in order, when it is too wide: a segment's detail, or every instance of a segment. */
const STEPS: readonly (readonly ["drop" | "less", SegmentName])[] = [
  ["drop", "dir"],
  ["drop", "cc"],
  ["drop", "block"],
  ["less", "week"],
  ["drop", "burn"],
  ["less", "week"],
  ["drop", "note"],
  ["drop", "context"],
  ["drop", "week"],
  ["drop", "today"],
  ["less", "5h"],
  ["less", "5h"],
  ["drop", "model"],
  ["drop", "session"],
  ["drop", "5h"],
];

interface Slot {
  name: SegmentName;
  /** the literal text before it (shown when a segment before it is shown). */
  before: string;
  level: number;
  dropped: boolean;
}

interface Layout {
  lead: string;
  slots: Slot[];
  trail: string;
  /** the note, added after everything when the template does not place it. */
  noteSlot: Slot | null;
}

function layoutOf(parts: readonly FormatPart[]): Layout {
  let lead = "";
  let pending = "";
  const slots: Slot[] = [];
  for (const p of parts) {
    if (p.kind === "text") pending += p.text;
    else {
      if (slots.length === 0) lead = pending;
      slots.push({ name: p.name, before: slots.length === 0 ? "" : pending, level: 0, dropped: false });
      pending = "";
    }
  }
  const trail = pending;
  let noteSlot: Slot | null = null;
  if (!slots.some((s) => s.name === "note")) {
    // after the trailing text with a space, or with the template's last separator
    const last = [...slots].reverse().find((s) => s.before !== "");
    noteSlot = { name: "note", before: trail !== "" || last === undefined ? " " : last.before, level: 0, dropped: false };
  }
  return { lead, slots, trail, noteSlot };
}

function lineRuns(l: Layout, c: Ctx): { runs: Run[]; shown: number } {
  const runs: Run[] = [];
  let shown = 0;
  for (const s of l.slots) {
    if (s.dropped) continue;
    const seg = segmentRuns(s.name, c, DETAILS[s.name]?.[s.level] ?? FULL);
    if (seg === null) continue;
    if (shown > 0 && s.before !== "") runs.push(run(s.before, "dim"));
    runs.push(...seg);
    shown++;
  }
  if (shown > 0 && l.lead !== "") runs.unshift(run(l.lead, "dim"));
  if (shown > 0 && l.trail !== "") runs.push(run(l.trail, "dim"));
  if (l.noteSlot !== null && !l.noteSlot.dropped) {
    const note = segmentRuns("note", c, FULL);
    if (note !== null) {
      if (shown > 0) runs.push(run(l.noteSlot.before, "dim"));
      runs.push(...note);
      shown++;
    }
  }
  return { runs, shown };
}

function sgr(runs: readonly Run[], color: boolean): string {
  let out = "";
  let i = 0;
  while (i < runs.length) {
    const s = runs[i]!.s;
    let t = "";
    for (; i < runs.length && runs[i]!.s === s; i++) t += runs[i]!.t;
    // (a last net: nothing here came unsanitized, and nothing unsafe goes out even if it had)
    t = replaceUnsafe(t, " ");
    out += color && s !== "" && t !== "" ? `\u001b[${SGR[s]}m${t}\u001b[0m` : t;
  }
  return out;
}

let lastFormat: { text: string; parsed: ParsedFormat } | null = null;
function parsed(text: string): ParsedFormat {
  if (lastFormat?.text !== text) lastFormat = { text, parsed: parseFormat(text) };
  return lastFormat.parsed;
}

interface StatuslineOptions {
  /** a preset's name (FORMATS) or a template; check it with parseFormat first (a bad one throws here). */
  format: string;
  /** SGR colours (the caller decides: NO_COLOR, a flag). */
  color: boolean;
  /** the columns the line may take; null for no limit. */
  width: number | null;
  /** the zone reset times are told in (an IANA name); the process zone when absent or unknown. */
  timeZone?: string;
}

/** The status line: one line, no newline, no control character but the SGR sequences it makes when `color` is on. */
export function renderStatusline(v: StatuslineView, o: StatuslineOptions): string {
  const p = parsed(o.format);
  if (!p.ok) throw new RangeError(p.message);
  const l = layoutOf(p.segments);
  const c: Ctx = { v, timeZone: o.timeZone };
  let { runs, shown } = lineRuns(l, c);
  const width = o.width === null ? null : Math.max(0, Math.floor(Number.isFinite(o.width) ? o.width : 0));
  if (width === null) return sgr(runs, o.color);
  const all = l.noteSlot === null ? l.slots : [...l.slots, l.noteSlot];
  const droppedGroups: Slot[][] = [];
  for (const [what, name] of STEPS) {
    if (runsColumns(runs) <= width) break;
    const hit = all.filter((s) => s.name === name && !s.dropped);
    if (hit.length === 0) continue;
    if (what === "less") {
      const levels = DETAILS[name]?.length ?? 1;
      for (const s of hit) s.level = Math.min(levels - 1, s.level + 1);
    } else {
      for (const s of hit) s.dropped = true;
      const next = lineRuns(l, c);
      // (the last segment shown is cut, not dropped)
      if (next.shown === 0 && shown > 0) {
        for (const s of hit) s.dropped = false;
        break;
      }
      droppedGroups.push(hit);
    }
    ({ runs, shown } = lineRuns(l, c));
  }
  // A segment dropped early may fit again where a more important one did not (it is shorter): the most important first.
  if (runsColumns(runs) <= width) {
    for (let g = droppedGroups.length - 1; g >= 0; g--) {
      const group = droppedGroups[g]!;
      for (const s of group) s.dropped = false;
      const next = lineRuns(l, c);
      if (runsColumns(next.runs) <= width) ({ runs, shown } = next);
      else for (const s of group) s.dropped = true;
    }
  }
  if (runsColumns(runs) > width) runs = cutRuns(runs, width);
  return sgr(runs, o.color);
}
